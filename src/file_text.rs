//! A checked file's decoded text, for the few checks that quote or rewrite it (a fix's
//! edits, the line of a registered symbol's definition). A file read for its facts has it at
//! once; a file whose facts came from the cache without being read (its stamp unchanged)
//! is read only when a check asks — and if its bytes are no longer the ones the facts came
//! from, the text says it is stale, and the file is checked again from a fresh read.

use crate::guarded_io::{read_regular, SOURCE_LIMIT};
use crate::source::decode_file;
use std::cell::{Cell, OnceCell};
use std::path::PathBuf;

/// The first 16 bytes of the BLAKE3 hash of a file's bytes: what the caches key contents by.
pub fn content_hash(bytes: &[u8]) -> [u8; 16] {
    let mut hash = [0; 16];
    hash.copy_from_slice(&blake3::hash(bytes).as_bytes()[..16]);
    hash
}

/// A file's decoded text (empty when it could not be read).
pub enum FileText {
    /// Read with the facts.
    Read(String),
    /// Not read yet: the facts are those of the content with this hash.
    Deferred {
        /// Where to read it.
        path: PathBuf,
        /// The [`content_hash`] of the bytes the facts came from.
        hash: [u8; 16],
        /// The text, once read.
        text: OnceCell<String>,
        /// Set when the read found other bytes, or none.
        stale: Cell<bool>,
    },
}

impl FileText {
    /// The text of the file at `path`, to be read when first asked for; `hash` is the
    /// [`content_hash`] of the bytes its facts came from.
    pub fn deferred(path: PathBuf, hash: [u8; 16]) -> Self {
        Self::Deferred {
            path,
            hash,
            text: OnceCell::new(),
            stale: Cell::new(false),
        }
    }

    /// The text, read now if it was deferred.
    pub fn text(&self) -> &str {
        match self {
            Self::Read(text) => text,
            Self::Deferred {
                path,
                hash,
                text,
                stale,
            } => text.get_or_init(|| match read_regular(path, SOURCE_LIMIT) {
                Ok(bytes) if content_hash(&bytes) == *hash => decode_file(path, bytes).text,
                _ => {
                    stale.set(true);
                    String::new()
                }
            }),
        }
    }

    /// Whether a deferred read found other bytes than the facts came from (or none): then
    /// whatever was built from this text and those facts is to be thrown away.
    pub fn is_stale(&self) -> bool {
        match self {
            Self::Read(_) => false,
            Self::Deferred { stale, .. } => stale.get(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deferred_text_is_read_once_and_stale_when_the_bytes_changed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.py");
        std::fs::write(&path, "import a\n").expect("write");
        let text = FileText::deferred(path.clone(), content_hash(b"import a\n"));
        assert_eq!(text.text(), "import a\n");
        std::fs::write(&path, "import b\n").expect("write");
        assert_eq!(text.text(), "import a\n", "read once");
        assert!(!text.is_stale());

        let changed = FileText::deferred(path.clone(), content_hash(b"import a\n"));
        assert_eq!(changed.text(), "");
        assert!(changed.is_stale());
        std::fs::remove_file(&path).expect("rm");
        let gone = FileText::deferred(path, content_hash(b"import b\n"));
        assert_eq!(gone.text(), "");
        assert!(gone.is_stale());
    }
}
