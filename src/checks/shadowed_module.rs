//! ## What it does
//! Reports a Python file that Python can never import under its module name, because
//! something else wins the name in CPython's import order:
//! - in the same directory, a regular package `x/__init__.py` beats a compiled extension
//!   `x.*.so`, which beats a module `x.py`, which beats a namespace directory `x/` (so
//!   every file below a namespace directory `x/` is shadowed by `x.py` beside it);
//! - across python roots, the first root listed in `python-roots` wins (it is `sys.path`
//!   order): the same module, or the same package, in a later root is never loaded.
//!
//! A service whose python roots hold only its own code searches its roots first, as its
//! own `sys.path` does; see IG023 for module names that several services claim.
//!
//! The file's imports are still checked (it may be run as a script), but it adds nothing to
//! the import graph and what it binds never answers `from m import N`.
//!
//! In Rust: a `.rs` file of a package that no `mod` declaration of any of its targets
//! reaches (from `src/lib.rs`, `src/main.rs`, `src/bin/`, `tests/`, `benches/`, `examples/`
//! or a target's `path`): rustc never compiles it. Its paths are not checked against the
//! tree (what `crate` or `super` would mean there cannot be told); bans still apply.
//!
//! ## Why is this bad?
//! It is dead code that looks alive. A consolidation writes the new package
//! `app/core/exceptions/` and leaves the old `app/core/exceptions.py` beside it; people keep
//! editing the old file, and their changes never run. Names only the old file has fail with
//! `ImportError` at start-up.
//!
//! ## Example
//! ```text
//! app/core/exceptions.py          <- shadowed
//! app/core/exceptions/__init__.py <- what `import app.core.exceptions` loads
//! ```
//!
//! ## Use instead
//! Delete the shadowed file (move what it still has into the package), or rename it.
//!
//! ## Fix
//! Not fixable automatically: which file is right is a decision.

use super::{CheckCode, CheckInfo, FileInput, Findings, FixAvailability};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Span;
use crate::resolve::Shadowing;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "A file Python never imports under its name: a package or an earlier root wins",
    fix: FixAvailability::None,
    default_severity: Severity::Warning,
    source: include_str!("shadowed_module.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    let Some(shadowing) = input.index.shadowing(input.file) else {
        return;
    };
    let own = &input.file.module;
    let (message, winner) = match shadowing {
        Shadowing::By {
            module,
            winner,
            earlier_root,
        } => {
            let place = if earlier_root {
                "an earlier python root"
            } else {
                "the same directory"
            };
            let what = if module == *own {
                format!("`{own}`")
            } else {
                format!("`{own}` (its package `{module}`)")
            };
            (
                format!("Python never imports this file as {what}: it loads `{winner}` from {place}"),
                winner,
            )
        }
        Shadowing::NotAPackage { module, winner } => (
            format!(
                "Python never imports this file as `{own}`: `{module}` is the module `{winner}`, not a package"
            ),
            winner,
        ),
        Shadowing::NotCompiled { package } => {
            findings.diagnostics.push(Diagnostic {
                hint: Some(
                    "declare it with `mod name;` in the module it belongs to, or delete it"
                        .to_string(),
                ),
                ..input.diagnostic(
                    CheckCode::ShadowedModule,
                    Severity::Warning,
                    Span::FILE_START,
                    format!(
                        "no `mod` declaration of package `{package}` reaches this file: rustc never compiles it"
                    ),
                )
            });
            return;
        }
    };
    let hint = if winner.ends_with(".so") || winner.ends_with(".pyd") {
        format!(
            "`{winner}` is a compiled extension: when it is built from this file (mypyc, Cython), suppress this for the file; else delete the stale extension"
        )
    } else {
        format!("delete or rename this file, or move what it still has into `{winner}`")
    };
    findings.diagnostics.push(Diagnostic {
        hint: Some(hint),
        target: Some(own.clone()),
        ..input.diagnostic(
            CheckCode::ShadowedModule,
            Severity::Warning,
            Span::FILE_START,
            message,
        )
    });
}
