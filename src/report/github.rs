//! `--output-format github`: GitHub Actions workflow commands, which the Actions runner turns
//! into annotations on the changed lines of a pull request. Paths are relative to the git
//! repository's top level (GitHub matches annotations to the pull request's files by it),
//! whatever the working directory and wherever rules.toml is.

use super::ReportContext;
use crate::diagnostic::Severity;
use crate::engine::Outcome;
use std::io::{self, Write};

pub(super) fn render(
    outcome: &Outcome,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    for diagnostic in &outcome.diagnostics {
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let title = match &diagnostic.rule {
            Some(rule) => format!("{} [{}]", diagnostic.code.code(), rule.id),
            None => format!("{} {}", diagnostic.code.code(), diagnostic.code.name()),
        };
        let mut message = diagnostic.message.clone();
        if let Some(hint) = &diagnostic.hint {
            message.push_str("\nhelp: ");
            message.push_str(hint);
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&context.repository_path(&diagnostic.path)),
            diagnostic.span.line,
            diagnostic.span.column,
            diagnostic.span.end_line,
            diagnostic.span.end_column,
            escape_property(&title),
            escape_data(&message)
        )?;
    }
    Ok(())
}

/// Workflow-command escaping of the message part.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command escaping of a `key=value` property.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
