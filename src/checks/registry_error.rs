//! ## What it does
//! Verifies the registry against the tree, pointing at the value in rules.toml:
//! - a `[[canonical]]` module that does not exist or does not define (or re-export) its
//!   symbol, a `[[deprecated]]` replacement module that does not exist, or a renamed symbol
//!   (`names`) the replacement does not define;
//! - a module that does not exist, named by `[[layers]]` (layers and `containers`),
//!   `[[independent]]`, `[[cycles]] within`, `[[private-modules]] packages`, or a
//!   `[[boundary]]`'s `from` (and its `forbid`
//!   and `allow` when they name first-party modules): a typo must never turn a rule into one
//!   that checks nothing, as import-linter stops on it. A layer written `"(name)"` is
//!   optional and may be missing. A pattern with wildcards that matches no module of the
//!   tree is a warning (`m.*` for an existing module `m` matches the names imported from
//!   it);
//! - a `forbid` entry that covers a module of the rule's own `from` (warning): imports inside
//!   the forbidden area are that area's own business, so the rule never fires for it.
//!
//! Rust names are written Rust's way (`app_core::engine`). A name a crate re-exports a
//! module under (`app_core::hidden` for `pub use crate::internal as hidden;`) is no module
//! of its own: the hint names the module it is, which rules must name.
//!
//! ## Why is this bad?
//! A registry that names a module without the symbol sends every fix to a broken import:
//! the rewrite compiles in review and fails with `ImportError` when it runs.
//!
//! ## Example
//! ```toml
//! [[canonical]]
//! symbol = "SessionManager"
//! module = "netra_backend.app.database"     # defines no SessionManager
//! ```
//!
//! ## Use instead
//! ```toml
//! [[canonical]]
//! symbol = "SessionManager"
//! module = "netra_backend.app.database.session_manager"
//! ```
//!
//! ## Fix
//! Not fixable automatically: correct the registry.

use super::{CheckCode, CheckInfo, FixAvailability, ProjectInput};
use crate::config::{CycleScope, ModulePattern, PatternEntry};
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::NameLookup;
use crate::resolve::SearchOrder;
use std::ops::Range;

pub(super) static INFO: CheckInfo = CheckInfo {
    summary: "The registry names a module or symbol that does not exist",
    fix: FixAvailability::None,
    default_severity: Severity::Error,
    source: include_str!("registry_error.rs"),
};

pub(super) fn check(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    symbols(input, diagnostics);
    graph_rule_modules(input, diagnostics);
    boundary_modules(input, diagnostics);
}

/// An IG013 located at a value of rules.toml.
fn registry_diagnostic(
    input: &ProjectInput<'_>,
    severity: Severity,
    id: &str,
    span: &Range<usize>,
    message: String,
    hint: &str,
) -> Diagnostic {
    input.registry_diagnostic(CheckCode::RegistryError, severity, id, span, message, hint)
}

/// Whether a registry pattern names something of the tree.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    Present,
    /// A plain module name that is no module of the tree.
    Missing,
    /// A pattern with wildcards that matches no module of the tree.
    Unmatched,
}

fn presence(input: &ProjectInput<'_>, pattern: &ModulePattern) -> Presence {
    let text = pattern.as_str();
    let literal = pattern.is_literal();
    // A plain pattern may name a module, or a name a module binds (`forbid` can ban one
    // symbol: `from a.b import c` is matched as `a.b.c`).
    let names_something = || {
        input.index.exists(text)
            || input.index.locate(text, SearchOrder::RUST).exists()
            || crate::model::split_last_segment(text).is_some_and(|(module, name)| {
                input.index.exists(module)
                    && input
                        .facts
                        .lookup_name(input.index, module, name, SearchOrder::DEFAULT)
                        != NameLookup::Missing
            })
    };
    // `m.*` (or `m.**`) with a literal `m` names what is imported from the module `m` too
    // (`from m import N` is matched as `m.N`), whether or not `m` has submodules.
    let names_from_a_module = || {
        crate::model::split_last_segment(text).is_some_and(|(module, last)| {
            (last == "*" || last == "**") && !module.contains('*') && input.index.exists(module)
        })
    };
    match (literal, literal && names_something()) {
        (true, true) => Presence::Present,
        (true, false) => Presence::Missing,
        (false, _) if input.index.any_module(|module| pattern.matches(module)) => Presence::Present,
        (false, _) if names_from_a_module() => Presence::Present,
        (false, _) => Presence::Unmatched,
    }
}

/// Reports `pattern` (written at `span` for rule `id`, as `what`) when it names nothing.
fn require_present(
    input: &ProjectInput<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    (id, span): (&str, &Range<usize>),
    what: &str,
    pattern: &ModulePattern,
) {
    match presence(input, pattern) {
        Presence::Present => {}
        Presence::Missing => {
            // A name a Rust crate re-exports a module under: paths through it are that
            // module's, and so is what a rule must name.
            let written = pattern.to_string();
            let hint = match input.index.rust().reexported_module(&written) {
                Some(module) => format!(
                    "`{written}` re-exports the module `{module}`, and paths through it are matched as that module: name `{module}`"
                ),
                None => {
                    "correct the name; a rule that names a missing module checks nothing".to_string()
                }
            };
            diagnostics.push(registry_diagnostic(
                input,
                Severity::Error,
                id,
                span,
                format!("{what} `{pattern}` is no module of the tree (nor a name one defines)"),
                &hint,
            ));
        }
        Presence::Unmatched => diagnostics.push(registry_diagnostic(
            input,
            Severity::Warning,
            id,
            span,
            format!("{what} `{pattern}` matches no module of the tree"),
            "correct the pattern, or remove it",
        )),
    }
}

/// `[[layers]]`, `[[independent]]`, `[[private-modules]]` and `[[cycles]] within` name
/// modules of the tree.
fn graph_rule_modules(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for rule in &input.config.layers {
        let mut missing_containers = Vec::new();
        for (container, span) in &rule.containers {
            if let Ok(pattern) = ModulePattern::parse(container) {
                if presence(input, &pattern) != Presence::Present {
                    missing_containers.push(container.as_str());
                }
                require_present(input, diagnostics, (&rule.id, span), "container", &pattern);
            }
        }
        // Each layer string once (every container repeats it), unless its container is
        // missing already.
        let mut seen = std::collections::HashSet::new();
        for group in rule
            .stacks
            .iter()
            .flatten()
            .flat_map(|layer| &layer.siblings)
        {
            if group.is_service || group.optional {
                continue;
            }
            let in_missing_container = missing_containers
                .iter()
                .any(|container| crate::model::is_same_or_below(&group.label, container));
            if in_missing_container || !seen.insert(group.label.as_str()) {
                continue;
            }
            for pattern in &group.patterns {
                require_present(
                    input,
                    diagnostics,
                    (&rule.id, &group.span),
                    "layer",
                    pattern,
                );
            }
        }
    }
    for rule in &input.config.independent {
        for group in rule.groups.iter().filter(|group| !group.is_service) {
            for pattern in &group.patterns {
                require_present(
                    input,
                    diagnostics,
                    (&rule.id, &group.span),
                    "module",
                    pattern,
                );
            }
        }
    }
    for rule in &input.config.private_modules {
        for package in &rule.packages {
            require_present(
                input,
                diagnostics,
                (&rule.id, &package.span),
                "package",
                &package.pattern,
            );
        }
    }
    for rule in &input.config.cycles {
        if let CycleScope::Within(package)
        | CycleScope::Siblings {
            ancestor: package, ..
        } = &rule.scope
        {
            require_present(
                input,
                diagnostics,
                (&rule.id, &rule.span),
                "`within`",
                package,
            );
        }
    }
}

/// A boundary's `from` modules exist, so do its first-party `forbid` and `allow` modules, and
/// no `forbid` entry covers its own `from`.
fn boundary_modules(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let text = &input.config.text;
    // Entries written as module patterns (a `forbid` naming a service is expanded into the
    // service's patterns at the service name's place: those are not checked here).
    let written_as = |entry: &PatternEntry| {
        text.get(entry.span.clone())
            .map(|written| written.trim_matches(['"', '\'']))
            == Some(entry.pattern.as_str())
    };
    for boundary in &input.config.boundaries {
        for entry in &boundary.from_modules {
            require_present(
                input,
                diagnostics,
                (&boundary.id, &entry.span),
                "`from`",
                &entry.pattern,
            );
        }
        for (what, entries) in [("`forbid`", &boundary.forbid), ("`allow`", &boundary.allow)] {
            for entry in entries.iter().filter(|entry| written_as(entry)) {
                // Third-party modules cannot be checked against the tree.
                if input.index.is_first_party(entry.pattern.as_str()) {
                    require_present(
                        input,
                        diagnostics,
                        (&boundary.id, &entry.span),
                        what,
                        &entry.pattern,
                    );
                }
            }
        }
        for forbid in &boundary.forbid {
            if let Some(covered) = boundary
                .from
                .iter()
                .find(|from| covers(&forbid.pattern, from))
            {
                diagnostics.push(registry_diagnostic(
                    input,
                    Severity::Warning,
                    &boundary.id,
                    &forbid.span,
                    format!(
                        "`forbid` `{}` covers the rule's own `from` `{covered}`: imports inside the forbidden area are never reported, so the rule never fires there",
                        forbid.pattern
                    ),
                    "forbid something outside `from`, or narrow `from`",
                ));
            }
        }
    }
}

/// Whether every module `covered` matches is matched by `pattern` (a wildcard segment of
/// `covered` stands for any name).
fn covers(pattern: &ModulePattern, covered: &ModulePattern) -> bool {
    let example: Vec<&str> = covered
        .as_str()
        .split('.')
        .filter(|segment| *segment != "**")
        .map(|segment| if segment == "*" { "\u{1}" } else { segment })
        .collect();
    !example.is_empty() && pattern.matches(&example.join("."))
}

/// `[[canonical]]` and `[[deprecated]]` name modules that define their symbols.
fn symbols(input: &ProjectInput<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let report = |diagnostics: &mut Vec<Diagnostic>,
                  id: &str,
                  span: &Range<usize>,
                  message: String,
                  hint: &str| {
        diagnostics.push(registry_diagnostic(
            input,
            Severity::Error,
            id,
            span,
            message,
            hint,
        ));
    };
    for entry in &input.config.canonical {
        if !input.index.exists(&entry.module) {
            report(
                diagnostics,
                &entry.id,
                &entry.module_span,
                format!(
                    "canonical module `{}` (for `{}`) does not exist",
                    entry.module, entry.symbol
                ),
                "name the module that defines the symbol",
            );
        } else if input.facts.lookup_name(
            input.index,
            &entry.module,
            &entry.symbol,
            SearchOrder::DEFAULT,
        ) == NameLookup::Missing
        {
            report(
                diagnostics,
                &entry.id,
                &entry.module_span,
                format!(
                    "canonical module `{}` does not define `{}`",
                    entry.module, entry.symbol
                ),
                "name the module that defines the symbol",
            );
        }
    }
    for entry in &input.config.deprecated {
        let Some(replacement) = &entry.replacement else {
            continue;
        };
        if !input.index.exists(replacement) {
            report(
                diagnostics,
                &entry.id,
                &entry.replacement_span,
                format!("replacement module `{replacement}` does not exist"),
                "name an existing module, or remove `replacement`",
            );
            continue;
        }
        for (old, new) in &entry.names {
            if input
                .facts
                .lookup_name(input.index, replacement, new, SearchOrder::DEFAULT)
                == NameLookup::Missing
            {
                report(
                    diagnostics,
                    &entry.id,
                    &entry.replacement_span,
                    format!("replacement module `{replacement}` does not define `{new}` (the new name of `{old}`)"),
                    "correct `names`, or define the name in the replacement module",
                );
            }
        }
    }
}
