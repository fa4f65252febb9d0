//! Quick fixes for the diagnostics under the cursor:
//!
//! - R002 (a load balancer facing the internet): `internal = false` → `internal = true`;
//! - R014 (production data unprotected): `deletion_protection`, `encrypted` or
//!   `final_snapshot = false` → `true`;
//! - R015 (a task with a public IP): `public_ip = true` → `false`;
//! - E1003 (missing required fields): add them, each with an example value of its type.
//!
//! A fix edits only text the diagnostic points at, and only when that text is what the fix
//! expects, so a fix never guesses.

use crate::catalogue::{Type, catalogue};
use crate::db::{Db, SourceFile, Workspace};
use crate::diagnostics::{Diagnostic, codes};
use crate::syntax::ast::{Member, MemberKind, Span};

use super::complete::{Edges, members_at, members_set, schema_at};
use super::navigate;

/// One fix: a title, the diagnostic it fixes, and replacements in the diagnostic's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub diagnostic: Diagnostic,
    pub edits: Vec<(Span, String)>,
}

/// Rule, field, wrong literal, right literal.
const FLIPS: &[(&str, &str, &str, &str)] = &[
    ("R002", "internal", "false", "true"),
    ("R014", "deletion_protection", "false", "true"),
    ("R014", "encrypted", "false", "true"),
    ("R014", "final_snapshot", "false", "true"),
    ("R015", "public_ip", "true", "false"),
];

/// The fixes for the diagnostics of `file` that touch `range`.
pub fn fixes(db: &dyn Db, workspace: Workspace, file: SourceFile, range: &Span) -> Vec<Fix> {
    crate::check::diagnostics(db, workspace)
        .into_iter()
        .filter(|d| d.file == file && d.span.start <= range.end && range.start <= d.span.end)
        .filter_map(|d| flip(db, file, &d).or_else(|| add_missing_fields(db, workspace, file, &d)))
        .collect()
}

/// `internal = false` → `internal = true`, when the diagnostic points at that value.
fn flip(db: &dyn Db, file: SourceFile, diagnostic: &Diagnostic) -> Option<Fix> {
    let text = file.text(db);
    let ast = &crate::syntax::parse(db, file).ast;
    let field = attribute_with_value_at(&ast.members, &diagnostic.span)?;
    let written = text.get(diagnostic.span.clone())?;
    let &(_, _, _, right) = FLIPS
        .iter()
        .find(|(code, f, wrong, _)| *code == diagnostic.code.id && *f == field && *wrong == written)?;
    Some(Fix {
        title: format!("Set `{field} = {right}`"),
        diagnostic: diagnostic.clone(),
        edits: vec![(diagnostic.span.clone(), right.to_owned())],
    })
}

/// The name of the attribute whose value is exactly `span`.
fn attribute_with_value_at(members: &[Member], span: &Span) -> Option<String> {
    members.iter().find_map(|member| match &member.kind {
        MemberKind::Attribute { path, value } if value.span == *span => {
            path.segments.last().map(|s| s.text.clone())
        }
        MemberKind::Decl(decl) => attribute_with_value_at(&decl.body.members, span),
        MemberKind::Block { body, .. } => attribute_with_value_at(&body.members, span),
        MemberKind::Route { body: Some(body), .. } => attribute_with_value_at(&body.members, span),
        _ => None,
    })
}

/// Adds the required fields a declaration or block lacks, right after its `{`.
fn add_missing_fields(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    diagnostic: &Diagnostic,
) -> Option<Fix> {
    if diagnostic.code != codes::MISSING_FIELD {
        return None;
    }
    let catalogue = catalogue(db, workspace);
    let text = file.text(db);
    let stack = members_at(db, file, diagnostic.span.start + 1, Edges::Strict);
    let innermost = stack.last()?;
    let body = match &innermost.kind {
        MemberKind::Decl(decl) => &decl.body,
        MemberKind::Block { body, .. } => body,
        _ => return None,
    };
    let declared = navigate::declarations(db, workspace);
    let schema = schema_at(catalogue, &declared, &stack)?;
    let set = members_set(&body.members);
    let lines: Vec<String> = schema
        .fields
        .iter()
        .filter(|f| f.required && !set.contains(&f.name.as_str()))
        .map(|f| match &f.ty {
            Type::Block(_) | Type::Map(_) => format!("{} {{}}", f.name),
            ty => format!("{} = {}", f.name, crate::types::example(catalogue, ty)),
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    let open = body.span.start + 1;
    let body_text = text.get(body.span.clone())?;
    let insertion = if body_text.contains('\n') {
        let line_start = text
            .get(..innermost.span.start)?
            .rfind('\n')
            .map_or(0, |at| at + 1);
        let indent: String = text
            .get(line_start..)?
            .chars()
            .take_while(|c| *c == ' ')
            .collect();
        lines.iter().map(|line| format!("\n{indent}  {line}")).collect()
    } else {
        format!(" {} ", lines.join("  "))
    };
    let names: Vec<String> = lines
        .iter()
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
        .collect();
    Some(Fix {
        title: format!(
            "Add the missing field{} {}",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ),
        diagnostic: diagnostic.clone(),
        edits: vec![(open..open, insertion)],
    })
}
