//! `importgate audit`: the figures of the whole tree, and `audit duplicates`.

use super::shared::*;
use crate::cli;
use crate::report;
use crate::EXIT_CLEAN;
use crate::{checks, overview};
use std::path::PathBuf;

/// `importgate audit`: always exit 0 with the report (2 for a registry or write error).
pub(crate) fn run_audit(args: cli::AuditArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (config, outcome) =
        match whole_tree_run(args.config.config.as_deref(), args.threads, &cwd, true) {
            Ok(run) => run,
            Err(code) => return code,
        };
    let audit = overview::audit::build(&config, &outcome);
    let written = write_output(
        args.output_file.as_deref(),
        &cwd,
        true,
        |out, _| match args.format {
            cli::AuditReportFormat::Markdown => report::audit::write_markdown(&audit, out),
            cli::AuditReportFormat::Json => report::audit::write_json(&audit, out),
            cli::AuditReportFormat::Html => report::audit::write_html(&audit, out),
        },
    );
    written.err().unwrap_or(EXIT_CLEAN)
}

/// `importgate audit duplicates`.
pub(crate) fn run_audit_duplicates(args: cli::AuditDuplicatesArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (config, outcome) =
        match whole_tree_run(args.config.config.as_deref(), args.threads, &cwd, true) {
            Ok(run) => run,
            Err(code) => return code,
        };
    let groups = checks::duplicate_groups(&config, &outcome.project.definitions);
    let written = write_output(None, &cwd, true, |out, _| match args.format {
        cli::AuditFormat::Text => {
            let display = |relative: &str| report::display_path(&config.root.join(relative), &cwd);
            report::write_duplicates_text(&groups, &display, out)
        }
        cli::AuditFormat::Json => report::write_duplicates_json(&groups, out),
    });
    written.err().unwrap_or(EXIT_CLEAN)
}
