//! ## What it does
//! Verifies the registry against the tree: a `[[canonical]]` module that does not exist or
//! does not define (or re-export) its symbol, a `[[deprecated]]` replacement module that
//! does not exist, or a renamed symbol (`names`) the replacement does not define. The
//! diagnostic points at the value in rules.toml.
//!
//! ## Why is this bad?
//! A registry that names a module without the symbol sends every fix to a broken import:
//! the rewrite compiles in review and fails with `ImportError` when it runs.
//!
//! ## Example
//! ```toml
//! [[canonical]]
//! symbol = "SessionManager"
//! module = "netra_backend.app.database"     # defines no SessionManager
//! ```
//!
//! ## Use instead
//! ```toml
//! [[canonical]]
//! symbol = "SessionManager"
//! module = "netra_backend.app.database.session_manager"
//! ```
//!
//! ## Fix
//! Not fixable automatically: correct the registry.

use super::{CheckCode, CheckInfo, FixAvailability, ProjectInput};
use crate::diagnostic::{Diagnostic, RuleRef, Severity};
use crate::model::CodeContext;
use crate::project::NameLookup;
use crate::resolve::SearchOrder;
use std::ops::Range;

pub(super) static INFO: CheckInfo = CheckInfo {
    code: "IG013",
    name: "registry-error",
    summary: "The registry names a module or symbol that does not exist",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("registry_error.rs"),
};

pub(super) fn check(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let report = |diagnostics: &mut Vec<Diagnostic>,
                  id: &str,
                  span: &Range<usize>,
                  message: String,
                  hint: &str| {
        diagnostics.push(Diagnostic {
            rule: Some(RuleRef {
                id: id.to_string(),
                span: span.clone(),
            }),
            hint: Some(hint.to_string()),
            ..Diagnostic::new(
                CheckCode::RegistryError,
                Severity::Error,
                input.registry_path.clone(),
                input.registry_span(span.clone()),
                message,
                CodeContext::Production,
            )
        });
    };
    for entry in &input.config.canonical {
        if !input.index.exists(&entry.module) {
            report(
                diagnostics,
                &entry.id,
                &entry.module_span,
                format!(
                    "canonical module `{}` (for `{}`) does not exist",
                    entry.module, entry.symbol
                ),
                "name the module that defines the symbol",
            );
        } else if input.facts.lookup_name(
            input.index,
            &entry.module,
            &entry.symbol,
            SearchOrder::DEFAULT,
        ) == NameLookup::Missing
        {
            report(
                diagnostics,
                &entry.id,
                &entry.module_span,
                format!(
                    "canonical module `{}` does not define `{}`",
                    entry.module, entry.symbol
                ),
                "name the module that defines the symbol",
            );
        }
    }
    for entry in &input.config.deprecated {
        let Some(replacement) = &entry.replacement else {
            continue;
        };
        if !input.index.exists(replacement) {
            report(
                diagnostics,
                &entry.id,
                &entry.replacement_span,
                format!("replacement module `{replacement}` does not exist"),
                "name an existing module, or remove `replacement`",
            );
            continue;
        }
        for (old, new) in &entry.names {
            if input
                .facts
                .lookup_name(input.index, replacement, new, SearchOrder::DEFAULT)
                == NameLookup::Missing
            {
                report(
                    diagnostics,
                    &entry.id,
                    &entry.replacement_span,
                    format!("replacement module `{replacement}` does not define `{new}` (the new name of `{old}`)"),
                    "correct `names`, or define the name in the replacement module",
                );
            }
        }
    }
}
