//! Code actions on importgate's diagnostics: apply the fix, or suppress the finding on its
//! line or for the whole file.
//!
//! A fix is the one `--fix` applies (safe fixes are the preferred quick fix; unsafe ones are
//! offered, labelled so). The edits are byte ranges of the text that was checked, which is
//! the buffer at the version the actions are asked for: the caller answers only when the
//! document has not changed since its diagnostics were computed.

use super::document::{Document, Encoding};
use crate::diagnostic::{Applicability, Diagnostic};
use crate::model::Language;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Position, Range, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;

/// The actions for the diagnostics of `document` whose range touches `range` (byte offsets
/// `start..=end`): for each, its fix if it has one, then a suppression on its line and one
/// for the file.
pub fn code_actions(
    uri: &Uri,
    document: &Document,
    found: &[(Diagnostic, lsp_types::Diagnostic)],
    range: Range,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let start = document.offset(range.start, encoding);
    let end = document.offset(range.end, encoding);
    // Suppressions are comments of the file's language.
    let language = Language::of_path(uri.path().as_str()).unwrap_or(Language::Python);
    let mut actions = Vec::new();
    for (diagnostic, shown) in found {
        // (A chain finding knows its import by line and column alone.)
        let at = super::check::range_of(diagnostic.span, document, encoding);
        let (span_start, span_end) = (
            document.offset(at.start, encoding),
            document.offset(at.end, encoding),
        );
        if span_end < start || span_start > end {
            continue;
        }
        let edit = |edits: Vec<TextEdit>| WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        };
        if let Some(fix) = &diagnostic.fix {
            let edits = fix
                .edits
                .iter()
                .map(|edit| TextEdit {
                    range: document.range(edit.start as usize, edit.end as usize, encoding),
                    new_text: edit.replacement.clone(),
                })
                .collect();
            let safe = fix.applicability == Applicability::Safe;
            let title = if safe {
                fix.description.clone()
            } else {
                format!("{} (unsafe fix: check the result)", fix.description)
            };
            actions.push(action(title, shown, edit(edits), safe));
        }
        let code = diagnostic.code.code();
        let line_edit = line_suppression(document, diagnostic, encoding, language);
        actions.push(action(
            format!("Suppress {code} on this line"),
            shown,
            edit(vec![line_edit]),
            false,
        ));
        actions.push(action(
            format!("Suppress {code} in this file"),
            shown,
            edit(vec![file_suppression(document, code, language)]),
            false,
        ));
    }
    actions
}

fn action(
    title: String,
    diagnostic: &lsp_types::Diagnostic,
    edit: WorkspaceEdit,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

/// The comment marker of `language`'s line comments.
fn comment_marker(language: Language) -> &'static str {
    match language {
        Language::Python => "#",
        Language::Rust => "//",
    }
}

/// Whether a comment appended to `line` could end up inside a comment or a string, or
/// change what the line means. Python: a `#` (a comment, whose text the new one would
/// become part of, or a string) or a `\` continuation. Rust: a comment (`//` would make
/// the new one part of it, and a block comment may go on past the line) or a string or
/// character literal (one may go on past the line).
fn appending_is_unsafe(line: &str, language: Language) -> bool {
    match language {
        Language::Python => line.contains('#') || line.trim_end().ends_with('\\'),
        Language::Rust => ["//", "/*", "*/", "\"", "'"]
            .iter()
            .any(|risky| line.contains(risky)),
    }
}

/// `# importgate: ignore[CODE] --` (`//` in Rust; the reason to be typed after it; no
/// trailing blank for whitespace linters to flag) for the diagnostic's line — for an
/// import, the first line of its statement, which covers every name of a multi-line
/// import. At the end of the line when that is safe (see [`appending_is_unsafe`]); else on
/// a line of its own above it, with its indentation (a comment alone on its line covers
/// the next line).
fn line_suppression(
    document: &Document,
    diagnostic: &Diagnostic,
    encoding: Encoding,
    language: Language,
) -> TextEdit {
    let line = diagnostic
        .statement_line
        .unwrap_or(diagnostic.span.line)
        .saturating_sub(1);
    let comment = format!(
        "{} importgate: ignore[{}] --",
        comment_marker(language),
        diagnostic.code.code()
    );
    let line_start = document.offset(Position::new(line, 0), encoding);
    let line_end = document.offset(Position::new(line, u32::MAX), encoding);
    let text = &document.text()[line_start..line_end];
    if appending_is_unsafe(text, language) {
        let indentation: String = text
            .chars()
            .take_while(|character| *character == ' ' || *character == '\t')
            .collect();
        let at = document.position(line_start, encoding);
        TextEdit {
            range: Range::new(at, at),
            new_text: format!("{indentation}{comment}{}", line_break(document.text())),
        }
    } else {
        let at = document.position(line_start + text.trim_end().len(), encoding);
        TextEdit {
            range: Range::new(at, document.position(line_end, encoding)),
            new_text: format!("  {comment}"),
        }
    }
}

/// `# importgate: ignore-file[CODE] --` (`//` in Rust) on a line of its own at the top of
/// the file, below a `#!` line and a Python encoding declaration (which must stay on the
/// first two lines). A Rust file's `#![attribute]` is no shebang: the comment may precede it.
fn file_suppression(document: &Document, code: &str, language: Language) -> TextEdit {
    let text = document.text();
    let mut line = 0;
    for (index, content) in text.lines().take(2).enumerate() {
        let shebang = index == 0
            && content.starts_with("#!")
            && !(language == Language::Rust && content[2..].trim_start().starts_with('['));
        if shebang || (language == Language::Python && is_encoding_declaration(content)) {
            line = index as u32 + 1;
        } else {
            break;
        }
    }
    let at = Position::new(line, 0);
    let break_ = line_break(text);
    // A file whose last line has no line break: the comment goes on a new line after it.
    let lines = text.lines().count() as u32;
    let prefix = if line >= lines && !text.is_empty() && !text.ends_with(['\n', '\r']) {
        break_
    } else {
        ""
    };
    TextEdit {
        range: Range::new(at, at),
        new_text: format!(
            "{prefix}{} importgate: ignore-file[{code}] --{break_}",
            comment_marker(language)
        ),
    }
}

/// PEP 263: a comment matching `coding[:=]\s*([-\w.]+)` on line 1 or 2.
fn is_encoding_declaration(line: &str) -> bool {
    let trimmed = line.trim_start_matches([' ', '\t', '\x0c']);
    let Some(comment) = trimmed.strip_prefix('#') else {
        return false;
    };
    comment.match_indices("coding").any(|(at, _)| {
        let rest = &comment[at + "coding".len()..];
        rest.starts_with([':', '='])
            && rest[1..]
                .trim_start_matches([' ', '\t'])
                .starts_with(|character: char| {
                    character.is_alphanumeric() || "-_.".contains(character)
                })
    })
}

/// The file's own line break (its first), `\n` when it has none.
fn line_break(text: &str) -> &'static str {
    match text.find(['\n', '\r']) {
        Some(at) if text[at..].starts_with("\r\n") => "\r\n",
        Some(at) if text[at..].starts_with('\r') => "\r",
        _ => "\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CheckCode;
    use crate::diagnostic::{Edit, Fix, Severity};
    use crate::model::{CodeContext, Span};
    use std::str::FromStr;

    fn diagnostic_at(text: &str, needle: &str, statement_line: u32) -> Diagnostic {
        let start = text.find(needle).expect("needle") as u32;
        let line = text[..start as usize].matches('\n').count() as u32 + 1;
        let span = Span {
            start,
            end: start + needle.len() as u32,
            line,
            column: 1,
            end_line: line,
            end_column: 1,
        };
        let mut diagnostic = Diagnostic::new(
            CheckCode::ForbiddenImport,
            Severity::Error,
            "a.py".into(),
            span,
            "forbidden".into(),
            CodeContext::Production,
        );
        diagnostic.statement_line = Some(statement_line);
        diagnostic
    }

    fn apply(text: &str, edits: &[TextEdit]) -> String {
        let mut document = Document::new(text.to_owned(), 1);
        let changes: Vec<_> = edits
            .iter()
            .rev()
            .map(|edit| lsp_types::TextDocumentContentChangeEvent {
                range: Some(edit.range),
                range_length: None,
                text: edit.new_text.clone(),
            })
            .collect();
        document
            .apply(&changes, 2, Encoding::Utf16)
            .expect("applies");
        document.text().to_owned()
    }

    fn actions_for(text: &str, diagnostic: Diagnostic) -> Vec<(String, String, bool)> {
        actions_in("file:///t/a.py", text, diagnostic)
    }

    fn actions_in(uri: &str, text: &str, diagnostic: Diagnostic) -> Vec<(String, String, bool)> {
        let uri = Uri::from_str(uri).expect("uri");
        let document = Document::new(text.to_owned(), 1);
        let whole = Range::new(Position::new(0, 0), Position::new(u32::MAX, 0));
        code_actions(
            &uri,
            &document,
            &[(diagnostic, lsp_types::Diagnostic::default())],
            whole,
            Encoding::Utf16,
        )
        .into_iter()
        .map(|action| match action {
            CodeActionOrCommand::CodeAction(action) => {
                let edits = &action.edit.expect("edit").changes.expect("changes")[&uri];
                (
                    action.title,
                    apply(text, edits),
                    action.is_preferred == Some(true),
                )
            }
            CodeActionOrCommand::Command(_) => unreachable!("no commands"),
        })
        .collect()
    }

    /// The text of the file at `uri` after the action titled `title` on the diagnostic at
    /// `needle`.
    fn edited(uri: &str, text: &str, needle: &str, statement_line: u32, title: &str) -> String {
        actions_in(uri, text, diagnostic_at(text, needle, statement_line))
            .into_iter()
            .find(|(shown, _, _)| shown == title)
            .map(|(_, edited, _)| edited)
            .expect("the action")
    }

    #[test]
    fn suppressions_go_where_they_cover_the_statement_and_keep_the_file_valid() {
        let line = "Suppress IG001 on this line";
        let file = "Suppress IG001 in this file";
        for (text, needle, statement_line, title, expected) in [
            // At the end of a multi-line import's first line: it covers every name.
            (
                "import os\nfrom billing import (\n    internal,\n)\n",
                "internal",
                2,
                line,
                "import os\nfrom billing import (  # importgate: ignore[IG001] --\n    internal,\n)\n",
            ),
            // A line with a comment already: on a line of its own above, indented alike.
            (
                "if x:\n    import billing  # noqa: F401\n",
                "billing",
                2,
                line,
                "if x:\n    # importgate: ignore[IG001] --\n    import billing  # noqa: F401\n",
            ),
            // Below the shebang and the encoding declaration, with the file's line breaks.
            (
                "#!/usr/bin/env python\r\n# -*- coding: latin-1 -*-\r\nimport billing\r\n",
                "billing",
                3,
                file,
                "#!/usr/bin/env python\r\n# -*- coding: latin-1 -*-\r\n# importgate: ignore-file[IG001] --\r\nimport billing\r\n",
            ),
            ("import billing", "billing", 1, file, "# importgate: ignore-file[IG001] --\nimport billing"),
        ] {
            let edited = edited("file:///t/a.py", text, needle, statement_line, title);
            assert_eq!(edited, expected, "{text:?}");
        }
    }

    #[test]
    fn a_rust_file_gets_rust_comments_where_they_cannot_join_a_comment_or_a_string() {
        let line = "Suppress IG001 on this line";
        let file = "Suppress IG001 in this file";
        for (text, needle, statement_line, title, expected) in [
            (
                "use core::internal::{\n    secret,\n};\n",
                "secret",
                1,
                line,
                "use core::internal::{  // importgate: ignore[IG001] --\n    secret,\n};\n",
            ),
            // A line with a comment or a string: above it.
            (
                "fn f() {\n    let s = \"x\"; core::internal::secret();\n}\n",
                "core::internal",
                2,
                line,
                "fn f() {\n    // importgate: ignore[IG001] --\n    let s = \"x\"; core::internal::secret();\n}\n",
            ),
            (
                "use core::internal::secret; // why\n",
                "core",
                1,
                line,
                "// importgate: ignore[IG001] --\nuse core::internal::secret; // why\n",
            ),
            // Inner attributes are no shebang; a shebang line stays first.
            (
                "#![allow(dead_code)]\nuse core::internal::secret;\n",
                "core",
                2,
                file,
                "// importgate: ignore-file[IG001] --\n#![allow(dead_code)]\nuse core::internal::secret;\n",
            ),
            (
                "#!/usr/bin/env run-cargo-script\nuse core::internal::secret;\n",
                "core",
                2,
                file,
                "#!/usr/bin/env run-cargo-script\n// importgate: ignore-file[IG001] --\nuse core::internal::secret;\n",
            ),
        ] {
            let edited = edited("file:///t/lib.rs", text, needle, statement_line, title);
            assert_eq!(edited, expected, "{text:?}");
            // What the action wrote is a suppression the Rust frontend reads.
            let found = crate::frontend::rust::comments::suppressions(&edited);
            assert_eq!(found.len(), 1, "{edited:?}");
            assert_eq!(&*found[0].codes, [Box::from("IG001")], "{edited:?}");
        }
    }

    #[test]
    fn a_chain_finding_known_by_its_line_gets_actions_on_that_line() {
        let text = "use a::b;\nuse c::d;\n";
        let uri = Uri::from_str("file:///t/lib.rs").expect("uri");
        let document = Document::new(text.to_owned(), 1);
        let mut diagnostic = diagnostic_at(text, "c::d", 2);
        diagnostic.span = Span {
            line: 2,
            column: 5,
            end_line: 2,
            end_column: 5,
            ..Span::FILE_START
        };
        let found = [(diagnostic, lsp_types::Diagnostic::default())];
        let first_line = Range::new(Position::new(0, 0), Position::new(0, 3));
        assert!(code_actions(&uri, &document, &found, first_line, Encoding::Utf16).is_empty());
        let second_line = Range::new(Position::new(1, 4), Position::new(1, 4));
        assert_eq!(
            code_actions(&uri, &document, &found, second_line, Encoding::Utf16).len(),
            2
        );
    }

    #[test]
    fn a_safe_fix_is_the_preferred_action_and_an_unsafe_one_says_so() {
        let text = "from old.place import thing\n";
        let mut diagnostic = diagnostic_at(text, "old.place", 1);
        let start = text.find("old.place").expect("old") as u32;
        diagnostic.fix = Some(Fix {
            applicability: Applicability::Safe,
            description: "Import from `new.place`".into(),
            edits: vec![Edit {
                start,
                end: start + "old.place".len() as u32,
                replacement: "new.place".into(),
            }],
            requires: None,
        });
        let actions = actions_for(text, diagnostic.clone());
        assert_eq!(
            actions[0],
            (
                "Import from `new.place`".to_owned(),
                "from new.place import thing\n".to_owned(),
                true
            )
        );
        if let Some(fix) = &mut diagnostic.fix {
            fix.applicability = Applicability::Unsafe;
        }
        let actions = actions_for(text, diagnostic);
        assert!(actions[0].0.contains("unsafe"));
        assert!(!actions[0].2);
    }

    #[test]
    fn only_diagnostics_that_touch_the_range_get_actions() {
        let text = "import a\nimport b\n";
        let uri = Uri::from_str("file:///t/a.py").expect("uri");
        let document = Document::new(text.to_owned(), 1);
        let found = [(
            diagnostic_at(text, "b", 2),
            lsp_types::Diagnostic::default(),
        )];
        let first_line = Range::new(Position::new(0, 0), Position::new(0, 3));
        assert!(code_actions(&uri, &document, &found, first_line, Encoding::Utf16).is_empty());
        let second_line = Range::new(Position::new(1, 7), Position::new(1, 7));
        assert_eq!(
            code_actions(&uri, &document, &found, second_line, Encoding::Utf16).len(),
            2
        );
    }
}
