//! A Rust file's module outline — what rustc's module loading reads of it — from its
//! tokens, without parsing it: `mod x;` declarations with their `#[path]` and
//! `#[cfg_attr(.., path = "..")]` attributes, inline `mod x { .. }` modules, item-level
//! `include!("..")`, `extern crate x (as y);`, `#[macro_export] macro_rules! name`, the
//! names item-level `use` declarations bind (what a module re-exports), and all
//! of these inside item-level macro invocations (`cfg_if! { if #[cfg(unix)] { mod unix; }
//! .. }`: rustc loads the modules the expansion declares; every branch is followed).
//!
//! Only item lists are looked in (a file's, an inline module's, a macro invocation's):
//! a function body, `impl` or `trait` block declares no file module. The scan never fails
//! and never recurses deeper than [`MAX_ITEM_NESTING`] item lists: a file that does not
//! parse still declares the modules its tokens say (its own parse is reported where it is
//! checked), and a hostile file costs one pass over its bytes.
//!
//! It replaces a syn parse of every module file before the checks parse them again:
//! `tests/rust_modules.rs` compares the files the trees reach with the ones rustc reads.

use super::comments::{after_block_comment, after_quote, after_string, word_end};

/// Item lists (inline modules, macro bodies) nested deeper than this inside one another
/// are not looked into.
pub const MAX_ITEM_NESTING: usize = 128;

/// One thing the module loader needs, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `mod name;`: a module in a file of its own.
    Declared {
        /// Its name (a raw identifier without `r#`).
        name: String,
        /// Its `#[path = ".."]`.
        path: Option<String>,
        /// The paths of its `#[cfg_attr(predicate, path = "..")]` attributes.
        conditional: Vec<String>,
        /// The line of its name.
        line: usize,
    },
    /// `mod name {`: an inline module starts; what follows up to its [`Event::InlineEnd`]
    /// is inside it.
    InlineStart {
        /// Its name.
        name: String,
        /// Its `#[path = ".."]` (where its file modules are looked for).
        path: Option<String>,
    },
    /// The inline module last started ends.
    InlineEnd,
    /// An item-level `include!("file")`.
    Include(String),
    /// `extern crate name (as alias);` (`alias` is `name` without one).
    ExternCrate {
        /// The crate.
        name: String,
        /// The name it is bound as.
        alias: String,
    },
    /// `#[macro_export] macro_rules! name`.
    ExportedMacro(String),
    /// An item-level `use` declaration (of any visibility): what it binds.
    Use(Vec<UseBinding>),
}

/// One name a `use` declaration binds, or one of its globs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseBinding {
    /// The path as written, `::`-separated (`crate`, `self` and `super` included; a
    /// leading `::` is kept: `::outer::x`).
    pub path: String,
    /// The name it is bound as (the last segment, or the `as` name); `None` for a glob
    /// (`path::*`).
    pub name: Option<String>,
}

/// The outline of `source`, in source order.
pub fn outline(source: &str) -> Vec<Event> {
    let tokens = Tokens::of(source);
    let mut scan = Scan {
        source,
        tokens: &tokens,
        events: Vec::new(),
        lines: (0, 1),
    };
    scan.items(0, tokens.list.len(), false, 0);
    scan.events
}

/// A token of Rust's lexical grammar, as far as the outline needs to tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An identifier or keyword (`r#` stripped), or a number.
    Word,
    /// A string, character or byte literal of any kind.
    Literal,
    /// A lifetime or label (`'a`).
    Lifetime,
    /// An opening bracket: `(`, `[` or `{`.
    Open(u8),
    /// A closing bracket.
    Close(u8),
    /// Any other punctuation character.
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    /// Byte range in the source (a raw identifier's without its `r#`).
    start: usize,
    end: usize,
}

struct Tokens {
    list: Vec<Token>,
    /// For each opening bracket, the index of its closing one (the end when unclosed).
    closing: Vec<usize>,
}

impl Tokens {
    fn of(source: &str) -> Self {
        let bytes = source.as_bytes();
        let mut list = Vec::new();
        let mut at = 0;
        let push = |list: &mut Vec<Token>, kind, start, end| list.push(Token { kind, start, end });
        while at < bytes.len() {
            let byte = bytes[at];
            match byte {
                b'/' if bytes.get(at + 1) == Some(&b'/') => {
                    at = source[at..]
                        .find('\n')
                        .map_or(bytes.len(), |newline| at + newline);
                }
                b'/' if bytes.get(at + 1) == Some(&b'*') => at = after_block_comment(bytes, at),
                b'"' => {
                    let end = after_string(bytes, at + 1);
                    push(&mut list, Kind::Literal, at, end);
                    at = end;
                }
                b'\'' => {
                    let end = after_quote(source, at);
                    let character = end > at + 2 && bytes[end - 1] == b'\'';
                    if character {
                        push(&mut list, Kind::Literal, at, end);
                        at = end;
                    } else {
                        // A lifetime: the quote and the name after it.
                        let end = word_end(bytes, at + 1);
                        push(&mut list, Kind::Lifetime, at, end);
                        at = end.max(at + 1);
                    }
                }
                b'(' | b'[' | b'{' => {
                    push(&mut list, Kind::Open(byte), at, at + 1);
                    at += 1;
                }
                b')' | b']' | b'}' => {
                    push(&mut list, Kind::Close(byte), at, at + 1);
                    at += 1;
                }
                byte if byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80 => {
                    let end = word_end(bytes, at);
                    let word = &bytes[at..end];
                    match (word, bytes.get(end)) {
                        // `r"..."`, `br#"..."#`, `cr"..."`: raw strings.
                        (b"r" | b"br" | b"cr", Some(b'"' | b'#'))
                            if raw_string_end(bytes, end).is_some() =>
                        {
                            let close = raw_string_end(bytes, end).unwrap_or(bytes.len());
                            push(&mut list, Kind::Literal, at, close);
                            at = close;
                        }
                        // `r#ident`.
                        (b"r", Some(b'#')) => {
                            let name_end = word_end(bytes, end + 1);
                            push(&mut list, Kind::Word, end + 1, name_end);
                            at = name_end.max(end + 1);
                        }
                        // `b"..."`, `c"..."`, `b'x'`.
                        (b"b" | b"c", Some(b'"')) => {
                            let close = after_string(bytes, end + 1);
                            push(&mut list, Kind::Literal, at, close);
                            at = close;
                        }
                        (b"b", Some(b'\'')) => {
                            let close = after_quote(source, end);
                            push(&mut list, Kind::Literal, at, close);
                            at = close;
                        }
                        _ => {
                            push(&mut list, Kind::Word, at, end);
                            at = end;
                        }
                    }
                }
                byte if byte.is_ascii_whitespace() => at += 1,
                _ => {
                    // One token per character (a multi-byte one is a token of its own).
                    let width = source[at..].chars().next().map_or(1, char::len_utf8);
                    push(&mut list, Kind::Punct(byte), at, at + width);
                    at += width;
                }
            }
        }
        // Brackets matched with a stack: an unmatched closer is ignored, an unclosed opener
        // closes at the end.
        let mut closing = vec![list.len(); list.len()];
        let mut open: Vec<usize> = Vec::new();
        for (index, token) in list.iter().enumerate() {
            match token.kind {
                Kind::Open(_) => open.push(index),
                Kind::Close(_) => {
                    if let Some(opener) = open.pop() {
                        closing[opener] = index;
                    }
                }
                _ => {}
            }
        }
        Tokens { list, closing }
    }
}

/// The end of a raw string whose `#`s or quote start at `at`, if one starts there.
fn raw_string_end(bytes: &[u8], at: usize) -> Option<usize> {
    let hashes = bytes[at..].iter().take_while(|&&byte| byte == b'#').count();
    let quote = at + hashes;
    if bytes.get(quote) != Some(&b'"') {
        return None;
    }
    let closing: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    Some(
        bytes[quote + 1..]
            .windows(closing.len())
            .position(|window| window == closing.as_slice())
            .map_or(bytes.len(), |found| quote + 1 + found + closing.len()),
    )
}

/// Keywords an item can start with (after attributes and visibility): such an item is
/// skipped whole, bodies included.
const ITEM_KEYWORDS: &[&str] = &[
    "fn",
    "struct",
    "enum",
    "union",
    "trait",
    "impl",
    "type",
    "const",
    "static",
    "use",
    "extern",
    "async",
    "unsafe",
    "default",
    "auto",
    "safe",
    "mod",
    "macro_rules",
];

/// The attributes before an item, as far as module loading reads them.
#[derive(Default)]
struct Attributes {
    path: Option<String>,
    conditional: Vec<String>,
    macro_export: bool,
}

struct Scan<'s, 't> {
    source: &'s str,
    tokens: &'t Tokens,
    events: Vec<Event>,
    /// (byte offset, its line): lines are counted forward from the last one asked.
    lines: (usize, usize),
}

impl Scan<'_, '_> {
    fn kind(&self, index: usize) -> Option<Kind> {
        self.tokens.list.get(index).map(|token| token.kind)
    }

    fn text(&self, index: usize) -> &str {
        let token = self.tokens.list[index];
        &self.source[token.start..token.end]
    }

    fn is_word(&self, index: usize, word: &str) -> bool {
        self.kind(index) == Some(Kind::Word) && self.text(index) == word
    }

    fn word(&self, index: usize) -> Option<String> {
        (self.kind(index) == Some(Kind::Word)).then(|| self.text(index).to_string())
    }

    fn closing(&self, index: usize) -> usize {
        self.tokens.closing[index]
    }

    fn line_of(&mut self, index: usize) -> usize {
        let offset = self.tokens.list[index].start;
        let (from, line) = self.lines;
        let line = if offset >= from {
            line + self.source[from..offset].matches('\n').count()
        } else {
            self.source[..offset].matches('\n').count() + 1
        };
        self.lines = (offset, line);
        line
    }

    /// Scans the items of tokens `start..end`. In a macro invocation's body (`in_macro`),
    /// what is no item (`if #[cfg(unix)] { .. } else { .. }`) has its brace groups
    /// scanned as items, as `cfg_if!`'s branches are.
    fn items(&mut self, start: usize, end: usize, in_macro: bool, depth: usize) {
        let mut at = start;
        let mut attributes = Attributes::default();
        while at < end {
            // Attributes: `#[..]` belongs to the next item, `#![..]` to the enclosing one.
            if self.kind(at) == Some(Kind::Punct(b'#')) {
                let inner = self.kind(at + 1) == Some(Kind::Punct(b'!'));
                let bracket = if inner { at + 2 } else { at + 1 };
                if self.kind(bracket) == Some(Kind::Open(b'[')) {
                    let close = self.closing(bracket);
                    if !inner {
                        self.attribute(bracket + 1, close.min(end), &mut attributes);
                    }
                    at = close + 1;
                    continue;
                }
            }
            // A `;` between items, or a closing bracket nothing opened (a syntax error).
            if matches!(self.kind(at), Some(Kind::Punct(b';') | Kind::Close(_))) {
                at += 1;
                attributes = Attributes::default();
                continue;
            }
            at = self.item(at, end, in_macro, depth, std::mem::take(&mut attributes));
        }
    }

    /// Scans the item starting at `at` (after its attributes); returns where the next
    /// begins.
    fn item(
        &mut self,
        start: usize,
        end: usize,
        in_macro: bool,
        depth: usize,
        attributes: Attributes,
    ) -> usize {
        let mut at = start;
        // Visibility: `pub`, `pub(crate)`, `pub(in a::b)`.
        if self.is_word(at, "pub") {
            at += 1;
            if self.kind(at) == Some(Kind::Open(b'(')) {
                at = self.closing(at) + 1;
            }
        }
        if self.is_word(at, "mod") {
            if let Some(name) = self.word(at + 1) {
                match self.kind(at + 2) {
                    Some(Kind::Punct(b';')) => {
                        let line = self.line_of(at + 1);
                        self.events.push(Event::Declared {
                            name,
                            path: attributes.path,
                            conditional: attributes.conditional,
                            line,
                        });
                        return at + 3;
                    }
                    Some(Kind::Open(b'{')) => {
                        let close = self.closing(at + 2);
                        self.events.push(Event::InlineStart {
                            name,
                            path: attributes.path,
                        });
                        if depth < MAX_ITEM_NESTING {
                            self.items(at + 3, close.min(end), false, depth + 1);
                        }
                        self.events.push(Event::InlineEnd);
                        return close + 1;
                    }
                    _ => {}
                }
            }
        }
        if self.is_word(at, "extern") && self.is_word(at + 1, "crate") {
            if let Some(name) = self.word(at + 2) {
                let alias = if self.is_word(at + 3, "as") {
                    self.word(at + 4)
                } else {
                    Some(name.clone())
                };
                if let Some(alias) = alias.filter(|alias| alias != "_") {
                    self.events.push(Event::ExternCrate { name, alias });
                }
            }
            return self.skip(at, end, false, depth);
        }
        if self.is_word(at, "macro_rules") && self.kind(at + 1) == Some(Kind::Punct(b'!')) {
            if let (Some(name), true) = (self.word(at + 2), attributes.macro_export) {
                self.events.push(Event::ExportedMacro(name));
            }
            // The body is a template, not items.
            return match self.kind(at + 3) {
                Some(Kind::Open(_)) => self.closing(at + 3) + 1,
                _ => at + 3,
            };
        }
        // An item macro invocation: `path::to::name! (..)`, `name! {..}`.
        if let Some(bang) = self.macro_path_end(at, end) {
            let body = bang + 1;
            let close = self.closing(body).min(end);
            let single_word = bang == at + 1;
            if single_word && self.is_word(at, "include") {
                if let Some(file) = self.only_string(body + 1, close) {
                    self.events.push(Event::Include(file));
                }
            } else if depth < MAX_ITEM_NESTING {
                self.items(body + 1, close, true, depth + 1);
            }
            return close + 1;
        }
        if self.is_word(at, "use") {
            let mut bindings = Vec::new();
            if self
                .use_tree(at + 1, end, &[], &mut bindings, depth)
                .is_some()
                && !bindings.is_empty()
            {
                self.events.push(Event::Use(bindings));
            }
            return self.skip(at, end, false, depth);
        }
        let known = self
            .word(at)
            .is_some_and(|word| ITEM_KEYWORDS.contains(&word.as_str()));
        self.skip(at, end, in_macro && !known, depth)
    }

    /// Where the item starting at `at` ends: after its `;`, or after its first brace group
    /// outside brackets (a body). `into_braces`: scan that brace group as items.
    fn skip(&mut self, mut at: usize, end: usize, into_braces: bool, depth: usize) -> usize {
        while at < end {
            match self.kind(at) {
                Some(Kind::Punct(b';')) => return at + 1,
                Some(Kind::Open(b'{')) => {
                    let close = self.closing(at);
                    if into_braces && depth < MAX_ITEM_NESTING {
                        self.items(at + 1, close.min(end), true, depth + 1);
                    }
                    return close + 1;
                }
                Some(Kind::Open(_)) => at = self.closing(at) + 1,
                _ => at += 1,
            }
        }
        end
    }

    /// Whether tokens `at` and `at + 1` are a path separator `::`.
    fn is_path_separator(&self, at: usize) -> bool {
        self.kind(at) == Some(Kind::Punct(b':')) && self.kind(at + 1) == Some(Kind::Punct(b':'))
    }

    /// Reads the use tree at `at` (below the segments `prefix`) into `bindings`; the index
    /// after it, or `None` when it is no tree the outline reads (`$crate::..` in a macro, a
    /// syntax error), whose bindings are then partial.
    fn use_tree(
        &self,
        mut at: usize,
        end: usize,
        prefix: &[String],
        bindings: &mut Vec<UseBinding>,
        depth: usize,
    ) -> Option<usize> {
        let mut path = prefix.to_vec();
        if prefix.is_empty() && self.is_path_separator(at) {
            // Joined, an empty first segment: `::outer::x`.
            path.push(String::new());
            at += 2;
        }
        while at < end {
            match self.kind(at)? {
                Kind::Punct(b'*') => {
                    bindings.push(UseBinding {
                        path: path.join("::"),
                        name: None,
                    });
                    return Some(at + 1);
                }
                Kind::Open(b'{') if depth < MAX_ITEM_NESTING => {
                    let close = self.closing(at).min(end);
                    let mut inner = at + 1;
                    while inner < close {
                        inner = self.use_tree(inner, close, &path, bindings, depth + 1)?;
                        match self.kind(inner) {
                            Some(Kind::Punct(b',')) => inner += 1,
                            _ if inner >= close => break,
                            _ => return None,
                        }
                    }
                    return Some(close + 1);
                }
                Kind::Word => {
                    let word = self.text(at).to_string();
                    at += 1;
                    if self.is_path_separator(at) {
                        path.push(word);
                        at += 2;
                        continue;
                    }
                    // `a::{self}` binds `a`.
                    let mut name = if word == "self" {
                        path.last().cloned()
                    } else {
                        path.push(word.clone());
                        Some(word)
                    };
                    if self.is_word(at, "as") {
                        name = self.word(at + 1).filter(|alias| alias != "_");
                        at += 2;
                    }
                    if let Some(name) = name {
                        bindings.push(UseBinding {
                            path: path.join("::"),
                            name: Some(name),
                        });
                    }
                    return Some(at);
                }
                _ => return None,
            }
        }
        None
    }

    /// If a macro invocation starts at `at` (`a::b!` followed by a bracket), the index of
    /// its `!`.
    fn macro_path_end(&self, mut at: usize, end: usize) -> Option<usize> {
        if self.kind(at) == Some(Kind::Punct(b':')) && self.kind(at + 1) == Some(Kind::Punct(b':'))
        {
            at += 2;
        }
        loop {
            if at >= end || self.kind(at) != Some(Kind::Word) {
                return None;
            }
            at += 1;
            match (self.kind(at), self.kind(at + 1)) {
                (Some(Kind::Punct(b'!')), Some(Kind::Open(_))) => return Some(at),
                (Some(Kind::Punct(b':')), Some(Kind::Punct(b':'))) => at += 2,
                _ => return None,
            }
        }
    }

    /// The value of the string literal that is all of tokens `start..end`.
    fn only_string(&self, start: usize, end: usize) -> Option<String> {
        (end == start + 1 && self.kind(start) == Some(Kind::Literal))
            .then(|| string_value(self.text(start)))
            .flatten()
    }

    /// Reads an attribute's tokens (inside its brackets) into `attributes`.
    fn attribute(&self, start: usize, end: usize, attributes: &mut Attributes) {
        if self.is_word(start, "path") {
            if let Some(value) = self.name_value(start, end, "path") {
                attributes.path = Some(value);
            }
        } else if self.is_word(start, "macro_export") {
            attributes.macro_export = true;
        } else if self.is_word(start, "cfg_attr") && self.kind(start + 1) == Some(Kind::Open(b'('))
        {
            // `cfg_attr(predicate, attribute, ..)`: its attributes after the predicate.
            let close = self.closing(start + 1).min(end);
            let mut element = start + 2;
            let mut first = true;
            let mut at = element;
            while at <= close {
                if at == close || self.kind(at) == Some(Kind::Punct(b',')) {
                    if !first {
                        if let Some(value) = self.name_value(element, at, "path") {
                            attributes.conditional.push(value);
                        }
                    }
                    first = false;
                    element = at + 1;
                    at += 1;
                    continue;
                }
                at = match self.kind(at) {
                    Some(Kind::Open(_)) => self.closing(at) + 1,
                    _ => at + 1,
                };
            }
        }
    }

    /// `name = "value"` as all of tokens `start..end`: the value.
    fn name_value(&self, start: usize, end: usize, name: &str) -> Option<String> {
        (end == start + 3
            && self.is_word(start, name)
            && self.kind(start + 1) == Some(Kind::Punct(b'=')))
        .then(|| self.only_string(start + 2, end))
        .flatten()
    }
}

/// The value of a string literal token (`"a\\b.rs"`, `r#"a.rs"#`); `None` for any other
/// literal (a byte string, a character).
fn string_value(literal: &str) -> Option<String> {
    if let Some(raw) = literal.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw.get(hashes + 1..raw.len().checked_sub(hashes + 1)?)?;
        return Some(body.to_string());
    }
    let body = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut value = String::with_capacity(body.len());
    let mut characters = body.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            value.push(character);
            continue;
        }
        match characters.next()? {
            'n' => value.push('\n'),
            't' => value.push('\t'),
            'r' => value.push('\r'),
            '0' => value.push('\0'),
            '\\' => value.push('\\'),
            '"' => value.push('"'),
            '\'' => value.push('\''),
            'x' => {
                let digits: String = characters.by_ref().take(2).collect();
                value.push(char::from(u8::from_str_radix(&digits, 16).ok()?));
            }
            'u' => {
                let rest = characters.as_str();
                let close = rest.find('}')?;
                let code = u32::from_str_radix(rest.get(1..close)?, 16).ok()?;
                value.push(char::from_u32(code)?);
                characters = rest[close + 1..].chars();
            }
            // A line continuation: the newline and the whitespace after it are not in it.
            '\n' => {
                let rest = characters.as_str().trim_start();
                characters = rest.chars();
            }
            _ => return None,
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(source: &str) -> Vec<String> {
        outline(source)
            .into_iter()
            .map(|event| match event {
                Event::Declared {
                    name,
                    path,
                    conditional,
                    line,
                } => format!("mod {name} {path:?} {conditional:?} @{line}"),
                Event::InlineStart { name, path } => format!("{{ {name} {path:?}"),
                Event::InlineEnd => "}".to_string(),
                Event::Include(file) => format!("include {file}"),
                Event::ExternCrate { name, alias } => format!("extern {name} as {alias}"),
                Event::ExportedMacro(name) => format!("macro {name}"),
                Event::Use(bindings) => bindings
                    .iter()
                    .map(|binding| match &binding.name {
                        Some(name) => format!("use {} as {name}", binding.path),
                        None => format!("use {}::*", binding.path),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            })
            .collect()
    }

    #[test]
    fn use_declarations_bind_names_at_item_level_only() {
        let source = concat!(
            "use std::fmt;
",
            "pub use crate::internal as alias;
",
            "pub(crate) use self::a::{b, c as d, e::{self, *}, f as _};
",
            "use ::outer::x;
",
            "use {one, two::three};
",
            "fn f() { use not::module_level; }
",
            "mod inner { pub use super::engine::*; }
",
            "macro_rules! m { () => { use $crate::x; } }
",
            "items! { use listed::y; use $crate::z; }
",
        );
        assert_eq!(
            declared(source),
            [
                "use std::fmt as fmt",
                "use crate::internal as alias",
                "use self::a::b as b; use self::a::c as d; use self::a::e as e; use self::a::e::*",
                "use ::outer::x as x",
                "use one as one; use two::three as three",
                "{ inner None",
                "use super::engine::*",
                "}",
                "use listed::y as y",
            ]
        );
        // Unfinished trees end the scan and bind what they read.
        for source in [
            "use",
            "use a::",
            "use a::{b",
            "use a as",
            "use ::",
            "use a::{,}",
        ] {
            let _ = outline(source);
        }
    }

    #[test]
    fn declarations_inline_modules_and_attributes() {
        let source = concat!(
            "#![allow(dead_code)]\n",
            "//! mod in_doc;\n",
            "pub(crate) mod a;\n",
            "#[path = \"x/b.rs\"]\nmod b;\n",
            "#[cfg_attr(unix, path = \"u.rs\")]\n#[cfg_attr(windows, allow(x), path = r\"w.rs\")]\nmod c;\n",
            "mod r#match;\n",
            "pub mod inner {\n    #[path = \"p\"]\n    mod deep { mod d; }\n}\n",
            "fn f() { mod not_loaded; }\n",
            "impl S { fn g() {} }\n",
            "const S: &str = \"mod fake;\";\n",
            "/* mod in_comment; */\n",
        );
        assert_eq!(
            declared(source),
            [
                "mod a None [] @3",
                "mod b Some(\"x/b.rs\") [] @5",
                "mod c None [\"u.rs\", \"w.rs\"] @8",
                "mod match None [] @9",
                "{ inner None",
                "{ deep Some(\"p\")",
                "mod d None [] @12",
                "}",
                "}",
            ]
        );
    }

    #[test]
    fn macros_includes_and_extern_crates() {
        let source = concat!(
            "extern crate self as me;\nextern crate alloc;\nextern crate std as _;\n",
            "#[macro_export]\nmacro_rules! shout { () => { mod template; } }\n",
            "macro_rules! quiet { () => {} }\n",
            "include!(\"generated.rs\");\n",
            "include!(concat!(env!(\"OUT_DIR\"), \"/x.rs\"));\n",
            "cfg_if::cfg_if! {\n    if #[cfg(unix)] { mod unix; } else if #[cfg(windows)] { mod windows; } else { mod other; }\n}\n",
            "items! { pub mod listed; }\n",
            "lazy_static! { static ref X: u8 = 1; }\n",
        );
        assert_eq!(
            declared(source),
            [
                "extern self as me",
                "extern alloc as alloc",
                "macro shout",
                "include generated.rs",
                "mod unix None [] @10",
                "mod windows None [] @10",
                "mod other None [] @10",
                "mod listed None [] @12",
            ]
        );
    }

    #[test]
    fn literals_and_lifetimes_hide_nothing_and_break_nothing() {
        let source = concat!(
            "fn f<'a>(x: &'a str) -> char { let _ = b'{'; let _ = '}'; let _ = br#\"}\"#; 'x' }\n",
            "mod after;\n",
            "struct S<'a> { x: &'a u8 }\n",
            "mod last;\n",
        );
        assert_eq!(
            declared(source),
            ["mod after None [] @2", "mod last None [] @4"]
        );
    }

    #[test]
    fn unbalanced_and_unfinished_sources_end_the_scan() {
        for source in [
            "mod a { mod b;",
            "} } mod a;",
            "#[path = ",
            "mod",
            "pub(",
            "r#",
            "b'",
            "'",
        ] {
            let _ = outline(source);
        }
        assert_eq!(declared("} mod a;"), ["mod a None [] @1"]);
    }

    #[test]
    fn escaped_paths_are_unescaped() {
        assert_eq!(string_value(r#""a\\b.rs""#).as_deref(), Some("a\\b.rs"));
        assert_eq!(string_value(r##"r#"a"b"#"##).as_deref(), Some("a\"b"));
        assert_eq!(string_value(r#""\u{41}\x42""#).as_deref(), Some("AB"));
        assert_eq!(string_value("b\"x\""), None);
    }
}
