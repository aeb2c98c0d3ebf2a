//! ## What it does
//! Reports the use of a module or module attribute that a `[[banned]]` entry of the
//! registry bans, outside the files its `allow-in` globs name. An entry `api = ["unittest"]`
//! catches `import unittest`, `import unittest.mock` and `from unittest import TestCase`;
//! an entry `api = ["os.environ"]` catches `from os import environ`, `os.environ[...]` after
//! `import os`, and `o.environ` after `import os as o`. Relative and dynamic imports
//! (`importlib.import_module("unittest")`) are resolved first. `scope` limits an entry to
//! production or test code, `paths` to some files.
//!
//! In Rust an entry is a path (`api = ["std::env::var"]`): it catches `use std::env::var;`
//! and what is called through it, `std::env::var(..)`, `env::var(..)` after `use std::env;`,
//! `v(..)` after `use std::env::var as v;`, and a leading `::` — banned APIs are mostly used
//! by path, not imported.
//!
//! ## Why is this bad?
//! Some APIs are reserved to one place: the environment is read by one configuration
//! module, JWTs are decoded only inside the auth service, tests use the project's base test
//! case rather than `unittest` directly. Regex scripts that enforce this miss multi-line and
//! aliased imports and flag comments; this check reads the code.
//!
//! ## Example
//! ```python
//! import os
//! timeout = int(os.environ["TIMEOUT"])
//! ```
//! with
//! ```toml
//! [[banned]]
//! id = "no-direct-environ"
//! api = ["os.environ", "os.getenv"]
//! allow-in = ["dev_launcher/isolated_environment.py"]
//! hint = "Use IsolatedEnvironment from dev_launcher.isolated_environment"
//! ```
//!
//! ## Use instead
//! ```python
//! from dev_launcher.isolated_environment import IsolatedEnvironment
//! timeout = int(IsolatedEnvironment().get("TIMEOUT"))
//! ```
//!
//! ## Fix
//! Not fixable automatically. The entry's `hint` is shown with every violation.

use super::{
    context_note, describe_import, severity_of, CheckCode, CheckInfo, FileInput, Findings,
    FixAvailability,
};
use crate::config::{Banned, Scope};
use crate::diagnostic::{Diagnostic, RuleRef, Severity};
use crate::model::{CodeContext, ImportKind};
use std::collections::{HashMap, HashSet};

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "Use of a module or attribute that a `[[banned]]` entry bans",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("banned_api.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    let banned = &input.config.banned;
    if banned.is_empty() {
        return;
    }
    let index = input.config.ban_index();
    // Whether each rule governs this file (its scope and path globs), decided once per rule
    // that some import of the file may meet.
    let mut governs: HashMap<usize, bool> = HashMap::new();
    let mut governs_file = |rule: usize, context: CodeContext| {
        in_scope(&banned[rule], context)
            && *governs.entry(rule).or_insert_with(|| {
                applies(&banned[rule], input) && severity_of(banned[rule].treatment).is_some()
            })
    };
    // (rule, 0 for imports then 1 for attribute uses, order found, diagnostic): sorted at
    // the end, so that the order is rule by rule, as the registry has them.
    let mut found: Vec<(usize, u8, usize, Diagnostic)> = Vec::new();
    let mut matched_by_import: HashMap<usize, Vec<&str>> = HashMap::new();
    // (rule, start) of Rust paths reported as imports: the same path is a watched use too.
    let mut matched_paths: HashSet<(usize, u32)> = HashSet::new();
    for import in input.imports {
        let Some(qualified) = import.qualified.as_deref() else {
            continue;
        };
        let mut last_rule = None;
        for (rule, api) in index.candidates(qualified) {
            let entry = &banned[rule].api[api];
            // The first entry of a rule that matches is the one reported.
            if last_rule == Some(rule)
                || !entry.pattern.matches(qualified)
                || !governs_file(rule, input.context_of(import.import))
            {
                continue;
            }
            last_rule = Some(rule);
            let banned = &banned[rule];
            if import.import.kind == ImportKind::Import {
                matched_by_import.entry(rule).or_default().push(qualified);
            }
            let is_path = matches!(import.import.kind, ImportKind::Path | ImportKind::BoundPath);
            if is_path {
                matched_paths.insert((rule, import.import.span.start));
            }
            let message = if is_path {
                // A path in code is a use, not an import statement.
                format!(
                    "use of banned API `{qualified}`{}",
                    context_note(import.import)
                )
            } else if qualified == entry.pattern.as_str() && import.import.name.is_none() {
                format!(
                    "import of banned API `{qualified}`{}",
                    context_note(import.import)
                )
            } else {
                format!(
                    "import of {} (banned: `{}`){}",
                    describe_import(import),
                    entry.pattern,
                    context_note(import.import)
                )
            };
            let diagnostic = input.import_diagnostic(
                CheckCode::BannedApi,
                severity_of(banned.treatment).unwrap_or(Severity::Error),
                import,
                message,
                Some(RuleRef {
                    id: banned.id.clone(),
                    span: entry.span.clone(),
                }),
                banned.hint.clone(),
            );
            found.push((rule, 0, found.len(), diagnostic));
        }
    }
    for attribute in &input.facts.attribute_uses {
        let mut last_rule = None;
        for (rule, api) in index.candidates(&attribute.path) {
            let entry = &banned[rule].api[api];
            let context = if attribute.context.test {
                CodeContext::Test
            } else {
                input.file.context
            };
            if last_rule == Some(rule)
                || !entry.pattern.matches(&attribute.path)
                || !governs_file(rule, context)
            {
                continue;
            }
            last_rule = Some(rule);
            if matched_paths.contains(&(rule, attribute.span.start)) {
                continue;
            }
            // `unittest.mock.patch` after a reported `import unittest.mock` adds nothing; a
            // use of `os.environ` after a reported `from os import environ` is another use.
            if matched_by_import.get(&rule).is_some_and(|modules| {
                modules
                    .iter()
                    .any(|module| crate::model::is_same_or_below(&attribute.path, module))
            }) {
                continue;
            }
            let banned = &banned[rule];
            let (module, name) =
                crate::model::split_last_segment(&attribute.path).unwrap_or((&attribute.path, ""));
            let mut diagnostic = input.diagnostic(
                CheckCode::BannedApi,
                severity_of(banned.treatment).unwrap_or(Severity::Error),
                attribute.span,
                format!("use of banned API `{}`", attribute.path),
            );
            diagnostic.rule = Some(RuleRef {
                id: banned.id.clone(),
                span: entry.span.clone(),
            });
            diagnostic.hint = banned.hint.clone();
            diagnostic.target = Some(module.to_string());
            diagnostic.name_imported = (!name.is_empty()).then(|| name.to_string());
            found.push((rule, 1, found.len(), diagnostic));
        }
    }
    found.sort_by_key(|(rule, kind, order, _)| (*rule, *kind, *order));
    findings
        .diagnostics
        .extend(found.into_iter().map(|(_, _, _, diagnostic)| diagnostic));
}

/// Whether the entry's `scope` covers code of this context.
fn in_scope(banned: &Banned, context: CodeContext) -> bool {
    match banned.scope {
        Scope::All => true,
        Scope::Production => context == CodeContext::Production,
        Scope::Tests => context == CodeContext::Test,
    }
}

/// Whether the entry's `paths` and `allow-in` let it govern the file.
fn applies(banned: &Banned, input: &FileInput<'_>) -> bool {
    let relative = input.file.relative.as_str();
    banned
        .paths
        .as_ref()
        .is_none_or(|paths| paths.is_match(relative))
        && !banned.allow_in.is_match(relative)
}
