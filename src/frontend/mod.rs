//! Language frontends: source text in, language-neutral facts (`model::FileFacts`) out.
//!
//! Each language implements [`Frontend`]; the rest of importgate reaches a frontend only
//! through [`of`], by the [`Language`] of the file at hand, and never names a parser crate.

pub mod nesting;
pub mod python;
pub mod rust;
pub mod suppression;

pub use crate::model::Language;
use crate::model::{FileFacts, Span};
use std::collections::HashSet;

/// What one language's frontend does with one file: everything else is language-neutral
/// (decoding is `source::decode`'s, by language).
pub trait Frontend: Sync {
    /// The language it reads.
    fn language(&self) -> Language;

    /// The facts of one source text. Never fails: a syntax error becomes a fact, and what
    /// the parser recovered is extracted.
    fn extract(&self, source: &str, options: &ExtractOptions) -> FileFacts;

    /// How many syntax errors the parser reports for `source`: a fix must not add any.
    fn syntax_error_count(&self, source: &str) -> usize;
}

/// The frontend of `language`.
pub fn of(language: Language) -> &'static dyn Frontend {
    match language {
        Language::Python => &python::Python,
        Language::Rust => &rust::Rust,
    }
}

/// What to look for beyond imports: uses of watched module attributes or item paths
/// (`os.environ`, `std::env::var`), each frontend taking those spelled its language's way.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    watched_attributes: HashSet<String>,
    /// The last segment of each watched path: a file that contains none of them needs no
    /// search for uses.
    needles: Vec<String>,
}

impl ExtractOptions {
    /// Watches uses of these paths (`os.environ`, `std::env::var`), resolved through each
    /// file's imports. Paths of a single segment are modules: their imports are already
    /// facts.
    pub fn new(watched_attributes: impl IntoIterator<Item = String>) -> Self {
        let watched_attributes: HashSet<String> = watched_attributes
            .into_iter()
            .filter(|path| (path.contains('.') || path.contains("::")) && !path.contains('*'))
            .collect();
        let mut needles: Vec<String> = watched_attributes
            .iter()
            .filter_map(|path| last_segment(path))
            .map(str::to_string)
            .collect();
        needles.sort();
        needles.dedup();
        Self {
            watched_attributes,
            needles,
        }
    }
}

/// The last segment of a path spelled either way (`environ` of `os.environ`, `var` of
/// `std::env::var`).
fn last_segment(path: &str) -> Option<&str> {
    let separator = if path.contains("::") { "::" } else { "." };
    path.rsplit(separator).next()
}

/// The span of a byte range of `source` (the ranges a frontend records without positions).
pub fn locate(source: &str, range: (u32, u32)) -> Span {
    let length = source.len() as u32;
    let (start, end) = (range.0.min(length), range.1.min(length));
    Locator::new(source).span(start, end.max(start))
}

/// Byte ranges to line/column spans. Line starts are found lazily, only as far into the
/// file as a position was asked for: imports sit near the top, so most of a file is never
/// scanned. `\n`, `\r\n` and a lone `\r` end a line, as in Python.
pub(crate) struct Locator<'s> {
    source: &'s str,
    line_starts: Vec<u32>,
    scanned_to: usize,
}

impl<'s> Locator<'s> {
    pub(crate) fn new(source: &'s str) -> Self {
        Self {
            source,
            line_starts: vec![0],
            scanned_to: 0,
        }
    }

    /// The span of the byte range `start..end`.
    pub(crate) fn span(&mut self, start: u32, end: u32) -> Span {
        let (line, column) = self.position(start as usize);
        let (end_line, end_column) = self.position(end as usize);
        Span {
            start,
            end,
            line,
            column,
            end_line,
            end_column,
        }
    }

    pub(crate) fn position(&mut self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.source.len());
        self.scan_to(offset);
        let line = self
            .line_starts
            .partition_point(|&start| start as usize <= offset);
        let line_start = self.line_starts[line - 1] as usize;
        let mut column = self
            .source
            .get(line_start..offset)
            .map_or(0, |text| text.chars().count());
        // A BOM is not a column (ruff's convention, and what editors show).
        if line == 1 && self.source.starts_with('\u{feff}') {
            column = column.saturating_sub(1);
        }
        (line as u32, column as u32 + 1)
    }

    /// Records every line start up to and including `offset`.
    fn scan_to(&mut self, offset: usize) {
        let bytes = self.source.as_bytes();
        while self.scanned_to <= offset {
            let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[self.scanned_to..]) else {
                self.scanned_to = usize::MAX;
                return;
            };
            let terminator = self.scanned_to + found;
            let next = if bytes[terminator] == b'\r' && bytes.get(terminator + 1) == Some(&b'\n') {
                terminator + 2
            } else {
                terminator + 1
            };
            self.line_starts.push(next as u32);
            self.scanned_to = next;
        }
    }
}
