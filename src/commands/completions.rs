//! `importgate completions SHELL`: the shell completion script.

use super::shared::*;
use crate::cli::{self, Cli};
use crate::EXIT_CLEAN;
use std::path::PathBuf;

/// `importgate completions SHELL`: the completion script on stdout.
pub(crate) fn run_completions(args: cli::CompletionsArgs) -> u8 {
    use clap::CommandFactory;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut command = Cli::command();
    let written = write_output(None, &cwd, false, |out, _| {
        clap_complete::generate(args.shell, &mut command, "importgate", out);
        Ok(())
    });
    written.err().unwrap_or(EXIT_CLEAN)
}
