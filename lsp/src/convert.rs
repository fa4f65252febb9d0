//! Compiler values to LSP values: byte spans to UTF-16 ranges, diagnostics with their code,
//! help and related locations, the formatter's output to one edit, the AST to the outline.

use archc::db::{Db, SourceFile};
use archc::diagnostics::{Diagnostic, Severity};
use archc::line_index::LineIndex;
use archc::syntax::ast::{Member, MemberKind, Span};
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, Location, NumberOrString,
    Position, SymbolKind, TextEdit, Uri,
};

/// The LSP range of a byte span of a file.
pub fn range(db: &dyn Db, file: SourceFile, span: &Span) -> lsp::Range {
    let index = LineIndex::of(db, file);
    let position = |offset| {
        let (line, character) = index.utf16_position(offset);
        Position { line, character }
    };
    lsp::Range {
        start: position(span.start),
        end: position(span.end),
    }
}

/// The `file:` URI of a workspace path.
pub fn uri(path: &str) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// A compiler diagnostic as the editor shows it: the same code, message and help as
/// `archc check`, labels as related locations.
pub fn diagnostic(db: &dyn Db, diagnostic: &Diagnostic) -> lsp::Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .labels
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: uri(label.file.path(db))?,
                    range: range(db, label.file, &label.span),
                },
                message: label.message.clone(),
            })
        })
        .collect();
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    lsp::Diagnostic {
        range: range(db, diagnostic.file, &diagnostic.span),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.id.to_owned())),
        source: Some("archc".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    }
}

/// The formatter's output as edits: one edit replacing the whole text, or none when the text
/// is already formatted (or has syntax errors, which the formatter leaves alone).
pub fn formatting(db: &dyn Db, file: SourceFile, has_syntax_errors: bool) -> Vec<TextEdit> {
    let text = file.text(db);
    match archc::format::format(text, has_syntax_errors) {
        Some(formatted) if formatted != text => vec![TextEdit {
            range: range(db, file, &(0..text.len())),
            new_text: formatted,
        }],
        _ => Vec::new(),
    }
}

/// The outline of a file: declarations, blocks, flows and routes, nested as written.
pub fn outline(db: &dyn Db, file: SourceFile) -> Vec<DocumentSymbol> {
    archc::syntax::parse(db, file)
        .ast
        .members
        .iter()
        .filter_map(|member| symbol(db, file, member))
        .collect()
}

fn symbol(db: &dyn Db, file: SourceFile, member: &Member) -> Option<DocumentSymbol> {
    let (name, detail, kind, selection, body) = match &member.kind {
        MemberKind::Decl(decl) => {
            let mut detail = decl.keyword.text.clone();
            if let Some(kind) = &decl.kind {
                detail.push_str(" : ");
                detail.push_str(&kind.text);
            }
            if let Some(tier) = &decl.tier {
                detail.push_str(" in ");
                detail.push_str(&tier.text);
            }
            (
                decl.name.text.clone(),
                Some(detail),
                symbol_kind(&decl.keyword.text),
                decl.name.span.clone(),
                Some(&decl.body),
            )
        }
        MemberKind::Block { path, body } => (
            path.segments
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join("."),
            None,
            SymbolKind::PROPERTY,
            path.span.clone(),
            Some(body),
        ),
        MemberKind::Flow { from, to, .. } => (
            format!("{} -> {}", from.text, to.text),
            Some("flow".to_owned()),
            SymbolKind::EVENT,
            from.span.start..to.span.end,
            None,
        ),
        MemberKind::Route {
            pattern,
            target,
            body,
        } => (
            format!("\"{}\" -> {}", pattern.value, target.text),
            Some("route".to_owned()),
            SymbolKind::KEY,
            pattern.span.clone(),
            body.as_ref(),
        ),
        MemberKind::Use { .. } | MemberKind::Attribute { .. } | MemberKind::Allow { .. } => return None,
    };
    let children: Vec<DocumentSymbol> = body
        .map(|body| body.members.iter().filter_map(|m| symbol(db, file, m)).collect())
        .unwrap_or_default();
    #[allow(deprecated)] // `deprecated` is a required field of the struct, superseded by `tags`
    Some(DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: range(db, file, &member.span),
        selection_range: range(db, file, &selection),
        children: (!children.is_empty()).then_some(children),
    })
}

/// The symbol kind of a declaration, by its keyword: in the outline and in workspace symbols.
pub fn symbol_kind(keyword: &str) -> SymbolKind {
    match keyword {
        "system" => SymbolKind::NAMESPACE,
        "env" => SymbolKind::MODULE,
        "tier" => SymbolKind::STRUCT,
        _ => SymbolKind::OBJECT,
    }
}
