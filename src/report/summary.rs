//! The end-of-run summary as text (its figures are `overview::summary`).

use super::Summary;
use std::io::{self, Write};

impl Summary {
    /// The summary in one line, nothing when there is nothing to report: what each of
    /// pre-commit's runs prints (it passes the files over several runs and shows every
    /// run's output, so a block per run would repeat).
    pub fn write_line(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.errors + self.warnings == 0 {
            return Ok(());
        }
        write!(
            out,
            "Found {} and {} in {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.files_with_diagnostics, "file"),
        )?;
        if self.fixable > 0 {
            write!(
                out,
                "; {} fixable with `importgate check --fix`",
                self.fixable
            )?;
        }
        writeln!(out, ".")
    }

    /// What `--fix`, the baseline, suppressions and service ownership did, a sentence each
    /// (the text and Markdown summaries print them).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.fixed > 0 {
            notes.push(format!(
                "Fixed {} ({} remaining).",
                plural(self.fixed, "diagnostic"),
                self.errors + self.warnings
            ));
        }
        if self.fixable > 0 {
            notes.push(format!("{} fixable with `--fix`.", self.fixable));
        }
        if self.baseline_ignored > 0 {
            notes.push(format!(
                "{} ignored (in the baseline).",
                plural(self.baseline_ignored, "known violation")
            ));
        }
        if self.suppressed > 0 {
            notes.push(format!(
                "{} suppressed by `importgate: ignore` comments.",
                plural(self.suppressed, "diagnostic")
            ));
        }
        if let Some(orphans) = self.files_without_service.filter(|count| *count > 0) {
            notes.push(format!(
                "{} of no service (boundaries that name services do not govern {}).",
                plural(orphans, "file"),
                if orphans == 1 { "it" } else { "them" }
            ));
        }
        notes
    }

    /// The summary as the text formats print it.
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.errors + self.warnings == 0 {
            if self.baseline_ignored > 0 {
                writeln!(out, "No new violations.")?;
            } else {
                writeln!(out, "No violations.")?;
            }
        } else {
            writeln!(
                out,
                "Found {} and {} in {} ({} in production code, {} in test code).",
                plural(self.errors, "error"),
                plural(self.warnings, "warning"),
                plural(self.files_with_diagnostics, "file"),
                self.by_context.production,
                self.by_context.test,
            )?;
            for (code, count) in &self.by_code {
                let name = crate::codes::CheckCode::find(code).map_or("", |check| check.name());
                writeln!(out, "  {code} {name:<20} {count:>6}")?;
            }
            for (rule, count) in &self.by_rule {
                let rule = super::visible::visible(rule);
                writeln!(out, "  rule {rule:<30} {count:>6}")?;
            }
            if self
                .unresolved_by_package
                .iter()
                .map(|(_, count)| count)
                .sum::<usize>()
                >= 2
            {
                let packages: Vec<String> = self
                    .unresolved_by_package
                    .iter()
                    .map(|(package, count)| {
                        format!("{} ({count})", super::visible::visible(package))
                    })
                    .collect();
                writeln!(
                    out,
                    "  unresolved modules by top-level package: {}",
                    packages.join(", ")
                )?;
            }
        }
        for (rule, counts) in &self.allowed {
            let rule = super::visible::visible(rule);
            if counts.tests > 0 {
                writeln!(
                    out,
                    "Allowed by rule {rule}: {} in test code.",
                    plural(counts.tests, "import")
                )?;
            }
            if counts.type_checking > 0 {
                writeln!(
                    out,
                    "Allowed by rule {rule}: {} in TYPE_CHECKING blocks.",
                    plural(counts.type_checking, "import")
                )?;
            }
        }
        for note in self.notes() {
            writeln!(out, "{note}")?;
        }
        writeln!(
            out,
            "Checked {} ({} production, {} test) in {:.2}s.",
            plural(self.files_checked, "file"),
            self.production_files,
            self.test_files,
            self.elapsed_ms as f64 / 1000.0
        )
    }
}

/// `1 file`, `2 files`: a count with its noun (regular plurals only).
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
