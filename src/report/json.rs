//! `--output-format json`: `{"version": 1, "summary": {...}, "diagnostics": [...]}`. The field
//! names are a public contract (see the README): add, never rename.

use super::Summary;
use crate::engine::Outcome;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: &'a Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
    rule: Option<&'a str>,
    hint: Option<&'a str>,
    context: &'static str,
    target: Option<&'a str>,
    name_imported: Option<&'a str>,
}

pub(super) fn render(outcome: &Outcome, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        version: 1,
        summary,
        diagnostics: outcome
            .diagnostics
            .iter()
            .map(|diagnostic| JsonDiagnostic {
                code: diagnostic.code.info().code,
                name: diagnostic.code.info().name,
                severity: diagnostic.severity.as_str(),
                path: &diagnostic.path,
                line: diagnostic.span.line,
                column: diagnostic.span.column,
                end_line: diagnostic.span.end_line,
                end_column: diagnostic.span.end_column,
                message: &diagnostic.message,
                rule: diagnostic.rule.as_ref().map(|rule| rule.id.as_str()),
                hint: diagnostic.hint.as_deref(),
                context: diagnostic.context.as_str(),
                target: diagnostic.target.as_deref(),
                name_imported: diagnostic.name_imported.as_deref(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
