//! The figures of one run: counts per code, per rule, per context, what the registry
//! allowed, files checked and time taken (`report` writes them at the end of a run).

use crate::engine::Outcome;
use crate::model::CodeContext;
use serde::Serialize;
use std::collections::BTreeMap;

/// Violations a rule let through, by where they were.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct AllowedCounts {
    /// In test code (`tests = "allow"`).
    pub tests: usize,
    /// In `if TYPE_CHECKING:` blocks of production code (`type-checking = "allow"`).
    pub type_checking: usize,
}

/// Counts of diagnostics by context.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct ContextCounts {
    /// In production code.
    pub production: usize,
    /// In test code.
    pub test: usize,
}

/// The figures of one run.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Error diagnostics.
    pub errors: usize,
    /// Warning diagnostics.
    pub warnings: usize,
    /// Files checked.
    pub files_checked: usize,
    /// Production files checked.
    pub production_files: usize,
    /// Test files checked.
    pub test_files: usize,
    /// Files checked that belong to no service (`null` without services): boundaries
    /// naming services never govern them.
    pub files_without_service: Option<usize>,
    /// Files with at least one diagnostic.
    pub files_with_diagnostics: usize,
    /// Diagnostics per check code.
    pub by_code: BTreeMap<&'static str, usize>,
    /// Diagnostics per registry rule id.
    pub by_rule: BTreeMap<String, usize>,
    /// Diagnostics per context.
    pub by_context: ContextCounts,
    /// Violations allowed by each rule.
    pub allowed: BTreeMap<String, AllowedCounts>,
    /// Diagnostics suppressed by `# importgate: ignore` comments.
    pub suppressed: usize,
    /// Fixes applied by `--fix`.
    pub fixed: usize,
    /// Reported diagnostics that `--fix` would fix (safe fixes).
    pub fixable: usize,
    /// Diagnostics not reported because the baseline knows them.
    pub baseline_ignored: usize,
    /// Wall time in milliseconds.
    pub elapsed_ms: u128,
    /// IG020 diagnostics by the top-level package of the missing module, most first: a
    /// flood of them usually has one cause per package (text summary only).
    #[serde(skip)]
    pub unresolved_by_package: Vec<(String, usize)>,
}

impl Summary {
    /// Counts the outcome.
    pub fn new(outcome: &Outcome) -> Self {
        let mut by_code = BTreeMap::new();
        let mut by_rule = BTreeMap::new();
        let mut by_context = ContextCounts::default();
        let mut files = std::collections::BTreeSet::new();
        for diagnostic in &outcome.diagnostics {
            *by_code.entry(diagnostic.code.code()).or_insert(0) += 1;
            if let Some(rule) = &diagnostic.rule {
                *by_rule.entry(rule.id.clone()).or_insert(0) += 1;
            }
            match diagnostic.context {
                CodeContext::Production => by_context.production += 1,
                CodeContext::Test => by_context.test += 1,
            }
            files.insert(diagnostic.path.as_str());
        }
        let mut allowed: BTreeMap<String, AllowedCounts> = BTreeMap::new();
        for tolerated in &outcome.tolerated {
            let counts = allowed.entry(tolerated.rule.clone()).or_default();
            if tolerated.in_tests {
                counts.tests += 1;
            } else {
                counts.type_checking += 1;
            }
        }
        Self {
            errors: outcome.errors(),
            warnings: outcome.warnings(),
            files_checked: outcome.production_files + outcome.test_files,
            production_files: outcome.production_files,
            test_files: outcome.test_files,
            files_without_service: outcome.files_without_service,
            files_with_diagnostics: files.len(),
            by_code,
            by_rule,
            by_context,
            allowed,
            suppressed: outcome.suppressed,
            fixed: outcome.fixed,
            fixable: outcome
                .diagnostics
                .iter()
                .filter(|diagnostic| {
                    diagnostic.fix.as_ref().is_some_and(|fix| {
                        fix.applicability == crate::diagnostic::Applicability::Safe
                    })
                })
                .count(),
            baseline_ignored: outcome.baseline_ignored,
            elapsed_ms: outcome.elapsed.as_millis(),
            unresolved_by_package: unresolved_by_package(outcome),
        }
    }
}

/// IG020 diagnostics by the missing module's top-level package (Rust: crate), most first.
fn unresolved_by_package(outcome: &Outcome) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for diagnostic in &outcome.diagnostics {
        if diagnostic.code != crate::codes::CheckCode::UnresolvedModule {
            continue;
        }
        let package = diagnostic
            .target
            .as_deref()
            .map(crate::model::first_segment)
            .filter(|package| !package.is_empty());
        if let Some(package) = package {
            *counts.entry(package).or_default() += 1;
        }
    }
    let mut counts: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(package, count)| (package.to_string(), count))
        .collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
}
