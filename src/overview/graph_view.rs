//! The dependency graph as people look at it (`importgate graph`, the audit's service
//! graph): modules grouped into services or packages, each edge labelled with its import
//! count and the violations it carries, optionally cut down to one neighbourhood.

use crate::codes::CheckCode;
use crate::config::{Config, ModulePattern};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Outcome;
use crate::graph::{Digraph, EdgeFilter};
use crate::project::ProjectFacts;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// What a node of the graph is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A `[[service]]` of the registry (modules of no service are left out).
    Service,
    /// A package: a module's package, or the module itself when it is a package.
    Package,
    /// A module.
    Module,
}

impl Level {
    /// The group a module belongs to at this level.
    pub fn group_of(self, config: &Config, facts: &ProjectFacts, module: &str) -> Option<String> {
        match self {
            Level::Service => config
                .service_of(module)
                .map(|service| service.name.clone()),
            Level::Package if facts.is_package(module) => Some(module.to_string()),
            Level::Package => Some(match crate::model::split_last_segment(module) {
                Some((package, _)) => package.to_string(),
                // A top-level module that is no package stands for itself.
                None => module.to_string(),
            }),
            Level::Module => Some(module.to_string()),
        }
    }
}

/// The checks whose findings say an import should not be there (boundaries, bans,
/// retired modules, chains, cycles, layers): the edges of their imports are highlighted.
/// Findings about how an import is spelled (IG004, IG010) are not.
const DEPENDENCY_CHECKS: [CheckCode; 7] = [
    CheckCode::ForbiddenImport,
    CheckCode::BannedApi,
    CheckCode::DeprecatedModule,
    CheckCode::ForbiddenChain,
    CheckCode::ImportCycle,
    CheckCode::LayerViolation,
    CheckCode::Independence,
];

/// A graph to draw.
#[derive(Debug, Serialize)]
pub struct GraphView {
    /// What the nodes are.
    pub level: Level,
    /// The `--focus` it was limited to.
    pub focus: Option<String>,
    /// The nodes, sorted by name.
    pub nodes: Vec<ViewNode>,
    /// The edges, sorted by (from, to).
    pub edges: Vec<ViewEdge>,
}

/// One node.
#[derive(Debug, Serialize)]
pub struct ViewNode {
    /// Service, package or module name.
    pub name: String,
    /// Whether `--focus` named it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub focused: bool,
    /// The service a package or module belongs to (none at service level, or when no
    /// `[[service]]` owns it): DOT draws each service's nodes in a cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// One edge: the imports from one node into another.
#[derive(Debug, Serialize)]
pub struct ViewEdge {
    /// Index of the importing node.
    pub from: usize,
    /// Index of the imported node.
    pub to: usize,
    /// How many imports.
    pub imports: usize,
    /// The first of them, `path:line`.
    pub first_import: String,
    /// The dependency violations among them, by check and rule.
    pub violations: Vec<EdgeViolation>,
}

impl ViewEdge {
    /// The worst severity of its violations.
    pub fn worst(&self) -> Option<Severity> {
        self.violations
            .iter()
            .map(|violation| violation.severity)
            .max()
    }
}

/// The violations of one check and rule on one edge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EdgeViolation {
    /// The check code.
    pub code: &'static str,
    /// The registry rule.
    pub rule: Option<String>,
    /// Error or warning.
    pub severity: Severity,
    /// How many diagnostics.
    pub count: usize,
}

/// Why a graph cannot be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// `--focus` names nothing in the graph.
    #[error("`{0}` names no {1} of the graph (nor a module in one)")]
    UnknownFocus(String, &'static str),
    /// `--level service` without services.
    #[error("rules.toml declares no [[service]]: use --level package or --level module")]
    NoServices,
}

/// What to draw.
#[derive(Clone, Debug)]
pub struct ViewOptions {
    /// Nodes are services, packages or modules.
    pub level: Level,
    /// Limit to the neighbourhood of this module, package or service.
    pub focus: Option<String>,
    /// How many imports away from the focus the neighbourhood reaches.
    pub depth: usize,
    /// Which imports count.
    pub filter: EdgeFilter,
}

/// Builds the view of an outcome (of a whole-tree run).
pub fn build(
    config: &Config,
    outcome: &Outcome,
    options: &ViewOptions,
) -> Result<GraphView, ViewError> {
    let level = options.level;
    if level == Level::Service && config.services.is_empty() {
        return Err(ViewError::NoServices);
    }
    let facts = &outcome.project;
    let group_of = |module: &str| level.group_of(config, facts, module);
    let mut graph = Digraph::grouped(facts, options.filter, group_of);
    if level == Level::Service {
        // Every service is drawn, also one that imports nothing and is imported by none.
        let mut names = graph.names.clone();
        names.extend(config.services.iter().map(|service| service.name.clone()));
        names.sort();
        names.dedup();
        if names.len() != graph.names.len() {
            let edges = std::mem::take(&mut graph.edges)
                .into_iter()
                .map(|mut edge| {
                    edge.from = position(&names, &graph.names[edge.from]);
                    edge.to = position(&names, &graph.names[edge.to]);
                    edge
                })
                .collect();
            graph = Digraph::from_parts(names, edges);
        }
    }
    let violations = edge_violations(
        &graph,
        facts,
        options.filter,
        &outcome.diagnostics,
        group_of,
    );
    let (kept, focused) = match &options.focus {
        Some(focus) => {
            let focused = focus_nodes(&graph, focus, level.group_of(config, facts, focus))
                .ok_or_else(|| ViewError::UnknownFocus(focus.clone(), level_noun(level)))?;
            (neighbourhood(&graph, &focused, options.depth), focused)
        }
        None => (vec![true; graph.len()], vec![false; graph.len()]),
    };
    let mut renumber = vec![usize::MAX; graph.len()];
    let mut nodes = Vec::new();
    for node in (0..graph.len()).filter(|node| kept[*node]) {
        renumber[node] = nodes.len();
        let name = &graph.names[node];
        let service = match level {
            Level::Service => None,
            Level::Package | Level::Module => {
                config.service_of(name).map(|service| service.name.clone())
            }
        };
        nodes.push(ViewNode {
            name: name.clone(),
            focused: focused[node],
            service,
        });
    }
    let edges = graph
        .edges
        .iter()
        .enumerate()
        .filter(|(_, edge)| kept[edge.from] && kept[edge.to])
        .map(|(index, edge)| ViewEdge {
            from: renumber[edge.from],
            to: renumber[edge.to],
            imports: edge.count,
            first_import: format!("{}:{}", facts.text(edge.witness.path), edge.witness.line),
            violations: violations.get(&index).cloned().unwrap_or_default(),
        })
        .collect();
    Ok(GraphView {
        level,
        focus: options.focus.clone(),
        nodes,
        edges,
    })
}

fn position(names: &[String], name: &str) -> usize {
    names.partition_point(|other| other.as_str() < name)
}

/// `service`, `package` or `module`.
pub fn level_noun(level: Level) -> &'static str {
    match level {
        Level::Service => "service",
        Level::Package => "package",
        Level::Module => "module",
    }
}

/// The dependency violations of each edge (by edge index): every import that a dependency
/// diagnostic names (its own location, or each hop of its chain) marks the edge it falls in.
fn edge_violations(
    graph: &Digraph,
    facts: &ProjectFacts,
    filter: EdgeFilter,
    diagnostics: &[Diagnostic],
    group_of: impl Fn(&str) -> Option<String>,
) -> FxHashMap<usize, Vec<EdgeViolation>> {
    let mut at_import: FxHashMap<(&str, u32, u32), Vec<&Diagnostic>> = FxHashMap::default();
    for diagnostic in diagnostics
        .iter()
        .filter(|diagnostic| DEPENDENCY_CHECKS.contains(&diagnostic.code))
    {
        if diagnostic.chain.is_empty() {
            let span = diagnostic.span;
            at_import
                .entry((diagnostic.path.as_str(), span.line, span.column))
                .or_default()
                .push(diagnostic);
        }
        for hop in &diagnostic.chain {
            at_import
                .entry((hop.path.as_str(), hop.line, hop.column))
                .or_default()
                .push(diagnostic);
        }
    }
    if at_import.is_empty() {
        return FxHashMap::default();
    }
    let mut found: FxHashMap<usize, BTreeMap<(&'static str, Option<&str>), EdgeViolation>> =
        FxHashMap::default();
    let node = |module: u32| {
        let name = group_of(facts.text(module))?;
        graph.names.binary_search(&name).ok()
    };
    for import in facts.edges.iter().filter(|edge| filter.keeps(edge.flags)) {
        let key = (facts.text(import.path), import.line, import.column);
        let Some(flagged) = at_import.get(&key) else {
            continue;
        };
        let (Some(from), Some(to)) = (node(import.from), node(import.to)) else {
            continue;
        };
        let Some(edge) = graph
            .outgoing(from)
            .find(|edge| graph.edges[*edge].to == to)
        else {
            continue;
        };
        let on_edge = found.entry(edge).or_default();
        for diagnostic in flagged {
            let code = diagnostic.code.code();
            let rule = diagnostic.rule.as_ref().map(|rule| rule.id.as_str());
            on_edge
                .entry((code, rule))
                .and_modify(|violation| {
                    violation.count += 1;
                    violation.severity = violation.severity.max(diagnostic.severity);
                })
                .or_insert(EdgeViolation {
                    code,
                    rule: rule.map(str::to_string),
                    severity: diagnostic.severity,
                    count: 1,
                });
        }
    }
    found
        .into_iter()
        .map(|(edge, by_rule)| (edge, by_rule.into_values().collect()))
        .collect()
}

/// The nodes `focus` names: a node of that name or below it (`billing` focuses
/// `billing.api`), or the group the module `focus` belongs to. `None` when there is none.
fn focus_nodes(graph: &Digraph, focus: &str, group: Option<String>) -> Option<Vec<bool>> {
    let pattern = ModulePattern::parse(focus).ok();
    let marked = graph.mark(|name| {
        pattern
            .as_ref()
            .is_some_and(|pattern| pattern.matches(name))
            || group.as_deref() == Some(name)
    });
    marked.contains(&true).then_some(marked)
}

/// The nodes at most `depth` imports away from a focused node, in either direction.
fn neighbourhood(graph: &Digraph, focused: &[bool], depth: usize) -> Vec<bool> {
    let mut distance = vec![usize::MAX; graph.len()];
    let mut queue = VecDeque::new();
    for node in (0..graph.len()).filter(|node| focused[*node]) {
        distance[node] = 0;
        queue.push_back(node);
    }
    while let Some(node) = queue.pop_front() {
        if distance[node] == depth {
            continue;
        }
        let neighbours = graph
            .outgoing(node)
            .map(|edge| graph.edges[edge].to)
            .chain(graph.incoming(node).map(|edge| graph.edges[edge].from));
        for next in neighbours {
            if distance[next] == usize::MAX {
                distance[next] = distance[node] + 1;
                queue.push_back(next);
            }
        }
    }
    distance.iter().map(|&d| d != usize::MAX).collect()
}
