//! The `importgate: ignore[CODE, ...] -- reason` directive of a suppression comment, the
//! same in every language: each frontend finds its comments (`#` in Python, `//` in Rust)
//! and hands their text here.

use crate::model::{Span, Suppression, SuppressionScope};

/// A parsed directive, not yet placed in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    scope: SuppressionScope,
    codes: Vec<Box<str>>,
    reason: Option<Box<str>>,
    malformed: Option<String>,
}

/// The directive in a comment's text (its marker removed); `None` when the comment does not
/// start with `importgate:`.
pub fn directive(comment: &str) -> Option<Directive> {
    let directive = comment.trim_start().strip_prefix("importgate:")?.trim();
    let (directive, reason) = match directive.split_once("--") {
        Some((directive, reason)) => (
            directive.trim(),
            Some(reason.trim()).filter(|reason| !reason.is_empty()),
        ),
        None => (directive, None),
    };
    let (keyword, codes) = match directive.split_once('[') {
        Some((keyword, rest)) => (keyword.trim(), Some(rest)),
        None => (directive, None),
    };
    let mut malformed = None;
    let scope = match keyword {
        "ignore" => SuppressionScope::Line,
        "ignore-file" => SuppressionScope::File,
        other => {
            malformed = Some(format!("`{other}` is not `ignore` or `ignore-file`"));
            SuppressionScope::Line
        }
    };
    let codes = match codes {
        None => Vec::new(),
        Some(rest) => match rest.strip_suffix(']') {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|code| !code.is_empty())
                .map(Box::from)
                .collect(),
            None => {
                malformed.get_or_insert_with(|| "the code list is not closed with `]`".to_string());
                Vec::new()
            }
        },
    };
    Some(Directive {
        scope,
        codes,
        reason: reason.map(Box::from),
        malformed,
    })
}

impl Directive {
    /// The suppression of a comment at `span`; `own_line` when nothing but blanks precede it
    /// on its line (it then covers the next line too).
    pub fn at(self, span: Span, own_line: bool) -> Suppression {
        Suppression {
            scope: self.scope,
            line: span.line,
            own_line,
            codes: self.codes,
            reason: self.reason,
            span,
            malformed: self.malformed,
        }
    }
}
