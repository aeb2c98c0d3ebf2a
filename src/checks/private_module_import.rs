//! ## What it does
//! Reports an import of a private module from outside its parent package, when a
//! `[[private-modules]]` rule covers the module. A module is private when the last segment of
//! its name starts with an underscore (`shop.orders._pricing`; dunder names such as
//! `__main__` are not private), and so is everything below it. A private module may be
//! imported by its parent package (`shop.orders`) and anything inside that package, however
//! deep; when several segments are private, the innermost decides. Top-level packages are
//! never private. This is import-linter's `private_modules` contract.
//!
//! The import counts for the module it loads: `from shop.orders import _pricing` when
//! `_pricing` is a submodule, `import shop.orders._pricing`, relative imports resolved. A
//! private *name* imported from a public module (`from shop.orders import _helper`) is no
//! module import and is not reported. Imports inside functions count; in test code the
//! rule's `tests` key decides (`allow` by default), inside `if TYPE_CHECKING:` its
//! `type-checking` key.
//!
//! Python only: Rust's privacy (`pub`, `pub(crate)`) is rustc's to check.
//!
//! ## Why is this bad?
//! The underscore is Python's way of saying "not part of this package's API". An import of
//! `_pricing` from another package ties that package to an implementation detail: the next
//! refactoring of `shop.orders` breaks it, and nobody reviewing `shop.orders` knows it is
//! used elsewhere.
//!
//! ## Example
//! ```python
//! # shop/billing/invoice.py
//! from shop.orders._pricing import total
//! ```
//! with
//! ```toml
//! [[private-modules]]
//! id = "private-modules"
//! packages = ["shop"]
//! ```
//!
//! ## Use instead
//! ```python
//! from shop.orders import total  # re-exported by shop/orders/__init__.py
//! ```
//!
//! ## Fix
//! Not fixable automatically: what the package should export is an API decision.

use super::{
    context_note, forbidden_import::is_exempt, import_severity, CheckCode, CheckInfo, FileInput,
    Findings, FixAvailability,
};
use crate::config::pattern::is_private_name;
use crate::diagnostic::{RuleRef, Severity};

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "An import of a private module (`_name`) from outside its parent package",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("private_module_import.rs"),
};

/// The package a private module may be imported from: the parent of the innermost private
/// segment of `module` (the top-level segment never counts). `None`: nothing is private.
pub fn private_parent(module: &str) -> Option<&str> {
    let mut end = module.len();
    while let Some(dot) = module[..end].rfind('.') {
        if is_private_name(&module[dot + 1..end]) {
            return Some(&module[..dot]);
        }
        end = dot;
    }
    None
}

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    let rules = &input.config.private_modules;
    if rules.is_empty() {
        return;
    }
    let importer = input.file.module.as_str();
    let order = input.index.order_of(input.file);
    for import in input.imports {
        let Some(target) = crate::project::edge_target(input.file, order, import, input.index)
        else {
            continue;
        };
        let Some(parent) = private_parent(target) else {
            continue;
        };
        let inside = importer == parent
            || importer
                .strip_prefix(parent)
                .is_some_and(|rest| rest.starts_with('.'));
        if inside {
            continue;
        }
        for rule in rules {
            let covered = rule.packages.is_empty()
                || rule
                    .packages
                    .iter()
                    .any(|package| package.pattern.matches(target));
            if !covered || is_exempt(input, order, import, &rule.ignore_imports) {
                continue;
            }
            let Some(severity) = import_severity(
                input,
                findings,
                &rule.id,
                (rule.production, rule.tests, rule.type_checking),
                import.import,
            ) else {
                continue;
            };
            let message = format!(
                "`{importer}` imports the private module `{target}` from outside its package \
                 `{parent}`{}",
                context_note(import.import),
            );
            let hint = rule.hint.clone().or_else(|| {
                Some(format!(
                    "import what `{parent}` exports instead, or make the module public"
                ))
            });
            findings.diagnostics.push(input.import_diagnostic(
                CheckCode::PrivateModuleImport,
                severity,
                import,
                message,
                Some(RuleRef {
                    id: rule.id.clone(),
                    span: rule.id_span.clone(),
                }),
                hint,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::private_parent;

    #[test]
    fn the_innermost_private_segment_decides() {
        assert_eq!(private_parent("shop.orders._pricing"), Some("shop.orders"));
        assert_eq!(
            private_parent("shop._orders._pricing.rates"),
            Some("shop._orders")
        );
        assert_eq!(private_parent("shop._orders.pricing"), Some("shop"));
        assert_eq!(private_parent("shop.orders.__main__"), None);
        assert_eq!(private_parent("_shop.orders"), None);
        assert_eq!(private_parent("shop"), None);
    }
}
