//! Turning a source file's bytes into text: strips a UTF-8 BOM, honours a PEP 263 coding
//! cookie for the Latin-1 and Windows-1252 encodings real trees carry, and replaces invalid
//! bytes (reporting where the first one was) rather than giving up on the file.

use crate::model::ReadProblem;

/// The decoded text of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    /// The text, without a BOM.
    pub text: String,
    /// Whether the file started with a UTF-8 BOM (kept by fixes).
    pub had_bom: bool,
    /// Set when bytes had to be replaced.
    pub problem: Option<ReadProblem>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a Python source file.
pub fn decode_python(mut bytes: Vec<u8>) -> SourceText {
    let had_bom = bytes.starts_with(UTF8_BOM);
    if had_bom {
        bytes.drain(..UTF8_BOM.len());
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => {
            return SourceText {
                text,
                had_bom,
                problem: None,
            }
        }
        Err(error) => error.into_bytes(),
    };
    match coding_cookie(&bytes).as_deref() {
        Some(
            "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" | "cp819" | "iso-latin-1",
        ) => SourceText {
            text: bytes.iter().map(|&byte| char::from(byte)).collect(),
            had_bom,
            problem: None,
        },
        Some("cp1252" | "windows-1252") => SourceText {
            text: bytes.iter().map(|&byte| windows_1252(byte)).collect(),
            had_bom,
            problem: None,
        },
        declared => {
            let valid_up_to = std::str::from_utf8(&bytes).map_or_else(|e| e.valid_up_to(), |_| 0);
            let valid = &bytes[..valid_up_to];
            let line = 1 + memchr::memchr_iter(b'\n', valid).count() as u32;
            let line_start = memchr::memrchr(b'\n', valid).map_or(0, |newline| newline + 1) as u32;
            let message = match declared {
                Some(encoding) if !matches!(encoding, "utf-8" | "utf8") => format!(
                    "the file declares the encoding `{encoding}`, which importgate does not decode; invalid UTF-8 bytes were replaced"
                ),
                _ => format!(
                    "the file is not valid UTF-8 (byte 0x{:02X} on line {line}); invalid bytes were replaced",
                    bytes[valid_up_to]
                ),
            };
            SourceText {
                text: String::from_utf8_lossy(&bytes).into_owned(),
                had_bom,
                problem: Some(ReadProblem::Decode {
                    message,
                    line,
                    line_start,
                }),
            }
        }
    }
}

/// The encoding named by a PEP 263 cookie on the first or second line, lowercased, with
/// `_` read as `-`.
fn coding_cookie(bytes: &[u8]) -> Option<String> {
    for line in bytes.split(|&byte| byte == b'\n').take(2) {
        let line = String::from_utf8_lossy(line);
        let trimmed = line.trim_start_matches([' ', '\t', '\x0c']);
        if !trimmed.starts_with('#') {
            continue;
        }
        let Some(position) = trimmed.find("coding") else {
            continue;
        };
        let rest = &trimmed[position + "coding".len()..];
        let Some(rest) = rest.strip_prefix([':', '=']) else {
            continue;
        };
        let name: String = rest
            .trim_start_matches([' ', '\t'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        if !name.is_empty() {
            return Some(name.to_ascii_lowercase().replace('_', "-"));
        }
    }
    None
}

/// Windows-1252: Latin-1 except for 0x80..=0x9F; its five unassigned bytes become U+FFFD.
fn windows_1252(byte: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ];
    match byte {
        0x80..=0x9F => {
            char::from_u32(u32::from(HIGH[usize::from(byte - 0x80)])).unwrap_or('\u{FFFD}')
        }
        _ => char::from(byte),
    }
}

/// 1-based line and character column of a byte offset (`\n`, `\r\n` and `\r` end lines;
/// an offset past the end or inside a character counts as the end of the text).
pub fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let mut line = 1;
    let mut line_start = 0;
    let bytes = before.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(index + 1) != Some(&b'\n'));
        if ends_line {
            line += 1;
            line_start = index + 1;
        }
    }
    (line, 1 + before[line_start..].chars().count() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped_and_remembered() {
        let decoded = decode_python(b"\xEF\xBB\xBFimport os\n".to_vec());
        assert_eq!(decoded.text, "import os\n");
        assert!(decoded.had_bom);
        assert_eq!(decoded.problem, None);
    }

    #[test]
    fn latin_1_cookie_decodes_high_bytes() {
        let decoded = decode_python(b"# -*- coding: latin-1 -*-\nname = '\xE9'\n".to_vec());
        assert_eq!(decoded.text, "# -*- coding: latin-1 -*-\nname = '\u{e9}'\n");
        assert_eq!(decoded.problem, None);
    }

    #[test]
    fn windows_1252_cookie_maps_the_high_block() {
        let decoded = decode_python(b"# coding=cp1252\nq = '\x93x\x94'\n".to_vec());
        assert_eq!(decoded.text, "# coding=cp1252\nq = '\u{201c}x\u{201d}'\n");
    }

    #[test]
    fn invalid_utf8_is_replaced_and_reported_with_its_line() {
        let decoded = decode_python(b"import os\nx = '\xFF'\n".to_vec());
        assert_eq!(decoded.text, "import os\nx = '\u{FFFD}'\n");
        assert!(matches!(
            decoded.problem,
            Some(ReadProblem::Decode {
                line: 2,
                line_start: 10,
                ..
            })
        ));
    }
}
