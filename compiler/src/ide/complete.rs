//! Completion: what may be typed at the cursor, from the stdlib catalogue and the workspace's
//! declarations. It reads the line up to the cursor (so it works on half-typed, unparsable
//! text) and the members around the cursor (for the schema that applies there):
//!
//! - after `service api :` the kinds of that category; after `… in` the tiers;
//! - after `flow` and `flow a ->` the components and `internet`; after `flow a -> b :` the
//!   access levels `b` takes (a bucket, a topic) or the protocols; after `route "…" ->` the
//!   components;
//! - at the start of a line the fields of the enclosing kind or block not yet set (and in a
//!   system its categories, in `network` its tiers' keyword, in an environment the components
//!   whose settings it may override);
//! - in an environment, after `api.` or `api.scale.` the fields of the component's kind or of
//!   that block;
//! - after `field =` the values of the field's type: enum values, components of the categories
//!   it names, `true`/`false`, or the functions that produce it.

use crate::catalogue::{Catalogue, Schema, Type, catalogue};
use crate::db::{Db, SourceFile, Workspace};
use crate::format::{Token, tokens};
use crate::resolve::ENV_KEYWORD;
use crate::syntax::ast::{Member, MemberKind};

use super::navigate;

/// The declared components whose category passes a filter.
type Components<'a> = &'a dyn Fn(&dyn Fn(&str) -> bool) -> Vec<Item>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Keyword,
    Kind,
    Field,
    Component,
    Value,
    Function,
}

/// One proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub what: What,
    /// A short description: a field's type, a component's kind.
    pub detail: Option<String>,
    pub doc: Option<String>,
}

impl Item {
    fn new(label: impl Into<String>, what: What, detail: Option<String>, doc: Option<&String>) -> Self {
        Self {
            label: label.into(),
            what,
            detail,
            doc: doc.cloned(),
        }
    }
}

pub fn complete(db: &dyn Db, workspace: Workspace, file: SourceFile, offset: usize) -> Vec<Item> {
    let text = file.text(db);
    let offset = offset.min(text.len());
    let line_start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |at| at + 1);
    let mut before = tokens(text.get(line_start..offset).unwrap_or_default());
    // The word being typed is what the editor filters by, not context.
    if text
        .get(..offset)
        .and_then(|t| t.chars().last())
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        before.pop();
    }
    let catalogue = catalogue(db, workspace);
    let declared = navigate::declarations(db, workspace);
    let line = text.get(line_start..offset).unwrap_or_default();
    if let Some(path) = override_path(line) {
        let in_env = members_at(db, file, offset, Edges::Strict)
            .iter()
            .any(|m| matches!(&m.kind, MemberKind::Decl(d) if d.keyword.text == ENV_KEYWORD));
        let schema = in_env
            .then(|| override_schema(catalogue, &declared, &path))
            .flatten();
        return fields(catalogue, schema);
    }
    let components = |categories: &dyn Fn(&str) -> bool| -> Vec<Item> {
        declared
            .iter()
            .filter(|o| o.declared_as.as_deref().is_some_and(categories))
            .map(|o| Item::new(o.name.clone(), What::Component, o.declared_as.clone(), None))
            .collect()
    };
    let is_component = |keyword: &str| {
        catalogue
            .categories
            .get(keyword)
            .is_some_and(|c| c.scope == "system")
    };
    match before.as_slice() {
        [Token::Word(keyword), Token::Word(_), Token::Punct(':')] => catalogue
            .kinds
            .values()
            .filter(|kind| kind.category == *keyword)
            .map(|kind| {
                Item::new(
                    kind.name.clone(),
                    What::Kind,
                    Some(kind.category.clone()),
                    kind.doc.as_ref(),
                )
            })
            .collect(),
        [Token::Word(_), Token::Word(_), .., Token::Word(kw)] if kw == "in" => components(&|k| k == "tier"),
        [Token::Word(kw)] | [Token::Word(kw), Token::Word(_), Token::Arrow] if kw == "flow" => {
            let mut items = components(&is_component);
            items.push(Item::new(
                crate::resolve::INTERNET,
                What::Keyword,
                Some("the internet, outside the VPC".to_owned()),
                None,
            ));
            items
        }
        [Token::Word(kw), Token::Str(_), Token::Arrow] if kw == "route" => components(&is_component),
        // `flow api -> uploads : ` (or inside `[read, `): the access levels the target's
        // category takes, or the protocols of a flow in the network.
        [
            Token::Word(kw),
            Token::Word(_),
            Token::Arrow,
            Token::Word(target),
            Token::Punct(':'),
            rest @ ..,
        ] if kw == "flow"
            && rest
                .iter()
                .all(|t| matches!(t, Token::Punct('[' | ',') | Token::Word(_))) =>
        {
            flow_values(catalogue, &declared, target, &components)
        }
        [.., Token::Word(key), Token::Punct('=')] => {
            let stack = members_at(db, file, offset, Edges::Strict);
            let enclosing = schema_at(catalogue, &declared, &stack);
            // `alarm x { notify = ` or `scale { min = 1  max = `: the schema opened on this line.
            let schema = match before.iter().rposition(|t| *t == Token::Punct('{')) {
                Some(open) => head_schema(catalogue, enclosing, before.get(..open).unwrap_or_default()),
                None => enclosing,
            };
            match schema.and_then(|schema| schema.field(key)) {
                Some(field) => values(catalogue, &field.ty, &components),
                None => Vec::new(),
            }
        }
        [] => {
            let stack = members_at(db, file, offset, Edges::Strict);
            line_start_items(catalogue, &stack, &declared, &components, &is_component)
        }
        // `scale { ` or, in an environment, `api.scale { `: the fields of the block it opens.
        [head @ .., Token::Punct('{')] => {
            let stack = members_at(db, file, offset, Edges::Strict);
            // Parsed (the block is closed): the innermost member is the block this line opens.
            let parsed = stack.last().is_some_and(|m| m.span.start >= line_start);
            let schema = match head {
                _ if parsed => schema_at(catalogue, &declared, &stack),
                [Token::Word(path)] if path.contains('.') => {
                    let path: Vec<&str> = path.split('.').collect();
                    override_schema(catalogue, &declared, &path)
                }
                _ => head_schema(catalogue, schema_at(catalogue, &declared, &stack), head),
            };
            fields(catalogue, schema)
        }
        _ => Vec::new(),
    }
}

/// What may follow `flow <from> -> <target> :`.
fn flow_values(
    catalogue: &Catalogue,
    declared: &[&navigate::Occurrence],
    target: &str,
    components: Components,
) -> Vec<Item> {
    let category = declared
        .iter()
        .find(|o| o.name == target && o.declared_as.is_some())
        .and_then(|o| o.declared_as.as_deref())
        .and_then(|keyword| catalogue.categories.get(keyword));
    let schema = catalogue.block(crate::catalogue::FLOW_BLOCK);
    match category.filter(|c| !c.access.is_empty()) {
        Some(category) => catalogue
            .enums
            .get(crate::catalogue::ACCESS_ENUM)
            .map(|access| {
                access
                    .variants
                    .iter()
                    .filter(|(level, _)| category.access.contains(level))
                    .map(|(level, doc)| {
                        Item::new(
                            level.clone(),
                            What::Value,
                            Some(access.name.clone()),
                            doc.as_ref(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        None => schema
            .and_then(|s| s.field("protocol"))
            .map(|field| values(catalogue, &field.ty, components))
            .unwrap_or_default(),
    }
}

/// The complete segments of an override path being typed alone on its line: `api.` and
/// `api.sc` give `["api"]`, `api.scale.` gives `["api", "scale"]`.
fn override_path(line: &str) -> Option<Vec<&str>> {
    let typed = line.trim_start();
    let path = typed.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let path = path.strip_suffix('.')?;
    let segments: Vec<&str> = path.split('.').collect();
    let is_name = |s: &&str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    segments.iter().all(is_name).then_some(segments)
}

/// The schema an override path leads to: the component's kind, then each block field along
/// the path (`api.scale` → the `scaling` block).
fn override_schema<'a>(
    catalogue: &'a Catalogue,
    declared: &[&navigate::Occurrence],
    path: &[&str],
) -> Option<&'a Schema> {
    let (component, fields) = path.split_first()?;
    let mut schema = component_schema(catalogue, declared, component);
    for field in fields {
        schema = match &schema?.field(field)?.ty {
            Type::Block(name) => catalogue.block(name),
            _ => None,
        };
    }
    schema
}

/// Every field of a schema, as items.
fn fields(catalogue: &Catalogue, schema: Option<&Schema>) -> Vec<Item> {
    schema
        .map(|schema| {
            schema
                .fields
                .iter()
                .map(|field| field_item(catalogue, field))
                .collect()
        })
        .unwrap_or_default()
}

fn field_item(catalogue: &Catalogue, field: &crate::catalogue::Field) -> Item {
    Item::new(
        field.name.clone(),
        What::Field,
        Some(catalogue.describe(&field.ty)),
        field.doc.as_ref(),
    )
}

/// The members around `offset`, outermost first. `Strict` excludes a member's edges (the
/// cursor after `}` is outside); `Inclusive` counts them (hovering a member's first letter).
pub(crate) fn members_at(db: &dyn Db, file: SourceFile, offset: usize, edges: Edges) -> Vec<&Member> {
    let ast = &crate::syntax::parse(db, file).ast;
    let mut stack = Vec::new();
    let mut members = &ast.members;
    let inside = |m: &&Member| match edges {
        Edges::Strict => m.span.start < offset && offset < m.span.end,
        Edges::Inclusive => m.span.start <= offset && offset <= m.span.end,
    };
    while let Some(member) = members.iter().find(inside) {
        stack.push(member);
        members = match &member.kind {
            MemberKind::Decl(decl) => &decl.body.members,
            MemberKind::Block { body, .. } => &body.members,
            MemberKind::Route { body: Some(body), .. } => &body.members,
            _ => break,
        };
    }
    stack
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edges {
    Strict,
    Inclusive,
}

/// The schema that applies inside the innermost member of `stack`.
pub(crate) fn schema_at<'a>(
    catalogue: &'a Catalogue,
    declared: &[&navigate::Occurrence],
    stack: &[&Member],
) -> Option<&'a Schema> {
    let mut schema: Option<&Schema> = None;
    for member in stack {
        schema = match &member.kind {
            MemberKind::Decl(decl) if decl.keyword.text == "system" || decl.keyword.text == "env" => {
                catalogue.block(&decl.keyword.text)
            }
            MemberKind::Decl(decl) => kind_schema(
                catalogue,
                &decl.keyword.text,
                decl.kind.as_ref().map(|k| k.text.as_str()),
            ),
            MemberKind::Block { path, .. } => {
                let mut segments = path.segments.iter();
                // In an environment, `api.scale { … }` starts from the component's kind.
                let mut current = match (path.segments.len() > 1, path.segments.first()) {
                    (true, Some(first)) => {
                        segments.next();
                        component_schema(catalogue, declared, &first.text)
                    }
                    _ => schema,
                };
                for segment in segments {
                    current = match &current?.field(&segment.text)?.ty {
                        Type::Block(name) => catalogue.block(name),
                        _ => None,
                    };
                }
                current
            }
            MemberKind::Route { .. } => catalogue.block("route"),
            _ => None,
        };
    }
    schema
}

/// The schema a `{` opens after `head` on the same line: a declaration's kind, or a block
/// field of the enclosing schema.
fn head_schema<'a>(
    catalogue: &'a Catalogue,
    enclosing: Option<&'a Schema>,
    head: &[Token],
) -> Option<&'a Schema> {
    match head {
        [Token::Word(field)] => match &enclosing?.field(field)?.ty {
            Type::Block(name) => catalogue.block(name),
            _ => None,
        },
        [Token::Word(keyword), Token::Word(_), rest @ ..] => {
            let kind = match rest {
                [Token::Punct(':'), Token::Word(kind), ..] => Some(kind.as_str()),
                _ => None,
            };
            kind_schema(catalogue, keyword, kind)
        }
        _ => None,
    }
}

/// The schema of a declared component's kind.
fn component_schema<'a>(
    catalogue: &'a Catalogue,
    declared: &[&navigate::Occurrence],
    name: &str,
) -> Option<&'a Schema> {
    let declaration = declared.iter().find(|o| o.name == name && o.is_declaration())?;
    kind_schema(
        catalogue,
        declaration.declared_as.as_deref()?,
        declaration.kind.as_deref(),
    )
}

fn kind_schema<'a>(catalogue: &'a Catalogue, keyword: &str, kind: Option<&str>) -> Option<&'a Schema> {
    Some(&catalogue.kind_of(keyword, kind)?.schema)
}

fn line_start_items(
    catalogue: &Catalogue,
    stack: &[&Member],
    declared: &[&navigate::Occurrence],
    components: Components,
    is_component: &dyn Fn(&str) -> bool,
) -> Vec<Item> {
    let mut items = Vec::new();
    let innermost = stack.last();
    if let Some(schema) = schema_at(catalogue, declared, stack) {
        let set: Vec<&str> = match innermost.map(|m| &m.kind) {
            Some(MemberKind::Decl(decl)) => members_set(&decl.body.members),
            Some(MemberKind::Block { body, .. }) => members_set(&body.members),
            _ => Vec::new(),
        };
        for field in schema.fields.iter().filter(|f| !set.contains(&f.name.as_str())) {
            items.push(field_item(catalogue, field));
        }
    }
    let scope = match innermost.map(|m| &m.kind) {
        None => Some("top"),
        Some(MemberKind::Decl(decl)) if decl.keyword.text == "system" => Some("system"),
        Some(MemberKind::Block { path, .. })
            if path.segments.len() == 1 && path.segments.iter().any(|s| s.text == "network") =>
        {
            Some("network")
        }
        Some(MemberKind::Decl(decl)) if decl.keyword.text == "env" => {
            items.extend(components(is_component));
            None
        }
        _ => None,
    };
    match scope {
        Some("top") => {
            for keyword in ["system", "env"] {
                items.push(Item::new(keyword, What::Keyword, None, None));
            }
        }
        Some(scope) => {
            for category in catalogue.categories.values().filter(|c| c.scope == scope) {
                items.push(Item::new(
                    category.name.clone(),
                    What::Keyword,
                    None,
                    category.doc.as_ref(),
                ));
            }
            if scope == "system" {
                items.push(Item::new("flow", What::Keyword, None, None));
            }
        }
        None => {}
    }
    items
}

/// The names already set in a body.
pub(crate) fn members_set(members: &[Member]) -> Vec<&str> {
    members
        .iter()
        .filter_map(|m| match &m.kind {
            MemberKind::Attribute { path, .. } | MemberKind::Block { path, .. }
                if path.segments.len() == 1 =>
            {
                path.segments.first().map(|s| s.text.as_str())
            }
            _ => None,
        })
        .collect()
}

/// The values a field of type `ty` may take.
fn values(catalogue: &Catalogue, ty: &Type, components: Components) -> Vec<Item> {
    match ty {
        Type::Enum(name) => catalogue
            .enums
            .get(name)
            .map(|e| {
                e.variants
                    .iter()
                    .map(|(variant, doc)| {
                        Item::new(variant.clone(), What::Value, Some(name.clone()), doc.as_ref())
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Type::Ref(categories) => components(&|k| categories.iter().any(|c| c == k)),
        Type::Bool => ["true", "false"]
            .into_iter()
            .map(|b| Item::new(b, What::Value, None, None))
            .collect(),
        Type::Metric => components(&|k| catalogue.categories.get(k).is_some_and(|c| c.scope == "system")),
        Type::Produced(name) => catalogue
            .producers(name)
            .into_iter()
            .map(|f| {
                Item::new(
                    f.name.clone(),
                    What::Function,
                    Some(format!("→ {}", f.returns)),
                    f.doc.as_ref(),
                )
            })
            .collect(),
        Type::Union(alternatives) => alternatives
            .iter()
            .flat_map(|t| values(catalogue, t, components))
            .collect(),
        Type::List(inner) => values(catalogue, inner, components),
        _ => Vec::new(),
    }
}
