//! Completion in the reference design, at the places a user types: each case inserts a line
//! (with `$0` for the cursor) into an example file, after the line holding `after`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use archc::ide::complete::{What, complete};
use archc_lsp::state::State;

use archc::synthetic::TODAY;

fn labels(file: &str, after: &str, line: &str) -> Vec<String> {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    let mut state = State::new(Some(&example), TODAY);
    let (path, file) = state
        .files()
        .find(|(path, _)| path.ends_with(file))
        .map(|(p, f)| (p.to_owned(), f))
        .unwrap();
    let text = file.text(&state.db).to_owned();
    let at = text.find(after).unwrap_or_else(|| panic!("`{after}` not found"));
    let end_of_line = at + text[at..].find('\n').unwrap() + 1;
    let cursor = end_of_line + line.find("$0").unwrap();
    let edited = format!(
        "{}{}\n{}",
        &text[..end_of_line],
        line.replace("$0", ""),
        &text[end_of_line..]
    );
    state.open(&path, edited);
    let file = state.file(&path).unwrap();
    complete(&state.db, state.workspace, file, cursor)
        .into_iter()
        .map(|item| item.label)
        .collect()
}

fn has(labels: &[String], expected: &[&str]) -> bool {
    expected.iter().all(|e| labels.iter().any(|l| l == e))
}

#[test]
fn kinds_after_the_colon_of_a_declaration() {
    let got = labels("services.arch", "system webapp {", "  service worker : $0");
    assert!(has(&got, &["fargate"]), "{got:?}");
    assert!(!has(&got, &["aurora_postgres"]), "{got:?}");
}

#[test]
fn tiers_after_in() {
    let got = labels(
        "services.arch",
        "system webapp {",
        "  service worker : fargate in $0",
    );
    assert_eq!(got, ["ingress", "container", "db"]);
}

#[test]
fn components_after_flow_and_arrow() {
    let got = labels("services.arch", "flow alb -> api", "  flow api -> $0");
    assert!(
        has(&got, &["main", "alb", "api", "daily_report", "cdn", "ops"]),
        "{got:?}"
    );
    assert!(!has(&got, &["container", "prd", "webapp"]), "{got:?}");
    let partial = labels("services.arch", "flow alb -> api", "  flow api -> ma$0");
    assert_eq!(partial, got, "the word being typed does not change the context");
}

#[test]
fn access_levels_or_protocols_after_the_colon_of_a_flow() {
    let bucket = labels("services.arch", "flow alb -> api", "  flow api -> assets : $0");
    assert_eq!(bucket, ["read", "write", "delete"]);
    let in_a_list = labels(
        "services.arch",
        "flow alb -> api",
        "  flow api -> assets : [read, $0",
    );
    assert_eq!(in_a_list, bucket);
    let topic = labels("services.arch", "flow alb -> api", "  flow api -> ops : pu$0");
    assert_eq!(topic, ["publish"]);
    let mail = labels("services.arch", "flow alb -> api", "  flow api -> mailer : $0");
    assert_eq!(mail, ["send"]);
    let database = labels("services.arch", "flow alb -> api", "  flow api -> main : $0");
    assert!(has(&database, &["postgres", "https", "tcp"]), "{database:?}");
    assert!(!has(&database, &["read"]), "{database:?}");
}

#[test]
fn fields_not_yet_set_at_the_start_of_a_line_in_a_component() {
    let got = labels("services.arch", "memory = 1024", "    $0");
    assert!(has(&got, &["health_check", "environment", "command"]), "{got:?}");
    assert!(!has(&got, &["port", "image", "memory"]), "already set: {got:?}");
}

#[test]
fn fields_of_a_nested_block() {
    let got = labels("services.arch", "memory = 1024", "    scale {\n      $0\n    }");
    assert!(has(&got, &["min", "max"]), "{got:?}");
}

#[test]
fn enum_values_references_and_producers_after_equals() {
    let egress = labels("main.arch", "zones  =", "    egress = $0");
    assert!(has(&egress, &["internet_only"]), "{egress:?}");
    let notify = labels("monitoring.arch", "system webapp {", "  alarm x { notify = $0");
    assert_eq!(notify, ["ops"]);
    let image = labels(
        "services.arch",
        "memory = 1024",
        "    health_check = \"/\"\n    image = $0",
    );
    assert!(has(&image, &["ecr"]), "{image:?}");
}

#[test]
fn an_environment_offers_its_fields_and_the_components_it_may_override() {
    let got = labels("environments.arch", "env stg {", "  $0");
    assert!(has(&got, &["api", "main"]), "{got:?}");
    assert!(!has(&got, &["account", "cidr"]), "already set in stg: {got:?}");
}

#[test]
fn categories_in_a_system_and_tier_in_network() {
    let got = labels("services.arch", "flow alb -> api", "  $0");
    assert!(
        has(
            &got,
            &["service", "job", "database", "bucket", "connection", "flow"]
        ),
        "{got:?}"
    );
    let network = labels("main.arch", "egress = internet_only", "    $0");
    assert!(has(&network, &["tier"]), "{network:?}");
    assert!(!has(&network, &["service"]), "{network:?}");
}

#[test]
fn every_item_says_what_it_is() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    let state = State::new(Some(&example), TODAY);
    let (_, file) = state
        .files()
        .find(|(path, _)| path.ends_with("services.arch"))
        .unwrap();
    let text = file.text(&state.db);
    let at = text.find("    port").unwrap();
    let items = complete(&state.db, state.workspace, file, at);
    let health = items.iter().find(|i| i.label == "health_check").unwrap();
    assert_eq!(health.what, What::Field);
    assert_eq!(health.detail.as_deref(), Some("a URL path such as \"/health\""));
}

#[test]
fn an_override_path_offers_the_fields_of_the_component_and_its_blocks() {
    let fields = labels("environments.arch", "env stg {", "  api.$0");
    assert!(has(&fields, &["cpu", "memory", "scale", "image"]), "{fields:?}");
    let nested = labels("environments.arch", "env stg {", "  api.scale.$0");
    assert!(has(&nested, &["min", "max"]), "{nested:?}");
    let block = labels(
        "environments.arch",
        "env stg {",
        "  main.instance_class = \"db.t4g.large\"\n  api.scale { $0 }",
    );
    assert!(has(&block, &["min", "max"]), "{block:?}");
    let typed = labels("environments.arch", "env stg {", "  api.sc$0");
    assert!(has(&typed, &["scale", "secret"]), "{typed:?}");
    // The same block opened inside the component itself.
    let inside = labels("services.arch", "memory = 1024", "    scale { $0 }");
    assert!(has(&inside, &["min", "max"]), "{inside:?}");
    let unclosed = labels("services.arch", "memory = 1024", "    scale { $0");
    assert!(has(&unclosed, &["min", "max"]), "{unclosed:?}");
    let unclosed_override = labels("environments.arch", "env stg {", "  api.scale { $0");
    assert!(has(&unclosed_override, &["min", "max"]), "{unclosed_override:?}");
    // Outside an environment, `api.` starts no override.
    let outside = labels("services.arch", "flow alb -> api", "  api.$0");
    assert!(outside.is_empty(), "{outside:?}");
}
