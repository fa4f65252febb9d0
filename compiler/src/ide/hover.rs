//! Hover: what a name means, in Markdown, from what the checker resolved it to. A kind
//! (`fargate`) shows its stdlib doc and fields; a field (`port`, `min` in `scale { … }`, a
//! segment of an override path) its type, default and doc; an enum value, a function or a
//! metric its doc; a component, tier or environment name its declaration and `///` doc, and a
//! tier its allocated subnets per environment; a flow the security-group rules it becomes in
//! each environment.

use std::fmt::Write as _;

use crate::catalogue::{Catalogue, catalogue};
use crate::db::{Db, SourceFile, Workspace};
use crate::ir::Peer;
use crate::semantics::Meaning;
use crate::syntax::ast::{Decl, Member, MemberKind, Span, Value, ValueKind};

use super::complete::{Edges, members_at};
use super::navigate;

/// The hover text at `offset` of `file`, and the span it describes: for a name, from what the
/// checker resolved it to (`crate::semantics`); for a flow, from the rules it became.
pub fn hover(db: &dyn Db, workspace: Workspace, file: SourceFile, offset: usize) -> Option<(String, Span)> {
    let catalogue = catalogue(db, workspace);
    let names = crate::types::file_names(db, workspace, file);
    if let Some(name) = names.iter().find(|n| contains(&n.span, offset)) {
        let text = match &name.meaning {
            Meaning::Kind => kind_doc(catalogue, &name.name),
            Meaning::Field { owner } => field_doc(catalogue, owner, &name.name),
            Meaning::EnumValue { enum_name } => enum_doc(catalogue, enum_name, &name.name),
            Meaning::Function => function_doc(catalogue, &name.name),
            Meaning::Metric { kind } => metric_doc(catalogue, kind, &name.name),
            Meaning::Declaration { .. } | Meaning::Reference { .. } => {
                let found = navigate::find(db, workspace, file, offset);
                let declaration = found
                    .first()
                    .filter(|o| o.is_declaration() && o.namespace == navigate::Namespace::Declared)?;
                declaration_doc(db, workspace, catalogue, declaration)
            }
            Meaning::Internet | Meaning::Key => None,
        };
        if let Some(text) = text {
            return Some((text, name.span.clone()));
        }
    }
    let stack = members_at(db, file, offset, Edges::Inclusive);
    let innermost = stack.last()?;
    if let MemberKind::Flow { .. } = &innermost.kind {
        return Some((
            flow_doc(db, workspace, file, &innermost.span)?,
            innermost.span.clone(),
        ));
    }
    None
}

fn contains(span: &Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

fn decl_of(member: &Member) -> Option<&Decl> {
    match &member.kind {
        MemberKind::Decl(decl) => Some(decl),
        _ => None,
    }
}

fn kind_doc(catalogue: &Catalogue, name: &str) -> Option<String> {
    let kind = catalogue.kinds.get(name)?;
    let mut text = format!("```arch\n{} : {}\n```\n", kind.category, kind.name);
    if let Some(doc) = &kind.doc {
        let _ = write!(text, "\n{doc}\n");
    }
    if !kind.schema.fields.is_empty() {
        text.push_str("\n| field | type | default |\n|---|---|---|\n");
        for field in &kind.schema.fields {
            let default = match (&field.default, field.required) {
                (Some(value), _) => format!("`{}`", value_text(value)),
                (None, true) => "required".to_owned(),
                (None, false) => String::new(),
            };
            let _ = writeln!(
                text,
                "| `{}` | {} | {default} |",
                field.name,
                catalogue.describe(&field.ty)
            );
        }
    }
    Some(text)
}

/// A field of a kind (`port` of `fargate`) or of a block (`min` of `scale`).
fn field_doc(catalogue: &Catalogue, owner: &str, name: &str) -> Option<String> {
    let schema = match catalogue.kinds.get(owner) {
        Some(kind) => &kind.schema,
        None => catalogue.block(owner)?,
    };
    let field = schema.field(name)?;
    let mut text = format!(
        "```arch\n{name} = …\n```\n{} of `{owner}`: {}",
        field_word(field.required),
        catalogue.describe(&field.ty)
    );
    if let Some(value) = &field.default {
        let _ = write!(text, "; default `{}`", value_text(value));
    }
    text.push('\n');
    if let Some(doc) = &field.doc {
        let _ = write!(text, "\n{doc}\n");
    }
    Some(text)
}

/// A member of a stdlib enum, with its doc and its siblings.
fn enum_doc(catalogue: &Catalogue, enum_name: &str, name: &str) -> Option<String> {
    let definition = catalogue.enums.get(enum_name)?;
    let (_, doc) = definition.variants.iter().find(|(v, _)| v == name)?;
    let mut text = format!(
        "```arch\n{name}\n```\nOne of `{enum_name}`: {}\n",
        definition.variant_names().join(", ")
    );
    if let Some(doc) = doc {
        let _ = write!(text, "\n{doc}\n");
    }
    Some(text)
}

/// A stdlib function's signature and doc.
fn function_doc(catalogue: &Catalogue, name: &str) -> Option<String> {
    let function = catalogue.functions.get(name)?;
    let params: Vec<&str> = function.params.iter().map(|(param, _)| param.as_str()).collect();
    let mut text = format!(
        "```arch\nfn {name}({}) -> {}\n```\n",
        params.join(", "),
        function.returns
    );
    for (param, ty) in &function.params {
        let _ = writeln!(text, "- `{param}`: {}", catalogue.describe(ty));
    }
    if let Some(doc) = &function.doc {
        let _ = write!(text, "\n{doc}\n");
    }
    Some(text)
}

/// A metric of a kind (`cpu` of `fargate`).
fn metric_doc(catalogue: &Catalogue, kind: &str, name: &str) -> Option<String> {
    let (_, doc) = catalogue
        .kinds
        .get(kind)?
        .metrics
        .iter()
        .find(|(m, _)| m == name)?;
    let mut text = format!("```arch\n{name}\n```\nMetric of `{kind}`\n");
    if let Some(doc) = doc {
        let _ = write!(text, "\n{doc}\n");
    }
    Some(text)
}

fn field_word(required: bool) -> &'static str {
    if required { "Required field" } else { "Field" }
}

fn declaration_doc(
    db: &dyn Db,
    workspace: Workspace,
    catalogue: &Catalogue,
    declaration: &navigate::Occurrence,
) -> Option<String> {
    let ast = &crate::syntax::parse(db, declaration.file).ast;
    let member = find_decl(&ast.members, &declaration.span)?;
    let decl = decl_of(member)?;
    let mut head = format!("{} {}", decl.keyword.text, decl.name.text);
    if let Some(kind) = &decl.kind {
        let _ = write!(head, " : {}", kind.text);
    }
    if let Some(tier) = &decl.tier {
        let _ = write!(head, " in {}", tier.text);
    }
    let mut text = format!("```arch\n{head}\n```\n");
    if let Some(doc) = &member.doc {
        let _ = write!(text, "\n{}\n", doc.trim());
    }
    if let Some(kind) = catalogue.kind_of(&decl.keyword.text, decl.kind.as_ref().map(|k| k.text.as_str()))
        && let Some(doc) = &kind.doc
        && let Some(first) = doc.lines().next()
    {
        let _ = write!(text, "\n`{}`: {first}\n", kind.name);
    }
    if decl.keyword.text == "tier"
        && let Some(ir) = crate::check::lowered(db, workspace)
    {
        text.push('\n');
        for env in &ir.envs {
            if let Some(tier) = env.tiers.iter().find(|t| t.name == decl.name.text) {
                let subnets: Vec<String> = tier
                    .subnets
                    .iter()
                    .map(|s| format!("`{}` ({})", s.cidr, s.zone))
                    .collect();
                let _ = writeln!(text, "- {}: {}", env.name, subnets.join(", "));
            }
        }
    }
    Some(text)
}

fn find_decl<'a>(members: &'a [Member], name_span: &Span) -> Option<&'a Member> {
    for member in members {
        let body = match &member.kind {
            MemberKind::Decl(decl) if decl.name.span == *name_span => return Some(member),
            MemberKind::Decl(decl) => &decl.body.members,
            MemberKind::Block { body, .. } => &body.members,
            _ => continue,
        };
        if let Some(found) = find_decl(body, name_span) {
            return Some(found);
        }
    }
    None
}

/// The security-group rules a flow became, or for a grant its IAM statements, per environment.
fn flow_doc(db: &dyn Db, workspace: Workspace, file: SourceFile, span: &Span) -> Option<String> {
    let ir = crate::check::lowered(db, workspace)?;
    let inside = |origin: &crate::span::Origin| {
        origin.file == file && origin.span.start >= span.start && origin.span.end <= span.end
    };
    let mut grants = String::new();
    for env in &ir.envs {
        for grant in env.grants.iter().filter(|g| inside(&g.origin)) {
            for statement in &grant.statements {
                let _ = writeln!(
                    grants,
                    "- {}: role `{}` may `{}` on `{}`{}",
                    env.name,
                    crate::naming::physical(
                        &ir.system,
                        &env.name,
                        &format!("{}-task", env.physical(&grant.from))
                    ),
                    statement.actions.join("`, `"),
                    statement.resource.arn(&ir.system, env),
                    statement
                        .condition
                        .map_or_else(String::new, |c| format!(" {}", c.describe(env)))
                );
            }
            let _ = writeln!(
                grants,
                "- {}: `{}` = `{}` in the tasks' environment",
                env.name,
                grant.variable,
                grant.location(&ir.system, env)
            );
        }
    }
    let mut text = String::from("Security-group rules from this flow:\n\n");
    let mut any = false;
    for env in &ir.envs {
        let ingress = env.ingress_rules.iter().map(|r| (r, "from"));
        let egress = env.egress_rules.iter().map(|r| (r, "to"));
        for (rule, direction) in ingress.chain(egress) {
            if rule.origin.file == file
                && rule.origin.span.start >= span.start
                && rule.origin.span.end <= span.end
            {
                let peer = match &rule.peer {
                    Peer::SecurityGroup(group) => format!("security group `{group}`"),
                    Peer::PrefixList(list) => format!("prefix list `{list}`"),
                    Peer::Cidr(cidr) => format!("`{cidr}`"),
                    Peer::Connection(name) => format!("the address ranges of connection `{name}`"),
                };
                let verb = if direction == "from" { "ingress" } else { "egress" };
                let _ = writeln!(
                    text,
                    "- {}: `{}` {verb} TCP {} {direction} {peer}",
                    env.name, rule.group, rule.port
                );
                any = true;
            }
        }
    }
    let grants = (!grants.is_empty())
        .then(|| format!("IAM statements from this flow (on the task role of its source):\n\n{grants}"));
    match (any, grants) {
        (true, Some(grants)) => Some(format!("{text}\n{grants}")),
        (true, None) => Some(text),
        (false, grants) => grants,
    }
}

/// A stdlib default as written: `8080`, `true`, `60s`, `internet_only`.
fn value_text(value: &Value) -> String {
    match &value.kind {
        ValueKind::String(s) => format!("\"{s}\""),
        ValueKind::Number(n) => n.clone(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Cidr(c) => c.clone(),
        ValueKind::Prefix(p) => format!("/{p}"),
        ValueKind::Quantity { amount, unit } => format!("{amount}{unit}"),
        ValueKind::List(items) => {
            format!(
                "[{}]",
                items.iter().map(value_text).collect::<Vec<_>>().join(", ")
            )
        }
        ValueKind::Call { name, args } => {
            format!(
                "{}({})",
                name.text,
                args.iter().map(value_text).collect::<Vec<_>>().join(", ")
            )
        }
        ValueKind::Path(path) => path
            .segments
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("."),
    }
}
