//! The figures of `importgate audit`: a report for people about the whole tree — who imports
//! whom across services, where the violations are, what is defined twice, what does not
//! resolve and which modules import each other in cycles. Plain data; `report` renders it
//! as Markdown, JSON or HTML.

use super::duplicates::DuplicateRecord;
use super::graph_view::{self, GraphView, Level, ViewOptions};
use super::summary::Summary;
use crate::codes::CheckCode;
use crate::config::Config;
use crate::diagnostic::{Hop, Severity};
use crate::engine::Outcome;
use crate::graph::{Digraph, EdgeFilter};
use crate::model::edge_flags;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How many files the "top files" table lists.
pub const TOP_FILES: usize = 20;

/// The audit of one whole-tree run.
#[derive(Debug, Serialize)]
pub struct Audit<'a> {
    /// The document format, 1.
    pub version: u32,
    /// The counts of the run, as `check --output-format json` gives them.
    pub summary: Summary,
    /// The registry's services, sorted.
    pub services: Vec<&'a str>,
    /// First-party imports from one service into another, every pair that has any, counted
    /// as `importgate graph` counts them.
    pub service_imports: Vec<ServiceImports<'a>>,
    /// Whether those counts include `TYPE_CHECKING` imports (`[graph] type-checking`).
    #[serde(rename = "service_imports_include_type_checking")]
    pub type_checking_counted: bool,
    /// Diagnostics per check, most first.
    pub by_check: Vec<CheckCount>,
    /// Diagnostics per registry rule, most first.
    pub by_rule: Vec<RuleCount>,
    /// Diagnostics per service of the file they are in, most first (`null`: no service).
    pub by_service: Vec<ServiceCount>,
    /// The files with the most diagnostics (at most [`TOP_FILES`]).
    pub top_files: Vec<FileCount>,
    /// Public classes and functions defined in more than one production module.
    pub duplicates: Vec<DuplicateRecord<'a>>,
    /// Imports that do not resolve, by the missing module (or name).
    pub unresolved: Vec<MissingTarget>,
    /// Import cycles between services and between modules (module-level production imports).
    pub cycles: Vec<Cycle>,
    /// The service graph (absent when the registry declares no services).
    pub service_graph: Option<GraphView>,
}

/// Imports from one service into another.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ServiceImports<'a> {
    /// The importing service.
    pub from: &'a str,
    /// The imported service.
    pub to: &'a str,
    /// In production code.
    pub production: usize,
    /// In test code.
    pub test: usize,
}

/// Diagnostics of one check.
#[derive(Debug, Serialize)]
pub struct CheckCount {
    /// `IG001`.
    pub code: &'static str,
    /// `forbidden-import`.
    pub name: &'static str,
    /// Its diagnostics.
    #[serde(flatten)]
    pub counts: Tally,
}

/// Diagnostics of one registry rule.
#[derive(Debug, Serialize)]
pub struct RuleCount {
    /// The rule id.
    pub rule: String,
    /// Its diagnostics.
    #[serde(flatten)]
    pub counts: Tally,
}

/// Diagnostics in the files of one service.
#[derive(Debug, Serialize)]
pub struct ServiceCount {
    /// The service (`None`: files of no service, rules.toml).
    pub service: Option<String>,
    /// Its diagnostics.
    #[serde(flatten)]
    pub counts: Tally,
    /// Files with diagnostics.
    pub files: usize,
}

/// Diagnostics of one file.
#[derive(Debug, Serialize)]
pub struct FileCount {
    /// Relative to the governed root.
    pub path: String,
    /// Its service.
    pub service: Option<String>,
    /// Its diagnostics.
    #[serde(flatten)]
    pub counts: Tally,
}

/// Errors and warnings counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
}

impl Tally {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
    }

    /// Errors and warnings.
    pub fn total(&self) -> usize {
        self.errors + self.warnings
    }
}

/// Most diagnostics first (a stable sort: ties keep their order).
fn most_first<T>(counts: &mut [T], tally: impl Fn(&T) -> Tally) {
    counts.sort_by_key(|count| std::cmp::Reverse(tally(count).total()));
}

/// Imports of one module (or name) that does not exist.
#[derive(Debug, Serialize)]
pub struct MissingTarget {
    /// The module, or `module.name` for a missing name.
    pub missing: String,
    /// `module` (IG020) or `name` (IG021).
    pub kind: &'static str,
    /// How many imports.
    pub imports: usize,
    /// The importing files, sorted.
    pub files: Vec<String>,
}

/// One group of nodes that import each other.
#[derive(Debug, Serialize)]
pub struct Cycle {
    /// `service` or `module`.
    pub level: &'static str,
    /// Every member, sorted.
    pub members: Vec<String>,
    /// The shortest cycle through the first member, each hop with its import.
    pub example: Vec<Hop>,
}

/// What the audit needs: the outcome of a whole-tree run made with
/// `all_public_definitions`.
pub fn build<'a>(config: &'a Config, outcome: &'a Outcome) -> Audit<'a> {
    let mut by_check: BTreeMap<CheckCode, Tally> = BTreeMap::new();
    let mut by_rule: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut by_file: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut missing: BTreeMap<(String, &'static str), (usize, BTreeSet<&str>)> = BTreeMap::new();
    for diagnostic in &outcome.diagnostics {
        by_check
            .entry(diagnostic.code)
            .or_default()
            .add(diagnostic.severity);
        if let Some(rule) = &diagnostic.rule {
            by_rule
                .entry(&rule.id)
                .or_default()
                .add(diagnostic.severity);
        }
        by_file
            .entry(&diagnostic.path)
            .or_default()
            .add(diagnostic.severity);
        let unresolved = match (diagnostic.code, &diagnostic.target) {
            (CheckCode::UnresolvedModule, Some(target)) => Some((target.clone(), "module")),
            (CheckCode::MissingName, Some(target)) => Some((
                match &diagnostic.name_imported {
                    Some(name) => format!("{target}.{name}"),
                    None => target.clone(),
                },
                "name",
            )),
            _ => None,
        };
        if let Some(key) = unresolved {
            let entry = missing.entry(key).or_default();
            entry.0 += 1;
            entry.1.insert(&diagnostic.path);
        }
    }
    let service_of_file = |path: &str| {
        crate::classify::classify(config, config.root.join(path), path.to_string()).service
    };
    let mut by_service: BTreeMap<Option<String>, ServiceCount> = BTreeMap::new();
    let mut files: Vec<FileCount> = by_file
        .into_iter()
        .map(|(path, counts)| {
            let service = service_of_file(path);
            let count = by_service
                .entry(service.clone())
                .or_insert_with(|| ServiceCount {
                    service: service.clone(),
                    counts: Tally::default(),
                    files: 0,
                });
            count.counts.errors += counts.errors;
            count.counts.warnings += counts.warnings;
            count.files += 1;
            FileCount {
                path: path.to_string(),
                service,
                counts,
            }
        })
        .collect();
    files.sort_by(|a, b| {
        (b.counts.total(), b.counts.errors)
            .cmp(&(a.counts.total(), a.counts.errors))
            .then_with(|| a.path.cmp(&b.path))
    });
    files.truncate(TOP_FILES);
    let mut by_service: Vec<ServiceCount> = by_service.into_values().collect();
    most_first(&mut by_service, |count| count.counts);
    let mut by_check: Vec<CheckCount> = by_check
        .into_iter()
        .map(|(code, counts)| CheckCount {
            code: code.code(),
            name: code.name(),
            counts,
        })
        .collect();
    most_first(&mut by_check, |count| count.counts);
    let mut by_rule: Vec<RuleCount> = by_rule
        .into_iter()
        .map(|(rule, counts)| RuleCount {
            rule: rule.to_string(),
            counts,
        })
        .collect();
    most_first(&mut by_rule, |count| count.counts);
    let mut unresolved: Vec<MissingTarget> = missing
        .into_iter()
        .map(|((missing, kind), (imports, files))| MissingTarget {
            missing,
            kind,
            imports,
            files: files.into_iter().map(str::to_string).collect(),
        })
        .collect();
    unresolved.sort_by_key(|target| std::cmp::Reverse(target.imports));

    let mut services: Vec<&str> = config
        .services
        .iter()
        .map(|service| service.name.as_str())
        .collect();
    services.sort_unstable();
    let service_graph = (!services.is_empty()).then(|| {
        let options = ViewOptions {
            level: Level::Service,
            focus: None,
            depth: 0,
            filter: EdgeFilter {
                tests: false,
                type_checking: config.graph_type_checking,
                lazy: true,
            },
        };
        graph_view::build(config, outcome, &options)
    });
    Audit {
        version: 1,
        summary: Summary::new(outcome),
        service_imports: service_imports(config, outcome, &services),
        type_checking_counted: config.graph_type_checking,
        services,
        by_check,
        by_rule,
        by_service,
        top_files: files,
        duplicates: super::duplicates::duplicate_records(&crate::checks::duplicate_groups(
            config,
            &outcome.project.definitions,
        )),
        unresolved,
        cycles: cycles(config, outcome),
        service_graph: service_graph.and_then(Result::ok),
    }
}

/// Every first-party import from one service into another, production and test apart,
/// counted as `importgate graph` counts them (lazy imports included; `TYPE_CHECKING` ones
/// only with `[graph] type-checking`), so the matrix, the service graph and `graph` agree.
fn service_imports<'a>(
    config: &Config,
    outcome: &Outcome,
    services: &[&'a str],
) -> Vec<ServiceImports<'a>> {
    let facts = &outcome.project;
    let graph_filter = EdgeFilter {
        tests: true,
        type_checking: config.graph_type_checking,
        lazy: true,
    };
    let mut service_by_module: rustc_hash::FxHashMap<u32, Option<usize>> = Default::default();
    let mut service_of = |module: u32| -> Option<usize> {
        *service_by_module.entry(module).or_insert_with(|| {
            let service = config.service_of(facts.text(module))?;
            services.iter().position(|name| *name == service.name)
        })
    };
    let mut counts: BTreeMap<(usize, usize), (usize, usize)> = BTreeMap::new();
    for edge in &facts.edges {
        let (Some(from), Some(to)) = (service_of(edge.from), service_of(edge.to)) else {
            continue;
        };
        if from == to || !graph_filter.keeps(edge.flags & !edge_flags::TEST) {
            continue;
        }
        let count = counts.entry((from, to)).or_default();
        if edge.flags & edge_flags::TEST != 0 {
            count.1 += 1;
        } else {
            count.0 += 1;
        }
    }
    counts
        .into_iter()
        .map(|((from, to), (production, test))| ServiceImports {
            from: services[from],
            to: services[to],
            production,
            test,
        })
        .collect()
}

/// The cycles of production imports that run at import time (module level; `TYPE_CHECKING`
/// ones only with `[graph] type-checking`): between services, then between modules, largest
/// first.
fn cycles(config: &Config, outcome: &Outcome) -> Vec<Cycle> {
    let facts = &outcome.project;
    let filter = EdgeFilter {
        tests: false,
        type_checking: config.graph_type_checking,
        lazy: false,
    };
    let services = Digraph::grouped(facts, filter, |module| {
        config
            .service_of(module)
            .map(|service| service.name.clone())
    });
    let modules = Digraph::modules(facts, filter);
    let mut found = Vec::new();
    for (level, graph) in [("service", &services), ("module", &modules)] {
        let mut components = graph.cyclic_components();
        components.sort_by_key(|component| std::cmp::Reverse(component.len()));
        for component in components {
            let mut members = vec![false; graph.len()];
            for node in &component {
                members[*node] = true;
            }
            let example = graph
                .shortest_cycle(component[0], &members)
                .unwrap_or_default()
                .into_iter()
                .map(|edge| facts.hop(&graph.edges[edge].witness))
                .collect();
            found.push(Cycle {
                level,
                members: component
                    .iter()
                    .map(|node| graph.names[*node].clone())
                    .collect(),
                example,
            });
        }
    }
    found
}
