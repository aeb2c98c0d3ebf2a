//! ## What it does
//! Reports import cycles, each as its shortest cycle with the file:line of every import:
//! - between services (always, when the registry declares two or more services; declare
//!   `[[cycles]] between = "services"` to set its id, severity or hint): a module of `a`
//!   imports `b` and a module of `b` imports `a`;
//! - between the modules of a package, for each `[[cycles]] within = "pkg"`.
//!
//! Only module-level imports of production code count by default: an import inside a
//! function runs when it is called, after start-up, and cannot make a start-up cycle (set
//! `lazy = true` on the entry to count them). `if TYPE_CHECKING:` imports never run and
//! count only with `[graph] type-checking = true`. A group of modules that all reach each
//! other is reported once, with its shortest cycle through the module whose name sorts
//! first, and its size.
//!
//! In Rust, module cycles inside a crate compile and are common: they are reported only
//! for a `[[cycles]] within = "crate_name"` entry (a crate cannot depend on itself across
//! crates, which Cargo refuses already).
//!
//! ## Why is this bad?
//! A module-level cycle makes import order matter: whichever module is imported first sees
//! the other half-initialised (`ImportError: cannot import name ... (most likely due to a
//! circular import)`). Between services, a cycle means neither can be deployed, tested or
//! extracted without the other.
//!
//! ## Example
//! `billing/api.py` imports `orders.models`, and `orders/models.py` imports `billing.api`.
//!
//! ## Use instead
//! Move what both need into a third module that imports neither, or make one direction an
//! interface (a callback, an event, a protocol).
//!
//! ## Fix
//! Not fixable automatically.

use super::{severity_of, ChainReport, CheckCode, CheckInfo, FixAvailability, ProjectInput};
use crate::config::{CycleScope, Cycles};
use crate::diagnostic::{Diagnostic, RuleRef, Severity};
use crate::graph::{Digraph, EdgeFilter};

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "Modules or services import each other in a cycle",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("import_cycle.rs"),
};

pub(super) fn check(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for rule in &input.config.cycles {
        let Some(severity) = severity_of(rule.treatment) else {
            continue;
        };
        let filter = EdgeFilter {
            tests: input.config.graph_tests,
            type_checking: input.config.graph_type_checking,
            lazy: rule.lazy,
        };
        let exempt =
            |importer: &str, imported: &str| rule.ignore_imports.covers(importer, imported);
        let (graph, between) = match &rule.scope {
            CycleScope::Services => (
                Digraph::grouped_except(
                    input.facts,
                    filter,
                    |module| {
                        input
                            .config
                            .service_of(module)
                            .map(|service| service.name.clone())
                    },
                    exempt,
                ),
                "services".to_string(),
            ),
            CycleScope::Siblings {
                ancestor,
                depth,
                skip,
            } => {
                for package in sibling_packages(input, ancestor, *depth, skip) {
                    let prefix = format!("{package}.");
                    let graph = Digraph::grouped_except(
                        input.facts,
                        filter,
                        |module| child_below(&prefix, module),
                        exempt,
                    );
                    report_cycles(
                        input,
                        rule,
                        &graph,
                        &format!("children of `{package}`"),
                        severity,
                        diagnostics,
                    );
                }
                continue;
            }
            CycleScope::Within(package) => (
                Digraph::grouped_except(
                    input.facts,
                    filter,
                    |module| package.matches(module).then(|| module.to_string()),
                    exempt,
                ),
                format!("modules of `{}`", package.as_str()),
            ),
        };
        report_cycles(input, rule, &graph, &between, severity, diagnostics);
    }
}

/// The packages whose children a sibling-cycle rule checks: each package `ancestor` names,
/// and below each, every package down to `depth` levels, except below `skip` (import-linter's
/// `acyclic_siblings` recursion).
fn sibling_packages<'i>(
    input: &ProjectInput<'i>,
    ancestor: &crate::config::ModulePattern,
    depth: usize,
    skip: &[crate::config::ModulePattern],
) -> Vec<&'i str> {
    // Each module under its parent, once for the rule (grimp's `find_children`).
    let mut children_by_parent: std::collections::HashMap<&'i str, Vec<&'i str>> =
        std::collections::HashMap::new();
    for module in input.index.modules() {
        if let Some((parent, _)) = module.rsplit_once('.') {
            children_by_parent.entry(parent).or_default().push(module);
        }
    }
    let mut packages = Vec::new();
    let mut pending: Vec<(&'i str, usize)> = input
        .index
        .matching_whole(ancestor)
        .into_iter()
        .map(|package| (package, depth))
        .collect();
    while let Some((package, remaining)) = pending.pop() {
        let children = children_by_parent
            .get(package)
            .map_or(&[][..], Vec::as_slice);
        if children.len() >= 2 {
            packages.push(package);
        }
        if remaining > 0 {
            pending.extend(
                children
                    .iter()
                    .filter(|child| !skip.iter().any(|pattern| pattern.matches_whole(child)))
                    .map(|child| (*child, remaining - 1)),
            );
        }
    }
    packages.sort_unstable();
    packages.dedup();
    packages
}

/// The child of the package whose name is `prefix` without its dot that `module` is or is
/// below, standing for its descendants; `None` for a module outside the package.
fn child_below(prefix: &str, module: &str) -> Option<String> {
    let tail = module.strip_prefix(prefix)?;
    let child = tail.split('.').next().filter(|child| !child.is_empty())?;
    Some(format!("{prefix}{child}"))
}

fn report_cycles(
    input: &ProjectInput<'_>,
    rule: &Cycles,
    graph: &Digraph,
    between: &str,
    severity: Severity,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for component in graph.cyclic_components() {
        let mut members = vec![false; graph.len()];
        for &node in &component {
            members[node] = true;
        }
        let Some(cycle) = graph.shortest_cycle(component[0], &members) else {
            continue;
        };
        let mut message = format!("import cycle between {between}");
        if component.len() > cycle.len() {
            message.push_str(&format!(
                " ({} {between} reach each other; the shortest cycle through `{}`)",
                component.len(),
                graph.names[component[0]]
            ));
        }
        diagnostics.push(input.chain_diagnostic(
            graph,
            &cycle,
            ChainReport {
                code: CheckCode::ImportCycle,
                severity,
                rule: RuleRef {
                    id: rule.id.clone(),
                    span: rule.span.clone(),
                },
                message,
                hint: rule.hint.as_deref(),
            },
        ));
    }
}
