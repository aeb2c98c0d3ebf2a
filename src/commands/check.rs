//! `importgate check`: the main job — check the tree (or PATHS), report, fix.

use super::baseline::{apply_baseline, baseline_path};
use super::shared::*;
use crate::cli::{CheckArgs, FormatArg};
use crate::config::Config;
use crate::report::{self, OutputFormat};
use crate::{atomic_file, engine, fix, guarded_io, progress};
use crate::{EXIT_CLEAN, EXIT_TROUBLE, EXIT_VIOLATIONS};
use std::io::IsTerminal;

/// `check --show-settings` and `check --show-files`: the walk without a check.
pub(crate) fn show_settings_or_files(
    args: &CheckArgs,
    config: &Config,
    cwd: &std::path::Path,
) -> u8 {
    let files = engine::checked_files(config, worker_count(args.threads));
    let written = write_output(args.output_file.as_deref(), cwd, true, |out, _| {
        if args.show_settings {
            report::write_settings(config, &files, &|path| report::display_path(path, cwd), out)
        } else {
            report::write_files(&files, &|file| report::display_path(&file.path, cwd), out)
        }
    });
    written.err().unwrap_or(EXIT_CLEAN)
}

pub(crate) fn run_check(args: &CheckArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."));
    let stderr_color = use_color(args.color, std::io::stderr().is_terminal());
    let mut config = match load_config(args.config.config.as_deref(), &cwd, stderr_color) {
        Ok(config) => config,
        Err(code) => return code,
    };
    select_checks(&mut config, &args.selection);
    let config = config;
    if args.verbose {
        say!("Registry: {}", report::display_path(&config.path, &cwd));
    }
    if args.show_settings || args.show_files {
        return show_settings_or_files(args, &config, &cwd);
    }
    let mut options = engine::CheckOptions {
        paths: args.paths.clone(),
        threads: worker_count(args.threads),
        strict_guarded: args.strict_guarded,
        cache_dir: (!args.no_cache).then(|| config.cache_dir()),
        // Fixes are planned from the project facts, which a replayed report has not.
        replay_report: !(args.fix || args.diff),
        ..Default::default()
    };
    // With --fix or --diff, rounds of fixes are applied in memory and checked again until
    // none applies (a fix can wait for an overlapping one), so that one run converges.
    const MAX_FIX_ROUNDS: usize = 10;
    let fixing = args.fix || args.diff;
    let mut session = fix::FixSession::default();
    let mut round = 0;
    let check = |options: &mut engine::CheckOptions| {
        options.progress = if args.quiet {
            None
        } else {
            progress::for_stderr()
        };
        engine::check(&config, options).map_err(|error| {
            say!("error: {error}");
            EXIT_TROUBLE
        })
    };
    let mut outcome = loop {
        let outcome = match check(&mut options) {
            Ok(outcome) => outcome,
            Err(code) => return code,
        };
        round += 1;
        if !fixing || round > MAX_FIX_ROUNDS {
            break outcome;
        }
        if !session.plan_round(&outcome.files, &outcome.diagnostics, args.unsafe_fixes) {
            break outcome;
        }
        options.overlay = std::sync::Arc::new(session.overlay());
    };
    if fixing {
        let (changes, refused) = session.changes();
        for (shown, reason) in &refused {
            say!(
                "warning: {}: {reason}",
                report::display_path(&config.root.join(shown), &cwd)
            );
        }
        if args.diff {
            return print_diffs(&changes, &cwd);
        }
        let root = guarded_io::GovernedRoot::new(&config.root);
        atomic_file::remove_temporaries_on_interrupt();
        let mut fixed = 0;
        let mut all_written = refused.is_empty();
        for change in &changes {
            match atomic_file::replace_keeping_identity(
                &change.path,
                &change.original,
                &change.bytes,
                &root,
            ) {
                Ok(()) => fixed += change.applied,
                Err(refusal) => {
                    all_written = false;
                    say!(
                        "warning: {}: {refusal}",
                        report::display_path(&change.path, &cwd)
                    );
                }
            }
        }
        // The report must say what is on disk: when a fix was not written, check again.
        if !all_written || session.files_fixed() != changes.len() {
            options.overlay = Default::default();
            outcome = match check(&mut options) {
                Ok(outcome) => outcome,
                Err(code) => return code,
            };
        }
        outcome.fixed = fixed;
    }
    if !args.no_baseline {
        let path = baseline_path(&config, &args.baseline, &cwd);
        if let Err(code) = apply_baseline(
            &mut outcome,
            &path,
            args.prune_baseline,
            &cwd,
            &config.checks,
        ) {
            return code;
        }
    }
    if let Some(hint) = &outcome.roots_hint {
        say_roots_hint(hint);
    }
    if args.verbose && outcome.replayed {
        say!("Nothing changed since the last full run: its report is replayed from the cache.");
    }
    // pre-commit passes every staged file; the registry decides which are checked, so the
    // others are skipped silently.
    if args.verbose {
        for skipped in &outcome.skipped_paths {
            say!(
                "{} is not a checked Python file of {} (excluded, ignored, outside the root, or not Python); skipped",
                report::display_path(skipped, &cwd),
                report::display_path(&config.root, &cwd)
            );
        }
    }
    let format = match args.output_format {
        FormatArg::Full => OutputFormat::Full,
        FormatArg::Concise => OutputFormat::Concise,
        FormatArg::Json => OutputFormat::Json,
        FormatArg::Github => OutputFormat::Github,
        FormatArg::JsonLines => OutputFormat::JsonLines,
        FormatArg::Gitlab => OutputFormat::Gitlab,
        FormatArg::Sarif => OutputFormat::Sarif,
        FormatArg::Junit => OutputFormat::Junit,
        FormatArg::Markdown => OutputFormat::Markdown,
    };
    if let Err(code) = write_output(
        args.output_file.as_deref(),
        &cwd,
        false,
        |out, to_terminal| {
            if args.statistics {
                let statistics = report::Statistics::new(&outcome);
                let mut out = report::visible::ControlEscaper::new(out);
                return if format == OutputFormat::Json {
                    statistics.write_json(&mut out)
                } else {
                    statistics.write_text(&mut out)
                };
            }
            let mut context = report_context(&config, &cwd, use_color(args.color, to_terminal));
            context.quiet = args.quiet;
            context.one_line_summary = !to_terminal && under_pre_commit();
            report::render(format, &outcome, &context, out)
        },
    ) {
        return code;
    }
    if outcome.errors() > 0 && !args.exit_zero {
        EXIT_VIOLATIONS
    } else {
        EXIT_CLEAN
    }
}

/// One clear hint before a flood of unresolved imports: the registry's python roots are
/// probably not the tree's.
pub(crate) fn say_roots_hint(hint: &engine::RootsHint) {
    let mut causes = Vec::new();
    if hint.unresolved > 0 {
        causes.push(format!(
            "{} of modules that do not exist",
            report::plural(hint.unresolved, "import")
        ));
    }
    if hint.unreached > 0 {
        causes.push(format!(
            "{} of packages of the tree that the python roots do not reach ({}), taken for third-party ones",
            report::plural(hint.unreached, "import"),
            hint.unreached_packages.join(", ")
        ));
    }
    let roots: Vec<String> = hint
        .python_roots
        .iter()
        .map(|root| format!("{:?}", if root.is_empty() { "." } else { root.as_str() }))
        .collect();
    say!(
        "warning: most first-party imports do not resolve ({}; {} resolve): set `python-roots` in [settings], probably to [{}]",
        causes.join(", "),
        hint.resolved,
        roots.join(", ")
    );
}

/// `--diff`: the unified diff of every file the fixes would change, on stdout: exactly the
/// files, and the text, that `--fix` would write.
pub(crate) fn print_diffs(changes: &[fix::Change], cwd: &std::path::Path) -> u8 {
    let written = write_output(None, cwd, true, |out, _| {
        for change in changes {
            let shown = report::display_path(&change.path, cwd);
            write!(
                out,
                "{}",
                fix::unified_diff(&shown, &change.before, &change.after)
            )?;
        }
        Ok(())
    });
    if let Err(code) = written {
        return code;
    }
    let fixed: usize = changes.iter().map(|change| change.applied).sum();
    say!(
        "{fixed} fix{} would change {} file{}.",
        if fixed == 1 { "" } else { "es" },
        changes.len(),
        if changes.len() == 1 { "" } else { "s" }
    );
    if fixed > 0 {
        EXIT_VIOLATIONS
    } else {
        EXIT_CLEAN
    }
}
