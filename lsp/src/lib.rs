//! `archc-lsp`: the archc language server. It runs the compiler's queries on one salsa
//! database (the same as `archc check`) and answers the editor over LSP. The features
//! themselves (navigation, highlighting, hover, completion, inlay hints, quick fixes) are the
//! compiler's, as plain data (`archc::ide`); this crate is the protocol's plumbing.
//!
//! - `state`: the workspace's files, the open documents' text, edits, snapshots;
//! - `convert`: compiler values (spans, diagnostics, the AST, the formatter) to LSP values;
//! - `highlight`: the semantic tokens' legend and LSP encoding;
//! - `server`: the protocol: edits applied under a lock, requests and diagnostics computed on
//!   snapshots off the lock (an edit cancels them), panics turned into errors;
//! - `stdlib`: the embedded stdlib as files the editor can open (a kind's definition);
//! - `transport`: stdio framing in front of the protocol library: a malformed frame gets an
//!   error reply and the session goes on.

pub mod convert;
pub mod highlight;
pub mod server;
pub mod state;
pub mod stdlib;
pub mod transport;

use tower_lsp_server::{ClientSocket, LspService};

/// The service, for `main` (over stdio) and for in-process tests.
pub fn service() -> (LspService<server::Server>, ClientSocket) {
    LspService::new(server::Server::new)
}
