//! importgate: a static import-boundary linter for Python service monorepos.
//!
//! The stages run in one direction: `discover -> classify -> frontend -> resolve -> checks ->
//! report`. Each stage depends only on the plain data in `model` and `diagnostic` and on the
//! stages before it; `tests/layering.rs` lists every module in its place and fails when one
//! uses a module above it. `commands/` holds each command; this file only wires them.
#![warn(missing_docs)]

/// Writes one line to stderr, control characters escaped. A stderr that is closed or full
/// is no reason to fail or to panic (as `eprintln!` would): the exit code still tells.
/// (Defined before the modules, so that every command can use it.)
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::say_line(format_args!($($arg)*))
    };
}

pub mod atomic_file;
pub mod baseline;
pub mod cache;
pub mod checks;
pub mod classify;
pub mod cli;
pub mod codes;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod facts_cache;
pub mod file_text;
pub mod fix;
pub mod frontend;
pub mod graph;
pub mod guarded_io;
pub mod layout;
pub mod model;
pub mod overview;
pub mod paths;
pub mod progress;
pub mod project;
pub mod report;
pub mod report_cache;
pub mod resolve;
pub mod source;
pub mod stamp;
pub mod suggest;
pub mod tree_listing;

use cli::{Cli, Command};
use config::Config;
use std::io::Write;
use std::path::PathBuf;

#[doc(hidden)]
pub fn say_line(line: std::fmt::Arguments<'_>) {
    let mut stderr = report::visible::ControlEscaper::new(std::io::stderr().lock());
    let _ = writeln!(stderr, "{line}").and_then(|()| stderr.flush());
}

/// Exit code: no errors.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: errors found.
pub const EXIT_VIOLATIONS: u8 = 1;
/// Exit code: usage, config or I/O error.
pub const EXIT_TROUBLE: u8 = 2;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) if args.watch => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            let registry = || match &args.config.config {
                Some(path) => Some(cwd.join(path)),
                None => Config::find(&cwd),
            };
            commands::watch::run(registry, || commands::check::run_check(&args))
        }
        Command::Check(args) => commands::check::run_check(&args),
        Command::Explain(args) => commands::explain::run_explain(args),
        Command::Completions(args) => commands::completions::run_completions(args),
        Command::Schema => commands::schema::run_schema(),
        Command::Server => commands::server::run(),
        Command::Init(args) => commands::init::run_init(args),
        Command::Baseline(args) => commands::baseline::run_baseline(args),
        Command::Why(args) => commands::why::run_why(args),
        Command::Graph(args) => commands::graph::run_graph(args),
        Command::Audit(cli::AuditArgs {
            command: Some(cli::AuditCommand::Duplicates(args)),
            ..
        }) => commands::audit::run_audit_duplicates(args),
        Command::Audit(args) => commands::audit::run_audit(args),
    }
}
