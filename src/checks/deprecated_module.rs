//! ## What it does
//! Reports every import of a module that a `[[deprecated]]` entry of the registry retires,
//! or of anything below it, in any form: `import a.b`, `import a.b as c`, `from a.b import
//! x`, `from a import b`, relative imports (resolved first), imports inside functions,
//! multi-line parenthesised imports and `importlib.import_module("a.b")`. The hint names the
//! `replacement` module and the symbol renames (`names`) when the entry gives them. Modules
//! inside the deprecated module itself are not reported.
//!
//! ## Why is this bad?
//! A consolidation merges several modules into one and rewrites the imports of the files
//! somebody remembered. The rest keep importing the old modules, which either linger as
//! shims that nobody dares to delete or are deleted and break the code paths nobody ran.
//!
//! ## Example
//! ```python
//! from app.core.session.session_manager_v2 import SessionManagerV2
//! ```
//! with
//! ```toml
//! [[deprecated]]
//! module = "app.core.session.session_manager_v2"
//! replacement = "app.core.session.core.session_manager"
//! names = { SessionManagerV2 = "SessionManager" }
//! ```
//!
//! ## Use instead
//! ```python
//! from app.core.session.core.session_manager import SessionManager
//! ```
//!
//! ## Fix
//! Not fixable automatically yet; the hint gives the replacement import.

use super::{context_note, CheckCode, CheckInfo, FileInput, Findings, FixAvailability};
use crate::diagnostic::{RuleRef, Severity};

pub(super) static INFO: CheckInfo = CheckInfo {
    code: "IG011",
    name: "deprecated-module",
    summary: "An import of a module that a `[[deprecated]]` entry retires",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("deprecated_module.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    for import in input.imports {
        let Some(qualified) = import.qualified.as_deref() else {
            continue;
        };
        let Some(entry) = input
            .config
            .deprecated
            .iter()
            .find(|entry| entry.module.pattern.matches(qualified))
        else {
            continue;
        };
        if entry.module.pattern.matches(&input.file.module) {
            continue;
        }
        let note = context_note(import.import);
        let module = import.module().unwrap_or(qualified);
        let message = match import.import.name.as_deref() {
            // `from old.module import Name`: the name comes from the retired module.
            Some(name) if entry.module.pattern.matches(module) => {
                format!("import of `{name}` from the deprecated module `{module}`{note}")
            }
            // `import old.module`, or `from parent import old_module`.
            _ => format!("import of the deprecated module `{qualified}`{note}"),
        };
        let mut hint = match &entry.replacement {
            Some(replacement) => format!("import from `{replacement}` instead"),
            None => "this module is retired; see the registry entry".to_string(),
        };
        if let Some(name) = import.import.name.as_deref() {
            if let Some((_, new)) = entry.names.iter().find(|(old, _)| old == name) {
                hint.push_str(&format!("; `{name}` is now `{new}`"));
            }
        }
        if let Some(extra) = &entry.hint {
            hint.push_str("; ");
            hint.push_str(extra);
        }
        let rule = RuleRef {
            id: entry.id.clone(),
            span: entry.module.span.clone(),
        };
        findings.diagnostics.push(input.import_diagnostic(
            CheckCode::DeprecatedModule,
            INFO.default_severity,
            import,
            message,
            Some(rule),
            Some(hint),
        ));
    }
}
