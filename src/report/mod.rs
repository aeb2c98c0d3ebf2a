//! Rendering an [`Outcome`](crate::engine::Outcome): one file per output format, and the
//! summary they share. Reports see diagnostics and the registry text, never a syntax tree.

pub mod audit;
mod concise;
mod duplicates;
mod full;
mod github;
mod gitlab;
pub mod graph;
mod json;
mod json_lines;
mod junit;
mod markdown;
mod sarif;
mod settings;
mod statistics;
mod summary;
pub mod visible;

pub use crate::overview::duplicates::{duplicate_records, DefinitionRecord, DuplicateRecord};
pub use crate::overview::summary::Summary;
pub use duplicates::{write_duplicates_json, write_duplicates_text};
pub use full::render_config_errors;
pub use settings::{write_files, write_settings};
pub use statistics::Statistics;
pub use summary::plural;

use crate::config::Config;
use crate::engine::Outcome;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The `--output-format` choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Code frames with the rule line and a help hint (miette).
    Full,
    /// One line per diagnostic: `path:line:col: IG001 [rule] message`.
    Concise,
    /// The JSON document described in the README.
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// One JSON object per diagnostic per line.
    JsonLines,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// GitHub-flavoured Markdown (step summaries, pull-request comments).
    Markdown,
}

/// What every format needs besides the outcome.
pub struct ReportContext<'a> {
    /// The registry (its path and text label the rule lines).
    pub config: &'a Config,
    /// Where paths in text formats are shown relative to.
    pub cwd: PathBuf,
    /// Whether to use colour (full format only).
    pub color: bool,
    /// Terminal width for the full format.
    pub width: usize,
    /// `--quiet`: the diagnostics without the summary.
    pub quiet: bool,
    /// The summary as one line, and nothing on a clean run: under pre-commit, which splits
    /// the files over several runs and prints every run's output one after the other.
    pub one_line_summary: bool,
    /// The top level of the git repository that holds the governed root, if any: SARIF and
    /// the `github` and `junit` formats give paths relative to it, as code scanning and
    /// annotations need them, whatever the working directory and wherever rules.toml is.
    pub repository_root: Option<PathBuf>,
}

impl<'a> ReportContext<'a> {
    /// The context for `config` seen from `cwd`: no colour, 100 columns, the full summary.
    pub fn new(config: &'a Config, cwd: &Path) -> Self {
        Self {
            config,
            cwd: cwd.to_path_buf(),
            color: false,
            width: 100,
            quiet: false,
            one_line_summary: false,
            repository_root: repository_root(&config.root),
        }
    }

    /// A diagnostic's path relative to the repository's top level when there is one, else
    /// as [`display_path`](Self::display_path) shows it.
    pub fn repository_path(&self, relative: &str) -> String {
        self.repository_relative(relative)
            .unwrap_or_else(|| self.display_path(relative))
    }

    /// A diagnostic's path relative to the repository's top level, when there is one.
    pub fn repository_relative(&self, relative: &str) -> Option<String> {
        let top = self.repository_root.as_deref()?;
        Some(display_path(&self.config.root.join(relative), top))
    }
    /// A diagnostic's path as a person at `cwd` would type it: relative to the working
    /// directory when the file is below it, else absolute.
    pub fn display_path(&self, relative: &str) -> String {
        display_path(&self.config.root.join(relative), &self.cwd)
    }
}

/// The nearest directory at or above `root` that has a `.git` (a directory, or a file in a
/// worktree or submodule): git's top level. Only names are looked up, nothing is read.
pub fn repository_root(root: &Path) -> Option<PathBuf> {
    let root = crate::paths::normalize(root);
    root.ancestors()
        .find(|directory| directory.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

/// `path` relative to `cwd` when below it (`.` for `cwd` itself), else as it is; always
/// `/`-separated.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let path = crate::paths::normalize(path);
    let shown = crate::paths::slash_path(path.strip_prefix(cwd).unwrap_or(&path));
    if shown.is_empty() {
        ".".to_string()
    } else {
        shown
    }
}

/// The text formats' summary, as `--quiet` and pre-commit want it.
fn write_summary(
    summary: &Summary,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if context.quiet {
        Ok(())
    } else if context.one_line_summary {
        summary.write_line(out)
    } else {
        summary.write_text(out)
    }
}

/// Writes the report in `format`.
pub fn render(
    format: OutputFormat,
    outcome: &Outcome,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let summary = Summary::new(outcome);
    // Colour is the full format's own escape sequences: there, text from the tree is made
    // visible where it is drawn. Everywhere else every control character is escaped.
    let mut escaped;
    let out: &mut dyn Write = if format == OutputFormat::Full && context.color {
        out
    } else {
        escaped = visible::ControlEscaper::new(out);
        &mut escaped
    };
    match format {
        OutputFormat::Full => {
            full::render(outcome, context, out)?;
            write_summary(&summary, context, out)
        }
        OutputFormat::Concise => {
            concise::render(outcome, context, out)?;
            write_summary(&summary, context, out)
        }
        OutputFormat::Json => json::render(outcome, &summary, out),
        OutputFormat::Github => github::render(outcome, context, out),
        OutputFormat::JsonLines => json_lines::render(outcome, out),
        OutputFormat::Gitlab => gitlab::render(outcome, context, out),
        OutputFormat::Sarif => sarif::render(outcome, context, out),
        OutputFormat::Junit => junit::render(outcome, context, out),
        OutputFormat::Markdown => markdown::render(outcome, &summary, context, out),
    }
}
