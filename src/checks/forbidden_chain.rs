//! ## What it does
//! For a `[[boundary]]` with `transitive = true`, reports a module of `from` that reaches a
//! forbidden module through other modules: `backend.api` imports `shared.events`, which
//! imports `auth.core`. Every route is reported, on its first import (the shortest route
//! through that import), with every hop's file and line: a module that reaches the
//! forbidden area through two of its imports gets two. Direct imports are IG001's.
//!
//! Chains are searched on the first-party import graph of production code, built once per
//! run. Imports inside functions count (they run when called); `if TYPE_CHECKING:` imports
//! do not, unless `[graph] type-checking = true`. With `tests = "warn"` or `"error"` on the
//! boundary, test modules are searched from too. A chain never runs through another module
//! of `from` (that module's own, shorter chain is reported instead) and ends at the first
//! forbidden module.
//!
//! In Rust every `use` and path counts (Rust has no run-time import: nothing is lazy or
//! type-checking only), and a `pub use` is an import of the module it names.
//!
//! ## Why is this bad?
//! A service that reaches another's internals through a shared module is as coupled as one
//! that imports them directly: deploying it without the other still fails at start-up, as
//! in the incident of SCENARIOS.md, only one import further away.
//!
//! ## Example
//! ```python
//! # backend/api.py
//! from shared.events import publish      # shared/events.py: from auth.core import tokens
//! ```
//!
//! ## Use instead
//! Cut the chain where it enters the forbidden service: move what `shared.events` needs
//! from `auth.core` into `shared`, or invert the dependency.
//!
//! ## Fix
//! Not fixable automatically.

use super::{severity_of, ChainReport, CheckCode, CheckInfo, FixAvailability, ProjectInput};
use crate::config::Treatment;
use crate::diagnostic::{Diagnostic, RuleRef, Severity};
use crate::model::edge_flags;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "A boundary is broken through intermediate modules",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("forbidden_chain.rs"),
};

pub(super) fn check(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for boundary in input
        .config
        .boundaries
        .iter()
        .filter(|rule| rule.transitive)
    {
        let graph = input.rule_graph(
            input.chain_filter(boundary.tests != Treatment::Allow),
            &boundary.ignore_imports,
        );
        let as_packages = boundary.as_packages;
        let is_source = graph.mark(|module| {
            boundary
                .from
                .iter()
                .any(|pattern| pattern.covers(module, as_packages))
        });
        let is_target = graph.mark(|module| {
            boundary
                .forbid
                .iter()
                .any(|entry| entry.pattern.covers(module, as_packages))
                && !boundary
                    .allow
                    .iter()
                    .any(|entry| entry.pattern.covers(module, as_packages))
        });
        let may_pass: Vec<bool> = is_source
            .iter()
            .zip(&is_target)
            .map(|(source, target)| !source && !target)
            .collect();
        for chain in graph.routes_into(&is_source, &is_target, &may_pass, 2) {
            let first = graph.edges[chain[0]];
            // `allow-in` files are not governed: a chain from one is no violation.
            if boundary
                .allow_in
                .is_match(input.facts.text(first.witness.path))
            {
                continue;
            }
            let in_tests = first.witness.flags & edge_flags::TEST != 0;
            let treatment = if in_tests {
                boundary.tests
            } else {
                boundary.production
            };
            let Some(severity) = severity_of(treatment) else {
                continue;
            };
            let last = graph.edges[chain[chain.len() - 1]];
            let message = format!(
                "`{}` reaches `{}` through {} imports (boundary `{}` forbids it)",
                graph.names[first.from],
                graph.names[last.to],
                chain.len(),
                boundary.id
            );
            diagnostics.push(input.chain_diagnostic(
                &graph,
                &chain,
                ChainReport {
                    code: CheckCode::ForbiddenChain,
                    severity,
                    rule: RuleRef {
                        id: boundary.id.clone(),
                        span: boundary.id_span.clone(),
                    },
                    message,
                    hint: boundary.hint.as_deref(),
                },
            ));
        }
    }
}
