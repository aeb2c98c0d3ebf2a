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
//! Safe, when the entry has a `replacement` and the import names the deprecated module
//! itself: the module is rewritten, and a renamed symbol is imported under its new name
//! with its old name as alias (`from new import SessionManager as SessionManagerV2`), so
//! every use stays valid. The fix is applied only when the replacement provides the name
//! (dropped when it certainly does not, unsafe when that cannot be known). `from old import
//! *` and `import old.module as alias` are safe only when every name they reach in the old
//! module (its star exports; every name it binds) is provided by the replacement under the
//! same name; otherwise, or when `names` renames any, or when that cannot be known (the old
//! module is a package, or its names are dynamic), the fix is unsafe. `import old.module`
//! without an alias is left to the hint (its uses spell the old path), as are imports of a
//! submodule of the deprecated module. Dynamic imports get an unsafe fix.
//!
//! Rust: a `use` leaf of the deprecated module becomes one of the replacement, spelled as
//! the importing crate spells it (`crate::` inside its own crate, a renamed dependency's
//! name elsewhere), a renamed item aliased to its old name (`use lib::parse::new_fn as
//! old_fn;`); a path in code is rewritten whole (`lib::parse::new_fn()`). A leaf of a group
//! (`use lib::{legacy::f, parse};`), a path with generic arguments, and a crate of the 2015
//! edition are left to the hint.

use super::edits::{reimport, rewrite_applicability};
use super::{context_note, CheckCode, CheckInfo, FileInput, Findings, FixAvailability};
use crate::diagnostic::{Applicability, Fix, Requirement, RuleRef, Severity};
use crate::model::ImportKind;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "An import of a module that a `[[deprecated]]` entry retires",
    fix: FixAvailability::Sometimes,
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
        let mut diagnostic = input.import_diagnostic(
            CheckCode::DeprecatedModule,
            INFO.default_severity,
            import,
            message,
            Some(rule),
            Some(hint),
        );
        // One-to-one only: the import names the deprecated module itself.
        let names_the_module = match import.import.kind {
            ImportKind::From | ImportKind::Use | ImportKind::Path | ImportKind::BoundPath => {
                import.module() == Some(entry.module.pattern.as_str())
            }
            ImportKind::Import | ImportKind::Dynamic | ImportKind::ExternCrate => {
                qualified == entry.module.pattern.as_str()
            }
        };
        if let (Some(replacement), true) = (&entry.replacement, names_the_module) {
            let new_name = import.import.name.as_deref().and_then(|name| {
                entry
                    .names
                    .iter()
                    .find(|(old, _)| old == name)
                    .map(|(_, new)| new.as_str())
            });
            let requires = match import.import.name.as_deref() {
                Some("*") => Requirement::SameNames {
                    from: entry.module.pattern.as_str().to_string(),
                    to: replacement.clone(),
                    star: true,
                },
                Some(name) => Requirement::Name {
                    module: replacement.clone(),
                    name: new_name.unwrap_or(name).to_string(),
                },
                // `import old.module as alias`: every `alias.NAME` must still resolve.
                None => Requirement::SameNames {
                    from: entry.module.pattern.as_str().to_string(),
                    to: replacement.clone(),
                    star: false,
                },
            };
            // A star or module import reaches the renamed names under their old names,
            // which the replacement does not have.
            let reaches_renamed =
                matches!(requires, Requirement::SameNames { .. }) && !entry.names.is_empty();
            diagnostic.fix = reimport(input, import, replacement, new_name).map(|edits| Fix {
                applicability: if reaches_renamed {
                    Applicability::Unsafe
                } else {
                    rewrite_applicability(import.import)
                },
                description: format!("import from `{replacement}`"),
                edits,
                requires: Some(requires),
            });
        }
        findings.diagnostics.push(diagnostic);
    }
}
