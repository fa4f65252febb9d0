//! Times each phase of one keystroke in a synthetic workspace, as the language server runs
//! them (to see where the time of `cargo bench -p archc-lsp` goes):
//! `cargo run --release -p archc-tests --example keystroke -- FILES` (100 components a file).

use std::time::{Duration, Instant};

use archc_lsp::server::diagnostics_by_file;
use archc_lsp::state::{Edit, State};

/// The allocator the binaries ship with, so the figures are theirs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let files: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let mut state = State::from_sources(archc::synthetic::workspace(files, 100), archc::synthetic::TODAY);
    let started = Instant::now();
    let clean = diagnostics_by_file(&state.snapshot()).values().all(Vec::is_empty);
    println!("cold: {:?} (clean: {clean})", started.elapsed());
    let Some(path) = state.files().nth(files / 2).map(|(p, _)| p.to_owned()) else {
        return;
    };
    let mut totals: Vec<Duration> = Vec::new();
    for keystroke in 0..60 {
        // Types a letter into a component's name, then deletes it.
        let edit = if keystroke % 2 == 0 {
            Edit::replace(((2, 18), (2, 18)), "x")
        } else {
            Edit::replace(((2, 18), (2, 19)), "")
        };
        let started = Instant::now();
        let mut phases: Vec<(&str, Duration)> = Vec::new();
        let mut phase = |name, started: &mut Instant| {
            phases.push((name, started.elapsed()));
            *started = Instant::now();
        };
        let mut clock = Instant::now();
        state.change(&path, vec![edit]);
        let snapshot = state.snapshot();
        let (db, workspace) = (&snapshot.db, snapshot.workspace);
        phase("edit", &mut clock);
        let _ = archc::resolve::workspace_symbols(db, workspace);
        phase("symbols", &mut clock);
        let _ = archc::types::check_workspace(db, workspace);
        phase("check", &mut clock);
        let _ = archc::model::model(db, workspace);
        phase("model", &mut clock);
        let _ = archc::check::lowered(db, workspace).is_some();
        phase("lower", &mut clock);
        let _ = archc::rules::run_rules(db, workspace);
        phase("rules", &mut clock);
        let _ = diagnostics_by_file(&snapshot).len();
        phase("publish", &mut clock);
        totals.push(started.elapsed());
        let line: Vec<String> = phases
            .iter()
            .map(|(name, took)| format!("{name} {:.1}", took.as_secs_f64() * 1e3))
            .collect();
        println!("{} ms", line.join(", "));
    }
    totals.sort();
    let at = |q: usize| totals.get(totals.len() * q / 100).copied().unwrap_or_default();
    println!("median {:?}, p95 {:?}", at(50), at(95));
}
