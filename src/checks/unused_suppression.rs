//! ## What it does
//! Applies the suppression comments and reports the ones that do not do their job.
//!
//! `# importgate: ignore[IG001]` (codes or kebab-case names, comma-separated) at the end of
//! a line suppresses those checks' diagnostics on that line, or, for an import spanning
//! several lines, on every line of the statement when the comment sits on its first line.
//! Standing alone on its line, the comment covers the next line. Without a code list it
//! covers every check. `# importgate: ignore-file[IG021]` anywhere in a file, on a line of
//! its own, covers the whole file. Text after `--` is the reason; with
//! `require-suppression-reason = true` in `[settings]`, a suppression without one is not
//! applied and is reported.
//!
//! Reported: a suppression (or one code of it) that suppresses nothing, an unknown code, a
//! malformed comment, and a missing reason when reasons are required.
//!
//! ## Why is this bad?
//! A suppression that suppresses nothing outlives the problem it was written for and hides
//! the next one that appears on that line. A misspelt code suppresses nothing at all.
//!
//! ## Example
//! ```python
//! import json  # importgate: ignore[IG001]
//! ```
//!
//! ## Use instead
//! ```python
//! import json
//! ```
//!
//! ## Fix
//! Not fixable automatically yet: delete the comment, or the codes it lists in vain.

use super::{CheckCode, CheckInfo, FixAvailability};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{CodeContext, Suppression, SuppressionScope};
use std::collections::HashMap;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "A suppression comment that suppresses nothing, or is invalid",
    fix: FixAvailability::None,
    default_severity: Severity::Warning,
    source: include_str!("unused_suppression.rs"),
};

/// The suppressions of one file, with their context.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct FileSuppressions {
    /// Production or test.
    pub context: CodeContext,
    /// The comments.
    pub suppressions: Vec<Suppression>,
}

/// Drops the diagnostics that a suppression covers and adds IG902 diagnostics for the
/// suppressions that cover nothing or are invalid. Returns how many were suppressed.
///
/// A code whose check is switched off in the file (`checks`) is never reported as
/// suppressing nothing: the check did not run, so nobody knows, and switching a check off
/// for a while must not turn its suppressions into warnings.
pub fn apply_suppressions(
    diagnostics: &mut Vec<Diagnostic>,
    by_path: &HashMap<String, FileSuppressions>,
    require_reason: bool,
    checks: &crate::config::CheckSelection,
) -> usize {
    if by_path.is_empty() {
        return 0;
    }
    // used[path][suppression][code index] (or [0] for "every check").
    let mut used: HashMap<&str, Vec<Vec<bool>>> = by_path
        .iter()
        .map(|(path, file)| {
            let flags = file
                .suppressions
                .iter()
                .map(|suppression| vec![false; suppression.codes.len().max(1)])
                .collect();
            (path.as_str(), flags)
        })
        .collect();
    let before = diagnostics.len();
    diagnostics.retain(|diagnostic| {
        let Some(file) = by_path.get(&diagnostic.path) else {
            return true;
        };
        let Some(flags) = used.get_mut(diagnostic.path.as_str()) else {
            return true;
        };
        let mut suppressed = false;
        for (suppression, flags) in file.suppressions.iter().zip(flags.iter_mut()) {
            if !is_usable(suppression, require_reason) || !covers_line(suppression, diagnostic) {
                continue;
            }
            if suppression.codes.is_empty() {
                flags[0] = true;
                suppressed = true;
            } else if let Some(position) = suppression
                .codes
                .iter()
                .position(|code| CheckCode::find(code) == Some(diagnostic.code))
            {
                flags[position] = true;
                suppressed = true;
            }
        }
        !suppressed
    });
    let suppressed = before - diagnostics.len();

    for (path, file) in by_path {
        if !checks.is_enabled_in(CheckCode::UnusedSuppression, path) {
            continue;
        }
        let flags = &used[path.as_str()];
        for (suppression, flags) in file.suppressions.iter().zip(flags) {
            let mut report = |message: String, severity: Severity| {
                diagnostics.push(Diagnostic {
                    hint: Some("remove it, or correct it".to_string()),
                    ..Diagnostic::new(
                        CheckCode::UnusedSuppression,
                        severity,
                        path.clone(),
                        suppression.span,
                        message,
                        file.context,
                    )
                });
            };
            if let Some(problem) = &suppression.malformed {
                report(
                    format!("not a valid suppression: {problem}"),
                    Severity::Warning,
                );
                continue;
            }
            if require_reason && suppression.reason.is_none() {
                report(
                    "suppression without a reason: write `-- why` after it (`require-suppression-reason` is set)"
                        .to_string(),
                    Severity::Error,
                );
                continue;
            }
            if suppression.codes.is_empty() {
                if !flags[0] {
                    report(
                        "this suppression suppresses nothing".to_string(),
                        Severity::Warning,
                    );
                }
                continue;
            }
            for (code, used) in suppression.codes.iter().zip(flags) {
                let Some(check) = CheckCode::find(code) else {
                    report(
                        format!("unknown check `{code}` in suppression"),
                        Severity::Warning,
                    );
                    continue;
                };
                if !used && checks.is_enabled_in(check, path) {
                    report(
                        format!("`{code}` in this suppression suppresses nothing"),
                        Severity::Warning,
                    );
                }
            }
        }
    }
    suppressed
}

fn is_usable(suppression: &Suppression, require_reason: bool) -> bool {
    suppression.malformed.is_none() && (!require_reason || suppression.reason.is_some())
}

fn covers_line(suppression: &Suppression, diagnostic: &Diagnostic) -> bool {
    if suppression.scope == SuppressionScope::File {
        return true;
    }
    let covers = |line: u32| {
        line == suppression.line || (suppression.own_line && line == suppression.line + 1)
    };
    covers(diagnostic.span.line) || diagnostic.statement_line.is_some_and(covers)
}
