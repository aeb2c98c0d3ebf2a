//! ## What it does
//! Reports `from m import N` where `m` is a first-party module that exists but binds no
//! `N`: no `def`, `class`, assignment (plain, annotated with a value, augmented), `for` or
//! `with` target, import, `global` declaration, `__all__` entry or submodule `m.N`, at
//! module level or inside module-level `if`/`try`/`with`/`for`/`while` blocks. Star imports
//! between first-party modules are followed (honouring `__all__`, with cycle protection).
//!
//! It stays silent where the answer cannot be known: a module with a module-level
//! `__getattr__` or `globals()` writes, a star import from a module it cannot see through,
//! a module that did not parse, or one that is not in the checked tree. Imports guarded by
//! `except ImportError` are optional by design (`--strict-guarded` reports them as
//! warnings). The hint names first-party modules that do define `N`.
//!
//! ## Why is this bad?
//! `ImportError: cannot import name 'N' from 'm'` the first time the import runs. After an
//! automated import rewrite, such imports point at the right module but at a name that
//! moved, or at the right name in a module that never had it.
//!
//! ## Example
//! ```python
//! from netra_backend.app.database import SessionManagr
//! ```
//!
//! ## Use instead
//! ```python
//! from netra_backend.app.database.session_manager import SessionManager
//! ```
//!
//! ## Fix
//! Not fixable automatically. The hint lists modules that define the name.

use super::{CheckCode, CheckInfo, FixAvailability, ProjectInput};
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::NameLookup;
use std::collections::{HashMap, HashSet};

pub(super) static INFO: CheckInfo = CheckInfo {
    code: "IG021",
    name: "missing-name",
    summary: "`from m import N` where first-party `m` binds no `N`",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("missing_name.rs"),
};

pub(super) fn check(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let mut missing = Vec::new();
    // The same `from m import N` recurs across many files: look each pair up once.
    let mut answers: HashMap<(&str, &str), NameLookup> = HashMap::new();
    for import in &input.facts.name_imports {
        let severity = match (import.guarded, input.strict_guarded) {
            (false, _) => Severity::Error,
            (true, true) => Severity::Warning,
            (true, false) => continue,
        };
        let answer = *answers
            .entry((import.module.as_str(), &import.name))
            .or_insert_with(|| {
                input
                    .facts
                    .lookup_name(input.index, &import.module, &import.name)
            });
        if answer == NameLookup::Missing {
            missing.push((import, severity));
        }
    }
    if missing.is_empty() {
        return;
    }
    let definers = modules_binding(
        input,
        missing.iter().map(|(import, _)| &*import.name).collect(),
    );
    for (import, severity) in missing {
        let hint = definers.get(&*import.name).map(|modules| {
            let listed: Vec<String> = modules
                .iter()
                .take(3)
                .map(|module| format!("`{module}`"))
                .collect();
            format!("`{}` is defined in {}", import.name, listed.join(", "))
        });
        diagnostics.push(Diagnostic {
            code: CheckCode::MissingName,
            severity,
            path: import.path.to_string(),
            span: import.span,
            message: format!("`{}` is not defined in `{}`", import.name, import.module),
            rule: None,
            hint,
            context: import.context,
            target: Some(import.module.clone()),
            name_imported: Some(import.name.to_string()),
            statement_line: Some(import.statement_line),
            fix: None,
        });
    }
}

/// For each of `names`, the first-party modules that define it (not merely import it),
/// sorted: one pass over every module, only when something is missing.
fn modules_binding<'a>(
    input: &'a ProjectInput<'_>,
    names: HashSet<&str>,
) -> HashMap<String, Vec<&'a str>> {
    let mut definers: HashMap<String, Vec<&str>> = HashMap::new();
    for (module, entry) in &input.facts.modules {
        for name in &names {
            if entry.defines(name) {
                definers.entry(name.to_string()).or_default().push(module);
            }
        }
    }
    for modules in definers.values_mut() {
        modules.sort();
    }
    definers
}
