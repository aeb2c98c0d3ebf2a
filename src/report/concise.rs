//! `--output-format concise`: `path:line:col: IG001 [rule-id] message`, one line each.

use super::ReportContext;
use crate::engine::Outcome;
use std::io::{self, Write};

pub(super) fn render(
    outcome: &Outcome,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    for diagnostic in &outcome.diagnostics {
        let rule = diagnostic
            .rule
            .as_ref()
            .map_or_else(String::new, |rule| format!(" [{}]", rule.id));
        writeln!(
            out,
            "{}:{}:{}: {}{rule} {}",
            context.display_path(&diagnostic.path),
            diagnostic.span.line,
            diagnostic.span.column,
            diagnostic.code.code(),
            diagnostic.message
        )?;
    }
    Ok(())
}
