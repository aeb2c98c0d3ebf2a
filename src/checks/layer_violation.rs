//! ## What it does
//! For a `[[layers]]` entry, reports a module of a lower layer that imports a module of a
//! higher one, directly or (unless `transitive = false`) through other modules, with the
//! file:line of every hop: import-linter's layers contract. Every route is reported: each
//! direct import on its own line, each indirect route on its first import (the shortest
//! route through that import into each layer it reaches). Layers are listed highest first;
//! a higher layer may import any lower one.
//!
//! A layer may hold siblings: `"a | b"` are independent (they must not import each other
//! either), `"a : b"` may import each other. With `containers = ["pkg"]`, the layers are
//! module names below each container (`pkg.api`, `pkg.services`, ...); without, they are
//! full module names or service names.
//!
//! The search runs on the production import graph; imports inside functions count,
//! `if TYPE_CHECKING:` imports only with `[graph] type-checking = true`.
//!
//! Rust modules are named Rust's way (`layers = ["app_core::engine", "api"]`, or
//! `containers = ["app_core"]` with `layers = ["engine", "platform"]`: a container is joined
//! with `::` when only Rust is checked); every `use` and path of production code counts.
//!
//! ## Why is this bad?
//! Layering keeps the low levels reusable and testable: a model that imports a view, or a
//! repository that imports an HTTP handler, ties the bottom of the stack to the top and
//! usually ends in an import cycle.
//!
//! ## Example
//! ```toml
//! [[layers]]
//! id = "app-layers"
//! containers = ["app"]
//! layers = ["api", "services", "models"]
//! ```
//! `app/models/order.py` imports `app.api.schemas`.
//!
//! ## Use instead
//! Move the shared piece down to the lowest layer that needs it, or pass it in from above
//! (dependency injection).
//!
//! ## Fix
//! Not fixable automatically.

use super::{
    group_chains, severity_of, ChainReport, CheckCode, CheckInfo, FixAvailability, ProjectInput,
};
use crate::config::{Layer, Layers, ModuleGroup};
use crate::diagnostic::{Diagnostic, RuleRef, Severity};
use crate::graph::{Digraph, EdgeFilter};

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "A lower layer imports a higher one",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("layer_violation.rs"),
};

pub(super) fn check(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for rule in &input.config.layers {
        let Some(severity) = severity_of(rule.treatment) else {
            continue;
        };
        if let Some(ignored) = &rule.exhaustive {
            unlisted_children(input, rule, ignored, severity, diagnostics);
        }
        let filter = input.chain_filter(false);
        let graph = input.rule_graph(filter, &rule.ignore_imports);
        for stack in &rule.stacks {
            for (level, layer) in stack.iter().enumerate() {
                // Upward: from this layer into any layer above it.
                let above = &stack[..level];
                for sibling in &layer.siblings {
                    let targets: Vec<&ModuleGroup> =
                        above.iter().flat_map(|layer| &layer.siblings).collect();
                    report(
                        input,
                        (&graph, filter),
                        rule,
                        (sibling, &targets),
                        severity,
                        "above it",
                        diagnostics,
                    );
                }
                if layer.independent {
                    independent_siblings(
                        input,
                        (&graph, filter),
                        rule,
                        layer,
                        severity,
                        diagnostics,
                    );
                }
            }
        }
    }
}

/// `exhaustive = true`: every direct child of each container is on some layer, unless
/// `exhaustive-ignores` names it (import-linter's exhaustive layers).
fn unlisted_children(
    input: &ProjectInput<'_>,
    rule: &Layers,
    ignored: &[String],
    severity: Severity,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for ((container, span), stack) in rule.containers.iter().zip(&rule.stacks) {
        let mut children: Vec<(&str, &str)> = input
            .index
            .modules()
            .filter_map(|module| {
                let tail = crate::model::child_name(module, container)?;
                Some((module, tail))
            })
            .collect();
        children.sort_unstable();
        for (child, tail) in children {
            let listed = stack
                .iter()
                .flat_map(|layer| &layer.siblings)
                .any(|group| group.contains(child));
            if listed || ignored.iter().any(|name| name == tail) {
                continue;
            }
            diagnostics.push(input.registry_diagnostic(
                CheckCode::LayerViolation,
                severity,
                &rule.id,
                span,
                format!(
                    "`{child}` is a child of container `{container}` on no layer of `{}` (`exhaustive = true`)",
                    rule.id
                ),
                "put it on a layer, or name it in `exhaustive-ignores`",
            ));
        }
    }
}

/// Siblings written `a | b` must not import each other.
fn independent_siblings(
    input: &ProjectInput<'_>,
    graph: (&Digraph, EdgeFilter),
    rule: &Layers,
    layer: &Layer,
    severity: Severity,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (index, sibling) in layer.siblings.iter().enumerate() {
        let others: Vec<&ModuleGroup> = layer
            .siblings
            .iter()
            .enumerate()
            .filter(|(other, _)| *other != index)
            .map(|(_, group)| group)
            .collect();
        report(
            input,
            graph,
            rule,
            (sibling, &others),
            severity,
            "an independent sibling on its layer",
            diagnostics,
        );
    }
}

/// Reports the routes from `from` into `targets` (`rule.transitive = false`: direct
/// imports only).
fn report(
    input: &ProjectInput<'_>,
    (graph, filter): (&Digraph, EdgeFilter),
    rule: &Layers,
    (from, targets): (&ModuleGroup, &[&ModuleGroup]),
    severity: Severity,
    where_target_is: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for found in group_chains(graph, from, targets) {
        if !rule.transitive && found.chain.len() > 1 {
            continue;
        }
        let message = format!(
            "`{}` (layer `{}`) {} (layer `{}`, {where_target_is})",
            found.from, from.label, found.how, found.reached_group
        );
        diagnostics.extend(input.route_diagnostics(
            graph,
            &found.chain,
            filter,
            ChainReport {
                code: CheckCode::LayerViolation,
                severity,
                rule: RuleRef {
                    id: rule.id.clone(),
                    span: from.span.clone(),
                },
                message,
                hint: rule.hint.as_deref(),
            },
        ));
    }
}
