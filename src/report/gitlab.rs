//! `--output-format gitlab`: GitLab's Code Quality report (a JSON array), which merge
//! requests show as a widget. The fingerprint identifies an issue across line moves: it
//! hashes the check, rule, file, imported target and name, and how many identical issues
//! came before in the same file, never the line.

use super::ReportContext;
use crate::diagnostic::Severity;
use crate::engine::Outcome;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Content<'a>>,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

#[derive(Serialize)]
struct Content<'a> {
    body: &'a str,
}

pub(super) fn render(
    outcome: &Outcome,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let fingerprints = crate::diagnostic::fingerprints(&outcome.diagnostics);
    let issues: Vec<Issue<'_>> = outcome
        .diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(diagnostic, fingerprint)| {
            let title = match &diagnostic.rule {
                Some(rule) => format!(
                    "{} [{}] {}",
                    diagnostic.code.code(),
                    rule.id,
                    diagnostic.message
                ),
                None => format!("{} {}", diagnostic.code.code(), diagnostic.message),
            };
            Issue {
                description: title,
                check_name: diagnostic.code.name(),
                fingerprint,
                severity: match diagnostic.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                location: Location {
                    path: context.display_path(&diagnostic.path),
                    lines: Lines {
                        begin: diagnostic.span.line,
                        end: diagnostic.span.end_line,
                    },
                },
                content: diagnostic.hint.as_deref().map(|body| Content { body }),
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
