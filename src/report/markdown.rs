//! `--output-format markdown`: every finding as GitHub-flavoured Markdown, for a job's step
//! summary (`$GITHUB_STEP_SUMMARY`, which shows all of them where annotations stop at ten
//! per step), a pull-request comment or a GitLab merge-request note.
//!
//! A heading with the counts, a table of findings per check and rule, then one collapsible
//! section per file (open for up to ten files) with a row per finding (line, severity, code, rule, message, hint).
//! Text from the tree and the registry is escaped so that it stays text: it can neither
//! close a table cell, nor start HTML, a link or emphasis, nor break out of a code span.

use super::{plural, ReportContext, Summary};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Outcome;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Up to this many files, each file's section is open.
const FILES_SHOWN_OPEN: usize = 10;

pub(super) fn render(
    outcome: &Outcome,
    summary: &Summary,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let checked = format!(
        "{} checked ({} production, {} test)",
        plural(summary.files_checked, "file"),
        summary.production_files,
        summary.test_files
    );
    if outcome.diagnostics.is_empty() {
        writeln!(out, "## importgate: no violations\n")?;
        writeln!(out, "{checked}.")?;
        return write_notes(summary, out);
    }
    writeln!(
        out,
        "## importgate: {} and {} in {}\n",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        plural(summary.files_with_diagnostics, "file")
    )?;
    writeln!(
        out,
        "{checked}; {} in production code, {} in test code.",
        summary.by_context.production, summary.by_context.test
    )?;
    write_notes(summary, out)?;

    writeln!(out, "\n| Check | Rule | Findings |")?;
    writeln!(out, "| --- | --- | ---: |")?;
    let mut by_check_and_rule: BTreeMap<(&str, &str, Option<&str>), usize> = BTreeMap::new();
    for diagnostic in &outcome.diagnostics {
        let rule = diagnostic.rule.as_ref().map(|rule| rule.id.as_str());
        *by_check_and_rule
            .entry((diagnostic.code.code(), diagnostic.code.name(), rule))
            .or_default() += 1;
    }
    for ((code, name, rule), count) in &by_check_and_rule {
        writeln!(
            out,
            "| {code} {name} | {} | {count} |",
            rule.map_or(String::new(), code_span)
        )?;
    }

    let mut by_file: Vec<(&str, Vec<&Diagnostic>)> = Vec::new();
    for diagnostic in &outcome.diagnostics {
        match by_file.last_mut() {
            Some((path, diagnostics)) if *path == diagnostic.path => diagnostics.push(diagnostic),
            _ => by_file.push((&diagnostic.path, vec![diagnostic])),
        }
    }
    // A few files are shown open; a long report starts folded, one line per file.
    let open = if by_file.len() <= FILES_SHOWN_OPEN {
        " open"
    } else {
        ""
    };
    for (path, diagnostics) in &by_file {
        writeln!(
            out,
            "\n<details{open}>\n<summary>{} ({})</summary>\n",
            html_text(&context.display_path(path)),
            diagnostics.len()
        )?;
        writeln!(out, "| Line | Severity | Code | Rule | Message | Hint |")?;
        writeln!(out, "| ---: | --- | --- | --- | --- | --- |")?;
        for diagnostic in diagnostics {
            let severity = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(
                out,
                "| {}:{} | {severity} | {} | {} | {} | {} |",
                diagnostic.span.line,
                diagnostic.span.column,
                diagnostic.code.code(),
                diagnostic
                    .rule
                    .as_ref()
                    .map_or(String::new(), |rule| code_span(&rule.id)),
                message_cell(&diagnostic.message),
                diagnostic
                    .hint
                    .as_deref()
                    .map_or(String::new(), message_cell)
            )?;
        }
        writeln!(out, "\n</details>")?;
    }
    Ok(())
}

/// The summary's notes (fixable, baseline, suppressed, ...), a paragraph each.
fn write_notes(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    for note in summary.notes() {
        writeln!(out, "\n{}", message_cell(&note))?;
    }
    Ok(())
}

/// A message or hint as a table cell: its `` `code` `` spans stay code spans, the rest is
/// escaped text; line breaks become `<br>`.
fn message_cell(message: &str) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // An odd number of backticks: no spans to keep.
        return table_text(message);
    }
    let mut cell = String::with_capacity(message.len() + 8);
    for (index, part) in parts.iter().enumerate() {
        if index.is_multiple_of(2) {
            cell.push_str(&table_text(part));
        } else {
            cell.push_str(&code_span(part));
        }
    }
    cell
}

/// `text` as Markdown text inside a table cell: the characters that would start markup are
/// backslash-escaped, HTML's are entities, line breaks are `<br>`.
fn table_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '\n' => escaped.push_str("<br>"),
            '\r' => {}
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                escaped.push('\\');
                escaped.push(c);
            }
            c => escaped.push(c),
        }
    }
    escaped
}

/// `text` as a code span in a table cell: fenced by more backticks than any run inside it,
/// `|` escaped (GitHub splits cells before it parses spans), line breaks as spaces.
fn code_span(text: &str) -> String {
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let body = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    // A span that starts or ends with a backtick needs a space to keep its fence apart.
    let padding = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{padding}{body}{padding}{fence}")
}

/// Text for an HTML element (a `<summary>`): entities for HTML's characters.
fn html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_outlast_the_backticks_inside_them() {
        assert_eq!(code_span("a.b"), "`a.b`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`a"), "`` `a ``");
        assert_eq!(code_span("x|y"), "`x\\|y`");
    }

    #[test]
    fn text_from_the_tree_stays_text() {
        assert_eq!(
            message_cell("import `a.b` in <script>|[x](y)"),
            "import `a.b` in &lt;script&gt;\\|\\[x\\](y)"
        );
        assert_eq!(message_cell("odd ` tick"), "odd \\` tick");
        assert_eq!(message_cell("two\nlines"), "two<br>lines");
        assert_eq!(html_text("a<b>&c"), "a&lt;b&gt;&amp;c");
    }
}
