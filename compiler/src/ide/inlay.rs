//! Inlay hints: what a file means per environment, next to where it is written.
//!
//! - after each tier's name, its allocated subnets in each environment (from the IR, so only
//!   when the workspace has no errors);
//! - after a component field that an environment overrides, that environment's value
//!   (`stg: 1`); an override of a field the component leaves at its default is shown at the
//!   end of the component's head (`stg: instance_class = "db.t4g.medium"`).

use std::collections::BTreeMap;

use crate::db::{Db, SourceFile, Workspace};
use crate::syntax::ast::{Body, Member, MemberKind};

/// One hint: a label shown at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub offset: usize,
    pub label: String,
}

/// An environment's override of one component field: `(component, field path)` → `(env, value)`.
type Overrides = BTreeMap<(String, String), Vec<(String, String)>>;

pub fn hints(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<Hint> {
    let overrides = overrides(db, workspace);
    let ast = &crate::syntax::parse(db, file).ast;
    let mut hints = Vec::new();
    let tiers = tier_subnets(db, workspace);
    walk_decls(&ast.members, &mut |member| {
        let MemberKind::Decl(decl) = &member.kind else {
            return;
        };
        // The end of the head: `service api : fargate in container▮ {`.
        let head_end = [Some(&decl.name), decl.kind.as_ref(), decl.tier.as_ref()]
            .into_iter()
            .flatten()
            .map(|ident| ident.span.end)
            .max()
            .unwrap_or(decl.name.span.end);
        if decl.keyword.text == "tier" {
            if let Some(label) = tiers.get(&decl.name.text) {
                hints.push(Hint {
                    offset: head_end,
                    label: label.clone(),
                });
            }
            return;
        }
        let mut written = Vec::new();
        fields(&decl.body, "", &mut |field, end| written.push((field, end)));
        for ((component, field), values) in overrides.range((decl.name.text.clone(), String::new())..) {
            if *component != decl.name.text {
                break;
            }
            let at = written.iter().find(|(f, _)| f == field).map(|(_, end)| *end);
            for (env, value) in values {
                let (offset, label) = match at {
                    Some(end) => (end, format!("{env}: {value}")),
                    None => (head_end, format!("{env}: {field} = {value}")),
                };
                hints.push(Hint { offset, label });
            }
        }
    });
    hints.sort_by_key(|h| h.offset);
    hints
}

/// Calls `f` on every member under `members` that may be a declaration, depth first.
fn walk_decls<'a>(members: &'a [Member], f: &mut impl FnMut(&'a Member)) {
    for member in members {
        f(member);
        match &member.kind {
            MemberKind::Decl(decl) if decl.keyword.text == "system" => walk_decls(&decl.body.members, f),
            MemberKind::Block { body, .. } => walk_decls(&body.members, f),
            _ => {}
        }
    }
}

/// The attributes set in a body, as dotted field paths with the end of their value.
fn fields(body: &Body, prefix: &str, f: &mut impl FnMut(String, usize)) {
    for member in &body.members {
        match &member.kind {
            MemberKind::Attribute { path, value } => f(join(prefix, &dotted(path)), value.span.end),
            MemberKind::Block { path, body } => fields(body, &join(prefix, &dotted(path)), f),
            _ => {}
        }
    }
}

fn dotted(path: &crate::syntax::ast::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Every environment's component overrides in the workspace.
fn overrides(db: &dyn Db, workspace: Workspace) -> Overrides {
    let mut out = Overrides::new();
    for &file in workspace.files(db) {
        let text = file.text(db);
        for member in &crate::syntax::parse(db, file).ast.members {
            let MemberKind::Decl(env) = &member.kind else {
                continue;
            };
            if env.keyword.text != "env" {
                continue;
            }
            let mut found = Vec::new();
            collect_overrides(&env.body, "", text, &mut found);
            for (path, value) in found {
                if let Some((component, field)) = path.split_once('.') {
                    out.entry((component.to_owned(), field.to_owned()))
                        .or_default()
                        .push((env.name.text.clone(), value));
                }
            }
        }
    }
    out
}

fn collect_overrides(body: &Body, prefix: &str, text: &str, out: &mut Vec<(String, String)>) {
    for member in &body.members {
        match &member.kind {
            MemberKind::Attribute { path, value } => {
                let written = text.get(value.span.clone()).unwrap_or_default().to_owned();
                out.push((join(prefix, &dotted(path)), written));
            }
            MemberKind::Block { path, body } => {
                collect_overrides(body, &join(prefix, &dotted(path)), text, out)
            }
            _ => {}
        }
    }
}

/// Each tier's subnets per environment, as one label (only for a workspace without errors).
fn tier_subnets(db: &dyn Db, workspace: Workspace) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(ir) = crate::check::lowered(db, workspace) {
        for env in &ir.envs {
            for tier in &env.tiers {
                let cidrs: Vec<String> = tier.subnets.iter().map(|s| s.cidr.to_string()).collect();
                out.entry(tier.name.clone())
                    .or_default()
                    .push(format!("{}: {}", env.name, cidrs.join(" ")));
            }
        }
    }
    out.into_iter()
        .map(|(tier, envs)| (tier, envs.join(" · ")))
        .collect()
}
