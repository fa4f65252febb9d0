//! Go to definition and find references for the names a user declares (components, tiers,
//! environments) and for the stdlib's kinds. It reads what the checker resolved
//! (`crate::semantics`): every place a name is declared (`service api …`, `tier db …`, the
//! stdlib's `kind fargate : service`) or used (`flow api -> main`, `in db`, `route … -> assets`,
//! `notify = ops`, `on = api.cpu`, an environment's `api.scale { … }`, the `fargate` of
//! `service api : fargate`).

use crate::db::{Db, SourceFile, Workspace};
use crate::semantics::Meaning;
use crate::syntax::ast::{SchemaItem, Span};

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

/// Every occurrence of every declared or referenced name and of every stdlib kind in one file,
/// as the checker resolved them (`crate::semantics`): an enum value or a field that shares a
/// component's name is not an occurrence of it. Memoized per file, so a request walks only the
/// files that changed.
#[salsa::tracked(returns(ref))]
pub fn occurrences(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<Occurrence> {
    crate::types::file_names(db, workspace, file)
        .iter()
        .filter_map(|name| {
            let (namespace, declared_as, kind) = match &name.meaning {
                Meaning::Declaration { keyword, kind } => {
                    (Namespace::Declared, Some(keyword.clone()), kind.clone())
                }
                Meaning::Reference { .. } => (Namespace::Declared, None, None),
                Meaning::Kind => (Namespace::Kind, None, None),
                _ => return None,
            };
            Some(Occurrence {
                file,
                span: name.span.clone(),
                name: name.name.clone(),
                namespace,
                declared_as,
                kind,
            })
        })
        .collect()
}

/// The kinds a stdlib file declares (`kind fargate : service`), as declarations.
#[salsa::tracked(returns(ref))]
pub fn stdlib_kinds(db: &dyn Db, file: SourceFile) -> Vec<Occurrence> {
    crate::syntax::parse_schema(db, file)
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

/// The name at `offset` in `file`, if it is declared somewhere (a kind in the stdlib, any other
/// name in the workspace), with all its occurrences (declarations first). Enum values such as
/// `internet_only` are not declared names, so they have none.
pub fn find(db: &dyn Db, workspace: Workspace, file: SourceFile, offset: usize) -> Vec<Occurrence> {
    let Some((name, namespace)) = occurrences(db, workspace, file)
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
                .flat_map(|&f| occurrences(db, workspace, f).iter()),
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
        .flat_map(|&file| {
            occurrences(db, workspace, file)
                .iter()
                .filter(|o| o.is_declaration())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::RootDatabase;
    use crate::synthetic::TODAY;

    /// A workspace of in-memory files.
    struct State {
        db: RootDatabase,
        workspace: Workspace,
    }

    impl State {
        fn from_sources(sources: Vec<(String, String)>, today: crate::date::Date) -> Self {
            let db = RootDatabase::default();
            let workspace = Workspace::from_sources(&db, sources, today);
            State { db, workspace }
        }

        fn file(&self, path: &str) -> Option<SourceFile> {
            self.workspace
                .files(&self.db)
                .iter()
                .copied()
                .find(|f| f.path(&self.db) == path)
        }
    }

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

    #[test]
    fn a_name_that_is_also_an_enum_value_a_kind_a_field_and_a_block_meets_only_its_own_uses() {
        let text = "system s {\n  region = \"ap-northeast-1\"\n  network { tier app { subnet = /24 } }\n  bucket static : s3 { purpose = static }\n  bucket logs : s3 { purpose = access_logs }\n  topic port : sns { email = [] }\n  topic network : sns { email = [] }\n  service fargate : fargate in app {\n    image = ecr(\"web-a\")\n    port = 80\n  }\n  edge cdn : cloudfront {\n    access_logs = logs\n    route \"/*\" -> static\n  }\n  alarm cpu { on = fargate.cpu  notify = port }\n  alarm other { on = fargate.memory  notify = network }\n}\n";
        let state = State::from_sources(vec![("a.arch".into(), text.into())], TODAY);
        let at = |marker: &str| find_at(&state, "a.arch", marker);
        let spans = |name: &str| -> Vec<String> {
            text.match_indices(name)
                .map(|(i, _)| format!("a.arch:{name}@{i}"))
                .collect()
        };
        // `static`: the bucket and the route to it, not `purpose = static`.
        let all = spans("static");
        assert_eq!(all.len(), 3);
        assert_eq!(at("static :"), [format!("{} (decl)", all[0]), all[2].clone()]);
        assert_eq!(
            at("static\n  bucket logs"),
            Vec::<String>::new(),
            "an enum value is not the bucket"
        );
        // `fargate`: the service and its metrics, not the kind after `:`.
        let all = spans("fargate");
        assert_eq!(
            at("fargate :"),
            [format!("{} (decl)", all[0]), all[2].clone(), all[3].clone()]
        );
        // `port`: the topic and the alarm that notifies it, not the service's field.
        let all = spans("port");
        assert_eq!(all.len(), 3);
        assert_eq!(at("port :"), [format!("{} (decl)", all[0]), all[2].clone()]);
        assert_eq!(at("port = 80"), Vec::<String>::new(), "a field is not the topic");
        // `network`: the topic and its use, not the `network { … }` block.
        let all = spans("network");
        assert_eq!(at("network :"), [format!("{} (decl)", all[1]), all[2].clone()]);
        assert_eq!(at("network {"), Vec::<String>::new());
        // `logs`: a bucket named like nothing else, and `access_logs` is an enum value.
        assert_eq!(at("logs : s3").len(), 2);
    }
}
