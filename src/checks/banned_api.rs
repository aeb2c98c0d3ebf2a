//! ## What it does
//! Reports the use of a module or module attribute that a `[[banned]]` entry of the
//! registry bans, outside the files its `allow-in` globs name. An entry `api = ["unittest"]`
//! catches `import unittest`, `import unittest.mock` and `from unittest import TestCase`;
//! an entry `api = ["os.environ"]` catches `from os import environ`, `os.environ[...]` after
//! `import os`, and `o.environ` after `import os as o`. Relative and dynamic imports
//! (`importlib.import_module("unittest")`) are resolved first. `scope` limits an entry to
//! production or test code, `paths` to some files.
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
use crate::diagnostic::{RuleRef, Severity};
use crate::model::{CodeContext, ImportKind};

pub(super) static INFO: CheckInfo = CheckInfo {
    code: "IG003",
    name: "banned-api",
    summary: "Use of a module or attribute that a `[[banned]]` entry bans",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("banned_api.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    for banned in input
        .config
        .banned
        .iter()
        .filter(|banned| applies(banned, input))
    {
        let Some(severity) = severity_of(banned.treatment) else {
            continue;
        };
        let rule = |span: std::ops::Range<usize>| RuleRef {
            id: banned.id.clone(),
            span,
        };
        let mut matched_by_import = Vec::new();
        for import in input.imports {
            let Some(qualified) = import.qualified.as_deref() else {
                continue;
            };
            let Some(entry) = banned
                .api
                .iter()
                .find(|entry| entry.pattern.matches(qualified))
            else {
                continue;
            };
            if import.import.kind == ImportKind::Import {
                matched_by_import.push(qualified);
            }
            let message = if qualified == entry.pattern.as_str() && import.import.name.is_none() {
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
            findings.diagnostics.push(input.import_diagnostic(
                CheckCode::BannedApi,
                severity,
                import,
                message,
                Some(rule(entry.span.clone())),
                banned.hint.clone(),
            ));
        }
        for attribute in &input.facts.attribute_uses {
            let Some(entry) = banned
                .api
                .iter()
                .find(|entry| entry.pattern.matches(&attribute.path))
            else {
                continue;
            };
            // `unittest.mock.patch` after a reported `import unittest.mock` adds nothing; a use
            // of `os.environ` after a reported `from os import environ` is another use.
            if matched_by_import
                .iter()
                .any(|module| is_same_or_below(&attribute.path, module))
            {
                continue;
            }
            let (module, name) = attribute
                .path
                .rsplit_once('.')
                .unwrap_or((&attribute.path, ""));
            let mut diagnostic = input.diagnostic(
                CheckCode::BannedApi,
                severity,
                attribute.span,
                format!("use of banned API `{}`", attribute.path),
            );
            diagnostic.rule = Some(rule(entry.span.clone()));
            diagnostic.hint = banned.hint.clone();
            diagnostic.target = Some(module.to_string());
            diagnostic.name_imported = (!name.is_empty()).then(|| name.to_string());
            findings.diagnostics.push(diagnostic);
        }
    }
}

fn applies(banned: &Banned, input: &FileInput<'_>) -> bool {
    let in_scope = match banned.scope {
        Scope::All => true,
        Scope::Production => input.file.context == CodeContext::Production,
        Scope::Tests => input.file.context == CodeContext::Test,
    };
    let relative = input.file.relative.as_str();
    in_scope
        && banned
            .paths
            .as_ref()
            .is_none_or(|paths| paths.is_match(relative))
        && !banned.allow_in.is_match(relative)
}

/// `a.b.c` is `a.b` or below it.
fn is_same_or_below(path: &str, module: &str) -> bool {
    path == module
        || path
            .strip_prefix(module)
            .is_some_and(|rest| rest.starts_with('.'))
}
