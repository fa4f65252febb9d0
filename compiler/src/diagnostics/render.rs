//! Renderers of diagnostics: ariadne for people, JSON lines for machines.

use std::io::{self, Write};

use ariadne::{Color, Config, IndexType, Label as AriadneLabel, Report, ReportKind};

use super::{Diagnostic, HostError, Severity};
use crate::db::{Db, SourceFile};
use crate::line_index::LineIndex;

/// Renders one diagnostic for a terminal. Colour only when asked (the CLI asks on a TTY).
pub fn human(db: &dyn Db, diagnostic: &Diagnostic, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let path = |file: SourceFile| file.path(db).to_owned();
    let (kind, accent) = match diagnostic.severity {
        Severity::Error => (ReportKind::Error, Color::Red),
        Severity::Warning => (ReportKind::Warning, Color::Yellow),
    };
    let primary = (
        path(diagnostic.file),
        clamp(db, diagnostic.file, &diagnostic.span),
    );
    let mut report = Report::build(kind, primary.clone())
        .with_config(
            Config::default()
                .with_color(color)
                .with_index_type(IndexType::Byte),
        )
        .with_code(diagnostic.code.id)
        .with_message(&diagnostic.message)
        .with_label(
            AriadneLabel::new(primary)
                .with_message(primary_label(diagnostic))
                .with_color(accent),
        );
    for label in &diagnostic.labels {
        report = report.with_label(
            AriadneLabel::new((path(label.file), clamp(db, label.file, &label.span)))
                .with_message(&label.message)
                .with_color(Color::Blue),
        );
    }
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help);
    }
    let mut files: Vec<SourceFile> = vec![diagnostic.file];
    files.extend(diagnostic.labels.iter().map(|l| l.file));
    files.dedup();
    let sources = ariadne::sources(files.iter().map(|&f| (path(f), f.text(db).to_owned())));
    let mut buffer = Vec::new();
    report.finish().write(sources, &mut buffer)?;
    // ariadne pads label lines with spaces; strip them so output is stable and diff-friendly.
    let text = String::from_utf8_lossy(&buffer);
    for line in text.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The short text under the primary span.
fn primary_label(diagnostic: &Diagnostic) -> String {
    diagnostic.code.name.replace('-', " ")
}

/// Keeps a span inside its file (ariadne needs that; a zero-width span at the end is fine).
fn clamp(db: &dyn Db, file: SourceFile, span: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let len = file.text(db).len();
    let start = span.start.min(len);
    start..span.end.clamp(start, len)
}

/// One JSON object per diagnostic, with 1-based lines and columns (columns count characters).
pub fn json(db: &dyn Db, diagnostic: &Diagnostic) -> serde_json::Value {
    let location = |file: SourceFile, span: &std::ops::Range<usize>| {
        let index = LineIndex::of(db, file);
        let (line, column) = index.line_col(span.start);
        let (end_line, end_column) = index.line_col(span.end);
        serde_json::json!({
            "file": file.path(db),
            "start": span.start,
            "end": span.end,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
        })
    };
    let labels: Vec<serde_json::Value> = diagnostic
        .labels
        .iter()
        .map(|label| serde_json::json!({ "message": label.message, "location": location(label.file, &label.span) }))
        .collect();
    serde_json::json!({
        "code": diagnostic.code.id,
        "name": diagnostic.code.name,
        "severity": diagnostic.severity,
        "message": diagnostic.message,
        "location": location(diagnostic.file, &diagnostic.span),
        "labels": labels,
        "help": diagnostic.help,
    })
}

/// A host error (bad arguments, unreadable file) for a terminal.
pub fn host_human(error: &HostError, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "error[{}]: {}", error.code.id, error.message)?;
    writeln!(out, "  help: {}", error.help)
}

/// A host error as a JSON object.
pub fn host_json(error: &HostError) -> serde_json::Value {
    serde_json::json!({
        "code": error.code.id,
        "name": error.code.name,
        "severity": Severity::Error,
        "message": error.message,
        "location": null,
        "labels": [],
        "help": error.help,
    })
}
