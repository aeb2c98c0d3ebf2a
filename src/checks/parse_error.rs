//! ## What it does
//! Reports a file that does not parse completely: Python 2 syntax, a merge-conflict marker,
//! an unfinished edit. The parser recovers and the imports it could read are still checked,
//! so one broken file neither hides the rest of its imports nor stops the run. The first
//! syntax error is shown, with the number of further ones. A file nested deeper than CPython
//! accepts (more than 200 brackets, 100 levels of indentation, or expressions thousands of
//! levels deep) is reported with CPython's message and not parsed at all: it could
//! overflow the stack, and Python cannot import it anyway.
//!
//! In Rust: a file syn cannot parse is reported with syn's message and position; syn has no
//! recovery, so its facts are empty (its imports are not checked) and the run goes on.
//! Nesting deeper than syn can descend without overflowing its stack is refused the same
//! way, before parsing.
//!
//! ## Why is this bad?
//! Python refuses to import a file with a syntax error, so whatever imports it fails at
//! run time. It also means the import facts of that file may be incomplete.
//!
//! ## Example
//! ```python
//! from auth_service.auth_core.core.session_manager import SessionManager
//! print "session ready"
//! ```
//!
//! ## Use instead
//! Fix the syntax, or exclude the file (`exclude` in `[settings]`) if it is not code that
//! runs (a backup, a template).
//!
//! ## Fix
//! Not fixable automatically.

use super::{CheckCode, CheckInfo, FileInput, Findings, FixAvailability};
use crate::diagnostic::Severity;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "The file could not be parsed completely",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("parse_error.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    let Some(syntax) = &input.facts.syntax else {
        return;
    };
    let further = match syntax.further_errors {
        0 => String::new(),
        1 => " (and 1 more syntax error)".to_string(),
        n => format!(" (and {n} more syntax errors)"),
    };
    let mut diagnostic = input.diagnostic(
        CheckCode::ParseError,
        INFO.default_severity,
        syntax.span,
        format!("syntax error: {}{further}", printable(&syntax.message)),
    );
    diagnostic.hint = Some(match input.facts.imports.len() {
        _ if syntax.not_parsed => "importgate does not parse a file nested deeper than CPython \
                                   accepts: none of its imports is checked"
            .to_string(),
        0 => "the parser recovered no import from this file".to_string(),
        1 => "the 1 import the parser recovered from this file is still checked".to_string(),
        n => format!("the {n} imports the parser recovered from this file are still checked"),
    });
    findings.diagnostics.push(diagnostic);
}

/// The parser quotes the offending source, which may hold NUL or other control characters
/// that would garble a terminal or a CI log: show those escaped.
fn printable(message: &str) -> String {
    message
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .trim_end()
        .to_string()
}
