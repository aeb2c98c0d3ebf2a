//! ## What it does
//! Reports every relative import (`from . import x`, `from ..pkg import y`, and
//! `importlib.import_module(".x", package=__package__)`) when the project bans them with
//! `ban-relative-imports = true` in `[settings]`. The message gives the absolute module the
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
//! Safe: the relative module is replaced by its absolute name (`from . import x` becomes
//! `from pkg import x`); the imported names, aliases and formatting stay. Imports that
//! Python rejects (above the top-level package) are left alone. Dynamic imports get an
//! unsafe fix.

use super::edits::{absolute_module, rewrite_applicability};
use super::{CheckCode, CheckInfo, FileInput, Findings, FixAvailability};
use crate::diagnostic::{Fix, Severity};
use crate::model::{Import, ImportKind};
use crate::resolve::Resolved;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "A relative import, when `ban-relative-imports` is set",
    fix: FixAvailability::Sometimes,
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
            // Rust's, never a relative Python import's.
            Resolved::UndeclaredCrate(_) | Resolved::Unknown => continue,
        };
        let mut diagnostic = input.import_diagnostic(
            CheckCode::RelativeImport,
            INFO.default_severity,
            import,
            message,
            None,
            hint,
        );
        if let Resolved::Module(module) = &import.resolved {
            diagnostic.fix = absolute_module(import.import, module).map(|edits| Fix {
                applicability: rewrite_applicability(import.import),
                description: format!("import `{module}` by its absolute name"),
                edits,
                requires: None,
            });
        }
        findings.diagnostics.push(diagnostic);
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
