//! `archc-lsp`: the archc language server.
//!
//! Placeholder until the language-server issue lands: the crate exists so the workspace layout
//! is final, and it only reports that the server is not built yet. The server will run on the
//! same salsa database as the CLI (`archc::RootDatabase`).

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!(
        "archc-lsp {}: the language server is not implemented yet; use `archc check`",
        env!("CARGO_PKG_VERSION")
    );
    ExitCode::from(2)
}
