//! Diagnostics as data: code, severity, primary span, secondary labels, message and help.
//!
//! Every phase returns its diagnostics in its query result (never `Result`, never a panic);
//! `check::diagnostics` gathers them; `render` turns the same values into terminal text
//! (ariadne) or JSON lines, `sarif` into a SARIF log, and the language server into LSP
//! diagnostics. `codes` is the registry of every code with its explanation.

pub mod codes;
pub mod render;
pub mod sarif;

pub use codes::Code;

use crate::db::SourceFile;
use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary location that takes part in a diagnostic ("first declared here").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    pub file: SourceFile,
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub file: SourceFile,
    pub span: Span,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with the code's default wording left to `message`.
    pub fn error(code: Code, file: SourceFile, span: Span, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            file,
            span,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, file: SourceFile, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }
}

/// A problem outside any source file: bad command line, unreadable path, not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    pub code: Code,
    pub message: String,
    pub help: String,
}

/// Joins words as "a, b or c" (with `conjunction` "or") or "a, b and c".
pub fn join(words: &[String], conjunction: &str) -> String {
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

fn quoted(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| format!("`{n}`")).collect()
}

/// Joins names as "`a`, `b` or `c`".
pub fn one_of(names: &[&str]) -> String {
    join(&quoted(names), "or")
}

/// Joins names as "`a`, `b` and `c`".
pub fn all_of(names: &[&str]) -> String {
    join(&quoted(names), "and")
}

/// The closest candidate to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// `1 error`, `3 errors`: a count and its noun.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
