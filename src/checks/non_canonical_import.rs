//! ## What it does
//! Reports a registered symbol imported from a first-party module other than its canonical
//! one (`[[canonical]]` in the registry): `from X import SessionManager` where the registry
//! says `SessionManager` lives in `Y`. An import from one of the entry's `compatible`
//! modules is a warning; from any other first-party module, an error. Imports from
//! third-party modules, and the canonical module's own imports, are not concerned. `scope`
//! limits an entry to some importing modules.
//!
//! In Rust the same holds for a `use` or a path in code whose item is the symbol
//! (`use app::store::Document;`, `store::Document::new()`): `pub use` re-exports are
//! the `compatible` paths an entry declares (`compatible = ["app"]` for the crate
//! root's `pub use parse::Document;`). The fix rewrites a `use` leaf or a path whole, as
//! the importing crate spells the canonical module; a leaf of a group is left alone.
//!
//! ## Why is this bad?
//! When a symbol is defined or re-exported in several places, files import it from
//! whichever they find first. The copies drift apart, `isinstance` checks fail across them,
//! and a clean-up breaks the files that imported the copy. One import path per symbol, kept
//! by a tool rather than a Markdown document nobody enforces, prevents all of that.
//!
//! ## Example
//! ```python
//! from netra_backend.app.services.database.session_manager import SessionManager
//! ```
//! with
//! ```toml
//! [[canonical]]
//! symbol = "SessionManager"
//! module = "netra_backend.app.database.session_manager"
//! compatible = ["netra_backend.app.database"]
//! ```
//!
//! ## Use instead
//! ```python
//! from netra_backend.app.database.session_manager import SessionManager
//! ```
//!
//! ## Fix
//! Safe: `from X import SessionManager` becomes `from Y import SessionManager`; when the
//! statement imports other names too, it is split so that they stay where they were. An
//! alias (`as S`) is kept.

use super::edits::reimport;
use super::{severity_of, CheckCode, CheckInfo, FileInput, Findings, FixAvailability};
use crate::config::{Canonical, Treatment};
use crate::diagnostic::{Applicability, Fix, Requirement, RuleRef, Severity};
use crate::model::ImportKind;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "A registered symbol imported from a module other than its canonical one",
    fix: FixAvailability::Sometimes,
    default_severity: Severity::Error,
    source: include_str!("non_canonical_import.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    if input.config.canonical.is_empty() {
        return;
    }
    for import in input.imports {
        // Python: `from m import N`. Rust: a `use` or a path whose item is `N` in the
        // module it resolves to (`use app::store::Document;`, `store::Document::new()`).
        let rust = matches!(
            import.import.kind,
            ImportKind::Use | ImportKind::Path | ImportKind::BoundPath
        );
        let (Some(name), Some(module)) = (import.imported_name(), import.module()) else {
            continue;
        };
        let Some(entry) = governing_entry(input, name) else {
            continue;
        };
        if module == entry.module
            || input.file.module == entry.module
            || !input.index.is_first_party(module)
        {
            continue;
        }
        let compatible = entry
            .compatible
            .iter()
            .any(|compatible| compatible == module);
        let treatment = if compatible {
            Treatment::Warn
        } else {
            Treatment::Error
        };
        let Some(severity) = severity_of(treatment) else {
            continue;
        };
        let message = if compatible {
            format!(
                "`{name}` is imported from `{module}`, a compatibility path; its canonical module is `{}`",
                entry.module
            )
        } else {
            format!(
                "`{name}` is imported from `{module}`, not from its canonical module `{}`",
                entry.module
            )
        };
        let mut hint = if rust {
            format!("import it with `use {}::{name};`", entry.module)
        } else {
            format!("import it with `from {} import {name}`", entry.module)
        };
        if let Some(extra) = &entry.hint {
            hint.push_str("; ");
            hint.push_str(extra);
        }
        let rule = RuleRef {
            id: entry.id.clone(),
            span: entry.module_span.clone(),
        };
        let mut diagnostic = input.import_diagnostic(
            CheckCode::NonCanonicalImport,
            severity,
            import,
            message,
            Some(rule),
            Some(hint),
        );
        diagnostic.fix = reimport(input, import, &entry.module, None).map(|edits| Fix {
            applicability: Applicability::Safe,
            description: format!("import `{name}` from `{}`", entry.module),
            edits,
            requires: Some(Requirement::Name {
                module: entry.module.clone(),
                name: name.to_string(),
            }),
        });
        findings.diagnostics.push(diagnostic);
    }
}

/// The `[[canonical]]` entry for `symbol` whose scope covers the importing file.
fn governing_entry<'c>(input: &FileInput<'c>, symbol: &str) -> Option<&'c Canonical> {
    input.config.canonical.iter().find(|entry| {
        entry.symbol == symbol
            && (entry.scope.is_empty()
                || entry
                    .scope
                    .iter()
                    .any(|pattern| pattern.matches(&input.file.module)))
    })
}
