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

/// One result; fields (here and below) in alphabetical order, as serde_json's maps sort them.
#[derive(Serialize)]
struct SarifResult {
    level: &'static str,
    locations: [Location; 1],
    message: Text,
    #[serde(rename = "relatedLocations")]
    related_locations: Vec<Related>,
    #[serde(rename = "ruleId")]
    rule_id: &'static str,
    #[serde(rename = "ruleIndex")]
    rule_index: Option<usize>,
}

#[derive(Serialize)]
struct Location {
    #[serde(rename = "physicalLocation")]
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
struct Related {
    id: usize,
    message: Text,
    #[serde(rename = "physicalLocation")]
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct PhysicalLocation {
    #[serde(rename = "artifactLocation")]
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
struct Region {
    #[serde(rename = "endColumn")]
    end_column: usize,
    #[serde(rename = "endLine")]
    end_line: usize,
    #[serde(rename = "startColumn")]
    start_column: usize,
    #[serde(rename = "startLine")]
    start_line: usize,
}

fn result(db: &dyn Db, d: &Diagnostic) -> SarifResult {
    let message = match &d.help {
        Some(help) => format!("{} (help: {help})", d.message),
        None => d.message.clone(),
    };
    SarifResult {
        level: level(d.severity),
        locations: [Location {
            physical_location: physical_location(db, d.file, &d.span),
        }],
        message: Text { text: message },
        related_locations: d
            .labels
            .iter()
            .enumerate()
            .map(|(id, label)| Related {
                id,
                message: Text {
                    text: label.message.clone(),
                },
                physical_location: physical_location(db, label.file, &label.span),
            })
            .collect(),
        rule_id: d.code.id,
        rule_index: codes::ALL.iter().position(|c| c.id == d.code.id),
    }
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

fn physical_location(db: &dyn Db, file: SourceFile, span: &std::ops::Range<usize>) -> PhysicalLocation {
    let index = LineIndex::of(db, file);
    let (start_line, start_column) = index.line_col(span.start);
    let (end_line, end_column) = index.line_col(span.end);
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri(file.path(db)),
        },
        region: Region {
            end_column,
            end_line,
            start_column,
            start_line,
        },
    }
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
