//! importgate: a static import-boundary linter for Python service monorepos.
//!
//! The stages run in one direction: `discover -> classify -> frontend -> resolve -> checks ->
//! report`. Each stage depends only on the plain data in `model` and `diagnostic` and on the
//! stages before it.
#![warn(missing_docs)]

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

use cli::{CheckArgs, Cli, ColorArg, Command, ExplainArgs, FormatArg};
use config::{Config, LoadError};
use report::{OutputFormat, ReportContext};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Writes one line to stderr, control characters escaped. A stderr that is closed or full
/// is no reason to fail or to panic (as `eprintln!` would): the exit code still tells.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::say_line(format_args!($($arg)*))
    };
}

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
            commands::watch::run(registry, || run_check(&args))
        }
        Command::Check(args) => run_check(&args),
        Command::Explain(args) => run_explain(args),
        Command::Completions(args) => run_completions(args),
        Command::Schema => run_schema(),
        Command::Server => commands::server::run(),
        Command::Init(args) => run_init(args),
        Command::Baseline(args) => run_baseline(args),
        Command::Why(args) => run_why(args),
        Command::Graph(args) => run_graph(args),
        Command::Audit(cli::AuditArgs {
            command: Some(cli::AuditCommand::Duplicates(args)),
            ..
        }) => run_audit_duplicates(args),
        Command::Audit(args) => run_audit(args),
    }
}

fn run_explain(args: ExplainArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let check = match args.code.as_deref().map(checks::CheckCode::find) {
        Some(None) => {
            say!(
                "error: unknown check `{}`; `importgate explain` lists them",
                args.code.as_deref().unwrap_or_default()
            );
            return EXIT_TROUBLE;
        }
        Some(Some(check)) => Some(check),
        None => None,
    };
    let written = write_output(None, &cwd, true, |out, _| match check {
        Some(check) => {
            let info = check.info();
            writeln!(out, "# {} ({})\n", check.name(), check.code())
                .and_then(|()| write!(out, "{}", info.docs()))
        }
        None => checks::CheckCode::ALL.iter().try_for_each(|check| {
            let info = check.info();
            writeln!(
                out,
                "{}  {:<21} {}",
                check.code(),
                check.name(),
                info.summary
            )
        }),
    });
    written.err().unwrap_or(EXIT_CLEAN)
}

/// `importgate init`: writes a registry that holds on the tree today, and with `--baseline`
/// the baseline of what the other checks find.
fn run_init(args: cli::InitArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let directory = args
        .directory
        .as_deref()
        .map_or(cwd.clone(), |dir| cwd.join(dir));
    let target = if args.pyproject {
        commands::init::Target::Pyproject
    } else {
        commands::init::Target::RulesToml
    };
    let threads = worker_count(args.threads);
    let written = match args.from {
        None => commands::init::init(&directory, target, threads),
        Some(tool) => {
            let tool = match tool {
                cli::FromTool::ImportLinter => commands::migrate::Tool::ImportLinter,
                cli::FromTool::Tach => commands::migrate::Tool::Tach,
            };
            commands::init::init_from(&directory, target, tool).map(|(written, migration)| {
                say!(
                    "Migrated {}.",
                    report::display_path(&migration.source, &cwd)
                );
                for item in &migration.unexpressed {
                    say!("warning: not migrated: {item}");
                }
                written
            })
        }
    };
    let written = match written {
        Ok(written) => written,
        Err(error) => {
            say!("error: {error}");
            return EXIT_TROUBLE;
        }
    };
    let shown = report::display_path(&written.path, &cwd);
    if args.from.is_some() {
        say!(
            "Wrote the registry to {shown}: {}.",
            report::plural(written.config.rule_ids().len(), "rule")
        );
    } else {
        say!(
            "Wrote the registry to {shown}: {}, {} {}.",
            report::plural(written.services, "service"),
            written.boundaries,
            if written.boundaries == 1 {
                "boundary"
            } else {
                "boundaries"
            }
        );
    }
    let options = engine::CheckOptions {
        threads,
        ..Default::default()
    };
    let outcome = match engine::check(&written.config, &options) {
        Ok(outcome) => outcome,
        Err(error) => {
            say!("error: {error}");
            return EXIT_TROUBLE;
        }
    };
    if args.baseline {
        let path = written.config.baseline.clone();
        let shown = report::display_path(&path, &cwd);
        let baseline = baseline::Baseline::from_diagnostics(&outcome.diagnostics);
        if let Err(error) = baseline.write(&path, &shown) {
            say!("error: {error}");
            return EXIT_TROUBLE;
        }
        say!(
            "Wrote the baseline to {shown}: {} that `importgate check` now ignores.",
            report::plural(baseline.violations(), "known violation")
        );
    } else if outcome.errors() > 0 {
        say!(
            "`importgate check` finds {} today (run it to see them); `importgate init --baseline` would record them instead.",
            report::plural(outcome.errors(), "error")
        );
    } else {
        say!("`importgate check` passes on the tree as it is.");
    }
    EXIT_CLEAN
}

/// `importgate schema`: the registry's JSON Schema on stdout.
fn run_schema() -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let written = write_output(None, &cwd, false, |out, _| {
        serde_json::to_writer_pretty(&mut *out, &config::schema::registry_schema())?;
        writeln!(out)
    });
    written.err().unwrap_or(EXIT_CLEAN)
}

/// `importgate completions SHELL`: the completion script on stdout.
fn run_completions(args: cli::CompletionsArgs) -> u8 {
    use clap::CommandFactory;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut command = Cli::command();
    let written = write_output(None, &cwd, false, |out, _| {
        clap_complete::generate(args.shell, &mut command, "importgate", out);
        Ok(())
    });
    written.err().unwrap_or(EXIT_CLEAN)
}

/// `check --show-settings` and `check --show-files`: the walk without a check.
fn show_settings_or_files(args: &CheckArgs, config: &Config, cwd: &std::path::Path) -> u8 {
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

fn run_check(args: &CheckArgs) -> u8 {
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
fn say_roots_hint(hint: &engine::RootsHint) {
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

/// The baseline file: `--baseline` (relative to the working directory), else the registry's.
fn baseline_path(config: &Config, args: &cli::BaselineFileArgs, cwd: &std::path::Path) -> PathBuf {
    args.path
        .as_ref()
        .map_or_else(|| config.baseline.clone(), |path| cwd.join(path))
}

/// Drops the known violations from the outcome and reports the stale entries (IG903), or
/// with `prune`, rewrites the baseline without them. A missing baseline is no baseline.
fn apply_baseline(
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
fn run_baseline(args: cli::BaselineArgs) -> u8 {
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

/// `importgate why A B`: exit 0 with the chain, 1 when there is no path, 2 when A or B
/// names nothing in the graph.
fn run_why(args: cli::WhyArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let options = engine::CheckOptions {
        threads: worker_count(args.threads),
        ..Default::default()
    };
    let (config, outcome) = match check_whole_tree(
        args.config.config.as_deref(),
        &cwd,
        &options,
        &cli::SelectionArgs::default(),
    ) {
        Ok(run) => run,
        Err(code) => return code,
    };
    let filter = graph::EdgeFilter {
        tests: args.tests,
        type_checking: config.graph_type_checking,
        lazy: true,
    };
    let modules = graph::Digraph::modules(&outcome.project, filter);
    // A service's modules, or a module and its submodules (a literal module pattern).
    let members = |name: &str| -> Vec<bool> {
        let patterns = match config.services.iter().find(|service| service.name == name) {
            Some(service) => service.modules.clone(),
            None => config::ModulePattern::parse(name).into_iter().collect(),
        };
        modules.mark(|module| patterns.iter().any(|pattern| pattern.matches(module)))
    };
    let (from, to) = (members(&args.from), members(&args.to));
    // A name exists when it is a service or a module or package of the tree, whether or not
    // it imports anything: a module with no imports has no path, it is no usage error.
    let exists = |name: &str| {
        config.services.iter().any(|service| service.name == name)
            || outcome.project.has_module_or_package(name)
    };
    for name in [&args.from, &args.to] {
        if !exists(name) {
            say!("error: `{name}` is no service, module or package of the tree");
            return EXIT_TROUBLE;
        }
    }
    // A and B may overlap (`why app app.db`): as import-linter does, the modules in both are
    // left out of the start, so the chain leaves A's own modules for B's.
    let shared = from.iter().zip(&to).filter(|(a, b)| **a && **b).count();
    let from: Vec<bool> = from.iter().zip(&to).map(|(a, b)| *a && !*b).collect();
    let mut text = String::new();
    if shared > 0 {
        text.push_str(&format!(
            "note: {} in both `{}` and `{}` left out of the start\n",
            report::plural(shared, "module"),
            args.from,
            args.to
        ));
    }
    let code = match modules.shortest_path(&from, &to) {
        Some(chain) => {
            let first = modules.edges[chain[0]].from;
            text.push_str(&format!("{}\n", modules.names[first]));
            for &edge in &chain {
                let edge = &modules.edges[edge];
                text.push_str(&format!(
                    "  -> {}  ({}:{})\n",
                    modules.names[edge.to],
                    report::display_path(
                        &config.root.join(outcome.project.text(edge.witness.path)),
                        &cwd
                    ),
                    edge.witness.line
                ));
            }
            EXIT_CLEAN
        }
        None => {
            text.push_str(&format!("no path from `{}` to `{}`\n", args.from, args.to));
            EXIT_VIOLATIONS
        }
    };
    let written = write_output(None, &cwd, true, |out, _| out.write_all(text.as_bytes()));
    written.err().unwrap_or(code)
}

/// `importgate graph`: exit 0 with the graph, 2 when the focus names nothing or the level
/// cannot be drawn.
fn run_graph(args: cli::GraphArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let options = engine::CheckOptions {
        threads: worker_count(args.threads),
        ..Default::default()
    };
    let (config, outcome) = match check_whole_tree(
        args.config.config.as_deref(),
        &cwd,
        &options,
        &cli::SelectionArgs::default(),
    ) {
        Ok(run) => run,
        Err(code) => return code,
    };
    use overview::graph_view::Level;
    let level = match args.level {
        Some(cli::LevelArg::Service) => Level::Service,
        Some(cli::LevelArg::Package) => Level::Package,
        Some(cli::LevelArg::Module) => Level::Module,
        None if config.services.is_empty() => Level::Package,
        None => Level::Service,
    };
    let view_options = overview::graph_view::ViewOptions {
        level,
        focus: args.focus.clone(),
        depth: args.depth,
        filter: graph::EdgeFilter {
            tests: args.tests,
            type_checking: config.graph_type_checking,
            lazy: true,
        },
    };
    let view = match overview::graph_view::build(&config, &outcome, &view_options) {
        Ok(view) => view,
        Err(error) => {
            say!("error: {error}");
            return EXIT_TROUBLE;
        }
    };
    if args.format == cli::GraphFormat::Mermaid
        && view.edges.len() > report::graph::MERMAID_MAX_EDGES
    {
        say!(
            "error: the {} graph has {} edges; Mermaid draws at most {} (GitHub and GitLab show \
             an error instead of the chart)\n  hint: draw a part of it with `--focus NAME \
             [--depth N]`, the services with `--level service`, or all of it with \
             `--format dot`",
            overview::graph_view::level_noun(view.level),
            view.edges.len(),
            report::graph::MERMAID_MAX_EDGES
        );
        return EXIT_TROUBLE;
    }
    let written = write_output(
        args.output_file.as_deref(),
        &cwd,
        true,
        |out, _| match args.format {
            cli::GraphFormat::Dot => report::graph::write_dot(&view, out),
            cli::GraphFormat::Mermaid => report::graph::write_mermaid(&view, out),
            cli::GraphFormat::Json => report::graph::write_json(&view, out),
        },
    );
    written.err().unwrap_or(EXIT_CLEAN)
}

/// The run the audits report on: the whole tree, with the definition of every public class
/// and function kept for the duplicate candidates.
fn audit_run(
    config: Option<&std::path::Path>,
    threads: Option<usize>,
    cwd: &std::path::Path,
) -> Result<(Config, engine::Outcome), u8> {
    let options = engine::CheckOptions {
        threads,
        all_public_definitions: true,
        ..Default::default()
    };
    check_whole_tree(config, cwd, &options, &cli::SelectionArgs::default())
}

/// `importgate audit`: always exit 0 with the report (2 for a registry or write error).
fn run_audit(args: cli::AuditArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (config, outcome) = match audit_run(
        args.config.config.as_deref(),
        worker_count(args.threads),
        &cwd,
    ) {
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

/// Writes a report to `-o FILE` or standard output (`write` is told whether that is a
/// terminal); on failure, says so on stderr and returns the exit code. A closed pipe
/// (`importgate check | head`) is the reader's choice, not a failure.
fn write_output(
    file: Option<&std::path::Path>,
    cwd: &std::path::Path,
    escape: bool,
    write: impl FnOnce(&mut dyn Write, bool) -> std::io::Result<()>,
) -> Result<(), u8> {
    // `escape`: output with no colour of its own has every control character escaped here;
    // `check` reports escape what they draw themselves.
    let write_to = |writer: &mut dyn Write, to_terminal: bool| {
        if escape {
            let mut escaped = report::visible::ControlEscaper::new(writer);
            write(&mut escaped, to_terminal).and_then(|()| escaped.flush())
        } else {
            write(writer, to_terminal).and_then(|()| writer.flush())
        }
    };
    let written = match file {
        Some(path) => std::fs::File::create(cwd.join(path)).and_then(|file| {
            let mut writer = std::io::BufWriter::new(file);
            write_to(&mut writer, false)
        }),
        None => {
            let stdout = std::io::stdout();
            let to_terminal = stdout.is_terminal();
            let mut writer = std::io::BufWriter::new(stdout.lock());
            write_to(&mut writer, to_terminal)
        }
    };
    match written {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            say!("error: cannot write the report: {error}");
            Err(EXIT_TROUBLE)
        }
        _ => Ok(()),
    }
}

/// `--diff`: the unified diff of every file the fixes would change, on stdout: exactly the
/// files, and the text, that `--fix` would write.
fn print_diffs(changes: &[fix::Change], cwd: &std::path::Path) -> u8 {
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

/// Finds (or takes) and validates the registry; on failure, reports it on stderr and
/// returns the exit code.
fn load_config(
    explicit: Option<&std::path::Path>,
    cwd: &std::path::Path,
    color: bool,
) -> Result<Config, u8> {
    let config_path = match explicit {
        Some(path) => path.to_path_buf(),
        None => match Config::find(cwd) {
            Some(path) => path,
            None => {
                say!(
                    "error: {}",
                    LoadError::NotFound {
                        start: cwd.to_path_buf()
                    }
                );
                return Err(EXIT_TROUBLE);
            }
        },
    };
    match Config::load(&config_path) {
        Ok(config) => Ok(config),
        Err(LoadError::Invalid(errors)) => {
            let stderr = std::io::stderr().lock();
            let _ = if color {
                let mut stderr = stderr;
                report::render_config_errors(&errors, cwd, color, terminal_width(), &mut stderr)
            } else {
                let mut stderr = report::visible::ControlEscaper::new(stderr);
                report::render_config_errors(&errors, cwd, color, terminal_width(), &mut stderr)
            };
            Err(EXIT_TROUBLE)
        }
        Err(error) => {
            say!("error: {error}");
            Err(EXIT_TROUBLE)
        }
    }
}

/// Loads the registry and checks the tree, for the commands that report on a whole run;
/// failures are reported on stderr and become the exit code.
fn check_whole_tree(
    explicit_config: Option<&std::path::Path>,
    cwd: &std::path::Path,
    options: &engine::CheckOptions,
    selection: &cli::SelectionArgs,
) -> Result<(Config, engine::Outcome), u8> {
    let color = use_color(ColorArg::Auto, std::io::stderr().is_terminal());
    let mut config = load_config(explicit_config, cwd, color)?;
    select_checks(&mut config, selection);
    let options = engine::CheckOptions {
        progress: progress::for_stderr(),
        ..options.clone()
    };
    match engine::check(&config, &options) {
        Ok(outcome) => Ok((config, outcome)),
        Err(error) => {
            say!("error: {error}");
            Err(EXIT_TROUBLE)
        }
    }
}

/// Applies `--select`, `--extend-select` and `--ignore` on top of `[checks]`.
fn select_checks(config: &mut Config, selection: &cli::SelectionArgs) {
    config.checks.override_with(
        selection.select.as_deref(),
        &selection.extend_select,
        &selection.ignore,
    );
}

/// `importgate audit duplicates`.
fn run_audit_duplicates(args: cli::AuditDuplicatesArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (config, outcome) = match audit_run(
        args.config.config.as_deref(),
        worker_count(args.threads),
        &cwd,
    ) {
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

/// Most worker threads a run uses, per core: more only add contention (`-j 1000` took
/// 30-45 s on a two-file tree, larger values never finished).
const MAX_THREADS_PER_CORE: usize = 4;

/// `-j N`, capped at [`MAX_THREADS_PER_CORE`] per core with a warning; `-j 0` is the default
/// (one per core).
fn worker_count(requested: Option<usize>) -> Option<usize> {
    let requested = requested.filter(|&count| count > 0)?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let cap = cores * MAX_THREADS_PER_CORE;
    if requested > cap {
        say!(
            "warning: -j {requested} is more than {MAX_THREADS_PER_CORE} threads per core; using {cap}"
        );
        return Some(cap);
    }
    Some(requested)
}

fn report_context<'a>(config: &'a Config, cwd: &std::path::Path, color: bool) -> ReportContext<'a> {
    let mut context = ReportContext::new(config, cwd);
    context.color = color;
    context.width = terminal_width();
    context
}

/// pre-commit sets `PRE_COMMIT=1` for every hook it runs.
fn under_pre_commit() -> bool {
    std::env::var_os("PRE_COMMIT").is_some_and(|value| !value.is_empty())
}

fn use_color(choice: ColorArg, is_terminal: bool) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// `COLUMNS` when set (terminals export it), else 100: wide enough for code frames, and
/// fixed so that piped output is the same everywhere.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.parse().ok())
        .filter(|&columns: &usize| columns >= 40)
        .unwrap_or(100)
}
