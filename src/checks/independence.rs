//! ## What it does
//! For an `[[independent]]` entry, reports a module of one of its `modules` that imports
//! another of them, directly or through other modules, with the file:line of every hop
//! (import-linter's independence contract). Every route is reported: each direct import on
//! its own line, each indirect route on its first import (the shortest route through it). Entries are modules (with
//! their submodules) or service names.
//!
//! The search runs on the production import graph; imports inside functions count,
//! `if TYPE_CHECKING:` imports only with `[graph] type-checking = true`.
//!
//! Rust modules are named Rust's way (`app_core::engine`); every `use` and path of
//! production code counts.
//!
//! ## Why is this bad?
//! Modules declared independent are meant to be developed, tested and deployed on their
//! own: plugins, tenants, feature packages. One import between them, even through a helper,
//! makes them one unit again.
//!
//! ## Example
//! ```toml
//! [[independent]]
//! id = "plugins"
//! modules = ["app.plugins.billing", "app.plugins.search"]
//! ```
//! `app/plugins/billing/hooks.py` imports `app.utils.index`, which imports
//! `app.plugins.search.client`.
//!
//! ## Use instead
//! Move what both need below them (into a module neither owns), or communicate through an
//! interface the host application provides.
//!
//! ## Fix
//! Not fixable automatically.

use super::{
    group_chains, severity_of, ChainReport, CheckCode, CheckInfo, FixAvailability, ProjectInput,
};
use crate::config::ModuleGroup;
use crate::diagnostic::{Diagnostic, RuleRef, Severity};

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "Modules declared independent import each other",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("independence.rs"),
};

pub(super) fn check(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for rule in &input.config.independent {
        let Some(severity) = severity_of(rule.treatment) else {
            continue;
        };
        let filter = input.chain_filter(false);
        let graph = input.rule_graph(filter, &rule.ignore_imports);
        for (index, group) in rule.groups.iter().enumerate() {
            let others: Vec<&ModuleGroup> = rule
                .groups
                .iter()
                .enumerate()
                .filter(|(other, _)| *other != index)
                .map(|(_, group)| group)
                .collect();
            for found in group_chains(&graph, group, &others) {
                let message = format!(
                    "`{}` and `{}` must be independent, but `{}` {}",
                    group.label, found.reached_group, found.from, found.how
                );
                diagnostics.extend(input.route_diagnostics(
                    &graph,
                    &found.chain,
                    filter,
                    ChainReport {
                        code: CheckCode::Independence,
                        severity,
                        rule: RuleRef {
                            id: rule.id.clone(),
                            span: group.span.clone(),
                        },
                        message,
                        hint: rule.hint.as_deref(),
                    },
                ));
            }
        }
    }
}
