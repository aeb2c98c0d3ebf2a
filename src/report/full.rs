//! `--output-format full` (the default): each diagnostic as a miette report with a code
//! frame, the check code and rule id, the line of rules.toml that forbids it, and a `help:`
//! hint. Config errors are rendered the same way, pointing into rules.toml.

use super::visible::{push_visible, visible};
use super::ReportContext;
use crate::codes::CheckCode;
use crate::config::{ConfigError, ConfigErrors};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Outcome;
use crate::source::decode_file;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
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
    source: Option<Excerpt>,
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

/// A text with its line starts, indexed once for every frame drawn from it (a file with
/// 20,000 findings is not scanned 20,000 times).
struct Indexed {
    text: String,
    line_starts: Vec<usize>,
}

impl Indexed {
    fn new(text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|newline| newline + 1))
            .collect();
        Self { text, line_starts }
    }

    /// The 0-based line that holds `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// The text of 0-based `line` without its line ending.
    fn line(&self, line: usize) -> &str {
        let start = self.line_starts[line];
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        let line = &self.text[start..end.max(start)];
        line.strip_suffix('\r').unwrap_or(line)
    }
}

/// Lines of context above and below a frame's span (miette's default).
const CONTEXT_LINES: usize = 1;
/// The most lines of a span a frame shows (an unparsable 50,000-line file is one span).
const MAX_SPAN_LINES: usize = 8;
/// The most bytes of one line a frame shows: a 29 MB line is cut around the span.
const MAX_LINE_BYTES: usize = 240;
/// How much of a long line is kept before the span's start.
const LEAD_BYTES: usize = 60;

/// The lines of a text that one frame shows: cut to length, control characters escaped,
/// numbered as in the file.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    first_line: usize,
    /// The span of the label in the excerpt, with the 0-based line and byte column where
    /// it starts in the file (for the frame's `path:line:column` header: the excerpt's own
    /// column differs when the line was cut or holds escaped characters).
    label: (SourceSpan, usize, usize),
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self.text.as_str().read_span(span, before, after)?;
        let (line, column) = if *span == self.label.0 && before == 0 && after == 0 {
            (self.label.1, self.label.2)
        } else {
            (contents.line() + self.first_line, contents.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            line,
            column,
            contents.line_count(),
        )))
    }
}

/// The excerpt of `source` around the byte range `start..end`, and that range inside it.
fn excerpt(source: &Indexed, name: &str, start: usize, end: usize) -> (Excerpt, SourceSpan) {
    let length = source.text.len();
    let start = floor_boundary(&source.text, start.min(length));
    let end = floor_boundary(&source.text, end.clamp(start, length));
    let start_line = source.line_of(start);
    let span_end_line = source.line_of(end);
    let end_line = span_end_line.min(start_line + MAX_SPAN_LINES - 1);
    let first = start_line.saturating_sub(CONTEXT_LINES);
    // The empty "line" after a final newline is not shown as context.
    let lines = source.line_starts.len() - usize::from(source.text.ends_with('\n'));
    let last = (end_line + CONTEXT_LINES)
        .min(lines.saturating_sub(1))
        .max(end_line);
    let mut text = String::new();
    let (mut shown_start, mut shown_end) = (None, None);
    for line in first..=last {
        let line_start = source.line_starts[line];
        let content = source.line(line);
        // A long line is cut around the span's start when the span starts on it.
        let anchor = if line == start_line {
            start - line_start
        } else {
            0
        };
        let (from, to) = if content.len() <= MAX_LINE_BYTES {
            (0, content.len())
        } else {
            let from = floor_boundary(content, anchor.saturating_sub(LEAD_BYTES));
            let to = floor_boundary(content, (from + MAX_LINE_BYTES).min(content.len()));
            (from, to)
        };
        if from > 0 {
            text.push('…');
        }
        for (at, c) in content[from..to].char_indices() {
            let offset = line_start + from + at;
            if offset == start {
                shown_start = Some(text.len());
            }
            if offset == end {
                shown_end = Some(text.len());
            }
            push_visible(&mut text, c);
        }
        // A span that ends past the kept part of its line ends where the part does.
        if shown_start.is_none() && line == start_line {
            shown_start = Some(text.len());
        }
        if shown_end.is_none() && line == span_end_line {
            shown_end = Some(text.len());
        }
        if to < content.len() {
            text.push('…');
        }
        text.push('\n');
    }
    let shown_start = shown_start.unwrap_or(text.len().saturating_sub(1));
    let shown_end = shown_end
        .unwrap_or(text.len().saturating_sub(1))
        .max(shown_start);
    let span = SourceSpan::new(shown_start.into(), shown_end - shown_start);
    let excerpt = Excerpt {
        name: visible(name).into_owned(),
        text,
        first_line: first,
        label: (span, start_line, start - source.line_starts[start_line]),
    };
    (excerpt, span)
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

pub(super) fn render(
    outcome: &Outcome,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let config_path = super::display_path(&context.config.path, &context.cwd);
    let config_text = Indexed::new(context.config.text.to_string());
    // Files are re-read only for the frames, one at a time, in report order.
    let mut cached: Option<(&str, Option<Indexed>)> = None;
    for diagnostic in &outcome.diagnostics {
        if cached
            .as_ref()
            .is_none_or(|(path, _)| *path != diagnostic.path)
        {
            let text = outcome
                .files
                .read(&diagnostic.path)
                .map(|bytes| Indexed::new(decode_file(Path::new(&diagnostic.path), bytes).text));
            cached = Some((&diagnostic.path, text));
        }
        let text = cached.as_ref().and_then(|(_, text)| text.as_ref());
        let report = diagnostic_report(diagnostic, context, text, &config_path, &config_text);
        write_report(&report, context.color, context.width, out)?;
    }
    Ok(())
}

fn diagnostic_report(
    diagnostic: &Diagnostic,
    context: &ReportContext<'_>,
    text: Option<&Indexed>,
    config_path: &str,
    config_text: &Indexed,
) -> Report {
    let path = context.display_path(&diagnostic.path);
    let (source, label) = match text {
        Some(text) => {
            let (excerpt, span) = excerpt(
                text,
                &path,
                diagnostic.span.start as usize,
                diagnostic.span.end as usize,
            );
            let label = LabeledSpan::new_with_span(Some(diagnostic.code.name().to_string()), span);
            (Some(excerpt), Some(label))
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
        .map(|rule| {
            let (excerpt, span) = excerpt(config_text, config_path, rule.span.start, rule.span.end);
            Report {
                message: visible(&format!("rule `{}` in {config_path}", rule.id)).into_owned(),
                code: String::new(),
                severity: miette::Severity::Advice,
                source: Some(excerpt),
                label: Some(LabeledSpan::new_with_span(
                    Some(rule_label(diagnostic.code).to_string()),
                    span,
                )),
                help: None,
                related: Vec::new(),
            }
        })
        .collect();
    let code = match &diagnostic.rule {
        Some(rule) => format!("{} [{}]", diagnostic.code.code(), visible(&rule.id)),
        None => diagnostic.code.code().to_string(),
    };
    // The frame's header shows the location; without a frame the message must.
    let message = if source.is_some() {
        visible(&diagnostic.message).into_owned()
    } else {
        visible(&format!(
            "{path}:{}:{}: {}",
            diagnostic.span.line, diagnostic.span.column, diagnostic.message
        ))
        .into_owned()
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
        help: diagnostic
            .hint
            .as_deref()
            .map(|hint| visible(hint).into_owned()),
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
    let text = Indexed::new(errors.text.clone());
    for error in &errors.errors {
        write_report(&config_report(error, &path, &text), color, width, out)?;
    }
    let count = errors.errors.len();
    writeln!(
        out,
        "{}: {count} error{} in the registry; nothing was checked.",
        visible(&path),
        if count == 1 { "" } else { "s" }
    )
}

fn config_report(error: &ConfigError, path: &str, text: &Indexed) -> Report {
    let (excerpt, span) = excerpt(text, path, error.span.start, error.span.end);
    Report {
        message: visible(&error.message).into_owned(),
        code: "config".to_string(),
        severity: miette::Severity::Error,
        source: Some(excerpt),
        label: Some(LabeledSpan::new_with_span(
            Some(visible(&error.label).into_owned()),
            span,
        )),
        help: error.help.as_deref().map(|help| visible(help).into_owned()),
        related: Vec::new(),
    }
}
