//! ## What it does
//! Reports a file that could not be read (permissions, a broken link, a file removed during
//! the run) or whose bytes are not valid in its encoding: UTF-8, or the encoding its PEP 263
//! coding cookie declares (every codec CPython has for Latin, Cyrillic, Greek, Hebrew,
//! Arabic, Thai, Japanese, Chinese and Korean text, by any of CPython's names for it). A
//! cookie naming a codec importgate does not decode (cp437, UTF-16) is reported too, and one
//! naming no codec CPython knows (`latin-9`: Python refuses the file). An undecodable file is
//! still checked, with its invalid bytes replaced, but offers no fix; an unreadable one is
//! skipped. So is a file that is not a regular file (a FIFO or device put in a file's place:
//! never waited on), one over 16 MiB (its syntax tree would cost gigabytes), and, as a warning, a symlink to a file outside the
//! governed root (never read, so that a committed `leak.py -> /proc/self/environ` cannot
//! print a CI job's secrets).
//!
//! ## Why is this bad?
//! Python cannot import such a file either (`SyntaxError: Non-UTF-8 code starting with
//! '\xff'`), and a linter that silently skips it would hide its imports.
//!
//! ## Example
//! A file saved in Latin-1 by an old editor, with `café` in a comment and no coding cookie.
//!
//! ## Use instead
//! Re-save the file as UTF-8, or declare its encoding on the first line:
//! ```python
//! # -*- coding: latin-1 -*-
//! ```
//!
//! ## Fix
//! Not fixable automatically.

use super::{CheckCode, CheckInfo, FileInput, Findings, FixAvailability};
use crate::diagnostic::Severity;
use crate::model::{ReadProblem, Span};

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "The file could not be read or decoded",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("unreadable_file.rs"),
};

pub(super) fn check(input: &FileInput<'_>, findings: &mut Findings) {
    let Some(problem) = &input.facts.read else {
        return;
    };
    let (span, message) = match problem {
        ReadProblem::Io(error) => (Span::FILE_START, format!("cannot read the file: {error}")),
        ReadProblem::Decode {
            message,
            line,
            line_start,
        } => (
            Span {
                start: *line_start,
                end: *line_start,
                line: *line,
                end_line: *line,
                ..Span::FILE_START
            },
            message.clone(),
        ),
    };
    findings.diagnostics.push(input.diagnostic(
        CheckCode::UnreadableFile,
        INFO.default_severity,
        span,
        message,
    ));
}
