//! The second example, `examples/orders` (an order pipeline: api → queue → worker → database,
//! a serverless cache for sessions, buckets the tasks read and write, a topic they publish to, a
//! secret the worker reads): checked clean, every generated file
//! snapshotted, every validator run over it, and each flow's IAM grant read back from the
//! generated Terraform by HashiCorp's HCL parser and compared, statement by statement, with what
//! the flow says.

use std::collections::BTreeMap;
use std::path::Path;

use archc::{RootDatabase, Workspace};
use serde_json::Value;

use crate::fixture::{TODAY, build_clean, tools, write_all};

fn sources() -> Vec<(String, String)> {
    crate::fixture::workspace_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/orders"))
}

#[test]
fn it_checks_clean_and_reports_who_may_do_what() {
    let sources = sources();
    assert_eq!(crate::fixture::codes(sources.clone()), Vec::<&str>::new());
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, sources, TODAY);
    insta::assert_snapshot!(archc::report::render(&archc::report::exposure(
        &db, workspace, None
    )));
}

#[test]
fn every_generated_file_is_snapshotted() {
    let files = build_clean(sources());
    assert!(files.iter().any(|f| f.path == "prod/terraform/messaging.tf"));
    for file in &files {
        let name = format!("orders__{}", file.path.replace('/', "__"));
        insta::assert_snapshot!(name, file.contents);
    }
}

#[test]
fn every_validator_accepts_it() {
    crate::architectures::every_validator_accepts("orders", &build_clean(sources()));
}

/// The policies of a root module as `tests/tools/iam-policies.cjs` reads them: role label →
/// statements.
pub(crate) fn policies(dir: &Path) -> BTreeMap<String, Vec<Value>> {
    let output = std::process::Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/iam-policies.cjs"))
        .arg(dir)
        .env("NODE_PATH", tools().join("npm/node_modules"))
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the tool prints JSON")
}

fn statement(sid: &str, actions: &[&str], resource: &str) -> Value {
    serde_json::json!({ "sid": sid, "effect": "Allow", "actions": actions, "resources": [resource] })
}

#[test]
fn each_flow_grants_exactly_its_statements_and_nothing_is_a_wildcard() {
    let out = write_all(&build_clean(sources()));
    for (env, account) in [("prod", "333333333333"), ("staging", "444444444444")] {
        let policies = policies(&out.path().join(env).join("terraform"));
        let task = |name: &str| policies.get(&format!("{name}_task")).cloned().unwrap_or_default();
        assert_eq!(
            task("api"),
            [
                statement(
                    "NewOrdersSend",
                    &["sqs:GetQueueUrl", "sqs:SendMessage"],
                    "${aws_sqs_queue.new_orders.arn}"
                ),
                statement(
                    "UploadsReadWriteObjects",
                    &["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                    "${aws_s3_bucket.uploads.arn}/*"
                ),
                statement(
                    "UploadsReadWriteBucket",
                    &["s3:ListBucket"],
                    "${aws_s3_bucket.uploads.arn}"
                ),
                statement(
                    "ImagesReadObjects",
                    &["s3:GetObject"],
                    "${aws_s3_bucket.images.arn}/*"
                ),
                statement(
                    "ImagesReadBucket",
                    &["s3:ListBucket"],
                    "${aws_s3_bucket.images.arn}"
                ),
                // The `redis` flow: IAM sign-in to the cache, as its application user.
                statement(
                    "SessionsConnectCache",
                    &["elasticache:Connect"],
                    "${aws_elasticache_serverless_cache.sessions.arn}"
                ),
                statement(
                    "SessionsConnectUser",
                    &["elasticache:Connect"],
                    "${aws_elasticache_user.sessions_app.arn}"
                ),
            ],
            "{env}: api"
        );
        assert_eq!(
            task("fulfilment"),
            [
                statement(
                    "NewOrdersConsume",
                    &[
                        "sqs:ChangeMessageVisibility",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:GetQueueUrl",
                        "sqs:ReceiveMessage"
                    ],
                    "${aws_sqs_queue.new_orders.arn}"
                ),
                statement(
                    "UploadsReadObjects",
                    &["s3:GetObject"],
                    "${aws_s3_bucket.uploads.arn}/*"
                ),
                statement(
                    "UploadsReadBucket",
                    &["s3:ListBucket"],
                    "${aws_s3_bucket.uploads.arn}"
                ),
                statement(
                    "OrderEventsPublish",
                    &["sns:Publish"],
                    "${aws_sns_topic.order_events.arn}"
                ),
                statement(
                    "PaymentsRead",
                    &["secretsmanager:GetSecretValue"],
                    &format!("arn:aws:secretsmanager:eu-central-1:{account}:secret:orders/payments-??????"),
                ),
            ],
            "{env}: fulfilment"
        );
        assert_eq!(
            task("publish_images"),
            [statement(
                "ImagesWriteDeleteObjects",
                &["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"],
                "${aws_s3_bucket.images.arn}/*"
            )],
            "{env}: publish_images"
        );
        // No Allow anywhere names every action or every resource, but for the few actions AWS
        // authorizes only on `*` (ECR's token, X-Ray's segments).
        let only_on_everything = [
            "ecr:GetAuthorizationToken",
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
        ];
        for (role, statements) in &policies {
            for statement in statements.iter().filter(|s| s["effect"] == "Allow") {
                let actions: Vec<&str> = statement["actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                assert!(
                    actions.iter().all(|a| !a.contains('*')),
                    "{env}: {role}: {statement}"
                );
                let everything = statement["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == "*");
                assert!(
                    !everything || actions.iter().all(|a| only_on_everything.contains(a)),
                    "{env}: {role}: {statement}"
                );
            }
        }
    }
}

#[test]
fn each_task_is_told_where_what_it_was_granted_is() {
    let files = build_clean(sources());
    let environment = |path: &str| -> BTreeMap<String, String> {
        let file = files.iter().find(|f| f.path == path).unwrap();
        let definition: Value = serde_json::from_str(&file.contents).unwrap();
        definition["containerDefinitions"][0]["environment"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap().to_owned(),
                    v["value"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let api = environment("prod/ecspresso/api/ecs-task-def.json");
    assert_eq!(
        api.get("NEW_ORDERS_QUEUE_URL").map(String::as_str),
        Some("https://sqs.eu-central-1.amazonaws.com/333333333333/orders-prod-new-orders")
    );
    assert_eq!(
        api.get("UPLOADS_BUCKET").map(String::as_str),
        Some("orders-prod-333333333333-uploads")
    );
    assert_eq!(
        api.get("SESSIONS_CACHE_HOST").map(String::as_str),
        Some("{{ ssm `/orders/prod/caches/sessions/endpoint` }}")
    );
    assert_eq!(
        api.get("SESSIONS_CACHE_USER").map(String::as_str),
        Some("orders-prod-sessions-app")
    );
    let worker = environment("staging/ecspresso/fulfilment/ecs-task-def.json");
    assert_eq!(
        worker.get("ORDER_EVENTS_TOPIC_ARN").map(String::as_str),
        Some("arn:aws:sns:eu-central-1:444444444444:orders-staging-order-events")
    );
    // A worker listens on nothing: no port mapping, no load balancer.
    let file = files
        .iter()
        .find(|f| f.path == "prod/ecspresso/fulfilment/ecs-task-def.json")
        .unwrap();
    assert!(!file.contents.contains("portMappings"), "{}", file.contents);
    let service = files
        .iter()
        .find(|f| f.path == "prod/ecspresso/fulfilment/ecs-service-def.json")
        .unwrap();
    assert!(
        !service.contents.contains("loadBalancers"),
        "{}",
        service.contents
    );
}

#[test]
fn the_api_finds_pricing_by_name_and_the_deploy_facts_check_catches_a_broken_name() {
    let files = build_clean(sources());
    let json = |path: &str| -> Value {
        let file = files.iter().find(|f| f.path == path).unwrap();
        serde_json::from_str(&file.contents).unwrap()
    };
    let pricing = json("prod/ecspresso/pricing/ecs-service-def.json");
    let connect = &pricing["serviceConnectConfiguration"];
    assert_eq!(connect["namespace"], "orders-prod");
    assert_eq!(connect["services"][0]["portName"], "pricing");
    assert_eq!(connect["services"][0]["clientAliases"][0]["port"], 9000);
    let task = json("prod/ecspresso/pricing/ecs-task-def.json");
    assert_eq!(
        task["containerDefinitions"][0]["portMappings"][0]["name"],
        "pricing"
    );
    let api = json("prod/ecspresso/api/ecs-service-def.json");
    assert_eq!(api["serviceConnectConfiguration"]["enabled"], true);
    assert!(api["serviceConnectConfiguration"].get("services").is_none());
    let compute = files
        .iter()
        .find(|f| f.path == "prod/terraform/compute.tf")
        .unwrap();
    assert!(
        compute
            .contents
            .contains("resource \"aws_service_discovery_http_namespace\" \"main\"")
    );

    // The deploy-facts check reads only the files: a renamed alias leaves the api calling a
    // name nothing offers.
    let mut broken = files.clone();
    let file = broken
        .iter_mut()
        .find(|f| f.path == "prod/ecspresso/pricing/ecs-service-def.json")
        .unwrap();
    file.contents = file
        .contents
        .replace("\"dnsName\": \"pricing\"", "\"dnsName\": \"prices\"");
    let report = crate::validators::deploy_facts(write_all(&broken).path());
    assert!(!report.ok);
    assert!(
        report
            .text
            .contains("api is told to call pricing:9000, which no service offers through Service Connect"),
        "{}",
        report.text
    );
}
