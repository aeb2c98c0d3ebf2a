//! Control characters from checked files and from the registry never reach a terminal: a
//! file name, a string in `import_module("\x1b]52;...")`, a hint in rules.toml or a line of
//! source in a code frame could otherwise move the cursor, rewrite earlier lines, set the
//! window title or write to the clipboard. Every C0 control but newline and tab, DEL, and
//! every C1 control is shown as its escape, `\u{1b}`; a carriage return is kept only as part
//! of a CRLF line ending (a `--diff` of a CRLF file is still a patch).

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` is shown escaped (newline and tab are layout, not control).
pub fn is_hidden_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `text` with every control character but newline, tab and CRLF escaped.
pub fn visible(text: &str) -> Cow<'_, str> {
    let crlf_only = |text: &str| {
        text.char_indices()
            .all(|(at, c)| !is_hidden_control(c) || (c == '\r' && text[at + 1..].starts_with('\n')))
    };
    if crlf_only(text) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            shown.push(c);
        } else {
            push_visible(&mut shown, c);
        }
    }
    Cow::Owned(shown)
}

/// Appends `c`, escaped when it is a control character.
pub fn push_visible(shown: &mut String, c: char) {
    if is_hidden_control(c) {
        shown.push_str(&format!("\\u{{{:x}}}", c as u32));
    } else {
        shown.push(c);
    }
}

/// A writer that escapes control characters in everything written through it: the last
/// line of defence for output that carries no colour of its own. A C1 control is two bytes
/// in UTF-8 and may be split across writes, so a trailing lead byte waits for the next one.
pub struct ControlEscaper<W: Write> {
    inner: W,
    pending_lead: bool,
    /// A carriage return waiting to see whether a newline follows.
    pending_return: bool,
}

impl<W: Write> ControlEscaper<W> {
    /// Escapes what is written to `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending_lead: false,
            pending_return: false,
        }
    }
}

fn is_hidden_byte(byte: u8) -> bool {
    (byte < 0x20 && byte != b'\n' && byte != b'\t') || byte == 0x7F
}

fn push_escape(out: &mut Vec<u8>, byte: u8) {
    out.extend_from_slice(format!("\\u{{{byte:x}}}").as_bytes());
}

impl<W: Write> Write for ControlEscaper<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut out = Vec::with_capacity(bytes.len() + 8);
        for &byte in bytes {
            if self.pending_return {
                self.pending_return = false;
                if byte == b'\n' {
                    out.push(b'\r');
                } else {
                    push_escape(&mut out, b'\r');
                }
            }
            if self.pending_lead {
                self.pending_lead = false;
                if (0x80..=0x9F).contains(&byte) {
                    push_escape(&mut out, byte);
                    continue;
                }
                out.push(0xC2);
            }
            if byte == 0xC2 {
                self.pending_lead = true;
            } else if byte == b'\r' {
                self.pending_return = true;
            } else if is_hidden_byte(byte) {
                push_escape(&mut out, byte);
            } else {
                out.push(byte);
            }
        }
        self.inner.write_all(&out)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.pending_return {
            self.pending_return = false;
            let mut out = Vec::new();
            push_escape(&mut out, b'\r');
            self.inner.write_all(&out)?;
        }
        if self.pending_lead {
            self.pending_lead = false;
            self.inner.write_all(&[0xC2])?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for ControlEscaper<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped_in_pieces(text: &str, piece: usize) -> String {
        let mut out = Vec::new();
        {
            let mut escaper = ControlEscaper::new(&mut out);
            for chunk in text.as_bytes().chunks(piece) {
                escaper.write_all(chunk).expect("write");
            }
            escaper.flush().expect("flush");
        }
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn controls_are_escaped_and_layout_is_kept() {
        let text = "a\x1b[2Jb\tc\nd\u{9b}e\u{7f}f\rg é ¢ crlf\r\n\r";
        let expected = "a\\u{1b}[2Jb\tc\nd\\u{9b}e\\u{7f}f\\u{d}g é ¢ crlf\r\n\\u{d}";
        assert_eq!(visible(text), expected);
        for piece in 1..=text.len() {
            assert_eq!(
                escaped_in_pieces(text, piece),
                expected,
                "pieces of {piece}"
            );
        }
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(visible("import os"), Cow::Borrowed(_)));
    }
}
