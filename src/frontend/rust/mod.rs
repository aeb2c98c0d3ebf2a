//! The Rust frontend: Cargo workspaces and their crates.

pub mod workspace;
