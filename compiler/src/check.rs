//! The one boundary where diagnostics leave the queries: every file's syntax and type
//! diagnostics and the workspace-wide ones; then, for a workspace without front-end errors,
//! lowering's and the design rules'. All sorted by file, position and code. Also the one gate
//! to the IR for readers that must not see a broken system's (`lowered`).

use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalogue::catalogue;
use crate::db::{Db, RootDatabase, SourceFile, Workspace};
use crate::diagnostics::{Diagnostic, Severity};
use crate::ir::Ir;
use crate::lower::{lower, lower_env};
use crate::model::model;
use crate::rules::{env_findings, run_rules};
use crate::syntax::parse;
use crate::types::{check_file, check_workspace};

/// All diagnostics of the workspace, sorted (query order is not source order).
pub fn diagnostics(db: &dyn Db, workspace: Workspace) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = front_end(db, workspace).cloned().collect();
    // The design rules read a well-typed system; on a broken one they would only echo the
    // front end's errors.
    if !has_errors(&all) {
        let lowered = &lower(db, workspace).diagnostics;
        all.extend(lowered.iter().cloned());
        if !has_errors(lowered) {
            all.extend(run_rules(db, workspace).diagnostics.iter().cloned());
        }
    }
    sort(db, &mut all);
    all
}

/// The IR, when the system is well typed and lowered without errors (what the design rules
/// and the backends read); `None` otherwise. Design-rule findings do not matter here.
pub fn lowered(db: &dyn Db, workspace: Workspace) -> Option<&Ir> {
    if front_end(db, workspace).any(is_error) {
        return None;
    }
    let lowered = lower(db, workspace);
    (!has_errors(&lowered.diagnostics)).then_some(&lowered.ir)
}

/// The catalogue's, every file's syntax and type diagnostics, and the workspace-wide ones
/// (borrowed: the gates only ask whether one is an error).
fn front_end(db: &dyn Db, workspace: Workspace) -> impl Iterator<Item = &Diagnostic> {
    let files = workspace.files(db).iter().flat_map(move |&file| {
        parse(db, file)
            .diagnostics
            .iter()
            .chain(check_file(db, workspace, file))
    });
    catalogue(db, workspace)
        .diagnostics
        .iter()
        .chain(files)
        .chain(check_workspace(db, workspace))
}

/// Computes on all cores what `diagnostics` then finds memoized: every file parsed and
/// type-checked, then (for a workspace without front-end errors) each environment lowered and
/// its design rules run, one environment per core. Each thread works on its own clone of the
/// database (clones share the memo storage, as rust-analyzer's cache priming does); the clones
/// are gone when this returns, so no setter can wait on them.
pub fn prime(db: &RootDatabase, workspace: Workspace) {
    let files = workspace.files(db);
    // Two stages: every check needs the workspace's symbol table, which needs every file
    // parsed, so checking in the same pass would serialise on the first thread to ask.
    in_parallel(db, files, &|db, &file| {
        let _ = crate::resolve::file_symbols(db, file);
    });
    in_parallel(db, files, &|db, &file| {
        let _ = check_file(db, workspace, file);
    });
    if front_end(db, workspace).any(is_error) {
        return;
    }
    let envs: Vec<String> = model(db, workspace).envs.iter().map(|e| e.name.clone()).collect();
    in_parallel(db, &envs, &|db, env| {
        let _ = lower_env(db, workspace, env.clone());
    });
    if has_errors(&lower(db, workspace).diagnostics) {
        return;
    }
    in_parallel(db, &envs, &|db, env| {
        let _ = env_findings(db, workspace, env.clone());
    });
}

/// Runs `work` on every item, the items split evenly over the cores (on this thread when there
/// is one core or one item).
fn in_parallel<T: Sync>(db: &RootDatabase, items: &[T], work: &(dyn Fn(&RootDatabase, &T) + Sync)) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads < 2 {
        items.iter().for_each(|item| work(db, item));
        return;
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let db = db.clone();
                scope.spawn(move || part.iter().for_each(|item| work(&db, item)))
            })
            .collect();
        // A worker's panic goes on unwinding here with its own payload: the language server
        // tells salsa's `Cancelled` (an edit arrived) from a bug by it.
        let failed = workers
            .into_iter()
            .filter_map(|worker| worker.join().err())
            .next();
        if let Some(payload) = failed {
            std::panic::resume_unwind(payload);
        }
    });
}

fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(is_error)
}

fn is_error(diagnostic: &Diagnostic) -> bool {
    diagnostic.severity == Severity::Error
}

fn sort(db: &dyn Db, all: &mut Vec<Diagnostic>) {
    // Files ranked by path once: comparing (or copying) paths per diagnostic cost more than
    // the rest of the sort for a file with a quarter of a million errors.
    let mut files: Vec<SourceFile> = all
        .iter()
        .map(|d| d.file)
        .collect::<FxHashSet<_>>()
        .into_iter()
        .collect();
    files.sort_by_key(|file| file.path(db));
    let rank: FxHashMap<SourceFile, usize> = files.iter().enumerate().map(|(i, &f)| (f, i)).collect();
    let key = |d: &Diagnostic| (rank.get(&d.file).copied(), d.span.start, d.span.end, d.code.id);
    all.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message)));
    all.dedup();
}
