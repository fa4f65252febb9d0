//! Type checking: every item, field and value of a file against the stdlib catalogue and the
//! workspace's symbol table.
//!
//! The checker knows the language's structure (a `system` holds components and a `network`;
//! `env` blocks hold settings and overrides; flows and routes have their own syntax). Which
//! kinds exist, which fields they have and what types those fields take is read from the
//! catalogue only. A body that lost items to a syntax error is checked for what it has, but
//! not for what it lacks, so one typo does not cascade into "missing field" errors. Every name
//! the checker resolves is recorded with its meaning (`semantics`), for the editor.
//!
//! This module holds the entry points and the `Checker`'s shared state; `items` checks the top
//! level, the system, components, flows, routes and waivers; `bodies` the members of a block
//! against its schema; `environments` settings and overrides; `values` each value against its
//! type; `names` the names AWS cannot tell apart.

mod bodies;
mod environments;
mod items;
mod names;
mod values;

use std::collections::BTreeMap;
use std::str::FromStr;

use ipnet::Ipv4Net;

use crate::catalogue::{
    ACCESS_ENUM, Catalogue, ENV_BLOCK, Enum, FLOW_BLOCK, Field, ROUTE_BLOCK, SYSTEM_BLOCK, Schema, Type,
    article,
};
use crate::date::Date;
use crate::db::{Db, SourceFile, Workspace};
use crate::diagnostics::{Code, Diagnostic, all_of, codes, did_you_mean, one_of};
use crate::resolve::{
    ENV_KEYWORD, INTERNET, NETWORK_BLOCK, Namespace, SYSTEM_KEYWORD, Site, SymbolTable, find_declaration,
    workspace_symbols,
};
use crate::semantics::{Meaning, NameUse};
use crate::syntax::ast::{Body, Decl, Ident, Member, MemberKind, Path, Span, StringLit, Value, ValueKind};
use crate::syntax::parse;
use crate::vocabulary::{StdlibEnum, WebProtocol};

use names::aws_name_conflicts;

/// Type-check one file: its diagnostics (syntax diagnostics come from `parse`).
#[salsa::tracked(returns(ref))]
pub fn check_file(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<Diagnostic> {
    run(db, workspace, file, false).0
}

/// What every name of one file means, as the checker resolves it (in source order). A query of
/// its own, run again with recording on, so that the command line and the diagnostics never
/// pay for the table and an edit that only moves names does not change `check_file`'s result.
#[salsa::tracked(returns(ref))]
pub fn file_names(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<NameUse> {
    let mut names = run(db, workspace, file, true).1;
    names.sort_by_key(|n| (n.span.start, n.span.end));
    names.dedup();
    names
}

fn run(db: &dyn Db, workspace: Workspace, file: SourceFile, record: bool) -> (Vec<Diagnostic>, Vec<NameUse>) {
    let mut checker = Checker {
        db,
        file,
        catalogue: crate::catalogue::catalogue(db, workspace),
        symbols: workspace_symbols(db, workspace),
        diagnostics: Vec::new(),
        names: record.then(Vec::new),
        ordinals: BTreeMap::new(),
    };
    for member in &parse(db, file).ast.members {
        checker.top_level(member);
    }
    (checker.diagnostics, checker.names.unwrap_or_default())
}

/// Workspace-wide checks: a system exists, and its required fields are set in some file.
#[salsa::tracked(returns(ref))]
pub fn check_workspace(db: &dyn Db, workspace: Workspace) -> Vec<Diagnostic> {
    let symbols = workspace_symbols(db, workspace);
    let catalogue = crate::catalogue::catalogue(db, workspace);
    let mut diagnostics = Vec::new();
    let Some(first) = symbols.systems.first() else {
        // A file too deeply nested to parse may hold the system: its own error says enough.
        let unparsed = workspace.files(db).iter().any(|&f| {
            parse(db, f)
                .diagnostics
                .iter()
                .any(|d| d.code == codes::NESTING_TOO_DEEP)
        });
        if unparsed {
            return diagnostics;
        }
        if let Some(&file) = workspace.files(db).first() {
            diagnostics.push(
                Diagnostic::error(
                    codes::MISSING_SYSTEM,
                    file,
                    0..0,
                    "no `system` is declared in this workspace",
                )
                .with_help("declare the system in one of the files: `system webapp { region = \"ap-northeast-1\" … }`"),
            );
        }
        return diagnostics;
    };
    let span =
        find_declaration(db, first.file, Namespace::System, &first.item, first.ordinal).unwrap_or(0..0);
    if let Some(schema) = catalogue.block(SYSTEM_BLOCK) {
        let missing: Vec<&Field> = schema
            .fields
            .iter()
            .filter(|f| f.required && !symbols.system_fields.contains_key(&f.name))
            .collect();
        if !missing.is_empty() {
            diagnostics.push(missing_fields(
                catalogue,
                first.file,
                span,
                &format!("system `{}`", first.item),
                &missing,
            ));
        }
    }
    diagnostics.extend(aws_name_conflicts(db, workspace).iter().cloned());
    diagnostics
}

struct Checker<'a> {
    db: &'a dyn Db,
    file: SourceFile,
    catalogue: &'a Catalogue,
    symbols: &'a SymbolTable,
    diagnostics: Vec<Diagnostic>,
    /// What each name means, when recording (`file_names`).
    names: Option<Vec<NameUse>>,
    /// How many declarations of each name this file has seen so far, per namespace.
    ordinals: BTreeMap<(u8, String), usize>,
}

/// Whether a body must have all its required fields (a definition) or may set a few (an
/// environment override).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Completeness {
    Full,
    Partial,
}

impl Checker<'_> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Records what the name `ident` means (built only when recording: the diagnostics alone
    /// do not pay for the table).
    fn record(&mut self, ident: &Ident, meaning: impl FnOnce() -> Meaning) {
        let Some(names) = &mut self.names else { return };
        names.push(NameUse {
            span: ident.span.clone(),
            name: ident.text.clone(),
            meaning: meaning(),
        });
    }

    /// The field name of `path` (a single segment, already found in the schema of `owner`).
    fn field_name(&mut self, path: &Path, owner: &str) {
        if let Some(name) = path.single() {
            self.record(name, || Meaning::Field {
                owner: owner.to_owned(),
            });
        }
    }

    fn declaration(&mut self, decl: &Decl) {
        self.record(&decl.name, || Meaning::Declaration {
            keyword: decl.keyword.text.clone(),
            kind: decl.kind.as_ref().map(|k| k.text.clone()),
        });
    }

    fn error(&mut self, code: Code, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.push(Diagnostic::error(code, self.file, span, message).with_help(help));
    }

    fn next_ordinal(&mut self, space: u8, name: &str) -> usize {
        let n = self.ordinals.entry((space, name.to_owned())).or_default();
        *n += 1;
        *n - 1
    }

    /// Reports `name` if an earlier declaration of it exists (in this file or an earlier one).
    fn check_unique<T>(
        &mut self,
        sites: Option<&Vec<Site<T>>>,
        namespace: Namespace,
        name: &Ident,
        what: &str,
    ) {
        let space = namespace as u8;
        let ordinal = self.next_ordinal(space, &name.text);
        let Some(sites) = sites else { return };
        let Some(first) = sites.first() else { return };
        if first.file == self.file && first.ordinal == ordinal {
            return;
        }
        let first_span =
            find_declaration(self.db, first.file, namespace, &name.text, first.ordinal).unwrap_or(0..0);
        self.push(
            Diagnostic::error(
                codes::DUPLICATE_NAME,
                self.file,
                name.span.clone(),
                format!("{what} `{}` is declared more than once", name.text),
            )
            .with_label(first.file, first_span, "first declared here")
            .with_help(format!("rename one of them; each {what} needs its own name")),
        );
    }
}

/// The subject of messages about a body ("service `api` (fargate)") and where to point.
struct Owner {
    description: String,
    span: Span,
    /// The body is a `system` block (its fields may be spread over files).
    is_system: bool,
}

impl Owner {
    fn system(decl: &Decl) -> Owner {
        Owner {
            description: format!("system `{}`", decl.name.text),
            span: decl.name.span.clone(),
            is_system: true,
        }
    }
}

fn rest_to(rest: &[Ident], last: &Ident) -> String {
    let mut names = Vec::new();
    for segment in rest {
        names.push(segment.text.as_str());
        if segment == last {
            break;
        }
    }
    names.join(".")
}

/// The span of a member's head: its keyword or path, not its whole body.
fn member_head_span(member: &Member) -> Span {
    match &member.kind {
        MemberKind::Use { module } => member.span.start..module.span.end,
        MemberKind::Attribute { path, .. } | MemberKind::Block { path, .. } => path.span.clone(),
        MemberKind::Decl(decl) => decl.keyword.span.start..decl.name.span.end,
        MemberKind::Flow { to, .. } => member.span.start..to.span.end,
        MemberKind::Route { target, .. } => member.span.start..target.span.end,
        MemberKind::Allow { code, .. } => member.span.start..code.span.end,
    }
}

/// An example value of a type, for "add `image = ecr(\"…\")`" hints.
/// Also the value the language server's "add the missing fields" fix writes.
pub fn example(catalogue: &Catalogue, ty: &Type) -> String {
    match ty {
        Type::String => "\"…\"".into(),
        Type::Int { min, .. } => (*min).max(0).to_string(),
        Type::Bool => "true".into(),
        Type::Cidr => "10.0.0.0/16".into(),
        Type::Prefix => "/24".into(),
        Type::Duration => "60s".into(),
        Type::Percent => "60%".into(),
        Type::Cron => "\"0 18 * * ? *\"".into(),
        Type::AccountId => "\"111111111111\"".into(),
        Type::Text(format) => format!("\"{}\"", format.example()),
        Type::Metric => "api.cpu".into(),
        Type::List(_) => "[…]".into(),
        Type::Map(_) | Type::Block(_) => "{ … }".into(),
        Type::Ref(_) => "<name>".into(),
        Type::Enum(name) => catalogue
            .enums
            .get(name)
            .and_then(|e| e.variants.first())
            .map_or_else(|| "…".to_owned(), |(v, _)| v.clone()),
        Type::Produced(name) => match catalogue.producers(name).first() {
            Some(function) => {
                let args: Vec<String> = function
                    .params
                    .iter()
                    .map(|(_, t)| example(catalogue, t))
                    .collect();
                format!("{}({})", function.name, args.join(", "))
            }
            None => "…".into(),
        },
        Type::Union(alternatives) => alternatives
            .first()
            .map_or_else(|| "…".to_owned(), |t| example(catalogue, t)),
    }
}

fn missing_fields(
    catalogue: &Catalogue,
    file: SourceFile,
    span: Span,
    owner: &str,
    missing: &[&Field],
) -> Diagnostic {
    let names: Vec<&str> = missing.iter().map(|f| f.name.as_str()).collect();
    let message = match names.as_slice() {
        [one] => format!("{owner} is missing the required field `{one}`"),
        _ => format!("{owner} is missing the required fields {}", all_of(&names)),
    };
    let lines: Vec<String> = missing
        .iter()
        .map(|f| match &f.ty {
            Type::Block(_) | Type::Map(_) => format!("`{} {{ … }}`", f.name),
            ty @ (Type::Produced(_)
            | Type::Cidr
            | Type::AccountId
            | Type::Cron
            | Type::String
            | Type::Text(_)) => {
                format!("`{} = {}`", f.name, example(catalogue, ty))
            }
            ty => format!("`{} = …` ({})", f.name, catalogue.describe(ty)),
        })
        .collect();
    Diagnostic::error(codes::MISSING_FIELD, file, span, message)
        .with_help(format!("add {}", lines.join(" and ")))
}
