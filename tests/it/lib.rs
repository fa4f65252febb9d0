//! Test-only package; see it/main.rs.
