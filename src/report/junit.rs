//! `--output-format junit`: JUnit XML, which Jenkins, GitLab, Azure DevOps and CircleCI show
//! as test results. A test is a registry rule, or a check for the findings that no registry
//! rule names (parse errors, unresolved imports, ...): one that nothing breaks is a single
//! passing test case, and one with findings is a failing test case per file (`file`
//! attribute, path relative to the repository), so that CI test views list the files. Each
//! finding is a `<failure>` of its file's test case; its `type` says whether it is an error
//! or a warning.

use super::ReportContext;
use crate::codes::CheckCode;
use crate::diagnostic::Diagnostic;
use crate::engine::Outcome;
use std::collections::HashMap;
use std::io::{self, Write};

/// A registry rule or a check, and its findings by file in report order.
struct Test<'a> {
    class: String,
    files: Vec<(&'a str, Vec<&'a Diagnostic>)>,
}

pub(super) fn render(
    outcome: &Outcome,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut tests: Vec<Test<'_>> = Vec::new();
    let mut by_rule: HashMap<&str, usize> = HashMap::new();
    for (section, id) in context.config.rule_ids() {
        by_rule.entry(id).or_insert_with(|| {
            tests.push(Test {
                class: format!("importgate.{section}.{id}"),
                files: Vec::new(),
            });
            tests.len() - 1
        });
    }
    let mut by_check: HashMap<CheckCode, usize> = HashMap::new();
    for code in CheckCode::ALL {
        by_check.insert(*code, tests.len());
        tests.push(Test {
            class: format!("importgate.check.{}-{}", code.code(), code.name()),
            files: Vec::new(),
        });
    }
    // Each (test, file) case's place in its test's list, found once.
    let mut case_of: HashMap<(usize, &str), usize> = HashMap::new();
    for diagnostic in &outcome.diagnostics {
        let test = *diagnostic
            .rule
            .as_ref()
            .and_then(|rule| by_rule.get(rule.id.as_str()))
            .unwrap_or(&by_check[&diagnostic.code]);
        let files = &mut tests[test].files;
        let case = *case_of
            .entry((test, diagnostic.path.as_str()))
            .or_insert_with(|| {
                files.push((&diagnostic.path, Vec::new()));
                files.len() - 1
            });
        files[case].1.push(diagnostic);
    }

    let cases: usize = tests.iter().map(|test| test.files.len().max(1)).sum();
    let failing: usize = tests.iter().map(|test| test.files.len()).sum();
    let seconds = outcome.elapsed.as_secs_f64();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="importgate" tests="{cases}" failures="{failing}" errors="0" time="{seconds:.3}">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="importgate" tests="{cases}" failures="{failing}" errors="0" skipped="0" time="{seconds:.3}">"#
    )?;
    for test in &tests {
        if test.files.is_empty() {
            writeln!(
                out,
                r#"    <testcase classname="{}" name="all files"/>"#,
                escape(&test.class)
            )?;
            continue;
        }
        for (path, findings) in &test.files {
            let shown = context.repository_path(path);
            writeln!(
                out,
                r#"    <testcase classname="{}" name="{}" file="{}">"#,
                escape(&test.class),
                escape(&shown),
                escape(&shown)
            )?;
            for diagnostic in findings {
                let location = format!(
                    "{shown}:{}:{}",
                    diagnostic.span.line, diagnostic.span.column
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
