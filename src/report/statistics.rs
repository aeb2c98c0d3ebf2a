//! `check --statistics`: how many diagnostics each check and each rule produced, most
//! first, instead of the diagnostics (as ruff's `--statistics`). Text, or JSON with
//! `--output-format json`.

use super::visible::visible;
use crate::codes::CheckCode;
use crate::diagnostic::Applicability;
use crate::engine::Outcome;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// One check's count.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct CodeCount {
    /// `IG001`.
    pub code: &'static str,
    /// `forbidden-import`.
    pub name: &'static str,
    /// Diagnostics.
    pub count: usize,
    /// Of which `--fix` fixes (safe fixes).
    pub fixable: usize,
}

/// One rule's count.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule id.
    pub rule: String,
    /// Diagnostics.
    pub count: usize,
}

/// The counts of a run, most first (ties in code or id order).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Statistics {
    /// Per check.
    pub by_code: Vec<CodeCount>,
    /// Per registry rule.
    pub by_rule: Vec<RuleCount>,
}

impl Statistics {
    /// Counts the outcome's diagnostics.
    pub fn new(outcome: &Outcome) -> Self {
        let mut by_code: BTreeMap<CheckCode, (usize, usize)> = BTreeMap::new();
        let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
        for diagnostic in &outcome.diagnostics {
            let counts = by_code.entry(diagnostic.code).or_default();
            counts.0 += 1;
            if diagnostic
                .fix
                .as_ref()
                .is_some_and(|fix| fix.applicability == Applicability::Safe)
            {
                counts.1 += 1;
            }
            if let Some(rule) = &diagnostic.rule {
                *by_rule.entry(rule.id.as_str()).or_default() += 1;
            }
        }
        let mut by_code: Vec<CodeCount> = by_code
            .into_iter()
            .map(|(code, (count, fixable))| CodeCount {
                code: code.code(),
                name: code.name(),
                count,
                fixable,
            })
            .collect();
        by_code.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
        let mut by_rule: Vec<RuleCount> = by_rule
            .into_iter()
            .map(|(rule, count)| RuleCount {
                rule: rule.to_string(),
                count,
            })
            .collect();
        by_rule.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(&b.rule)));
        Self { by_code, by_rule }
    }

    /// One line per check, then one per rule: `count  code  name`, `[*]` before the name
    /// when `--fix` fixes all of them (`[-]` some of them), as ruff marks fixable rules.
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let width = self
            .by_code
            .iter()
            .map(|entry| entry.count)
            .chain(self.by_rule.iter().map(|entry| entry.count))
            .max()
            .map_or(1, |largest| largest.to_string().len());
        for entry in &self.by_code {
            let marker = match entry.fixable {
                0 => "   ",
                fixable if fixable == entry.count => "[*]",
                _ => "[-]",
            };
            writeln!(
                out,
                "{:>width$}  {}  {marker} {}",
                entry.count, entry.code, entry.name
            )?;
        }
        for entry in &self.by_rule {
            writeln!(
                out,
                "{:>width$}  rule {}",
                entry.count,
                visible(&entry.rule)
            )?;
        }
        Ok(())
    }

    /// The JSON document: `{"by_code": [{"code", "name", "count", "fixable"}], "by_rule":
    /// [{"rule", "count"}]}`.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }
}
