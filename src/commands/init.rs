//! `importgate init`: a first registry for a tree, written so that it holds today. The
//! layout gives the import roots and the services; a check of the draft finds which
//! services already import which; each service's boundary then forbids the others it does
//! not import yet (tach's allow-list model), so the registry starts green and stops new
//! cross-service dependencies. Never overwrites a registry.

use super::shared::*;
use crate::cli;
use crate::commands;
use crate::config::{Config, CONFIG_FILE_NAME, DEFAULT_TEST_GLOBS, PYPROJECT_FILE_NAME};
use crate::layout::{infer, Layout};
use crate::{baseline, engine, report};
use crate::{EXIT_CLEAN, EXIT_TROUBLE};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `importgate init`: writes a registry that holds on the tree today, and with `--baseline`
/// the baseline of what the other checks find.
pub(crate) fn run_init(args: cli::InitArgs) -> u8 {
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

/// Where `init` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A new rules.toml.
    RulesToml,
    /// A `[tool.importgate]` table added to pyproject.toml.
    Pyproject,
}

/// Why `init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A registry is there already.
    #[error("{} already holds a registry; init never overwrites one", .0.display())]
    Exists(PathBuf),
    /// The draft registry did not load (a bug: the text is generated).
    #[error("the generated registry does not load: {0}")]
    Draft(String),
    /// The check of the draft could not run.
    #[error("{0}")]
    Run(#[from] crate::engine::RunError),
    /// The other tool's configuration could not be read.
    #[error("{0}")]
    Migrate(#[from] crate::commands::migrate::MigrateError),
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// What `init` wrote.
#[derive(Debug)]
pub struct Written {
    /// The registry file.
    pub path: PathBuf,
    /// The registry, loaded.
    pub config: Config,
    /// The services declared.
    pub services: usize,
    /// The boundaries declared.
    pub boundaries: usize,
}

/// The registry file `init` would write in `directory`, or the one that is there already.
fn existing_registry(directory: &Path) -> Option<PathBuf> {
    let rules = directory.join(CONFIG_FILE_NAME);
    if rules.exists() {
        return Some(rules);
    }
    let pyproject = directory.join(PYPROJECT_FILE_NAME);
    let text = std::fs::read_to_string(&pyproject).ok()?;
    let has_table = text
        .parse::<toml::Table>()
        .ok()
        .and_then(|document| document.get("tool")?.get("importgate").cloned())
        .is_some();
    has_table.then_some(pyproject)
}

/// A TOML string literal.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn quoted_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(quoted).collect();
    format!("[{}]", items.join(", "))
}

/// The registry text for `layout`; `imported` holds, per service, the services its
/// production code imports today (`None`: the draft, every other service forbidden).
fn registry_text(
    layout: &Layout,
    imported: Option<&BTreeMap<String, BTreeSet<String>>>,
    prefix: &str,
) -> String {
    let mut text = String::new();
    let roots: Vec<&str> = layout
        .python_roots
        .iter()
        .map(|root| if root.is_empty() { "." } else { root.as_str() })
        .collect();
    let _ = writeln!(
        text,
        "# importgate registry, written by `importgate init`: it holds on the tree as it is, and\n\
         # stops new dependencies between services. Every key is in importgate's README (\"The\n\
         # registry\"); `importgate schema` prints the JSON Schema for editors."
    );
    let _ = writeln!(text, "\n[{prefix}settings]");
    let _ = writeln!(
        text,
        "# The directories that hold the top-level packages, like sys.path entries.\npython-roots = {}",
        quoted_list(roots)
    );
    let _ = writeln!(text, "\n[{prefix}tests]");
    let _ = writeln!(
        text,
        "# Test code (boundaries let it import anything by default).\ninclude = {}",
        quoted_list(DEFAULT_TEST_GLOBS.iter().copied())
    );
    if layout.services.is_empty() {
        let packages: Vec<&str> = layout
            .packages
            .values()
            .flatten()
            .map(String::as_str)
            .collect();
        let _ = writeln!(
            text,
            "\n# One top-level package ({}): no services to keep apart. Describe its inside with\n\
             # [[{prefix}layers]] or [[{prefix}independent]], and its banned APIs with [[{prefix}banned]].",
            if packages.is_empty() {
                "none".to_string()
            } else {
                packages.join(", ")
            }
        );
        return text;
    }
    for service in &layout.services {
        let _ = writeln!(text, "\n[[{prefix}service]]");
        let _ = writeln!(text, "name = {}", quoted(&service.name));
        let _ = writeln!(
            text,
            "modules = {}",
            quoted_list(service.modules.iter().map(String::as_str))
        );
        if let Some(directory) = &service.directory {
            let _ = writeln!(
                text,
                "paths = {}   # its tests beside its code are its own",
                quoted_list([format!("{directory}/**").as_str()])
            );
        }
    }
    for service in &layout.services {
        let others: Vec<&str> = layout
            .services
            .iter()
            .filter(|other| other.name != service.name)
            .map(|other| other.name.as_str())
            .collect();
        let already: BTreeSet<&str> = imported
            .and_then(|imported| imported.get(&service.name))
            .map(|names| names.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let forbidden: Vec<&str> = others
            .iter()
            .copied()
            .filter(|other| !already.contains(other))
            .collect();
        let id = format!("{}-boundary", service.name);
        if forbidden.is_empty() {
            let _ = writeln!(
                text,
                "\n# `{}` imports every other service already: no boundary.",
                service.name
            );
            continue;
        }
        let _ = writeln!(text);
        if !already.is_empty() {
            let already: Vec<String> = already
                .into_iter()
                .map(|name| format!("`{name}`"))
                .collect();
            let _ = writeln!(
                text,
                "# `{}` imports {} today, so this does not forbid {}: add {} to `forbid` once\n\
                 # those imports are gone.",
                service.name,
                already.join(", "),
                if already.len() == 1 { "it" } else { "them" },
                if already.len() == 1 { "it" } else { "them" },
            );
        }
        let _ = writeln!(text, "[[{prefix}boundary]]");
        let _ = writeln!(text, "id = {}", quoted(&id));
        let _ = writeln!(text, "from = {}", quoted_list([service.name.as_str()]));
        let _ = writeln!(text, "forbid = {}", quoted_list(forbidden));
    }
    text
}

/// The services each service's production code imports, from the IG001 findings of a
/// draft whose boundaries forbid every other service.
fn imports_between_services(
    draft: &Config,
    outcome: &crate::engine::Outcome,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut imported: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for diagnostic in &outcome.diagnostics {
        if diagnostic.code != crate::codes::CheckCode::ForbiddenImport {
            continue;
        }
        let (Some(rule), Some(target)) = (&diagnostic.rule, &diagnostic.target) else {
            continue;
        };
        let Some(service) = rule.id.strip_suffix("-boundary") else {
            continue;
        };
        if let Some(owner) = draft.service_of(target) {
            imported
                .entry(service.to_string())
                .or_default()
                .insert(owner.name.clone());
        }
    }
    imported
}

/// Writes a registry for the tree at `directory` and returns it, loaded.
pub fn init(
    directory: &Path,
    target: Target,
    threads: Option<usize>,
) -> Result<Written, InitError> {
    if let Some(existing) = existing_registry(directory) {
        return Err(InitError::Exists(existing));
    }
    let rules_path = directory.join(CONFIG_FILE_NAME);
    let load = |text: &str| {
        Config::from_text(&rules_path, text.to_string())
            .map_err(|error| InitError::Draft(error.to_string()))
    };
    let bare = load("")?;
    let files = crate::engine::checked_files(&bare, threads);
    let layout = infer(files.iter().map(|file| file.relative.as_str()));

    let options = crate::engine::CheckOptions {
        threads,
        ..Default::default()
    };
    let draft = load(&registry_text(&layout, None, ""))?;
    let outcome = crate::engine::check(&draft, &options)?;
    let imported = imports_between_services(&draft, &outcome);

    let text = registry_text(&layout, Some(&imported), target.prefix());
    write_registry(directory, target, &text)
}

/// Writes a registry migrated from another tool's configuration (see
/// [`crate::commands::migrate`]) and returns it with what could not be migrated.
pub fn init_from(
    directory: &Path,
    target: Target,
    tool: crate::commands::migrate::Tool,
) -> Result<(Written, crate::commands::migrate::Migration), InitError> {
    if let Some(existing) = existing_registry(directory) {
        return Err(InitError::Exists(existing));
    }
    let migration = crate::commands::migrate::migrate(directory, tool)?;
    let written = write_registry(directory, target, &migration.text(target.prefix()))?;
    Ok((written, migration))
}

impl Target {
    /// What the registry's table names start with.
    fn prefix(self) -> &'static str {
        match self {
            Target::RulesToml => "",
            Target::Pyproject => "tool.importgate.",
        }
    }
}

/// Writes the registry text: a new rules.toml, or added to pyproject.toml.
fn write_registry(directory: &Path, target: Target, text: &str) -> Result<Written, InitError> {
    let path = match target {
        Target::RulesToml => directory.join(CONFIG_FILE_NAME),
        Target::Pyproject => directory.join(PYPROJECT_FILE_NAME),
    };
    let io = |source| InitError::Io {
        path: path.clone(),
        source,
    };
    match target {
        Target::RulesToml => {
            write_new(&path, text).map_err(io)?;
        }
        Target::Pyproject => {
            let mut existing = match std::fs::read_to_string(&path) {
                Ok(existing) => existing,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(error) => return Err(io(error)),
            };
            if !existing.is_empty() && !existing.ends_with('\n') {
                existing.push('\n');
            }
            if !existing.is_empty() {
                existing.push('\n');
            }
            existing.push_str(text);
            crate::atomic_file::replace(&path, existing.as_bytes()).map_err(io)?;
        }
    }
    let config = Config::load(&path).map_err(|error| InitError::Draft(error.to_string()))?;
    Ok(Written {
        path,
        services: config.services.len(),
        boundaries: config.boundaries.len(),
        config,
    })
}

/// Creates `path` with `text`; fails when it exists (a registry written meanwhile).
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
