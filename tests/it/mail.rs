//! The seed's last two rows: the reference design sends mail through SES from each
//! environment's domain (its grant read back from the generated Terraform and compared exactly,
//! its DNS records, what its task is told), and the people who operate an environment come in
//! through IAM Identity Center only (the Terraform role's trust, and no IAM user or access key
//! anywhere in any output archc writes for any example or architecture).

use std::path::Path;

use serde_json::{Value, json};

use crate::fixture::{build_clean, example_files, example_sources, write_all};

fn file<'a>(files: &'a [archc::backend::OutputFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} is generated"))
        .contents
}

#[test]
fn the_api_may_send_mail_only_from_its_environments_domain_through_its_configuration_set() {
    let out = write_all(&example_files());
    for (env, domain) in [("prd", "example.com"), ("stg", "stg.example.com")] {
        let policies = crate::orders::policies(&out.path().join(env).join("terraform"));
        let send = ["ses:SendEmail", "ses:SendRawEmail"];
        assert_eq!(
            policies.get("api_task").cloned().unwrap_or_default(),
            [
                json!({
                    "sid": "MailerSendIdentity",
                    "effect": "Allow",
                    "actions": send,
                    "resources": ["${aws_sesv2_email_identity.mailer.arn}"],
                    "conditions": [{
                        "test": "StringLike",
                        "variable": "ses:FromAddress",
                        "values": [format!("*@{domain}")],
                    }],
                }),
                json!({
                    "sid": "MailerSendConfigurationSet",
                    "effect": "Allow",
                    "actions": send,
                    "resources": ["${aws_sesv2_configuration_set.mailer.arn}"],
                }),
            ],
            "{env}"
        );
        // Nobody else may send.
        for (role, statements) in &policies {
            let sends = statements.iter().any(|s| {
                s["actions"].as_array().is_some_and(|a| {
                    a.iter()
                        .any(|a| a.as_str().is_some_and(|a| a.starts_with("ses:")))
                })
            });
            assert!(role == "api_task" || !sends, "{env}: {role} may send mail");
        }
    }
}

#[test]
fn each_environment_signs_its_own_domain_and_publishes_its_records() {
    let files = example_files();
    for (env, domain, region) in [
        ("prd", "example.com", "ap-northeast-1"),
        ("stg", "stg.example.com", "ap-northeast-1"),
    ] {
        let mail = file(&files, &format!("{env}/terraform/mail.tf"));
        assert!(
            mail.contains(&format!("email_identity         = \"{domain}\"")),
            "{mail}"
        );
        for n in 0..3 {
            assert!(
                mail.contains(&format!(
                    "name    = \"${{aws_sesv2_email_identity.mailer.dkim_signing_attributes[0].tokens[{n}]}}._domainkey.{domain}\""
                )),
                "{env}: DKIM record {n}"
            );
        }
        assert!(mail.contains(&format!("name    = \"_dmarc.{domain}\"")));
        assert!(mail.contains("records = [\"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com\"]"));
        assert!(mail.contains(&format!("mail_from_domain       = \"bounce.{domain}\"")));
        assert!(mail.contains(&format!(
            "records = [\"10 feedback-smtp.{region}.amazonses.com\"]"
        )));
        // The alarm counts the configuration set's bounces.
        let monitoring = file(&files, &format!("{env}/terraform/monitoring.tf"));
        assert!(monitoring.contains(&format!("\"ses:configuration-set\" = \"webapp-{env}-mailer\"")));
        // The task is told where it sends from.
        let definition: Value =
            serde_json::from_str(file(&files, &format!("{env}/ecspresso/api/ecs-task-def.json"))).unwrap();
        let environment = definition["containerDefinitions"][0]["environment"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            environment.contains(&json!({ "name": "MAILER_DOMAIN", "value": domain })),
            "{env}: {environment:?}"
        );
    }
    // The sandbox is stated where people read about the environment.
    let design = file(&files, "DESIGN.md");
    assert!(design.contains("**Every new account's SES is in the sandbox**"));
    assert!(design.contains("request production access for account 111111111111 in ap-northeast-1"));
}

#[test]
fn the_terraform_role_trusts_only_the_operators_identity_center_roles() {
    let files = example_files();
    for (env, account) in [("prd", "111111111111"), ("stg", "222222222222")] {
        let access = file(&files, &format!("{env}/bootstrap/access.tf"));
        let trust = access
            .split("data \"aws_iam_policy_document\" \"terraform_trust\"")
            .nth(1)
            .and_then(|rest| rest.split("\n}\n").next())
            .unwrap_or_default();
        assert!(
            trust.contains(&format!("identifiers = [\"arn:aws:iam::{account}:root\"]")),
            "{trust}"
        );
        assert!(trust.contains("test     = \"ArnLike\""), "{trust}");
        assert!(trust.contains("variable = \"aws:PrincipalArn\""), "{trust}");
        assert!(
            trust.contains(&format!(
                "\"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*\","
            )),
            "{trust}"
        );
        // A permission set named `AdministratorAccess_<more>` is not admitted with it.
        assert!(trust.contains("test     = \"ArnNotLike\""), "{trust}");
        assert!(
            trust.contains("AWSReservedSSO_AdministratorAccess_*_*"),
            "{trust}"
        );
    }
}

#[test]
fn an_environment_may_narrow_its_operators() {
    let mut sources = example_sources();
    for (path, text) in &mut sources {
        if path.ends_with("environments.arch") {
            *text = text.replace(
                "  nat     = regional\n",
                "  nat     = regional\n  operators = [\"ProductionDeployers\", \"arn:aws:iam::111111111111:role/break-glass\"]\n",
            );
        }
    }
    let files = build_clean(sources);
    let prd = file(&files, "prd/bootstrap/access.tf");
    assert!(prd.contains("AWSReservedSSO_ProductionDeployers_*"), "{prd}");
    assert!(prd.contains("\"arn:aws:iam::111111111111:role/break-glass\""));
    assert!(!prd.contains("AWSReservedSSO_AdministratorAccess_*"));
    let stg = file(&files, "stg/bootstrap/access.tf");
    assert!(stg.contains("AWSReservedSSO_AdministratorAccess_*"));
}

/// What would give someone long-lived credentials: IAM users, their keys, passwords, policies
/// and group memberships; SES SMTP credentials are such keys too.
const LONG_LIVED: &[&str] = &[
    "\"aws_iam_user\"",
    "\"aws_iam_user_",
    "\"aws_iam_access_key\"",
    "\"aws_iam_group_membership\"",
    ":user/",
];

#[test]
fn no_output_creates_an_iam_user_or_an_access_key() {
    let dir = |path: &str| Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut builds = vec![
        ("webapp".to_owned(), example_files()),
        (
            "orders".to_owned(),
            build_clean(crate::fixture::workspace_sources(&dir("../examples/orders"))),
        ),
    ];
    for name in crate::architectures::ARCHITECTURES {
        builds.push((
            (*name).to_owned(),
            build_clean(crate::fixture::workspace_sources(
                &dir("architectures").join(name),
            )),
        ));
    }
    let mut read = 0;
    for (name, files) in &builds {
        for file in files {
            for pattern in LONG_LIVED {
                assert!(
                    !file.contents.contains(pattern),
                    "{name}/{}: {pattern}",
                    file.path
                );
            }
            read += 1;
        }
    }
    assert!(read > 200, "read {read} files");
}
