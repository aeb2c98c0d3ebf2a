//! `importgate init --from import-linter | tach`: another tool's configuration, read and
//! written as an importgate registry that gives the same verdict. A comment above each rule
//! names the contract or module it came from; whatever cannot be expressed is listed, in a
//! comment and on stderr, never dropped silently. import-linter finds its root packages on
//! `sys.path` and tach on its `source_roots`: the migration finds where those packages sit in
//! the tree and sets `python-roots`, so that `importgate check` works right away.

use crate::config::{CONFIG_FILE_NAME, PYPROJECT_FILE_NAME};

mod tach_interfaces;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The tool a configuration comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// import-linter: `.importlinter`, `setup.cfg` or `[tool.importlinter]`.
    ImportLinter,
    /// tach: `tach.toml` or `[tool.tach]`.
    Tach,
}

/// A configuration migrated to a registry.
#[derive(Debug)]
pub struct Migration {
    /// The file it was read from.
    pub source: PathBuf,
    /// The registry's tables, with `{prefix}` where a table name starts (`tool.importgate.`
    /// in pyproject.toml).
    pub(crate) body: String,
    /// What could not be expressed, one sentence each.
    pub unexpressed: Vec<String>,
}

impl Migration {
    /// The registry text, its tables prefixed with `prefix`.
    pub fn text(&self, prefix: &str) -> String {
        let mut text = self.body.replace("{prefix}", prefix);
        if !self.unexpressed.is_empty() {
            text.push_str("\n# Not migrated (no importgate equivalent, or not understood):\n");
            for item in &self.unexpressed {
                let _ = writeln!(text, "# - {item}");
            }
        }
        text
    }
}

/// Why a configuration could not be migrated.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// No configuration of that tool in the directory.
    #[error("no {tool} configuration in {}: looked for {looked_for}", .directory.display())]
    NotFound {
        /// The tool's name.
        tool: &'static str,
        /// The directory.
        directory: PathBuf,
        /// The files looked at.
        looked_for: &'static str,
    },
    /// The configuration does not parse.
    #[error("{}: {message}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// One contract or module option: its values, a list for multi-line INI values and TOML
/// arrays.
#[derive(Debug, Clone)]
enum OptionValue {
    One(String),
    Many(Vec<String>),
    Flag(bool),
    Number(i64),
}

impl OptionValue {
    fn list(&self) -> Vec<String> {
        match self {
            OptionValue::One(text) => text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .map(str::to_string)
                .collect(),
            OptionValue::Many(items) => items.clone(),
            OptionValue::Flag(flag) => vec![flag.to_string()],
            OptionValue::Number(number) => vec![number.to_string()],
        }
    }

    fn text(&self) -> String {
        self.list().join(" ")
    }

    fn flag(&self) -> Option<bool> {
        match self {
            OptionValue::Flag(flag) => Some(*flag),
            other => match other.text().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Some(true),
                "false" | "no" | "off" | "0" => Some(false),
                _ => None,
            },
        }
    }
}

/// One section of options (import-linter's `[importlinter]` or a contract).
type Options = BTreeMap<String, OptionValue>;

/// A TOML string literal.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|item| quoted(item.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// Where the root packages sit: the directory of each (relative, `""` for the top) that
/// holds it as a package (`pkg/__init__.py`) or a namespace directory; the shallowest wins.
fn roots_of(packages: &[String], files: &[String]) -> (Vec<String>, Vec<String>) {
    let mut roots = BTreeSet::new();
    let mut missing = Vec::new();
    for package in packages {
        let top = package.split('.').next().unwrap_or(package);
        let found = files
            .iter()
            .filter_map(|path| {
                let mut parts: Vec<&str> = path.split('/').collect();
                parts.pop();
                let at = parts.iter().position(|part| *part == top)?;
                Some(parts[..at].join("/"))
            })
            .min_by_key(|root| (root.matches('/').count(), root.len(), root.clone()));
        match found {
            Some(root) => {
                roots.insert(root);
            }
            None => missing.push(top.to_string()),
        }
    }
    (roots.into_iter().collect(), missing)
}

/// The `/`-separated paths of the tree's Python files, as a full run walks them.
fn tree_files(directory: &Path) -> Vec<String> {
    let config = crate::config::Config::from_text(&directory.join(CONFIG_FILE_NAME), String::new());
    match config {
        Ok(config) => crate::engine::checked_files(&config, None)
            .into_iter()
            .map(|file| file.relative)
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn python_roots_line(roots: &[String]) -> String {
    let shown: Vec<&str> = roots
        .iter()
        .map(|root| if root.is_empty() { "." } else { root.as_str() })
        .collect();
    format!("python-roots = {}", quoted_list(&shown))
}

/// Migrates the configuration of `tool` found in `directory`.
pub fn migrate(directory: &Path, tool: Tool) -> Result<Migration, MigrateError> {
    match tool {
        Tool::ImportLinter => import_linter::migrate(directory),
        Tool::Tach => tach::migrate(directory),
    }
}

mod import_linter {
    use super::*;

    /// The contract types import-linter ships, with the options each takes.
    const CONTRACT_OPTIONS: &[(&str, &[&str])] = &[
        (
            "forbidden",
            &[
                "source_modules",
                "forbidden_modules",
                "ignore_imports",
                "allow_indirect_imports",
                "unmatched_ignore_imports_alerting",
                "as_packages",
            ],
        ),
        (
            "layers",
            &[
                "layers",
                "containers",
                "ignore_imports",
                "unmatched_ignore_imports_alerting",
                "exhaustive",
                "exhaustive_ignores",
            ],
        ),
        (
            "independence",
            &[
                "modules",
                "ignore_imports",
                "unmatched_ignore_imports_alerting",
            ],
        ),
        (
            "acyclic_siblings",
            &[
                "ancestors",
                "depth",
                "skip_descendants",
                "ignore_imports",
                "unmatched_ignore_imports_alerting",
            ],
        ),
        (
            "private_modules",
            &[
                "packages_with_private_modules",
                "ignore_imports",
                "unmatched_ignore_imports_alerting",
            ],
        ),
        (
            "protected",
            &[
                "protected_modules",
                "allowed_importers",
                "ignore_imports",
                "unmatched_ignore_imports_alerting",
                "as_packages",
            ],
        ),
    ];

    /// Options every contract takes.
    const COMMON_OPTIONS: &[&str] = &["name", "type", "id", "broken_contract_guidance"];

    struct Contract {
        id: String,
        options: Options,
    }

    /// Reads the configuration: `.importlinter`, `setup.cfg` or `pyproject.toml`, the first
    /// that has one.
    fn read(directory: &Path) -> Result<(PathBuf, Options, Vec<Contract>), MigrateError> {
        for name in [".importlinter", "setup.cfg"] {
            let path = directory.join(name);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let mut ini = configparser::ini::Ini::new_cs();
            ini.set_multiline(true);
            ini.set_inline_comment_symbols(None);
            let sections = ini.read(text).map_err(|message| MigrateError::Invalid {
                path: path.clone(),
                message,
            })?;
            let Some(general) = sections.get("importlinter") else {
                continue;
            };
            let contracts = sections
                .iter()
                .filter_map(|(name, section)| {
                    let id = name.strip_prefix("importlinter:contract:")?;
                    Some(Contract {
                        id: id.to_string(),
                        options: ini_options(section),
                    })
                })
                .collect();
            return Ok((path, ini_options(general), contracts));
        }
        let path = directory.join(PYPROJECT_FILE_NAME);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let document: toml::Table =
                text.parse()
                    .map_err(|error: toml::de::Error| MigrateError::Invalid {
                        path: path.clone(),
                        message: error.to_string(),
                    })?;
            if let Some(toml::Value::Table(general)) = document
                .get("tool")
                .and_then(|tool| tool.get("importlinter"))
            {
                let options_of = |table: &toml::Table| {
                    table
                        .iter()
                        .filter_map(|(key, value)| Some((key.clone(), toml_option(value)?)))
                        .collect::<Options>()
                };
                let contracts = general
                    .get("contracts")
                    .and_then(toml::Value::as_array)
                    .map(|contracts| {
                        contracts
                            .iter()
                            .enumerate()
                            .filter_map(|(position, contract)| {
                                let table = contract.as_table()?;
                                let options = options_of(table);
                                let id = options
                                    .get("id")
                                    .map(OptionValue::text)
                                    .unwrap_or_else(|| format!("contract-{}", position + 1));
                                Some(Contract { id, options })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let mut general_options = options_of(general);
                general_options.remove("contracts");
                return Ok((path, general_options, contracts));
            }
        }
        Err(MigrateError::NotFound {
            tool: "import-linter",
            directory: directory.to_path_buf(),
            looked_for:
                ".importlinter, setup.cfg ([importlinter]), pyproject.toml ([tool.importlinter])",
        })
    }

    /// The options of an INI section; keys lower-cased, as Python's configparser does.
    fn ini_options<'a>(
        section: impl IntoIterator<Item = (&'a String, &'a Option<String>)>,
    ) -> Options {
        section
            .into_iter()
            .map(|(key, value)| {
                (
                    key.to_ascii_lowercase(),
                    OptionValue::One(value.clone().unwrap_or_default()),
                )
            })
            .collect()
    }

    fn toml_option(value: &toml::Value) -> Option<OptionValue> {
        Some(match value {
            toml::Value::String(text) => OptionValue::One(text.clone()),
            toml::Value::Boolean(flag) => OptionValue::Flag(*flag),
            toml::Value::Integer(number) => OptionValue::Number(*number),
            toml::Value::Array(items) => OptionValue::Many(
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect(),
            ),
            _ => return None,
        })
    }

    /// A module expression as a registry module pattern that also covers descendants
    /// (`as_packages`): a bare top-level name needs `.**` (a bare name would be a service),
    /// and import-linter's `**` (one or more segments) is `*.**`.
    fn package_pattern(expression: &str) -> String {
        let pattern: Vec<&str> = expression
            .split('.')
            .flat_map(|segment| {
                if segment == "**" {
                    vec!["*", "**"]
                } else {
                    vec![segment]
                }
            })
            .collect();
        let pattern = pattern.join(".");
        if pattern.contains('.') || pattern.contains('*') {
            pattern
        } else {
            format!("{pattern}.**")
        }
    }

    fn unmatched(options: &Options) -> &'static str {
        match options
            .get("unmatched_ignore_imports_alerting")
            .map(OptionValue::text)
            .as_deref()
        {
            Some("warn") => "warn",
            Some("none") => "off",
            _ => "error",
        }
    }

    /// The lines every rule with exemptions and guidance shares.
    fn common_lines(options: &Options, text: &mut String) {
        if let Some(guidance) = options.get("broken_contract_guidance") {
            let _ = writeln!(text, "hint = {}", quoted(guidance.list().join(" ").trim()));
        }
        if let Some(ignores) = options.get("ignore_imports") {
            let _ = writeln!(text, "ignore-imports = {}", quoted_list(&ignores.list()));
            let _ = writeln!(
                text,
                "unmatched-ignore-imports = {}",
                quoted(unmatched(options))
            );
        }
    }

    pub(super) fn migrate(directory: &Path) -> Result<Migration, MigrateError> {
        let (source, general, contracts) = read(directory)?;
        let mut unexpressed = Vec::new();
        let mut body = String::new();
        let source_name = source
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        let _ = writeln!(
            body,
            "# importgate registry, migrated from import-linter's {source_name} by\n\
             # `importgate init --from import-linter`. Each rule names the contract it came from."
        );

        let mut root_packages: Vec<String> = Vec::new();
        for key in ["root_package", "root_packages"] {
            if let Some(value) = general.get(key) {
                root_packages.extend(value.list());
            }
        }
        let files = tree_files(directory);
        let (roots, missing) = roots_of(&root_packages, &files);
        for package in &missing {
            unexpressed.push(format!(
                "root package `{package}` is not in the tree: python-roots could not be set for it"
            ));
        }
        for (key, value) in &general {
            match key.as_str() {
                "root_package"
                | "root_packages"
                | "include_external_packages"
                | "exclude_type_checking_imports" => {}
                // Output only: importgate's summary always gives the time taken.
                "show_timings" => {}
                "contract_types" => unexpressed.push(format!(
                    "custom contract types ({}): importgate has no plug-in contracts",
                    value.list().join(", ")
                )),
                other => unexpressed.push(format!("the option `{other}` of [importlinter]")),
            }
        }
        let external = general
            .get("include_external_packages")
            .and_then(OptionValue::flag)
            .unwrap_or(false);
        let type_checking = !general
            .get("exclude_type_checking_imports")
            .and_then(OptionValue::flag)
            .unwrap_or(false);
        let tops: Vec<String> = root_packages
            .iter()
            .map(|package| package.split('.').next().unwrap_or(package).to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let _ = writeln!(body, "\n[{{prefix}}settings]");
        let _ = writeln!(
            body,
            "# Where import-linter's root packages sit in the tree."
        );
        let _ = writeln!(body, "{}", python_roots_line(&roots));
        let _ = writeln!(
            body,
            "# import-linter's graph holds its root packages only: everything else is external.\n\
             first-party = {}",
            quoted_list(&tops)
        );
        let _ = writeln!(body, "\n[{{prefix}}graph]");
        let _ = writeln!(
            body,
            "# import-linter's graph has every import of every module of its packages: tests,\n\
             # imports inside functions, and `if TYPE_CHECKING:` ones unless excluded.\n\
             tests = true\ntype-checking = {type_checking}\nexternal = {external}"
        );
        let _ = writeln!(body, "\n[{{prefix}}checks]");
        let _ = writeln!(
            body,
            "# The checks import-linter's contracts correspond to; remove `select` to run\n\
             # importgate's other checks too (unresolved imports, missing names, banned APIs...).\n\
             select = [\"IG001\", \"IG002\", \"IG013\", \"IG030\", \"IG031\", \"IG032\", \"IG033\", \"IG904\"]"
        );

        for contract in &contracts {
            let options = &contract.options;
            let kind = options
                .get("type")
                .map(OptionValue::text)
                .unwrap_or_default();
            let name = options
                .get("name")
                .map(OptionValue::text)
                .unwrap_or_else(|| contract.id.clone());
            let Some((_, known)) = CONTRACT_OPTIONS
                .iter()
                .find(|(type_name, _)| *type_name == kind)
            else {
                unexpressed.push(format!(
                    "contract `{}` ({name}): its type `{kind}` has no importgate equivalent",
                    contract.id
                ));
                continue;
            };
            for option in options.keys() {
                if !known.contains(&option.as_str()) && !COMMON_OPTIONS.contains(&option.as_str()) {
                    unexpressed.push(format!(
                        "the option `{option}` of contract `{}` ({kind})",
                        contract.id
                    ));
                }
            }
            let _ = writeln!(
                body,
                "\n# import-linter contract `{}` ({kind}): {name}",
                contract.id
            );
            let list = |key: &str| options.get(key).map(OptionValue::list).unwrap_or_default();
            // Direct imports are checked file by file, whatever `[graph]` says: imports that
            // import-linter leaves out of its graph are allowed by the rule itself.
            let type_checking_line = if type_checking {
                ""
            } else {
                "type-checking = \"allow\"  # exclude_type_checking_imports\n"
            };
            let flag = |key: &str, default: bool| {
                options
                    .get(key)
                    .and_then(OptionValue::flag)
                    .unwrap_or(default)
            };
            match kind.as_str() {
                "forbidden" => {
                    let as_packages = flag("as_packages", true);
                    let pattern = |expression: &String| {
                        if as_packages {
                            package_pattern(expression)
                        } else {
                            expression.clone()
                        }
                    };
                    let sources: Vec<String> = list("source_modules").iter().map(pattern).collect();
                    if !as_packages {
                        for source in &sources {
                            if !source.contains('.') && !source.contains('*') {
                                unexpressed.push(format!(
                                    "contract `{}`: the top-level package `{source}` as a module alone (as_packages = false) in source_modules",
                                    contract.id
                                ));
                            }
                        }
                    }
                    let _ = writeln!(body, "[[{{prefix}}boundary]]");
                    let _ = writeln!(body, "id = {}", quoted(&contract.id));
                    let _ = writeln!(body, "from = {}", quoted_list(&sources));
                    let forbidden: Vec<String> =
                        list("forbidden_modules").iter().map(pattern).collect();
                    let _ = writeln!(body, "forbid = {}", quoted_list(&forbidden));
                    let _ = writeln!(
                        body,
                        "tests = \"error\"  # import-linter counts every module"
                    );
                    let _ = writeln!(
                        body,
                        "transitive = {}",
                        !flag("allow_indirect_imports", false)
                    );
                    if !as_packages {
                        let _ = writeln!(body, "as-packages = false");
                    }
                    body.push_str(type_checking_line);
                    common_lines(options, &mut body);
                }
                "private_modules" => {
                    let _ = writeln!(body, "[[{{prefix}}private-modules]]");
                    let _ = writeln!(body, "id = {}", quoted(&contract.id));
                    let packages: Vec<String> = list("packages_with_private_modules")
                        .iter()
                        .map(|expression| {
                            // import-linter's `**` is one or more segments.
                            expression
                                .split('.')
                                .map(|segment| if segment == "**" { "*.**" } else { segment })
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .collect();
                    if !packages.is_empty() {
                        let _ = writeln!(body, "packages = {}", quoted_list(&packages));
                    }
                    let _ = writeln!(
                        body,
                        "tests = \"error\"  # import-linter counts every module"
                    );
                    body.push_str(type_checking_line);
                    common_lines(options, &mut body);
                }
                "protected" => {
                    let as_packages = flag("as_packages", true);
                    let protected: Vec<String> = list("protected_modules")
                        .iter()
                        .map(|expression| {
                            if as_packages {
                                package_pattern(expression)
                            } else {
                                expression.clone()
                            }
                        })
                        .collect();
                    // Allowed importers are files, found by module: the module's file and,
                    // as a package, everything below it.
                    let mut allow_in = Vec::new();
                    for importer in list("allowed_importers") {
                        let path = importer.replace('.', "/");
                        for root in &roots {
                            let base = if root.is_empty() {
                                path.clone()
                            } else {
                                format!("{root}/{path}")
                            };
                            allow_in.push(format!("{base}.py"));
                            allow_in.push(format!("{base}/**"));
                        }
                    }
                    let sources: Vec<String> = tops.iter().map(|top| format!("{top}.**")).collect();
                    let _ = writeln!(body, "[[{{prefix}}boundary]]");
                    let _ = writeln!(body, "id = {}", quoted(&contract.id));
                    let _ = writeln!(body, "from = {}", quoted_list(&sources));
                    let _ = writeln!(body, "forbid = {}", quoted_list(&protected));
                    let _ = writeln!(
                        body,
                        "tests = \"error\"  # import-linter counts every module"
                    );
                    let _ = writeln!(
                        body,
                        "allow-in = {}  # allowed_importers",
                        quoted_list(&allow_in)
                    );
                    if !as_packages {
                        let _ = writeln!(body, "as-packages = false");
                    }
                    body.push_str(type_checking_line);
                    common_lines(options, &mut body);
                }
                "layers" => {
                    let _ = writeln!(body, "[[{{prefix}}layers]]");
                    let _ = writeln!(body, "id = {}", quoted(&contract.id));
                    let _ = writeln!(body, "layers = {}", quoted_list(&list("layers")));
                    let containers = list("containers");
                    if !containers.is_empty() {
                        let _ = writeln!(body, "containers = {}", quoted_list(&containers));
                    }
                    if flag("exhaustive", false) {
                        let _ = writeln!(body, "exhaustive = true");
                        let ignores = list("exhaustive_ignores");
                        if !ignores.is_empty() {
                            let _ =
                                writeln!(body, "exhaustive-ignores = {}", quoted_list(&ignores));
                        }
                    }
                    common_lines(options, &mut body);
                }
                "independence" => {
                    let _ = writeln!(body, "[[{{prefix}}independent]]");
                    let _ = writeln!(body, "id = {}", quoted(&contract.id));
                    let _ = writeln!(body, "modules = {}", quoted_list(&list("modules")));
                    common_lines(options, &mut body);
                }
                "acyclic_siblings" => {
                    let ancestors = list("ancestors");
                    for (position, ancestor) in ancestors.iter().enumerate() {
                        let id = if ancestors.len() == 1 {
                            contract.id.clone()
                        } else {
                            format!("{}:{ancestor}", contract.id)
                        };
                        if position > 0 {
                            let _ = writeln!(body);
                        }
                        let _ = writeln!(body, "[[{{prefix}}cycles]]");
                        let _ = writeln!(body, "id = {}", quoted(&id));
                        let _ = writeln!(body, "within = {}", quoted(ancestor));
                        let _ = writeln!(body, "between = \"siblings\"");
                        let _ =
                            writeln!(body, "lazy = true  # grimp counts imports inside functions");
                        if let Some(depth) = options.get("depth") {
                            let _ = writeln!(body, "depth = {}", depth.text());
                        }
                        let skip = list("skip_descendants");
                        if !skip.is_empty() {
                            let _ = writeln!(body, "skip-descendants = {}", quoted_list(&skip));
                        }
                        common_lines(options, &mut body);
                    }
                }
                _ => {}
            }
        }
        Ok(Migration {
            source,
            body,
            unexpressed,
        })
    }
}

mod tach {
    use super::*;

    /// The keys of tach's project table that the migration reads.
    const PROJECT_KEYS: &[&str] = &[
        "modules",
        "layers",
        "interfaces",
        "source_roots",
        "exclude",
        "ignore_type_checking_imports",
        "forbid_circular_dependencies",
        "layers_explicit_depends_on",
        "root_module",
        "respect_gitignore",
    ];
    /// tach's settings that change how it runs, not its verdict.
    const NEUTRAL_PROJECT_KEYS: &[&str] = &["cache", "disable_logging", "use_regex_matching"];
    /// The keys of a `[[modules]]` entry that the migration reads.
    const MODULE_KEYS: &[&str] = &[
        "path",
        "depends_on",
        "cannot_depend_on",
        "layer",
        "utility",
        "unchecked",
        "visibility",
    ];
    /// tach's default `exclude`.
    const DEFAULT_EXCLUDE: &[&str] = &[
        "**/tests",
        "**/docs",
        "**/*__pycache__",
        "**/*egg-info",
        "**/venv",
    ];

    /// A dependency of a module: its path, and whether it is deprecated (a warning).
    struct Dependency {
        path: String,
        deprecated: bool,
    }

    struct Module {
        path: String,
        depends_on: Option<Vec<Dependency>>,
        cannot_depend_on: Vec<String>,
        layer: Option<String>,
        utility: bool,
        unchecked: bool,
    }

    fn read(directory: &Path) -> Result<(PathBuf, toml::Table), MigrateError> {
        let tach = directory.join("tach.toml");
        if let Ok(text) = std::fs::read_to_string(&tach) {
            let table = text
                .parse()
                .map_err(|error: toml::de::Error| MigrateError::Invalid {
                    path: tach.clone(),
                    message: error.to_string(),
                })?;
            return Ok((tach, table));
        }
        let pyproject = directory.join(PYPROJECT_FILE_NAME);
        if let Ok(text) = std::fs::read_to_string(&pyproject) {
            let document: toml::Table =
                text.parse()
                    .map_err(|error: toml::de::Error| MigrateError::Invalid {
                        path: pyproject.clone(),
                        message: error.to_string(),
                    })?;
            if let Some(toml::Value::Table(table)) =
                document.get("tool").and_then(|tool| tool.get("tach"))
            {
                return Ok((pyproject, table.clone()));
            }
        }
        Err(MigrateError::NotFound {
            tool: "tach",
            directory: directory.to_path_buf(),
            looked_for: "tach.toml, pyproject.toml ([tool.tach])",
        })
    }

    /// The strings of an array (a table stands for its `path`).
    pub(super) fn strings(value: Option<&toml::Value>) -> Vec<String> {
        value
            .and_then(toml::Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| match item {
                        toml::Value::String(text) => Some(text.clone()),
                        toml::Value::Table(table) => table
                            .get("path")
                            .and_then(toml::Value::as_str)
                            .map(str::to_string),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn dependencies(value: &toml::Value) -> Vec<Dependency> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| match item {
                        toml::Value::String(path) => Some(Dependency {
                            path: path.clone(),
                            deprecated: false,
                        }),
                        toml::Value::Table(table) => Some(Dependency {
                            path: table.get("path")?.as_str()?.to_string(),
                            deprecated: table
                                .get("deprecated")
                                .and_then(toml::Value::as_bool)
                                .unwrap_or(false),
                        }),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn flag(table: &toml::Table, key: &str, default: bool) -> bool {
        table
            .get(key)
            .and_then(toml::Value::as_bool)
            .unwrap_or(default)
    }

    /// A cycle in the declared `depends_on` of the modules, if there is one.
    fn declared_cycle(modules: &[Module]) -> Option<Vec<String>> {
        let edges: BTreeMap<&str, Vec<&str>> = modules
            .iter()
            .map(|module| {
                let targets = module
                    .depends_on
                    .iter()
                    .flatten()
                    .map(|dependency| dependency.path.as_str())
                    .collect();
                (module.path.as_str(), targets)
            })
            .collect();
        // Depth-first search with the path on a stack: a target already on it closes a cycle.
        fn visit<'m>(
            node: &'m str,
            edges: &BTreeMap<&'m str, Vec<&'m str>>,
            path: &mut Vec<&'m str>,
            done: &mut BTreeSet<&'m str>,
        ) -> Option<Vec<String>> {
            if let Some(start) = path.iter().position(|on_path| *on_path == node) {
                let mut cycle: Vec<String> = path[start..].iter().map(|m| m.to_string()).collect();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            if !done.insert(node) {
                return None;
            }
            path.push(node);
            for target in edges.get(node).into_iter().flatten() {
                if let Some(cycle) = visit(target, edges, path, done) {
                    return Some(cycle);
                }
            }
            path.pop();
            None
        }
        let mut done = BTreeSet::new();
        edges
            .keys()
            .find_map(|node| visit(node, &edges, &mut Vec::new(), &mut done))
    }

    /// The modules of the tree at or below a module some interface is for (`roots` are tach's
    /// source roots), each with the names it binds: what tach's expose patterns can match.
    fn interfaced_tree(
        directory: &Path,
        tree_modules: &[(String, String)],
        interfaces: &[tach_interfaces::Interface],
        modules: &[tach_interfaces::TachModule<'_>],
    ) -> BTreeMap<String, Vec<Box<str>>> {
        let interfaced: Vec<&str> = modules
            .iter()
            .map(|module| module.path)
            .filter(|path| interfaces.iter().any(|interface| interface.is_for(path)))
            .collect();
        let mut tree = BTreeMap::new();
        if interfaced.is_empty() {
            return tree;
        }
        for (module, file) in tree_modules {
            let under = |path: &&str| {
                module == *path
                    || module
                        .strip_prefix(*path)
                        .is_some_and(|rest| rest.starts_with('.'))
            };
            if !interfaced.iter().any(under) {
                continue;
            }
            let names = std::fs::read(directory.join(file))
                .map(|bytes| {
                    let python = crate::frontend::of(crate::model::Language::Python);
                    let source = crate::source::decode_python(bytes);
                    python
                        .extract(&source.text, &crate::frontend::ExtractOptions::default())
                        .bindings
                        .names
                })
                .unwrap_or_default();
            tree.insert(module.clone(), names);
        }
        tree
    }

    /// The `# tach-ignore` comments of the tree, which importgate does not read: how many,
    /// and where the first ones are.
    fn tach_ignore_comments(directory: &Path, files: &[String]) -> Option<String> {
        const SHOWN: usize = 5;
        let mut places = Vec::new();
        for file in files {
            let Ok(text) = std::fs::read_to_string(directory.join(file)) else {
                continue;
            };
            for (number, line) in text.lines().enumerate() {
                if line
                    .split_once('#')
                    .is_some_and(|(_, comment)| comment.trim_start().starts_with("tach-ignore"))
                {
                    places.push(format!("{file}:{}", number + 1));
                }
            }
        }
        if places.is_empty() {
            return None;
        }
        let more = places.len().saturating_sub(SHOWN);
        places.truncate(SHOWN);
        Some(format!(
            "{} `# tach-ignore` comment(s) ({}{}): importgate reads `# importgate: \
             ignore[IG001] -- reason` instead",
            places.len() + more,
            places.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ))
    }

    /// tach's name for the code outside every module.
    pub(super) const ROOT_MODULE: &str = "<root>";

    /// The dotted module names of the tree's Python files below tach's source `roots`
    /// (the deepest root that holds a file names its module), with each file's path.
    fn tree_modules(files: &[String], roots: &[String]) -> Vec<(String, String)> {
        files
            .iter()
            .filter_map(|file| {
                let stem = file.strip_suffix(".py")?;
                let relative = roots
                    .iter()
                    .filter_map(|root| {
                        if root.is_empty() {
                            Some((0, stem))
                        } else {
                            Some((
                                root.len(),
                                stem.strip_prefix(root.as_str())?.strip_prefix('/')?,
                            ))
                        }
                    })
                    .max_by_key(|(depth, _)| *depth)?
                    .1;
                let relative = relative.strip_suffix("/__init__").unwrap_or(relative);
                Some((relative.replace('/', "."), file.clone()))
            })
            .collect()
    }

    /// The top-level names of the code outside every tach module: the patterns of the
    /// `<root>` service (a module inside one of them is more specific, so its own service
    /// wins).
    fn outside_modules(tree: &[(String, String)], modules: &[Module]) -> Vec<String> {
        let inside = |module: &str| {
            modules.iter().any(|tach| {
                module == tach.path
                    || module
                        .strip_prefix(tach.path.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        };
        tree.iter()
            .filter(|(module, _)| !module.is_empty() && !inside(module))
            .filter_map(|(module, _)| Some(module.split('.').next()?.to_string()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    pub(super) fn migrate(directory: &Path) -> Result<Migration, MigrateError> {
        let (source, project) = read(directory)?;
        let mut unexpressed = Vec::new();
        for key in project.keys() {
            if !PROJECT_KEYS.contains(&key.as_str())
                && !NEUTRAL_PROJECT_KEYS.contains(&key.as_str())
            {
                unexpressed.push(format!("tach's `{key}` setting"));
            }
        }
        let mut modules: Vec<Module> = project
            .get("modules")
            .and_then(toml::Value::as_array)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(toml::Value::as_table)
                    .filter_map(|entry| {
                        for key in entry.keys() {
                            if !MODULE_KEYS.contains(&key.as_str()) {
                                unexpressed.push(format!(
                                    "the `{key}` of module `{}`",
                                    entry
                                        .get("path")
                                        .and_then(toml::Value::as_str)
                                        .unwrap_or("?")
                                ));
                            }
                        }
                        Some(Module {
                            path: entry.get("path")?.as_str()?.to_string(),
                            depends_on: entry.get("depends_on").map(dependencies),
                            cannot_depend_on: strings(entry.get("cannot_depend_on")),
                            layer: entry
                                .get("layer")
                                .and_then(toml::Value::as_str)
                                .map(str::to_string),
                            utility: flag(entry, "utility", false),
                            unchecked: flag(entry, "unchecked", false),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let layers = strings(project.get("layers"));
        let layer_rank = |module: &Module| {
            module
                .layer
                .as_ref()
                .and_then(|layer| layers.iter().position(|name| name == layer))
        };
        let explicit_layers = flag(&project, "layers_explicit_depends_on", false);
        let ignore_type_checking = flag(&project, "ignore_type_checking_imports", true);
        let circular = flag(&project, "forbid_circular_dependencies", false);
        let interfaces = tach_interfaces::read(&project, &mut unexpressed);
        let root_module = project
            .get("root_module")
            .and_then(toml::Value::as_str)
            .unwrap_or("ignore");
        if !["ignore", "allow", "dependenciesonly", "forbid"].contains(&root_module) {
            unexpressed.push(format!(
                "root_module = \"{root_module}\": tach knows ignore, allow, dependenciesonly \
                 and forbid; the code outside every module is left unchecked"
            ));
        }

        let mut body = String::new();
        let source_name = source
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        let _ = writeln!(
            body,
            "# importgate registry, migrated from tach's {source_name} by\n\
             # `importgate init --from tach`. Each service is a tach module."
        );
        let roots: Vec<String> = match project.get("source_roots") {
            Some(value) => strings(Some(value))
                .into_iter()
                .map(|root| {
                    let root = root.trim_start_matches("./").trim_end_matches('/');
                    if root == "." {
                        String::new()
                    } else {
                        root.to_string()
                    }
                })
                .collect(),
            None => vec![String::new()],
        };
        // tach's `<root>`, the code outside every module: ignored by default; otherwise a
        // module like any other (`allow`), that no module may depend on
        // (`dependenciesonly`, which tach enforces on the configuration), or that may
        // neither depend nor be depended on (`forbid`). Undeclared, it depends on nothing.
        // The tree is walked once: for `<root>`, the interfaces and `# tach-ignore`.
        let files = tree_files(directory);
        let tree = tree_modules(&files, &roots);
        let root_tops = if root_module == "ignore" {
            Vec::new()
        } else {
            outside_modules(&tree, &modules)
        };
        modules.retain(|module| module.path != ROOT_MODULE);
        if !root_tops.is_empty() {
            let declared = project
                .get("modules")
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(toml::Value::as_table)
                .find(|entry| entry.get("path").and_then(toml::Value::as_str) == Some(ROOT_MODULE));
            modules.push(Module {
                path: ROOT_MODULE.to_string(),
                depends_on: Some(
                    declared
                        .and_then(|entry| entry.get("depends_on"))
                        .map(dependencies)
                        .unwrap_or_default(),
                ),
                cannot_depend_on: Vec::new(),
                layer: None,
                utility: false,
                unchecked: false,
            });
        }
        let exclude: Vec<String> = match project.get("exclude") {
            Some(value) => strings(Some(value)),
            None => DEFAULT_EXCLUDE
                .iter()
                .map(|item| item.to_string())
                .collect(),
        };
        let exclude: Vec<String> = exclude
            .iter()
            .flat_map(|pattern| [pattern.clone(), format!("{pattern}/**")])
            .collect();
        let _ = writeln!(body, "\n[{{prefix}}settings]");
        let _ = writeln!(
            body,
            "# tach's source_roots.\n{}",
            python_roots_line(&roots)
        );
        let _ = writeln!(
            body,
            "# tach's exclude (each pattern, and what is below it)."
        );
        let _ = writeln!(body, "exclude = {}", quoted_list(&exclude));
        if !flag(&project, "respect_gitignore", true) {
            let _ = writeln!(body, "respect-gitignore = false");
        }
        let _ = writeln!(body, "\n[{{prefix}}graph]");
        let _ = writeln!(
            body,
            "# tach checks every file it does not exclude, tests too, and imports inside functions.\n\
             tests = true\ntype-checking = {}",
            !ignore_type_checking
        );
        let mut select = vec!["IG001", "IG013"];
        let layered: Vec<(usize, &Module)> = modules
            .iter()
            .filter_map(|module| Some((layer_rank(module)?, module)))
            .collect();
        let used_layers: BTreeSet<usize> = layered.iter().map(|(rank, _)| *rank).collect();
        if used_layers.len() >= 2 {
            select.push("IG031");
        }
        let _ = writeln!(body, "\n[{{prefix}}checks]");
        let _ = writeln!(
            body,
            "# The checks tach's rules correspond to; remove `select` to run importgate's other\n\
             # checks too (unresolved imports, missing names, banned APIs...).\nselect = {}",
            quoted_list(&select)
        );

        if let Some(listed) = tach_ignore_comments(directory, &files) {
            unexpressed.push(listed);
        }
        for module in &modules {
            let patterns: Vec<&str> = if module.path == ROOT_MODULE {
                root_tops.iter().map(String::as_str).collect()
            } else {
                vec![module.path.as_str()]
            };
            let _ = writeln!(body, "\n[[{{prefix}}service]]");
            if module.path == ROOT_MODULE {
                let _ = writeln!(
                    body,
                    "# tach's <root> (root_module = \"{root_module}\"): the code outside every module.\n\
                     # A module's own service wins over it (its pattern is longer)."
                );
            }
            let _ = writeln!(body, "name = {}", quoted(&module.path));
            let _ = writeln!(body, "modules = {}", quoted_list(&patterns));
        }
        let type_checking = if ignore_type_checking {
            "type-checking = \"allow\"  # ignore_type_checking_imports\n"
        } else {
            ""
        };
        for module in &modules {
            if module.unchecked {
                let _ = writeln!(
                    body,
                    "\n# tach module `{}` is unchecked: no boundary.",
                    module.path
                );
                continue;
            }
            let mut forbidden: Vec<&str> = Vec::new();
            let mut deprecated: Vec<&str> = Vec::new();
            if let Some(depends_on) = &module.depends_on {
                let allowed: BTreeSet<&str> = depends_on
                    .iter()
                    .map(|dependency| dependency.path.as_str())
                    .collect();
                deprecated = depends_on
                    .iter()
                    .filter(|dependency| dependency.deprecated)
                    .map(|dependency| dependency.path.as_str())
                    .collect();
                let rank = layer_rank(module);
                forbidden = modules
                    .iter()
                    .filter(|other| other.path != module.path && !other.utility)
                    .filter(|other| !allowed.contains(other.path.as_str()))
                    // A module may use the layers below its own without declaring it.
                    .filter(|other| {
                        explicit_layers
                            || !matches!((rank, layer_rank(other)), (Some(mine), Some(theirs)) if theirs > mine)
                    })
                    .map(|other| other.path.as_str())
                    .collect();
            }
            for cannot in &module.cannot_depend_on {
                if !forbidden.contains(&cannot.as_str()) {
                    forbidden.push(cannot);
                }
            }
            // A boundary never governs the files inside the area it forbids: a module that
            // contains this one cannot be forbidden to it.
            let contains = |outer: &str| {
                module
                    .path
                    .strip_prefix(outer)
                    .is_some_and(|rest| rest.starts_with('.'))
            };
            let (containing, kept): (Vec<&str>, Vec<&str>) = forbidden.iter().partition(|other| {
                contains(other)
                    || (**other == ROOT_MODULE && root_tops.iter().any(|top| contains(top)))
            });
            forbidden = kept;
            for other in containing {
                unexpressed.push(format!(
                    "`{}` may not depend on `{other}`, which contains it: a boundary never \
                     governs the files inside the area it forbids",
                    module.path
                ));
            }
            // Each rule: (comment, id suffix, forbidden modules, severity and test lines).
            let rules = [
                (
                    "it may depend only on what it declares",
                    "depends-on",
                    &forbidden,
                    "tests = \"error\"  # tach checks tests like any code\n",
                ),
                (
                    "deprecated dependencies",
                    "deprecated",
                    &deprecated,
                    "severity = \"warning\"\ntests = \"warn\"\n",
                ),
            ];
            for (comment, suffix, forbid, treatment) in rules {
                if forbid.is_empty() {
                    continue;
                }
                let path = module.path.as_str();
                let _ = writeln!(body, "\n# tach module `{path}`: {comment}.");
                let _ = writeln!(body, "[[{{prefix}}boundary]]");
                let _ = writeln!(body, "id = {}", quoted(&format!("{path}-{suffix}")));
                let _ = writeln!(body, "from = {}", quoted_list(&[path]));
                let _ = writeln!(body, "forbid = {}", quoted_list(forbid));
                let _ = write!(body, "{treatment}{type_checking}");
            }
        }
        let interfaced: Vec<tach_interfaces::TachModule<'_>> = modules
            .iter()
            .map(|module| tach_interfaces::TachModule {
                path: &module.path,
                unchecked: module.unchecked,
            })
            .collect();
        let interfaced_names = interfaced_tree(directory, &tree, &interfaces, &interfaced);
        body.push_str(&tach_interfaces::boundaries(
            &interfaces,
            &interfaced,
            &interfaced_names,
            &format!("tests = \"error\"  # tach checks tests like any code\n{type_checking}"),
            &mut unexpressed,
        ));
        if used_layers.len() >= 2 {
            let _ = writeln!(
                body,
                "\n# tach's layers: a module may not use one of a higher layer (direct imports)."
            );
            let _ = writeln!(body, "[[{{prefix}}layers]]");
            let _ = writeln!(body, "id = \"tach-layers\"");
            let written: Vec<String> = used_layers
                .iter()
                .map(|rank| {
                    layered
                        .iter()
                        .filter(|(module_rank, _)| module_rank == rank)
                        .map(|(_, module)| module.path.as_str())
                        .collect::<Vec<_>>()
                        .join(" : ")
                })
                .collect();
            let _ = writeln!(body, "layers = {}", quoted_list(&written));
            let _ = writeln!(body, "transitive = false");
        }
        // tach checks forbid_circular_dependencies on the declared dependencies, before any
        // import: the boundaries enforce those, so an acyclic declaration keeps the imports
        // between modules acyclic too.
        if circular {
            if let Some(cycle) = declared_cycle(&modules) {
                unexpressed.push(format!(
                    "forbid_circular_dependencies: the declared dependencies are circular ({}), which tach refuses before checking any import",
                    cycle.join(" -> ")
                ));
            }
        }
        Ok(Migration {
            source,
            body,
            unexpressed,
        })
    }
}
