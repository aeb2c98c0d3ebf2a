//! The registry, rules.toml: finding it, reading it with spans (`raw`), and validating it into
//! a [`Config`] (`validate`). Every error is collected and points into the file.

pub mod pattern;
mod raw;
pub mod schema;
mod validate;

use crate::codes::{CheckCode, CheckSet, Selector};
use globset::GlobSet;
pub use pattern::ModulePattern;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Every registry section with its keys (`"[settings]"`, `["root", ...]`): the one list the
/// reader accepts and the README must document.
pub const REGISTRY_SECTIONS: &[(&str, &[&str])] = raw::SECTIONS;

/// The name of the registry file looked for in the current directory and its ancestors.
pub const CONFIG_FILE_NAME: &str = "rules.toml";

/// The Python project file whose `[tool.importgate]` table can hold the registry instead.
pub const PYPROJECT_FILE_NAME: &str = "pyproject.toml";

/// The directory of importgate's caches, next to rules.toml (the import cache and the
/// others keep their files in it).
pub const CACHE_DIRECTORY: &str = ".importgate_cache";

/// The baseline's file name when neither `--baseline` nor `[settings] baseline` names one;
/// it lives next to rules.toml.
pub const DEFAULT_BASELINE_FILE: &str = "importgate-baseline.json";

/// Where a registry is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryFormat {
    /// rules.toml (or any other file name): the whole file is the registry.
    RulesToml,
    /// pyproject.toml: the registry is its `[tool.importgate]` table.
    Pyproject,
}

impl RegistryFormat {
    /// The format of the registry file at `path`, by its name.
    pub fn of(path: &Path) -> Self {
        if path.file_name() == Some(std::ffi::OsStr::new(PYPROJECT_FILE_NAME)) {
            RegistryFormat::Pyproject
        } else {
            RegistryFormat::RulesToml
        }
    }
}

/// Directories never walked, on top of .gitignore and `exclude`: tool caches and virtual
/// environments, as ruff excludes them by default.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "__pycache__",
    "_build",
    "buck-out",
    "node_modules",
    "site-packages",
    "venv",
];

/// The default `[tests] include`.
pub const DEFAULT_TEST_GLOBS: &[&str] = &[
    "**/tests/**",
    "**/test/**",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
];

/// A validated registry.
#[derive(Debug)]
pub struct Config {
    /// Absolute path of rules.toml.
    pub path: PathBuf,
    /// The text of rules.toml, so reports can show the line of a rule.
    pub text: Arc<str>,
    /// The governed tree, absolute.
    pub root: PathBuf,
    /// Import roots relative to `root`, `/`-separated, `""` for the root itself.
    pub python_roots: Vec<String>,
    /// Paths never checked (relative to `root`).
    pub exclude: Globs,
    /// Whether .gitignore files are honoured.
    pub respect_gitignore: bool,
    /// Whether relative imports are reported (IG004).
    pub ban_relative_imports: bool,
    /// What counts as test code.
    pub tests: Globs,
    /// The services of the monorepo.
    pub services: Vec<Service>,
    /// Import rules between services and modules.
    pub boundaries: Vec<Boundary>,
    /// Banned modules and APIs.
    pub banned: Vec<Banned>,
    /// Explicit first-party top-level packages; `None`: the top-level packages found under
    /// the python roots.
    pub first_party: Option<Vec<String>>,
    /// The one module each registered symbol is imported from.
    pub canonical: Vec<Canonical>,
    /// Deprecated modules and their replacements.
    pub deprecated: Vec<Deprecated>,
    /// Which symbols the duplicate-definition check looks at.
    pub duplicates: DuplicateMode,
    /// `[duplicates] ignore-names`: names (`*` patterns) that are never duplicate
    /// candidates, for names a framework makes every module define.
    pub duplicate_ignore_names: Vec<String>,
    /// Suppression comments must say why (`-- reason`).
    pub require_suppression_reason: bool,
    /// The baseline file (`[settings] baseline`, relative to rules.toml; by default
    /// `importgate-baseline.json` next to it).
    pub baseline: PathBuf,
    /// See [`Config::ban_index`].
    pub ban_index: std::sync::OnceLock<BanIndex>,
    /// Import-cycle rules (with the implicit service-cycle rule when there are services).
    pub cycles: Vec<Cycles>,
    /// Layer rules.
    pub layers: Vec<Layers>,
    /// Independence rules.
    pub independent: Vec<Independent>,
    /// Private-module rules.
    pub private_modules: Vec<PrivateModules>,
    /// `[graph] type-checking`: count `if TYPE_CHECKING:` imports in chains and cycles.
    pub graph_type_checking: bool,
    /// `[graph] tests`: count the imports of test files in the layer, independence and
    /// cycle rules (and every boundary's chains).
    pub graph_tests: bool,
    /// `[graph] external`: modules outside the tree are nodes of the graph, one per
    /// top-level package (import-linter's `include_external_packages`).
    pub graph_external: bool,
    /// `[checks]`: which checks run, and where they do not.
    pub checks: CheckSelection,
    /// What an `ignore-imports` entry that matches no import gets (IG904).
    pub unmatched_ignore_imports: Treatment,
    /// The languages whose files are checked (`languages`; Python alone by default).
    pub languages: Vec<crate::model::Language>,
}

impl Config {
    /// Whether files of `language` are checked.
    pub fn checks_language(&self, language: crate::model::Language) -> bool {
        self.languages.contains(&language)
    }
}

/// Which checks run (`[checks] select`, `extend-select`, `ignore`, then the command line's
/// `--select`, `--extend-select`, `--ignore`) and the files where some do not
/// (`per-file-ignores`).
#[derive(Debug, Clone)]
pub struct CheckSelection {
    /// The checks that run.
    pub enabled: CheckSet,
    /// Checks switched off in the files a glob matches.
    pub per_file_ignores: Vec<PerFileIgnore>,
}

impl Default for CheckSelection {
    fn default() -> Self {
        Self {
            enabled: CheckSet::all(),
            per_file_ignores: Vec::new(),
        }
    }
}

/// One `per-file-ignores` entry.
#[derive(Debug, Clone)]
pub struct PerFileIgnore {
    /// The glob as written (with its `!` when negated).
    pub pattern: String,
    /// Written `!glob`: the checks are off in the files the glob does *not* match.
    pub negated: bool,
    /// The glob, relative to the governed root.
    glob: Globs,
    /// A glob without `/` also matches a file's name wherever the file is (`"conftest.py"`),
    /// as in ruff.
    matches_file_name: bool,
    /// The checks it switches off.
    pub checks: CheckSet,
}

impl PerFileIgnore {
    fn applies_to(&self, relative: &str) -> bool {
        let file_name = relative.rsplit('/').next().unwrap_or(relative);
        let matched = self.glob.is_match(relative)
            || (self.matches_file_name && self.glob.is_match(file_name));
        matched != self.negated
    }
}

impl CheckSelection {
    /// Whether a check runs at all.
    pub fn is_enabled(&self, code: CheckCode) -> bool {
        self.enabled.contains(code)
    }

    /// Whether a check reports in the file at the `/`-separated root-relative path.
    pub fn is_enabled_in(&self, code: CheckCode, relative: &str) -> bool {
        self.is_enabled(code)
            && !self
                .per_file_ignores
                .iter()
                .any(|ignore| ignore.checks.contains(code) && ignore.applies_to(relative))
    }

    /// The checks that report in the file at the `/`-separated root-relative path.
    pub fn enabled_for(&self, relative: &str) -> CheckSet {
        self.per_file_ignores
            .iter()
            .filter(|ignore| ignore.applies_to(relative))
            .fold(self.enabled, |set, ignore| {
                ignore.checks.iter().fold(set, CheckSet::without)
            })
    }

    /// Applies the command line's selectors on top of the registry's.
    pub fn override_with(
        &mut self,
        select: Option<&[Selector]>,
        extend_select: &[Selector],
        ignore: &[Selector],
    ) {
        self.enabled = self.enabled.apply(select, extend_select, ignore);
    }
}

/// One `[[canonical]]`: the single source of truth of a symbol.
#[derive(Debug, Clone)]
pub struct Canonical {
    /// The rule id (`id`, or `canonical:<symbol>`, with `@<module>` when several entries
    /// register the same symbol).
    pub id: String,
    /// The symbol's name.
    pub symbol: String,
    /// The one module to import it from.
    pub module: String,
    /// Byte range of `module` in rules.toml.
    pub module_span: Range<usize>,
    /// Modules it may still be imported from, with a warning (exact module names).
    pub compatible: Vec<String>,
    /// Importing modules the rule applies to (empty: everywhere).
    pub scope: Vec<ModulePattern>,
    /// Extra hint text.
    pub hint: Option<String>,
}

/// One `[[deprecated]]`.
#[derive(Debug, Clone)]
pub struct Deprecated {
    /// The rule id (`id`, or `deprecated:<module>`).
    pub id: String,
    /// The deprecated module (and everything below it).
    pub module: PatternEntry,
    /// The module to import instead, if one replaces it one-to-one.
    pub replacement: Option<String>,
    /// Byte range of `replacement` in rules.toml.
    pub replacement_span: Range<usize>,
    /// Symbol renames: old name -> new name.
    pub names: Vec<(String, String)>,
    /// Extra hint text.
    pub hint: Option<String>,
}

/// Whether `name` matches a `[duplicates] ignore-names` pattern, in which `*` stands for
/// any run of characters.
pub fn name_matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// `[duplicates] symbols`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateMode {
    /// Registered (`[[canonical]]`) symbols only.
    Registered,
    /// Every public class and function: the consolidation audit.
    AllPublic,
    /// No duplicate-definition check.
    Off,
}

/// A compiled set of path globs with the patterns it was built from.
#[derive(Debug, Clone)]
pub struct Globs {
    /// Shared: registries repeat the same globs (10,000 `allow-in = ["tests/**"]`), and each
    /// set is compiled once per registry.
    set: Arc<GlobSet>,
    /// The patterns as written.
    pub patterns: Vec<String>,
}

impl Globs {
    /// Whether the `/`-separated relative path matches any glob.
    pub fn is_match(&self, relative: &str) -> bool {
        self.set.is_match(relative)
    }

    /// Whether there are no globs at all.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The patterns that match the `/`-separated relative path.
    pub fn matching_patterns<'g>(&'g self, relative: &str) -> impl Iterator<Item = &'g str> {
        let matches = if self.patterns.is_empty() {
            Vec::new()
        } else {
            self.set.matches(relative)
        };
        matches
            .into_iter()
            .map(move |index| self.patterns[index].as_str())
    }
}

/// A module pattern with the place in rules.toml that wrote it.
#[derive(Debug, Clone)]
pub struct PatternEntry {
    /// The pattern.
    pub pattern: ModulePattern,
    /// Byte range of the string in rules.toml.
    pub span: Range<usize>,
}

/// One `[[service]]`.
#[derive(Debug, Clone)]
pub struct Service {
    /// Its name.
    pub name: String,
    /// Module patterns of the modules it owns.
    pub modules: Vec<ModulePattern>,
    /// Path globs of files it owns whatever their module (its own `tests/` beside its
    /// source root).
    pub paths: Globs,
}

/// What an import that a boundary forbids gets in some context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Not reported (counted in the summary).
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error.
    Error,
}

/// One `[[boundary]]`.
#[derive(Debug, Clone)]
pub struct Boundary {
    /// The rule id.
    pub id: String,
    /// Modules (service modules expanded) whose imports the rule governs.
    pub from: Vec<ModulePattern>,
    /// The `from` entries that are module patterns (not services), where rules.toml
    /// writes them: each must name modules of the tree (IG013).
    pub from_modules: Vec<PatternEntry>,
    /// The services named in `from`: their files are governed wherever they sit (a
    /// service's `paths`).
    pub from_services: Vec<String>,
    /// Forbidden targets.
    pub forbid: Vec<PatternEntry>,
    /// Exceptions to `forbid`.
    pub allow: Vec<PatternEntry>,
    /// What a forbidden import gets in test code.
    pub tests: Treatment,
    /// What a forbidden import inside `if TYPE_CHECKING:` gets; `None`: like any import.
    pub type_checking: Option<Treatment>,
    /// What a forbidden import gets in production code.
    pub production: Treatment,
    /// What to do instead.
    pub hint: Option<String>,
    /// Also forbid chains through other modules (IG002).
    pub transitive: bool,
    /// Byte range of the `id` value in rules.toml (IG002 points at the rule, not a target).
    pub id_span: Range<usize>,
    /// Imports the rule exempts (`ignore-imports`).
    pub ignore_imports: IgnoredImports,
    /// Files the rule does not govern, whatever their module (`allow-in`).
    pub allow_in: Globs,
    /// `from`, `forbid` and `allow` modules stand for their descendants too (the default);
    /// `false`: for themselves alone (import-linter's `as_packages`).
    pub as_packages: bool,
}

/// One `ignore-imports` entry, `"importer -> imported"`: import-linter's exemption of the
/// imports from one module to another. Each side is matched whole (`*` one segment, `**`
/// one or more).
#[derive(Debug, Clone)]
pub struct IgnoredImport {
    /// The importing module(s).
    pub importer: ModulePattern,
    /// The imported module(s).
    pub imported: ModulePattern,
    /// The entry as written.
    pub written: String,
    /// Byte range of the entry in the registry.
    pub span: Range<usize>,
}

impl IgnoredImport {
    /// Whether the entry exempts the imports of `imported` by `importer`.
    pub fn matches(&self, importer: &str, imported: &str) -> bool {
        self.importer.matches_whole(importer) && self.imported.matches_whole(imported)
    }
}

/// The `ignore-imports` of one rule.
#[derive(Debug, Clone, Default)]
pub struct IgnoredImports {
    /// The entries, in registry order.
    pub entries: Vec<IgnoredImport>,
    /// The rule's own `unmatched-ignore-imports` (`None`: the one of `[settings]`).
    pub unmatched: Option<Treatment>,
}

impl IgnoredImports {
    /// Whether some entry exempts the imports of `imported` by `importer`.
    pub fn covers(&self, importer: &str, imported: &str) -> bool {
        self.entries
            .iter()
            .any(|entry| entry.matches(importer, imported))
    }

    /// Whether the rule exempts nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Modules named together in a graph rule: one module (and its submodules), or a
/// service's modules.
#[derive(Debug, Clone)]
pub struct ModuleGroup {
    /// As written (`app.api` or a service name), without the parentheses of an optional
    /// layer.
    pub label: String,
    /// The module patterns it stands for.
    pub patterns: Vec<ModulePattern>,
    /// Byte range in rules.toml.
    pub span: Range<usize>,
    /// It names a service (which need not be a module of the tree).
    pub is_service: bool,
    /// Written `"(name)"`: a layer that may be missing from the tree.
    pub optional: bool,
}

impl ModuleGroup {
    /// Whether a module belongs to the group.
    pub fn contains(&self, module: &str) -> bool {
        self.patterns.iter().any(|pattern| pattern.matches(module))
    }
}

/// What a `[[cycles]]` entry looks for cycles between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CycleScope {
    /// The services: a module of A imports B and a module of B imports A.
    Services,
    /// The modules below one package (the package's pattern).
    Within(ModulePattern),
    /// The children of a package, each standing for itself and its descendants, and the
    /// children of every package below it down to `depth` levels (import-linter's
    /// `acyclic_siblings`).
    Siblings {
        /// The package (a pattern with wildcards names several).
        ancestor: ModulePattern,
        /// How many levels below it to go down (0: its children only).
        depth: usize,
        /// Packages whose children are not checked (nor their descendants').
        skip: Vec<ModulePattern>,
    },
}

/// One `[[cycles]]` (IG030), or the implicit service-cycle rule.
#[derive(Debug, Clone)]
pub struct Cycles {
    /// The rule id.
    pub id: String,
    /// Between services or within a package.
    pub scope: CycleScope,
    /// Count imports inside functions (by default only module-level imports make start-up
    /// cycles).
    pub lazy: bool,
    /// Error or warning.
    pub treatment: Treatment,
    /// What to do instead.
    pub hint: Option<String>,
    /// Byte range of the entry's `within`/`between` in rules.toml (empty: implicit rule).
    pub span: Range<usize>,
    /// Imports the rule exempts (`ignore-imports`).
    pub ignore_imports: IgnoredImports,
}

/// One layer of a `[[layers]]` stack.
#[derive(Debug, Clone)]
pub struct Layer {
    /// The modules on the layer (several: siblings written `a | b` or `a : b`).
    pub siblings: Vec<ModuleGroup>,
    /// Whether siblings must not import each other (`|`; `:` lets them).
    pub independent: bool,
}

/// One `[[layers]]` (IG031): higher layers may import lower ones, never the reverse.
#[derive(Debug, Clone)]
pub struct Layers {
    /// The rule id.
    pub id: String,
    /// One stack per container (a single stack without containers), highest layer first.
    pub stacks: Vec<Vec<Layer>>,
    /// The containers as written, with their place in rules.toml.
    pub containers: Vec<(String, Range<usize>)>,
    /// Also forbid chains through other modules (the default, as import-linter does).
    pub transitive: bool,
    /// Every direct child of each container must be in some layer (`exhaustive`), except
    /// those named in `exhaustive-ignores` (their last segment).
    pub exhaustive: Option<Vec<String>>,
    /// Error or warning.
    pub treatment: Treatment,
    /// What to do instead.
    pub hint: Option<String>,
    /// Imports the rule exempts (`ignore-imports`).
    pub ignore_imports: IgnoredImports,
}

/// One `[[independent]]` (IG032): modules that must not import each other, directly or
/// through others.
#[derive(Debug, Clone)]
pub struct Independent {
    /// The rule id.
    pub id: String,
    /// The modules.
    pub groups: Vec<ModuleGroup>,
    /// Error or warning.
    pub treatment: Treatment,
    /// What to do instead.
    pub hint: Option<String>,
    /// Imports the rule exempts (`ignore-imports`).
    pub ignore_imports: IgnoredImports,
}

/// One `[[private-modules]]` (IG033): a private module (`_name`, and everything below it)
/// may be imported only from within its parent package, as import-linter's
/// `private_modules` contract says.
#[derive(Debug, Clone)]
pub struct PrivateModules {
    /// The rule id.
    pub id: String,
    /// Byte range of the `id` value in rules.toml.
    pub id_span: Range<usize>,
    /// The packages whose private modules are checked (each with what is below it);
    /// empty: every first-party module.
    pub packages: Vec<PatternEntry>,
    /// What an import of a private module gets in test code.
    pub tests: Treatment,
    /// What one inside `if TYPE_CHECKING:` gets; `None`: like any import.
    pub type_checking: Option<Treatment>,
    /// What one gets in production code.
    pub production: Treatment,
    /// What to do instead.
    pub hint: Option<String>,
    /// Imports the rule exempts (`ignore-imports`).
    pub ignore_imports: IgnoredImports,
}

/// Where a `[[banned]]` entry applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Production and test code.
    All,
    /// Production code only.
    Production,
    /// Test code only.
    Tests,
}

/// One `[[banned]]`.
#[derive(Debug, Clone)]
pub struct Banned {
    /// The rule id.
    pub id: String,
    /// Banned modules or module attributes.
    pub api: Vec<PatternEntry>,
    /// Files where the API is fine.
    pub allow_in: Globs,
    /// Files the ban is limited to (`None`: everywhere).
    pub paths: Option<Globs>,
    /// Production, tests or both.
    pub scope: Scope,
    /// Error or warning.
    pub treatment: Treatment,
    /// What to do instead.
    pub hint: Option<String>,
}

/// Every `[[banned]]` API pattern by its first name: an import meets only the patterns that
/// can match it, not every entry of the registry (10,000 entries made a check 100x slower).
#[derive(Debug, Default)]
pub struct BanIndex {
    /// First name -> (banned entry, api entry), in registry order.
    by_first_name: HashMap<String, Vec<(usize, usize)>>,
    /// Patterns that start with a wildcard, in registry order.
    wildcard_first: Vec<(usize, usize)>,
}

impl BanIndex {
    fn new(banned: &[Banned]) -> Self {
        let mut index = Self::default();
        for (rule, entry) in banned.iter().enumerate() {
            for (api, pattern) in entry.api.iter().enumerate() {
                match pattern.pattern.first_name() {
                    Some(first) => index
                        .by_first_name
                        .entry(first.to_string())
                        .or_default()
                        .push((rule, api)),
                    None => index.wildcard_first.push((rule, api)),
                }
            }
        }
        index
    }

    /// The (banned entry, api entry) pairs that may match the dotted `path`, in registry
    /// order.
    pub fn candidates(&self, path: &str) -> Vec<(usize, usize)> {
        let first = crate::model::first_segment(path);
        let named = self.by_first_name.get(first).map_or(&[][..], Vec::as_slice);
        if self.wildcard_first.is_empty() {
            return named.to_vec();
        }
        let mut all = [named, &self.wildcard_first].concat();
        all.sort_unstable();
        all
    }
}

impl Config {
    /// The index of the `[[banned]]` API patterns, built on first use.
    pub fn ban_index(&self) -> &BanIndex {
        self.ban_index.get_or_init(|| BanIndex::new(&self.banned))
    }

    /// Finds the registry in `start` or its nearest ancestor: in each directory, rules.toml,
    /// else a pyproject.toml that has a `[tool.importgate]` table (one without is passed
    /// over, as ruff passes over a pyproject.toml without `[tool.ruff]`).
    pub fn find(start: &Path) -> Option<PathBuf> {
        start.ancestors().find_map(|dir| {
            let rules = dir.join(CONFIG_FILE_NAME);
            if rules.is_file() {
                return Some(rules);
            }
            let pyproject = dir.join(PYPROJECT_FILE_NAME);
            let text =
                crate::guarded_io::read_regular_text(&pyproject, crate::guarded_io::CONFIG_LIMIT)
                    .ok()?;
            raw::has_tool_importgate(&text).then_some(pyproject)
        })
    }

    /// Reads and validates a registry file.
    pub fn load(path: &Path) -> Result<Config, LoadError> {
        let path = std::path::absolute(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source: source.into(),
        })?;
        let text = crate::guarded_io::read_regular_text(&path, crate::guarded_io::CONFIG_LIMIT)
            .map_err(|source| LoadError::Io {
                path: path.clone(),
                source,
            })?;
        Self::from_text(&path, text)
    }

    /// Validates registry text that was read from `path` (used for relative paths and errors).
    pub fn from_text(path: &Path, text: String) -> Result<Config, LoadError> {
        let mut errors = Vec::new();
        let file_name = path
            .file_name()
            .map_or_else(|| CONFIG_FILE_NAME.into(), |name| name.to_string_lossy());
        let config = raw::parse(&text, RegistryFormat::of(path), &file_name, &mut errors)
            .and_then(|raw| validate::validate(path, &text, raw, &mut errors));
        match config {
            Some(config) if errors.is_empty() => Ok(config),
            _ => {
                errors.sort_by_key(|error| (error.span.start, error.span.end));
                Err(LoadError::Invalid(ConfigErrors {
                    path: path.to_path_buf(),
                    text,
                    errors,
                }))
            }
        }
    }

    /// Every registry entry with a rule id, as (section, id): boundaries, banned entries,
    /// canonical symbols and deprecated modules, each in file order.
    pub fn rule_ids(&self) -> Vec<(&'static str, &str)> {
        let mut ids: Vec<(&'static str, &str)> = Vec::new();
        ids.extend(
            self.boundaries
                .iter()
                .map(|rule| ("boundary", rule.id.as_str())),
        );
        ids.extend(self.banned.iter().map(|rule| ("banned", rule.id.as_str())));
        ids.extend(
            self.canonical
                .iter()
                .map(|rule| ("canonical", rule.id.as_str())),
        );
        ids.extend(
            self.deprecated
                .iter()
                .map(|rule| ("deprecated", rule.id.as_str())),
        );
        ids.extend(self.cycles.iter().map(|rule| ("cycles", rule.id.as_str())));
        ids.extend(self.layers.iter().map(|rule| ("layers", rule.id.as_str())));
        ids.extend(
            self.independent
                .iter()
                .map(|rule| ("independent", rule.id.as_str())),
        );
        ids.extend(
            self.private_modules
                .iter()
                .map(|rule| ("private-modules", rule.id.as_str())),
        );
        ids
    }

    /// Where runs on PATHS cache the imports of the other files: `.importgate_cache` next
    /// to rules.toml.
    pub fn cache_dir(&self) -> PathBuf {
        self.path
            .parent()
            .unwrap_or(&self.root)
            .join(CACHE_DIRECTORY)
    }

    /// The `ignore-imports` of every rule that has them, as (rule id, entries), in registry
    /// order: boundaries, cycles, layers, independence and private-module rules.
    pub fn ignore_lists(&self) -> Vec<(&str, &IgnoredImports)> {
        let boundaries = self
            .boundaries
            .iter()
            .map(|rule| (rule.id.as_str(), &rule.ignore_imports));
        let cycles = self
            .cycles
            .iter()
            .map(|rule| (rule.id.as_str(), &rule.ignore_imports));
        let layers = self
            .layers
            .iter()
            .map(|rule| (rule.id.as_str(), &rule.ignore_imports));
        let independent = self
            .independent
            .iter()
            .map(|rule| (rule.id.as_str(), &rule.ignore_imports));
        let private_modules = self
            .private_modules
            .iter()
            .map(|rule| (rule.id.as_str(), &rule.ignore_imports));
        boundaries
            .chain(cycles)
            .chain(layers)
            .chain(independent)
            .chain(private_modules)
            .filter(|(_, entries)| !entries.is_empty())
            .collect()
    }

    /// Whether any rule needs the import graph of the whole tree.
    pub fn has_graph_rules(&self) -> bool {
        self.boundaries.iter().any(|rule| rule.transitive)
            || !self.cycles.is_empty()
            || !self.layers.is_empty()
            || !self.independent.is_empty()
    }

    /// The service that owns a file: the one whose `paths` match its path (the longest
    /// glob wins), else the one whose `modules` match its module name.
    pub fn service_of_file(&self, module: &str, relative: &str) -> Option<&Service> {
        self.services
            .iter()
            .filter_map(|service| {
                service
                    .paths
                    .matching_patterns(relative)
                    .map(str::len)
                    .max()
                    .map(|specificity| (specificity, service))
            })
            // The first declared wins a tie.
            .fold(
                None,
                |best: Option<(usize, &Service)>, (specificity, service)| match best {
                    Some((known, _)) if known >= specificity => best,
                    _ => Some((specificity, service)),
                },
            )
            .map(|(_, service)| service)
            .or_else(|| self.service_of(module))
    }

    /// The service that owns a dotted module name (the most specific pattern wins).
    pub fn service_of(&self, module: &str) -> Option<&Service> {
        self.services
            .iter()
            .filter_map(|service| {
                service
                    .modules
                    .iter()
                    .filter(|pattern| pattern.matches(module))
                    .map(|pattern| pattern.as_str().len())
                    .max()
                    .map(|specificity| (specificity, service))
            })
            .max_by_key(|(specificity, _)| *specificity)
            .map(|(_, service)| service)
    }
}

/// One problem in rules.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// What is wrong.
    pub message: String,
    /// Byte range of the offending key or value.
    pub span: Range<usize>,
    /// The label shown under the span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl ConfigError {
    /// An error without help text.
    pub fn new(message: impl Into<String>, span: Range<usize>, label: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            span,
            label: label.into(),
            help: None,
        }
    }

    /// The same error with help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every problem found in one rules.toml.
#[derive(Debug)]
pub struct ConfigErrors {
    /// The file.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// The problems, in file order.
    pub errors: Vec<ConfigError>,
}

/// Whether a file with this path and text is a registry: a `rules.toml`, or a
/// `pyproject.toml` with a `[tool.importgate]` table.
pub fn is_registry(path: &Path, text: &str) -> bool {
    match path.file_name().and_then(|name| name.to_str()) {
        Some(CONFIG_FILE_NAME) => true,
        Some(PYPROJECT_FILE_NAME) => raw::has_tool_importgate(text),
        _ => false,
    }
}

/// Why the registry could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// No registry in the directory or its ancestors.
    #[error("no {CONFIG_FILE_NAME} (or {PYPROJECT_FILE_NAME} with [tool.importgate]) found in {} or any parent directory (pass --config FILE)", .start.display())]
    NotFound {
        /// Where the search started.
        start: PathBuf,
    },
    /// The file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: crate::guarded_io::ReadError,
    },
    /// The file was read but is wrong.
    #[error("{} has {} error{}", .0.path.display(), .0.errors.len(), if .0.errors.len() == 1 { "" } else { "s" })]
    Invalid(ConfigErrors),
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn languages_default_to_python_and_an_unknown_one_is_an_error_at_its_entry() {
        use crate::model::Language;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("rules.toml");
        let load = |text: &str| super::Config::from_text(&path, text.to_string());
        let default = load("[project]\nroot = \".\"\n").expect("valid");
        assert_eq!(default.languages, [Language::Python]);
        let both =
            load("[project]\nroot = \".\"\nlanguages = [\"rust\", \"python\"]\n").expect("valid");
        assert_eq!(both.languages, [Language::Python, Language::Rust]);
        let error =
            load("[project]\nroot = \".\"\nlanguages = [\"go\"]\n").expect_err("unknown language");
        assert!(
            format!("{error:?}").contains("`go` is not a language"),
            "{error:?}"
        );
    }

    #[test]
    fn ignore_name_patterns_match_whole_names_with_star_wildcards() {
        assert!(name_matches("Command", "Command"));
        assert!(!name_matches("Command", "Commands"));
        assert!(!name_matches("Command", "MyCommand"));
        assert!(name_matches("*Admin", "InvoiceAdmin"));
        assert!(name_matches("*Admin", "Admin"));
        assert!(!name_matches("*Admin", "AdminSite"));
        assert!(name_matches("Test*Case", "TestCase"));
        assert!(name_matches("Test*Case", "TestUnitCase"));
        assert!(!name_matches("a*aa", "aa"));
        assert!(name_matches("*", "anything"));
        assert!(name_matches("a*b*c", "axxbyyc"));
        assert!(!name_matches("a*b*c", "axxcyyb"));
    }
}
