//! `archc-lsp`: the archc language server. It runs the compiler's queries on one salsa
//! database (the same as `archc check`) and answers the editor over LSP.
//!
//! - `state`: the workspace's files, the open documents' text, edits;
//! - `actions`: quick fixes for design-rule and missing-field diagnostics;
//! - `complete`: what may be typed at the cursor;
//! - `convert`: compiler values (spans, diagnostics, the AST, the formatter) to LSP values;
//! - `highlight`: semantic tokens, from the AST and the workspace's names;
//! - `hover`: what the name under the cursor means (stdlib docs, allocated subnets, rules);
//! - `inlay`: per-environment facts next to the source (subnets, overridden values);
//! - `navigate`: where user-declared names are declared and used;
//! - `server`: the protocol: requests and notifications, panics turned into errors;
//! - `stdlib`: the embedded stdlib as files the editor can open (a kind's definition).

pub mod actions;
pub mod complete;
pub mod convert;
pub mod highlight;
pub mod hover;
pub mod inlay;
pub mod navigate;
pub mod server;
pub mod state;
pub mod stdlib;

use tower_lsp_server::{ClientSocket, LspService};

/// The service, for `main` (over stdio) and for in-process tests.
pub fn service() -> (LspService<server::Server>, ClientSocket) {
    LspService::new(server::Server::new)
}
