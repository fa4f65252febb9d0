//! The one boundary where diagnostics leave the queries: every file's syntax and type
//! diagnostics plus the workspace-wide ones, sorted by file, position and code.

use crate::catalogue::catalogue;
use crate::db::{Db, Workspace};
use crate::diagnostics::Diagnostic;
use crate::syntax::parse;
use crate::types::{check_file, check_workspace};

/// All diagnostics of the workspace, sorted (query order is not source order).
pub fn diagnostics(db: &dyn Db, workspace: Workspace) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = catalogue(db, workspace).diagnostics.clone();
    for &file in workspace.files(db) {
        all.extend(parse(db, file).diagnostics.iter().cloned());
        all.extend(check_file(db, workspace, file).iter().cloned());
    }
    all.extend(check_workspace(db, workspace).iter().cloned());
    let paths: Vec<(crate::db::SourceFile, String)> =
        all.iter().map(|d| (d.file, d.file.path(db).to_owned())).collect();
    let path_of = |file| {
        paths
            .iter()
            .find(|(f, _)| *f == file)
            .map(|(_, p)| p.clone())
            .unwrap_or_default()
    };
    all.sort_by_cached_key(|d| {
        (
            path_of(d.file),
            d.span.start,
            d.span.end,
            d.code.id,
            d.message.clone(),
        )
    });
    all.dedup();
    all
}
