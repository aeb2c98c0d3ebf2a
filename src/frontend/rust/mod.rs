//! The Rust frontend: Cargo workspaces, their crates' module trees, and each file's facts.

pub mod comments;
pub mod facts;
pub mod layout;
pub mod modules;
pub mod outline;
pub mod pyo3;
pub mod workspace;

use super::{ExtractOptions, Frontend, Language};
use crate::guarded_io::ReadError;
use crate::model::FileFacts;
use std::path::Path;

/// Crates every crate can name without declaring them (the sysroot's).
pub const SYSROOT_CRATES: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// How the Rust frontend reads the manifests and source files it follows (`mod x;`,
/// members, path dependencies): the caller decides what may be read — the engine, only
/// regular files inside the governed root.
pub type ReadText<'a> = &'a (dyn Fn(&Path) -> Result<String, ReadError> + Sync);

/// Reads a regular file (never a FIFO or device, which could block), within the size
/// limit of source files, as UTF-8: what any caller may read.
pub fn read_regular_text(path: &Path) -> Result<String, ReadError> {
    crate::guarded_io::read_regular_text(path, crate::guarded_io::SOURCE_LIMIT)
}

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
