//! ## What it does
//! Reports a first-party import whose module does not exist: no file, package or namespace
//! directory of that name below the python roots (ignored and excluded files, `.pyi` stubs
//! and compiled extensions count as existing). For `from m import n` the module is `m`;
//! whether `m` has `n` is IG021's business. A relative import that climbs above the
//! top-level package, or sits in a file outside any package, is reported too. The hint
//! suggests existing modules with the same last name, where a moved module most likely
//! went.
//!
//! In Rust: a path whose first segment is no crate the file's crate depends on (its
//! `[dependencies]`, renames included, its own package's library, the sysroot crates)
//! and nothing in scope binds — rustc's E0432/E0433. A module with glob imports may bind
//! the segment through one of them: it is reported only when none does (a glob from
//! outside the tree, or from a module with names syn cannot see, leaves it unknown).
//! `super` climbing above the crate root, and a `mod` whose file is missing (E0583) or
//! ambiguous (E0761), are reported too.
//!
//! Imports guarded by `try: ... except ImportError:` (or `contextlib.suppress`) are
//! optional by design and not reported; `--strict-guarded` reports them as warnings.
//! Imports inside `if TYPE_CHECKING:` are checked like any other.
//!
//! ## Why is this bad?
//! The import fails with `ModuleNotFoundError` the first time the code path runs: at
//! start-up for a module-level import, in production for a lazy one. Automated import
//! rewrites leave hundreds of these behind in large repositories.
//!
//! ## Example
//! ```python
//! from pkg.app.stdio_client import StdioClient
//! ```
//! where the module lives at `pkg/app/mcp_client/transports/stdio_client.py`.
//!
//! ## Use instead
//! ```python
//! from pkg.app.mcp_client.transports.stdio_client import StdioClient
//! ```
//!
//! ## Fix
//! Not fixable automatically: the right module is a decision. The hint lists candidates.

use super::{
    context_note, CheckCode, CheckInfo, FileInput, Findings, FixAvailability, ProjectInput,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::NameLookup;
use crate::resolve::Resolved;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "A first-party import whose module does not exist",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("unresolved_module.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    let order = input.index.order_of(input.file);
    // The leaves of one `use` tree (`use gone::{a, b};`) share the undeclared crate and
    // the span: one report.
    let mut undeclared: std::collections::HashSet<(u32, &str)> = std::collections::HashSet::new();
    for import in input.imports {
        let severity = match (import.import.context.guarded, input.strict_guarded) {
            (false, _) => Severity::Error,
            (true, true) => Severity::Warning,
            (true, false) => continue,
        };
        // Decide first, allocate only for what is reported. A first segment a glob
        // import may bind is decided once every module's names are known.
        if import.resolved == Resolved::Unknown || import.import.context.glob_may_declare {
            continue;
        }
        if let Resolved::UndeclaredCrate(name) = &import.resolved {
            if !undeclared.insert((import.import.span.start, name)) {
                continue;
            }
        }
        if let Resolved::Module(module) = &import.resolved {
            if !input.index.is_first_party_in(module, order)
                || input.index.locate(module, order).exists()
            {
                continue;
            }
        }
        let note = context_note(import.import);
        let rust = import.import.kind.language() == crate::model::Language::Rust;
        let written = match (rust, import.import.name.as_deref()) {
            (true, Some(name)) => format!("{}::{name}", import.import.module),
            _ => import.import.written_module(),
        };
        let (message, hint) = match &import.resolved {
            Resolved::Module(module) => {
                let suggestions = input.index.suggestions(module);
                let mut hint = match suggestions.as_slice() {
                    [] => None,
                    [one] => Some(format!("did you mean `{one}`?")),
                    several => Some(format!(
                        "did you mean one of {}?",
                        several
                            .iter()
                            .map(|candidate| format!("`{candidate}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                // A test directory under a python root can make a third-party name
                // first-party: say so, or the report reads as nonsense.
                if let Some(why) = input.index.first_party_surprise(module) {
                    hint = Some(match hint {
                        Some(hint) => format!("{why}; {hint}"),
                        None => why,
                    });
                }
                (format!("module `{module}` does not exist{note}"), hint)
            }
            Resolved::BeyondTopLevel if rust => (
                format!("`super` in `{written}` climbs above the crate root{note}"),
                Some("rustc rejects it (E0433: too many leading `super` keywords)".to_string()),
            ),
            Resolved::BeyondTopLevel => (
                format!("relative import of `{written}` climbs above the top-level package{note}"),
                Some("Python raises ImportError here".to_string()),
            ),
            Resolved::Unknown => continue,
            Resolved::UndeclaredCrate(name) => undeclared_crate(name, &note),
            Resolved::NoParentPackage => (
                format!(
                    "relative import of `{written}` in a file that is not inside a package{note}"
                ),
                Some("Python raises ImportError here".to_string()),
            ),
        };
        findings.diagnostics.push(input.import_diagnostic(
            CheckCode::UnresolvedModule,
            severity,
            import,
            message,
            None,
            hint,
        ));
    }
}

/// The message and hint for a path whose first segment names nothing.
fn undeclared_crate(name: &str, note: &str) -> (String, Option<String>) {
    (
        format!("`{name}` is neither a crate this crate depends on nor a module in scope{note}"),
        Some(format!(
            "rustc rejects it (E0433); add `{name}` to the package's [dependencies], or write the path from `crate::`"
        )),
    )
}

/// Rust paths whose first segment names no crate, written in a module with glob imports:
/// undeclared when none of those globs binds the segment either (a glob from outside the
/// tree, or from a module whose names cannot be known, leaves it unknown).
pub(super) fn check_project(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let facts = input.facts;
    let mut reported = std::collections::HashSet::new();
    for (import, lookup) in facts.undeclared_unless_glob(input.index) {
        if lookup != NameLookup::Missing
            || !reported.insert((
                facts.path_of(import),
                import.span.start,
                facts.name_of(import),
            ))
        {
            continue;
        }
        let severity = match (import.guarded, input.strict_guarded) {
            (false, _) => Severity::Error,
            (true, true) => Severity::Warning,
            (true, false) => continue,
        };
        let name = facts.name_of(import);
        let (message, hint) = undeclared_crate(name, "");
        // Named as the file-wide check names them: the path's module, its last segment.
        let written = facts.written_of(import);
        let (target, last) = crate::model::split_last_segment(written).unwrap_or((written, ""));
        diagnostics.push(Diagnostic {
            hint,
            target: Some(target.to_string()),
            name_imported: (!last.is_empty()).then(|| last.to_string()),
            statement_line: Some(import.statement_line),
            ..Diagnostic::new(
                CheckCode::UnresolvedModule,
                severity,
                facts.path_of(import).to_string(),
                import.span,
                message,
                import.context,
            )
        });
    }
}
