//! SARIF 2.1.0 output (`--format sarif`), for code-scanning UIs: one run, every archc code as
//! a rule with its explanation, every diagnostic as a result with its source region and its
//! labels as related locations.

use serde::Serialize;
use serde::ser::SerializeSeq;

use super::{Diagnostic, Severity, codes};
use crate::db::{Db, SourceFile};
use crate::line_index::LineIndex;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes the whole SARIF log for a set of diagnostics, pretty-printed. Results are built
/// and written one at a time, so a log of 100,000 results never stands in memory as a tree.
pub fn write(db: &dyn Db, diagnostics: &[Diagnostic], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // Keys in the order serde_json's maps sort them, as the log always printed.
    #[derive(Serialize)]
    struct Log<'a> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        runs: [Run<'a>; 1],
        version: &'static str,
    }
    #[derive(Serialize)]
    struct Run<'a> {
        #[serde(rename = "columnKind")]
        column_kind: &'static str,
        results: Results<'a>,
        tool: serde_json::Value,
    }
    let log = Log {
        schema: SCHEMA,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results: Results { db, diagnostics },
            tool: serde_json::json!({
                "driver": {
                    "name": "archc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/archc",
                    "rules": rules(),
                }
            }),
        }],
        version: "2.1.0",
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(std::io::Error::from)?;
    writeln!(out)
}

/// Every archc code as a SARIF rule.
fn rules() -> Vec<serde_json::Value> {
    codes::ALL
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
        .collect()
}

/// The results, serialized as they are built.
struct Results<'a> {
    db: &'a dyn Db,
    diagnostics: &'a [Diagnostic],
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.diagnostics.len()))?;
        for diagnostic in self.diagnostics {
            seq.serialize_element(&result(self.db, diagnostic))?;
        }
        seq.end()
    }
}

fn result(db: &dyn Db, d: &Diagnostic) -> serde_json::Value {
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
