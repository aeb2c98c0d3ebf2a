//! `--output-format json`: `{"version": 1, "summary": {...}, "diagnostics": [...]}`. The field
//! names are a public contract (see the README): add, never rename.

use super::Summary;
use crate::engine::Outcome;
use crate::source::decode_file;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: &'a Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
pub(super) struct JsonDiagnostic<'a> {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) severity: &'static str,
    pub(super) path: &'a str,
    pub(super) line: u32,
    pub(super) column: u32,
    pub(super) end_line: u32,
    pub(super) end_column: u32,
    pub(super) message: &'a str,
    pub(super) rule: Option<&'a str>,
    pub(super) hint: Option<&'a str>,
    pub(super) context: &'static str,
    pub(super) target: Option<&'a str>,
    pub(super) name_imported: Option<&'a str>,
    pub(super) fix: Option<JsonFix<'a>>,
    /// Only on chain and cycle diagnostics.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub(super) chain: &'a [crate::diagnostic::Hop],
}

#[derive(Serialize)]
pub(super) struct JsonFix<'a> {
    pub(super) applicability: &'static str,
    pub(super) description: &'a str,
    pub(super) edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
pub(super) struct JsonEdit<'a> {
    pub(super) start: Position,
    pub(super) end: Position,
    pub(super) content: &'a str,
}

#[derive(Serialize, Clone, Copy)]
pub(super) struct Position {
    pub(super) line: u32,
    pub(super) column: u32,
}

fn position(text: &str, offset: u32) -> Position {
    let (line, column) = crate::source::line_column(text, offset as usize);
    Position { line, column }
}

/// The JSON object of every diagnostic, as the `json` and `json-lines` formats write them.
pub(super) fn diagnostic_objects<'a>(outcome: &'a Outcome) -> Vec<JsonDiagnostic<'a>> {
    // Edit positions need the text of the files that have fixes, read once each.
    let mut texts: HashMap<&str, String> = HashMap::new();
    for diagnostic in outcome
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.fix.is_some())
    {
        texts.entry(diagnostic.path.as_str()).or_insert_with(|| {
            outcome
                .files
                .read(&diagnostic.path)
                .map(|bytes| decode_file(Path::new(&diagnostic.path), bytes).text)
                .unwrap_or_default()
        });
    }
    outcome
        .diagnostics
        .iter()
        .map(|diagnostic| JsonDiagnostic {
            code: diagnostic.code.code(),
            name: diagnostic.code.name(),
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
            fix: diagnostic.fix.as_ref().map(|fix| {
                let text = texts
                    .get(diagnostic.path.as_str())
                    .map_or("", String::as_str);
                JsonFix {
                    applicability: fix.applicability.as_str(),
                    description: &fix.description,
                    edits: fix
                        .edits
                        .iter()
                        .map(|edit| JsonEdit {
                            start: position(text, edit.start),
                            end: position(text, edit.end),
                            content: &edit.replacement,
                        })
                        .collect(),
                }
            }),
            chain: &diagnostic.chain,
        })
        .collect()
}

pub(super) fn render(outcome: &Outcome, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        version: 1,
        summary,
        diagnostics: diagnostic_objects(outcome),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
