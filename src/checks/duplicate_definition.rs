//! ## What it does
//! Reports a registered symbol (a `[[canonical]]` entry) that is defined — as a class, a
//! function or an assignment at module level — in more than one production module, when at
//! least one of those modules is not a canonical module of the symbol. One diagnostic
//! lists every definition and points at the canonical one.
//!
//! With `[duplicates] symbols = "all-public"` it also lists, as warnings, every public
//! class and function name defined in two or more production modules: the candidates for
//! the next consolidation. `symbols = "off"` turns the check off. `ignore-names = ["Command",
//! "Migration"]` leaves names that a framework makes many modules define out of the
//! candidates (`*` matches any characters); a `[[canonical]]` symbol cannot be listed.
//!
//! In Rust the definitions are items at module level (`struct`, `enum`, `union`, `trait`,
//! `type`, `fn`, `const`, `static`) of production modules, inline modules' included,
//! across every crate of the tree; a `pub use` is a re-export, no definition.
//!
//! ## Why is this bad?
//! Three classes called `SessionManager` in three modules behave differently, and which one
//! a file gets depends on which import it copied. The registry names one; the others are
//! copies waiting to drift or to be imported by mistake.
//!
//! ## Example
//! ```python
//! # netra_backend/app/services/database/session_manager.py
//! class SessionManager: ...
//! # netra_backend/app/database/session_manager.py (canonical)
//! class SessionManager: ...
//! ```
//!
//! ## Use instead
//! Keep the canonical definition; make the other module import it (or delete it).
//!
//! ## Fix
//! Not fixable automatically.

use super::{CheckCode, CheckInfo, FixAvailability, ProjectInput};
use crate::config::DuplicateMode;
use crate::diagnostic::{Diagnostic, RuleRef, Severity};
use crate::model::CodeContext;
use crate::project::DefinitionSite;
use std::collections::{BTreeMap, BTreeSet};

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "A registered symbol defined in more than one production module",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("duplicate_definition.rs"),
};

/// A name defined in more than one production module.
#[derive(Debug, Clone)]
pub struct DuplicateGroup<'a> {
    /// The name.
    pub symbol: &'a str,
    /// Its definitions, by path and position.
    pub sites: Vec<&'a DefinitionSite>,
    /// The distinct defining modules.
    pub modules: BTreeSet<&'a str>,
    /// The `[[canonical]]` modules of the name (empty: unregistered).
    pub canonical_modules: Vec<&'a str>,
}

/// Every name defined in two or more production modules, by name; registered names whose
/// every definition is in one of their canonical modules are not duplicates.
pub fn duplicate_groups<'a>(
    config: &'a crate::config::Config,
    definitions: &'a [DefinitionSite],
) -> Vec<DuplicateGroup<'a>> {
    let mut by_symbol: BTreeMap<&str, Vec<&DefinitionSite>> = BTreeMap::new();
    for site in definitions {
        by_symbol.entry(&site.symbol).or_default().push(site);
    }
    let mut groups = Vec::new();
    for (symbol, mut sites) in by_symbol {
        if config
            .duplicate_ignore_names
            .iter()
            .any(|pattern| crate::config::name_matches(pattern, symbol))
        {
            continue;
        }
        sites.sort_by(|a, b| (&a.path, a.span.start).cmp(&(&b.path, b.span.start)));
        let modules: BTreeSet<&str> = sites.iter().map(|site| site.module.as_str()).collect();
        if modules.len() < 2 {
            continue;
        }
        let canonical_modules: Vec<&str> = config
            .canonical
            .iter()
            .filter(|entry| entry.symbol == symbol)
            .map(|entry| entry.module.as_str())
            .collect();
        if !canonical_modules.is_empty()
            && modules
                .iter()
                .all(|module| canonical_modules.contains(module))
        {
            continue;
        }
        groups.push(DuplicateGroup {
            symbol,
            sites,
            modules,
            canonical_modules,
        });
    }
    groups
}

pub(super) fn check(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    if input.config.duplicates == DuplicateMode::Off {
        return;
    }
    for group in duplicate_groups(input.config, &input.facts.definitions) {
        let DuplicateGroup {
            symbol,
            sites,
            modules,
            canonical_modules,
        } = group;
        // Definitions of every public name may have been collected for an audit; only
        // `all-public` mode reports the unregistered ones.
        if canonical_modules.is_empty() && input.config.duplicates != DuplicateMode::AllPublic {
            continue;
        }
        let entries: Vec<_> = input
            .config
            .canonical
            .iter()
            .filter(|entry| entry.symbol == symbol)
            .collect();
        let anchor = sites
            .iter()
            .find(|site| canonical_modules.contains(&site.module.as_str()))
            .unwrap_or(&sites[0]);
        let listed: Vec<String> = sites
            .iter()
            .map(|site| {
                let marker = if canonical_modules.contains(&site.module.as_str()) {
                    " (canonical)"
                } else {
                    ""
                };
                format!("{}:{}{marker}", site.path, site.span.line)
            })
            .collect();
        let (severity, rule, hint) = match entries.first() {
            Some(entry) => (
                Severity::Error,
                Some(RuleRef {
                    id: entry.id.clone(),
                    span: entry.module_span.clone(),
                }),
                format!(
                    "keep the definition in `{}` and import it from there in the other modules",
                    entry.module
                ),
            ),
            None => (
                Severity::Warning,
                None,
                format!("a candidate for consolidation: register one module for `{symbol}` as [[canonical]]"),
            ),
        };
        let message = format!(
            "`{symbol}` is defined in {} production modules: {}",
            modules.len(),
            listed.join(", ")
        );
        diagnostics.push(Diagnostic {
            rule,
            hint: Some(hint),
            target: Some(anchor.module.clone()),
            name_imported: Some(symbol.to_string()),
            ..Diagnostic::new(
                CheckCode::DuplicateDefinition,
                severity,
                anchor.path.clone(),
                anchor.span,
                message,
                CodeContext::Production,
            )
        });
    }
}
