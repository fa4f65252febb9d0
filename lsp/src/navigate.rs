//! Go to definition and find references for the names a user declares (components, tiers,
//! environments) and for the stdlib's kinds. It reads the ASTs only: every place a name is
//! declared (`service api …`, `tier db …`, the stdlib's `kind fargate : service`) or used
//! (`flow api -> main`, `in db`, `route … -> assets`, `notify = ops`, `on = api.cpu`, an
//! environment's `api.scale { … }`, the `fargate` of `service api : fargate`).

use archc::db::{Db, SourceFile, Workspace};
use archc::syntax::ast::{Body, Decl, Ident, Member, MemberKind, SchemaItem, Span, Value, ValueKind};

/// The two sets of names: a component and a kind may share a name without meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// Components, tiers and environments: declared in the user's files, renamable.
    Declared,
    /// The stdlib's kinds (`fargate`): declared in the stdlib, used after `:`.
    Kind,
}

/// One occurrence of a user-declared name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Occurrence {
    pub file: SourceFile,
    pub span: Span,
    pub name: String,
    pub namespace: Namespace,
    /// At the declaration (`api` in `service api : fargate`): its keyword (`service`).
    pub declared_as: Option<String>,
    /// At the declaration: the kind written after `:`, if any.
    pub kind: Option<String>,
}

impl Occurrence {
    pub fn is_declaration(&self) -> bool {
        self.declared_as.is_some()
    }
}

/// Every occurrence of every declared or referenced name in one file (memoized per file, so
/// a request walks only the files that changed).
#[salsa::tracked(returns(ref))]
pub fn occurrences(db: &dyn Db, file: SourceFile) -> Vec<Occurrence> {
    let ast = &archc::syntax::parse(db, file).ast;
    let mut out = Vec::new();
    let mut push = |ident: &Ident, use_as: Use<'_>| {
        let (namespace, declaration) = match use_as {
            Use::Declared(declaration) => (Namespace::Declared, Some(declaration)),
            Use::Name => (Namespace::Declared, None),
            Use::Kind => (Namespace::Kind, None),
        };
        out.push(Occurrence {
            file,
            span: ident.span.clone(),
            name: ident.text.clone(),
            namespace,
            declared_as: declaration.map(|d| d.keyword.text.clone()),
            kind: declaration.and_then(|d| d.kind.as_ref()).map(|k| k.text.clone()),
        });
    };
    for member in &ast.members {
        walk(member, false, &mut push);
    }
    out
}

/// The kinds a stdlib file declares (`kind fargate : service`), as declarations.
#[salsa::tracked(returns(ref))]
pub fn stdlib_kinds(db: &dyn Db, file: SourceFile) -> Vec<Occurrence> {
    archc::syntax::parse_schema(db, file)
        .schema
        .items
        .iter()
        .filter_map(|item| match item {
            SchemaItem::Kind { name, category, .. } => Some(Occurrence {
                file,
                span: name.span.clone(),
                name: name.text.clone(),
                namespace: Namespace::Kind,
                declared_as: Some("kind".to_owned()),
                kind: Some(category.text.clone()),
            }),
            _ => None,
        })
        .collect()
}

/// How an identifier of a user file is used.
enum Use<'a> {
    /// It is the name this declaration declares.
    Declared(&'a Decl),
    /// It refers to a declared name.
    Name,
    /// It refers to a stdlib kind.
    Kind,
}

fn walk<'a>(member: &'a Member, in_env: bool, push: &mut impl FnMut(&'a Ident, Use<'a>)) {
    match &member.kind {
        MemberKind::Decl(decl) => {
            push(&decl.name, Use::Declared(decl));
            if let Some(kind) = &decl.kind {
                push(kind, Use::Kind);
            }
            if let Some(tier) = &decl.tier {
                push(tier, Use::Name);
            }
            walk_body(&decl.body, decl.keyword.text == "env", push);
        }
        MemberKind::Block { path, body } => {
            if in_env && let Some(first) = path.segments.first() {
                push(first, Use::Name);
            }
            walk_body(body, false, push);
        }
        MemberKind::Attribute { path, value } => {
            if in_env
                && path.segments.len() > 1
                && let Some(first) = path.segments.first()
            {
                push(first, Use::Name);
            }
            walk_value(value, push);
        }
        MemberKind::Flow { from, to, .. } => {
            push(from, Use::Name);
            push(to, Use::Name);
        }
        MemberKind::Route { target, body, .. } => {
            push(target, Use::Name);
            if let Some(body) = body {
                walk_body(body, false, push);
            }
        }
        MemberKind::Use { .. } | MemberKind::Allow { .. } => {}
    }
}

fn walk_body<'a>(body: &'a Body, in_env: bool, push: &mut impl FnMut(&'a Ident, Use<'a>)) {
    for member in &body.members {
        walk(member, in_env, push);
    }
}

/// Names used as values: `logs` in `access_logs = logs`, `api` in `on = api.cpu`.
fn walk_value<'a>(value: &'a Value, push: &mut impl FnMut(&'a Ident, Use<'a>)) {
    match &value.kind {
        ValueKind::Path(path) => {
            if let Some(first) = path.segments.first() {
                push(first, Use::Name);
            }
        }
        ValueKind::List(items) => items.iter().for_each(|item| walk_value(item, push)),
        ValueKind::Call { args, .. } => args.iter().for_each(|arg| walk_value(arg, push)),
        _ => {}
    }
}

/// The name at `offset` in `file`, if it is declared somewhere (a kind in the stdlib, any other
/// name in the workspace), with all its occurrences (declarations first). Enum values such as
/// `internet_only` are not declared names, so they have none.
pub fn find(db: &dyn Db, workspace: Workspace, file: SourceFile, offset: usize) -> Vec<Occurrence> {
    let Some((name, namespace)) = occurrences(db, file)
        .iter()
        .find(|o| o.span.start <= offset && offset <= o.span.end)
        .map(|o| (o.name.clone(), o.namespace))
    else {
        return Vec::new();
    };
    let kinds = match namespace {
        Namespace::Kind => workspace.stdlib(db).as_slice(),
        Namespace::Declared => &[],
    };
    let mut all: Vec<Occurrence> = kinds
        .iter()
        .flat_map(|&f| stdlib_kinds(db, f).iter())
        .chain(
            workspace
                .files(db)
                .iter()
                .flat_map(|&f| occurrences(db, f).iter()),
        )
        .filter(|o| o.name == name && o.namespace == namespace)
        .cloned()
        .collect();
    if !all.iter().any(|o| o.is_declaration()) {
        return Vec::new();
    }
    all.sort_by_key(|o| !o.is_declaration());
    all
}

/// Words the grammar reserves; a name cannot be one of them.
const KEYWORDS: &[&str] = &[
    "use", "allow", "reason", "until", "flow", "route", "in", "true", "false",
];

/// Why `new_name` cannot replace the declared name `old`, if it
/// cannot: it must be a name the grammar reads as one, not a keyword, and not already declared.
pub fn rename_error(db: &dyn Db, workspace: Workspace, old: &str, new_name: &str) -> Option<String> {
    let mut chars = new_name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !starts_well || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Some(format!(
            "`{new_name}` is not a name: use letters, digits and `_`, starting with a letter"
        ));
    }
    if KEYWORDS.contains(&new_name) {
        return Some(format!("`{new_name}` is a keyword"));
    }
    if new_name != old && declarations(db, workspace).iter().any(|o| o.name == new_name) {
        return Some(format!("`{new_name}` is already declared in this workspace"));
    }
    None
}

/// Every declaration of the workspace, file by file (borrowed from the per-file memos: a
/// workspace has thousands, and completion lists them on every keystroke).
pub fn declarations(db: &dyn Db, workspace: Workspace) -> Vec<&Occurrence> {
    workspace
        .files(db)
        .iter()
        .flat_map(|&file| occurrences(db, file).iter().filter(|o| o.is_declaration()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    use archc::synthetic::TODAY;

    /// The occurrences of the name where `marker` first appears, as `file:text@offset`.
    fn find_at(state: &State, path: &str, marker: &str) -> Vec<String> {
        let Some(file) = state.file(path) else {
            return vec!["no file".into()];
        };
        let text = file.text(&state.db);
        let offset = text.find(marker).unwrap_or(0);
        find(&state.db, state.workspace, file, offset)
            .iter()
            .map(|o| {
                let text = o.file.text(&state.db);
                let what = text.get(o.span.clone()).unwrap_or_default();
                format!(
                    "{}:{what}@{}{}",
                    o.file.path(&state.db),
                    o.span.start,
                    if o.is_declaration() { " (decl)" } else { "" }
                )
            })
            .collect()
    }

    #[test]
    fn a_rename_must_give_a_new_valid_name() {
        let state = State::from_sources(
            vec![(
                "a.arch".into(),
                "system s {\n  topic ops : sns { email = [] }\n  topic dev : sns { email = [] }\n}\n".into(),
            )],
            TODAY,
        );
        let error = |new: &str| rename_error(&state.db, state.workspace, "ops", new);
        assert_eq!(error("alerts"), None);
        assert_eq!(error("ops"), None);
        assert_eq!(
            error("dev").as_deref(),
            Some("`dev` is already declared in this workspace")
        );
        assert_eq!(error("flow").as_deref(), Some("`flow` is a keyword"));
        assert!(error("9lives").is_some_and(|e| e.contains("is not a name")));
        assert!(error("a-b").is_some_and(|e| e.contains("is not a name")));
        assert!(error("").is_some());
    }

    #[test]
    fn a_component_is_found_in_flows_routes_values_and_env_overrides() {
        let state = State::from_sources(
            vec![
                ("a.arch".into(), "system s {\n  network { tier app { subnet = /24 } }\n  service api : fargate in app { port = 80 }\n  flow api -> internet : https\n  alarm cpu { on = api.cpu  notify = ops }\n}\n".into()),
                ("b.arch".into(), "env prd {\n  api.scale { min = 1 }\n  api.cpu = 256\n  cidr = 10.0.0.0/16\n}\n".into()),
            ],
            TODAY,
        );
        assert_eq!(
            find_at(&state, "b.arch", "api.scale"),
            [
                "a.arch:api@61 (decl)",
                "a.arch:api@103",
                "a.arch:api@146",
                "b.arch:api@12",
                "b.arch:api@36"
            ]
        );
        assert_eq!(
            find_at(&state, "a.arch", "app {"),
            ["a.arch:app@28 (decl)", "a.arch:app@78"]
        );
        // `internet` and `cidr` are not names the user declared.
        assert_eq!(find_at(&state, "a.arch", "internet"), Vec::<String>::new());
        assert_eq!(find_at(&state, "b.arch", "cidr"), Vec::<String>::new());
    }
}
