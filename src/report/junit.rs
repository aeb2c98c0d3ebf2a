//! `--output-format junit`: JUnit XML, which Jenkins, GitLab, Azure DevOps and CircleCI show
//! as test results. Every registry rule is one test case (a rule nobody breaks is a passing
//! test), and every check is one more for the findings that no registry rule names (parse
//! errors, unresolved imports, ...). Each diagnostic is a `<failure>` of its test case; its
//! `type` says whether it is an error or a warning.

use super::ReportContext;
use crate::codes::CheckCode;
use crate::diagnostic::Diagnostic;
use crate::engine::Outcome;
use std::collections::HashMap;
use std::io::{self, Write};

struct TestCase<'a> {
    class: String,
    name: String,
    failures: Vec<&'a Diagnostic>,
}

pub(super) fn render(
    outcome: &Outcome,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut cases: Vec<TestCase<'_>> = Vec::new();
    let mut by_rule: HashMap<&str, usize> = HashMap::new();
    for (section, id) in context.config.rule_ids() {
        by_rule.entry(id).or_insert_with(|| {
            cases.push(TestCase {
                class: format!("importgate.{section}"),
                name: id.to_string(),
                failures: Vec::new(),
            });
            cases.len() - 1
        });
    }
    let mut by_check: HashMap<CheckCode, usize> = HashMap::new();
    for code in CheckCode::ALL {
        by_check.insert(*code, cases.len());
        cases.push(TestCase {
            class: "importgate.check".to_string(),
            name: format!("{} {}", code.code(), code.name()),
            failures: Vec::new(),
        });
    }
    for diagnostic in &outcome.diagnostics {
        let case = diagnostic
            .rule
            .as_ref()
            .and_then(|rule| by_rule.get(rule.id.as_str()))
            .unwrap_or(&by_check[&diagnostic.code]);
        cases[*case].failures.push(diagnostic);
    }

    let failures = outcome.diagnostics.len();
    let seconds = outcome.elapsed.as_secs_f64();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="importgate" tests="{}" failures="{failures}" errors="0" time="{seconds:.3}">"#,
        cases.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="importgate" tests="{}" failures="{failures}" errors="0" skipped="0" time="{seconds:.3}">"#,
        cases.len()
    )?;
    for case in &cases {
        let open = format!(
            r#"    <testcase classname="{}" name="{}""#,
            escape(&case.class),
            escape(&case.name)
        );
        if case.failures.is_empty() {
            writeln!(out, "{open}/>")?;
            continue;
        }
        writeln!(out, "{open}>")?;
        for diagnostic in &case.failures {
            let location = format!(
                "{}:{}:{}",
                context.display_path(&diagnostic.path),
                diagnostic.span.line,
                diagnostic.span.column
            );
            let mut body = format!(
                "{location}: {} {}",
                diagnostic.code.code(),
                diagnostic.message
            );
            if let Some(hint) = &diagnostic.hint {
                body.push_str("\nhelp: ");
                body.push_str(hint);
            }
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                diagnostic.severity.as_str(),
                escape(&format!("{location}: {}", diagnostic.message)),
                escape(&body)
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Text as XML 1.0 character data or attribute value: markup characters escaped, and the
/// control characters XML 1.0 cannot carry at all replaced by U+FFFD. Also right for HTML.
pub(super) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' => escaped.push_str("&#10;"),
            '\t' | '\r' => escaped.push_str(&format!("&#{};", character as u32)),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                escaped.push('\u{fffd}')
            }
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(
            escape("a<b>&\"c'\n\u{0}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;\u{fffd}"
        );
    }
}
