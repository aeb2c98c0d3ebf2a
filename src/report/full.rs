//! `--output-format full` (the default): each diagnostic as a miette report with a code
//! frame, the check code and rule id, the line of rules.toml that forbids it, and a `help:`
//! hint. Config errors are rendered the same way, pointing into rules.toml.

use super::ReportContext;
use crate::checks::CheckCode;
use crate::config::{ConfigError, ConfigErrors};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Outcome;
use crate::source::decode_python;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode, SourceSpan,
};
use std::fmt;
use std::io::{self, Write};
use std::path::Path;

/// One diagnostic, ready for miette.
#[derive(Debug)]
struct Report {
    message: String,
    code: String,
    severity: miette::Severity,
    source: Option<NamedSource<String>>,
    label: Option<LabeledSpan>,
    help: Option<String>,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|label| Box::new(std::iter::once(label)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(
                self.related
                    .iter()
                    .map(|report| report as &dyn miette::Diagnostic),
            ) as Box<dyn Iterator<Item = &dyn miette::Diagnostic>>
        })
    }
}

fn handler(color: bool, width: usize) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
}

fn write_report(report: &Report, color: bool, width: usize, out: &mut dyn Write) -> io::Result<()> {
    let mut rendered = String::new();
    handler(color, width)
        .render_report(&mut rendered, report)
        .map_err(io::Error::other)?;
    writeln!(out, "{rendered}")
}

/// A span that miette can draw inside `text` (clamped, so a stale span never panics).
fn source_span(start: usize, end: usize, text: &str) -> SourceSpan {
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    SourceSpan::new(start.into(), end - start)
}

pub(super) fn render(
    outcome: &Outcome,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let config_path = super::display_path(&context.config.path, &context.cwd);
    let config_text: String = context.config.text.to_string();
    // Files are re-read only for the frames, one at a time, in report order.
    let mut cached: Option<(String, Option<String>)> = None;
    for diagnostic in &outcome.diagnostics {
        if cached
            .as_ref()
            .is_none_or(|(path, _)| path != &diagnostic.path)
        {
            let text = outcome
                .files
                .read(&diagnostic.path)
                .map(|bytes| decode_python(bytes).text);
            cached = Some((diagnostic.path.clone(), text));
        }
        let text = cached.as_ref().and_then(|(_, text)| text.clone());
        let report = diagnostic_report(diagnostic, context, text, &config_path, &config_text);
        write_report(&report, context.color, context.width, out)?;
    }
    Ok(())
}

fn diagnostic_report(
    diagnostic: &Diagnostic,
    context: &ReportContext<'_>,
    text: Option<String>,
    config_path: &str,
    config_text: &str,
) -> Report {
    let info = diagnostic.code.info();
    let path = context.display_path(&diagnostic.path);
    let (source, label) = match text {
        Some(text) => {
            let span = source_span(
                diagnostic.span.start as usize,
                diagnostic.span.end as usize,
                &text,
            );
            let label = LabeledSpan::new_with_span(Some(info.name.to_string()), span);
            (Some(NamedSource::new(path.clone(), text)), Some(label))
        }
        None => (None, None),
    };
    // IG013 is itself located in rules.toml: a second frame of it would say nothing new.
    let related = diagnostic
        .rule
        .iter()
        .filter(|_| diagnostic.code != CheckCode::RegistryError)
        // An implicit rule (the default service-cycle check) has no line to show.
        .filter(|rule| !rule.span.is_empty())
        .map(|rule| Report {
            message: format!("rule `{}` in {config_path}", rule.id),
            code: String::new(),
            severity: miette::Severity::Advice,
            source: Some(NamedSource::new(config_path, config_text.to_string())),
            label: Some(LabeledSpan::new_with_span(
                Some(rule_label(diagnostic.code).to_string()),
                source_span(rule.span.start, rule.span.end, config_text),
            )),
            help: None,
            related: Vec::new(),
        })
        .collect();
    let code = match &diagnostic.rule {
        Some(rule) => format!("{} [{}]", info.code, rule.id),
        None => info.code.to_string(),
    };
    // The frame's header shows the location; without a frame the message must.
    let message = if source.is_some() {
        diagnostic.message.clone()
    } else {
        format!(
            "{path}:{}:{}: {}",
            diagnostic.span.line, diagnostic.span.column, diagnostic.message
        )
    };
    Report {
        message,
        code,
        severity: match diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        source,
        label,
        help: diagnostic.hint.clone(),
        related,
    }
}

/// What the registry entry a diagnostic enforces says, as the label under its line.
fn rule_label(code: CheckCode) -> &'static str {
    match code {
        CheckCode::NonCanonicalImport | CheckCode::DuplicateDefinition => "registered here",
        CheckCode::DeprecatedModule => "deprecated here",
        _ => "forbidden here",
    }
}

/// Renders every error of an invalid rules.toml, each with a label on the offending key or
/// value.
pub fn render_config_errors(
    errors: &ConfigErrors,
    cwd: &Path,
    color: bool,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let path = super::display_path(&errors.path, cwd);
    for error in &errors.errors {
        write_report(
            &config_report(error, &path, &errors.text),
            color,
            width,
            out,
        )?;
    }
    let count = errors.errors.len();
    writeln!(
        out,
        "{path}: {count} error{} in the registry; nothing was checked.",
        if count == 1 { "" } else { "s" }
    )
}

fn config_report(error: &ConfigError, path: &str, text: &str) -> Report {
    Report {
        message: error.message.clone(),
        code: "config".to_string(),
        severity: miette::Severity::Error,
        source: Some(NamedSource::new(path, text.to_string())),
        label: Some(LabeledSpan::new_with_span(
            Some(error.label.clone()),
            source_span(error.span.start, error.span.end, text),
        )),
        help: error.help.clone(),
        related: Vec::new(),
    }
}
