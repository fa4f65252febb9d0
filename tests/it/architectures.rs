//! Architectures written unlike the example (`tests/architectures/`), each checked and built and
//! its output run through every validator the suite has, including the deploy-facts check that
//! reads only the generated files; and that check shown to catch what it is there for.

use std::path::{Path, PathBuf};

use archc::{RootDatabase, Workspace};

use crate::fixture::{TODAY, build_clean, write_all};
use crate::validators::{
    self, actionlint, checkov, deploy_facts, ecs_check, mermaid_render, terraform_check,
};

pub(crate) const ARCHITECTURES: &[&str] = &["ledger", "docs", "store", "media", "spa", "hybrid"];

fn sources(name: &str) -> Vec<(String, String)> {
    crate::fixture::workspace_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("architectures")
            .join(name),
    )
}

#[test]
fn each_architecture_checks_without_errors_and_reports_its_exposure() {
    for name in ARCHITECTURES {
        let sources = sources(name);
        let db = RootDatabase::default();
        let workspace = Workspace::from_sources(&db, sources.clone(), TODAY);
        let report = archc::report::render(&archc::report::exposure(&db, workspace, None));
        let diagnostics = crate::fixture::render_check(sources);
        insta::assert_snapshot!(*name, format!("{diagnostics}\n{report}"));
    }
}

#[test]
fn each_architecture_builds_output_that_every_validator_accepts() {
    for name in ARCHITECTURES {
        every_validator_accepts(name, &build_clean(sources(name)));
    }
}

/// Runs every validator the suite has over a build's files (two environments): HashiCorp's HCL
/// parser with the provider's schema and checkov on each root module, the ECS API model,
/// actionlint, Mermaid in chromium, and the deploy-facts check.
pub fn every_validator_accepts(name: &str, files: &[archc::backend::OutputFile]) {
    let out = write_all(files);
    let envs: Vec<String> = files
        .iter()
        .filter_map(|f| f.path.strip_suffix("/terraform/versions.tf"))
        .map(str::to_owned)
        .collect();
    assert_eq!(envs.len(), 2, "{name}: two environments");
    for env in &envs {
        for root in ["terraform", "bootstrap"] {
            let dir = out.path().join(env).join(root);
            let schema = terraform_check(&dir);
            assert!(
                schema.ok && schema.text.contains(": 0 problems"),
                "{name}/{env}/{root}: {}",
                schema.text
            );
            let (summary, failed) = checkov(&dir);
            assert_eq!(summary["parsing_errors"], 0, "{name}/{env}/{root}: {summary}");
            assert!(
                failed.is_empty(),
                "{name}/{env}/{root}: checkov failed:\n{}",
                failed.join("\n")
            );
        }
    }
    let paths = |wanted: fn(&str) -> bool| -> Vec<PathBuf> {
        files
            .iter()
            .filter(|f| wanted(&f.path))
            .map(|f| out.path().join(&f.path))
            .collect()
    };
    // A system with no service or job (a static site) has nothing for ecspresso to deploy.
    if !paths(|p| p.contains("/ecspresso/")).is_empty() {
        let ecs = ecs_check(out.path());
        assert!(ecs.ok, "{name}: {}", ecs.text);
    }
    let workflows = paths(|p| p.starts_with(".github/workflows/"));
    if !workflows.is_empty() {
        let workflows = actionlint(&workflows);
        assert!(workflows.ok, "{name}: {}", workflows.text);
    }
    let artifacts = tempfile::tempdir().unwrap();
    let diagrams = paths(|p| p.ends_with(".mmd"));
    let rendered = mermaid_render(artifacts.path(), &diagrams);
    assert!(rendered.ok, "{name}: {}", rendered.text);
    assert!(
        rendered
            .text
            .contains(&format!("rendered {0} of {0} diagrams", diagrams.len())),
        "{name}: {}",
        rendered.text
    );
    let facts = deploy_facts(out.path());
    assert!(facts.ok, "{name}: {}", facts.text);
}

/// The deploy-facts check reported `problem`.
fn caught(report: &validators::Report, problem: &str) {
    assert!(report.text.contains(problem), "{}", report.text);
}

/// The example's output with `edit` applied to one generated file.
fn broken(path: &str, edit: impl Fn(&str) -> String) -> validators::Report {
    broken_in(crate::fixture::example_sources(), path, edit)
}

/// The output of `sources` with `edit` applied to one generated file.
fn broken_in(
    sources: Vec<(String, String)>,
    path: &str,
    edit: impl Fn(&str) -> String,
) -> validators::Report {
    let mut files = build_clean(sources);
    let file = files.iter_mut().find(|f| f.path == path).unwrap();
    let edited = edit(&file.contents);
    assert_ne!(edited, file.contents, "the edit of {path} changes it");
    file.contents = edited;
    deploy_facts(write_all(&files).path())
}

#[test]
fn the_deploy_facts_check_passes_the_example_and_catches_what_aws_would_not_run() {
    let example = deploy_facts(write_all(&crate::fixture::example_files()).path());
    assert!(example.ok, "{}", example.text);

    // The job's only way out removed: it cannot pull its image.
    let report = broken("prd/terraform/network.tf", |tf| {
        tf.replace(
            "cidr_ipv4         = \"0.0.0.0/0\"",
            "cidr_ipv4         = \"10.0.0.0/8\"",
        )
    });
    assert!(!report.ok);
    caught(&report, "daily_report cannot start");

    // stg claims production's alias, with a certificate for another name.
    let report = broken("stg/terraform/edge.tf", |tf| {
        tf.replace(
            "aliases         = [\"stg.example.com\"]",
            "aliases         = [\"example.com\"]",
        )
    });
    caught(&report, "CloudFront alias example.com is claimed by prd, stg");
    caught(
        &report,
        "serves example.com with a certificate for stg.example.com",
    );

    // The VPC origin on a port where the load balancer does not listen.
    let report = broken("prd/terraform/edge.tf", |tf| {
        tf.replace("https_port             = 443", "https_port             = 8443")
    });
    caught(&report, "connects to aws_lb.alb on 8443");

    // A data source declared twice, a target group no listener uses, the state bucket served.
    let report = broken("prd/terraform/data.tf", |tf| {
        format!("{tf}\ndata \"aws_elb_service_account\" \"main\" {{}}\n")
    });
    caught(&report, "data aws_elb_service_account.main is declared 2 times");
    let report = broken("prd/terraform/compute.tf", |tf| {
        tf.replace(
            "target_group_arn = aws_lb_target_group.api.arn",
            "target_group_arn = \"arn:aws:elasticloadbalancing:x\"",
        )
    });
    caught(&report, "aws_lb_target_group.api is forwarded to by no listener");
    // A log bucket behind CloudFront, and the root managing the bucket its own state is in.
    let report = broken("prd/terraform/edge.tf", |tf| {
        tf.replace(
            "aws_s3_bucket.assets.bucket_regional_domain_name",
            "aws_s3_bucket.logs.bucket_regional_domain_name",
        )
    });
    caught(&report, "serves the log bucket aws_s3_bucket.logs");
    let report = broken("prd/terraform/data.tf", |tf| {
        format!(
            "{tf}\nresource \"aws_s3_bucket\" \"state\" {{\n  bucket = \"webapp-prd-111111111111-tfstate\"\n}}\n"
        )
    });
    caught(
        &report,
        "aws_s3_bucket.state is the bucket this root's own state lives in",
    );

    // Mail: a DKIM record lost, the MAIL FROM's MX gone, the sender allowed any From address,
    // an alarm on a configuration set that publishes nothing.
    let report = broken("prd/terraform/mail.tf", |tf| {
        tf.replace("tokens[2]}._domainkey.", "tokens[1]}._domainkey.")
    });
    caught(
        &report,
        "aws_sesv2_email_identity.mailer has no DKIM record for token 2",
    );
    let report = broken("prd/terraform/mail.tf", |tf| {
        tf.replace("type    = \"MX\"", "type    = \"TXT\"")
    });
    caught(&report, "bounce.example.com has no MX record at SES");
    let report = broken("prd/terraform/compute.tf", |tf| {
        tf.replace("values   = [\"*@example.com\"]", "values   = [\"*\"]")
    });
    caught(
        &report,
        "aws_iam_policy_document.api_task lets its role send as anyone through aws_sesv2_email_identity.mailer",
    );
    // The web ACL's log group without the name WAF requires, and the web ACL in the region.
    let report = broken("prd/terraform/edge.tf", |tf| {
        tf.replace(
            "= \"aws-waf-logs-webapp-prd-cdn-waf\"",
            "= \"webapp-prd-cdn-waf\"",
        )
    });
    caught(
        &report,
        "aws_wafv2_web_acl.cdn_waf logs to aws_cloudwatch_log_group.cdn_waf_logs, which is not an aws-waf-logs- group in us-east-1",
    );
    let report = broken("prd/terraform/edge.tf", |tf| {
        tf.replacen(
            "  provider    = aws.us_east_1\n  name        = \"webapp-prd-cdn-waf\"",
            "  name        = \"webapp-prd-cdn-waf\"",
            1,
        )
    });
    caught(
        &report,
        "aws_wafv2_web_acl.cdn_waf is not a CLOUDFRONT web ACL in us-east-1",
    );
    let report = broken("prd/terraform/monitoring.tf", |tf| {
        tf.replace("= \"webapp-prd-mailer\"", "= \"webapp-prd-mail\"")
    });
    caught(
        &report,
        "aws_cloudwatch_metric_alarm.mail_bounces watches SES events no configuration set publishes",
    );
}

#[test]
fn the_deploy_facts_check_catches_what_block_public_access_would_block() {
    // docs: `live` blocks inbound traffic, `preview` both ways (a NAT instance).
    let exclusion =
        |label: &str| format!("resource \"aws_vpc_block_public_access_exclusion\" \"{label}\" {{");
    // One of the load balancer's subnets left blocked: CloudFront cannot reach it there.
    let report = broken_in(sources("docs"), "live/terraform/network.tf", |tf| {
        tf.replace(&exclusion("edge_lb_b"), &exclusion("edge_lb_b_unused"))
            .replace(
                "subnet_id                       = aws_subnet.edge_lb_b.id",
                "subnet_id                       = aws_subnet.edge_lb_a.id",
            )
    });
    caught(
        &report,
        "live: aws_cloudfront_vpc_origin.search_lb: Block Public Access blocks CloudFront's connections to aws_lb.search_lb in aws_subnet.edge_lb_b",
    );
    // The NAT instance's subnet not excluded under bidirectional blocking.
    let report = broken_in(sources("docs"), "preview/terraform/network.tf", |tf| {
        tf.replace(
            "subnet_id                       = aws_subnet.public_a.id",
            "subnet_id                       = aws_subnet.app_a.id",
        )
    });
    caught(
        &report,
        "preview: aws_instance.nat: Block Public Access blocks its way to the internet",
    );
    // An exclusion that opens the public subnet both ways.
    let report = broken_in(sources("docs"), "preview/terraform/network.tf", |tf| {
        tf.replace(
            "internet_gateway_exclusion_mode = \"allow-egress\"",
            "internet_gateway_exclusion_mode = \"allow-bidirectional\"",
        )
    });
    caught(
        &report,
        "preview: aws_vpc_block_public_access_exclusion.public_a opens the public subnet aws_subnet.public_a to inbound internet traffic",
    );
}

#[test]
fn the_deploy_facts_check_catches_a_blue_green_service_that_cannot_shift_its_traffic() {
    // media: `upload` is blue/green in prod.
    let report = broken_in(sources("media"), "prod/terraform/compute.tf", |tf| {
        tf.replace("ignore_changes = [action]", "ignore_changes = []")
    });
    caught(
        &report,
        "prod: service upload: Terraform would undo ECS's traffic shift on aws_lb_listener_rule.upload_production",
    );
    let report = broken_in(sources("media"), "prod/terraform/compute.tf", |tf| {
        tf.replace(
            "arn    = aws_lb_target_group.upload_alt.arn",
            "arn    = aws_lb_target_group.upload.arn",
        )
    });
    caught(
        &report,
        "prod: service upload: its production listener rule aws_lb_listener_rule.upload_production does not forward to both",
    );
    let report = broken_in(sources("media"), "prod/terraform/compute.tf", |tf| {
        tf.replace(
            "\"arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers\"",
            "\"arn:aws:iam::aws:policy/ReadOnlyAccess\"",
        )
    });
    caught(
        &report,
        "prod: service upload: ECS has no role to shift its traffic with",
    );
    let report = broken_in(
        sources("media"),
        "prod/ecspresso/upload/ecs-service-def.json",
        |json| json.replace("    \"bakeTimeInMinutes\": 30,\n", ""),
    );
    caught(&report, "prod: service upload is blue/green without a bake time");
    // hybrid: the api's test listener rule moved onto the production listener.
    let report = broken_in(sources("hybrid"), "prod/terraform/compute.tf", |tf| {
        tf.replace(
            "listener_arn = aws_lb_listener.api_lb_test.arn",
            "listener_arn = aws_lb_listener.api_lb_https.arn",
        )
    });
    caught(
        &report,
        "prod: service api: its test listener rule aws_lb_listener_rule.api_test is on the production listener",
    );
}

#[test]
fn the_deploy_facts_check_catches_a_flow_to_a_connection_with_no_route() {
    // hybrid: `api` flows to `directory` (VPC peering) from tier `app`.
    let report = broken_in(sources("hybrid"), "prod/terraform/network.tf", |tf| {
        tf.replace(
            "resource \"aws_route\" \"app_a_directory_10_90_0_0_20\"",
            "resource \"aws_route\" \"unused\"",
        )
        .replace(
            "destination_cidr_block    = \"10.90.0.0/20\"\n  vpc_peering_connection_id = aws_vpc_peering_connection.directory.id",
            "destination_cidr_block    = \"10.91.0.0/20\"\n  vpc_peering_connection_id = aws_vpc_peering_connection.directory.id",
        )
    });
    caught(
        &report,
        "prod: ecspresso api may reach 10.90.0.0/20 (aws_ec2_managed_prefix_list.directory) but aws_subnet.app_a has no route to it through the connection",
    );
}

#[test]
fn only_what_a_system_uses_is_built_a_static_site_gets_no_vpc_and_closed_tiers_no_nat() {
    let resources = |name: &str, env: &str| -> String {
        build_clean(sources(name))
            .iter()
            .filter(|f| f.path.starts_with(&format!("{env}/terraform/")))
            .map(|f| f.contents.clone())
            .collect()
    };
    // spa declares no network: no VPC, subnet, NAT, flow log or cluster, and no file for them.
    let spa = resources("spa", "live");
    for absent in [
        "resource \"aws_vpc\"",
        "resource \"aws_subnet\"",
        "resource \"aws_nat_gateway\"",
        "resource \"aws_internet_gateway\"",
        "resource \"aws_flow_log\"",
        "resource \"aws_ecs_cluster\"",
        "resource \"aws_ssm_parameter\"",
    ] {
        assert!(!spa.contains(absent), "spa builds {absent}");
    }
    assert!(spa.contains("resource \"aws_cloudfront_distribution\" \"cdn\""));
    let paths: Vec<String> = build_clean(sources("spa")).into_iter().map(|f| f.path).collect();
    assert!(
        !paths
            .iter()
            .any(|p| p.ends_with("compute.tf") || p.ends_with("parameters.tf")),
        "{paths:?}"
    );
    // ledger's tiers have no route to the internet: a VPC, and no NAT.
    let ledger = resources("ledger", "prod");
    assert!(ledger.contains("resource \"aws_vpc\" \"main\""));
    assert!(
        !ledger.contains("resource \"aws_nat_gateway\""),
        "ledger builds a NAT"
    );
    // The static site is not priced for a NAT (ledger's region has no price catalogue).
    let db = archc::RootDatabase::default();
    let workspace = archc::Workspace::from_sources(&db, sources("spa"), crate::fixture::TODAY);
    let ir = &archc::lower::lower(&db, workspace).ir;
    for estimate in archc::cost::estimate(ir, None).unwrap() {
        assert!(
            estimate.lines.iter().all(|l| l.component != "nat"),
            "{}",
            estimate.env
        );
    }
}

/// The static site and the private-connectivity system, beside the reference design: every file
/// they generate is snapshotted (what the validators above accept is what is reviewed here).
#[test]
fn the_static_site_and_the_hybrid_system_are_snapshotted_file_by_file() {
    for name in ["spa", "hybrid"] {
        for file in build_clean(sources(name)) {
            let snapshot = format!("{name}__{}", file.path.replace('/', "__"));
            insta::assert_snapshot!(snapshot, file.contents);
        }
    }
}
