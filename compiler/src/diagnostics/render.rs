//! Renderers of diagnostics: ariadne for people (each file prepared once, long lines cut to a
//! window, a limit per file), JSON lines for machines.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::sync::Arc;

use ariadne::{Cache, Color, Config, IndexType, Label as AriadneLabel, Report, ReportKind, Source};

use super::{Diagnostic, HostError, Severity, plural};
use crate::db::{Db, SourceFile};
use crate::line_index::LineIndex;

/// Diagnostics shown per file before the rest are only counted (`--error-limit`), as clang and
/// rustc stop a flood: the first ones are the ones that matter.
pub const DEFAULT_LIMIT: usize = 50;
/// Lines longer than this are cut to a window around their labels (rustc cuts long lines too).
const LONG_LINE: usize = 240;
/// Context shown either side of the labels on a cut line.
const CONTEXT: usize = 60;
/// How much of one label a cut line shows.
const LONGEST_LABEL: usize = 120;

/// Renders diagnostics for a terminal, one after another. Each file's text is prepared once
/// (rendering thousands of diagnostics of one file is linear, not quadratic); a long line is
/// cut to a window around its labels; after `limit` diagnostics of one file (0: no limit) the
/// rest are counted, and `finish` says how many.
pub struct Human<'a> {
    db: &'a dyn Db,
    color: bool,
    limit: usize,
    sources: Sources,
    shown: HashMap<SourceFile, usize>,
    hidden: BTreeMap<String, (usize, usize)>,
    /// The codes shown, in order, for the pointer to `archc explain` at the end.
    codes: Vec<&'static str>,
}

impl<'a> Human<'a> {
    pub fn new(db: &'a dyn Db, color: bool, limit: usize) -> Self {
        Human {
            db,
            color,
            limit,
            sources: Sources::default(),
            shown: HashMap::new(),
            hidden: BTreeMap::new(),
            codes: Vec::new(),
        }
    }

    /// Renders one diagnostic, or counts it when its file has shown `limit` already.
    pub fn render(&mut self, diagnostic: &Diagnostic, out: &mut dyn Write) -> io::Result<()> {
        let shown = self.shown.entry(diagnostic.file).or_default();
        if self.limit > 0 && *shown >= self.limit {
            let hidden = self
                .hidden
                .entry(diagnostic.file.path(self.db).to_owned())
                .or_default();
            match diagnostic.severity {
                Severity::Error => hidden.0 += 1,
                Severity::Warning => hidden.1 += 1,
            }
            return Ok(());
        }
        *shown += 1;
        if !self.codes.contains(&diagnostic.code.id) {
            self.codes.push(diagnostic.code.id);
        }
        let text = match cut_line(self.db, diagnostic) {
            Some(cut) => cut.render(self.db, diagnostic)?,
            None => {
                for file in std::iter::once(diagnostic.file).chain(diagnostic.labels.iter().map(|l| l.file)) {
                    self.sources.add(self.db, file);
                }
                report(self.db, diagnostic, self.color, |file, span| {
                    clamp(self.db, file, span)
                })
                .write_to_string(&mut self.sources)?
            }
        };
        // ariadne pads label lines with spaces; strip them so output is stable and diff-friendly.
        for line in text.lines() {
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    /// One line per file whose diagnostics were not all shown, and where to read more about
    /// the codes shown (as rustc ends with `rustc --explain`).
    pub fn finish(&self, out: &mut dyn Write) -> io::Result<()> {
        for (path, (errors, warnings)) in &self.hidden {
            let what = match (errors, warnings) {
                (0, w) => plural(*w, "more warning"),
                (e, 0) => plural(*e, "more error"),
                (e, w) => format!("{} and {}", plural(*e, "more error"), plural(*w, "more warning")),
            };
            writeln!(
                out,
                "… and {what} in `{path}` (the first {} are shown; `--error-limit 0` shows all)",
                self.limit
            )?;
        }
        if let Some(first) = self.codes.first() {
            let codes = match self.codes.len() {
                1 => String::new(),
                _ => format!("Codes shown: {}. ", self.codes.join(", ")),
            };
            writeln!(
                out,
                "{codes}For more information about a code, try `archc explain {first}`."
            )?;
        }
        Ok(())
    }
}

/// Renders one diagnostic for a terminal, on its own (no limit).
pub fn human(db: &dyn Db, diagnostic: &Diagnostic, color: bool, out: &mut dyn Write) -> io::Result<()> {
    Human::new(db, color, 0).render(diagnostic, out)
}

/// The report of a diagnostic, its spans placed by `place`.
fn report<'d>(
    db: &dyn Db,
    diagnostic: &'d Diagnostic,
    color: bool,
    place: impl Fn(SourceFile, &std::ops::Range<usize>) -> std::ops::Range<usize>,
) -> Report<'d, (String, std::ops::Range<usize>)> {
    let path = |file: SourceFile| file.path(db).to_owned();
    let (kind, accent) = match diagnostic.severity {
        Severity::Error => (ReportKind::Error, Color::Red),
        Severity::Warning => (ReportKind::Warning, Color::Yellow),
    };
    let primary = (path(diagnostic.file), place(diagnostic.file, &diagnostic.span));
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
            AriadneLabel::new((path(label.file), place(label.file, &label.span)))
                .with_message(&label.message)
                .with_color(Color::Blue),
        );
    }
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help);
    }
    report.finish()
}

trait WriteToString {
    fn write_to_string(self, cache: impl Cache<String>) -> io::Result<String>;
}

impl WriteToString for Report<'_, (String, std::ops::Range<usize>)> {
    fn write_to_string(self, cache: impl Cache<String>) -> io::Result<String> {
        let mut buffer = Vec::new();
        self.write(cache, &mut buffer)?;
        Ok(String::from_utf8_lossy(&buffer).into_owned())
    }
}

/// Each file's source as ariadne reads it, prepared once per file.
#[derive(Default)]
struct Sources(HashMap<String, Source<Arc<str>>>);

impl Sources {
    fn add(&mut self, db: &dyn Db, file: SourceFile) {
        self.0
            .entry(file.path(db).to_owned())
            .or_insert_with(|| Source::from(Arc::from(file.text(db))));
    }
}

impl Cache<String> for &mut Sources {
    type Storage = Arc<str>;

    fn fetch(&mut self, id: &String) -> Result<&Source<Arc<str>>, impl std::fmt::Debug> {
        self.0.get(id).ok_or_else(|| format!("no source `{id}`"))
    }

    fn display<'b>(&self, id: &'b String) -> Option<impl std::fmt::Display + 'b> {
        Some(id.clone())
    }
}

/// A diagnostic whose labels all stand on one long line of one file, shown as a window of
/// that line.
struct CutLine {
    /// 1-based line number.
    line: usize,
    /// The window's text, with `…` where the line goes on.
    text: String,
    from: usize,
    to: usize,
    marker: usize,
}

fn cut_line(db: &dyn Db, diagnostic: &Diagnostic) -> Option<CutLine> {
    let file = diagnostic.file;
    if diagnostic.labels.iter().any(|l| l.file != file) {
        return None;
    }
    let text = file.text(db);
    let spans: Vec<std::ops::Range<usize>> = std::iter::once(&diagnostic.span)
        .chain(diagnostic.labels.iter().map(|l| &l.span))
        .map(|span| clamp(db, file, span))
        .collect();
    let low = spans.iter().map(|s| s.start).min()?;
    let high = spans.iter().map(|s| s.end).max()?;
    let index = LineIndex::of(db, file);
    let (line, start, end) = index.line_bounds(low);
    if high > end || end - start <= LONG_LINE {
        return None;
    }
    let from = floor_char(text, low.saturating_sub(CONTEXT).max(start));
    let to = ceil_char(text, (high.min(low + LONGEST_LABEL) + CONTEXT).min(end));
    let before = if from > start { "…" } else { "" };
    let after = if to < end { "…" } else { "" };
    Some(CutLine {
        line: line + 1,
        text: format!("{before}{}{after}", text.get(from..to).unwrap_or_default()),
        from,
        to,
        marker: before.len(),
    })
}

impl CutLine {
    fn map(&self, span: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        let shift = |offset: usize| offset.clamp(self.from, self.to) - self.from + self.marker;
        shift(span.start)..shift(span.end)
    }

    /// Rendered against the window, then given the real line and column back: ariadne numbers
    /// the window's one line `1`, counts columns from the window, and its margin is one digit
    /// wide. Without colour, so the margin can be rewritten.
    fn render(&self, db: &dyn Db, diagnostic: &Diagnostic) -> io::Result<String> {
        let path = diagnostic.file.path(db).to_owned();
        let source = Source::from(Arc::<str>::from(self.text.as_str()));
        let text = report(db, diagnostic, false, |_, span| {
            self.map(&clamp(db, diagnostic.file, span))
        })
        .write_to_string((path.clone(), source))?;
        let span = clamp(db, diagnostic.file, &diagnostic.span);
        let (_, column) = LineIndex::of(db, diagnostic.file).line_col(span.start);
        let window_column = self
            .text
            .get(..self.map(&span).start)
            .map_or(0, |t| t.chars().count())
            + 1;
        let number = self.line.to_string();
        let wider = number.len() - 1;
        let mut out = String::with_capacity(text.len());
        for (i, line) in text.lines().enumerate() {
            let line = line.replacen(
                &format!("{path}:1:{window_column} ]"),
                &format!("{path}:{}:{column} ]", self.line),
                1,
            );
            if i == 0 {
                out.push_str(&line);
            } else if let Some(rest) = line.strip_prefix(" 1 │") {
                out.push_str(&format!(" {number} │{rest}"));
            } else if line.starts_with('─') {
                out.push_str(&format!("{}{line}", "─".repeat(wider)));
            } else {
                out.push_str(&format!("{}{line}", " ".repeat(wider)));
            }
            out.push('\n');
        }
        Ok(out)
    }
}

fn floor_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
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
/// Serialized straight from borrowed fields (a `serde_json::Value` per diagnostic cost a
/// tree of allocations); fields in alphabetical order, the order of every earlier version.
#[derive(serde::Serialize)]
pub struct Json<'a> {
    code: &'static str,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    location: JsonLocation<'a>,
    message: &'a str,
    name: &'static str,
    severity: Severity,
}

#[derive(serde::Serialize)]
struct JsonLabel<'a> {
    location: JsonLocation<'a>,
    message: &'a str,
}

#[derive(serde::Serialize)]
struct JsonLocation<'a> {
    column: usize,
    end: usize,
    end_column: usize,
    end_line: usize,
    file: &'a str,
    line: usize,
    start: usize,
}

impl std::fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| std::fmt::Error)?)
    }
}

pub fn json<'a>(db: &'a dyn Db, diagnostic: &'a Diagnostic) -> Json<'a> {
    let location = |file: SourceFile, span: &std::ops::Range<usize>| {
        let index = LineIndex::of(db, file);
        let (line, column) = index.line_col(span.start);
        let (end_line, end_column) = index.line_col(span.end);
        JsonLocation {
            column,
            end: span.end,
            end_column,
            end_line,
            file: file.path(db),
            line,
            start: span.start,
        }
    };
    Json {
        code: diagnostic.code.id,
        help: diagnostic.help.as_deref(),
        labels: diagnostic
            .labels
            .iter()
            .map(|label| JsonLabel {
                location: location(label.file, &label.span),
                message: &label.message,
            })
            .collect(),
        location: location(diagnostic.file, &diagnostic.span),
        message: &diagnostic.message,
        name: diagnostic.code.name,
        severity: diagnostic.severity,
    }
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
