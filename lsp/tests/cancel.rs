//! Requests and diagnostics compute on snapshots: an edit cancels what computes on the text it
//! replaces, and a request is answered while the workspace's diagnostics compute.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use archc::synthetic::TODAY;
use archc_lsp::server::{Failure, diagnostics_by_file};
use archc_lsp::state::{Edit, State};

/// 10,000 components: a cold check takes seconds in a test build.
fn large() -> State {
    State::from_sources(archc::synthetic::workspace(100, 100), TODAY)
}

fn edit_memory(state: &mut State, to: &str) -> bool {
    let text = state.file("part_0050.arch").unwrap().text(&state.db).to_owned();
    let edited = text.replacen("memory = 1024", &format!("memory = {to}"), 1);
    state.change(
        "part_0050.arch",
        vec![Edit {
            range: None,
            text: edited,
        }],
    )
}

#[test]
fn an_edit_cancels_a_computation_on_the_snapshot_it_replaces() {
    let mut state = large();
    let snapshot = state.snapshot();
    let computing = std::thread::spawn(move || {
        let started = Instant::now();
        let result = salsa::Cancelled::catch(|| diagnostics_by_file(&snapshot).len());
        (result.is_err(), started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(200));
    let editing = Instant::now();
    assert!(edit_memory(&mut state, "2048"));
    let waited = editing.elapsed();
    let (cancelled, ran) = computing.join().unwrap();
    assert!(cancelled, "the snapshot's computation ran to its end ({ran:?})");
    // The edit waited only for the computation to unwind, not for it to finish.
    let full = Instant::now();
    let fresh = diagnostics_by_file(&state.snapshot());
    let full = full.elapsed();
    assert!(
        waited < full,
        "the edit waited {waited:?}; a full check takes {full:?}"
    );
    // Nothing of the cancelled run is left behind: the result is a fresh check's.
    let again = State::from_sources(
        state
            .files()
            .map(|(path, file)| (path.to_owned(), file.text(&state.db).to_owned()))
            .collect(),
        TODAY,
    );
    assert_eq!(fresh, diagnostics_by_file(&again.snapshot()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_from_a_snapshot_and_an_edit_cancels_it() {
    let (service, _socket) = archc_lsp::service();
    let server = service.inner();
    server.with_state(|state| *state = large()).unwrap();

    // A request while the diagnostics compute is answered before they are done.
    let done = Arc::new(AtomicBool::new(false));
    let finished = Arc::clone(&done);
    let diagnostics = server.read(move |view| {
        let all = diagnostics_by_file(&view.snapshot);
        finished.store(true, Ordering::SeqCst);
        all
    });
    let symbols = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let files = server.read(|view| view.snapshot.files().count()).await.unwrap();
        (files, done.load(Ordering::SeqCst))
    };
    let (diagnostics, (files, diagnostics_were_done)) = tokio::join!(diagnostics, symbols);
    assert_eq!(files, 101);
    assert!(!diagnostics_were_done, "the request waited for the diagnostics");
    assert!(diagnostics.unwrap().values().all(Vec::is_empty));

    // An edit while a computation runs on the text it replaces cancels it.
    server.with_state(|state| *state = large()).unwrap();
    let cancelled = server.read(|view| diagnostics_by_file(&view.snapshot).len());
    let edit = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        server.with_state(|state| edit_memory(state, "2048")).unwrap()
    };
    let (cancelled, edited) = tokio::join!(cancelled, edit);
    assert!(edited);
    assert_eq!(cancelled, Err(Failure::Cancelled));
    // The next read sees the edit.
    let memory = server
        .read(|view| {
            let file = view.snapshot.file("part_0050.arch").unwrap();
            file.text(&view.snapshot.db).contains("memory = 2048")
        })
        .await;
    assert_eq!(memory, Ok(true));
}
