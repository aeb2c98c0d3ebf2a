//! Paths as importgate spells them: relative to the governed root, with `/` separators, the
//! bytes of names that are not UTF-8 escaped, `.` and `..` removed lexically. Below every
//! other module: the registry, the walk and the reports all name files this way.

use std::path::{Path, PathBuf};

/// The `/`-separated path of `path` below `root`, if it is below it.
pub fn relative_path(root: &Path, path: &Path) -> Option<String> {
    Some(slash_path(path.strip_prefix(root).ok()?))
}

/// A path as text with `/` separators on every platform. Bytes of a name that are not
/// UTF-8 are shown escaped (`x\xe9.py`), never replaced: `x\u{FFFD}.py` is another file.
pub fn slash_path(path: &Path) -> String {
    let text = escaped(path.as_os_str());
    if std::path::MAIN_SEPARATOR == '/' {
        text
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// An OS string as text: UTF-8 as is, every other byte as `\xNN`.
pub fn escaped(name: &std::ffi::OsStr) -> String {
    if let Some(text) = name.to_str() {
        return text.to_string();
    }
    let mut text = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02x}"));
        }
    }
    text
}

/// Removes `.` and `..` components lexically.
pub fn normalize(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                normalized.pop();
            }
            other => normalized.push(other),
        }
    }
    normalized
}
