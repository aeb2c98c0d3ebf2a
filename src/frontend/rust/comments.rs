//! Suppression comments in Rust: `// importgate: ignore[CODE] -- reason` and
//! `// importgate: ignore-file[CODE] -- reason`, in plain line comments — not in doc
//! comments (`///`, `//!`, which are documentation), not in block comments, and never in
//! string, raw string, byte string or character literals. syn keeps no comments, so the
//! source is scanned here with Rust's lexical rules for what can hide a `//`.

use crate::frontend::suppression::directive;
use crate::model::{Span, Suppression};

/// Every suppression comment of a Rust source, in order.
pub fn suppressions(source: &str) -> Vec<Suppression> {
    if !source.contains("importgate:") {
        return Vec::new();
    }
    line_comments(source)
        .into_iter()
        .filter_map(|(start, end)| {
            let text = &source[start..end];
            let found = directive(text.trim_start_matches('/'))?;
            let line_start = source[..start].rfind('\n').map_or(0, |newline| newline + 1);
            let own_line = source[line_start..start].trim().is_empty();
            Some(found.at(span(source, start, end), own_line))
        })
        .collect()
}

/// The byte ranges of the plain `//` comments of `source` (doc comments left out).
fn line_comments(source: &str) -> Vec<(usize, usize)> {
    let bytes = source.as_bytes();
    let mut comments = Vec::new();
    let mut at = 0;
    let is_identifier = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80;
    while at < bytes.len() {
        match bytes[at] {
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                let end = source[at..]
                    .find('\n')
                    .map_or(bytes.len(), |newline| at + newline);
                let text = &source[at..end];
                // `///x` and `//!` are doc comments; `////` is a plain one again.
                let doc = (text.starts_with("///") && !text.starts_with("////"))
                    || text.starts_with("//!");
                if !doc {
                    comments.push((at, end));
                }
                at = end;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                // Block comments nest.
                let mut depth = 0;
                while at < bytes.len() {
                    if bytes[at..].starts_with(b"/*") {
                        depth += 1;
                        at += 2;
                    } else if bytes[at..].starts_with(b"*/") {
                        depth -= 1;
                        at += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        at += 1;
                    }
                }
            }
            b'"' => at = after_string(bytes, at + 1),
            b'r' if at == 0 || !is_identifier(bytes[at - 1]) || raw_prefix(bytes, at) => {
                // `r"..."`, `r#"..."#` (and `br`, `cr`): the `#`s close it.
                let mut hashes = 0;
                let mut next = at + 1;
                while bytes.get(next) == Some(&b'#') {
                    hashes += 1;
                    next += 1;
                }
                if bytes.get(next) == Some(&b'"') {
                    let closing: Vec<u8> = std::iter::once(b'"')
                        .chain(std::iter::repeat_n(b'#', hashes))
                        .collect();
                    at = bytes[next + 1..]
                        .windows(closing.len())
                        .position(|window| window == closing.as_slice())
                        .map_or(bytes.len(), |found| next + 1 + found + closing.len());
                } else {
                    at += 1;
                }
            }
            b'\'' => at = after_quote(source, at),
            _ => at += 1,
        }
    }
    comments
}

/// Whether the `r` at `at` follows a `b` or `c` that starts a literal (`br"..."`).
fn raw_prefix(bytes: &[u8], at: usize) -> bool {
    at >= 1
        && matches!(bytes[at - 1], b'b' | b'c')
        && (at == 1 || !(bytes[at - 2].is_ascii_alphanumeric() || bytes[at - 2] == b'_'))
}

/// The offset after the string whose contents start at `at` (escapes skipped).
fn after_string(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// The offset after a `'` at `at`: past a character literal (`'x'`, `'\n'`, `'\u{..}'`),
/// or just past the quote of a lifetime or label (`'a`).
fn after_quote(source: &str, at: usize) -> usize {
    let rest = &source[at + 1..];
    if let Some(escaped) = rest.strip_prefix('\\') {
        return escaped
            .find('\'')
            .map_or(source.len(), |close| at + 2 + close + 1);
    }
    let mut characters = rest.char_indices();
    match (characters.next(), characters.next()) {
        (Some(_), Some((close, '\''))) => at + 1 + close + 1,
        _ => at + 1,
    }
}

/// The span of bytes `start..end` (one line).
fn span(source: &str, start: usize, end: usize) -> Span {
    let line = source[..start].matches('\n').count() + 1;
    let line_start = source[..start].rfind('\n').map_or(0, |newline| newline + 1);
    let column = source[line_start..start].chars().count() + 1;
    let end_column = column + source[start..end].chars().count();
    Span {
        start: start as u32,
        end: end as u32,
        line: line as u32,
        column: column as u32,
        end_line: line as u32,
        end_column: end_column as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SuppressionScope;

    /// Line, column, scope, codes, reason, and whether it stands on its own line.
    type Found = (
        u32,
        u32,
        SuppressionScope,
        Vec<String>,
        Option<String>,
        bool,
    );

    fn found(source: &str) -> Vec<Found> {
        suppressions(source)
            .into_iter()
            .map(|suppression| {
                (
                    suppression.line,
                    suppression.span.column,
                    suppression.scope,
                    suppression
                        .codes
                        .iter()
                        .map(|code| code.to_string())
                        .collect(),
                    suppression.reason.map(|reason| reason.to_string()),
                    suppression.own_line,
                )
            })
            .collect()
    }

    #[test]
    fn line_and_file_suppressions_with_codes_and_reasons() {
        let source = "// importgate: ignore-file[IG003] -- generated\nuse crate::a::B; // importgate: ignore[IG001, IG010] -- until the move\n    // importgate: ignore\nuse x::y;\n";
        assert_eq!(
            found(source),
            [
                (
                    1,
                    1,
                    SuppressionScope::File,
                    vec!["IG003".into()],
                    Some("generated".into()),
                    true
                ),
                (
                    2,
                    18,
                    SuppressionScope::Line,
                    vec!["IG001".into(), "IG010".into()],
                    Some("until the move".into()),
                    false
                ),
                (3, 5, SuppressionScope::Line, vec![], None, true),
            ]
        );
    }

    #[test]
    fn nothing_in_literals_doc_or_block_comments_counts() {
        let source = concat!(
            "/// importgate: ignore[IG001] -- documentation\n",
            "//! importgate: ignore[IG001]\n",
            "/* importgate: ignore[IG001] /* nested */ still */\n",
            "let a = \"// importgate: ignore[IG001]\";\n",
            "let b = r#\"\" // importgate: ignore[IG001]\"#;\n",
            "let c = br\"// importgate: ignore[IG001]\";\n",
            "let d = '\"'; let e = '\\''; fn f<'a>(x: &'a str) {}\n",
            "let g = \"\\\"// importgate: ignore[IG001]\";\n",
            "//// importgate: ignore[IG002] -- four slashes are a plain comment\n",
        );
        let found = found(source);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 9);
        assert_eq!(found[0].3, vec!["IG002".to_string()]);
    }

    #[test]
    fn a_malformed_directive_is_kept_with_why() {
        let suppressions = suppressions("x(); // importgate: ignroe[IG001]\n");
        assert_eq!(suppressions.len(), 1);
        assert!(suppressions[0]
            .malformed
            .as_deref()
            .is_some_and(|why| why.contains("ignroe")));
    }

    proptest::proptest! {
        /// Any text — Rust-like pieces mixed with anything — scans without a panic, and
        /// every comment found is a `//` comment whose directive the text holds.
        #[test]
        fn any_text_scans_and_finds_only_line_comments(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("// importgate: ignore[IG001]\n".to_string()),
                    proptest::strategy::Just("\"".to_string()),
                    proptest::strategy::Just("'".to_string()),
                    proptest::strategy::Just("r#\"".to_string()),
                    proptest::strategy::Just("/*".to_string()),
                    proptest::strategy::Just("*/".to_string()),
                    proptest::strategy::Just("\\".to_string()),
                    proptest::strategy::Just("é".to_string()),
                    ".{0,8}",
                ],
                0..24,
            )
        ) {
            let source: String = pieces.concat();
            for found in suppressions(&source) {
                let text = &source[found.span.start as usize..found.span.end as usize];
                proptest::prop_assert!(text.starts_with("//"), "{text:?}");
                proptest::prop_assert!(text.contains("importgate:"), "{text:?}");
            }
        }
    }
}
