//! ## What it does
//! Reports every relative import (`from . import x`, `from ..pkg import y`, and
//! `importlib.import_module(".x", package=__package__)`) when the project bans them with
//! `ban-relative-imports = true` in `[project]`. The message gives the absolute module the
//! import stands for, or says that it climbs above the top-level package (which Python
//! rejects at run time).
//!
//! ## Why is this bad?
//! Relative imports hide which package a module really depends on: boundaries, grep and
//! people reading the code see `..core` rather than `auth_service.auth_core.core`. They
//! also break when a module moves, and cannot be used in scripts run directly.
//!
//! ## Example
//! ```python
//! # netra_backend/app/agents/triage.py
//! from ..database.session_manager import SessionManager
//! ```
//!
//! ## Use instead
//! ```python
//! from netra_backend.app.database.session_manager import SessionManager
//! ```
//!
//! ## Fix
//! Not fixable automatically yet; the message names the absolute module to write.

use super::{CheckCode, CheckInfo, FileInput, Findings, FixAvailability};
use crate::diagnostic::Severity;
use crate::model::{Import, ImportKind};
use crate::resolve::Resolved;

pub(super) static INFO: CheckInfo = CheckInfo {
    code: "IG004",
    name: "relative-import",
    summary: "A relative import, when `ban-relative-imports` is set",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("relative_import.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    if !input.config.ban_relative_imports {
        return;
    }
    for import in input
        .imports
        .iter()
        .filter(|import| import.import.level > 0)
    {
        let statement = written_statement(import.import, &import.import.written_module());
        let (message, hint) = match &import.resolved {
            Resolved::Module(module) => (
                format!("relative import `{statement}`"),
                Some(format!(
                    "write `{}`",
                    written_statement(import.import, module)
                )),
            ),
            Resolved::BeyondTopLevel => (
                format!("relative import `{statement}` climbs above the top-level package"),
                Some(RUNTIME_ERROR_HINT.to_string()),
            ),
            Resolved::NoParentPackage => (
                format!("relative import `{statement}` in a file that is not inside a package"),
                Some(RUNTIME_ERROR_HINT.to_string()),
            ),
        };
        findings.diagnostics.push(input.import_diagnostic(
            CheckCode::RelativeImport,
            INFO.default_severity,
            import,
            message,
            None,
            hint,
        ));
    }
}

const RUNTIME_ERROR_HINT: &str =
    "Python raises ImportError here; import the module by its absolute name";

/// The import as a statement that imports from `module`: `from pkg import sub`, or the call
/// of a dynamic import.
fn written_statement(import: &Import, module: &str) -> String {
    match (import.kind, import.name.as_deref()) {
        (ImportKind::Dynamic, _) => format!("import_module(\"{module}\")"),
        (_, Some(name)) => {
            let alias = import
                .alias
                .as_deref()
                .map_or_else(String::new, |alias| format!(" as {alias}"));
            format!("from {module} import {name}{alias}")
        }
        (_, None) => format!("import {module}"),
    }
}
