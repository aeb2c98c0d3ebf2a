//! `file:` URIs, the way LSP names documents, to and from paths.
//!
//! Only `file:` URIs of the local machine name a file importgate checks (an editor also
//! opens `untitled:` buffers, diff views under `git:` and so on: those are not files of the
//! tree and get no diagnostics). The path is percent-decoded byte by byte, so a file name
//! with spaces, `#` or non-ASCII letters round-trips; a path that is not absolute after
//! decoding, or that holds a NUL, is refused.

use lsp_types::Uri;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What is percent-encoded in a path: everything but the unreserved characters of RFC 3986,
/// `/`, and the sub-delimiters and `:`/`@` that a path segment may hold as they are.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The local path a `file:` URI names, if it names one.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let scheme_end = text.find(':')?;
    if !text[..scheme_end].eq_ignore_ascii_case("file") {
        return None;
    }
    let rest = &text[scheme_end + 1..];
    // `file:///p` and `file://localhost/p` are local; `file:/p` is too (RFC 8089).
    let path = match rest.strip_prefix("//") {
        Some(authority_and_path) => {
            let slash = authority_and_path.find('/')?;
            let authority = &authority_and_path[..slash];
            if !authority.is_empty() && !authority.eq_ignore_ascii_case("localhost") {
                return None;
            }
            &authority_and_path[slash..]
        }
        None => rest,
    };
    // A query or fragment is not part of the path.
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let bytes: Vec<u8> = percent_decode_str(path).collect();
    if bytes.contains(&0) {
        return None;
    }
    let path = bytes_to_path(bytes)?;
    path.is_absolute().then_some(path)
}

/// The `file:` URI of an absolute path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    if !path.is_absolute() {
        return None;
    }
    let text = path_text(path)?;
    let encoded = utf8_percent_encode_bytes(&text);
    Uri::from_str(&format!("file://{encoded}")).ok()
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    // `/C:/dir/file.py` on Windows: the drive follows the leading slash.
    let text = String::from_utf8(bytes).ok()?;
    let text = match text.strip_prefix('/') {
        Some(rest) if rest.as_bytes().get(1) == Some(&b':') => rest.to_owned(),
        _ => text,
    };
    Some(PathBuf::from(text.replace('/', "\\")))
}

#[cfg(unix)]
fn path_text(path: &Path) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    Some(path.as_os_str().as_bytes().to_vec())
}

#[cfg(not(unix))]
fn path_text(path: &Path) -> Option<Vec<u8>> {
    let text = path.to_str()?.replace('\\', "/");
    Some(format!("/{}", text.trim_start_matches('/')).into_bytes())
}

/// Percent-encodes a path's bytes: UTF-8 sequences as `utf8_percent_encode` does, and any
/// byte that is not UTF-8 (a Unix file name may hold one) as `%XX`.
fn utf8_percent_encode_bytes(bytes: &[u8]) -> String {
    let mut encoded = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        encoded.extend(utf8_percent_encode(chunk.valid(), PATH_SEGMENT));
        for byte in chunk.invalid() {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn uri(text: &str) -> Uri {
        Uri::from_str(text).expect("a URI")
    }

    #[test]
    fn local_file_uris_name_their_decoded_path() {
        assert_eq!(
            path_of(&uri("file:///work/a%20b/caf%C3%A9.py")),
            Some(PathBuf::from("/work/a b/café.py"))
        );
        assert_eq!(
            path_of(&uri("file://localhost/work/x.py")),
            Some(PathBuf::from("/work/x.py"))
        );
        assert_eq!(
            path_of(&uri("file:/work/x.py")),
            Some(PathBuf::from("/work/x.py"))
        );
    }

    #[test]
    fn other_schemes_hosts_and_nul_bytes_name_no_file() {
        for text in [
            "untitled:Untitled-1",
            "git:/work/x.py?ref=HEAD",
            "file://server/share/x.py",
            "file:///work/a%00b.py",
            "file:relative.py",
        ] {
            assert_eq!(path_of(&uri(text)), None, "{text}");
        }
    }

    #[test]
    fn paths_round_trip_through_uris() {
        use std::os::unix::ffi::OsStrExt;
        for path in [
            Path::new("/work/a b/#1 [x]?.py"),
            Path::new("/work/ünïcödé/😀.py"),
            Path::new("/work/100%/x.py"),
            Path::new(std::ffi::OsStr::from_bytes(b"/work/latin\xe9.py")),
        ] {
            let uri = uri_of(path).expect("a URI");
            assert_eq!(path_of(&uri).as_deref(), Some(path), "{}", uri.as_str());
        }
    }
}
