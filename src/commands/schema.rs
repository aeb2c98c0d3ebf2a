//! `importgate schema`: the registry's JSON Schema.

use super::shared::*;
use crate::config;
use crate::EXIT_CLEAN;
use std::path::PathBuf;

/// `importgate schema`: the registry's JSON Schema on stdout.
pub(crate) fn run_schema() -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let written = write_output(None, &cwd, false, |out, _| {
        serde_json::to_writer_pretty(&mut *out, &config::schema::registry_schema())?;
        writeln!(out)
    });
    written.err().unwrap_or(EXIT_CLEAN)
}
