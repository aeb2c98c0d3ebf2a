//! ## What it does
//! Reports an import of a module name that files of different services claim, from a file
//! whose service cannot be told: the classic case is every service having its own top-level
//! `tests` package (`svc_a/tests/helpers.py` and `svc_b/tests/helpers.py` are both
//! `tests.helpers`, each python root holding one service's code).
//!
//! In each service's container only its own files exist, so importgate resolves an import
//! from a file of service A against A's python roots first, as A's `sys.path` would (a
//! root holds a service's code when every file of a service below it is that service's; a
//! file belongs to a service through the service's `modules` or `paths`). A file of no
//! service in a shared root — a top-level `conftest.py`, a tool — gets a different module
//! depending on which service runs it: that is reported here, with the file each service
//! would load.
//!
//! In Rust: two packages of the tree whose libraries have one name (two versions of a
//! vendored crate, say). A path starting with that name cannot be told to be either's, so
//! paths into it are not checked; the diagnostic is on the second package's manifest.
//!
//! ## Why is this bad?
//! The import works or fails, and loads one file or another, depending on where it runs:
//! the test helper that one service's CI finds is not the one another's finds, and a
//! linter that picks one answer is silently wrong about the other.
//!
//! ## Example
//! ```text
//! conftest.py          from tests.helpers import make_user   <- which tests?
//! svc_a/tests/helpers.py
//! svc_b/tests/helpers.py
//! ```
//!
//! ## Use instead
//! Put the file in a service (`paths = ["svc_a/**"]` on its `[[service]]`), or give the
//! packages distinct names (`svc_a_tests`, `svc_b_tests`).
//!
//! ## Fix
//! Not fixable automatically.

use super::{context_note, CheckCode, CheckInfo, FileInput, Findings, FixAvailability};
use crate::diagnostic::Severity;
use crate::model::ImportKind;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary:
        "An import of a module that different services' files claim, from a file of no service",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("module_collision.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    let order = input.index.order_of(input.file);
    if !input.index.collisions_possible(order) {
        return;
    }
    for import in input.imports {
        let Some(module) = import.module() else {
            continue;
        };
        if !input.index.is_first_party(module) {
            continue;
        }
        // `from tests import helpers` loads the submodule `tests.helpers` when it is one.
        let candidates = [
            Some(module),
            import
                .qualified
                .as_deref()
                .filter(|_| import.import.kind == ImportKind::From),
        ];
        let Some((claimed, collision)) = candidates
            .into_iter()
            .flatten()
            .find_map(|candidate| Some((candidate, input.index.collision(candidate, order)?)))
        else {
            continue;
        };
        let claims: Vec<String> = collision
            .claims
            .iter()
            .map(|(service, path)| format!("`{path}` for `{service}`"))
            .collect();
        let note = context_note(import.import);
        findings.diagnostics.push(input.import_diagnostic(
            CheckCode::ModuleCollision,
            Severity::Error,
            import,
            format!(
                "`{claimed}` is a different file in each service ({}), and this file belongs to no service{note}",
                claims.join(", ")
            ),
            None,
            Some(
                "add the file to a service (`paths` on its [[service]]), or give the packages distinct names"
                    .to_string(),
            ),
        ));
    }
}
