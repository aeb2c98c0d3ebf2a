//! The baseline: the violations a repository already had when it adopted importgate, so that
//! `check` reports only new ones. Entries are keyed by check, rule, file, imported target and
//! name (the message for findings without a target), never by line, and counted, so two
//! identical imports in one file are two known violations and a third one is new.
//!
//! The file is plain JSON, sorted, one entry per key, so that it diffs well in review:
//! ```json
//! { "version": 1, "entries": [ { "code": "IG001", "rule": "r", "path": "a.py",
//!   "target": "x.y", "name": "Z", "count": 2 } ] }
//! ```

use crate::diagnostic::{Diagnostic, Identity};
use crate::guarded_io::{read_regular_text, ReadError, BASELINE_LIMIT};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::config::DEFAULT_BASELINE_FILE;

/// The format version written into the file.
const BASELINE_VERSION: u32 = 1;

/// One known violation (or `count` identical ones).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// The file, relative to the governed root.
    pub path: String,
    /// The check code (`IG001`).
    pub code: String,
    /// The registry rule id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The imported module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The imported name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The message, for findings without a target (parse errors, suppressions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// How many identical violations the file had.
    pub count: usize,
}

impl Entry {
    fn key(&self) -> Identity<'_> {
        Identity {
            code: crate::codes::CheckCode::find(&self.code).map_or("", |code| code.code()),
            rule: self.rule.as_deref(),
            path: &self.path,
            target: self.target.as_deref(),
            name: self.name.as_deref(),
            message: self.message.as_deref(),
        }
    }

    fn from_identity(identity: Identity<'_>, count: usize) -> Self {
        Entry {
            path: identity.path.to_string(),
            code: identity.code.to_string(),
            rule: identity.rule.map(str::to_string),
            target: identity.target.map(str::to_string),
            name: identity.name.map(str::to_string),
            message: identity.message.map(str::to_string),
            count,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    entries: Vec<Entry>,
}

/// The known violations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    /// Sorted entries, one per key.
    pub entries: Vec<Entry>,
}

/// Why a baseline could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file exists but cannot be read.
    #[error("cannot read the baseline {path}: {source}")]
    Read {
        /// The file, as shown.
        path: String,
        /// Why.
        source: ReadError,
    },
    /// The file is not a baseline.
    #[error("{path}:{line}:{column}: not a valid baseline: {message}")]
    Invalid {
        /// The file, as shown.
        path: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file cannot be written.
    #[error("cannot write the baseline {path}: {source}")]
    Write {
        /// The file, as shown.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// What applying a baseline to a run did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Diagnostics dropped because the baseline knows them.
    pub ignored: usize,
    /// Entries (with the count left over) that matched nothing in the files checked.
    pub stale: Vec<Entry>,
    /// The baseline without its stale counts: what `--prune-baseline` writes.
    pub pruned: Baseline,
}

impl Baseline {
    /// The baseline of a run's diagnostics.
    pub fn from_diagnostics(diagnostics: &[Diagnostic]) -> Self {
        let mut counts: BTreeMap<Identity<'_>, usize> = BTreeMap::new();
        for diagnostic in diagnostics {
            *counts.entry(diagnostic.identity()).or_insert(0) += 1;
        }
        Self::from_counts(counts)
    }

    fn from_counts(counts: BTreeMap<Identity<'_>, usize>) -> Self {
        let mut entries: Vec<Entry> = counts
            .into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|(identity, count)| Entry::from_identity(identity, count))
            .collect();
        entries.sort();
        Self { entries }
    }

    /// Reads the baseline at `path` (`shown` names it in errors); `Ok(None)` when there is
    /// no such file.
    pub fn load(path: &Path, shown: &str) -> Result<Option<Self>, BaselineError> {
        let text = match read_regular_text(path, BASELINE_LIMIT) {
            Ok(text) => text,
            Err(error) if error.is_not_found() => return Ok(None),
            Err(source) => {
                return Err(BaselineError::Read {
                    path: shown.to_string(),
                    source,
                })
            }
        };
        Self::parse(shown, &text).map(Some)
    }

    fn parse(shown: &str, text: &str) -> Result<Self, BaselineError> {
        let invalid = |line, column, message: String| BaselineError::Invalid {
            path: shown.to_string(),
            line,
            column,
            message,
        };
        let file: BaselineFile = serde_json::from_str(text).map_err(|error| {
            let message = error.to_string();
            // serde_json appends " at line L column C"; the position is shown up front.
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(text, _)| text)
                .to_string();
            invalid(error.line(), error.column(), message)
        })?;
        if file.version != BASELINE_VERSION {
            return Err(invalid(
                1,
                1,
                format!(
                    "version {} is not supported (this importgate writes version {BASELINE_VERSION})",
                    file.version
                ),
            ));
        }
        if let Some(entry) = file
            .entries
            .iter()
            .find(|entry| crate::codes::CheckCode::find(&entry.code).is_none())
        {
            return Err(invalid(
                1,
                1,
                format!("unknown check code `{}` in an entry", entry.code),
            ));
        }
        if let Some(entry) = file.entries.iter().find(|entry| !is_tree_path(&entry.path)) {
            return Err(invalid(
                1,
                1,
                format!(
                    "the entry path {:?} is not a path inside the governed root (relative, `/`-separated, without `..`)",
                    entry.path
                ),
            ));
        }
        // Entries written by hand may repeat a key: their counts add up (saturating: a
        // count of u64::MAX is as good as infinite, not a wrap to zero).
        let mut counts: BTreeMap<Identity<'_>, usize> = BTreeMap::new();
        for entry in &file.entries {
            let count = counts.entry(entry.key()).or_insert(0);
            *count = count.saturating_add(entry.count);
        }
        Ok(Self::from_counts(counts))
    }

    /// The file text: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let file = BaselineFile {
            version: BASELINE_VERSION,
            entries: self.entries.clone(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes the baseline atomically (a reader never sees half a file); `shown` names it in
    /// errors.
    pub fn write(&self, path: &Path, shown: &str) -> Result<(), BaselineError> {
        crate::atomic_file::replace(path, self.to_json().as_bytes()).map_err(|source| {
            BaselineError::Write {
                path: shown.to_string(),
                source,
            }
        })
    }

    /// Total violations known.
    pub fn violations(&self) -> usize {
        self.entries
            .iter()
            .fold(0, |total: usize, entry| total.saturating_add(entry.count))
    }

    /// Whether `other` knows a violation this baseline does not (a new key, or a higher
    /// count): writing it would grow the baseline.
    pub fn grows_into(&self, other: &Baseline) -> bool {
        let known: BTreeMap<Identity<'_>, usize> = self
            .entries
            .iter()
            .map(|entry| (entry.key(), entry.count))
            .collect();
        other.entries.iter().any(|entry| {
            known
                .get(&entry.key())
                .is_none_or(|count| entry.count > *count)
        })
    }

    /// Drops the diagnostics the baseline knows (each entry absorbs at most `count` of them)
    /// and finds the entries that no longer match. Entries outside `in_scope(path, code)` (a
    /// file not checked by a run on a few PATHS, a check switched off) are neither matched
    /// nor stale, and stay in the pruned baseline.
    pub fn apply(
        &self,
        diagnostics: &mut Vec<Diagnostic>,
        in_scope: impl Fn(&str, &str) -> bool,
    ) -> Applied {
        // Keyed by the joined identity: diagnostics and entries borrow from different places.
        let mut left: BTreeMap<String, usize> = self
            .entries
            .iter()
            .map(|entry| (entry.key().joined(), entry.count))
            .collect();
        let mut ignored = 0;
        diagnostics.retain(
            |diagnostic| match left.get_mut(&diagnostic.identity().joined()) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    ignored += 1;
                    false
                }
                _ => true,
            },
        );
        let mut stale = Vec::new();
        let mut kept: BTreeMap<Identity<'_>, usize> = BTreeMap::new();
        for entry in &self.entries {
            let key = entry.key();
            let unmatched = left.get(&key.joined()).copied().unwrap_or(0);
            if unmatched > 0 && in_scope(&entry.path, &entry.code) {
                stale.push(Entry {
                    count: unmatched,
                    ..entry.clone()
                });
                kept.insert(key, entry.count - unmatched);
            } else {
                kept.insert(key, entry.count);
            }
        }
        Applied {
            ignored,
            stale,
            pruned: Self::from_counts(kept),
        }
    }
}

/// Whether the environment says this is a CI run (`CI` set to anything but `false`/`0`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| {
        let value = value.trim();
        !value.is_empty() && value != "0" && !value.eq_ignore_ascii_case("false")
    })
}

/// Whether a baseline entry's path could name a file of the tree: relative, `/`-separated,
/// with no empty, `.` or `..` segment.
fn is_tree_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\0')
        && path
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CheckCode;
    use crate::diagnostic::Severity;
    use crate::model::{CodeContext, Span};

    fn import(path: &str, target: &str, line: u32) -> Diagnostic {
        Diagnostic {
            target: Some(target.to_string()),
            ..Diagnostic::new(
                CheckCode::BannedApi,
                Severity::Error,
                path.to_string(),
                Span {
                    line,
                    ..Span::FILE_START
                },
                format!("import of banned API `{target}`"),
                CodeContext::Production,
            )
        }
    }

    #[test]
    fn identical_violations_are_counted_and_a_third_is_new() {
        let baseline =
            Baseline::from_diagnostics(&[import("a.py", "pickle", 1), import("a.py", "pickle", 2)]);
        assert_eq!(baseline.entries.len(), 1);
        assert_eq!(baseline.entries[0].count, 2);
        let mut now = vec![
            import("a.py", "pickle", 5),
            import("a.py", "pickle", 6),
            import("a.py", "pickle", 7),
        ];
        let applied = baseline.apply(&mut now, |_, _| true);
        assert_eq!(applied.ignored, 2);
        assert_eq!(now.len(), 1);
        assert!(applied.stale.is_empty());
    }

    #[test]
    fn unmatched_counts_are_stale_only_in_scope() {
        let baseline = Baseline::from_diagnostics(&[
            import("a.py", "pickle", 1),
            import("a.py", "pickle", 2),
            import("b.py", "pickle", 1),
        ]);
        let mut now = vec![import("a.py", "pickle", 1)];
        let applied = baseline.apply(&mut now, |path, _| path == "a.py");
        assert_eq!(applied.stale.len(), 1);
        assert_eq!(applied.stale[0].count, 1);
        // b.py was not checked: its entry stays, a.py's shrinks to what still matches.
        let counts: Vec<(&str, usize)> = applied
            .pruned
            .entries
            .iter()
            .map(|entry| (entry.path.as_str(), entry.count))
            .collect();
        assert_eq!(counts, [("a.py", 1), ("b.py", 1)]);
    }

    #[test]
    fn the_file_round_trips_and_bad_files_point_at_the_line() {
        let baseline = Baseline::from_diagnostics(&[import("a.py", "pickle", 1)]);
        let path = "importgate-baseline.json";
        assert_eq!(
            Baseline::parse(path, &baseline.to_json()).unwrap(),
            baseline
        );
        let error = Baseline::parse(path, "{\n  \"version\": 1,\n  \"entries\": [1]\n}")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("importgate-baseline.json:3:"), "{error}");
        let error = Baseline::parse(path, r#"{"version": 9, "entries": []}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("version 9 is not supported"), "{error}");
    }

    #[test]
    fn growing_is_a_new_key_or_a_higher_count() {
        let one = Baseline::from_diagnostics(&[import("a.py", "pickle", 1)]);
        let two =
            Baseline::from_diagnostics(&[import("a.py", "pickle", 1), import("a.py", "pickle", 2)]);
        assert!(one.grows_into(&two));
        assert!(!two.grows_into(&one));
        assert!(!one.grows_into(&Baseline::default()));
    }
}
