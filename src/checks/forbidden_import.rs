//! ## What it does
//! Reports an import that a `[[boundary]]` of the registry forbids: a module matched by
//! the boundary's `from` imports a module (or a name from a module) matched by its `forbid`
//! patterns and by none of its `allow` patterns. Every import form counts: `import a.b`,
//! `from a.b import c` (also multi-line and parenthesised), relative imports (resolved to
//! the absolute module first), imports inside functions, in `if TYPE_CHECKING:` blocks, in
//! `try/except ImportError`, and `importlib.import_module("a.b")` with a literal name.
//!
//! In test code the boundary's `tests` key decides: `allow` (the default) lets the import
//! through and counts it in the summary, `warn` reports a warning, `error` an error.
//! `type-checking` does the same for imports inside `if TYPE_CHECKING:`.
//!
//! In Rust the same rules match `use` declarations (each leaf of a tree), `extern crate`
//! items and paths in code that name another module (`app_core::internal::secret()`), by
//! what they resolve to: a path through a `use` binding (`eng::glue::stick()` after `use
//! app_core::engine as eng;`) or through a module re-exported under another name
//! (`core::hidden::secret()` where `hidden` is `pub use crate::internal as hidden;`) is the
//! module itself. An item re-exported by another module (`pub use internal::secret;`, then
//! `use app_core::secret;`) is an import of the re-exporting module, as `from pkg import
//! name` is in Python; `transitive = true` (IG002) follows it on. `#[cfg(test)]` items,
//! `#[test]` functions and the `tests`, `benches` and `examples` targets are test code.
//!
//! ## Why is this bad?
//! Services of a monorepo ship as separate containers. An import of another service's
//! internals works on a developer machine, where the whole repository is on `sys.path`,
//! and fails at start-up in the container that does not ship that service:
//! `ImportError: cannot import name 'SessionManager'`, and the environment is down.
//!
//! ## Example
//! ```python
//! # netra_backend/app/agents/triage.py
//! from auth_service.auth_core.core.session_manager import SessionManager
//! ```
//! with
//! ```toml
//! [[boundary]]
//! id = "backend-not-auth-internals"
//! from = ["netra_backend"]
//! forbid = ["auth_service"]
//! hint = "Go through netra_backend.app.auth_integration.auth"
//! ```
//!
//! ## Use instead
//! ```python
//! from netra_backend.app.auth_integration.auth import get_session_manager
//! ```
//!
//! ## Fix
//! Not fixable automatically: the replacement is an API decision. The boundary's `hint` is
//! shown with every violation.

use super::{
    context_note, describe_import, import_severity, CheckCode, CheckInfo, FileInput, Findings,
    FixAvailability,
};
use crate::config::Boundary;
use crate::diagnostic::{RuleRef, Severity};

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "An import that a `[[boundary]]` forbids",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("forbidden_import.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    let governing: Vec<&Boundary> = input
        .config
        .boundaries
        .iter()
        .filter(|boundary| governs(boundary, input.file))
        .collect();
    if governing.is_empty() {
        return;
    }
    let order = input.index.order_of(input.file);
    for import in input.imports {
        let Some(qualified) = import.qualified.as_deref() else {
            continue;
        };
        for boundary in &governing {
            if is_exempt(input, order, import, &boundary.ignore_imports) {
                continue;
            }
            // As packages, a pattern matches the dotted path the import brings in and
            // everything below it; as modules alone, the module the import loads.
            let names_target = |pattern: &crate::config::ModulePattern| {
                if boundary.as_packages {
                    pattern.matches(qualified)
                } else {
                    import_targets(input, order, import).any(|target| pattern.matches_whole(target))
                }
            };
            let Some(forbidding) = boundary
                .forbid
                .iter()
                .find(|entry| names_target(&entry.pattern))
            else {
                continue;
            };
            // Imports inside the forbidden area itself are that area's own business.
            if forbidding
                .pattern
                .covers(&input.file.module, boundary.as_packages)
                || boundary
                    .allow
                    .iter()
                    .any(|entry| names_target(&entry.pattern))
            {
                continue;
            }
            let Some(severity) = import_severity(
                input,
                findings,
                &boundary.id,
                (boundary.production, boundary.tests, boundary.type_checking),
                import.import,
            ) else {
                continue;
            };
            let importer = input.file.service.as_deref().unwrap_or(&input.file.module);
            let message = format!(
                "`{importer}` must not import {} (forbidden: `{}`){}",
                describe_import(import),
                forbidding.pattern,
                context_note(import.import),
            );
            let rule = RuleRef {
                id: boundary.id.clone(),
                span: forbidding.span.clone(),
            };
            findings.diagnostics.push(input.import_diagnostic(
                CheckCode::ForbiddenImport,
                severity,
                import,
                message,
                Some(rule),
                boundary.hint.clone(),
            ));
        }
    }
}

/// Whether `boundary` governs the imports of `file`: its module is in the boundary's
/// `from` (or its service is named there), and `allow-in` does not let its path off.
pub(crate) fn governs(boundary: &Boundary, file: &crate::model::SourceFile) -> bool {
    (boundary
        .from
        .iter()
        .any(|pattern| pattern.covers(&file.module, boundary.as_packages))
        || file
            .service
            .as_ref()
            .is_some_and(|service| boundary.from_services.contains(service)))
        && !boundary.allow_in.is_match(&file.relative)
}

/// Whether the rule's `ignore-imports` exempts the import: matched against the module it
/// makes a graph edge to, as import-linter matches its graph's imports; an import of a
/// module outside the tree, against its top-level package (grimp's external node) or its
/// full name.
pub(super) fn is_exempt(
    input: &FileInput<'_>,
    order: crate::resolve::SearchOrder,
    import: &crate::resolve::ResolvedImport<'_>,
    exempt: &crate::config::IgnoredImports,
) -> bool {
    if exempt.is_empty() {
        return false;
    }
    let importer = input.file.module.as_str();
    import_targets(input, order, import).any(|target| exempt.covers(importer, target))
}

/// The modules an import goes to, as import-linter's graph has it: the module it makes a
/// graph edge to, or for a module outside the tree its [`external_targets`].
fn import_targets<'r>(
    input: &FileInput<'_>,
    order: crate::resolve::SearchOrder,
    import: &'r crate::resolve::ResolvedImport<'_>,
) -> Box<dyn Iterator<Item = &'r str> + 'r> {
    match crate::project::edge_target(input.file, order, import, input.index) {
        Some(target) => Box::new(std::iter::once(target)),
        None => Box::new(external_targets(import)),
    }
}

/// The names an import of a module outside the tree goes by in `ignore-imports`: its
/// top-level package, the module, and the module plus the imported name.
pub(crate) fn external_targets<'r>(
    import: &'r crate::resolve::ResolvedImport<'_>,
) -> impl Iterator<Item = &'r str> {
    let module = import.module();
    let top_level = module.map(|module| module.split('.').next().unwrap_or(module));
    top_level
        .into_iter()
        .chain(module)
        .chain(import.qualified.as_deref())
}
