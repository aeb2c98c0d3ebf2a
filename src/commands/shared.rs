//! What the commands share: loading the registry, a whole-tree check, the worker count,
//! and writing output the way the command line asked.

use crate::cli::{self, ColorArg};
use crate::config::{Config, LoadError};
use crate::report::{self, ReportContext};
use crate::EXIT_TROUBLE;
use crate::{engine, progress};
use std::io::{IsTerminal, Write};

/// Most worker threads a run uses, per core: more only add contention (`-j 1000` took
/// 30-45 s on a two-file tree, larger values never finished).
const MAX_THREADS_PER_CORE: usize = 4;

/// Writes a report to `-o FILE` or standard output (`write` is told whether that is a
/// terminal); on failure, says so on stderr and returns the exit code. A closed pipe
/// (`importgate check | head`) is the reader's choice, not a failure.
pub(crate) fn write_output(
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

/// Finds (or takes) and validates the registry; on failure, reports it on stderr and
/// returns the exit code.
pub(crate) fn load_config(
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
pub(crate) fn check_whole_tree(
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
pub(crate) fn select_checks(config: &mut Config, selection: &cli::SelectionArgs) {
    config.checks.override_with(
        selection.select.as_deref(),
        &selection.extend_select,
        &selection.ignore,
    );
}

/// `-j N`, capped at [`MAX_THREADS_PER_CORE`] per core with a warning; `-j 0` is the default
/// (one per core).
pub(crate) fn worker_count(requested: Option<usize>) -> Option<usize> {
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

pub(crate) fn report_context<'a>(
    config: &'a Config,
    cwd: &std::path::Path,
    color: bool,
) -> ReportContext<'a> {
    let mut context = ReportContext::new(config, cwd);
    context.color = color;
    context.width = terminal_width();
    context
}

/// pre-commit sets `PRE_COMMIT=1` for every hook it runs.
pub(crate) fn under_pre_commit() -> bool {
    std::env::var_os("PRE_COMMIT").is_some_and(|value| !value.is_empty())
}

pub(crate) fn use_color(choice: ColorArg, is_terminal: bool) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// `COLUMNS` when set (terminals export it), else 100: wide enough for code frames, and
/// fixed so that piped output is the same everywhere.
pub(crate) fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.parse().ok())
        .filter(|&columns: &usize| columns >= 40)
        .unwrap_or(100)
}

/// A run of every check over the whole tree, with `threads` workers: what `why` and `graph`
/// answer from, and with `all_public_definitions` the audits (the definition of every
/// public class and function kept for the duplicate candidates).
pub(crate) fn whole_tree_run(
    config: Option<&std::path::Path>,
    threads: Option<usize>,
    cwd: &std::path::Path,
    all_public_definitions: bool,
) -> Result<(Config, engine::Outcome), u8> {
    let options = engine::CheckOptions {
        threads: worker_count(threads),
        all_public_definitions,
        ..Default::default()
    };
    check_whole_tree(config, cwd, &options, &cli::SelectionArgs::default())
}
