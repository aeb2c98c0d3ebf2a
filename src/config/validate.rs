//! Turns the raw registry into a [`Config`]: resolves paths, compiles globs and patterns,
//! expands service names, and checks cross-references. Every error is collected.

use super::raw::{
    did_you_mean, Located, RawBanned, RawBoundary, RawCanonical, RawChecks, RawConfig, RawCycles,
    RawDeprecated, RawIndependent, RawLayers, RawPrivateModules,
};
use super::{
    Banned, Boundary, Canonical, CheckSelection, Config, ConfigError, CycleScope, Cycles,
    Deprecated, DuplicateMode, Globs, IgnoredImport, IgnoredImports, Independent, Layer, Layers,
    ModuleGroup, ModulePattern, PatternEntry, PerFileIgnore, PrivateModules, Scope, Service,
    Treatment, DEFAULT_TEST_GLOBS,
};
use crate::codes::{CheckSet, Selector};
use globset::{GlobBuilder, GlobSetBuilder};
use std::collections::HashMap;
use std::path::Path;

pub(super) fn validate(
    path: &Path,
    text: &str,
    raw: RawConfig,
    errors: &mut Vec<ConfigError>,
) -> Option<Config> {
    // The memo of compiled globs lives for one registry.
    COMPILED_GLOBS.with(|compiled| compiled.borrow_mut().clear());
    if let Some(version) = &raw.version {
        if version.value != 1 {
            errors.push(
                ConfigError::new(
                    format!("unsupported registry version {}", version.value),
                    version.span.clone(),
                    "this version of importgate reads version 1",
                )
                .with_help("set `version = 1` or remove the key"),
            );
        }
    }
    let config_dir = path.parent().unwrap_or(Path::new("."));
    let root = resolve_root(config_dir, raw.project.root.as_ref(), errors);
    let python_roots = python_roots(root.as_deref(), raw.project.python_roots, errors);
    let exclude = globs(raw.project.exclude.unwrap_or_default(), errors);
    let tests = match raw.tests.include {
        Some(include) => globs(include, errors),
        None => globs(
            DEFAULT_TEST_GLOBS
                .iter()
                .map(|glob| Located {
                    value: glob.to_string(),
                    span: 0..0,
                })
                .collect(),
            errors,
        ),
    };
    let services = services(raw.services, text, errors);
    let mut ids: HashMap<String, usize> = HashMap::new();
    let boundaries = raw
        .boundaries
        .into_iter()
        .filter_map(|boundary| validate_boundary(boundary, &services, text, &mut ids, errors))
        .collect();
    let banned = raw
        .banned
        .into_iter()
        .filter_map(|banned| validate_banned(banned, text, &mut ids, errors))
        .collect();

    let first_party = raw.project.first_party.map(|names| {
        names
            .into_iter()
            .filter_map(|name| {
                if super::pattern::is_identifier(&name.value) {
                    Some(name.value)
                } else {
                    errors.push(ConfigError::new(
                        format!("`{}` is not a top-level package name", name.value),
                        name.span,
                        "expected a Python name such as `netra_backend`",
                    ));
                    None
                }
            })
            .collect()
    });
    let mut symbol_counts: HashMap<String, usize> = HashMap::new();
    for entry in &raw.canonical {
        if let Some(symbol) = &entry.symbol {
            *symbol_counts.entry(symbol.value.clone()).or_default() += 1;
        }
    }
    let canonical = raw
        .canonical
        .into_iter()
        .filter_map(|entry| {
            validate_canonical(entry, &services, &symbol_counts, text, &mut ids, errors)
        })
        .collect();
    let deprecated: Vec<Deprecated> = raw
        .deprecated
        .into_iter()
        .filter_map(|entry| validate_deprecated(entry, text, &mut ids, errors))
        .collect();
    let canonical: Vec<Canonical> = canonical;
    contradictions(&deprecated, &canonical, text, errors);
    let duplicates = one_of(
        raw.duplicates.symbols,
        "symbols",
        &[
            ("registered", DuplicateMode::Registered),
            ("all-public", DuplicateMode::AllPublic),
            ("off", DuplicateMode::Off),
        ],
        &[],
        errors,
    )
    .unwrap_or(DuplicateMode::Registered);
    let duplicate_ignore_names =
        validate_ignore_names(raw.duplicates.ignore_names, &canonical, errors);

    let mut cycles: Vec<Cycles> = raw
        .cycles
        .into_iter()
        .filter_map(|entry| validate_cycles(entry, text, &mut ids, errors))
        .collect();
    if services.len() >= 2 && !cycles.iter().any(|rule| rule.scope == CycleScope::Services) {
        cycles.push(Cycles {
            id: "service-cycles".to_string(),
            scope: CycleScope::Services,
            lazy: false,
            treatment: Treatment::Error,
            hint: None,
            span: 0..0,
            ignore_imports: IgnoredImports::default(),
        });
    }
    // A container of one segment (`importgate`) is a crate when only Rust is checked.
    let rust_only = raw.project.languages.as_ref().is_some_and(|written| {
        !written.is_empty() && written.iter().all(|language| language.value == "rust")
    });
    let layers = raw
        .layers
        .into_iter()
        .filter_map(|entry| validate_layers(entry, &services, text, rust_only, &mut ids, errors))
        .collect();
    let independent = raw
        .independent
        .into_iter()
        .filter_map(|entry| validate_independent(entry, &services, text, &mut ids, errors))
        .collect();
    let private_modules = raw
        .private_modules
        .into_iter()
        .filter_map(|entry| validate_private_modules(entry, text, &mut ids, errors))
        .collect();

    let checks = check_selection(raw.checks, errors);
    let unmatched_ignore_imports =
        unmatched_treatment(raw.project.unmatched_ignore_imports, errors)
            .unwrap_or(Treatment::Warn);
    let languages = languages(raw.project.languages, errors);
    let baseline = config_dir.join(baseline_file(
        raw.project.baseline.as_ref(),
        config_dir,
        root.as_deref(),
        errors,
    ));
    Some(Config {
        path: path.to_path_buf(),
        text: text.into(),
        root: root?,
        python_roots,
        exclude,
        respect_gitignore: raw.project.respect_gitignore.is_none_or(|flag| flag.value),
        ban_relative_imports: raw
            .project
            .ban_relative_imports
            .is_some_and(|flag| flag.value),
        tests,
        services,
        boundaries,
        banned,
        first_party,
        canonical,
        deprecated,
        duplicates,
        duplicate_ignore_names,
        require_suppression_reason: raw
            .project
            .require_suppression_reason
            .is_some_and(|flag| flag.value),
        cycles,
        layers,
        independent,
        private_modules,
        graph_type_checking: raw.graph.type_checking.is_some_and(|flag| flag.value),
        graph_tests: raw.graph.tests.is_some_and(|flag| flag.value),
        graph_external: raw.graph.external.is_some_and(|flag| flag.value),
        checks,
        unmatched_ignore_imports,
        languages,
        baseline,
        ban_index: Default::default(),
    })
}

/// `languages`: `"python"`, `"rust"`; Python alone when the key is absent.
fn languages(
    written: Option<Vec<Located<String>>>,
    errors: &mut Vec<ConfigError>,
) -> Vec<crate::model::Language> {
    use crate::model::Language;
    let Some(written) = written else {
        return vec![Language::Python];
    };
    let mut languages = Vec::new();
    for entry in written {
        match entry.value.as_str() {
            "python" => languages.push(Language::Python),
            "rust" => languages.push(Language::Rust),
            other => errors.push(ConfigError::new(
                format!("`{other}` is not a language importgate checks"),
                entry.span,
                "`\"python\"` or `\"rust\"`",
            )),
        }
    }
    languages.sort_unstable();
    languages.dedup();
    languages
}

/// `[duplicates] ignore-names`: Python names with `*` wildcards. A registered symbol there
/// would be checked anyway (IG012 always looks at `[[canonical]]` symbols), so it is an
/// error rather than an entry that quietly does nothing.
fn validate_ignore_names(
    written: Option<Vec<Located<String>>>,
    canonical: &[Canonical],
    errors: &mut Vec<ConfigError>,
) -> Vec<String> {
    let mut names = Vec::new();
    for entry in written.unwrap_or_default() {
        let is_pattern = !entry.value.is_empty()
            && entry
                .value
                .chars()
                .all(|c| c == '*' || c == '_' || c.is_alphanumeric());
        if !is_pattern {
            errors.push(ConfigError::new(
                format!("`{}` is not a name or a pattern of names", entry.value),
                entry.span,
                "letters, digits, `_` and `*` only",
            ));
            continue;
        }
        if let Some(registered) = canonical
            .iter()
            .find(|symbol| super::name_matches(&entry.value, &symbol.symbol))
        {
            errors.push(ConfigError::new(
                format!(
                    "`{}` would leave out `{}`, a `[[canonical]]` symbol, which IG012 always checks",
                    entry.value, registered.symbol
                ),
                entry.span,
                "matches a registered symbol",
            ));
            continue;
        }
        names.push(entry.value);
    }
    names
}

fn resolve_root(
    config_dir: &Path,
    root: Option<&Located<String>>,
    errors: &mut Vec<ConfigError>,
) -> Option<std::path::PathBuf> {
    let written = root.map_or(".", |root| root.value.as_str());
    let joined = config_dir.join(written);
    match joined.canonicalize() {
        Ok(path) if path.is_dir() => Some(path),
        Ok(_) | Err(_) => {
            let span = root.map_or(0..0, |root| root.span.clone());
            errors.push(
                ConfigError::new(
                    format!("the governed root `{written}` is not a directory"),
                    span,
                    "no such directory",
                )
                .with_help("`root` is relative to the directory that holds rules.toml"),
            );
            None
        }
    }
}

fn python_roots(
    root: Option<&Path>,
    written: Option<Vec<Located<String>>>,
    errors: &mut Vec<ConfigError>,
) -> Vec<String> {
    let Some(written) = written else {
        return vec![String::new()];
    };
    let mut roots = Vec::new();
    for entry in written {
        let normalized = normalize_relative(&entry.value);
        let Some(normalized) = normalized else {
            errors.push(ConfigError::new(
                format!(
                    "python root `{}` must be a path inside the governed root",
                    entry.value
                ),
                entry.span,
                "absolute or climbs out with `..`",
            ));
            continue;
        };
        if let Some(root) = root {
            if !root.join(&normalized).is_dir() {
                errors.push(ConfigError::new(
                    format!(
                        "python root `{}` is not a directory under the governed root",
                        entry.value
                    ),
                    entry.span,
                    "no such directory",
                ));
                continue;
            }
        }
        roots.push(normalized);
    }
    roots
}

/// `./src/` -> `src`, `.` -> ``; `None` for absolute paths and paths that climb out.
fn normalize_relative(path: &str) -> Option<String> {
    let mut parts = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return None,
            part => parts.push(part),
        }
    }
    if path.starts_with('/') {
        return None;
    }
    Some(parts.join("/"))
}

thread_local! {
    /// The glob sets compiled while one registry is validated, by their patterns.
    static COMPILED_GLOBS: std::cell::RefCell<HashMap<Vec<String>, std::sync::Arc<globset::GlobSet>>> =
        Default::default();
}

fn globs(patterns: Vec<Located<String>>, errors: &mut Vec<ConfigError>) -> Globs {
    let written: Vec<String> = patterns
        .iter()
        .map(|pattern| pattern.value.clone())
        .collect();
    if let Some(set) = COMPILED_GLOBS.with(|compiled| compiled.borrow().get(&written).cloned()) {
        return Globs {
            set,
            patterns: written,
        };
    }
    let key = written;
    let mut builder = GlobSetBuilder::new();
    let mut written = Vec::new();
    for pattern in patterns {
        match GlobBuilder::new(&pattern.value)
            .literal_separator(true)
            .build()
        {
            Ok(glob) => {
                builder.add(glob);
                written.push(pattern.value);
            }
            Err(error) => errors.push(ConfigError::new(
                format!("invalid glob `{}`", pattern.value),
                pattern.span,
                error.kind().to_string(),
            )),
        }
    }
    let set = std::sync::Arc::new(
        builder
            .build()
            .unwrap_or_else(|_| globset::GlobSet::empty()),
    );
    // Only a set whose every glob compiled is shared (the errors are reported once).
    if written.len() == key.len() {
        COMPILED_GLOBS.with(|compiled| compiled.borrow_mut().insert(key, set.clone()));
    }
    Globs {
        set,
        patterns: written,
    }
}

/// `ignore-imports`: each entry is `importer -> imported`, two module patterns; with the
/// rule's own `unmatched-ignore-imports`.
fn ignored_imports(
    written: Option<Vec<Located<String>>>,
    unmatched: Option<Located<String>>,
    errors: &mut Vec<ConfigError>,
) -> IgnoredImports {
    let unmatched = unmatched_treatment(unmatched, errors);
    let mut entries = Vec::new();
    for entry in written.unwrap_or_default() {
        let Some((importer, imported)) = entry.value.split_once("->") else {
            errors.push(
                ConfigError::new(
                    format!("`{}` in `ignore-imports` has no `->`", entry.value),
                    entry.span,
                    "not `importer -> imported`",
                )
                .with_help(
                    "write the importing and the imported module: `app.api -> app.db.session`",
                ),
            );
            continue;
        };
        let side = |text: &str, which: &str, errors: &mut Vec<ConfigError>| {
            ModulePattern::parse(text.trim())
                .map_err(|error| {
                    errors.push(ConfigError::new(
                        format!("invalid {which} `{}` in `ignore-imports`", text.trim()),
                        entry.span.clone(),
                        error.to_string(),
                    ))
                })
                .ok()
        };
        let importer = side(importer, "importer", errors);
        let imported = side(imported, "imported module", errors);
        if let (Some(importer), Some(imported)) = (importer, imported) {
            entries.push(IgnoredImport {
                importer,
                imported,
                written: entry.value,
                span: entry.span,
            });
        }
    }
    IgnoredImports { entries, unmatched }
}

/// `unmatched-ignore-imports`: `"error"`, `"warn"` or `"off"`.
fn unmatched_treatment(
    written: Option<Located<String>>,
    errors: &mut Vec<ConfigError>,
) -> Option<Treatment> {
    one_of(
        written,
        "unmatched-ignore-imports",
        &[
            ("error", Treatment::Error),
            ("warn", Treatment::Warn),
            ("off", Treatment::Allow),
        ],
        &[],
        errors,
    )
}

/// `[checks]`: every selector must name checks, every glob must compile.
fn check_selection(raw: RawChecks, errors: &mut Vec<ConfigError>) -> CheckSelection {
    let mut selectors = |written: Option<Vec<Located<String>>>, key: &str| {
        written.map(|written| {
            written
                .into_iter()
                .filter_map(|selector| selector_of(&selector, key, errors))
                .collect::<Vec<_>>()
        })
    };
    let select = selectors(raw.select, "select");
    let extend_select = selectors(raw.extend_select, "extend-select").unwrap_or_default();
    let ignore = selectors(raw.ignore, "ignore").unwrap_or_default();
    let enabled = CheckSet::all().apply(select.as_deref(), &extend_select, &ignore);
    let per_file_ignores = raw
        .per_file_ignores
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(pattern, written)| {
            let checks = written
                .iter()
                .filter_map(|selector| selector_of(selector, "per-file-ignores", errors))
                .fold(CheckSet::default(), |set, selector| {
                    selector.checks().iter().fold(set, CheckSet::with)
                });
            let negated = pattern.value.starts_with('!');
            let glob_text = pattern.value.trim_start_matches('!').to_string();
            let matches_file_name = !glob_text.contains('/');
            let errors_before = errors.len();
            let glob = globs(
                vec![Located {
                    value: glob_text,
                    span: pattern.span.clone(),
                }],
                errors,
            );
            (errors.len() == errors_before).then_some(PerFileIgnore {
                pattern: pattern.value,
                negated,
                glob,
                matches_file_name,
                checks,
            })
        })
        .collect();
    CheckSelection {
        enabled,
        per_file_ignores,
    }
}

/// A `[checks]` selector, or an error at it.
fn selector_of(
    written: &Located<String>,
    key: &str,
    errors: &mut Vec<ConfigError>,
) -> Option<Selector> {
    match Selector::parse(&written.value) {
        Ok(selector) => Some(selector),
        Err(unknown) => {
            let error = ConfigError::new(
                format!("unknown check `{}` in `{key}` of [checks]", written.value),
                written.span.clone(),
                "not a check code, code prefix or name",
            );
            errors.push(match unknown.suggestion {
                Some(suggestion) => error.with_help(format!("did you mean `{suggestion}`?")),
                None => error.with_help(
                    "`importgate explain` lists the checks; a prefix such as `IG02` names several",
                ),
            });
            None
        }
    }
}

fn services(
    raw: Vec<super::raw::RawService>,
    text: &str,
    errors: &mut Vec<ConfigError>,
) -> Vec<Service> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut services = Vec::new();
    for service in raw {
        let Some(name) = service.name else { continue };
        if let Some(first) = seen.get(&name.value) {
            errors.push(
                ConfigError::new(
                    format!("duplicate service name `{}`", name.value),
                    name.span.clone(),
                    "defined again here",
                )
                .with_help(format!("first defined on line {}", line_of(text, *first))),
            );
            continue;
        }
        // The offset, not the line: counting lines for every entry was quadratic.
        seen.insert(name.value.clone(), name.span.start);
        let modules = match service.modules {
            Some(modules) => module_patterns(modules, errors)
                .into_iter()
                .map(|entry| entry.pattern)
                .collect(),
            None => match ModulePattern::parse(&name.value) {
                Ok(pattern) => vec![pattern],
                Err(_) => {
                    errors.push(ConfigError::new(
                        format!("service `{}` needs `modules`", name.value),
                        name.span.clone(),
                        "its name is not a module name, so it cannot stand for its modules",
                    ));
                    Vec::new()
                }
            },
        };
        let paths = globs(service.paths.unwrap_or_default(), errors);
        services.push(Service {
            name: name.value,
            modules,
            paths,
        });
    }
    services
}

fn module_patterns(
    written: Vec<Located<String>>,
    errors: &mut Vec<ConfigError>,
) -> Vec<PatternEntry> {
    written
        .into_iter()
        .filter_map(|entry| match ModulePattern::parse(&entry.value) {
            Ok(pattern) => Some(PatternEntry {
                pattern,
                span: entry.span,
            }),
            Err(error) => {
                errors.push(ConfigError::new(
                    format!("invalid module pattern `{}`", entry.value),
                    entry.span,
                    error.to_string(),
                ));
                None
            }
        })
        .collect()
}

fn register_id(
    id: &Located<String>,
    text: &str,
    ids: &mut HashMap<String, usize>,
    errors: &mut Vec<ConfigError>,
) {
    if id.value.is_empty() || id.value.chars().any(char::is_control) {
        errors.push(ConfigError::new(
            "a rule id must be a non-empty name without control characters",
            id.span.clone(),
            if id.value.is_empty() {
                "empty"
            } else {
                "holds a control character (a newline, a tab, NUL...)"
            },
        ));
        return;
    }
    if let Some(first) = ids.get(&id.value) {
        errors.push(
            ConfigError::new(
                format!("duplicate rule id `{}`", id.value),
                id.span.clone(),
                "this id is already used",
            )
            .with_help(format!(
                "first used on line {}; every [[boundary]] and [[banned]] entry needs its own id",
                line_of(text, *first)
            )),
        );
    } else {
        // The offset, not the line: counting lines for every entry was quadratic.
        ids.insert(id.value.clone(), id.span.start);
    }
}

/// A `from` entry names a service, or is a dotted or wildcard module pattern. A bare name that
/// is no service is almost always a misspelt service, so it is an error rather than a pattern.
fn from_patterns(
    written: Vec<Located<String>>,
    services: &[Service],
    errors: &mut Vec<ConfigError>,
) -> Vec<ModulePattern> {
    let names: Vec<&str> = services
        .iter()
        .map(|service| service.name.as_str())
        .collect();
    let mut patterns = Vec::new();
    for entry in written {
        if let Some(service) = services.iter().find(|service| service.name == entry.value) {
            patterns.extend(service.modules.iter().cloned());
        } else if entry.value.contains('.') || entry.value.contains('*') {
            patterns.extend(
                module_patterns(vec![entry], errors)
                    .into_iter()
                    .map(|p| p.pattern),
            );
        } else {
            let help = match did_you_mean(&entry.value, &names) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None if names.is_empty() => {
                    "declare it as a [[service]], or write a module pattern such as `name.**`"
                        .to_string()
                }
                None => format!(
                    "the services are: {}; for a module, write a pattern such as `{}.**`",
                    names.join(", "),
                    entry.value
                ),
            };
            errors.push(
                ConfigError::new(
                    format!("unknown service `{}` in `from`", entry.value),
                    entry.span,
                    "no [[service]] has this name",
                )
                .with_help(help),
            );
        }
    }
    patterns
}

/// `forbid` entries may name services too; anything else is a module pattern.
fn target_patterns(
    written: Vec<Located<String>>,
    services: &[Service],
    errors: &mut Vec<ConfigError>,
) -> Vec<PatternEntry> {
    let mut entries = Vec::new();
    for entry in written {
        match services.iter().find(|service| service.name == entry.value) {
            Some(service) => entries.extend(service.modules.iter().map(|pattern| PatternEntry {
                pattern: pattern.clone(),
                span: entry.span.clone(),
            })),
            None => entries.extend(module_patterns(vec![entry], errors)),
        }
    }
    entries
}

/// The value of an enumerated key: one of `choices` (shown in errors) or of `aliases`
/// (accepted, not advertised). Anything else is an error with a "did you mean".
fn one_of<T: Copy>(
    written: Option<Located<String>>,
    key: &str,
    choices: &[(&str, T)],
    aliases: &[(&str, T)],
    errors: &mut Vec<ConfigError>,
) -> Option<T> {
    let written = written?;
    let found = choices
        .iter()
        .chain(aliases)
        .find(|(name, _)| *name == written.value)
        .map(|(_, value)| *value);
    if found.is_none() {
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        let mut error = ConfigError::new(
            format!("`{key}` must be one of {}", quoted(&names)),
            written.span,
            format!("`{}` is not one of them", written.value),
        );
        if let Some(suggestion) = did_you_mean(&written.value, &names) {
            error = error.with_help(format!("did you mean `{suggestion}`?"));
        }
        errors.push(error);
    }
    found
}

/// `tests` and `type-checking`: what a forbidden import gets in that context.
fn context_treatment(
    written: Option<Located<String>>,
    key: &str,
    errors: &mut Vec<ConfigError>,
) -> Option<Treatment> {
    one_of(
        written,
        key,
        &[
            ("allow", Treatment::Allow),
            ("warn", Treatment::Warn),
            ("error", Treatment::Error),
        ],
        &[("warning", Treatment::Warn)],
        errors,
    )
}

/// `severity`: error or warning.
fn severity(written: Option<Located<String>>, errors: &mut Vec<ConfigError>) -> Option<Treatment> {
    one_of(
        written,
        "severity",
        &[("error", Treatment::Error), ("warning", Treatment::Warn)],
        &[("warn", Treatment::Warn)],
        errors,
    )
}

fn quoted(choices: &[&str]) -> String {
    choices
        .iter()
        .map(|choice| format!("\"{choice}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn validate_boundary(
    raw: RawBoundary,
    services: &[Service],
    text: &str,
    ids: &mut HashMap<String, usize>,
    errors: &mut Vec<ConfigError>,
) -> Option<Boundary> {
    if let Some(id) = &raw.id {
        register_id(id, text, ids, errors);
    }
    let written_from = raw.from.unwrap_or_default();
    let from_services = written_from
        .iter()
        .filter(|entry| services.iter().any(|service| service.name == entry.value))
        .map(|entry| entry.value.clone())
        .collect();
    let from_modules = written_from
        .iter()
        .filter(|entry| !services.iter().any(|service| service.name == entry.value))
        .filter_map(|entry| {
            Some(PatternEntry {
                pattern: ModulePattern::parse(&entry.value).ok()?,
                span: entry.span.clone(),
            })
        })
        .collect();
    let from = from_patterns(written_from, services, errors);
    let forbid = target_patterns(raw.forbid.unwrap_or_default(), services, errors);
    let allow = module_patterns(raw.allow.unwrap_or_default(), errors);
    let tests = context_treatment(raw.tests, "tests", errors);
    let type_checking = context_treatment(raw.type_checking, "type-checking", errors);
    let production = severity(raw.severity, errors);
    let ignore_imports = ignored_imports(raw.ignore_imports, raw.unmatched_ignore_imports, errors);
    let allow_in = globs(raw.allow_in.unwrap_or_default(), errors);
    let id = raw.id?;
    Some(Boundary {
        id_span: id.span,
        id: id.value,
        transitive: raw.transitive.is_some_and(|flag| flag.value),
        from,
        from_services,
        from_modules,
        forbid,
        allow,
        tests: tests.unwrap_or(Treatment::Allow),
        type_checking,
        production: production.unwrap_or(Treatment::Error),
        hint: raw.hint.map(|hint| hint.value),
        ignore_imports,
        allow_in,
        as_packages: raw.as_packages.is_none_or(|flag| flag.value),
    })
}

fn validate_banned(
    raw: RawBanned,
    text: &str,
    ids: &mut HashMap<String, usize>,
    errors: &mut Vec<ConfigError>,
) -> Option<Banned> {
    if let Some(id) = &raw.id {
        register_id(id, text, ids, errors);
    }
    let api = module_patterns(raw.api.unwrap_or_default(), errors);
    let allow_in = globs(raw.allow_in.unwrap_or_default(), errors);
    let paths = raw.paths.map(|paths| globs(paths, errors));
    let scope = one_of(
        raw.scope,
        "scope",
        &[
            ("all", Scope::All),
            ("production", Scope::Production),
            ("tests", Scope::Tests),
        ],
        &[],
        errors,
    );
    let treatment = severity(raw.severity, errors);
    Some(Banned {
        id: raw.id?.value,
        api,
        allow_in,
        paths,
        scope: scope.unwrap_or(Scope::All),
        treatment: treatment.unwrap_or(Treatment::Error),
        hint: raw.hint.map(|hint| hint.value),
    })
}

/// Entries that contradict each other, so that `--fix` would move imports around on every
/// run: a module replaced by itself (or by a module its own entry retires), a replacement
/// that another entry retires (a chain, or a cycle `a -> b -> c -> a`), and a canonical
/// module that an entry retires.
fn contradictions(
    deprecated: &[Deprecated],
    canonical: &[Canonical],
    text: &str,
    errors: &mut Vec<ConfigError>,
) {
    let retiring = |module: &str| {
        deprecated
            .iter()
            .find(|entry| entry.module.pattern.matches(module))
    };
    let mut reported_cycles: std::collections::HashSet<Vec<String>> = Default::default();
    for entry in deprecated {
        let Some(replacement) = entry.replacement.as_deref() else {
            continue;
        };
        if entry.module.pattern.matches(replacement) {
            errors.push(
                ConfigError::new(
                    format!(
                        "`{replacement}` replaces itself: this entry retires `{}`, which covers it",
                        entry.module.pattern
                    ),
                    entry.replacement_span.clone(),
                    "retired by this same entry",
                )
                .with_help("name the module that replaces it, outside the retired one"),
            );
            continue;
        }
        let Some(next) = retiring(replacement) else {
            continue;
        };
        // Follow the chain to its end, or to a module seen before (a cycle).
        let mut chain = vec![entry.module.pattern.to_string(), replacement.to_string()];
        let mut current = next;
        let cycle = loop {
            let Some(further) = current.replacement.as_deref() else {
                break false;
            };
            let seen = chain.iter().any(|module| module == further)
                || entry.module.pattern.matches(further);
            chain.push(further.to_string());
            if seen || chain.len() > deprecated.len() + 2 {
                break true;
            }
            match retiring(further) {
                Some(after) => current = after,
                None => break false,
            }
        };
        if cycle {
            // A cycle is one mistake: reported once, at its first entry.
            let mut members = chain.clone();
            members.sort();
            members.dedup();
            if !reported_cycles.insert(members) {
                continue;
            }
        }
        let line = line_of(text, next.module.span.start);
        let (message, help) = if cycle {
            (
                format!("a cycle of deprecations: {}", chain.join(" -> ")),
                "--fix would move these imports around on every run; end the chain at a module no entry retires".to_string(),
            )
        } else {
            (
                format!(
                    "`{replacement}` is deprecated too (line {line}): {}",
                    chain.join(" -> ")
                ),
                format!(
                    "replace with the end of the chain, `{}`",
                    chain.last().map_or(replacement, String::as_str)
                ),
            )
        };
        errors.push(
            ConfigError::new(
                message,
                entry.replacement_span.clone(),
                "retired by another entry",
            )
            .with_help(help),
        );
    }
    for entry in canonical {
        if let Some(retired) = retiring(&entry.module) {
            errors.push(
                ConfigError::new(
                    format!(
                        "the canonical module of `{}` is deprecated (line {}): IG010 and IG011 would move its imports back and forth",
                        entry.symbol,
                        line_of(text, retired.module.span.start)
                    ),
                    entry.module_span.clone(),
                    "retired by a [[deprecated]] entry",
                )
                .with_help(match &retired.replacement {
                    Some(replacement) => format!("make `{replacement}` the canonical module"),
                    None => "register the module that replaces it".to_string(),
                }),
            );
        }
    }
}

/// The baseline file, relative to rules.toml: a file name, not empty, not a directory.
fn baseline_file<'b>(
    written: Option<&'b Located<String>>,
    config_dir: &Path,
    root: Option<&Path>,
    errors: &mut Vec<ConfigError>,
) -> &'b str {
    let Some(written) = written else {
        return super::DEFAULT_BASELINE_FILE;
    };
    let value = written.value.as_str();
    let names_a_file = !value.is_empty()
        && !value.ends_with('/')
        && !value.chars().any(char::is_control)
        && !matches!(value.rsplit('/').next(), Some("" | "." | ".."));
    if !names_a_file {
        errors.push(
            ConfigError::new(
                "`baseline` must name a file",
                written.span.clone(),
                "not a file name",
            )
            .with_help(format!(
                "relative to rules.toml; the default is `{}`",
                super::DEFAULT_BASELINE_FILE
            )),
        );
        return value;
    }
    // A registry comes with the pull request: it must not point the baseline (which
    // `--prune-baseline` rewrites) at a file elsewhere on the machine.
    let normalize = crate::paths::normalize;
    let below = |base: &Path| normalize(&base.join(value)).starts_with(normalize(base));
    let inside = !Path::new(value).is_absolute()
        && (below(config_dir)
            || root.is_some_and(|root| {
                config_dir
                    .canonicalize()
                    .is_ok_and(|dir| normalize(&dir.join(value)).starts_with(root))
            }));
    if !inside {
        errors.push(
            ConfigError::new(
                "`baseline` must be a file next to rules.toml or inside the governed root",
                written.span.clone(),
                "outside both",
            )
            .with_help("a relative path without `..` that climbs out"),
        );
    }
    value
}

/// The 1-based line of a byte offset in rules.toml.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| 1 + before.matches('\n').count())
}

/// A module name (no wildcards), dotted or Rust's (`crate::module`), or an error on its
/// span.
fn module_name(
    written: &Located<String>,
    key: &str,
    errors: &mut Vec<ConfigError>,
) -> Option<String> {
    let separator = crate::model::separator_of(&written.value).unwrap_or(".");
    let valid = !written.value.is_empty()
        && written
            .value
            .split(separator)
            .all(super::pattern::is_identifier);
    if valid {
        Some(written.value.clone())
    } else {
        errors.push(ConfigError::new(
            format!("`{key}` must be a module name, not `{}`", written.value),
            written.span.clone(),
            "expected a name such as `pkg.sub.module` (Python) or `my_crate::module` (Rust)",
        ));
        None
    }
}

fn validate_canonical(
    raw: RawCanonical,
    services: &[Service],
    symbol_counts: &HashMap<String, usize>,
    text: &str,
    ids: &mut HashMap<String, usize>,
    errors: &mut Vec<ConfigError>,
) -> Option<Canonical> {
    if let Some(id) = &raw.id {
        register_id(id, text, ids, errors);
    }
    let symbol = raw.symbol.filter(|symbol| {
        let valid = super::pattern::is_identifier(&symbol.value);
        if !valid {
            errors.push(ConfigError::new(
                format!("`symbol` must be a Python name, not `{}`", symbol.value),
                symbol.span.clone(),
                "expected a name such as `SessionManager`",
            ));
        }
        valid
    });
    let module_span = raw.module.as_ref().map(|module| module.span.clone());
    let module = raw
        .module
        .as_ref()
        .and_then(|module| module_name(module, "module", errors));
    let compatible = raw
        .compatible
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| module_name(entry, "compatible", errors))
        .collect();
    let scope = raw
        .scope
        .unwrap_or_default()
        .into_iter()
        .flat_map(
            |entry| match services.iter().find(|service| service.name == entry.value) {
                Some(service) => service.modules.clone(),
                None => module_patterns(vec![entry], errors)
                    .into_iter()
                    .map(|entry| entry.pattern)
                    .collect(),
            },
        )
        .collect();
    let (symbol, module) = (symbol?.value, module?);
    Some(Canonical {
        // `canonical:Symbol`, or `canonical:Symbol@module` when several entries share it.
        id: raw.id.map_or_else(
            || match symbol_counts.get(&symbol) {
                Some(1) => format!("canonical:{symbol}"),
                _ => format!("canonical:{symbol}@{module}"),
            },
            |id| id.value,
        ),
        symbol,
        module,
        module_span: module_span.unwrap_or(0..0),
        compatible,
        scope,
        hint: raw.hint.map(|hint| hint.value),
    })
}

fn validate_deprecated(
    raw: RawDeprecated,
    text: &str,
    ids: &mut HashMap<String, usize>,
    errors: &mut Vec<ConfigError>,
) -> Option<Deprecated> {
    if let Some(id) = &raw.id {
        register_id(id, text, ids, errors);
    }
    let module = raw
        .module
        .and_then(|module| module_patterns(vec![module], errors).into_iter().next());
    let replacement_span = raw
        .replacement
        .as_ref()
        .map_or(0..0, |replacement| replacement.span.clone());
    let replacement = raw
        .replacement
        .as_ref()
        .and_then(|replacement| module_name(replacement, "replacement", errors));
    let names = raw
        .names
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(old, new)| {
            for name in [&old, &new] {
                if !super::pattern::is_identifier(&name.value) {
                    errors.push(ConfigError::new(
                        format!("`{}` in `names` is not a Python name", name.value),
                        name.span.clone(),
                        "expected a name such as `SessionManager`",
                    ));
                    return None;
                }
            }
            Some((old.value, new.value))
        })
        .collect();
    let module = module?;
    Some(Deprecated {
        id: raw
            .id
            .map_or_else(|| format!("deprecated:{}", module.pattern), |id| id.value),
        module,
        replacement,
        replacement_span,
        names,
        hint: raw.hint.map(|hint| hint.value),
    })
}

/// One module group of a graph rule: a service name, or a module (below `container`, when
/// the rule has containers).
/// The siblings of a layer: split at `|` and at a `:` that is no half of Rust's `::`.
fn layer_parts(layer: &str) -> Vec<&str> {
    let bytes = layer.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let separates = byte == b'|'
            || (byte == b':'
                && bytes.get(at + 1) != Some(&b':')
                && (at == 0 || bytes[at - 1] != b':'));
        if separates {
            parts.push(&layer[start..at]);
            start = at + 1;
        }
    }
    parts.push(&layer[start..]);
    parts
}

/// Whether a layer lists siblings that may import each other (`a : b`), as opposed to a
/// Rust path's `::`.
fn has_sibling_colon(layer: &str) -> bool {
    layer_parts(layer).len() > layer.split('|').count()
}

/// A layer's or an `[[independent]]` entry's module (or service). `container`: the
/// package it is named below, and whether only Rust is checked (a one-segment container
/// is then a crate, joined with `::`).
fn module_group(
    written: &Located<String>,
    container: Option<(&str, bool)>,
    services: &[Service],
    errors: &mut Vec<ConfigError>,
) -> Option<ModuleGroup> {
    let name = written.value.trim();
    if container.is_none() {
        if let Some(service) = services.iter().find(|service| service.name == name) {
            return Some(ModuleGroup {
                label: name.to_string(),
                patterns: service.modules.clone(),
                span: written.span.clone(),
                is_service: true,
                optional: false,
            });
        }
    }
    // `"(name)"`: an optional layer, which may be missing from the tree.
    let (name, optional) = match name
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
    {
        Some(inner) => (inner.trim(), true),
        None => (name, false),
    };
    let module = match container {
        Some((container, rust_only)) => {
            let separator = crate::model::separator_of(container)
                .or_else(|| crate::model::separator_of(name))
                .unwrap_or(if rust_only { "::" } else { "." });
            format!("{container}{separator}{name}")
        }
        None => name.to_string(),
    };
    match ModulePattern::parse(&module) {
        Ok(pattern) => Some(ModuleGroup {
            label: module,
            patterns: vec![pattern],
            span: written.span.clone(),
            is_service: false,
            optional,
        }),
        Err(error) => {
            errors.push(ConfigError::new(
                format!("invalid module `{module}`"),
                written.span.clone(),
                error.to_string(),
            ));
            None
        }
    }
}

/// How many levels below `within` a sibling-cycle rule goes down by default: import-linter's
/// `acyclic_siblings` default.
const DEFAULT_SIBLING_DEPTH: usize = 10;

/// The package of a `within`.
fn within_package(
    within: &Located<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<ModulePattern> {
    ModulePattern::parse(&within.value)
        .map_err(|error| {
            errors.push(ConfigError::new(
                format!("invalid package `{}` in `within`", within.value),
                within.span.clone(),
                error.to_string(),
            ))
        })
        .ok()
}

fn validate_cycles(
    raw: RawCycles,
    text: &str,
    ids: &mut HashMap<String, usize>,
    errors: &mut Vec<ConfigError>,
) -> Option<Cycles> {
    let treatment = severity(raw.severity, errors).unwrap_or(Treatment::Error);
    let siblings = raw
        .between
        .as_ref()
        .is_some_and(|between| between.value == "siblings");
    if !siblings {
        for (written, key) in [
            (raw.depth.as_ref().map(|depth| depth.span.clone()), "depth"),
            (
                raw.skip_descendants
                    .as_ref()
                    .and_then(|skip| skip.first())
                    .map(|first| first.span.clone()),
                "skip-descendants",
            ),
        ] {
            if let Some(span) = written {
                errors.push(
                    ConfigError::new(
                        format!("`{key}` in [[cycles]] is only for `between = \"siblings\"`"),
                        span,
                        "no sibling packages to go down into",
                    )
                    .with_help("add `between = \"siblings\"` next to `within`, or remove the key"),
                );
            }
        }
    }
    let (scope, span, default_id) = match (raw.within, raw.between) {
        (Some(within), Some(between)) if between.value == "siblings" => {
            let package = within_package(&within, errors)?;
            let depth = match raw.depth {
                Some(depth) if depth.value < 0 => {
                    errors.push(ConfigError::new(
                        "`depth` in [[cycles]] cannot be negative",
                        depth.span,
                        "0 checks the children of `within` only",
                    ));
                    return None;
                }
                Some(depth) => usize::try_from(depth.value).unwrap_or(usize::MAX),
                None => DEFAULT_SIBLING_DEPTH,
            };
            let skip = module_patterns(raw.skip_descendants.unwrap_or_default(), errors)
                .into_iter()
                .map(|entry| entry.pattern)
                .collect();
            let id = format!("sibling-cycles:{}", within.value);
            (
                CycleScope::Siblings {
                    ancestor: package,
                    depth,
                    skip,
                },
                within.span,
                id,
            )
        }
        (Some(within), None) => {
            let package = within_package(&within, errors)?;
            let id = format!("cycles:{}", within.value);
            (CycleScope::Within(package), within.span, id)
        }
        (None, Some(between)) if between.value == "services" => (
            CycleScope::Services,
            between.span,
            "service-cycles".to_string(),
        ),
        (None, Some(between)) if between.value == "siblings" => {
            errors.push(
                ConfigError::new(
                    "`between = \"siblings\"` needs `within`",
                    between.span,
                    "the siblings of which package?",
                )
                .with_help("write `within = \"pkg\"`: cycles between the children of `pkg` and of every package below it"),
            );
            return None;
        }
        (_, Some(between)) if between.value != "services" => {
            errors.push(
                ConfigError::new(
                    "`between` in [[cycles]] must be \"services\" or \"siblings\"",
                    between.span,
                    format!("`{}` is neither", between.value),
                )
                .with_help("for cycles between the modules of a package, write `within = \"pkg\"`"),
            );
            return None;
        }
        (within, between) => {
            let span = within
                .map(|within| within.span)
                .or(between.map(|between| between.span))
                .or(raw.id.as_ref().map(|id| id.span.clone()))
                .unwrap_or(raw.span.clone());
            errors.push(
                ConfigError::new(
                    "[[cycles]] needs exactly one of `within` and `between`",
                    span,
                    "here",
                )
                .with_help("`within = \"pkg\"` for the modules of a package, `between = \"services\"` for services"),
            );
            return None;
        }
    };
    let id = match raw.id {
        Some(id) => {
            register_id(&id, text, ids, errors);
            id.value
        }
        None => default_id,
    };
    Some(Cycles {
        id,
        scope,
        lazy: raw.lazy.is_some_and(|flag| flag.value),
        treatment,
        hint: raw.hint.map(|hint| hint.value),
        span,
        ignore_imports: ignored_imports(raw.ignore_imports, raw.unmatched_ignore_imports, errors),
    })
}

fn validate_layers(
    raw: RawLayers,
    services: &[Service],
    text: &str,
    rust_only: bool,
    ids: &mut HashMap<String, usize>,
    errors: &mut Vec<ConfigError>,
) -> Option<Layers> {
    if let Some(id) = &raw.id {
        register_id(id, text, ids, errors);
    }
    let treatment = severity(raw.severity, errors).unwrap_or(Treatment::Error);
    let written_containers: Vec<(String, std::ops::Range<usize>)> = raw
        .containers
        .unwrap_or_default()
        .into_iter()
        .map(|container| (container.value, container.span))
        .collect();
    let containers: Vec<Option<String>> = if written_containers.is_empty() {
        vec![None]
    } else {
        written_containers
            .iter()
            .map(|(container, _)| Some(container.clone()))
            .collect()
    };
    let written = raw.layers.unwrap_or_default();
    // One layer of independent siblings (`["a | b | c"]`) is a rule, as import-linter has it.
    let single_independent_layer = written.len() == 1
        && !has_sibling_colon(&written[0].value)
        && written[0].value.split('|').count() > 1;
    if written.len() < 2 && !single_independent_layer {
        if let Some(id) = &raw.id {
            errors.push(
                ConfigError::new(
                    "[[layers]] needs at least two layers, or one layer of independent siblings",
                    id.span.clone(),
                    "in this entry",
                )
                .with_help("`layers = [\"a\", \"b\"]`, or `layers = [\"a | b | c\"]`"),
            );
        }
    }
    // A module in two layers (or twice in one) is above and below itself.
    let mut seen_names: HashMap<String, ()> = HashMap::new();
    for layer in &written {
        for part in layer_parts(&layer.value) {
            let name = part
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim();
            if !name.is_empty() && seen_names.insert(name.to_string(), ()).is_some() {
                errors.push(ConfigError::new(
                    format!("`{name}` appears twice in `layers`"),
                    layer.span.clone(),
                    "listed again here",
                ));
            }
        }
    }
    let mut stacks = Vec::new();
    for container in &containers {
        let mut stack = Vec::new();
        for layer in &written {
            let independent = !has_sibling_colon(&layer.value);
            if !independent && layer.value.contains('|') {
                errors.push(
                    ConfigError::new(
                        "a layer cannot mix `|` and `:`",
                        layer.span.clone(),
                        "both separators here",
                    )
                    .with_help("`a | b`: independent siblings; `a : b`: siblings that may import each other"),
                );
            }
            let siblings = layer_parts(&layer.value)
                .into_iter()
                .filter_map(|part| {
                    let part = Located {
                        value: part.trim().to_string(),
                        span: layer.span.clone(),
                    };
                    let container = container.as_deref().map(|container| (container, rust_only));
                    module_group(&part, container, services, errors)
                })
                .collect();
            stack.push(Layer {
                siblings,
                independent,
            });
        }
        stacks.push(stack);
    }
    let ignore_imports = ignored_imports(raw.ignore_imports, raw.unmatched_ignore_imports, errors);
    let exhaustive = match raw.exhaustive {
        Some(flag) if flag.value => {
            if written_containers.is_empty() {
                errors.push(
                    ConfigError::new(
                        "`exhaustive = true` needs `containers`",
                        flag.span,
                        "the children of which package must all be in a layer?",
                    )
                    .with_help("list the packages whose children are the layers in `containers`"),
                );
            }
            Some(
                raw.exhaustive_ignores
                    .unwrap_or_default()
                    .into_iter()
                    .map(|ignored| ignored.value)
                    .collect(),
            )
        }
        _ => {
            if let Some(first) = raw
                .exhaustive_ignores
                .as_ref()
                .and_then(|list| list.first())
            {
                errors.push(
                    ConfigError::new(
                        "`exhaustive-ignores` without `exhaustive = true`",
                        first.span.clone(),
                        "nothing to except from",
                    )
                    .with_help("add `exhaustive = true`, or remove `exhaustive-ignores`"),
                );
            }
            None
        }
    };
    Some(Layers {
        ignore_imports,
        exhaustive,
        id: raw.id?.value,
        stacks,
        containers: written_containers,
        transitive: raw.transitive.is_none_or(|flag| flag.value),
        treatment,
        hint: raw.hint.map(|hint| hint.value),
    })
}

fn validate_independent(
    raw: RawIndependent,
    services: &[Service],
    text: &str,
    ids: &mut HashMap<String, usize>,
    errors: &mut Vec<ConfigError>,
) -> Option<Independent> {
    if let Some(id) = &raw.id {
        register_id(id, text, ids, errors);
    }
    let treatment = severity(raw.severity, errors).unwrap_or(Treatment::Error);
    let written = raw.modules.unwrap_or_default();
    let mut seen_names: HashMap<&str, ()> = HashMap::new();
    for module in &written {
        if seen_names.insert(module.value.as_str(), ()).is_some() {
            errors.push(ConfigError::new(
                format!("`{}` appears twice in `modules`", module.value),
                module.span.clone(),
                "listed again here",
            ));
        }
    }
    let groups: Vec<ModuleGroup> = written
        .iter()
        .filter_map(|module| module_group(module, None, services, errors))
        .collect();
    let ignore_imports = ignored_imports(raw.ignore_imports, raw.unmatched_ignore_imports, errors);
    Some(Independent {
        ignore_imports,
        id: raw.id?.value,
        groups,
        treatment,
        hint: raw.hint.map(|hint| hint.value),
    })
}

fn validate_private_modules(
    raw: RawPrivateModules,
    text: &str,
    ids: &mut HashMap<String, usize>,
    errors: &mut Vec<ConfigError>,
) -> Option<PrivateModules> {
    if let Some(id) = &raw.id {
        register_id(id, text, ids, errors);
    }
    let packages = module_patterns(raw.packages.unwrap_or_default(), errors);
    // The private modules of a private package would be checked against the wrong parent:
    // import-linter refuses such a package too.
    for package in &packages {
        if package
            .pattern
            .as_str()
            .split('.')
            .any(super::pattern::is_private_name)
        {
            errors.push(
                ConfigError::new(
                    format!(
                        "`{}` is private, or inside a private module",
                        package.pattern
                    ),
                    package.span.clone(),
                    "a private package",
                )
                .with_help("list an ancestor that is not private: its private modules are checked, however deep"),
            );
        }
    }
    let tests = context_treatment(raw.tests, "tests", errors);
    let type_checking = context_treatment(raw.type_checking, "type-checking", errors);
    let production = severity(raw.severity, errors);
    let ignore_imports = ignored_imports(raw.ignore_imports, raw.unmatched_ignore_imports, errors);
    let id = raw.id?;
    Some(PrivateModules {
        id: id.value,
        id_span: id.span,
        packages,
        tests: tests.unwrap_or(Treatment::Allow),
        type_checking,
        production: production.unwrap_or(Treatment::Error),
        hint: raw.hint.map(|hint| hint.value),
        ignore_imports,
    })
}

#[cfg(test)]
mod tests {
    use super::{has_sibling_colon, layer_parts};

    #[test]
    fn layers_split_at_bars_and_single_colons_never_inside_rust_paths() {
        assert_eq!(layer_parts("a | b"), ["a ", " b"]);
        assert_eq!(layer_parts("a : b"), ["a ", " b"]);
        assert_eq!(
            layer_parts("app::engine : app::internal"),
            ["app::engine ", " app::internal"]
        );
        assert_eq!(layer_parts("app::engine"), ["app::engine"]);
        assert!(has_sibling_colon("a : b"));
        assert!(has_sibling_colon("a | b : c"));
        assert!(!has_sibling_colon("a::b | c::d"));
        assert!(!has_sibling_colon("a::b"));
    }
}
