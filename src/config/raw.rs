//! rules.toml as written: typed values that keep their byte spans, read from toml's
//! span-carrying document. Every problem (syntax, unknown key, wrong type, missing key) is
//! collected instead of stopping at the first, which serde's derive cannot do.

use super::{ConfigError, RegistryFormat};
pub use crate::suggest::did_you_mean;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A value with the byte range it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Byte range in rules.toml.
    pub span: Range<usize>,
}

type Strings = Option<Vec<Located<String>>>;
/// A table of string arrays, each key and string with its span.
type StringLists = Option<Vec<(Located<String>, Vec<Located<String>>)>>;

/// `[project]`.
#[derive(Debug, Default)]
pub struct RawProject {
    pub root: Option<Located<String>>,
    pub python_roots: Strings,
    pub exclude: Strings,
    pub respect_gitignore: Option<Located<bool>>,
    pub ban_relative_imports: Option<Located<bool>>,
    pub first_party: Strings,
    pub require_suppression_reason: Option<Located<bool>>,
    pub baseline: Option<Located<String>>,
    pub unmatched_ignore_imports: Option<Located<String>>,
    pub languages: Strings,
}

/// `[tests]`.
#[derive(Debug, Default)]
pub struct RawTests {
    pub include: Strings,
}

/// One `[[service]]`.
#[derive(Debug)]
pub struct RawService {
    pub name: Option<Located<String>>,
    pub modules: Strings,
    pub paths: Strings,
}

/// One `[[boundary]]`.
#[derive(Debug)]
pub struct RawBoundary {
    pub id: Option<Located<String>>,
    pub from: Strings,
    pub forbid: Strings,
    pub allow: Strings,
    pub tests: Option<Located<String>>,
    pub type_checking: Option<Located<String>>,
    pub severity: Option<Located<String>>,
    pub hint: Option<Located<String>>,
    pub transitive: Option<Located<bool>>,
    pub ignore_imports: Strings,
    pub unmatched_ignore_imports: Option<Located<String>>,
    pub allow_in: Strings,
    pub as_packages: Option<Located<bool>>,
}

/// One `[[cycles]]`.
#[derive(Debug)]
pub struct RawCycles {
    /// The entry (its header when it has no keys).
    pub span: Range<usize>,
    pub id: Option<Located<String>>,
    pub within: Option<Located<String>>,
    pub between: Option<Located<String>>,
    pub lazy: Option<Located<bool>>,
    pub severity: Option<Located<String>>,
    pub hint: Option<Located<String>>,
    pub ignore_imports: Strings,
    pub unmatched_ignore_imports: Option<Located<String>>,
    pub depth: Option<Located<i64>>,
    pub skip_descendants: Strings,
}

/// One `[[layers]]`.
#[derive(Debug)]
pub struct RawLayers {
    pub id: Option<Located<String>>,
    pub layers: Strings,
    pub containers: Strings,
    pub exhaustive: Option<Located<bool>>,
    pub exhaustive_ignores: Strings,
    pub transitive: Option<Located<bool>>,
    pub severity: Option<Located<String>>,
    pub hint: Option<Located<String>>,
    pub ignore_imports: Strings,
    pub unmatched_ignore_imports: Option<Located<String>>,
}

/// One `[[independent]]`.
#[derive(Debug)]
pub struct RawIndependent {
    pub id: Option<Located<String>>,
    pub modules: Strings,
    pub severity: Option<Located<String>>,
    pub hint: Option<Located<String>>,
    pub ignore_imports: Strings,
    pub unmatched_ignore_imports: Option<Located<String>>,
}

/// One `[[private-modules]]`.
#[derive(Debug)]
pub struct RawPrivateModules {
    pub id: Option<Located<String>>,
    pub packages: Strings,
    pub tests: Option<Located<String>>,
    pub type_checking: Option<Located<String>>,
    pub severity: Option<Located<String>>,
    pub hint: Option<Located<String>>,
    pub ignore_imports: Strings,
    pub unmatched_ignore_imports: Option<Located<String>>,
}

/// `[checks]`.
#[derive(Debug, Default)]
pub struct RawChecks {
    pub select: Strings,
    pub extend_select: Strings,
    pub ignore: Strings,
    pub per_file_ignores: StringLists,
}

/// `[graph]`.
#[derive(Debug, Default)]
pub struct RawGraph {
    pub type_checking: Option<Located<bool>>,
    pub tests: Option<Located<bool>>,
    pub external: Option<Located<bool>>,
}

/// One `[[banned]]`.
#[derive(Debug)]
pub struct RawBanned {
    pub id: Option<Located<String>>,
    pub api: Strings,
    pub allow_in: Strings,
    pub paths: Strings,
    pub scope: Option<Located<String>>,
    pub severity: Option<Located<String>>,
    pub hint: Option<Located<String>>,
}

/// The whole file as written.
#[derive(Debug, Default)]
pub struct RawConfig {
    pub version: Option<Located<i64>>,
    pub project: RawProject,
    pub tests: RawTests,
    pub services: Vec<RawService>,
    pub boundaries: Vec<RawBoundary>,
    pub banned: Vec<RawBanned>,
    pub canonical: Vec<RawCanonical>,
    pub deprecated: Vec<RawDeprecated>,
    pub duplicates: RawDuplicates,
    pub cycles: Vec<RawCycles>,
    pub layers: Vec<RawLayers>,
    pub independent: Vec<RawIndependent>,
    pub private_modules: Vec<RawPrivateModules>,
    pub graph: RawGraph,
    pub checks: RawChecks,
}

/// One `[[canonical]]`.
#[derive(Debug)]
pub struct RawCanonical {
    pub id: Option<Located<String>>,
    pub symbol: Option<Located<String>>,
    pub module: Option<Located<String>>,
    pub compatible: Strings,
    pub scope: Strings,
    pub hint: Option<Located<String>>,
}

/// One `[[deprecated]]`.
#[derive(Debug)]
pub struct RawDeprecated {
    pub id: Option<Located<String>>,
    pub module: Option<Located<String>>,
    pub replacement: Option<Located<String>>,
    pub names: Option<Vec<(Located<String>, Located<String>)>>,
    pub hint: Option<Located<String>>,
}

/// `[duplicates]`.
#[derive(Debug, Default)]
pub struct RawDuplicates {
    pub symbols: Option<Located<String>>,
    pub ignore_names: Strings,
}

const TOP_KEYS: &[&str] = &[
    "version",
    "settings",
    "project",
    "tests",
    "service",
    "boundary",
    "banned",
    "canonical",
    "deprecated",
    "duplicates",
    "cycles",
    "layers",
    "independent",
    "private-modules",
    "graph",
    "checks",
];
const PROJECT_KEYS: &[&str] = &[
    "root",
    "python-roots",
    "exclude",
    "respect-gitignore",
    "ban-relative-imports",
    "first-party",
    "require-suppression-reason",
    "baseline",
    "unmatched-ignore-imports",
    "languages",
];
const TESTS_KEYS: &[&str] = &["include"];
const CANONICAL_KEYS: &[&str] = &["id", "symbol", "module", "compatible", "scope", "hint"];
const DEPRECATED_KEYS: &[&str] = &["id", "module", "replacement", "names", "hint"];
const DUPLICATES_KEYS: &[&str] = &["symbols", "ignore-names"];
const CYCLES_KEYS: &[&str] = &[
    "id",
    "within",
    "between",
    "lazy",
    "severity",
    "hint",
    "ignore-imports",
    "unmatched-ignore-imports",
    "depth",
    "skip-descendants",
];
const LAYERS_KEYS: &[&str] = &[
    "id",
    "layers",
    "containers",
    "exhaustive",
    "exhaustive-ignores",
    "transitive",
    "severity",
    "hint",
    "ignore-imports",
    "unmatched-ignore-imports",
];
const INDEPENDENT_KEYS: &[&str] = &[
    "id",
    "modules",
    "severity",
    "hint",
    "ignore-imports",
    "unmatched-ignore-imports",
];
const PRIVATE_MODULES_KEYS: &[&str] = &[
    "id",
    "packages",
    "tests",
    "type-checking",
    "severity",
    "hint",
    "ignore-imports",
    "unmatched-ignore-imports",
];
const GRAPH_KEYS: &[&str] = &["type-checking", "tests", "external"];
const CHECKS_KEYS: &[&str] = &["select", "extend-select", "ignore", "per-file-ignores"];
const SERVICE_KEYS: &[&str] = &["name", "modules", "paths"];
const BOUNDARY_KEYS: &[&str] = &[
    "id",
    "from",
    "forbid",
    "allow",
    "tests",
    "type-checking",
    "severity",
    "hint",
    "transitive",
    "ignore-imports",
    "unmatched-ignore-imports",
    "allow-in",
    "as-packages",
];
const BANNED_KEYS: &[&str] = &[
    "id", "api", "allow-in", "paths", "scope", "severity", "hint",
];

/// Every section of the registry with its keys, as the README documents them.
pub const SECTIONS: &[(&str, &[&str])] = &[
    ("the top level", TOP_KEYS),
    ("[settings]", PROJECT_KEYS),
    ("[tests]", TESTS_KEYS),
    ("[[service]]", SERVICE_KEYS),
    ("[[boundary]]", BOUNDARY_KEYS),
    ("[[banned]]", BANNED_KEYS),
    ("[[canonical]]", CANONICAL_KEYS),
    ("[[deprecated]]", DEPRECATED_KEYS),
    ("[duplicates]", DUPLICATES_KEYS),
    ("[[cycles]]", CYCLES_KEYS),
    ("[[layers]]", LAYERS_KEYS),
    ("[[independent]]", INDEPENDENT_KEYS),
    ("[[private-modules]]", PRIVATE_MODULES_KEYS),
    ("[graph]", GRAPH_KEYS),
    ("[checks]", CHECKS_KEYS),
];

/// Parses rules.toml text. Syntax errors and shape errors are appended to `errors`; whatever
/// could be read is returned so that validation can report its own errors too.
/// The most TOML syntax errors reported: one mistake repeated (an unquoted list of 2,000
/// names) must not flood the terminal.
const MAX_SYNTAX_ERRORS: usize = 10;

/// Reads the registry's structure; `None` when it is not valid TOML (then only the syntax
/// errors are reported, one per line at most: what the rest would say is a guess).
pub fn parse(
    text: &str,
    format: RegistryFormat,
    file_name: &str,
    errors: &mut Vec<ConfigError>,
) -> Option<RawConfig> {
    let (document, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        let mut lines_seen = std::collections::HashSet::new();
        let mut shown = 0;
        let mut more = 0;
        for error in &syntax_errors {
            let span = error.span().unwrap_or(0..0);
            let line = text
                .get(..span.start)
                .map_or(0, |before| before.matches('\n').count());
            if !lines_seen.insert(line) {
                continue;
            }
            if shown == MAX_SYNTAX_ERRORS {
                more += 1;
                continue;
            }
            shown += 1;
            errors.push(ConfigError::new(
                format!("{file_name} is not valid TOML"),
                span,
                error.message().trim().to_string(),
            ));
        }
        if more > 0 {
            if let Some(last) = errors.last_mut() {
                last.help = Some(format!(
                    "and {more} more line{} with TOML errors",
                    if more == 1 { "" } else { "s" }
                ));
            }
        }
        return None;
    }
    let (table, span, prefix) = match format {
        RegistryFormat::RulesToml => (document.get_ref(), document.span(), ""),
        RegistryFormat::Pyproject => {
            let Some((table, span)) = tool_importgate(document.get_ref()) else {
                errors.push(
                    ConfigError::new(
                        format!("{file_name} has no [tool.importgate] table"),
                        0..0,
                        "no registry here",
                    )
                    .with_help(
                        "add `[tool.importgate]` with the registry's keys, or write a rules.toml",
                    ),
                );
                return None;
            };
            (table, span, "tool.importgate.")
        }
    };
    let mut top = TableReader::new(
        table,
        text,
        span,
        qualified_section(prefix, "the top level"),
        TOP_KEYS,
        prefix,
    );
    let version = top.integer("version");
    // `[settings]`; rules.toml keeps `[project]` as an alias (pyproject.toml has its own
    // `[project]`, PEP 621's).
    let settings_key = match (top.get("settings"), top.get("project"), format) {
        (_, Some(project), RegistryFormat::Pyproject) => {
            top.errors.push(
                ConfigError::new(
                    "[tool.importgate.project] is not a registry table",
                    project.span(),
                    "in pyproject.toml the settings table is [tool.importgate.settings]",
                )
                .with_help("rename it to [tool.importgate.settings]"),
            );
            "settings"
        }
        (Some(_), Some(alias), _) => {
            top.errors.push(
                ConfigError::new(
                    "both [settings] and [project] are given",
                    alias.span(),
                    "[project] is another name for [settings]",
                )
                .with_help("merge the two tables into [settings]"),
            );
            "settings"
        }
        (None, Some(_), RegistryFormat::RulesToml) => "project",
        _ => "settings",
    };
    let settings_section = if settings_key == "project" {
        "[project]"
    } else {
        "[settings]"
    };
    let project = top.read_table(
        settings_key,
        settings_section,
        PROJECT_KEYS,
        errors,
        |project| RawProject {
            root: project.string("root"),
            python_roots: project.listed("python-roots", 1, "the tree would have no import root"),
            exclude: project.strings("exclude"),
            respect_gitignore: project.boolean("respect-gitignore"),
            ban_relative_imports: project.boolean("ban-relative-imports"),
            first_party: project.strings("first-party"),
            require_suppression_reason: project.boolean("require-suppression-reason"),
            baseline: project.string("baseline"),
            unmatched_ignore_imports: project.string("unmatched-ignore-imports"),
            languages: project.strings("languages"),
        },
    );
    let tests = top.read_table("tests", "[tests]", TESTS_KEYS, errors, |tests| RawTests {
        include: tests.strings("include"),
    });
    let services = top.read_entries("service", "[[service]]", SERVICE_KEYS, errors, |service| {
        RawService {
            name: service.required_string("name"),
            modules: service.listed("modules", 1, "the service would own no module"),
            paths: service.strings("paths"),
        }
    });
    let boundaries = top.read_entries(
        "boundary",
        "[[boundary]]",
        BOUNDARY_KEYS,
        errors,
        |boundary| RawBoundary {
            id: boundary.required_string("id"),
            from: boundary.required_listed("from", 1, "the rule would govern no import"),
            forbid: boundary.required_listed("forbid", 1, "the rule would forbid nothing"),
            allow: boundary.strings("allow"),
            tests: boundary.string("tests"),
            type_checking: boundary.string("type-checking"),
            severity: boundary.string("severity"),
            hint: boundary.string("hint"),
            transitive: boundary.boolean("transitive"),
            ignore_imports: boundary.strings("ignore-imports"),
            unmatched_ignore_imports: boundary.string("unmatched-ignore-imports"),
            allow_in: boundary.strings("allow-in"),
            as_packages: boundary.boolean("as-packages"),
        },
    );
    let banned = top.read_entries("banned", "[[banned]]", BANNED_KEYS, errors, |banned| {
        RawBanned {
            id: banned.required_string("id"),
            api: banned.required_listed("api", 1, "the rule would ban nothing"),
            allow_in: banned.strings("allow-in"),
            paths: banned.strings("paths"),
            scope: banned.string("scope"),
            severity: banned.string("severity"),
            hint: banned.string("hint"),
        }
    });
    let canonical = top.read_entries(
        "canonical",
        "[[canonical]]",
        CANONICAL_KEYS,
        errors,
        |entry| RawCanonical {
            id: entry.string("id"),
            symbol: entry.required_string("symbol"),
            module: entry.required_string("module"),
            compatible: entry.strings("compatible"),
            scope: entry.strings("scope"),
            hint: entry.string("hint"),
        },
    );
    let deprecated = top.read_entries(
        "deprecated",
        "[[deprecated]]",
        DEPRECATED_KEYS,
        errors,
        |entry| RawDeprecated {
            id: entry.string("id"),
            module: entry.required_string("module"),
            replacement: entry.string("replacement"),
            names: entry.string_map("names"),
            hint: entry.string("hint"),
        },
    );
    let duplicates = top.read_table(
        "duplicates",
        "[duplicates]",
        DUPLICATES_KEYS,
        errors,
        |entry| RawDuplicates {
            symbols: entry.string("symbols"),
            ignore_names: entry.strings("ignore-names"),
        },
    );
    let cycles = top.read_entries("cycles", "[[cycles]]", CYCLES_KEYS, errors, |entry| {
        RawCycles {
            span: entry.span.clone(),
            id: entry.string("id"),
            within: entry.string("within"),
            between: entry.string("between"),
            lazy: entry.boolean("lazy"),
            severity: entry.string("severity"),
            hint: entry.string("hint"),
            ignore_imports: entry.strings("ignore-imports"),
            unmatched_ignore_imports: entry.string("unmatched-ignore-imports"),
            depth: entry.integer("depth"),
            skip_descendants: entry.strings("skip-descendants"),
        }
    });
    let layers = top.read_entries("layers", "[[layers]]", LAYERS_KEYS, errors, |entry| {
        RawLayers {
            id: entry.required_string("id"),
            layers: entry.required_strings("layers"),
            containers: entry.strings("containers"),
            exhaustive: entry.boolean("exhaustive"),
            exhaustive_ignores: entry.strings("exhaustive-ignores"),
            transitive: entry.boolean("transitive"),
            severity: entry.string("severity"),
            hint: entry.string("hint"),
            ignore_imports: entry.strings("ignore-imports"),
            unmatched_ignore_imports: entry.string("unmatched-ignore-imports"),
        }
    });
    let independent = top.read_entries(
        "independent",
        "[[independent]]",
        INDEPENDENT_KEYS,
        errors,
        |entry| RawIndependent {
            id: entry.required_string("id"),
            modules: entry.required_listed(
                "modules",
                2,
                "independence is between two or more modules",
            ),
            severity: entry.string("severity"),
            hint: entry.string("hint"),
            ignore_imports: entry.strings("ignore-imports"),
            unmatched_ignore_imports: entry.string("unmatched-ignore-imports"),
        },
    );
    let private_modules = top.read_entries(
        "private-modules",
        "[[private-modules]]",
        PRIVATE_MODULES_KEYS,
        errors,
        |entry| RawPrivateModules {
            id: entry.required_string("id"),
            packages: entry.strings("packages"),
            tests: entry.string("tests"),
            type_checking: entry.string("type-checking"),
            severity: entry.string("severity"),
            hint: entry.string("hint"),
            ignore_imports: entry.strings("ignore-imports"),
            unmatched_ignore_imports: entry.string("unmatched-ignore-imports"),
        },
    );
    let graph = top.read_table("graph", "[graph]", GRAPH_KEYS, errors, |entry| RawGraph {
        type_checking: entry.boolean("type-checking"),
        tests: entry.boolean("tests"),
        external: entry.boolean("external"),
    });
    let checks = top.read_table("checks", "[checks]", CHECKS_KEYS, errors, |entry| {
        RawChecks {
            select: entry.strings("select"),
            extend_select: entry.strings("extend-select"),
            ignore: entry.strings("ignore"),
            per_file_ignores: entry.string_lists_map("per-file-ignores"),
        }
    });
    errors.append(&mut top.errors);
    Some(RawConfig {
        version,
        project,
        tests,
        services,
        boundaries,
        banned,
        canonical,
        deprecated,
        duplicates,
        cycles,
        layers,
        independent,
        private_modules,
        graph,
        checks,
    })
}

/// Reads typed values out of one table, collecting wrong types, missing keys and (at
/// construction) unknown keys into its own `errors`, which the caller takes over.
struct TableReader<'t, 'i> {
    table: &'t DeTable<'i>,
    /// The whole registry text (to find an empty entry's header).
    text: &'i str,
    span: Range<usize>,
    /// The table's name as the file writes it (`[[tool.importgate.boundary]]`).
    section: String,
    known: &'static [&'static str],
    errors: Vec<ConfigError>,
    /// `tool.importgate.` in pyproject.toml, else empty.
    prefix: &'static str,
}

impl<'t, 'i> TableReader<'t, 'i> {
    fn new(
        table: &'t DeTable<'i>,
        text: &'i str,
        span: Range<usize>,
        section: String,
        known: &'static [&'static str],
        prefix: &'static str,
    ) -> Self {
        let mut errors = Vec::new();
        report_unknown_keys(table, known, &section, &mut errors);
        Self {
            table,
            text,
            span,
            section,
            known,
            errors,
            prefix,
        }
    }

    fn get(&self, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
        debug_assert!(
            self.known.contains(&key),
            "{key} missing from the known keys"
        );
        self.table
            .iter()
            .find(|(candidate, _)| candidate.get_ref() == key)
            .map(|(_, value)| value)
    }

    fn wrong_type(&mut self, key: &str, expected: &str, value: &Spanned<DeValue<'_>>) {
        self.errors.push(ConfigError::new(
            format!("`{key}` in {} must be {expected}", self.section),
            value.span(),
            format!("this is {}", describe(value.get_ref())),
        ));
    }

    fn missing(&mut self, key: &str) {
        self.errors.push(ConfigError::new(
            format!("{} is missing the required key `{key}`", self.section),
            self.span.clone(),
            format!("add `{key} = ...` to this entry"),
        ));
    }

    fn string(&mut self, key: &str) -> Option<Located<String>> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::String(text) => Some(Located {
                value: text.to_string(),
                span: value.span(),
            }),
            _ => {
                self.wrong_type(key, "a string", value);
                None
            }
        }
    }

    fn required_string(&mut self, key: &str) -> Option<Located<String>> {
        if self.get(key).is_none() {
            self.missing(key);
        }
        self.string(key)
    }

    fn boolean(&mut self, key: &str) -> Option<Located<bool>> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(flag) => Some(Located {
                value: *flag,
                span: value.span(),
            }),
            _ => {
                self.wrong_type(key, "true or false", value);
                None
            }
        }
    }

    fn integer(&mut self, key: &str) -> Option<Located<i64>> {
        let value = self.get(key)?;
        let parsed = match value.get_ref() {
            DeValue::Integer(number) => {
                i64::from_str_radix(&number.as_str().replace('_', ""), number.radix()).ok()
            }
            _ => None,
        };
        match parsed {
            Some(number) => Some(Located {
                value: number,
                span: value.span(),
            }),
            None if matches!(value.get_ref(), DeValue::Integer(_)) => {
                self.errors.push(ConfigError::new(
                    format!("`{key}` in {} is out of range", self.section),
                    value.span(),
                    "larger than any 64-bit integer",
                ));
                None
            }
            None => {
                self.wrong_type(key, "an integer", value);
                None
            }
        }
    }

    fn strings(&mut self, key: &str) -> Strings {
        let value = self.get(key)?;
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(key, "an array of strings", value);
            return None;
        };
        Some(self.string_items(key, "an array of strings", items))
    }

    /// The strings of an array; every other item is a wrong type (`expected` says what the
    /// key holds).
    fn string_items(
        &mut self,
        key: &str,
        expected: &str,
        items: &toml::de::DeArray<'_>,
    ) -> Vec<Located<String>> {
        let mut strings = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(text) => strings.push(Located {
                    value: text.to_string(),
                    span: item.span(),
                }),
                _ => self.wrong_type(key, expected, item),
            }
        }
        strings
    }

    /// An inline table of strings: `names = { Old = "New" }`.
    fn string_map(&mut self, key: &str) -> Option<Vec<(Located<String>, Located<String>)>> {
        let value = self.get(key)?;
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(key, "a table of strings (`{ Old = \"New\" }`)", value);
            return None;
        };
        let mut pairs = Vec::with_capacity(table.len());
        for (name, target) in table.iter() {
            match target.get_ref() {
                DeValue::String(text) => pairs.push((
                    Located {
                        value: name.get_ref().to_string(),
                        span: name.span(),
                    },
                    Located {
                        value: text.to_string(),
                        span: target.span(),
                    },
                )),
                _ => self.wrong_type(key, "a table of strings", target),
            }
        }
        Some(pairs)
    }

    /// A table of string arrays: `per-file-ignores = { "tests/**" = ["IG020"] }`.
    fn string_lists_map(&mut self, key: &str) -> StringLists {
        let value = self.get(key)?;
        let expected = "a table of string arrays (`{ \"tests/**\" = [\"IG020\"] }`)";
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(key, expected, value);
            return None;
        };
        let mut pairs = Vec::with_capacity(table.len());
        for (name, items) in table.iter() {
            let DeValue::Array(items) = items.get_ref() else {
                self.wrong_type(key, expected, items);
                continue;
            };
            let strings = self.string_items(key, expected, items);
            pairs.push((
                Located {
                    value: name.get_ref().to_string(),
                    span: name.span(),
                },
                strings,
            ));
        }
        Some(pairs)
    }

    fn required_strings(&mut self, key: &str) -> Strings {
        if self.get(key).is_none() {
            self.missing(key);
        }
        self.strings(key)
    }

    /// An array of strings that must hold at least `fewest` (`why` says what an emptier
    /// one would mean): `from = []` is a mistake, never a rule that checks nothing.
    fn listed(&mut self, key: &str, fewest: usize, why: &str) -> Strings {
        let strings = self.strings(key)?;
        if strings.len() < fewest {
            let span = self
                .get(key)
                .map_or(self.span.clone(), |value| value.span());
            self.errors.push(ConfigError::new(
                if fewest == 1 {
                    format!("`{key}` in {} is empty", self.section)
                } else {
                    format!(
                        "`{key}` in {} needs at least {fewest} entries",
                        self.section
                    )
                },
                span,
                why.to_string(),
            ));
        }
        Some(strings)
    }

    fn required_listed(&mut self, key: &str, fewest: usize, why: &str) -> Strings {
        if self.get(key).is_none() {
            self.missing(key);
        }
        self.listed(key, fewest, why)
    }

    fn table(
        &mut self,
        key: &str,
        section: &'static str,
        known: &'static [&'static str],
    ) -> Option<TableReader<'t, 'i>> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::Table(table) => Some(TableReader::new(
                table,
                self.text,
                value.span(),
                qualified_section(self.prefix, section),
                known,
                self.prefix,
            )),
            _ => {
                self.wrong_type(key, "a table", value);
                None
            }
        }
    }

    /// Reads the plain table `[key]` with `read` (the default when it is absent) and hands
    /// its errors over to `errors`.
    fn read_table<T: Default>(
        &mut self,
        key: &str,
        section: &'static str,
        known: &'static [&'static str],
        errors: &mut Vec<ConfigError>,
        read: impl FnOnce(&mut TableReader<'t, 'i>) -> T,
    ) -> T {
        let Some(mut table) = self.table(key, section, known) else {
            return T::default();
        };
        let value = read(&mut table);
        errors.append(&mut table.errors);
        value
    }

    /// Reads every entry of `[[key]]` with `read` and hands their errors over to `errors`.
    fn read_entries<T>(
        &mut self,
        key: &str,
        section: &'static str,
        known: &'static [&'static str],
        errors: &mut Vec<ConfigError>,
        mut read: impl FnMut(&mut TableReader<'t, 'i>) -> T,
    ) -> Vec<T> {
        self.array_of_tables(key, section, known)
            .into_iter()
            .map(|mut entry| {
                let value = read(&mut entry);
                errors.append(&mut entry.errors);
                value
            })
            .collect()
    }

    /// One reader per entry of `[[key]]`.
    fn array_of_tables(
        &mut self,
        key: &str,
        section: &'static str,
        known: &'static [&'static str],
    ) -> Vec<TableReader<'t, 'i>> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let section = qualified_section(self.prefix, section);
        let expected = format!("an array of tables (`{section}`)");
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(key, &expected, value);
            return Vec::new();
        };
        let mut entries = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(table) => {
                    // An entry with no keys has no span of its own: its header is the place.
                    let span = if item.span().is_empty() {
                        nth_header(self.text, &format!("{}{key}", self.prefix), index)
                            .unwrap_or(item.span())
                    } else {
                        item.span()
                    };
                    entries.push(TableReader::new(
                        table,
                        self.text,
                        span,
                        section.clone(),
                        known,
                        self.prefix,
                    ))
                }
                _ => self.wrong_type(key, &expected, item),
            }
        }
        entries
    }
}

fn report_unknown_keys(
    table: &DeTable<'_>,
    known: &[&str],
    section: &str,
    errors: &mut Vec<ConfigError>,
) {
    for (key, _) in table.iter() {
        let name: &str = key.get_ref();
        if known.contains(&name) {
            continue;
        }
        let mut error = ConfigError::new(
            format!("unknown key `{name}` in {section}"),
            key.span(),
            "unknown key",
        );
        error.help = Some(match did_you_mean(name, known) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => format!("the keys of {section} are: {}", known.join(", ")),
        });
        errors.push(error);
    }
}

fn describe(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// A section's name as the file writes it: `[[boundary]]` in rules.toml is
/// `[[tool.importgate.boundary]]` in pyproject.toml, and its top level `[tool.importgate]`.
fn qualified_section(prefix: &str, section: &str) -> String {
    if prefix.is_empty() {
        return section.to_string();
    }
    if section == "the top level" {
        return format!("[{}]", prefix.trim_end_matches('.'));
    }
    let brackets = section.len() - section.trim_start_matches('[').len();
    format!("{}{prefix}{}", &section[..brackets], &section[brackets..])
}

/// pyproject.toml's `[tool.importgate]` table and its span, if it has one.
fn tool_importgate<'t, 'i>(document: &'t DeTable<'i>) -> Option<(&'t DeTable<'i>, Range<usize>)> {
    let find = |table: &'t DeTable<'i>, key: &str| {
        table
            .iter()
            .find(|(name, _)| name.get_ref() == key)
            .map(|(_, value)| value)
    };
    let tool = find(document, "tool")?;
    let DeValue::Table(tool) = tool.get_ref() else {
        return None;
    };
    let importgate = find(tool, "importgate")?;
    match importgate.get_ref() {
        DeValue::Table(table) => Some((table, importgate.span())),
        _ => None,
    }
}

/// Whether pyproject.toml text has a `[tool.importgate]` table (discovery passes over one
/// without).
pub fn has_tool_importgate(text: &str) -> bool {
    let (document, _) = DeTable::parse_recoverable(text);
    tool_importgate(document.get_ref()).is_some()
}

/// The span of the `index`-th `[[key]]` header of `text`.
fn nth_header(text: &str, key: &str, index: usize) -> Option<Range<usize>> {
    let mut offset = 0;
    let mut found = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let inner = trimmed
            .strip_prefix("[[")
            .and_then(|rest| rest.split_once("]]"))
            .map(|(name, _)| name.trim());
        if inner == Some(key) {
            if found == index {
                let start = offset + (line.len() - trimmed.len());
                let end = start + trimmed.find("]]").map_or(0, |at| at + 2);
                return Some(start..end);
            }
            found += 1;
        }
        offset += line.len();
    }
    None
}
