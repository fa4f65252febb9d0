//! SARIF 2.1.0 output (`--format sarif`), for code-scanning UIs: one run, every archc code as
//! a rule with its explanation, every diagnostic as a result with its source region and its
//! labels as related locations.

use super::{Diagnostic, Severity, codes};
use crate::db::{Db, SourceFile};
use crate::line_index::LineIndex;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The whole SARIF log for a set of diagnostics.
pub fn log(db: &dyn Db, diagnostics: &[Diagnostic]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = codes::ALL
        .iter()
        .map(|code| {
            let summary = code
                .explanation
                .split("\n\n")
                .nth(1)
                .unwrap_or(code.name)
                .replace('\n', " ");
            serde_json::json!({
                "id": code.id,
                "name": code.name,
                "shortDescription": { "text": code.name.replace('-', " ") },
                "fullDescription": { "text": summary },
                "help": { "text": code.explanation, "markdown": code.explanation },
                "defaultConfiguration": { "level": default_level(code.id) },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let rule_index = codes::ALL.iter().position(|c| c.id == d.code.id);
            let message = match &d.help {
                Some(help) => format!("{} (help: {help})", d.message),
                None => d.message.clone(),
            };
            let related: Vec<serde_json::Value> = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    serde_json::json!({
                        "id": i,
                        "message": { "text": label.message },
                        "physicalLocation": physical_location(db, label.file, &label.span),
                    })
                })
                .collect();
            serde_json::json!({
                "ruleId": d.code.id,
                "ruleIndex": rule_index,
                "level": level(d.severity),
                "message": { "text": message },
                "locations": [{ "physicalLocation": physical_location(db, d.file, &d.span) }],
                "relatedLocations": related,
            })
        })
        .collect();
    serde_json::json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "archc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/archc",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The level a code has unless the diagnostic says otherwise (R001 and R007 warn only for the
/// trade-offs they describe, so they default to errors).
fn default_level(id: &str) -> &'static str {
    if id == codes::UNUSED_WAIVER.id {
        "warning"
    } else {
        "error"
    }
}

fn physical_location(db: &dyn Db, file: SourceFile, span: &std::ops::Range<usize>) -> serde_json::Value {
    let index = LineIndex::of(db, file);
    let (start_line, start_column) = index.line_col(span.start);
    let (end_line, end_column) = index.line_col(span.end);
    serde_json::json!({
        "artifactLocation": { "uri": uri(file.path(db)) },
        "region": {
            "startLine": start_line,
            "startColumn": start_column,
            "endLine": end_line,
            "endColumn": end_column,
        }
    })
}

/// A relative path stays relative (to the directory archc ran in); an absolute one becomes a
/// `file://` URI.
fn uri(path: &str) -> String {
    if path.starts_with('/') {
        format!("file://{path}")
    } else {
        path.to_owned()
    }
}
