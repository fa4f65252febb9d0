//! The `monitoring.tf` of an environment: CloudWatch alarms, the EventBridge rule and the Lambda
//! function that turns alarm state changes into readable messages on SNS.

use super::*;

pub(super) fn monitoring(ctx: &Ctx<'_>, blocks: &mut Blocks) {
    let env = ctx.env;
    for topic in &env.topics {
        let id = ctx.ident(&topic.name);
        blocks.push(
            Block::resource("aws_sns_topic", &id)
                .attr("name", s(ctx.item_name(&topic.name)))
                .attr("kms_master_key_id", s("alias/aws/sns")),
        );
        for (n, address) in topic.email.iter().enumerate() {
            blocks.push(
                Block::resource("aws_sns_topic_subscription", &format!("{id}_email_{}", n + 1))
                    .attr("topic_arn", reference(format!("aws_sns_topic.{id}.arn")))
                    .attr("protocol", s("email"))
                    .attr("endpoint", s(address)),
            );
        }
    }
    for alarm in &env.alarms {
        blocks.push(alarm_block(ctx, alarm));
    }
    if !env.alarms.is_empty() {
        blocks.extend(notifier(ctx));
    }
    let global = env.alarms.iter().any(|a| metric(ctx, a).0);
    if global && env.region != "us-east-1" {
        blocks.extend(global_alarm_forwarder(ctx));
    }
}

/// CloudFront's metrics exist only in us-east-1, so its alarms live there, and EventBridge sees
/// an alarm's state changes only in the alarm's region: a rule in us-east-1 forwards them to
/// the environment's default event bus, where the notifier's rule takes them like the others.
pub(super) fn global_alarm_forwarder(ctx: &Ctx<'_>) -> Vec<Block> {
    let bus = format!(
        "arn:aws:events:{}:{}:event-bus/default",
        ctx.env.region, ctx.env.account
    );
    vec![
        Block::resource("aws_cloudwatch_event_rule", "alarm_state_us_east_1")
            .attr("provider", reference("aws.us_east_1"))
            .attr("name", s(ctx.name("alarm-state")))
            .attr(
                "description",
                s("CloudFront alarm state changes, forwarded to the system's region"),
            )
            .attr("event_pattern", alarm_state_pattern(ctx)),
        assume_role_policy("events_assume", "events.amazonaws.com"),
        Block::resource("aws_iam_role", "alarm_forwarder")
            .attr("name", s(ctx.name("alarm-forwarder")))
            .attr(
                "assume_role_policy",
                reference("data.aws_iam_policy_document.events_assume.json"),
            ),
        Block::data("aws_iam_policy_document", "alarm_forwarder").block(
            Block::new("statement", &[])
                .attr("sid", s("ForwardToTheSystemsRegion"))
                .attr("actions", strings(["events:PutEvents"]))
                .attr("resources", strings([bus.clone()])),
        ),
        Block::resource("aws_iam_role_policy", "alarm_forwarder")
            .attr("role", reference("aws_iam_role.alarm_forwarder.id"))
            .attr(
                "policy",
                reference("data.aws_iam_policy_document.alarm_forwarder.json"),
            ),
        Block::resource("aws_cloudwatch_event_target", "alarm_state_us_east_1")
            .attr("provider", reference("aws.us_east_1"))
            .attr(
                "rule",
                reference("aws_cloudwatch_event_rule.alarm_state_us_east_1.name"),
            )
            .attr("arn", s(bus))
            .attr("role_arn", reference("aws_iam_role.alarm_forwarder.arn")),
    ]
}

/// The EventBridge pattern of this system's alarm state changes.
fn alarm_state_pattern(ctx: &Ctx<'_>) -> Expr {
    r(format!(
        "jsonencode({{ source = [\"aws.cloudwatch\"], \"detail-type\" = [\"CloudWatch Alarm State Change\"], detail = {{ alarmName = [{{ prefix = {} }}] }} }})",
        quote(&ctx.name(""))
    ))
}

/// The CloudWatch namespace, metric and dimensions of an `.arch` metric.
pub(super) fn metric(
    ctx: &Ctx<'_>,
    alarm: &Alarm,
) -> (bool, &'static str, &'static str, Vec<(String, Expr)>) {
    let component = alarm.component.as_str();
    let cluster = ("ClusterName".to_owned(), reference("aws_ecs_cluster.main.name"));
    let watched = ctx.components.get(component);
    if let Some(Component::Service(_) | Component::Job(_)) = watched {
        let name = if alarm.metric == "memory" {
            "MemoryUtilization"
        } else {
            "CPUUtilization"
        };
        return (
            false,
            "AWS/ECS",
            name,
            vec![cluster, ("ServiceName".into(), s(ctx.env.physical(component)))],
        );
    }
    if let Some(Component::LoadBalancer(_)) = watched {
        let name = match alarm.metric.as_str() {
            "requests" => "RequestCount",
            "latency" => "TargetResponseTime",
            _ => "HTTPCode_Target_5XX_Count",
        };
        return (
            false,
            "AWS/ApplicationELB",
            name,
            vec![(
                "LoadBalancer".into(),
                reference(format!("aws_lb.{}.arn_suffix", ctx.ident(component))),
            )],
        );
    }
    if let Some(Component::Database(_)) = watched {
        let name = match alarm.metric.as_str() {
            "connections" => "DatabaseConnections",
            "freeable_memory" => "FreeableMemory",
            _ => "CPUUtilization",
        };
        return (
            false,
            "AWS/RDS",
            name,
            vec![(
                "DBClusterIdentifier".into(),
                reference(format!(
                    "aws_rds_cluster.{}.cluster_identifier",
                    ctx.ident(component)
                )),
            )],
        );
    }
    if let Some(Component::Cache(cache)) = watched {
        let name = crate::naming::cache(&ctx.ir.system, &ctx.env.name, ctx.env.physical(component));
        return match &cache.nodes {
            CacheNodes::Serverless { .. } => (
                false,
                "AWS/ElastiCache",
                if alarm.metric == "data" {
                    "BytesUsedForCache"
                } else {
                    "ThrottledCmds"
                },
                vec![("clusterId".into(), s(name))],
            ),
            // Each node publishes its own metrics; `-001` is the node the group starts with as
            // its primary.
            CacheNodes::Nodes { .. } => (
                false,
                "AWS/ElastiCache",
                if alarm.metric == "memory" {
                    "DatabaseMemoryUsagePercentage"
                } else {
                    "EngineCPUUtilization"
                },
                vec![("CacheClusterId".into(), s(format!("{name}-001")))],
            ),
        };
    }
    if let Some(Component::Queue(_)) = watched {
        let (name, queue) = match alarm.metric.as_str() {
            "age" => ("ApproximateAgeOfOldestMessage", ctx.ident(component)),
            "dead_letters" => (
                "ApproximateNumberOfMessagesVisible",
                format!("{}_dead_letters", ctx.ident(component)),
            ),
            _ => ("ApproximateNumberOfMessagesVisible", ctx.ident(component)),
        };
        return (
            false,
            "AWS/SQS",
            name,
            vec![(
                "QueueName".into(),
                reference(format!("aws_sqs_queue.{queue}.name")),
            )],
        );
    }
    if let Some(Component::Mail(_)) = watched {
        // The configuration set's event destination counts each event under its name.
        return (
            false,
            "AWS/SES",
            if alarm.metric == "complaints" {
                "Complaint"
            } else {
                "Bounce"
            },
            // A key with a colon is written quoted.
            vec![(quote(CONFIGURATION_SET_DIMENSION), s(ctx.item_name(component)))],
        );
    }
    // CloudFront publishes its metrics in us-east-1.
    let name = if alarm.metric == "requests" {
        "Requests"
    } else {
        "TotalErrorRate"
    };
    (
        true,
        "AWS/CloudFront",
        name,
        vec![
            (
                "DistributionId".into(),
                reference(format!("aws_cloudfront_distribution.{}.id", ctx.ident(component))),
            ),
            ("Region".into(), s("Global")),
        ],
    )
}

pub(super) fn alarm_block(ctx: &Ctx<'_>, alarm: &Alarm) -> Block {
    let (global, namespace, metric_name, dimensions) = metric(ctx, alarm);
    let period = 60;
    let evaluation = i64::try_from(alarm.period_seconds.value / 60).unwrap_or(1).max(1);
    Block::resource("aws_cloudwatch_metric_alarm", &ctx.ident(&alarm.name))
        .attr_opt("provider", global.then(|| reference("aws.us_east_1")))
        .attr("alarm_name", s(ctx.item_name(&alarm.name)))
        .attr(
            "alarm_description",
            s(format!(
                "{}.{} above {} (notifies {})",
                ctx.env.physical(&alarm.component),
                alarm.metric,
                alarm.threshold_unit.text(alarm.threshold),
                ctx.env.physical(&alarm.topic)
            )),
        )
        .attr("namespace", s(namespace))
        .attr("metric_name", s(metric_name))
        .attr("dimensions", Expr::Object(dimensions))
        .attr(
            "statistic",
            s(if namespace == "AWS/SQS" || metric_name == "ThrottledCmds" {
                // A queue's backlog and age: the worst minute, not an average of it.
                "Maximum"
            } else if metric_name.ends_with("Count") || metric_name == "Requests" || namespace == "AWS/SES" {
                "Sum"
            } else {
                "Average"
            }),
        )
        .attr("period", Expr::Num(period))
        .attr("evaluation_periods", Expr::Num(evaluation))
        .attr("threshold", Expr::Num(alarm.threshold))
        .attr("comparison_operator", s("GreaterThanThreshold"))
        .attr("treat_missing_data", s("notBreaching"))
}

/// CloudWatch alarm state changes → EventBridge → a Lambda that writes a readable message → SNS.
pub(super) fn notifier(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let topics: Vec<(String, Expr)> = env
        .alarms
        .iter()
        .map(|a| {
            (
                ctx.item_name(&a.name),
                reference(format!("aws_sns_topic.{}.arn", ctx.ident(&a.topic))),
            )
        })
        .collect();
    let topic_arns: BTreeSet<String> = env
        .alarms
        .iter()
        .map(|a| format!("aws_sns_topic.{}.arn", ctx.ident(&a.topic)))
        .collect();
    vec![
        Block::data("archive_file", "alarm_notifier")
            .attr("type", s("zip"))
            .attr("source_file", interpolated("path.module", "/lambda/alarm_notifier.py"))
            .attr("output_path", interpolated("path.module", "/.build/alarm_notifier.zip")),
        Block::resource("aws_cloudwatch_log_group", "alarm_notifier")
            .comment("checkov:skip=CKV_AWS_158:encrypted with the CloudWatch Logs service key; a customer key is not part of the design")
            .attr("name", s(format!("/aws/lambda/{}", ctx.name("alarm-notifier"))))
            .attr("retention_in_days", Expr::Num(365)),
        assume_role_policy("lambda_assume", "lambda.amazonaws.com"),
        Block::resource("aws_iam_role", "alarm_notifier")
            .attr("name", s(ctx.name("alarm-notifier")))
            .attr("assume_role_policy", reference("data.aws_iam_policy_document.lambda_assume.json")),
        Block::data("aws_iam_policy_document", "alarm_notifier")
            .block(
                Block::new("statement", &[])
                    .attr("sid", s("Publish"))
                    .attr("actions", strings(["sns:Publish"]))
                    .attr("resources", refs(topic_arns)),
            )
            .block(
                Block::new("statement", &[])
                    .attr("sid", s("WriteLogs"))
                    .attr("actions", strings(["logs:CreateLogStream", "logs:PutLogEvents"]))
                    .attr("resources", Expr::List(vec![interpolated("aws_cloudwatch_log_group.alarm_notifier.arn", ":*")])),
            )
            .block(
                Block::new("statement", &[])
                    .attr("sid", s("Trace"))
                    .attr("actions", strings(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]))
                    .attr("resources", strings(["*"])),
            ),
        Block::resource("aws_iam_role_policy", "alarm_notifier")
            .attr("role", reference("aws_iam_role.alarm_notifier.id"))
            .attr("policy", reference("data.aws_iam_policy_document.alarm_notifier.json")),
        Block::resource("aws_lambda_function", "alarm_notifier")
            .comment("checkov:skip=CKV_AWS_116:EventBridge retries delivery; a failed notification is visible in the function's logs")
            .comment("checkov:skip=CKV_AWS_117:the function talks only to SNS; it needs no VPC")
            .comment("checkov:skip=CKV_AWS_173:the environment holds topic ARNs, not secrets")
            .comment("checkov:skip=CKV_AWS_272:the code is generated by archc and deployed by Terraform, not signed separately")
            .attr("function_name", s(ctx.name("alarm-notifier")))
            .attr("role", reference("aws_iam_role.alarm_notifier.arn"))
            .attr("runtime", s("python3.12"))
            .attr("handler", s("alarm_notifier.handler"))
            .attr("filename", reference("data.archive_file.alarm_notifier.output_path"))
            .attr("source_code_hash", reference("data.archive_file.alarm_notifier.output_base64sha256"))
            .attr("timeout", Expr::Num(10))
            .attr("reserved_concurrent_executions", Expr::Num(5))
            .block(Block::new("tracing_config", &[]).attr("mode", s("Active")))
            .block(Block::new("environment", &[]).attr(
                "variables",
                Expr::Object(vec![("TOPICS".into(), r(format!("jsonencode({})", inline_object(&topics))))]),
            ))
            .attr("depends_on", refs(["aws_cloudwatch_log_group.alarm_notifier"])),
        Block::resource("aws_cloudwatch_event_rule", "alarm_state")
            .attr("name", s(ctx.name("alarm-state")))
            .attr("description", s("CloudWatch alarm state changes of this system"))
            .attr("event_pattern", alarm_state_pattern(ctx)),
        Block::resource("aws_cloudwatch_event_target", "alarm_state")
            .attr("rule", reference("aws_cloudwatch_event_rule.alarm_state.name"))
            .attr("arn", reference("aws_lambda_function.alarm_notifier.arn")),
        Block::resource("aws_lambda_permission", "alarm_state")
            .attr("statement_id", s("AllowEventBridge"))
            .attr("action", s("lambda:InvokeFunction"))
            .attr("function_name", reference("aws_lambda_function.alarm_notifier.function_name"))
            .attr("principal", s("events.amazonaws.com"))
            .attr("source_arn", reference("aws_cloudwatch_event_rule.alarm_state.arn")),
    ]
}

/// `{ "a" = x, "b" = y }` on one line, for `jsonencode`.
pub(super) fn inline_object(fields: &[(String, Expr)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(k, v)| {
            let value = match v {
                Expr::Ref(text) | Expr::Raw(text) => text.clone(),
                Expr::Str(text) => quote(text),
                _ => String::new(),
            };
            format!("{} = {value}", quote(k))
        })
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

/// The Lambda function that turns alarm state changes into readable messages, shipped in
/// `lambda/`.
pub(super) const ALARM_NOTIFIER: &str = include_str!("alarm_notifier.py");
