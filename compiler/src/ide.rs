//! The editor's features as plain data in and out, over the same queries as `archc check`
//! (rust-analyzer's `ide` crate is the model): the language server (`archc-lsp`) only turns
//! positions and results into the protocol's shapes. Every feature reads what the checker
//! decided (`semantics`, `catalogue`, the IR), never re-derives meaning from text.
//!
//! - `navigate`: where declared names and stdlib kinds are declared and used (definition,
//!   references, rename);
//! - `highlight`: semantic tokens;
//! - `hover`: what the name under the cursor means;
//! - `complete`: what may be typed at the cursor;
//! - `inlay`: per-environment facts next to the source (subnets, overridden values);
//! - `actions`: quick fixes for design-rule and missing-field diagnostics.

pub mod actions;
pub mod complete;
pub mod highlight;
pub mod hover;
pub mod inlay;
pub mod navigate;
