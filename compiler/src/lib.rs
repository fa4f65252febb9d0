//! archc: a compiler for cloud architecture.
//!
//! The pipeline, each step a salsa query so the CLI and the language server share one
//! incremental database:
//! - **syntax** (`syntax::parse`): `.arch` text → AST and syntax diagnostics, recovering per item;
//! - **catalogue** (`catalogue::catalogue`): the stdlib's kinds, fields and types;
//! - **resolve** (`resolve::workspace_symbols`): which names the workspace declares;
//! - **types** (`types::check_file`): every item and value against the catalogue, and what
//!   every name means (`semantics`), which the language server reads;
//! - **model** (`model::model`): the system with typed values and the stdlib's defaults;
//! - **lower** (`lower::lower`): the IR of each environment (`ir`): what will exist in AWS;
//! - **rules** (`rules::run_rules`): the design rules over the IR, with waivers;
//! - **check** (`check::diagnostics`): the sorted diagnostics of the whole workspace;
//! - **backend** (`backend::build`): the IR to Terraform, ecspresso, workflows, diagrams and
//!   DESIGN.md; `cost` prices the IR.
//!
//! Only `cli` touches the disk or the terminal; `compiler/ARCHITECTURE.md` is the code map.

pub mod aws;
pub mod backend;
pub mod catalogue;
pub mod check;
pub mod cli;
pub mod cost;
pub mod date;
pub mod db;
pub mod diagnostics;
pub mod diff;
pub mod format;
pub mod formats;
#[cfg(feature = "test-support")]
pub mod fuzzing;
pub mod ide;
pub mod ir;
pub mod line_index;
pub mod lower;
pub mod model;
pub mod naming;
pub mod parallel;
pub mod parameters;
pub mod process;
pub mod regions;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod semantics;
pub mod span;
pub mod syntax;
#[cfg(any(test, feature = "test-support"))]
pub mod synthetic;
pub mod types;
pub mod vocabulary;

pub use check::diagnostics;
pub use db::{Db, RootDatabase, SourceFile, Workspace};
