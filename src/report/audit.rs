//! `importgate audit`: the audit as Markdown (a pull-request comment, a wiki page), JSON
//! (scripts) or one self-contained HTML page (the service graph drawn as SVG, sortable
//! tables, no network at view time). Paths are relative to the governed root.

use super::junit::escape as html;
use crate::diagnostic::{Hop, Severity};
use crate::overview::audit::{Audit, Cycle, TOP_FILES};
use crate::overview::graph_view::GraphView;
use std::fmt::Write as _;
use std::io::{self, Write};

/// How many rows the people formats show of the long lists (duplicates, unresolved
/// imports, cycles); the JSON has them all.
pub const LIST_LIMIT: usize = 50;

/// The whole audit as JSON.
pub fn write_json(audit: &Audit<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, audit)?;
    writeln!(out)
}

/// A table: header cells and rows of cells, each cell the text and whether it is a number
/// (right-aligned, sorted numerically).
struct Table {
    id: &'static str,
    header: Vec<String>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
}

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

/// The sections both people formats show, in order: (id, title, text before the table,
/// table, text after it).
struct Section {
    id: &'static str,
    title: &'static str,
    intro: String,
    table: Option<Table>,
    outro: String,
    /// The table is folded (`<details>`): long lists that are read on demand.
    collapsed: bool,
}

fn or_none(service: &Option<String>) -> String {
    service
        .clone()
        .unwrap_or_else(|| "(no service)".to_string())
}

fn more(total: usize, shown: usize) -> String {
    if total > shown {
        format!(
            "{} more in `importgate audit --format json`.",
            total - shown
        )
    } else {
        String::new()
    }
}

/// `a → b (path:line) → a (path:line)` when each import starts where the last ended (a
/// module cycle); else each import on its own, `a.x → b.y (path:line); b.z → a.w (...)`.
fn chain_text(hops: &[Hop]) -> String {
    let Some(first) = hops.first() else {
        return String::new();
    };
    let connected = hops.windows(2).all(|pair| pair[0].to == pair[1].from)
        && hops.last().is_some_and(|last| last.to == first.from);
    let mut text = String::new();
    for (index, hop) in hops.iter().enumerate() {
        if connected {
            if index == 0 {
                text.push_str(&first.from);
            }
        } else {
            if index > 0 {
                text.push_str("; ");
            }
            text.push_str(&hop.from);
        }
        let _ = write!(text, " → {} ({}:{})", hop.to, hop.path, hop.line);
    }
    text
}

fn cycle_row(cycle: &Cycle) -> Vec<String> {
    const SHOWN_MEMBERS: usize = 8;
    let mut members = cycle
        .members
        .iter()
        .take(SHOWN_MEMBERS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if cycle.members.len() > SHOWN_MEMBERS {
        let _ = write!(members, ", … ({} in all)", cycle.members.len());
    }
    vec![
        cycle.level.to_string(),
        cycle.members.len().to_string(),
        members,
        chain_text(&cycle.example),
    ]
}

/// What "imports between services" counts, said once for the matrix and the graph: the
/// same imports `importgate graph` draws, so the numbers agree everywhere, and how that
/// differs from what `check` judges.
fn imports_legend(type_checking_counted: bool) -> String {
    format!(
        "First-party imports from the row's service into the column's, production / test, counted as `importgate graph` and the service graph count them: module-level and lazy (in-function) imports; `TYPE_CHECKING` imports {}. `check` judges every import, `TYPE_CHECKING` ones included, whatever is counted here.",
        if type_checking_counted {
            "too (`[graph] type-checking = true`)"
        } else {
            "not (they never run; `[graph] type-checking = true` counts them)"
        }
    )
}

fn sections(audit: &Audit<'_>) -> Vec<Section> {
    let summary = &audit.summary;
    let mut sections = Vec::new();

    // The matrix: one row per importing service, one column per imported one.
    let matrix = if audit.services.is_empty() {
        Section {
            id: "service-imports",
            title: "Imports between services",
            intro: "rules.toml declares no `[[service]]`.".to_string(),
            table: None,
            outro: String::new(),
            collapsed: false,
        }
    } else {
        let mut header = vec!["importing \\ imported".to_string()];
        header.extend(audit.services.iter().map(|service| service.to_string()));
        let rows = audit
            .services
            .iter()
            .map(|from| {
                let mut row = vec![from.to_string()];
                row.extend(audit.services.iter().map(|to| {
                    match audit
                        .service_imports
                        .iter()
                        .find(|cell| cell.from == *from && cell.to == *to)
                    {
                        Some(cell) => format!("{} / {}", cell.production, cell.test),
                        None if from == to => "—".to_string(),
                        None => String::new(),
                    }
                }));
                row
            })
            .collect();
        let columns = audit.services.len() + 1;
        Section {
            id: "service-imports",
            title: "Imports between services",
            intro: imports_legend(audit.type_checking_counted),
            table: Some(Table {
                id: "service-imports",
                header,
                numeric: vec![false; columns],
                rows,
            }),
            outro: String::new(),
            collapsed: false,
        }
    };
    sections.push(matrix);

    sections.push(Section {
        id: "by-check",
        title: "Violations by check",
        intro: format!(
            "{} and {} in {} of {} files checked ({} production, {} test){}.",
            super::plural(summary.errors, "error"),
            super::plural(summary.warnings, "warning"),
            summary.files_with_diagnostics,
            summary.files_checked,
            summary.production_files,
            summary.test_files,
            match summary.files_without_service {
                Some(orphans) if orphans > 0 => format!("; {orphans} of no service"),
                _ => String::new(),
            }
        ),
        table: (!audit.by_check.is_empty()).then(|| Table {
            id: "by-check",
            header: headers(&["code", "check", "errors", "warnings"]),
            numeric: vec![false, false, true, true],
            rows: audit
                .by_check
                .iter()
                .map(|count| {
                    vec![
                        count.code.to_string(),
                        count.name.to_string(),
                        count.counts.errors.to_string(),
                        count.counts.warnings.to_string(),
                    ]
                })
                .collect(),
        }),
        outro: String::new(),
        collapsed: false,
    });
    sections.push(Section {
        id: "by-rule",
        title: "Violations by rule",
        intro: if audit.by_rule.is_empty() {
            "No registry rule is broken.".to_string()
        } else {
            String::new()
        },
        table: (!audit.by_rule.is_empty()).then(|| Table {
            id: "by-rule",
            header: headers(&["rule", "errors", "warnings"]),
            numeric: vec![false, true, true],
            rows: audit
                .by_rule
                .iter()
                .map(|count| {
                    vec![
                        count.rule.clone(),
                        count.counts.errors.to_string(),
                        count.counts.warnings.to_string(),
                    ]
                })
                .collect(),
        }),
        outro: String::new(),
        collapsed: false,
    });
    sections.push(Section {
        id: "by-service",
        title: "Violations by service",
        intro: String::new(),
        table: (!audit.by_service.is_empty()).then(|| Table {
            id: "by-service",
            header: headers(&["service", "errors", "warnings", "files"]),
            numeric: vec![false, true, true, true],
            rows: audit
                .by_service
                .iter()
                .map(|count| {
                    vec![
                        or_none(&count.service),
                        count.counts.errors.to_string(),
                        count.counts.warnings.to_string(),
                        count.files.to_string(),
                    ]
                })
                .collect(),
        }),
        outro: String::new(),
        collapsed: false,
    });
    sections.push(Section {
        id: "top-files",
        title: "Files with the most violations",
        intro: format!("The top {TOP_FILES}."),
        table: (!audit.top_files.is_empty()).then(|| Table {
            id: "top-files",
            header: headers(&["file", "service", "errors", "warnings"]),
            numeric: vec![false, false, true, true],
            rows: audit
                .top_files
                .iter()
                .map(|file| {
                    vec![
                        file.path.clone(),
                        or_none(&file.service),
                        file.counts.errors.to_string(),
                        file.counts.warnings.to_string(),
                    ]
                })
                .collect(),
        }),
        outro: String::new(),
        collapsed: false,
    });
    sections.push(Section {
        id: "unresolved",
        title: "Unresolved imports",
        intro: format!(
            "{} of first-party modules or names that do not exist, by what is missing.",
            super::plural(
                audit.unresolved.iter().map(|target| target.imports).sum(),
                "import"
            )
        ),
        table: (!audit.unresolved.is_empty()).then(|| Table {
            id: "unresolved",
            header: headers(&["missing", "kind", "imports", "files"]),
            numeric: vec![false, false, true, false],
            rows: audit
                .unresolved
                .iter()
                .take(LIST_LIMIT)
                .map(|target| {
                    vec![
                        target.missing.clone(),
                        target.kind.to_string(),
                        target.imports.to_string(),
                        target.files.join(", "),
                    ]
                })
                .collect(),
        }),
        outro: more(audit.unresolved.len(), LIST_LIMIT),
        collapsed: false,
    });
    sections.push(Section {
        id: "cycles",
        title: "Import cycles",
        intro: format!(
            "{} of production imports that run at import time (module level), between services and between modules, largest first; each with its shortest cycle.",
            super::plural(audit.cycles.len(), "cycle")
        ),
        table: (!audit.cycles.is_empty()).then(|| Table {
            id: "cycles",
            header: headers(&["between", "size", "members", "shortest cycle"]),
            numeric: vec![false, true, false, false],
            rows: audit
                .cycles
                .iter()
                .take(LIST_LIMIT)
                .map(cycle_row)
                .collect(),
        }),
        outro: more(audit.cycles.len(), LIST_LIMIT),
        collapsed: false,
    });
    sections.push(Section {
        id: "duplicates",
        title: "Duplicate definitions",
        intro: format!(
            "{} defined in more than one production module: the candidates for consolidation.",
            super::plural(audit.duplicates.len(), "public name")
        ),
        table: (!audit.duplicates.is_empty()).then(|| Table {
            id: "duplicates",
            header: headers(&["name", "modules", "canonical", "definitions"]),
            numeric: vec![false, true, false, false],
            rows: audit
                .duplicates
                .iter()
                .take(LIST_LIMIT)
                .map(|group| {
                    vec![
                        group.symbol.to_string(),
                        group.modules.to_string(),
                        group.canonical.join(", "),
                        group
                            .definitions
                            .iter()
                            .map(|site| format!("{}:{}", site.path, site.line))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect(),
        }),
        outro: more(audit.duplicates.len(), LIST_LIMIT),
        collapsed: true,
    });
    sections
}

/// A Markdown table cell: pipes escaped, line breaks flattened.
fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The audit as Markdown.
pub fn write_markdown(audit: &Audit<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut text = String::from("# importgate audit\n");
    for section in sections(audit) {
        let _ = write!(text, "\n## {}\n", section.title);
        if !section.intro.is_empty() {
            let _ = write!(text, "\n{}\n", section.intro);
        } else if section.table.is_none() {
            text.push_str("\nNothing to report.\n");
        }
        if let Some(table) = &section.table {
            if section.collapsed {
                let _ = write!(
                    text,
                    "\n<details>\n<summary>{} ({})</summary>\n",
                    section.title,
                    super::plural(table.rows.len(), "row")
                );
            }
            text.push('\n');
            let cells = |row: &[String]| -> String {
                row.iter()
                    .map(|cell| markdown_cell(cell))
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            let _ = writeln!(text, "| {} |", cells(&table.header));
            let rule: Vec<&str> = table
                .numeric
                .iter()
                .map(|numeric| if *numeric { "---:" } else { "---" })
                .collect();
            let _ = writeln!(text, "|{}|", rule.join("|"));
            for row in &table.rows {
                let _ = writeln!(text, "| {} |", cells(row));
            }
            if section.collapsed {
                text.push_str("\n</details>\n");
            }
        }
        if !section.outro.is_empty() {
            let _ = write!(text, "\n{}\n", section.outro);
        }
    }
    out.write_all(text.trim_end().as_bytes())?;
    writeln!(out)
}

/// Markdown's `code` spans, the only markup the intros use, as HTML.
fn html_inline(text: &str) -> String {
    let mut result = String::new();
    for (index, part) in text.split('`').enumerate() {
        if index % 2 == 1 {
            let _ = write!(result, "<code>{}</code>", html(part));
        } else {
            result.push_str(&html(part));
        }
    }
    result
}

/// The audit as one HTML page.
pub fn write_html(audit: &Audit<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::new();
    page.push_str(HTML_HEAD);
    let summary = &audit.summary;
    let _ = write!(
        page,
        "<header><h1>importgate audit</h1><p class=\"figures\"><span class=\"errors\">{}</span> · <span class=\"warnings\">{}</span> · {} files checked ({} production, {} test)</p></header>\n<main>\n",
        super::plural(summary.errors, "error"),
        super::plural(summary.warnings, "warning"),
        summary.files_checked,
        summary.production_files,
        summary.test_files
    );
    if let Some(view) = &audit.service_graph {
        let _ = writeln!(
            page,
            "<section id=\"service-graph\"><h2>Service graph</h2>\n<p>Production imports between services, as the matrix below counts them; the number on an arrow counts them. Red arrows carry errors, orange ones warnings (hover for the rules).</p>"
        );
        page.push_str(&service_svg(view));
        page.push_str("</section>\n");
    }
    for section in sections(audit) {
        let _ = writeln!(
            page,
            "<section id=\"{}\"><h2>{}</h2>",
            section.id,
            html(section.title)
        );
        if !section.intro.is_empty() {
            let _ = writeln!(page, "<p>{}</p>", html_inline(&section.intro));
        }
        if let Some(table) = &section.table {
            if section.collapsed {
                let _ = writeln!(
                    page,
                    "<details><summary>{} ({})</summary>",
                    html(section.title),
                    super::plural(table.rows.len(), "row")
                );
            }
            let _ = write!(
                page,
                "<div class=\"scroll\"><table class=\"sortable\" id=\"table-{}\">\n<thead><tr>",
                table.id
            );
            for (cell, numeric) in table.header.iter().zip(&table.numeric) {
                let class = if *numeric { " class=\"number\"" } else { "" };
                let _ = write!(page, "<th{class}>{}</th>", html(cell));
            }
            page.push_str("</tr></thead>\n<tbody>\n");
            for row in &table.rows {
                page.push_str("<tr>");
                for (cell, numeric) in row.iter().zip(&table.numeric) {
                    if *numeric {
                        let _ = write!(page, "<td class=\"number\">{}</td>", html(cell));
                    } else {
                        let _ = write!(page, "<td>{}</td>", html(cell));
                    }
                }
                page.push_str("</tr>\n");
            }
            page.push_str("</tbody></table></div>\n");
            if section.collapsed {
                page.push_str("</details>\n");
            }
        }
        if !section.outro.is_empty() {
            let _ = writeln!(
                page,
                "<p class=\"more\">{}</p>",
                html_inline(&section.outro)
            );
        }
        page.push_str("</section>\n");
    }
    page.push_str("</main>\n");
    page.push_str(HTML_TAIL);
    out.write_all(page.as_bytes())
}

/// The service graph as inline SVG: services on a circle (every service is drawn, so the
/// picture keeps its shape from one audit to the next), an arrow per importing pair with its
/// count, arrows between the same two services bent apart.
fn service_svg(view: &GraphView) -> String {
    const NODE_HEIGHT: f64 = 28.0;
    const CHAR_WIDTH: f64 = 7.6;
    let count = view.nodes.len();
    let widths: Vec<f64> = view
        .nodes
        .iter()
        .map(|node| node.name.chars().count() as f64 * CHAR_WIDTH + 20.0)
        .collect();
    let widest = widths.iter().copied().fold(0.0, f64::max);
    // A circle long enough for every box side by side, and wide enough for two boxes.
    let radius = if count <= 1 {
        0.0
    } else {
        ((count as f64) * (widest * 0.6 + 30.0) / std::f64::consts::TAU)
            .max(widest * 0.75 + 40.0)
            .max(110.0)
    };
    let (width, height) = (
        2.0 * radius + widest + 40.0,
        2.0 * radius + NODE_HEIGHT + 40.0,
    );
    let positions: Vec<(f64, f64)> = (0..count)
        .map(|index| {
            let angle = -std::f64::consts::FRAC_PI_2
                + std::f64::consts::TAU * index as f64 / count.max(1) as f64;
            (
                width / 2.0 + radius * angle.cos(),
                height / 2.0 + radius * angle.sin(),
            )
        })
        .collect();
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"service graph\">\n<defs>"
    );
    for worst in [None, Some(Severity::Error), Some(Severity::Warning)] {
        let (id, colour) = super::graph::edge_style(worst);
        let _ = write!(
            svg,
            "<marker id=\"arrow-{id}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker>"
        );
    }
    svg.push_str("</defs>\n");
    // Where the line from a box's centre towards (dx, dy) leaves the box.
    let border = |node: usize, dx: f64, dy: f64| -> (f64, f64) {
        let (x, y) = positions[node];
        let half_width = widths[node] / 2.0 + 4.0;
        let half_height = NODE_HEIGHT / 2.0 + 4.0;
        let scale = (half_width / dx.abs().max(1e-9)).min(half_height / dy.abs().max(1e-9));
        (x + dx * scale, y + dy * scale)
    };
    for edge in &view.edges {
        let (from, to) = (positions[edge.from], positions[edge.to]);
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let length = (dx * dx + dy * dy).sqrt().max(1e-9);
        // Bend every arrow to its left: the two directions of a pair never overlap.
        let bend = if view
            .edges
            .iter()
            .any(|other| other.from == edge.to && other.to == edge.from)
        {
            0.18 * length
        } else {
            0.06 * length
        };
        let control = (
            (from.0 + to.0) / 2.0 + dy / length * bend,
            (from.1 + to.1) / 2.0 - dx / length * bend,
        );
        let start = border(edge.from, control.0 - from.0, control.1 - from.1);
        let end = border(edge.to, control.0 - to.0, control.1 - to.1);
        let (class, colour) = super::graph::edge_style(edge.worst());
        let width = if edge.violations.is_empty() { 1.5 } else { 2.5 };
        let title = if edge.violations.is_empty() {
            format!(
                "{} → {}: {}",
                view.nodes[edge.from].name,
                view.nodes[edge.to].name,
                super::plural(edge.imports, "import")
            )
        } else {
            format!(
                "{} → {}: {} — {}",
                view.nodes[edge.from].name,
                view.nodes[edge.to].name,
                super::plural(edge.imports, "import"),
                super::graph::violation_text(edge)
            )
        };
        // The label sits at the curve's midpoint (a quadratic Bézier's is halfway between
        // the chord's midpoint and the control point).
        let label = (
            (start.0 + end.0) / 4.0 + control.0 / 2.0,
            (start.1 + end.1) / 4.0 + control.1 / 2.0,
        );
        let _ = writeln!(
            svg,
            "<g class=\"edge {class}\" data-from=\"{}\" data-to=\"{}\" data-imports=\"{}\"><title>{}</title><path d=\"M{:.1},{:.1} Q{:.1},{:.1} {:.1},{:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" marker-end=\"url(#arrow-{class})\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">{}</text></g>",
            html(&view.nodes[edge.from].name),
            html(&view.nodes[edge.to].name),
            edge.imports,
            html(&title),
            start.0,
            start.1,
            control.0,
            control.1,
            end.0,
            end.1,
            label.0,
            label.1,
            edge.imports
        );
    }
    for (index, node) in view.nodes.iter().enumerate() {
        let (x, y) = positions[index];
        let _ = writeln!(
            svg,
            "<g class=\"node\" data-name=\"{name}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{NODE_HEIGHT}\" rx=\"6\"/><text x=\"{x:.1}\" y=\"{:.1}\">{name}</text></g>",
            x - widths[index] / 2.0,
            y - NODE_HEIGHT / 2.0,
            widths[index],
            y + 4.5,
            name = html(&node.name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

const HTML_HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>importgate audit</title>
<style>
:root { color-scheme: light; --muted: #6b7280; --line: #e5e7eb; --error: #d62728; --warning: #e67e00; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #111827; background: #f9fafb; }
header { background: #111827; color: #f9fafb; padding: 16px 32px; }
header h1 { margin: 0; font-size: 22px; }
.figures { margin: 4px 0 0; color: #d1d5db; }
.figures .errors { color: #fca5a5; } .figures .warnings { color: #fcd34d; }
main { padding: 8px 32px 48px; max-width: 1400px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px 20px 16px; margin: 20px 0; }
h2 { font-size: 17px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f3f4f6; padding: 1px 4px; border-radius: 4px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 12px; text-align: left; vertical-align: top; }
td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
th.number, td.number { text-align: right; }
th { background: #f3f4f6; position: sticky; top: 0; user-select: none; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button::after { content: " ↕"; color: var(--muted); }
th[aria-sort="ascending"] button::after { content: " ▲"; color: #111827; }
th[aria-sort="descending"] button::after { content: " ▼"; color: #111827; }
.more { color: var(--muted); }
svg.graph { max-width: 100%; height: auto; }
svg.graph .node rect { fill: #eef2ff; stroke: #4f46e5; stroke-width: 1.5; }
svg.graph .node text { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; text-anchor: middle; fill: #111827; }
svg.graph .edge text { font: bold 12px system-ui, Helvetica, Arial, sans-serif; text-anchor: middle; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
</style>
</head>
<body>
"#;

/// Sortable tables: a click on a header sorts by that column (numbers as numbers), again
/// to reverse. The order is kept in the address (`#sort=<table>.<column>.<asc|desc>`), so a
/// sorted view can be bookmarked or shared.
const HTML_TAIL: &str = r##"<script>
(function () {
  "use strict";
  function cellValue(row, column, numeric) {
    var text = row.cells[column] ? row.cells[column].textContent : "";
    if (numeric) {
      var number = parseFloat(text);
      return isNaN(number) ? -Infinity : number;
    }
    return text.toLowerCase();
  }
  function sortTable(table, column, ascending) {
    var header = table.tHead.rows[0].cells[column];
    var numeric = header.classList.contains("number");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row, index) { row.dataset.position = index; });
    rows.sort(function (a, b) {
      var x = cellValue(a, column, numeric), y = cellValue(b, column, numeric);
      if (x < y) return ascending ? -1 : 1;
      if (x > y) return ascending ? 1 : -1;
      return a.dataset.position - b.dataset.position;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, index) {
      cell.setAttribute("aria-sort", index === column ? (ascending ? "ascending" : "descending") : "none");
    });
  }
  function applyHash() {
    var match = /^#sort=([\w-]+)\.(\d+)\.(asc|desc)$/.exec(window.location.hash);
    if (!match) return;
    var table = document.getElementById("table-" + match[1]);
    var column = parseInt(match[2], 10);
    if (table && column < table.tHead.rows[0].cells.length) sortTable(table, column, match[3] === "asc");
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = cell.textContent;
      button.title = "Sort by this column";
      cell.textContent = "";
      cell.appendChild(button);
      cell.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = cell.getAttribute("aria-sort") !== "ascending";
        sortTable(table, column, ascending);
        history.replaceState(null, "", "#sort=" + table.id.replace(/^table-/, "") + "." + column + "." + (ascending ? "asc" : "desc"));
      });
    });
  });
  applyHash();
  window.addEventListener("hashchange", applyHash);
  document.documentElement.dataset.sortable = "ready";
})();
</script>
</body>
</html>
"##;
