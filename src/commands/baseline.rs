//! `importgate baseline`: record today's violations so that only new ones fail; where the
//! baseline lives and how `check` applies it.

use super::shared::*;
use crate::cli;
use crate::config::{self, Config};
use crate::report;
use crate::{baseline, checks, codes, diagnostic, engine};
use crate::{EXIT_CLEAN, EXIT_TROUBLE};
use std::path::PathBuf;

/// The baseline file: `--baseline` (relative to the working directory), else the registry's.
pub(crate) fn baseline_path(
    config: &Config,
    args: &cli::BaselineFileArgs,
    cwd: &std::path::Path,
) -> PathBuf {
    args.path
        .as_ref()
        .map_or_else(|| config.baseline.clone(), |path| cwd.join(path))
}

/// Drops the known violations from the outcome and reports the stale entries (IG903), or
/// with `prune`, rewrites the baseline without them. A missing baseline is no baseline.
pub(crate) fn apply_baseline(
    outcome: &mut engine::Outcome,
    path: &std::path::Path,
    prune: bool,
    cwd: &std::path::Path,
    enabled_checks: &config::CheckSelection,
) -> Result<(), u8> {
    let shown = report::display_path(path, cwd);
    let baseline = match baseline::Baseline::load(path, &shown) {
        Ok(Some(baseline)) => baseline,
        Ok(None) => {
            if prune {
                say!("warning: there is no baseline at {shown} to prune");
            }
            return Ok(());
        }
        Err(error) => {
            say!("error: {error}");
            return Err(EXIT_TROUBLE);
        }
    };
    let selection = outcome.selection.as_ref();
    let applied = baseline.apply(&mut outcome.diagnostics, |relative, code| {
        engine::selection_covers(selection, relative)
            && codes::CheckCode::find(code)
                .is_none_or(|code| enabled_checks.is_enabled_in(code, relative))
    });
    outcome.baseline_ignored = applied.ignored;
    if prune {
        if !applied.stale.is_empty() {
            if let Err(error) = applied.pruned.write(path, &shown) {
                say!("error: {error}");
                return Err(EXIT_TROUBLE);
            }
        }
        let stale = applied
            .stale
            .iter()
            .fold(0, |total: usize, entry| total.saturating_add(entry.count));
        say!(
            "Pruned {} from {shown} ({} left).",
            report::plural(stale, "stale violation"),
            applied.pruned.violations()
        );
    } else {
        let file_name = path
            .file_name()
            .map_or(shown.clone(), |name| name.to_string_lossy().into_owned());
        if enabled_checks.is_enabled(codes::CheckCode::StaleBaseline) {
            outcome.diagnostics.extend(
                applied
                    .stale
                    .iter()
                    .map(|entry| checks::stale_baseline_diagnostic(entry, &file_name)),
            );
        }
        diagnostic::sort_diagnostics(&mut outcome.diagnostics);
    }
    Ok(())
}

/// `importgate baseline`: records the current violations. In CI it refuses to create the
/// file or let it grow: a baseline is a decision people commit, not something a pipeline
/// widens by itself.
pub(crate) fn run_baseline(args: cli::BaselineArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let options = engine::CheckOptions {
        threads: worker_count(args.threads),
        strict_guarded: args.strict_guarded,
        ..Default::default()
    };
    let (config, outcome) = match check_whole_tree(
        args.config.config.as_deref(),
        &cwd,
        &options,
        &args.selection,
    ) {
        Ok(run) => run,
        Err(code) => return code,
    };
    let path = baseline_path(&config, &args.baseline, &cwd);
    let shown = report::display_path(&path, &cwd);
    let fresh = baseline::Baseline::from_diagnostics(&outcome.diagnostics);
    let existing = match baseline::Baseline::load(&path, &shown) {
        Ok(existing) => existing,
        Err(error) => {
            say!("error: {error}");
            return EXIT_TROUBLE;
        }
    };
    if baseline::in_ci() {
        let refusal = match &existing {
            None => Some("create"),
            Some(existing) if existing.grows_into(&fresh) => Some("grow"),
            Some(_) => None,
        };
        if let Some(verb) = refusal {
            say!(
                "error: refusing to {verb} the baseline {shown} in CI (CI is set): record new violations locally and commit the file, or fix them"
            );
            return EXIT_TROUBLE;
        }
    }
    if let Err(error) = fresh.write(&path, &shown) {
        say!("error: {error}");
        return EXIT_TROUBLE;
    }
    let files: std::collections::BTreeSet<&str> = fresh
        .entries
        .iter()
        .map(|entry| entry.path.as_str())
        .collect();
    let written = write_output(None, &cwd, true, |out, _| {
        writeln!(
            out,
            "Wrote {shown}: {} in {}.",
            report::plural(fresh.violations(), "known violation"),
            report::plural(files.len(), "file")
        )
    });
    written.err().unwrap_or(EXIT_CLEAN)
}
