//! ## What it does
//! Reports an `ignore-imports` entry (on a `[[boundary]]`, `[[layers]]`, `[[independent]]`
//! or `[[cycles]]` rule) that matches no import of the tree, as import-linter does: the
//! import it exempted was removed, moved or renamed, or the entry was misspelt.
//!
//! An entry matches an import when its importer side matches the importing module and its
//! imported side the imported module, each as a whole (`*` is one segment, `**` one or
//! more). Every import counts, whatever its context (tests, functions, `TYPE_CHECKING`); an
//! import of a module outside the tree goes by its top-level package or its full name.
//!
//! `unmatched-ignore-imports = "error" | "warn" | "off"` in `[settings]`
//! sets the severity; the default is a warning. Reported on full runs (runs on PATHS see only
//! part of the tree).
//!
//! ## Why is this bad?
//! An exemption that exempts nothing is a hole waiting for the next import: when someone
//! adds an import that it matches, the rule lets it through silently.
//!
//! ## Example
//! ```toml
//! [[layers]]
//! id = "app-layers"
//! layers = ["app.api", "app.domain", "app.db"]
//! ignore-imports = ["app.db.session -> app.api.auth"]   # the import was removed last year
//! ```
//!
//! ## Use instead
//! ```toml
//! [[layers]]
//! id = "app-layers"
//! layers = ["app.api", "app.domain", "app.db"]
//! ```
//!
//! ## Fix
//! Not fixable automatically: remove the entry, or correct its module names.

use super::{severity_of, CheckCode, CheckInfo, FixAvailability, ProjectInput, ResolvedImport};
use crate::config::IgnoredImports;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::SourceFile;
use crate::resolve::ModuleIndex;
use rustc_hash::FxHashSet;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "An `ignore-imports` entry that matches no import",
    fix: FixAvailability::None,
    default_severity: Severity::Warning,
    source: include_str!("unmatched_ignore.rs"),
};

/// An `ignore-imports` entry: (position in [`Config::ignore_lists`], position in its list).
pub type IgnoreEntry = (usize, usize);

/// The entries that match an import of `file` to a module outside the tree: those imports
/// make no edge of the import graph, so each file says which it saw while it is checked.
pub fn entries_matching_external_imports(
    lists: &[(&str, &IgnoredImports)],
    file: &SourceFile,
    imports: &[ResolvedImport<'_>],
    index: &ModuleIndex,
) -> Vec<IgnoreEntry> {
    if lists.is_empty() {
        return Vec::new();
    }
    let order = index.order_of(file);
    let mut matched = Vec::new();
    for import in imports {
        if crate::project::edge_target(file, order, import, index).is_some() {
            continue;
        }
        for (list_position, (_, entries)) in lists.iter().enumerate() {
            for (entry_position, entry) in entries.entries.iter().enumerate() {
                if super::forbidden_import::external_targets(import)
                    .any(|target| entry.matches(&file.module, target))
                {
                    matched.push((list_position, entry_position));
                }
            }
        }
    }
    matched.sort_unstable();
    matched.dedup();
    matched
}

pub(super) fn check(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let lists = input.config.ignore_lists();
    if lists.is_empty() {
        return;
    }
    // Each pair of modules once: a tree has far fewer pairs than imports.
    let pairs: FxHashSet<(u32, u32)> = input
        .facts
        .edges
        .iter()
        .map(|edge| (edge.from, edge.to))
        .collect();
    let pairs: Vec<(&str, &str)> = pairs
        .into_iter()
        .map(|(from, to)| (input.facts.text(from), input.facts.text(to)))
        .collect();
    for (list_position, (rule, entries)) in lists.iter().enumerate() {
        let treatment = entries
            .unmatched
            .unwrap_or(input.config.unmatched_ignore_imports);
        let Some(severity) = severity_of(treatment) else {
            continue;
        };
        for (entry_position, entry) in entries.entries.iter().enumerate() {
            let matched = input
                .ignores_matching_external_imports
                .contains(&(list_position, entry_position))
                || pairs
                    .iter()
                    .any(|(importer, imported)| entry.matches(importer, imported));
            if matched {
                continue;
            }
            diagnostics.push(input.registry_diagnostic(
                CheckCode::UnmatchedIgnore,
                severity,
                rule,
                &entry.span,
                format!(
                    "`ignore-imports` entry `{}` of `{rule}` matches no import",
                    entry.written
                ),
                "remove the entry (the import it exempted is gone), or correct its module names",
            ));
        }
    }
}
