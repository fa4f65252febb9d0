//! Grants: flows to buckets, queues, topics, secrets and mail, each as the least-privilege IAM
//! statements it gives the task role of its source. This table is the one place an access level's actions are spelled;
//! every statement names one resource and never a wildcard.

use super::*;
use crate::model::Flow;

/// The grant a flow to a bucket, a queue, a topic, a secret or a mail component (`category`)
/// makes.
pub(super) fn grant(flow: &Flow, category: &str) -> Lowering<Grant> {
    let fault = || Fault::new("flow", "access level", &flow.origin);
    let target = match category {
        "bucket" => GrantTarget::Bucket,
        "topic" => GrantTarget::Topic,
        "queue" => GrantTarget::Queue,
        "secret" => GrantTarget::Secret,
        "mail" => GrantTarget::Mail,
        _ => return Err(fault()),
    };
    let written = match &flow.protocol {
        Val::List(items) => items.iter().collect(),
        single => vec![single],
    };
    let mut access = written
        .into_iter()
        .map(|level| level.as_str().and_then(Access::named).ok_or_else(fault))
        .collect::<Lowering<Vec<Access>>>()?;
    access.sort();
    access.dedup();
    let statements = statements(&flow.to, target, &access).ok_or_else(fault)?;
    Ok(Grant {
        from: flow.from.clone(),
        to: flow.to.clone(),
        target,
        access,
        statements,
        variable: variable(&flow.to, target),
        origin: flow.origin.clone(),
    })
}

/// The grant a network flow to a cache makes besides its security-group rules: the source
/// signs in with IAM authentication, as the cache's application user, which needs
/// `elasticache:Connect` on both the cache and that user.
pub(super) fn cache_connect(flow: &Flow) -> Grant {
    let name = pascal(&flow.to);
    let statement = |part: &str, resource: GrantResource| Statement {
        sid: format!("{name}Connect{part}"),
        actions: vec!["elasticache:Connect"],
        resource,
        condition: None,
    };
    Grant {
        from: flow.from.clone(),
        to: flow.to.clone(),
        target: GrantTarget::Cache,
        access: Vec::new(),
        statements: vec![
            statement("Cache", GrantResource::Cache(flow.to.clone())),
            statement("User", GrantResource::CacheUser(flow.to.clone())),
        ],
        variable: variable(&flow.to, GrantTarget::Cache),
        origin: flow.origin.clone(),
    }
}

/// What one level allows: the actions on the target's objects (buckets only) and on the target
/// itself. `None` for a level the target's category does not take (the checker refuses it).
fn actions(target: GrantTarget, level: Access) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match (target, level) {
        (GrantTarget::Bucket, Access::Read) => (&["s3:GetObject"], &["s3:ListBucket"]),
        (GrantTarget::Bucket, Access::Write) => (&["s3:AbortMultipartUpload", "s3:PutObject"], &[]),
        (GrantTarget::Bucket, Access::Delete) => (&["s3:DeleteObject"], &[]),
        (GrantTarget::Topic, Access::Publish) => (&[], &["sns:Publish"]),
        (GrantTarget::Secret, Access::Read) => (&[], &["secretsmanager:GetSecretValue"]),
        (GrantTarget::Queue, Access::Send) => (&[], &["sqs:GetQueueUrl", "sqs:SendMessage"]),
        (GrantTarget::Mail, Access::Send) => (&[], &["ses:SendEmail", "ses:SendRawEmail"]),
        (GrantTarget::Queue, Access::Consume) => (
            &[],
            &[
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ReceiveMessage",
            ],
        ),
        _ => return None,
    })
}

/// The statements of a grant: one per resource with any action, actions sorted and each once.
fn statements(to: &str, target: GrantTarget, access: &[Access]) -> Option<Vec<Statement>> {
    let (mut on_objects, mut on_target): (Vec<&'static str>, Vec<&'static str>) = (Vec::new(), Vec::new());
    for &level in access {
        let (objects, itself) = actions(target, level)?;
        on_objects.extend(objects);
        on_target.extend(itself);
    }
    let levels: String = access.iter().map(|level| pascal(level.as_str())).collect();
    let sid = |part: &str| format!("{}{levels}{part}", pascal(to));
    let mut statements = Vec::new();
    let mut push = |sid: String,
                    mut actions: Vec<&'static str>,
                    resource: GrantResource,
                    condition: Option<GrantCondition>| {
        actions.sort_unstable();
        actions.dedup();
        if !actions.is_empty() {
            statements.push(Statement {
                sid,
                actions,
                resource,
                condition,
            });
        }
    };
    let to = to.to_owned();
    match target {
        GrantTarget::Bucket => {
            push(
                sid("Objects"),
                on_objects,
                GrantResource::Objects(to.clone()),
                None,
            );
            push(sid("Bucket"), on_target, GrantResource::Bucket(to), None);
        }
        GrantTarget::Topic => push(sid(""), on_target, GrantResource::Topic(to), None),
        GrantTarget::Queue => push(sid(""), on_target, GrantResource::Queue(to), None),
        GrantTarget::Secret => push(sid(""), on_target, GrantResource::Secret(to), None),
        // SES authorizes a send on the identity of the From address and on the configuration
        // set it uses (the identity's default one): both, and only from the identity's domain.
        GrantTarget::Mail => {
            push(
                sid("Identity"),
                on_target.clone(),
                GrantResource::MailIdentity(to.clone()),
                Some(GrantCondition::FromAddressInDomain),
            );
            push(
                sid("ConfigurationSet"),
                on_target,
                GrantResource::MailConfigurationSet(to),
                None,
            );
        }
        // A cache's grant comes from its `redis` flow (`cache_connect`), not access levels.
        GrantTarget::Cache => return None,
    }
    Some(statements)
}

/// The environment variable that tells tasks where the target is: `UPLOADS_BUCKET`,
/// `EVENTS_TOPIC_ARN`, `ORDERS_QUEUE_URL`, `SESSIONS_CACHE_USER`, `MAIL_DOMAIN` (the domain
/// to send from).
fn variable(to: &str, target: GrantTarget) -> String {
    let suffix = match target {
        GrantTarget::Bucket => "BUCKET",
        GrantTarget::Topic => "TOPIC_ARN",
        GrantTarget::Queue => "QUEUE_URL",
        GrantTarget::Cache => "CACHE_USER",
        GrantTarget::Secret => "SECRET_NAME",
        GrantTarget::Mail => "DOMAIN",
    };
    format!("{}_{suffix}", to.to_ascii_uppercase())
}

/// `daily_report` → `DailyReport` (statement ids are alphanumeric).
fn pascal(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_gets_the_narrowest_actions_on_one_resource() {
        let read_write = statements(
            "user_uploads",
            GrantTarget::Bucket,
            &[Access::Read, Access::Write],
        );
        assert_eq!(
            read_write,
            Some(vec![
                Statement {
                    sid: "UserUploadsReadWriteObjects".into(),
                    actions: vec!["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                    resource: GrantResource::Objects("user_uploads".into()),
                    condition: None,
                },
                Statement {
                    sid: "UserUploadsReadWriteBucket".into(),
                    actions: vec!["s3:ListBucket"],
                    resource: GrantResource::Bucket("user_uploads".into()),
                    condition: None,
                },
            ])
        );
        // Writing alone needs nothing on the bucket itself.
        let write = statements("logs", GrantTarget::Bucket, &[Access::Write]).unwrap_or_default();
        assert_eq!(write.len(), 1);
        assert_eq!(
            statements("events", GrantTarget::Topic, &[Access::Publish]),
            Some(vec![Statement {
                sid: "EventsPublish".into(),
                actions: vec!["sns:Publish"],
                resource: GrantResource::Topic("events".into()),
                condition: None,
            }])
        );
        assert_eq!(statements("events", GrantTarget::Topic, &[Access::Read]), None);
        // Mail: the identity, only from the domain's addresses, and the configuration set.
        assert_eq!(
            statements("mail", GrantTarget::Mail, &[Access::Send]),
            Some(vec![
                Statement {
                    sid: "MailSendIdentity".into(),
                    actions: vec!["ses:SendEmail", "ses:SendRawEmail"],
                    resource: GrantResource::MailIdentity("mail".into()),
                    condition: Some(GrantCondition::FromAddressInDomain),
                },
                Statement {
                    sid: "MailSendConfigurationSet".into(),
                    actions: vec!["ses:SendEmail", "ses:SendRawEmail"],
                    resource: GrantResource::MailConfigurationSet("mail".into()),
                    condition: None,
                },
            ])
        );
        assert_eq!(statements("mail", GrantTarget::Mail, &[Access::Read]), None);
        assert_eq!(
            variable("user_uploads", GrantTarget::Bucket),
            "USER_UPLOADS_BUCKET"
        );
    }
}
