//! The incremental database: the salsa inputs (`SourceFile`, `Workspace`) and the database
//! type that the CLI and the language server share.
//!
//! Queries take `&dyn Db`; only drivers (the CLI, the LSP, tests, benches) name `RootDatabase`.
//! Nothing here reads the disk: drivers read files and set inputs (see `cli.rs`).

#[cfg(feature = "test-support")]
use std::sync::{Arc, Mutex};

use crate::date::Date;

/// What every query sees.
#[salsa::db]
pub trait Db: salsa::Database {}

/// The one concrete database. Cheap to clone; a clone is a snapshot for one request.
#[salsa::db]
#[derive(Clone, Default)]
pub struct RootDatabase {
    storage: salsa::Storage<Self>,
    /// Names of the queries executed since logging was switched on: for the incrementality
    /// tests only (the shipped library has no log and no per-query callback).
    #[cfg(feature = "test-support")]
    log: QueryLog,
}

/// The queries a database executed, for tests (`test-support`).
#[cfg(feature = "test-support")]
#[derive(Clone, Default)]
struct QueryLog(Arc<Mutex<Option<Vec<String>>>>);

#[cfg(feature = "test-support")]
impl RootDatabase {
    /// A database that can record which queries execute (`WillExecute` events).
    pub fn with_query_log() -> Self {
        let log = QueryLog::default();
        let entries = Arc::clone(&log.0);
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut guard) = entries.lock()
                && let Some(entries) = guard.as_mut()
            {
                entries.push(format!("{database_key:?}"));
            }
        })));
        Self { storage, log }
    }

    /// Start recording which queries execute.
    pub fn start_logging(&self) {
        if let Ok(mut guard) = self.log.0.lock() {
            *guard = Some(Vec::new());
        }
    }

    /// The queries executed since the last call, as salsa prints their keys (`parse(Id(2))`).
    pub fn take_executed(&self) -> Vec<String> {
        match self.log.0.lock() {
            Ok(mut guard) => guard.as_mut().map(std::mem::take).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }
}

#[salsa::db]
impl salsa::Database for RootDatabase {}

#[salsa::db]
impl Db for RootDatabase {}

/// One `.arch` file: a user file or a stdlib file. The CLI sets `text` once; the LSP
/// overwrites it on every edit.
#[salsa::input(debug)]
pub struct SourceFile {
    /// The path shown to the user (as given on the command line, or the stdlib's `<stdlib>/…`).
    #[returns(deref)]
    pub path: String,
    #[returns(deref)]
    pub text: String,
}

/// The set of files that make up one system, and the stdlib they are checked against.
#[salsa::input(debug)]
pub struct Workspace {
    /// The user's `.arch` files, sorted by path.
    #[returns(ref)]
    pub files: Vec<SourceFile>,
    /// The embedded stdlib catalogue files (rarely change: HIGH durability).
    #[returns(ref)]
    pub stdlib: Vec<SourceFile>,
    /// The date waivers' `until` dates are compared with (the CLI's clock, UTC).
    #[returns(copy)]
    pub today: Date,
}

/// The stdlib files, embedded in the binary so `archc` works from any directory.
pub const STDLIB_FILES: &[(&str, &str)] = &[
    ("<stdlib>/core.arch", include_str!("../../stdlib/core.arch")),
    ("<stdlib>/network.arch", include_str!("../../stdlib/network.arch")),
    ("<stdlib>/edge.arch", include_str!("../../stdlib/edge.arch")),
    ("<stdlib>/compute.arch", include_str!("../../stdlib/compute.arch")),
    ("<stdlib>/data.arch", include_str!("../../stdlib/data.arch")),
    (
        "<stdlib>/messaging.arch",
        include_str!("../../stdlib/messaging.arch"),
    ),
    ("<stdlib>/mail.arch", include_str!("../../stdlib/mail.arch")),
    (
        "<stdlib>/monitoring.arch",
        include_str!("../../stdlib/monitoring.arch"),
    ),
];

impl Workspace {
    /// A workspace of the given `(path, text)` files with the embedded stdlib, checked as of
    /// `today`.
    pub fn from_sources(db: &dyn Db, sources: Vec<(String, String)>, today: Date) -> Workspace {
        use salsa::Durability;
        let mut sources = sources;
        sources.sort_by(|a, b| a.0.cmp(&b.0));
        let files = sources
            .into_iter()
            .map(|(path, text)| SourceFile::new(db, path, text))
            .collect();
        let stdlib = STDLIB_FILES
            .iter()
            .map(|(path, text)| {
                SourceFile::builder((*path).to_owned(), (*text).to_owned())
                    .durability(Durability::HIGH)
                    .new(db)
            })
            .collect();
        Workspace::builder(files, stdlib, today)
            .stdlib_durability(Durability::HIGH)
            .new(db)
    }
}

/// Makes `workspace` hold `sources` instead of its files: a file whose path it already holds
/// keeps its input (its text set only when it differs), so what did not change stays
/// memoized — how `archc diff` checks a second version of a workspace for the price of what
/// changed.
pub fn replace_files(db: &mut RootDatabase, workspace: Workspace, sources: Vec<(String, String)>) {
    use salsa::Setter;
    let existing: std::collections::HashMap<String, SourceFile> = workspace
        .files(db)
        .iter()
        .map(|file| (file.path(db).to_owned(), *file))
        .collect();
    let mut sources = sources;
    sources.sort_by(|a, b| a.0.cmp(&b.0));
    let mut files = Vec::with_capacity(sources.len());
    for (path, text) in sources {
        match existing.get(&path) {
            Some(&file) => {
                if file.text(db) != text {
                    file.set_text(db).to(text);
                }
                files.push(file);
            }
            None => files.push(SourceFile::new(db, path, text)),
        }
    }
    if workspace.files(db) != &files {
        workspace.set_files(db).to(files);
    }
}
