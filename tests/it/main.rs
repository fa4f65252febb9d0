//! archc's end-to-end tests, in one test binary (one link, parallel tests).
//!
//! - `allocation`, `ir`: subnet allocation and the IR of the reference design;
//! - `architecture`: the layering that `compiler/ARCHITECTURE.md` states;
//! - `build`: `archc build` and the safety of its output directory;
//! - `cases`: every fixture under `tests/cases/` checked and snapshotted as the user sees it;
//! - `codes`: every diagnostic code has an explanation and a fixture that produces it;
//! - `cli`: the `archc` command line, in process and as a real binary;
//! - `cost`: the cost estimate from every region's catalogue;
//! - `incremental`: an edit re-runs only the queries it must (salsa's event log);
//! - `never_panics`: arbitrary and mutated input never panics the front end;
//! - `example`: the reference design checks clean;
//! - `deploy`, `design`, `terraform`: every generated file checked by the real tools (the ECS
//!   API model, actionlint, Mermaid in Chromium, HashiCorp's HCL parser, the AWS provider's
//!   schema, checkov) and snapshotted;
//! - `format`: `archc fmt` changes white space only and is idempotent;
//! - `fuzz_smoke`: the fuzz targets over their checked-in corpus (`fuzz/`);
//! - `block_public_access`: VPC Block Public Access, every mode × NAT × origin enumerated;
//! - `architectures`: architectures unlike the example (`tests/architectures/`), built and
//!   checked by every validator, and the deploy-facts check catching what it must;
//! - `validators`: the real tools, one function each;
//! - `hostile`: hostile strings are refused where they are written or reach every output as
//!   values only, checked with the real tools.

// A failed unwrap in a test is a failed test, which is what a test should do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod allocation;
mod architecture;
mod architectures;
mod block_public_access;
mod build;
mod cases;
mod cli;
mod codes;
mod cost;
mod deploy;
mod design;
mod diff;
mod example;
mod fixture;
mod format;
mod fuzz_smoke;
mod hostile;
mod incremental;
mod ir;
mod mail;
mod nat_rules;
mod never_panics;
mod orders;
mod terraform;
mod validators;
