//! Type checking: every item, field and value of a file against the stdlib catalogue and the
//! workspace's symbol table.
//!
//! The checker knows the language's structure (a `system` holds components and a `network`;
//! `env` blocks hold settings and overrides; flows and routes have their own syntax). Which
//! kinds exist, which fields they have and what types those fields take is read from the
//! catalogue only. A body that lost items to a syntax error is checked for what it has, but
//! not for what it lacks, so one typo does not cascade into "missing field" errors.

use std::collections::BTreeMap;
use std::str::FromStr;

use ipnet::Ipv4Net;

use crate::catalogue::{Catalogue, ENV_BLOCK, FLOW_BLOCK, Field, ROUTE_BLOCK, SYSTEM_BLOCK, Schema, Type};
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

/// What checking one file found: its diagnostics (syntax diagnostics come from `parse`) and
/// what each of its names means.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileCheck {
    pub diagnostics: Vec<Diagnostic>,
    /// In source order.
    pub names: Vec<NameUse>,
}

/// Type-check one file.
#[salsa::tracked(returns(ref))]
pub fn check_file(db: &dyn Db, workspace: Workspace, file: SourceFile) -> FileCheck {
    let mut checker = Checker {
        db,
        file,
        catalogue: crate::catalogue::catalogue(db, workspace),
        symbols: workspace_symbols(db, workspace),
        diagnostics: Vec::new(),
        names: Vec::new(),
        ordinals: BTreeMap::new(),
    };
    for member in &parse(db, file).ast.members {
        checker.top_level(member);
    }
    let mut names = checker.names;
    names.sort_by_key(|n| (n.span.start, n.span.end));
    names.dedup();
    FileCheck {
        diagnostics: checker.diagnostics,
        names,
    }
}

/// Workspace-wide checks: a system exists, and its required fields are set in some file.
#[salsa::tracked(returns(ref))]
pub fn check_workspace(db: &dyn Db, workspace: Workspace) -> Vec<Diagnostic> {
    let symbols = workspace_symbols(db, workspace);
    let catalogue = crate::catalogue::catalogue(db, workspace);
    let mut diagnostics = Vec::new();
    let Some(first) = symbols.systems.first() else {
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
    aws_name_conflicts(db, symbols, &mut diagnostics);
    diagnostics
}

/// Names that AWS cannot tell apart or cannot take. Physical names (`webapp-prd-api`, bucket
/// names, IAM roles) are written in lowercase with `-` for `_`, and IAM and S3 compare names
/// without case, so `Api` beside `api` would be one resource; a name that starts or ends with
/// `_` would start or end an AWS name with `-`, which load balancers and target groups refuse.
/// Decided from the symbol table alone; declarations are looked up (parsed files read) only to
/// place a diagnostic, so an edit elsewhere does not re-run this check.
fn aws_name_conflicts(db: &dyn Db, symbols: &SymbolTable, diagnostics: &mut Vec<Diagnostic>) {
    fn first_site<T>(sites: &[Site<T>]) -> Option<(SourceFile, usize)> {
        sites.first().map(|s| (s.file, s.ordinal))
    }
    let aws_form = |name: &str| name.to_ascii_lowercase().replace('_', "-");
    let envs: Vec<(&String, Option<(SourceFile, usize)>)> = symbols
        .envs
        .iter()
        .map(|(name, sites)| (name, first_site(sites)))
        .collect();
    let components: Vec<(&String, Option<(SourceFile, usize)>)> = symbols
        .components
        .iter()
        .map(|(name, sites)| (name, first_site(sites)))
        .collect();
    for (namespace, what, names) in [
        (Namespace::Env, "environment", envs),
        (Namespace::Component, "name", components),
    ] {
        let place = |name: &str, (file, ordinal): (SourceFile, usize)| {
            (
                file,
                find_declaration(db, file, namespace, name, ordinal).unwrap_or(0..0),
            )
        };
        let mut first_of: BTreeMap<String, (&String, (SourceFile, usize))> = BTreeMap::new();
        for (name, site) in names {
            let Some(site) = site else { continue };
            if name.starts_with('_') || name.ends_with('_') {
                let (file, span) = place(name, site);
                diagnostics.push(
                    Diagnostic::error(
                        codes::AWS_NAME_CONFLICT,
                        file,
                        span,
                        format!("the {what} `{name}` would start or end an AWS name with `-`"),
                    )
                    .with_help(format!(
                        "AWS names start and end with a letter or digit: rename it to `{}`",
                        name.trim_matches('_')
                    )),
                );
            }
            let Some((earlier, earlier_site)) = first_of.get(&aws_form(name)) else {
                first_of.insert(aws_form(name), (name, site));
                continue;
            };
            let (file, span) = place(name, site);
            let (earlier_file, earlier_span) = place(earlier, *earlier_site);
            diagnostics.push(
                Diagnostic::error(
                    codes::AWS_NAME_CONFLICT,
                    file,
                    span,
                    format!("the {what}s `{earlier}` and `{name}` are one name in AWS (`{}`)", aws_form(name)),
                )
                .with_label(earlier_file, earlier_span, "the other one")
                .with_help(
                    "AWS resource names are lowercase with `-` for `_`, and IAM and S3 ignore case: give them names that differ in more than case or `_`",
                ),
            );
        }
    }
}

struct Checker<'a> {
    db: &'a dyn Db,
    file: SourceFile,
    catalogue: &'a Catalogue,
    symbols: &'a SymbolTable,
    diagnostics: Vec<Diagnostic>,
    names: Vec<NameUse>,
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

    /// Records what the name `ident` means.
    fn record(&mut self, ident: &Ident, meaning: Meaning) {
        self.names.push(NameUse {
            span: ident.span.clone(),
            name: ident.text.clone(),
            meaning,
        });
    }

    /// The field name of `path` (a single segment, already found in the schema of `owner`).
    fn field_name(&mut self, path: &Path, owner: &str) {
        if let Some(name) = path.single() {
            self.record(
                name,
                Meaning::Field {
                    owner: owner.to_owned(),
                },
            );
        }
    }

    fn declaration(&mut self, decl: &Decl) {
        self.record(
            &decl.name,
            Meaning::Declaration {
                keyword: decl.keyword.text.clone(),
                kind: decl.kind.as_ref().map(|k| k.text.clone()),
            },
        );
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

    // -- top level ---------------------------------------------------------------------------

    fn top_level(&mut self, member: &Member) {
        match &member.kind {
            MemberKind::Use { module } => {
                if !self.catalogue.modules.contains(&module.text) {
                    let names: Vec<&str> = self.catalogue.modules.iter().map(String::as_str).collect();
                    self.error(
                        codes::UNKNOWN_MODULE,
                        module.span.clone(),
                        format!("there is no stdlib module `{}`", module.text),
                        format!("the stdlib modules are {}", all_of(&names)),
                    );
                }
            }
            MemberKind::Decl(decl) if decl.keyword.text == SYSTEM_KEYWORD => self.system(decl),
            MemberKind::Decl(decl) if decl.keyword.text == ENV_KEYWORD => self.env(decl),
            MemberKind::Decl(decl) if self.catalogue.categories.contains_key(&decl.keyword.text) => self
                .error(
                    codes::MISPLACED_ITEM,
                    decl.keyword.span.clone(),
                    format!(
                        "a {} must be declared inside the `system` block",
                        decl.keyword.text
                    ),
                    "move it into `system <name> { … }`",
                ),
            MemberKind::Decl(decl) => {
                let suggestion = did_you_mean(&decl.keyword.text, [SYSTEM_KEYWORD, ENV_KEYWORD, "use"]);
                self.error(
                    codes::UNKNOWN_ITEM_KEYWORD,
                    decl.keyword.span.clone(),
                    format!("unknown item `{}` at the top level of a file", decl.keyword.text),
                    match suggestion {
                        Some(s) => {
                            format!("did you mean `{s}`? A file holds `system`, `env` and `use` items")
                        }
                        None => "a file holds `system`, `env` and `use` items".to_owned(),
                    },
                );
            }
            _ => self.error(
                codes::MISPLACED_ITEM,
                member_head_span(member),
                "this must be inside a `system` or `env` block",
                "a file holds `system`, `env` and `use` items; fields, flows and routes go inside them",
            ),
        }
    }

    fn no_kind_or_tier(&mut self, decl: &Decl, what: &str) {
        if let Some(kind) = &decl.kind {
            self.error(
                codes::MISPLACED_ITEM,
                kind.span.clone(),
                format!("{what} has no kind"),
                format!("write `{} {} {{ … }}`", decl.keyword.text, decl.name.text),
            );
        }
        if let Some(tier) = &decl.tier {
            self.error(
                codes::UNEXPECTED_PLACEMENT,
                tier.span.clone(),
                format!("{what} is not placed in a tier"),
                format!("remove `in {}`", tier.text),
            );
        }
    }

    fn system(&mut self, decl: &Decl) {
        self.declaration(decl);
        self.no_kind_or_tier(decl, "a system");
        if let Some(first) = self.symbols.systems.first()
            && first.item != decl.name.text
        {
            let first_span =
                find_declaration(self.db, first.file, Namespace::System, &first.item, first.ordinal)
                    .unwrap_or(0..0);
            self.push(
                Diagnostic::error(
                    codes::CONFLICTING_SYSTEMS,
                    self.file,
                    decl.name.span.clone(),
                    format!(
                        "this workspace already declares system `{}`; `{}` would be a second system",
                        first.item, decl.name.text
                    ),
                )
                .with_label(first.file, first_span, "the workspace's system is declared here")
                .with_help(format!(
                    "every file of a workspace belongs to one system: rename this block to `system {}`, or move the file to its own directory",
                    first.item
                )),
            );
        }
        let Some(schema) = self.catalogue.block(SYSTEM_BLOCK) else {
            return;
        };
        // Required fields may be set in any file's system block: checked by `check_workspace`.
        self.body(
            schema,
            &decl.body,
            SYSTEM_KEYWORD,
            &Owner::system(decl),
            Completeness::Partial,
        );
    }

    // -- bodies --------------------------------------------------------------------------------

    /// Checks the members of `body` against `schema`. `container` is the block's name; item
    /// declarations are allowed where a category's `scope` names it.
    fn body(
        &mut self,
        schema: &Schema,
        body: &Body,
        container: &str,
        owner: &Owner,
        completeness: Completeness,
    ) {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let mut typos: Vec<String> = Vec::new();
        for member in &body.members {
            match &member.kind {
                MemberKind::Attribute { path, value } => {
                    let Some(field) = self.field(schema, path, owner, &mut typos) else {
                        continue;
                    };
                    self.field_name(path, container);
                    self.not_twice(field, path, &mut seen, owner);
                    match &field.ty {
                        Type::Block(_) | Type::Map(_) => self.error(
                            codes::TYPE_MISMATCH,
                            value.span.clone(),
                            format!("`{}` is a block, not a single value", field.name),
                            format!("write `{} {{ … }}`", field.name),
                        ),
                        ty => {
                            self.value(ty, value);
                        }
                    }
                }
                MemberKind::Block { path, body: inner } => {
                    let Some(field) = self.field(schema, path, owner, &mut typos) else {
                        continue;
                    };
                    self.field_name(path, container);
                    self.not_twice(field, path, &mut seen, owner);
                    self.block_field(field, inner, owner, completeness);
                }
                MemberKind::Decl(decl) => self.component(decl, container),
                MemberKind::Flow { from, to, protocol } => {
                    if container != SYSTEM_KEYWORD {
                        self.error(
                            codes::MISPLACED_ITEM,
                            member_head_span(member),
                            "a flow must be declared directly inside the `system` block",
                            "move it into `system <name> { … }`",
                        );
                        continue;
                    }
                    self.flow(from, to, protocol);
                }
                MemberKind::Route {
                    pattern,
                    target,
                    body: route_body,
                } => {
                    let route_field = schema
                        .fields
                        .iter()
                        .find(|f| f.ty == Type::Block(ROUTE_BLOCK.to_owned()));
                    if route_field.is_none() {
                        self.error(
                            codes::MISPLACED_ITEM,
                            member_head_span(member),
                            format!("{} has no routes", owner.description),
                            "routes belong to the edge, e.g. `edge cdn : cloudfront { route \"/*\" -> alb }`",
                        );
                        continue;
                    }
                    self.route(pattern, target, route_body.as_ref(), owner);
                }
                MemberKind::Use { .. } => self.error(
                    codes::MISPLACED_ITEM,
                    member_head_span(member),
                    "`use` must stand at the top level of a file",
                    "move it to the top of the file",
                ),
                MemberKind::Allow { code, reason, until } => {
                    self.waiver(code, reason.as_ref(), until.as_ref())
                }
            }
        }
        if completeness == Completeness::Full && !body.recovered {
            let missing: Vec<&Field> = schema
                .fields
                .iter()
                .filter(|f| f.required && !seen.contains_key(&f.name) && !typos.contains(&f.name))
                .collect();
            if !missing.is_empty() {
                self.push(missing_fields(
                    self.catalogue,
                    self.file,
                    owner.span.clone(),
                    &owner.description,
                    &missing,
                ));
            }
        }
    }

    /// Looks up a one-segment field path in `schema`, reporting unknown fields. A likely typo
    /// (`prot` for `port`) is recorded in `typos` so the field is not also reported missing.
    fn field<'s>(
        &mut self,
        schema: &'s Schema,
        path: &Path,
        owner: &Owner,
        typos: &mut Vec<String>,
    ) -> Option<&'s Field> {
        let Some(name) = path.single() else {
            self.error(
                codes::UNKNOWN_FIELD,
                path.span.clone(),
                format!("{} has no field `{}`", owner.description, path.dotted()),
                "dotted paths such as `api.scale.min` are only for overrides inside `env` blocks",
            );
            return None;
        };
        if let Some(field) = schema.field(&name.text) {
            return Some(field);
        }
        let help = match did_you_mean(&name.text, schema.field_names()) {
            Some(s) => {
                typos.push(s.to_owned());
                format!("did you mean `{s}`?")
            }
            None => {
                let names: Vec<&str> = schema.field_names().collect();
                format!("the fields of {} are {}", owner.description, all_of(&names))
            }
        };
        self.error(
            codes::UNKNOWN_FIELD,
            name.span.clone(),
            format!("{} has no field `{}`", owner.description, name.text),
            help,
        );
        None
    }

    fn not_twice(&mut self, field: &Field, path: &Path, seen: &mut BTreeMap<String, Span>, owner: &Owner) {
        if field.repeated {
            return;
        }
        self.set_once(seen, &field.name, &path.span, &owner.description);
        if owner.is_system {
            self.system_field_once(&field.name, path);
        }
    }

    /// Records that `key` is set at `span` in one block, reporting a second setting.
    fn set_once(&mut self, seen: &mut BTreeMap<String, Span>, key: &str, span: &Span, block: &str) {
        if let Some(first) = seen.get(key) {
            let first = first.clone();
            self.push(
                Diagnostic::error(
                    codes::DUPLICATE_FIELD,
                    self.file,
                    span.clone(),
                    format!("`{key}` is set twice in {block}"),
                )
                .with_label(self.file, first, "first set here")
                .with_help("keep one of them"),
            );
        } else {
            seen.insert(key.to_owned(), span.clone());
        }
    }

    /// System fields may be split across files, but each is set once in the workspace.
    fn system_field_once(&mut self, name: &str, path: &Path) {
        let Some(first) = self
            .symbols
            .system_fields
            .get(name)
            .and_then(|sites| sites.first())
        else {
            return;
        };
        if first.file == self.file {
            return; // Duplicates within one file are reported by `not_twice`.
        }
        let first_span = find_declaration(self.db, first.file, Namespace::SystemField, name, first.ordinal)
            .unwrap_or(0..0);
        self.push(
            Diagnostic::error(
                codes::DUPLICATE_FIELD,
                self.file,
                path.span.clone(),
                format!("`{name}` is set twice in the system"),
            )
            .with_label(first.file, first_span, "first set here")
            .with_help("the system's fields may be spread over files, but each is set once"),
        );
    }

    fn block_field(&mut self, field: &Field, body: &Body, owner: &Owner, completeness: Completeness) {
        match &field.ty {
            Type::Block(name) => {
                let Some(schema) = self.catalogue.block(name) else {
                    return;
                };
                let inner_owner = Owner {
                    description: format!("the `{}` block of {}", field.name, owner.description),
                    span: body.span.start..body.span.start + 1,
                    is_system: false,
                };
                let container = if field.name == NETWORK_BLOCK {
                    NETWORK_BLOCK
                } else {
                    name.as_str()
                };
                self.body(schema, body, container, &inner_owner, completeness);
            }
            Type::Map(value_type) => {
                let block = format!("the `{}` block of {}", field.name, owner.description);
                self.map_body(value_type, body, &block);
            }
            _ => self.error(
                codes::TYPE_MISMATCH,
                body.span.clone(),
                format!("`{}` takes a single value, not a block", field.name),
                format!(
                    "write `{} = …` with {}",
                    field.name,
                    self.catalogue.describe(&field.ty)
                ),
            ),
        }
    }

    /// `secret { KEY = value … }`: free keys, each value of one type.
    fn map_body(&mut self, value_type: &Type, body: &Body, block: &str) {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for member in &body.members {
            match &member.kind {
                MemberKind::Attribute { path, value } if let Some(key) = path.single() => {
                    self.record(key, Meaning::Key);
                    self.set_once(&mut seen, &path.dotted(), &path.span, block);
                    self.value(value_type, value);
                }
                _ => self.error(
                    codes::TYPE_MISMATCH,
                    member_head_span(member),
                    "this block holds only `NAME = value` entries",
                    format!(
                        "each entry is `NAME = …` with {}",
                        self.catalogue.describe(value_type)
                    ),
                ),
            }
        }
    }

    /// `allow R001 reason "…" until 2027-03-31`: a waiver must name a design rule, give a
    /// reason, and, if it has an expiry date, a real one.
    fn waiver(&mut self, code: &Ident, reason: Option<&StringLit>, until: Option<&Ident>) {
        if !codes::lookup(&code.text).is_some_and(|c| c.id == code.text && c.id.starts_with('R')) {
            let rules = codes::ALL.iter().filter(|c| c.id.starts_with('R')).map(|c| c.id);
            let help = match did_you_mean(&code.text, rules) {
                Some(s) => format!("did you mean `{s}`? Only design rules can be waived"),
                None => {
                    "only design rules (R001 to R015) can be waived; other errors must be fixed".to_owned()
                }
            };
            self.error(
                codes::INVALID_WAIVER_CODE,
                code.span.clone(),
                format!("`{}` is not a design rule", code.text),
                help,
            );
        }
        if reason.is_none_or(|r| r.value.trim().is_empty()) {
            let span = reason.map_or(code.span.clone(), |r| r.span.clone());
            self.error(
                codes::WAIVER_WITHOUT_REASON,
                span,
                format!("the waiver of {} gives no reason", code.text),
                format!(
                    "say why the rule does not apply here: `allow {} reason \"…\"`",
                    code.text
                ),
            );
        }
        let Some(until) = until else { return };
        // Expiry is the rules' business: an expired waiver stops waiving, so the rule's own
        // finding must show beside it.
        if Date::parse(&until.text).is_none() {
            self.error(
                codes::INVALID_DATE,
                until.span.clone(),
                format!("`{}` is not a date", until.text),
                "write the date as YYYY-MM-DD, e.g. `2027-03-31`",
            );
        }
    }

    // -- components -----------------------------------------------------------------------------

    fn component(&mut self, decl: &Decl, container: &str) {
        let keyword = &decl.keyword.text;
        let Some(category) = self.catalogue.categories.get(keyword) else {
            let candidates = self.catalogue.categories.keys().map(String::as_str);
            let help = match did_you_mean(keyword, candidates) {
                Some(s) => format!("did you mean `{s}`?"),
                None => {
                    let names: Vec<&str> = self.catalogue.categories.keys().map(String::as_str).collect();
                    format!("items are declared with {}", one_of(&names))
                }
            };
            self.error(
                codes::UNKNOWN_ITEM_KEYWORD,
                decl.keyword.span.clone(),
                format!("unknown item keyword `{keyword}`"),
                help,
            );
            return;
        };
        self.declaration(decl);
        let what = keyword.replace('_', " ");
        self.check_unique(
            self.symbols.components.get(&decl.name.text),
            Namespace::Component,
            &decl.name,
            &what,
        );
        if category.scope != container {
            let place = if category.scope == NETWORK_BLOCK {
                "inside the `network` block".to_owned()
            } else {
                format!("directly inside the `{}` block", category.scope)
            };
            self.error(
                codes::MISPLACED_ITEM,
                decl.keyword.span.clone(),
                format!("a {what} must be declared {place}"),
                format!("move `{keyword} {}` there", decl.name.text),
            );
            return;
        }
        let kind_name = self
            .catalogue
            .kind_name(keyword, decl.kind.as_ref().map(|k| k.text.as_str()));
        let kinds_of_category: Vec<&str> = self
            .catalogue
            .kinds
            .values()
            .filter(|k| &k.category == keyword)
            .map(|k| k.name.as_str())
            .collect();
        let Some(kind_name) = kind_name else {
            self.error(
                codes::UNKNOWN_KIND,
                decl.name.span.clone(),
                format!("{what} `{}` needs a kind", decl.name.text),
                format!(
                    "write `{keyword} {} : <kind>`, where the kind is {}",
                    decl.name.text,
                    one_of(&kinds_of_category)
                ),
            );
            return;
        };
        let kind_span = decl
            .kind
            .as_ref()
            .map_or(decl.name.span.clone(), |k| k.span.clone());
        let Some(kind) = self.catalogue.kinds.get(&kind_name) else {
            let help = match did_you_mean(&kind_name, kinds_of_category.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("a {what} is one of {}", one_of(&kinds_of_category)),
            };
            self.error(
                codes::UNKNOWN_KIND,
                kind_span,
                format!("unknown kind `{kind_name}`"),
                help,
            );
            return;
        };
        if &kind.category != keyword {
            self.error(
                codes::KIND_CATEGORY_MISMATCH,
                kind_span,
                format!(
                    "`{kind_name}` is a kind of {}, not of {what}",
                    kind.category.replace('_', " ")
                ),
                format!(
                    "declare it as `{} {} : {kind_name}`, or pick a {what} kind: {}",
                    kind.category,
                    decl.name.text,
                    one_of(&kinds_of_category)
                ),
            );
            return;
        }
        if let Some(written) = &decl.kind {
            self.record(written, Meaning::Kind);
        }
        self.placement(decl, category.placed, &what);
        let owner = Owner {
            description: format!("{what} `{}` ({kind_name})", decl.name.text),
            span: decl.name.span.clone(),
            is_system: false,
        };
        self.body(&kind.schema, &decl.body, &kind.name, &owner, Completeness::Full);
    }

    fn placement(&mut self, decl: &Decl, placed: bool, what: &str) {
        // Only for messages: collected when something is wrong, never on the happy path.
        let tiers = || -> Vec<&str> { self.symbols.tier_names().collect() };
        match (&decl.tier, placed) {
            (None, true) => self.error(
                codes::MISSING_PLACEMENT,
                decl.name.span.clone(),
                format!("{what} `{}` is not placed in a tier", decl.name.text),
                if tiers().is_empty() {
                    "add `in <tier>` after the name, and declare the tier in `network { tier <name> { … } }`"
                        .to_owned()
                } else {
                    format!(
                        "add `in <tier>` after the name; the tiers are {}",
                        all_of(&tiers())
                    )
                },
            ),
            (Some(tier), false) => self.error(
                codes::UNEXPECTED_PLACEMENT,
                tier.span.clone(),
                format!("a {what} is not placed in a tier"),
                format!("remove `in {}`", tier.text),
            ),
            (Some(tier), true) => match self.symbols.component(&tier.text) {
                Some(declared) if declared.category == "tier" => self.record(
                    tier,
                    Meaning::Reference {
                        category: declared.category.clone(),
                    },
                ),
                found => {
                    let message = match found {
                        Some(other) => format!(
                            "`{}` is a {}, not a tier",
                            tier.text,
                            other.category.replace('_', " ")
                        ),
                        None => format!("there is no tier `{}`", tier.text),
                    };
                    let tiers = tiers();
                    let help = match did_you_mean(&tier.text, tiers.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if tiers.is_empty() => {
                            "declare tiers in `network { tier <name> { … } }`".to_owned()
                        }
                        None => format!("the tiers are {}", all_of(&tiers)),
                    };
                    self.error(codes::UNKNOWN_TIER, tier.span.clone(), message, help);
                }
            },
            (None, false) => {}
        }
    }

    fn flow(&mut self, from: &Ident, to: &Ident, protocol: &Value) {
        for end in [from, to] {
            if end.text == INTERNET {
                self.record(end, Meaning::Internet);
                continue;
            }
            match self.symbols.component(&end.text) {
                Some(declared) if declared.category != "tier" => self.record(
                    end,
                    Meaning::Reference {
                        category: declared.category.clone(),
                    },
                ),
                found => {
                    let message = match found {
                        Some(_) => format!("`{}` is a tier; flows connect components", end.text),
                        None => format!("unknown flow endpoint `{}`", end.text),
                    };
                    let names = self.symbols.component_names().chain([INTERNET]);
                    let help = match did_you_mean(&end.text, names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "a flow connects two declared components, or a component and `internet`"
                            .to_owned(),
                    };
                    self.error(codes::UNKNOWN_FLOW_ENDPOINT, end.span.clone(), message, help);
                }
            }
        }
        if let Some(field) = self.catalogue.block(FLOW_BLOCK).and_then(|s| s.field("protocol")) {
            self.value(&field.ty, protocol);
        }
    }

    fn route(&mut self, pattern: &StringLit, target: &Ident, body: Option<&Body>, owner: &Owner) {
        let Some(schema) = self.catalogue.block(ROUTE_BLOCK) else {
            return;
        };
        if let Some(field) = schema.field("pattern") {
            let pattern_value = Value {
                kind: ValueKind::String(pattern.value.clone()),
                span: pattern.span.clone(),
            };
            self.value(&field.ty, &pattern_value);
        }
        if let Some(field) = schema.field("target") {
            let target_value = Value {
                kind: ValueKind::Path(Path {
                    segments: vec![target.clone()],
                    span: target.span.clone(),
                }),
                span: target.span.clone(),
            };
            self.value(&field.ty, &target_value);
        }
        let Some(body) = body else { return };
        // `pattern` and `target` are written in the route's head.
        let rest = Schema {
            fields: schema
                .fields
                .iter()
                .filter(|f| f.name != "pattern" && f.name != "target")
                .cloned()
                .collect(),
        };
        let route_owner = Owner {
            description: format!("the route of {}", owner.description),
            span: pattern.span.clone(),
            is_system: false,
        };
        self.body(&rest, body, ROUTE_BLOCK, &route_owner, Completeness::Full);
    }

    // -- environments ---------------------------------------------------------------------------

    fn env(&mut self, decl: &Decl) {
        self.declaration(decl);
        self.no_kind_or_tier(decl, "an environment");
        self.check_unique(
            self.symbols.envs.get(&decl.name.text),
            Namespace::Env,
            &decl.name,
            "environment",
        );
        let Some(schema) = self.catalogue.block(ENV_BLOCK) else {
            return;
        };
        let owner = Owner {
            description: format!("environment `{}`", decl.name.text),
            span: decl.name.span.clone(),
            is_system: false,
        };
        let mut settings = Vec::new();
        for member in &decl.body.members {
            let head = match &member.kind {
                MemberKind::Attribute { path, .. } | MemberKind::Block { path, .. } => path,
                MemberKind::Allow { .. } => {
                    settings.push(member.clone());
                    continue;
                }
                _ => {
                    self.error(
                        codes::MISPLACED_ITEM,
                        member_head_span(member),
                        "an environment holds settings and overrides only",
                        "write `<setting> = …`, `<component>.<field> = …` or `<component>.<block> { … }`",
                    );
                    continue;
                }
            };
            let is_setting = head.single().is_some_and(|s| schema.field(&s.text).is_some());
            let is_component = head
                .segments
                .first()
                .is_some_and(|s| self.symbols.component(&s.text).is_some());
            if is_setting
                || !is_component
                    && head.single().is_some()
                    && !matches!(member.kind, MemberKind::Block { .. })
            {
                settings.push(member.clone());
            } else {
                self.override_member(member, &owner);
            }
        }
        let settings_body = Body {
            members: settings,
            span: decl.body.span.clone(),
            recovered: decl.body.recovered,
        };
        self.body(schema, &settings_body, ENV_KEYWORD, &owner, Completeness::Full);
    }

    /// `api.scale.min = 1` or `api.scale { min = 1 }`: the path must lead from a component to
    /// one of its fields, and the value must have that field's type.
    fn override_member(&mut self, member: &Member, env: &Owner) {
        let (path, value, block) = match &member.kind {
            MemberKind::Attribute { path, value } => (path, Some(value), None),
            MemberKind::Block { path, body } => (path, None, Some(body)),
            _ => return,
        };
        let Some((head, rest)) = path.segments.split_first() else {
            return;
        };
        let Some(declared) = self.symbols.component(&head.text) else {
            let names = self.symbols.component_names();
            let help = match did_you_mean(&head.text, names) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "an override starts with a component's name, e.g. `api.scale.min = 1`".to_owned(),
            };
            self.error(
                codes::UNKNOWN_OVERRIDE_PATH,
                head.span.clone(),
                format!(
                    "`{}` is neither a setting of {} nor a component",
                    head.text, env.description
                ),
                help,
            );
            return;
        };
        let kind_name = self
            .catalogue
            .kind_name(&declared.category, declared.kind.as_deref());
        self.record(
            head,
            Meaning::Reference {
                category: declared.category.clone(),
            },
        );
        let Some(kind) = kind_name.and_then(|k| self.catalogue.kinds.get(&k)) else {
            return; // The declaration itself is reported.
        };
        let mut schema = &kind.schema;
        let mut schema_name = kind.name.clone();
        let mut owner = format!(
            "{} `{}` ({})",
            declared.category.replace('_', " "),
            head.text,
            kind.name
        );
        let mut remaining = rest;
        loop {
            let Some((segment, after)) = remaining.split_first() else {
                // The path ends at the component itself.
                self.error(
                    codes::UNKNOWN_OVERRIDE_PATH,
                    path.span.clone(),
                    format!("an override must name a field of `{}`", head.text),
                    format!("write `{}.<field> = …`", head.text),
                );
                return;
            };
            let Some(field) = schema.field(&segment.text) else {
                let help = match did_you_mean(&segment.text, schema.field_names()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => {
                        let names: Vec<&str> = schema.field_names().collect();
                        format!("the fields of {owner} are {}", all_of(&names))
                    }
                };
                self.error(
                    codes::UNKNOWN_OVERRIDE_PATH,
                    segment.span.clone(),
                    format!("{owner} has no field `{}`", segment.text),
                    help,
                );
                return;
            };
            self.record(
                segment,
                Meaning::Field {
                    owner: schema_name.clone(),
                },
            );
            if field.repeated {
                self.error(
                    codes::UNKNOWN_OVERRIDE_PATH,
                    segment.span.clone(),
                    format!(
                        "`{}` may appear many times, so it cannot be overridden by path",
                        field.name
                    ),
                    "change it in the system, or override a single-valued field",
                );
                return;
            }
            match (&field.ty, after.is_empty()) {
                (Type::Block(name), false) => {
                    let Some(inner) = self.catalogue.block(name) else {
                        return;
                    };
                    schema = inner;
                    schema_name = name.clone();
                    owner = format!("the `{}` block of `{}`", field.name, head.text);
                    remaining = after;
                }
                (Type::Map(value_type), false) if after.len() == 1 => {
                    if let Some(value) = value {
                        self.override_value(value_type, value);
                    } else {
                        self.error(
                            codes::OVERRIDE_TYPE_MISMATCH,
                            member_head_span(member),
                            format!("`{}` takes a single value, not a block", path.dotted()),
                            format!("write `{} = …`", path.dotted()),
                        );
                    }
                    return;
                }
                (_, false) => {
                    self.error(
                        codes::UNKNOWN_OVERRIDE_PATH,
                        after.first().map_or(segment.span.clone(), |s| s.span.clone()),
                        format!("`{}` is a single value and has no fields", field.name),
                        format!("override it as `{}.{} = …`", head.text, rest_to(rest, segment)),
                    );
                    return;
                }
                (ty, true) => {
                    match (value, block, ty) {
                        (Some(value), _, Type::Block(_) | Type::Map(_)) => self.error(
                            codes::OVERRIDE_TYPE_MISMATCH,
                            value.span.clone(),
                            format!("`{}` is a block, not a single value", path.dotted()),
                            format!("write `{} {{ … }}`", path.dotted()),
                        ),
                        (Some(value), _, ty) => self.override_value(ty, value),
                        (None, Some(body), _) => {
                            let block_owner = Owner {
                                description: format!("the override of `{}`", path.dotted()),
                                span: path.span.clone(),
                                is_system: false,
                            };
                            self.block_field_as_override(field, body, &block_owner);
                        }
                        (None, None, _) => {}
                    }
                    return;
                }
            }
        }
    }

    fn block_field_as_override(&mut self, field: &Field, body: &Body, owner: &Owner) {
        let before = self.diagnostics.len();
        self.block_field(field, body, owner, Completeness::Partial);
        self.as_override_errors(before);
    }

    /// Checks an override's value; a type mismatch there is an override type mismatch.
    fn override_value(&mut self, ty: &Type, value: &Value) {
        let before = self.diagnostics.len();
        self.value(ty, value);
        self.as_override_errors(before);
    }

    fn as_override_errors(&mut self, from: usize) {
        for diagnostic in self.diagnostics.iter_mut().skip(from) {
            if diagnostic.code == codes::TYPE_MISMATCH {
                diagnostic.code = codes::OVERRIDE_TYPE_MISMATCH;
            }
        }
    }

    // -- values ---------------------------------------------------------------------------------

    /// Checks `value` against `ty`, reporting what is wrong. Returns whether it is valid.
    fn value(&mut self, ty: &Type, value: &Value) -> bool {
        let span = value.span.clone();
        match (ty, &value.kind) {
            (Type::Union(alternatives), _) => {
                match alternatives.iter().find(|t| shape_fits(t, &value.kind)) {
                    Some(alternative) => self.value(alternative, value),
                    None => self.mismatch(ty, value),
                }
            }
            (Type::String, ValueKind::String(_)) | (Type::Bool, ValueKind::Bool(_)) => true,
            (Type::Int { min, max }, ValueKind::Number(text)) => match text.parse::<i64>() {
                Ok(n) if (*min..=*max).contains(&n) => true,
                _ => {
                    self.error(
                        codes::OUT_OF_RANGE,
                        span,
                        format!("`{text}` is out of range"),
                        format!("use {}", self.catalogue.describe(ty)),
                    );
                    false
                }
            },
            (Type::Cidr, ValueKind::Cidr(text)) => self.cidr(text, span),
            (Type::Prefix, ValueKind::Prefix(digits)) => match digits.parse::<u8>() {
                Ok(n) if n <= 32 => true,
                _ => {
                    self.error(
                        codes::INVALID_CIDR,
                        span,
                        format!("`/{digits}` is not a valid IPv4 prefix length"),
                        "a prefix length is from `/0` to `/32`; subnets are usually `/24`",
                    );
                    false
                }
            },
            (Type::Duration, ValueKind::Quantity { amount, unit }) if unit != "%" => {
                let valid_unit = matches!(unit.as_str(), "s" | "m" | "h" | "d");
                if valid_unit && amount.parse::<u64>().is_ok() {
                    return true;
                }
                self.error(
                    codes::INVALID_DURATION,
                    span,
                    if valid_unit {
                        format!("`{amount}{unit}` is too long a duration")
                    } else {
                        format!("`{unit}` is not a unit of time")
                    },
                    "a duration is a whole number with `s`, `m`, `h` or `d`, e.g. `60s` or `5m`",
                );
                false
            }
            (Type::Duration, ValueKind::Number(n)) => {
                self.error(
                    codes::INVALID_DURATION,
                    span,
                    format!("the duration `{n}` has no unit"),
                    format!("add a unit: `{n}s`, `{n}m`, `{n}h` or `{n}d`"),
                );
                false
            }
            (Type::Percent, ValueKind::Quantity { amount, unit }) if unit == "%" => {
                match amount.parse::<u64>() {
                    Ok(n) if n <= 100 => true,
                    _ => {
                        self.error(
                            codes::INVALID_PERCENTAGE,
                            span,
                            format!("`{amount}%` is more than 100%"),
                            "a percentage is from `0%` to `100%`",
                        );
                        false
                    }
                }
            }
            (Type::Percent, ValueKind::Number(n)) => {
                self.error(
                    codes::INVALID_PERCENTAGE,
                    span,
                    format!("`{n}` is not a percentage"),
                    format!("write it with a percent sign: `{n}%`"),
                );
                false
            }
            (Type::Cron, ValueKind::String(text)) => self.cron(text, span),
            (Type::AccountId, ValueKind::String(text)) => {
                if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
                    return true;
                }
                self.error(
                    codes::INVALID_ACCOUNT_ID,
                    span,
                    format!("\"{text}\" is not an AWS account ID"),
                    "an account ID is exactly 12 digits, e.g. \"111111111111\"",
                );
                false
            }
            (Type::Text(format), ValueKind::String(text)) => match format.check(text) {
                Ok(()) => true,
                Err(invalid) => {
                    self.error(codes::MALFORMED_STRING, span, invalid.message, invalid.help);
                    false
                }
            },
            (Type::Metric, ValueKind::Path(path)) => self.metric(path),
            (Type::List(inner), ValueKind::List(items)) => {
                let mut ok = true;
                for item in items {
                    ok &= self.value(inner, item);
                }
                ok
            }
            (Type::Ref(categories), ValueKind::Path(path)) if path.single().is_some() => {
                self.reference(categories, path)
            }
            (Type::Enum(name), ValueKind::Path(path)) if path.single().is_some() => {
                self.enum_value(name, path)
            }
            (Type::Produced(produced), ValueKind::Call { name, args }) => {
                self.call(produced, name, args, span)
            }
            _ => self.mismatch(ty, value),
        }
    }

    fn mismatch(&mut self, ty: &Type, value: &Value) -> bool {
        let expected = self.catalogue.describe(ty);
        let mut help = format!("use {expected}");
        if let ValueKind::String(text) = &value.kind {
            let quoted_fits = [Type::Cidr, Type::Int { min: 0, max: 0 }]
                .iter()
                .any(|t| shape_fits(t, &reparse_unquoted(text)) && shape_fits(ty, &reparse_unquoted(text)));
            if quoted_fits {
                help = format!("remove the quotes: `{text}`");
            }
        }
        if let (Type::AccountId, ValueKind::Number(n)) = (ty, &value.kind) {
            help = format!("put the account ID in quotes: \"{n}\"");
        }
        self.error(
            codes::TYPE_MISMATCH,
            value.span.clone(),
            format!("expected {expected}, found {}", describe_value(&value.kind)),
            help,
        );
        false
    }

    fn cidr(&mut self, text: &str, span: Span) -> bool {
        match Ipv4Net::from_str(text) {
            Err(_) => {
                self.error(
                    codes::INVALID_CIDR,
                    span,
                    format!("`{text}` is not a valid IPv4 CIDR block"),
                    "each of the four numbers is 0–255 and the prefix length is 0–32, e.g. `10.0.0.0/16`",
                );
                false
            }
            Ok(net) if net.addr() != net.network() => {
                self.error(
                    codes::CIDR_HOST_BITS,
                    span,
                    format!("`{text}` has host bits set"),
                    format!("the network address of this block is `{}`", net.trunc()),
                );
                false
            }
            Ok(_) => true,
        }
    }

    fn cron(&mut self, text: &str, span: Span) -> bool {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() != 6 {
            self.error(
                codes::INVALID_CRON,
                span,
                format!(
                    "this cron expression has {} fields; EventBridge needs 6",
                    fields.len()
                ),
                "the fields are: minutes hours day-of-month month day-of-week year, e.g. \"0 18 * * ? *\"",
            );
            return false;
        }
        let day_of_month = fields.get(2).copied().unwrap_or_default();
        let day_of_week = fields.get(4).copied().unwrap_or_default();
        if (day_of_month == "?") == (day_of_week == "?") {
            self.error(
                codes::INVALID_CRON,
                span,
                "exactly one of day-of-month and day-of-week must be `?`",
                "EventBridge cannot use both day fields at once, e.g. \"0 18 * * ? *\" runs daily at 18:00 UTC",
            );
            return false;
        }
        true
    }

    fn metric(&mut self, path: &Path) -> bool {
        let [component, metric] = path.segments.as_slice() else {
            self.error(
                codes::TYPE_MISMATCH,
                path.span.clone(),
                format!("`{}` is not a metric", path.dotted()),
                "a metric is `<component>.<metric>`, e.g. `api.cpu`",
            );
            return false;
        };
        let Some(declared) = self
            .symbols
            .component(&component.text)
            .filter(|d| d.category != "tier")
        else {
            let help = match did_you_mean(&component.text, self.symbols.component_names()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "a metric starts with a component's name, e.g. `api.cpu`".to_owned(),
            };
            self.error(
                codes::UNKNOWN_REFERENCE,
                component.span.clone(),
                format!("there is no component `{}`", component.text),
                help,
            );
            return false;
        };
        let kind = self
            .catalogue
            .kind_name(&declared.category, declared.kind.as_deref());
        self.record(
            component,
            Meaning::Reference {
                category: declared.category.clone(),
            },
        );
        let Some(kind) = kind.and_then(|k| self.catalogue.kinds.get(&k)) else {
            return false;
        };
        if kind.metrics.iter().any(|(m, _)| m == &metric.text) {
            self.record(
                metric,
                Meaning::Metric {
                    kind: kind.name.clone(),
                },
            );
            return true;
        }
        let names: Vec<&str> = kind.metrics.iter().map(|(m, _)| m.as_str()).collect();
        let help = match did_you_mean(&metric.text, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => format!("a {} has no metrics", kind.name),
            None => format!("the metrics of a {} are {}", kind.name, all_of(&names)),
        };
        self.error(
            codes::UNKNOWN_METRIC,
            metric.span.clone(),
            format!(
                "`{}` ({}) has no metric `{}`",
                component.text, kind.name, metric.text
            ),
            help,
        );
        false
    }

    fn reference(&mut self, categories: &[String], path: &Path) -> bool {
        let Some(name) = path.single() else { return false };
        let words: Vec<String> = categories.iter().map(|c| c.replace('_', " ")).collect();
        let wanted = words.join(" or ");
        match self.symbols.component(&name.text) {
            Some(declared) if categories.contains(&declared.category) => {
                self.record(
                    name,
                    Meaning::Reference {
                        category: declared.category.clone(),
                    },
                );
                true
            }
            Some(declared) => {
                self.error(
                    codes::TYPE_MISMATCH,
                    name.span.clone(),
                    format!(
                        "`{}` is a {}, expected a {wanted}",
                        name.text,
                        declared.category.replace('_', " ")
                    ),
                    format!("name a {wanted} here"),
                );
                false
            }
            None => {
                let candidates: Vec<&str> = self
                    .symbols
                    .components
                    .iter()
                    .filter(|(_, sites)| {
                        sites
                            .first()
                            .is_some_and(|s| categories.contains(&s.item.category))
                    })
                    .map(|(n, _)| n.as_str())
                    .collect();
                let help = match did_you_mean(&name.text, candidates.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if candidates.is_empty() => format!("declare a {wanted} first"),
                    None => format!("the candidates are {}", all_of(&candidates)),
                };
                self.error(
                    codes::UNKNOWN_REFERENCE,
                    name.span.clone(),
                    format!("there is no {wanted} `{}`", name.text),
                    help,
                );
                false
            }
        }
    }

    fn enum_value(&mut self, name: &str, path: &Path) -> bool {
        let Some(variant) = path.single() else {
            return false;
        };
        let Some(definition) = self.catalogue.enums.get(name) else {
            return false;
        };
        let variants = definition.variant_names();
        if variants.contains(&variant.text.as_str()) {
            self.record(
                variant,
                Meaning::EnumValue {
                    enum_name: name.to_owned(),
                },
            );
            return true;
        }
        let help = match did_you_mean(&variant.text, variants.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? The values are {}", all_of(&variants)),
            None => format!("the values are {}", all_of(&variants)),
        };
        self.error(
            codes::UNKNOWN_ENUM_VALUE,
            variant.span.clone(),
            format!("`{}` is not a valid {}", variant.text, name.replace('_', " ")),
            help,
        );
        false
    }

    fn call(&mut self, produced: &str, name: &Ident, args: &[Value], span: Span) -> bool {
        let Some(function) = self.catalogue.functions.get(&name.text) else {
            let producers: Vec<&str> = self
                .catalogue
                .producers(produced)
                .iter()
                .map(|f| f.name.as_str())
                .collect();
            let all = self.catalogue.functions.keys().map(String::as_str);
            let help = match did_you_mean(&name.text, all) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("here you can call {}", one_of(&producers)),
            };
            self.error(
                codes::UNKNOWN_FUNCTION,
                name.span.clone(),
                format!("there is no function `{}`", name.text),
                help,
            );
            return false;
        };
        self.record(name, Meaning::Function);
        if function.returns != produced {
            let producers: Vec<&str> = self
                .catalogue
                .producers(produced)
                .iter()
                .map(|f| f.name.as_str())
                .collect();
            self.error(
                codes::TYPE_MISMATCH,
                span,
                format!(
                    "`{}(…)` gives {}, but {} is expected here",
                    name.text,
                    crate::catalogue::article(&function.returns.replace('_', " ")),
                    crate::catalogue::article(&produced.replace('_', " ")),
                ),
                format!("here you can call {}", one_of(&producers)),
            );
            return false;
        }
        if args.len() != function.params.len() {
            let signature: Vec<String> = function.params.iter().map(|(p, _)| p.clone()).collect();
            self.error(
                codes::ARGUMENT_COUNT,
                span,
                format!(
                    "`{}` takes {} argument{}, found {}",
                    name.text,
                    function.params.len(),
                    if function.params.len() == 1 { "" } else { "s" },
                    args.len()
                ),
                format!("call it as `{}({})`", name.text, signature.join(", ")),
            );
            return false;
        }
        let mut ok = true;
        for ((_, ty), arg) in function.params.iter().zip(args) {
            ok &= self.value(ty, arg);
        }
        ok
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

/// Whether a value has the outward form of a type (used to pick a union's alternative).
fn shape_fits(ty: &Type, value: &ValueKind) -> bool {
    match (ty, value) {
        (Type::String | Type::Cron | Type::AccountId | Type::Text(_), ValueKind::String(_))
        | (Type::Int { .. }, ValueKind::Number(_))
        | (Type::Bool, ValueKind::Bool(_))
        | (Type::Cidr, ValueKind::Cidr(_))
        | (Type::Prefix, ValueKind::Prefix(_))
        | (Type::List(_), ValueKind::List(_))
        | (Type::Produced(_), ValueKind::Call { .. }) => true,
        (Type::Duration, ValueKind::Quantity { unit, .. }) => unit != "%",
        (Type::Percent, ValueKind::Quantity { unit, .. }) => unit == "%",
        (Type::Metric, ValueKind::Path(p)) => p.segments.len() == 2,
        (Type::Ref(_) | Type::Enum(_), ValueKind::Path(p)) => p.segments.len() == 1,
        (Type::Union(alternatives), _) => alternatives.iter().any(|t| shape_fits(t, value)),
        _ => false,
    }
}

/// What a quoted string would be without its quotes, for "remove the quotes" hints.
fn reparse_unquoted(text: &str) -> ValueKind {
    if text.contains('/') && text.split('.').count() == 4 {
        ValueKind::Cidr(text.to_owned())
    } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        ValueKind::Number(text.to_owned())
    } else {
        ValueKind::String(text.to_owned())
    }
}

/// Words for a value in messages.
fn describe_value(value: &ValueKind) -> String {
    match value {
        ValueKind::String(text) => format!("the string \"{text}\""),
        ValueKind::Number(n) => format!("the number `{n}`"),
        ValueKind::Bool(b) => format!("`{b}`"),
        ValueKind::Cidr(c) => format!("the CIDR block `{c}`"),
        ValueKind::Prefix(p) => format!("the prefix length `/{p}`"),
        ValueKind::Quantity { amount, unit } => format!("`{amount}{unit}`"),
        ValueKind::List(_) => "a list".to_owned(),
        ValueKind::Call { name, .. } => format!("a call of `{}`", name.text),
        ValueKind::Path(path) => format!("the name `{}`", path.dotted()),
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
