//! `importgate graph`: the dependency graph as Graphviz DOT, a Mermaid flowchart or JSON.
//! The three share one view and differ only in syntax, so they live together. Edges are
//! labelled with their import count (and the codes of the violations they carry); edges
//! with errors are red, with warnings orange; focused nodes are filled.

use crate::diagnostic::Severity;
use crate::overview::graph_view::{GraphView, ViewEdge, ViewNode};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The colour of an edge that carries errors.
pub const ERROR_COLOUR: &str = "#d62728";
/// The colour of an edge that carries only warnings.
pub const WARNING_COLOUR: &str = "#e67e00";
/// The fill of a focused node.
const FOCUS_FILL: &str = "#fff3bf";

/// The colour of an edge without violations (where a format draws one).
pub const PLAIN_COLOUR: &str = "#6b7280";

fn colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => ERROR_COLOUR,
        Severity::Warning => WARNING_COLOUR,
    }
}

/// The class (`plain`, `error`, `warning`) and colour of an edge whose worst violation is
/// `worst`.
pub(super) fn edge_style(worst: Option<Severity>) -> (&'static str, &'static str) {
    worst.map_or(("plain", PLAIN_COLOUR), |severity| {
        (severity.as_str(), colour(severity))
    })
}

/// `12`, or `12 (IG001, IG030)` when it carries violations.
fn edge_label(edge: &ViewEdge) -> String {
    let mut codes: Vec<&str> = edge.violations.iter().map(|v| v.code).collect();
    codes.dedup();
    if codes.is_empty() {
        edge.imports.to_string()
    } else {
        format!("{} ({})", edge.imports, codes.join(", "))
    }
}

/// What the violations of an edge are, for a tooltip: `IG001 rule-id: 3 errors`.
pub(super) fn violation_text(edge: &ViewEdge) -> String {
    edge.violations
        .iter()
        .map(|violation| {
            format!(
                "{}{}: {}",
                violation.code,
                violation
                    .rule
                    .as_ref()
                    .map(|rule| format!(" {rule}"))
                    .unwrap_or_default(),
                super::plural(violation.count, violation.severity.as_str())
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn dot_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Graphviz DOT.
pub fn write_dot(view: &GraphView, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "digraph importgate {{")?;
    writeln!(out, "  graph [rankdir=LR, fontname=\"Helvetica\"];")?;
    writeln!(
        out,
        "  node [shape=box, style=rounded, fontname=\"Helvetica\"];"
    )?;
    writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=10];")?;
    // Packages and modules are drawn inside a cluster per service, services in name order;
    // nodes of no service stay outside.
    let mut by_service: BTreeMap<Option<&str>, Vec<&ViewNode>> = BTreeMap::new();
    for node in &view.nodes {
        by_service
            .entry(node.service.as_deref())
            .or_default()
            .push(node);
    }
    for (service, nodes) in &by_service {
        let indent = match service {
            Some(service) => {
                writeln!(
                    out,
                    "  subgraph {} {{",
                    dot_string(&format!("cluster_{service}"))
                )?;
                writeln!(
                    out,
                    "    label={}; style=\"rounded,dashed\"; color=\"#8c959f\";",
                    dot_string(service)
                )?;
                "    "
            }
            None => "  ",
        };
        for node in nodes {
            if node.focused {
                writeln!(
                    out,
                    "{indent}{} [style=\"rounded,filled\", fillcolor=\"{FOCUS_FILL}\"];",
                    dot_string(&node.name)
                )?;
            } else {
                writeln!(out, "{indent}{};", dot_string(&node.name))?;
            }
        }
        if service.is_some() {
            writeln!(out, "  }}")?;
        }
    }
    for edge in &view.edges {
        let mut attributes = vec![format!("label={}", dot_string(&edge_label(edge)))];
        if let Some(worst) = edge.worst() {
            let colour = colour(worst);
            attributes.push(format!(
                "color=\"{colour}\", fontcolor=\"{colour}\", penwidth=2"
            ));
            attributes.push(format!("tooltip={}", dot_string(&violation_text(edge))));
        }
        writeln!(
            out,
            "  {} -> {} [{}];",
            dot_string(&view.nodes[edge.from].name),
            dot_string(&view.nodes[edge.to].name),
            attributes.join(", ")
        )?;
    }
    writeln!(out, "}}")
}

/// Mermaid text in a node label: quotes become entities.
fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;")
}

/// The most edges Mermaid draws: its default `maxEdges`, which GitHub and GitLab keep, so a
/// larger chart shows an error where the picture should be.
pub const MERMAID_MAX_EDGES: usize = 500;

/// A Mermaid flowchart (callers refuse a view of more than [`MERMAID_MAX_EDGES`] edges).
pub fn write_mermaid(view: &GraphView, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "flowchart LR")?;
    for (index, node) in view.nodes.iter().enumerate() {
        writeln!(out, "  n{index}[\"{}\"]", mermaid_text(&node.name))?;
    }
    for edge in &view.edges {
        writeln!(
            out,
            "  n{} -->|\"{}\"| n{}",
            edge.from,
            mermaid_text(&edge_label(edge)),
            edge.to
        )?;
    }
    // linkStyle numbers edges in the order they were written.
    for (index, edge) in view.edges.iter().enumerate() {
        if let Some(worst) = edge.worst() {
            let colour = colour(worst);
            writeln!(
                out,
                "  linkStyle {index} stroke:{colour},stroke-width:2px,color:{colour}"
            )?;
        }
    }
    let focused: Vec<String> = (0..view.nodes.len())
        .filter(|index| view.nodes[*index].focused)
        .map(|index| format!("n{index}"))
        .collect();
    if !focused.is_empty() {
        writeln!(out, "  classDef focus fill:{FOCUS_FILL},stroke:#b08800")?;
        writeln!(out, "  class {} focus", focused.join(","))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonGraph<'a> {
    version: u32,
    level: crate::overview::graph_view::Level,
    focus: Option<&'a str>,
    nodes: &'a [crate::overview::graph_view::ViewNode],
    edges: Vec<JsonEdge<'a>>,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    from: &'a str,
    to: &'a str,
    imports: usize,
    first_import: &'a str,
    violations: &'a [crate::overview::graph_view::EdgeViolation],
}

/// `{"version": 1, "level", "focus", "nodes": [{"name"}], "edges": [...]}`, edges naming
/// their nodes.
pub fn write_json(view: &GraphView, out: &mut dyn Write) -> io::Result<()> {
    let document = JsonGraph {
        version: 1,
        level: view.level,
        focus: view.focus.as_deref(),
        nodes: &view.nodes,
        edges: view
            .edges
            .iter()
            .map(|edge| JsonEdge {
                from: &view.nodes[edge.from].name,
                to: &view.nodes[edge.to].name,
                imports: edge.imports,
                first_import: &edge.first_import,
                violations: &edge.violations,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
