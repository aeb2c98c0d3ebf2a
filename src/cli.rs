//! Command-line arguments (clap derive structs only; `lib::run` acts on them).

use crate::codes::Selector;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// A static import-boundary linter for Python service monorepos.
#[derive(Debug, Parser)]
#[command(name = "importgate", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the governed tree (or only PATHS) against rules.toml.
    Check(CheckArgs),
    /// Print the documentation of a check (IG001 or forbidden-import); without CODE, list all.
    Explain(ExplainArgs),
    /// Write the baseline: the current violations, which `check` then ignores (only new
    /// ones are reported).
    Baseline(BaselineArgs),
    /// The shortest import chain from module (or service) A to B, each hop with file:line.
    Why(WhyArgs),
    /// Write a first registry for the tree (rules.toml, or [tool.importgate] in pyproject.toml)
    /// that holds today: its python roots, its services, and a boundary per service that
    /// forbids the services it does not import yet.
    Init(InitArgs),
    /// Print the JSON Schema of the registry (rules.toml, or [tool.importgate] in
    /// pyproject.toml) for editors: `#:schema ./importgate.schema.json` at the top of
    /// rules.toml.
    Schema,
    /// Print a shell completion script (`importgate completions bash > ~/.local/share/bash-completion/completions/importgate`).
    Completions(CompletionsArgs),
    /// Draw the dependency graph (services, packages or modules), edges labelled with their
    /// import counts and dependency violations in colour.
    Graph(GraphArgs),
    /// A report for people: imports between services, violations by check, rule, service
    /// and file, duplicate definitions, unresolved imports and import cycles.
    Audit(AuditArgs),
    /// Run the language server (LSP over stdio) for editors: diagnostics from unsaved
    /// buffers, and registry errors as rules.toml is edited.
    Server,
}

/// `importgate init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The tree (default: the current directory); the registry is written there.
    #[arg(value_name = "DIRECTORY")]
    pub directory: Option<PathBuf>,

    /// Write `[tool.importgate]` into pyproject.toml instead of a rules.toml.
    #[arg(long)]
    pub pyproject: bool,

    /// Also write the baseline: what the checks find today is then ignored by `check`.
    #[arg(long)]
    pub baseline: bool,

    /// Migrate another tool's configuration instead of inferring one from the tree.
    #[arg(long, value_enum, value_name = "TOOL")]
    pub from: Option<FromTool>,

    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// `init --from` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FromTool {
    /// import-linter: `.importlinter`, `setup.cfg` or `[tool.importlinter]` in pyproject.toml.
    ImportLinter,
    /// tach: `tach.toml` or `[tool.tach]` in pyproject.toml.
    Tach,
}

/// `importgate completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `importgate graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Registry options.
    #[command(flatten)]
    pub config: ConfigArgs,

    /// What a node is (default: service when rules.toml declares services, else package).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub level: Option<LevelArg>,

    /// How to write the graph.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot, value_name = "FORMAT")]
    pub format: GraphFormat,

    /// Draw only the neighbourhood of this module, package or service.
    #[arg(long, value_name = "MODULE")]
    pub focus: Option<String>,

    /// With --focus: how many imports away from it the neighbourhood reaches.
    #[arg(long, default_value_t = 1, value_name = "N", requires = "focus")]
    pub depth: usize,

    /// Count imports in test files too.
    #[arg(long)]
    pub tests: bool,

    /// Write the graph to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// `graph --level` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    /// The registry's services.
    Service,
    /// Packages (a module's package; a package stands for itself).
    Package,
    /// Modules.
    Module,
}

/// `graph --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown).
    Mermaid,
    /// A JSON document.
    Json,
}

/// `importgate audit [duplicates]`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    /// A narrower audit.
    #[command(subcommand)]
    pub command: Option<AuditCommand>,

    /// Registry options.
    #[command(flatten)]
    pub config: ConfigArgs,

    /// How to write the report.
    #[arg(long, value_enum, default_value_t = AuditReportFormat::Markdown, value_name = "FORMAT")]
    pub format: AuditReportFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// `audit --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditReportFormat {
    /// Markdown (a pull request comment, a wiki page).
    Markdown,
    /// A JSON document.
    Json,
    /// One self-contained HTML page with the service graph and sortable tables.
    Html,
}

/// `importgate audit ...`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List every public class and function name defined in two or more production modules,
    /// grouped and counted: the candidates for the next consolidation.
    Duplicates(AuditDuplicatesArgs),
}

/// `importgate audit duplicates`.
#[derive(Debug, Args)]
pub struct AuditDuplicatesArgs {
    /// Registry options.
    #[command(flatten)]
    pub config: ConfigArgs,

    /// `text` for people, `json` for scripts.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text, value_name = "FORMAT")]
    pub format: AuditFormat,

    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// `audit --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Grouped text.
    Text,
    /// A JSON document.
    Json,
}

/// Options every subcommand that reads the registry shares.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// The registry file (default: rules.toml in the current directory or an ancestor).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

/// Which checks run, on top of the registry's `[checks]` (as ruff's rule selection).
#[derive(Debug, Args, Default)]
pub struct SelectionArgs {
    /// Run only these checks: codes, names or code prefixes, comma-separated (`IG001,IG02`;
    /// `ALL` for every check). Replaces `[checks] select`.
    #[arg(long, value_delimiter = ',', value_name = "CHECKS", value_parser = selector)]
    pub select: Option<Vec<Selector>>,

    /// Run these checks too, on top of the selected ones.
    #[arg(long, value_delimiter = ',', value_name = "CHECKS", value_parser = selector)]
    pub extend_select: Vec<Selector>,

    /// Do not run these checks (added to `[checks] ignore`; the more specific selector wins).
    #[arg(long, value_delimiter = ',', value_name = "CHECKS", value_parser = selector)]
    pub ignore: Vec<Selector>,
}

fn selector(text: &str) -> Result<Selector, String> {
    Selector::parse(text).map_err(|unknown| unknown.to_string())
}

/// `importgate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Report only on these files or directories (the whole tree is still resolved).
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    /// Registry options.
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Check selection.
    #[command(flatten)]
    pub selection: SelectionArgs,

    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = FormatArg::Full, value_name = "FORMAT")]
    pub output_format: FormatArg,

    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Exit with 0 even when errors are found (2 is still used for usage and config errors).
    #[arg(long)]
    pub exit_zero: bool,

    /// Apply the safe fixes, then report what remains.
    #[arg(long)]
    pub fix: bool,

    /// Apply the unsafe fixes too (with --fix or --diff).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff and change nothing (exit code 1 when there are any).
    #[arg(long)]
    pub diff: bool,

    /// Check again whenever a Python file, the registry or the baseline changes, clearing
    /// the terminal between runs; Ctrl-C stops (exit code 0).
    #[arg(long, conflicts_with_all = ["fix", "diff", "show_settings", "show_files"])]
    pub watch: bool,

    /// Report imports guarded by `except ImportError` that do not resolve (IG020, IG021) as
    /// warnings; by default they are optional by design and not reported.
    #[arg(long)]
    pub strict_guarded: bool,

    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// When to use colour in the full format.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Baseline options.
    #[command(flatten)]
    pub baseline: BaselineFileArgs,

    /// Report every violation, as if there were no baseline.
    #[arg(long, conflicts_with = "prune_baseline")]
    pub no_baseline: bool,

    /// Rewrite the baseline without its stale entries (never adds any).
    #[arg(long)]
    pub prune_baseline: bool,

    /// Walk the tree and parse every file instead of reading what earlier runs kept in
    /// .importgate_cache (the tree's listing, the facts of unchanged files; with PATHS, the
    /// imports of the other files), and do not write it.
    #[arg(long)]
    pub no_cache: bool,

    /// Print the diagnostics only: no summary, no progress.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more on stderr: the given paths that are not checked (excluded, ignored, not
    /// Python), and the registry used.
    #[arg(short, long)]
    pub verbose: bool,

    /// Print how many diagnostics each check and each rule produced, instead of the
    /// diagnostics (text, or JSON with --output-format json).
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    pub statistics: bool,

    /// Print the resolved registry (where it was read from, roots, services and their files,
    /// every rule and whether its checks are on) and exit.
    #[arg(long, conflicts_with_all = ["fix", "diff", "statistics", "show_files"])]
    pub show_settings: bool,

    /// Print the files that would be checked (with production/test and service) and exit.
    #[arg(long, conflicts_with_all = ["fix", "diff", "statistics"])]
    pub show_files: bool,
}

/// Where the baseline is.
#[derive(Debug, Args)]
pub struct BaselineFileArgs {
    /// The baseline file (default: `[settings] baseline`, or importgate-baseline.json next to
    /// rules.toml).
    #[arg(long = "baseline", value_name = "FILE")]
    pub path: Option<PathBuf>,
}

/// `importgate baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Registry options.
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Baseline options.
    #[command(flatten)]
    pub baseline: BaselineFileArgs,

    /// Check selection (record only what `check` with the same options reports).
    #[command(flatten)]
    pub selection: SelectionArgs,

    /// Record guarded imports that do not resolve too (as `check --strict-guarded` reports
    /// them).
    #[arg(long)]
    pub strict_guarded: bool,

    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// `importgate why`.
#[derive(Debug, Args)]
pub struct WhyArgs {
    /// The importing module or service.
    #[arg(value_name = "A")]
    pub from: String,

    /// The imported module or service.
    #[arg(value_name = "B")]
    pub to: String,

    /// Registry options.
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Follow imports in test files too.
    #[arg(long)]
    pub tests: bool,

    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// `importgate explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A check code (`IG001`) or name (`forbidden-import`).
    pub code: Option<String>,
}

/// `--output-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Code frames, rule line and hint.
    Full,
    /// One line per diagnostic.
    Concise,
    /// A JSON document.
    Json,
    /// GitHub Actions annotations.
    Github,
    /// One JSON object per diagnostic per line.
    JsonLines,
    /// GitLab Code Quality report.
    Gitlab,
    /// SARIF 2.1.0 (GitHub code scanning and other dashboards).
    Sarif,
    /// JUnit XML (one test case per rule, a failure per diagnostic).
    Junit,
    /// Markdown: every finding, for a CI step summary or a pull-request comment.
    Markdown,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}
