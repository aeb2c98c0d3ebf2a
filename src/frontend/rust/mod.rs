//! The Rust frontend: Cargo workspaces and their crates.

pub mod comments;
pub mod modules;
pub mod uses;
pub mod workspace;
