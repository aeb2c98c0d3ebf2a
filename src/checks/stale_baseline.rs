//! ## What it does
//! Reports an entry of the baseline (`importgate-baseline.json`) that no longer matches a
//! violation: the import was removed or fixed, the file was moved, or the rule changed. The
//! warning is on the file the entry names; an entry that counted several identical
//! violations says how many of them are gone.
//!
//! ## Why is this bad?
//! A stale entry is a free pass: the next time someone writes the same import into that
//! file, the baseline would silently accept it. A baseline should only ever shrink.
//!
//! ## Example
//! The baseline knows two `import pickle` in `tools/cache.py`; one was removed, so one of
//! the two entries is stale.
//!
//! ## Use instead
//! Run `importgate check --prune-baseline`, which rewrites the baseline without the stale
//! entries (it never adds any), and commit the smaller file.
//!
//! ## Fix
//! Not fixable by `--fix`; `--prune-baseline` removes the entries.

use super::{CheckCode, CheckInfo, FixAvailability};
use crate::baseline::Entry;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{CodeContext, Span};

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "A baseline entry no longer matches any violation",
    fix: FixAvailability::None,
    default_severity: Severity::Warning,
    source: include_str!("stale_baseline.rs"),
};

/// The warning for a baseline entry with `entry.count` unmatched violations.
/// The entry's rule is named in the message, not as the diagnostic's rule: the diagnostic
/// is about the baseline, and the rule's line in rules.toml is not what needs changing.
pub fn stale_baseline_diagnostic(entry: &Entry, baseline_file: &str) -> Diagnostic {
    let mut what = entry.code.clone();
    if let Some(rule) = &entry.rule {
        what.push_str(&format!(" [{rule}]"));
    }
    match (&entry.target, &entry.name, &entry.message) {
        (Some(target), Some(name), _) => what.push_str(&format!(" `{name}` from `{target}`")),
        (Some(target), None, _) => what.push_str(&format!(" `{target}`")),
        (None, _, Some(message)) => what.push_str(&format!(": {message}")),
        (None, _, None) => {}
    }
    let gone = if entry.count == 1 {
        "1 known violation is".to_string()
    } else {
        format!("{} known violations are", entry.count)
    };
    Diagnostic {
        target: entry.target.clone(),
        name_imported: entry.name.clone(),
        hint: Some(format!(
            "run `importgate check --prune-baseline` to drop it from {baseline_file}"
        )),
        ..Diagnostic::new(
            CheckCode::StaleBaseline,
            Severity::Warning,
            entry.path.clone(),
            Span::FILE_START,
            format!("stale baseline entry: {gone} gone ({what})"),
            CodeContext::Production,
        )
    }
}
