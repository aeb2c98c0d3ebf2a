//! The Rust frontend: Cargo workspaces, their crates' module trees, and each file's facts.

pub mod comments;
pub mod facts;
pub mod modules;
pub mod workspace;

use super::{ExtractOptions, Frontend, Language};
use crate::model::FileFacts;

/// The Rust frontend.
pub struct Rust;

impl Frontend for Rust {
    fn language(&self) -> Language {
        Language::Rust
    }

    fn extract(&self, source: &str, options: &ExtractOptions) -> FileFacts {
        facts::extract(source, options)
    }

    fn syntax_error_count(&self, source: &str) -> usize {
        facts::syntax_error_count(source)
    }
}
