//! An open document as the editor holds it: its text (unsaved edits included), its version,
//! and the conversion between LSP positions and byte offsets.
//!
//! LSP positions count lines split at `\n`, `\r\n` or `\r`, and characters in the encoding
//! the client and server agreed on at initialization: UTF-16 code units unless both support
//! another. importgate's spans are byte offsets into the text, so every position that
//! crosses the protocol goes through [`Document::offset`] or [`Document::position`]; a
//! column counted in bytes or in characters would be wrong on any line with non-ASCII text
//! before the import (a `# café` comment, a Greek docstring, an emoji).

use lsp_types::{Position, PositionEncodingKind, Range, TextDocumentContentChangeEvent};

/// The unit LSP columns are counted in for this session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 code units: bytes.
    Utf8,
    /// UTF-16 code units: what every client supports and the protocol's default.
    #[default]
    Utf16,
    /// Unicode scalar values: characters.
    Utf32,
}

impl Encoding {
    /// The encoding to use given what the client offers (`general.positionEncodings`), in
    /// the client's order of preference; UTF-16 when it offers none importgate knows.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        offered
            .unwrap_or_default()
            .iter()
            .find_map(|kind| match kind.as_str() {
                "utf-8" => Some(Self::Utf8),
                "utf-16" => Some(Self::Utf16),
                "utf-32" => Some(Self::Utf32),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The kind to announce in the server's capabilities.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Self::Utf8 => PositionEncodingKind::UTF8,
            Self::Utf16 => PositionEncodingKind::UTF16,
            Self::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn units(self, character: char) -> u32 {
        match self {
            Self::Utf8 => character.len_utf8() as u32,
            Self::Utf16 => character.len_utf16() as u32,
            Self::Utf32 => 1,
        }
    }
}

/// One open document.
#[derive(Clone, Debug)]
pub struct Document {
    text: String,
    version: i32,
    /// Byte offset of the start of each line (the first is 0).
    line_starts: Vec<usize>,
}

/// Why a change could not be applied: the document is then out of step with the editor.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    /// The range's start is after its end.
    #[error("the change's range starts after it ends ({start:?} > {end:?})")]
    BackwardRange {
        /// The range's start.
        start: Position,
        /// Its end.
        end: Position,
    },
}

impl Document {
    /// A document opened with this text at this version.
    pub fn new(text: String, version: i32) -> Self {
        let line_starts = line_starts(&text);
        Self {
            text,
            version,
            line_starts,
        }
    }

    /// The text as the editor holds it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The version the editor gave its last change.
    pub fn version(&self) -> i32 {
        self.version
    }

    /// Applies the changes of one `didChange`, in order (each range is in the text the
    /// previous change left), and takes the new version. A change without a range replaces
    /// the whole text. Nothing is changed when a change cannot be applied.
    pub fn apply(
        &mut self,
        changes: &[TextDocumentContentChangeEvent],
        version: i32,
        encoding: Encoding,
    ) -> Result<(), EditError> {
        let mut edited = self.clone();
        for change in changes {
            match change.range {
                None => edited = Self::new(change.text.clone(), version),
                Some(range) => {
                    let (start, end) = (
                        edited.offset(range.start, encoding),
                        edited.offset(range.end, encoding),
                    );
                    if start > end {
                        return Err(EditError::BackwardRange {
                            start: range.start,
                            end: range.end,
                        });
                    }
                    edited.text.replace_range(start..end, &change.text);
                    edited.line_starts = line_starts(&edited.text);
                }
            }
        }
        edited.version = version;
        *self = edited;
        Ok(())
    }

    /// The byte offset of an LSP position. As the protocol says, a character past the end
    /// of its line means the end of the line (before its line break), and a line past the
    /// last means the end of the text; a position inside a character that takes several
    /// units is moved to that character's start.
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        let Some(&line_start) = self.line_starts.get(position.line as usize) else {
            return self.text.len();
        };
        let line_end = self.content_end(position.line as usize);
        let mut units = 0;
        for (at, character) in self.text[line_start..line_end].char_indices() {
            let next = units + encoding.units(character);
            if next > position.character {
                return line_start + at;
            }
            units = next;
        }
        line_end
    }

    /// The LSP position of a byte offset (clamped to the text, and moved back to the start
    /// of the character it falls in).
    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line];
        let character = self.text[line_start..offset]
            .chars()
            .map(|character| encoding.units(character))
            .sum();
        Position::new(line as u32, character)
    }

    /// The LSP range of a byte range.
    pub fn range(&self, start: usize, end: usize, encoding: Encoding) -> Range {
        Range::new(
            self.position(start, encoding),
            self.position(end.max(start), encoding),
        )
    }

    /// Where line `line`'s content ends: before its `\n`, `\r\n` or `\r`.
    fn content_end(&self, line: usize) -> usize {
        let Some(&next) = self.line_starts.get(line + 1) else {
            return self.text.len();
        };
        let bytes = self.text.as_bytes();
        if next >= 2 && bytes[next - 2] == b'\r' && bytes[next - 1] == b'\n' {
            next - 2
        } else {
            next - 1
        }
    }
}

/// The byte offset each line starts at; lines end at `\n`, `\r\n` or a `\r` not followed by
/// `\n`.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (at, &byte) in bytes.iter().enumerate() {
        let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(at + 1) != Some(&b'\n'));
        if ends_line {
            starts.push(at + 1);
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn change(range: Option<Range>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_owned(),
        }
    }

    fn range(start: (u32, u32), end: (u32, u32)) -> Range {
        Range::new(Position::new(start.0, start.1), Position::new(end.0, end.1))
    }

    #[test]
    fn columns_count_utf16_units_after_non_ascii_text() {
        // "é" is one UTF-16 unit and two bytes; "😀" is two units and four bytes.
        let document = Document::new("x = 'é😀'; import os\n".into(), 1);
        let import = document.text().find("import").expect("import");
        assert_eq!(
            document.position(import, Encoding::Utf16),
            Position::new(0, 11)
        );
        assert_eq!(
            document.position(import, Encoding::Utf8),
            Position::new(0, 14)
        );
        assert_eq!(
            document.position(import, Encoding::Utf32),
            Position::new(0, 10)
        );
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let position = document.position(import, encoding);
            assert_eq!(document.offset(position, encoding), import);
        }
    }

    #[test]
    fn lines_end_at_each_kind_of_line_break() {
        let document = Document::new("a\r\nb\rc\nd".into(), 1);
        for (line, expected) in ["a", "b", "c", "d"].iter().enumerate() {
            let start = document.offset(Position::new(line as u32, 0), Encoding::Utf16);
            assert_eq!(&document.text()[start..start + 1], *expected);
        }
        // Past the end of a line: the end of its content, before "\r\n".
        assert_eq!(document.offset(Position::new(0, 99), Encoding::Utf16), 1);
        // Past the last line: the end of the text.
        assert_eq!(document.offset(Position::new(9, 0), Encoding::Utf16), 8);
    }

    #[test]
    fn a_position_inside_a_surrogate_pair_means_the_character_it_splits() {
        let document = Document::new("😀x".into(), 1);
        assert_eq!(document.offset(Position::new(0, 1), Encoding::Utf16), 0);
        assert_eq!(document.offset(Position::new(0, 2), Encoding::Utf16), 4);
    }

    #[test]
    fn incremental_changes_apply_in_order_and_take_the_version() {
        let mut document = Document::new("import os\nimport sys\n".into(), 1);
        document
            .apply(
                &[
                    change(Some(range((1, 7), (1, 10))), "billing.internal"),
                    change(Some(range((0, 0), (0, 0))), "# café\n"),
                ],
                2,
                Encoding::Utf16,
            )
            .expect("applies");
        assert_eq!(
            document.text(),
            "# café\nimport os\nimport billing.internal\n"
        );
        assert_eq!(document.version(), 2);
        document
            .apply(&[change(None, "x = 1\n")], 3, Encoding::Utf16)
            .expect("applies");
        assert_eq!((document.text(), document.version()), ("x = 1\n", 3));
    }

    #[test]
    fn a_backward_range_changes_nothing() {
        let mut document = Document::new("import os\n".into(), 1);
        let error = document
            .apply(
                &[
                    change(Some(range((0, 0), (0, 0))), "# a\n"),
                    change(Some(range((0, 5), (0, 1))), ""),
                ],
                2,
                Encoding::Utf16,
            )
            .expect_err("backward");
        assert!(matches!(error, EditError::BackwardRange { .. }));
        assert_eq!((document.text(), document.version()), ("import os\n", 1));
    }

    /// A position computed the slow way: the lines first, as (start, end of content),
    /// then the units counted character by character.
    fn naive_offset(text: &str, position: Position) -> usize {
        let mut lines = Vec::new();
        let mut start = 0;
        let mut characters = text.char_indices().peekable();
        while let Some((at, character)) = characters.next() {
            if character == '\n' || character == '\r' {
                lines.push((start, at));
                start = at + 1;
                if character == '\r' && characters.peek().map(|next| next.1) == Some('\n') {
                    characters.next();
                    start += 1;
                }
            }
        }
        lines.push((start, text.len()));
        let Some(&(start, end)) = lines.get(position.line as usize) else {
            return text.len();
        };
        let mut units = 0;
        for (at, character) in text[start..end].char_indices() {
            units += character.len_utf16() as u32;
            if units > position.character {
                return start + at;
            }
        }
        end
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("a".to_owned()),
                Just("é".to_owned()),
                Just("😀".to_owned()),
                Just("\n".to_owned()),
                Just("\r\n".to_owned()),
                Just("\r".to_owned()),
                Just("import x".to_owned()),
            ],
            0..24,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn offsets_agree_with_counting_character_by_character(
            text in text_strategy(),
            line in 0u32..12,
            character in 0u32..20,
        ) {
            let document = Document::new(text.clone(), 1);
            let position = Position::new(line, character);
            prop_assert_eq!(
                document.offset(position, Encoding::Utf16),
                naive_offset(&text, position)
            );
        }

        #[test]
        fn every_character_start_round_trips(text in text_strategy()) {
            let document = Document::new(text.clone(), 1);
            for (offset, _) in text.char_indices() {
                for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                    let position = document.position(offset, encoding);
                    // A "\n" after "\r" is the same line break: its position is the
                    // line's end, where the "\r" is.
                    let back = document.offset(position, encoding);
                    prop_assert!(back == offset || (text[..offset].ends_with('\r') && back == offset - 1));
                }
            }
        }

        #[test]
        fn an_edit_replaces_exactly_the_text_between_its_positions(
            text in text_strategy(),
            replacement in text_strategy(),
            a in (0u32..12, 0u32..20),
            b in (0u32..12, 0u32..20),
        ) {
            let mut document = Document::new(text.clone(), 1);
            let (first, second) = (Position::new(a.0, a.1), Position::new(b.0, b.1));
            let (start, end) = (naive_offset(&text, first), naive_offset(&text, second));
            let (start_position, end_position, start, end) = if start <= end {
                (first, second, start, end)
            } else {
                (second, first, end, start)
            };
            let result = document.apply(
                &[change(Some(Range::new(start_position, end_position)), &replacement)],
                2,
                Encoding::Utf16,
            );
            prop_assert!(result.is_ok());
            let expected = format!("{}{}{}", &text[..start], replacement, &text[end..]);
            prop_assert_eq!(document.text(), expected.as_str());
            prop_assert_eq!(Document::new(expected.clone(), 2).line_starts, document.line_starts.clone());
        }
    }
}
