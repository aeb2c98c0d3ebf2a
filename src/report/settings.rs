//! `check --show-settings` (the resolved registry: where it was read from, the roots, the
//! services with their files, every rule and whether the checks that enforce it run) and
//! `check --show-files` (the files a run would check, with their context and service).

use super::visible::visible;
use crate::codes::CheckCode;
use crate::config::{Config, CycleScope, Treatment};
use crate::model::{CodeContext, SourceFile};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// One registry rule and the checks that enforce it.
struct RuleLine<'c> {
    section: &'static str,
    id: &'c str,
    checks: Vec<CheckCode>,
    /// `severity = "allow"`-like settings that make the rule report nothing by itself.
    note: Option<&'static str>,
}

/// Every rule of the registry with the checks that report its violations.
fn rules<'c>(config: &'c Config) -> Vec<RuleLine<'c>> {
    let mut lines = Vec::new();
    let mut add = |section, id: &'c str, checks: &[CheckCode], note| {
        lines.push(RuleLine {
            section,
            id,
            checks: checks.to_vec(),
            note,
        })
    };
    for rule in &config.boundaries {
        let chains: &[CheckCode] = if rule.transitive {
            &[CheckCode::ForbiddenImport, CheckCode::ForbiddenChain]
        } else {
            &[CheckCode::ForbiddenImport]
        };
        add("boundary", &rule.id, chains, None);
    }
    for rule in &config.banned {
        add("banned", &rule.id, &[CheckCode::BannedApi], None);
    }
    for rule in &config.canonical {
        let checks = [
            CheckCode::NonCanonicalImport,
            CheckCode::DuplicateDefinition,
            CheckCode::RegistryError,
        ];
        add("canonical", &rule.id, &checks, None);
    }
    for rule in &config.deprecated {
        let checks = [CheckCode::DeprecatedModule, CheckCode::RegistryError];
        add("deprecated", &rule.id, &checks, None);
    }
    for rule in &config.cycles {
        let note = match (&rule.scope, rule.span.is_empty()) {
            (CycleScope::Services, true) => Some("implicit: two or more services"),
            _ => (rule.treatment == Treatment::Allow).then_some("severity allows it"),
        };
        add("cycles", &rule.id, &[CheckCode::ImportCycle], note);
    }
    for rule in &config.layers {
        add("layers", &rule.id, &[CheckCode::LayerViolation], None);
    }
    for rule in &config.independent {
        add("independent", &rule.id, &[CheckCode::Independence], None);
    }
    for rule in &config.private_modules {
        add(
            "private-modules",
            &rule.id,
            &[CheckCode::PrivateModuleImport],
            None,
        );
    }
    let with_ignores = config.ignore_lists();
    for line in &mut lines {
        if with_ignores.iter().any(|(id, _)| *id == line.id) {
            line.checks.push(CheckCode::UnmatchedIgnore);
        }
    }
    lines
}

/// Writes `--show-settings`. `files` are the files a full run checks.
pub fn write_settings(
    config: &Config,
    files: &[SourceFile],
    display: &dyn Fn(&std::path::Path) -> String,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "Registry: {}", display(&config.path))?;
    writeln!(out, "Root: {}", display(&config.root))?;
    let roots: Vec<String> = config
        .python_roots
        .iter()
        .map(|root| {
            if root.is_empty() {
                ".".to_string()
            } else {
                visible(root).into_owned()
            }
        })
        .collect();
    writeln!(out, "Python roots: {}", roots.join(", "))?;
    if !config.exclude.is_empty() {
        writeln!(out, "Exclude: {}", config.exclude.patterns.join(", "))?;
    }
    writeln!(out, "Test files: {}", config.tests.patterns.join(", "))?;
    writeln!(out, "Respect .gitignore: {}", config.respect_gitignore)?;
    if let Some(first_party) = &config.first_party {
        writeln!(out, "First-party: {}", first_party.join(", "))?;
    }
    writeln!(out, "Ban relative imports: {}", config.ban_relative_imports)?;
    writeln!(
        out,
        "Require suppression reasons: {}",
        config.require_suppression_reason
    )?;
    writeln!(
        out,
        "Graph: type-checking {}, tests {}, external {}",
        config.graph_type_checking, config.graph_tests, config.graph_external
    )?;
    writeln!(out, "Baseline: {}", display(&config.baseline))?;
    let tests = files
        .iter()
        .filter(|file| file.context == CodeContext::Test)
        .count();
    writeln!(
        out,
        "Files: {} ({} production, {} test)",
        files.len(),
        files.len() - tests,
        tests
    )?;

    if !config.services.is_empty() {
        let mut per_service: BTreeMap<&str, usize> = BTreeMap::new();
        for file in files {
            if let Some(service) = &file.service {
                *per_service.entry(service).or_default() += 1;
            }
        }
        writeln!(out, "\nServices:")?;
        for service in &config.services {
            let modules: Vec<&str> = service
                .modules
                .iter()
                .map(|pattern| pattern.as_str())
                .collect();
            writeln!(
                out,
                "  {:<24} {:>6} files  modules: {}",
                visible(&service.name),
                per_service.get(service.name.as_str()).copied().unwrap_or(0),
                modules.join(", ")
            )?;
        }
        let orphans = files.iter().filter(|file| file.service.is_none()).count();
        writeln!(out, "  {:<24} {orphans:>6} files", "(no service)")?;
    }

    writeln!(out, "\nChecks:")?;
    let enabled: Vec<&str> = config.checks.enabled.iter().map(CheckCode::code).collect();
    let disabled: Vec<&str> = CheckCode::ALL
        .iter()
        .filter(|code| !config.checks.is_enabled(**code))
        .map(|code| code.code())
        .collect();
    writeln!(out, "  on:  {}", enabled.join(" "))?;
    writeln!(
        out,
        "  off: {}",
        if disabled.is_empty() {
            "none".to_string()
        } else {
            disabled.join(" ")
        }
    )?;
    for ignore in &config.checks.per_file_ignores {
        let codes: Vec<&str> = ignore.checks.iter().map(CheckCode::code).collect();
        writeln!(
            out,
            "  off in {}: {}",
            visible(&ignore.pattern),
            codes.join(" ")
        )?;
    }

    let rules = rules(config);
    if rules.is_empty() {
        return writeln!(out, "\nRules: none");
    }
    writeln!(out, "\nRules:")?;
    for rule in &rules {
        let checks: Vec<String> = rule
            .checks
            .iter()
            .map(|code| {
                if config.checks.is_enabled(*code) {
                    code.code().to_string()
                } else {
                    format!("{} (off)", code.code())
                }
            })
            .collect();
        let silent = rule
            .checks
            .iter()
            .all(|code| !config.checks.is_enabled(*code));
        let status = if silent {
            "  -- reports nothing: its checks are off"
        } else {
            ""
        };
        let note = rule
            .note
            .map(|note| format!("  ({note})"))
            .unwrap_or_default();
        let name = format!("[{}] {}", rule.section, visible(rule.id));
        writeln!(out, "  {name:<46} {}{note}{status}", checks.join(", "))?;
    }
    Ok(())
}

/// Writes `--show-files`: one line per file, `path  production|test  service`.
pub fn write_files(
    files: &[SourceFile],
    display: &dyn Fn(&SourceFile) -> String,
    out: &mut dyn Write,
) -> io::Result<()> {
    for file in files {
        let context = match file.context {
            CodeContext::Production => "production",
            CodeContext::Test => "test",
        };
        let service = file
            .service
            .as_deref()
            .map_or_else(|| "-".to_string(), |service| visible(service).into_owned());
        writeln!(out, "{}\t{context}\t{service}", display(file))?;
    }
    Ok(())
}
