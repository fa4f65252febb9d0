//! Name resolution: which names each file declares, and the workspace's symbol table.
//!
//! `file_symbols` records names without spans, so an edit that only moves text (or changes a
//! field value) leaves it equal, salsa backdates it, and the checks of the other files are
//! reused. Spans are looked up again only when a diagnostic needs one (`find_declaration`).

use std::collections::BTreeMap;

use crate::db::{Db, SourceFile, Workspace};
use crate::syntax::ast::{Decl, Member, MemberKind, Span};
use crate::syntax::parse;

/// The keyword of the one system block (`system webapp { … }`).
pub const SYSTEM_KEYWORD: &str = "system";
/// The keyword of environment blocks (`env prd { … }`).
pub const ENV_KEYWORD: &str = "env";
/// The block inside `system` that holds the tiers.
pub const NETWORK_BLOCK: &str = "network";
/// The pseudo-endpoint for flows to or from the internet.
pub const INTERNET: &str = "internet";

/// A component or tier declared in a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Declared {
    pub name: String,
    /// The declaring keyword: `service`, `tier`, …
    pub category: String,
    /// The kind as written, if any (`fargate`); defaults are the checker's business.
    pub kind: Option<String>,
    /// The tier it is placed in (`in container`), if any.
    pub tier: Option<String>,
}

/// What one file declares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FileSymbols {
    pub systems: Vec<String>,
    pub envs: Vec<String>,
    /// Components (system body) and tiers (network block), in source order.
    pub components: Vec<Declared>,
    /// Field names set directly in `system` bodies (they may be split across files).
    pub system_fields: Vec<String>,
}

#[salsa::tracked(returns(ref))]
pub fn file_symbols(db: &dyn Db, file: SourceFile) -> FileSymbols {
    let mut symbols = FileSymbols::default();
    for member in &parse(db, file).ast.members {
        let MemberKind::Decl(decl) = &member.kind else {
            continue;
        };
        match decl.keyword.text.as_str() {
            SYSTEM_KEYWORD => {
                symbols.systems.push(decl.name.text.clone());
                for inner in &decl.body.members {
                    match &inner.kind {
                        MemberKind::Decl(component) => symbols.components.push(declared(component)),
                        MemberKind::Attribute { path, .. } => symbols.system_fields.push(path.dotted()),
                        MemberKind::Block { path, body } => {
                            symbols.system_fields.push(path.dotted());
                            if path.dotted() == NETWORK_BLOCK {
                                symbols.components.extend(body.members.iter().filter_map(
                                    |m| match &m.kind {
                                        MemberKind::Decl(tier) => Some(declared(tier)),
                                        _ => None,
                                    },
                                ));
                            }
                        }
                        _ => {}
                    }
                }
            }
            ENV_KEYWORD => symbols.envs.push(decl.name.text.clone()),
            _ => {}
        }
    }
    symbols
}

fn declared(decl: &Decl) -> Declared {
    Declared {
        name: decl.name.text.clone(),
        category: decl.keyword.text.clone(),
        kind: decl.kind.as_ref().map(|k| k.text.clone()),
        tier: decl.tier.as_ref().map(|t| t.text.clone()),
    }
}

/// Where a name is declared: the file, and which declaration of that name in the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Site<T> {
    pub file: SourceFile,
    /// 0 for the first declaration of this name in `file`, 1 for the second, …
    pub ordinal: usize,
    pub item: T,
}

/// Every name in the workspace, each with all its declarations in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SymbolTable {
    pub systems: Vec<Site<String>>,
    pub envs: BTreeMap<String, Vec<Site<()>>>,
    pub components: BTreeMap<String, Vec<Site<Declared>>>,
    pub system_fields: BTreeMap<String, Vec<Site<()>>>,
}

impl SymbolTable {
    /// The first declaration of a component or tier.
    pub fn component(&self, name: &str) -> Option<&Declared> {
        self.components.get(name)?.first().map(|site| &site.item)
    }

    /// Component (not tier) names, for suggestions.
    pub fn component_names(&self) -> impl Iterator<Item = &str> {
        self.components
            .iter()
            .filter(|(_, sites)| sites.first().is_some_and(|s| s.item.category != "tier"))
            .map(|(name, _)| name.as_str())
    }

    pub fn tier_names(&self) -> impl Iterator<Item = &str> {
        self.components
            .iter()
            .filter(|(_, sites)| sites.first().is_some_and(|s| s.item.category == "tier"))
            .map(|(name, _)| name.as_str())
    }
}

#[salsa::tracked(returns(ref))]
pub fn workspace_symbols(db: &dyn Db, workspace: Workspace) -> SymbolTable {
    let mut table = SymbolTable::default();
    for &file in workspace.files(db) {
        let symbols = file_symbols(db, file);
        let mut counts: BTreeMap<(u8, String), usize> = BTreeMap::new();
        let mut next = |space: u8, name: &str| {
            let n = counts.entry((space, name.to_owned())).or_default();
            *n += 1;
            *n - 1
        };
        for name in &symbols.systems {
            let ordinal = next(0, name);
            table.systems.push(Site {
                file,
                ordinal,
                item: name.clone(),
            });
        }
        for name in &symbols.envs {
            let ordinal = next(1, name);
            table.envs.entry(name.clone()).or_default().push(Site {
                file,
                ordinal,
                item: (),
            });
        }
        for declared in &symbols.components {
            let ordinal = next(2, &declared.name);
            table
                .components
                .entry(declared.name.clone())
                .or_default()
                .push(Site {
                    file,
                    ordinal,
                    item: declared.clone(),
                });
        }
        for field in &symbols.system_fields {
            let ordinal = next(3, field);
            table.system_fields.entry(field.clone()).or_default().push(Site {
                file,
                ordinal,
                item: (),
            });
        }
    }
    table
}

/// Which declaration to find with `find_declaration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    System,
    Env,
    Component,
    SystemField,
}

/// The span of the `ordinal`-th declaration of `name` in `file` (its name, or the field's path).
pub fn find_declaration(
    db: &dyn Db,
    file: SourceFile,
    namespace: Namespace,
    name: &str,
    ordinal: usize,
) -> Option<Span> {
    let mut found = Vec::new();
    for member in &parse(db, file).ast.members {
        let MemberKind::Decl(decl) = &member.kind else {
            continue;
        };
        match (namespace, decl.keyword.text.as_str()) {
            (Namespace::System, SYSTEM_KEYWORD) if decl.name.text == name => {
                found.push(decl.name.span.clone())
            }
            (Namespace::Env, ENV_KEYWORD) if decl.name.text == name => found.push(decl.name.span.clone()),
            (Namespace::Component | Namespace::SystemField, SYSTEM_KEYWORD) => {
                for inner in &decl.body.members {
                    collect_in_system(inner, namespace, name, &mut found);
                }
            }
            _ => {}
        }
    }
    found.into_iter().nth(ordinal)
}

fn collect_in_system(member: &Member, namespace: Namespace, name: &str, found: &mut Vec<Span>) {
    match (&member.kind, namespace) {
        (MemberKind::Decl(decl), Namespace::Component) if decl.name.text == name => {
            found.push(decl.name.span.clone())
        }
        (MemberKind::Block { path, body }, Namespace::Component) if path.dotted() == NETWORK_BLOCK => {
            for inner in &body.members {
                if let MemberKind::Decl(tier) = &inner.kind
                    && tier.name.text == name
                {
                    found.push(tier.name.span.clone());
                }
            }
        }
        (MemberKind::Attribute { path, .. } | MemberKind::Block { path, .. }, Namespace::SystemField)
            if path.dotted() == name =>
        {
            found.push(path.span.clone());
        }
        _ => {}
    }
}
