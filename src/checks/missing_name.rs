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
//! In Rust, a path into one of the tree's crates (`use app_core::engine::Missing;`,
//! `app_core::engine::gone()`, `eng::gone()` after `use app_core::engine as eng;`) must
//! name something at each segment, as rustc's E0432/E0425/E0412 say: an item, a `use`
//! binding or re-export, a module (its own, or one a `pub use` or a glob import brings,
//! followed to where it is). A path ends well at an item — what follows (an enum's
//! variant, an associated function) is the item's own and not checked — or at a macro.
//! A module with item-level macro invocations has names syn cannot see, as a module with
//! `__getattr__` has. What a `use` binding names is reported at the `use` only, not at
//! every path through it.
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
use std::collections::HashSet;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "`from m import N` where first-party `m` binds no `N`",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("missing_name.rs"),
};

pub(super) fn check(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let facts = input.facts;
    let mut missing = Vec::new();
    let lookups = facts.name_import_lookups(input.index);
    for (import, answer) in facts.name_imports().iter().zip(lookups) {
        let severity = match (import.guarded, input.strict_guarded) {
            (false, _) => Severity::Error,
            (true, true) => Severity::Warning,
            (true, false) => continue,
        };
        if answer == NameLookup::Missing {
            missing.push((import, severity));
        }
    }
    if missing.is_empty() {
        return;
    }
    // Where each path fails: its name in its module, or (Rust) a segment after it.
    let missing: Vec<_> = missing
        .into_iter()
        .map(|(import, severity)| (import, severity, facts.missing_at(input.index, import)))
        .collect();
    let names: HashSet<&str> = missing.iter().map(|(_, _, (_, name))| *name).collect();
    let definers = facts.modules_defining(&names);
    for (import, severity, (module, name)) in &missing {
        let (module, name, severity) = (module.as_str(), *name, *severity);
        // A name only a shadowed file of the same module defines: the consolidation left it
        // in the file Python never loads.
        let shadowed = facts.shadowed_definer(module, name).map(|path| {
            let loaded = input
                .index
                .file_of(module, import.order)
                .map(|winner| format!(", which Python never loads (it loads `{winner}`)"))
                .unwrap_or_default();
            format!("`{name}` is defined only in `{path}`{loaded}")
        });
        let hint = shadowed.or_else(|| {
            definers.get(name).map(|modules| {
                let listed: Vec<String> = modules
                    .iter()
                    .take(3)
                    .map(|module| format!("`{module}`"))
                    .collect();
                format!("`{name}` is defined in {}", listed.join(", "))
            })
        });
        diagnostics.push(Diagnostic {
            hint,
            target: Some(module.to_string()),
            name_imported: Some(name.to_string()),
            statement_line: Some(import.statement_line),
            ..Diagnostic::new(
                CheckCode::MissingName,
                severity,
                facts.path_of(import).to_string(),
                import.span,
                format!("`{name}` is not defined in `{module}`"),
                import.context,
            )
        });
    }
}
