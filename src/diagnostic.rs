//! The one shape every check reports in, and the order reports are printed in.

use crate::codes::CheckCode;
use crate::model::{CodeContext, Span};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How serious a diagnostic is. Errors fail the run (exit code 1); warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported, does not fail the run.
    Warning,
    /// Fails the run.
    Error,
}

impl Severity {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The registry entry that a diagnostic enforces, with the place in rules.toml that says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRef {
    /// The entry's `id`.
    pub id: String,
    /// Byte range in rules.toml of the value that matched (a `forbid` or `api` entry), so the
    /// full report can show the very line that forbids the import.
    pub span: Range<usize>,
}

/// Whether `--fix` applies a fix by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Applicability {
    /// Keeps the program's meaning: applied by `--fix`.
    Safe,
    /// May change behaviour: applied only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes `start..end` of the decoded source with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Edit {
    /// First byte replaced.
    pub start: u32,
    /// One past the last byte replaced (`start` for an insertion).
    pub end: u32,
    /// The new text.
    pub replacement: String,
}

/// A mechanical fix: edits that belong together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// What it does, for people.
    pub description: String,
    /// The edits, non-overlapping.
    pub edits: Vec<Edit>,
    /// What the fix is valid only if (checked once every module of the tree is known).
    pub requires: Option<Requirement>,
}

/// What must hold for a fix to be safe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Requirement {
    /// `module` provides `name`: the fix is dropped when it certainly does not, and made
    /// unsafe when that cannot be known.
    Name {
        /// The module the fix imports from.
        module: String,
        /// The name it imports.
        name: String,
    },
    /// Every name the rewritten import can reach in `from` (what `from m import *` brings
    /// with `star`, else every name `alias.NAME` can reach) is provided by `to` under the
    /// same name: otherwise the fix is unsafe (code may use a name `to` lacks).
    SameNames {
        /// The module imported now.
        from: String,
        /// The module the fix imports instead.
        to: String,
        /// A star import.
        star: bool,
    },
}

/// One finding, with everything a person or a CI system needs to act on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Which check found it.
    pub code: CheckCode,
    /// Error or warning.
    pub severity: Severity,
    /// Path relative to the governed root, `/` separators.
    pub path: String,
    /// Where in the file.
    pub span: Span,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The registry entry that forbids it, if a registry entry does.
    pub rule: Option<RuleRef>,
    /// What to do instead.
    pub hint: Option<String>,
    /// Production or test code.
    pub context: CodeContext,
    /// The imported (or used) module, dotted and absolute.
    pub target: Option<String>,
    /// The name imported from `target` by a `from` import.
    pub name_imported: Option<String>,
    /// For an import, the first line of its statement: a suppression comment there covers
    /// every name of a multi-line import.
    pub statement_line: Option<u32>,
    /// The mechanical fix, where there is one.
    pub fix: Option<Fix>,
    /// For a chain or cycle: its imports, in order. A run on a few PATHS reports a chain
    /// that passes through any of their files; `graph` colours their edges.
    pub chain: Vec<Hop>,
}

/// One import of a chain or cycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// The importing module.
    pub from: String,
    /// The imported module.
    pub to: String,
    /// The importing file, relative to the governed root.
    pub path: String,
    /// The line of the import.
    pub line: u32,
    /// Its character column.
    pub column: u32,
}

impl Diagnostic {
    /// A diagnostic with the fields every one has; rule, hint, target, name, statement line
    /// and fix start empty.
    pub fn new(
        code: CheckCode,
        severity: Severity,
        path: String,
        span: Span,
        message: String,
        context: CodeContext,
    ) -> Self {
        Self {
            code,
            severity,
            path,
            span,
            message,
            rule: None,
            hint: None,
            context,
            target: None,
            name_imported: None,
            statement_line: None,
            fix: None,
            chain: Vec::new(),
        }
    }

    /// What identifies this finding while lines move: check, rule, file, imported target and
    /// name (the message for findings without a target), never a line number. The baseline
    /// and the fingerprints of the CI formats are built on it.
    pub fn identity(&self) -> Identity<'_> {
        Identity {
            code: self.code.code(),
            rule: self.rule.as_ref().map(|rule| rule.id.as_str()),
            path: &self.path,
            target: self.target.as_deref(),
            name: self.name_imported.as_deref(),
            message: if self.target.is_none() {
                Some(&self.message)
            } else {
                None
            },
        }
    }

    /// The key reports are sorted by: identical output for any thread count.
    pub fn sort_key(&self) -> (&str, u32, u32, &'static str, &str) {
        (
            &self.path,
            self.span.line,
            self.span.column,
            self.code.code(),
            &self.message,
        )
    }
}

/// The line-independent identity of a finding (see [`Diagnostic::identity`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity<'a> {
    /// The check code.
    pub code: &'static str,
    /// The registry rule id.
    pub rule: Option<&'a str>,
    /// The file, relative to the governed root.
    pub path: &'a str,
    /// The imported module.
    pub target: Option<&'a str>,
    /// The imported name.
    pub name: Option<&'a str>,
    /// The message, for findings without a target.
    pub message: Option<&'a str>,
}

impl Identity<'_> {
    /// The fields joined by U+001F, for hashing.
    pub fn joined(&self) -> String {
        [
            self.code,
            self.rule.unwrap_or(""),
            self.path,
            self.target.unwrap_or(""),
            self.name.unwrap_or(""),
            self.message.unwrap_or(""),
        ]
        .join("\u{1f}")
    }
}

/// Sorts diagnostics into report order: path, line, column, code, then message.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// A fingerprint per diagnostic (same order), stable across line moves: the hash of its
/// [`identity`](Diagnostic::identity) and of how many identical findings came before it in
/// report order, so two identical imports in one file keep two fingerprints.
pub fn fingerprints(diagnostics: &[Diagnostic]) -> Vec<String> {
    use std::hash::Hasher;
    let mut occurrences: rustc_hash::FxHashMap<String, usize> = Default::default();
    diagnostics
        .iter()
        .map(|diagnostic| {
            let identity = diagnostic.identity().joined();
            let mut hasher = rustc_hash::FxHasher::default();
            hasher.write(identity.as_bytes());
            let occurrence = occurrences.entry(identity).or_insert(0);
            *occurrence += 1;
            hasher.write_usize(*occurrence);
            format!("{:016x}", hasher.finish())
        })
        .collect()
}
