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
    lex(source, usize::MAX).comments
}

/// Where syn's recursive descent could first go deeper than `limit` levels, if it could:
/// see [`Nesting`].
pub fn too_deep(source: &str, limit: usize) -> Option<usize> {
    lex(source, limit.saturating_mul(NESTS)).too_deep_at
}

/// What a token that nests costs, in the units of [`Nesting::total`].
const NESTS: usize = 40;
/// What a token that only deepens the syntax tree costs (a binary operator, a field, a
/// call or index after an operand): syn parses those in a loop, but the tree it builds is
/// as deep as the chain is long, and visiting and dropping it recurse that deep — at a
/// fraction of a parsing level's stack (measured: 561 bytes per level in a debug build,
/// against up to 32 KB for parsing).
const DEEPENS: usize = 1;

/// An upper bound of how deep syn's recursive descent goes at each point of a file, kept
/// while the file is scanned, so that a file that could exhaust the parsing thread's stack
/// is refused before syn sees it. Every token that can nest counts one level, from where the
/// parser must be back at a loop (a statement, item, list element or field) — after `;`,
/// after `,` directly inside a bracket, after a `}` that ends a statement or item (the
/// next token cannot continue an expression) — and every bracket, `<` and closure `|`
/// opens a level. What is inside a bracket group is given back when it closes (syn parses
/// a group on its own), and so is a `<` level at its `>`. Commas inside `<...>` and inside
/// a closure's parameters give nothing back: generic arguments and closures nest across
/// them. Names, numbers, literals and binary operators count nothing: syn parses operands
/// and binary chains in loops.
struct Nesting {
    /// Innermost last; the first is the file's own level, never closed.
    levels: Vec<Level>,
    /// The sum of the levels' counts and their number.
    total: usize,
    /// The last token can end an operand: a name (not a keyword), a literal, a closing
    /// bracket. A `|` after one is a binary operator or ends closure parameters.
    after_operand: bool,
    /// The last token was a `}`: a statement or item may have ended there.
    after_brace: bool,
}

#[derive(Clone, Copy)]
struct Level {
    /// A bracket group (`(`, `[`, `{`), else a `<` or a closure's `|`.
    bracket: bool,
    /// Tokens counted in it since its last element boundary.
    count: usize,
}

impl Nesting {
    fn new() -> Self {
        Self {
            levels: vec![Level {
                bracket: true,
                count: 0,
            }],
            total: NESTS,
            after_operand: false,
            after_brace: false,
        }
    }

    fn count(&mut self, units: usize) {
        if let Some(level) = self.levels.last_mut() {
            level.count += units;
            self.total += units;
        }
    }

    fn open(&mut self, bracket: bool) {
        self.levels.push(Level { bracket, count: 0 });
        self.total += NESTS;
    }

    /// Closes the innermost level (not the file's).
    fn close_one(&mut self) {
        if self.levels.len() > 1 {
            if let Some(level) = self.levels.pop() {
                self.total -= NESTS + level.count;
            }
        }
    }

    /// The parser is back at a loop of the innermost bracket group: what was open inside it
    /// is done.
    fn element_boundary(&mut self) {
        while self.levels.last().is_some_and(|level| !level.bracket) {
            self.close_one();
        }
        if let Some(level) = self.levels.last_mut() {
            self.total -= level.count;
            level.count = 0;
        }
    }

    /// A name, keyword or number. Keywords count (`return`, `move`, `as`, `else if` nest);
    /// names and numbers are operands, which nest nothing by themselves.
    fn word(&mut self, word: &[u8]) {
        if self.after_brace && word != b"as" && word != b"else" {
            self.element_boundary();
        }
        self.after_brace = false;
        let keyword = is_keyword(word);
        if keyword {
            self.count(NESTS);
        }
        self.after_operand = !keyword;
    }

    /// A string or character literal (`literal`), or a lifetime or label.
    fn quoted(&mut self, literal: bool) {
        if self.after_brace && literal {
            self.element_boundary();
        }
        self.after_brace = false;
        if !literal {
            self.count(NESTS);
        }
        self.after_operand = literal;
    }

    fn punctuation(&mut self, byte: u8, previous: Option<u8>) {
        let after_brace = std::mem::replace(&mut self.after_brace, false);
        let after_operand = std::mem::replace(&mut self.after_operand, false);
        match byte {
            b'(' | b'[' | b'{' => {
                // A call or index after an operand deepens the tree by one.
                if after_operand {
                    self.count(DEEPENS);
                }
                self.open(true)
            }
            b')' | b']' | b'}' => {
                while self.levels.len() > 1 {
                    let bracket = self.levels.last().is_some_and(|level| level.bracket);
                    self.close_one();
                    if bracket {
                        break;
                    }
                }
                self.after_operand = true;
                self.after_brace = byte == b'}';
            }
            b';' => self.element_boundary(),
            b',' if self.levels.last().is_some_and(|level| level.bracket) => {
                self.element_boundary()
            }
            b'<' => self.open(false),
            b'>' if !matches!(previous, Some(b'-' | b'='))
                && self.levels.last().is_some_and(|level| !level.bracket) =>
            {
                self.close_one()
            }
            b'|' if !after_operand => self.open(false),
            b'|' => self.count(DEEPENS),
            b'#' => {
                if after_brace {
                    self.element_boundary();
                }
                self.count(NESTS);
            }
            // Postfix: the operand goes on.
            b'?' => {
                self.count(DEEPENS);
                self.after_operand = after_operand;
            }
            // Path separators and type annotations nest nothing by themselves.
            b':' => {}
            // Assignments are right-associative: each nests.
            b'=' => self.count(NESTS),
            // After an operand, an operator is binary (or `.` a field or method): syn
            // parses those in a loop, nesting only as deep as there are precedence levels.
            _ if after_operand => self.count(DEEPENS),
            // Before an operand, a prefix operator (`-`, `!`, `*`, `&`, `..`): each nests.
            _ => self.count(NESTS),
        }
    }
}

/// Rust's keywords (strict, reserved and weak): after one, a `|` starts a closure.
fn is_keyword(word: &[u8]) -> bool {
    const KEYWORDS: &[&[u8]] = &[
        b"as",
        b"async",
        b"await",
        b"break",
        b"const",
        b"continue",
        b"crate",
        b"dyn",
        b"else",
        b"enum",
        b"extern",
        b"false",
        b"fn",
        b"for",
        b"if",
        b"impl",
        b"in",
        b"let",
        b"loop",
        b"match",
        b"mod",
        b"move",
        b"mut",
        b"pub",
        b"ref",
        b"return",
        b"self",
        b"Self",
        b"static",
        b"struct",
        b"super",
        b"trait",
        b"true",
        b"type",
        b"unsafe",
        b"use",
        b"where",
        b"while",
        b"abstract",
        b"become",
        b"box",
        b"do",
        b"final",
        b"gen",
        b"macro",
        b"override",
        b"priv",
        b"try",
        b"typeof",
        b"unsized",
        b"virtual",
        b"yield",
        b"union",
        b"safe",
        b"raw",
    ];
    KEYWORDS.contains(&word)
}

/// `text` after its leading whitespace and comments.
pub fn skip_trivia(mut text: &str) -> &str {
    loop {
        let trimmed = text.trim_start();
        if trimmed.starts_with("//") {
            text = trimmed.find('\n').map_or("", |newline| &trimmed[newline..]);
        } else if trimmed.starts_with("/*") {
            let end = after_block_comment(trimmed.as_bytes(), 0);
            text = trimmed.get(end..).unwrap_or("");
        } else {
            return trimmed;
        }
    }
}

/// What one scan of a source finds.
struct Lexed {
    /// The plain `//` comments.
    comments: Vec<(usize, usize)>,
    /// Where brackets first nested deeper than the limit (the scan stops there).
    too_deep_at: Option<usize>,
}

/// Scans `source` with Rust's lexical rules for what can hide a `//` or a bracket:
/// comments (block comments nest), strings, raw strings, byte and C strings, characters.
fn lex(source: &str, limit: usize) -> Lexed {
    let bytes = source.as_bytes();
    let mut comments = Vec::new();
    let mut nesting = Nesting::new();
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
            b'/' if bytes.get(at + 1) == Some(&b'*') => at = after_block_comment(bytes, at),
            b'"' => {
                at = after_string(bytes, at + 1);
                nesting.quoted(true);
            }
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
                    nesting.quoted(true);
                } else {
                    let end = word_end(bytes, at);
                    nesting.word(&bytes[at..end]);
                    at = end;
                }
            }
            b'\'' => {
                let end = after_quote(source, at);
                nesting.quoted(end > at + 2 && bytes[end - 1] == b'\'');
                at = end;
            }
            byte if is_identifier(byte) => {
                let end = word_end(bytes, at);
                nesting.word(&bytes[at..end]);
                at = end;
            }
            byte if byte.is_ascii_whitespace() => at += 1,
            byte => {
                nesting.punctuation(byte, at.checked_sub(1).map(|before| bytes[before]));
                at += 1;
            }
        }
        if nesting.total > limit {
            return Lexed {
                comments,
                too_deep_at: Some(at.saturating_sub(1)),
            };
        }
    }
    Lexed {
        comments,
        too_deep_at: None,
    }
}

/// The offset after the block comment that starts at `at` (block comments nest).
pub(super) fn after_block_comment(bytes: &[u8], mut at: usize) -> usize {
    let mut depth = 0usize;
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
    at
}

/// The end of the name or number starting at `at`.
pub(super) fn word_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&byte| !(byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80))
        .map_or(bytes.len(), |length| at + length)
}

/// Whether the `r` at `at` follows a `b` or `c` that starts a literal (`br"..."`).
fn raw_prefix(bytes: &[u8], at: usize) -> bool {
    at >= 1
        && matches!(bytes[at - 1], b'b' | b'c')
        && (at == 1 || !(bytes[at - 2].is_ascii_alphanumeric() || bytes[at - 2] == b'_'))
}

/// The offset after the string whose contents start at `at` (escapes skipped).
pub(super) fn after_string(bytes: &[u8], mut at: usize) -> usize {
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
pub(super) fn after_quote(source: &str, at: usize) -> usize {
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
