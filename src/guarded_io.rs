//! Reading files that whoever opened a pull request may have committed. Every read of a
//! checked file, the registry, the baseline or the cache goes through here, so that:
//!
//! - a FIFO, socket or device never blocks or floods the run: files are opened without
//!   blocking and only regular files are read (`/dev/zero` is a character device);
//! - a file never costs more memory than its cap: the size is checked on the open file and
//!   at most `limit + 1` bytes are read, so a file that grows meanwhile is caught too;
//! - a file outside the governed root is never read through a symlink inside it
//!   ([`GovernedRoot::read`]).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The largest registry file read (a registry of 20,000 rules is about 2 MB).
pub const CONFIG_LIMIT: u64 = 64 << 20;
/// The largest baseline file read.
pub const BASELINE_LIMIT: u64 = 256 << 20;
/// The largest import cache file read.
pub const CACHE_LIMIT: u64 = 1 << 30;
/// The largest Python file read. CPython has no limit, but its syntax tree costs about 25
/// times the file (a 50 MB file took 1.1 GB), and a file this big is generated data, not
/// code anybody wrote: it is reported (IG901), not parsed.
pub const SOURCE_LIMIT: u64 = 16 << 20;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system refused.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// A FIFO, socket, device or directory.
    #[error("not a regular file ({0})")]
    NotRegular(&'static str),
    /// Over the cap for its kind of file.
    #[error("larger than {} MiB", .0 >> 20)]
    TooLarge(u64),
    /// A symlink whose target lies outside the governed root.
    #[error("a symlink to a file outside the governed root; not read")]
    OutsideRoot,
}

impl ReadError {
    /// Whether the file does not exist (a missing optional file is not an error).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Io(error) if error.kind() == io::ErrorKind::NotFound)
    }
}

/// Reads a regular file of at most `limit` bytes, never blocking on a FIFO or device.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_opened(open_nonblocking(path, false)?, limit)
}

/// [`read_regular`] as UTF-8 text (a leading BOM is dropped).
pub fn read_regular_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_regular(path, limit)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|error| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            error.utf8_error(),
        ))
    })
}

fn open_nonblocking(path: &Path, no_follow: bool) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
        if no_follow {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    #[cfg(not(unix))]
    let _ = no_follow;
    options.open(path)
}

/// Opens a regular file of at most `limit` bytes for reading without reading it, never
/// blocking on a FIFO or device; with its length. (Whoever reads it on bounds their reads:
/// the file may still grow.)
pub fn open_regular(path: &Path, limit: u64) -> Result<(File, u64), ReadError> {
    checked_regular(open_nonblocking(path, false)?, limit)
}

/// `file` and its length, when it is a regular file of at most `limit` bytes.
fn checked_regular(file: File, limit: u64) -> Result<(File, u64), ReadError> {
    let metadata = file.metadata()?;
    let kind = metadata.file_type();
    if !kind.is_file() {
        return Err(ReadError::NotRegular(kind_name(&kind)));
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok((file, metadata.len()))
}

fn read_opened(file: File, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, length) = checked_regular(file, limit)?;
    let mut bytes = Vec::with_capacity(length as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

fn kind_name(kind: &std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    "not a file"
}

/// The governed root, resolved once, so that every read of a checked file can be held to
/// it.
#[derive(Debug, Clone)]
pub struct GovernedRoot {
    canonical: PathBuf,
}

impl GovernedRoot {
    /// The root `root` resolves to (itself when it cannot be resolved: then only paths
    /// lexically below it are inside).
    pub fn new(root: &Path) -> Self {
        Self {
            canonical: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
        }
    }

    /// Whether `path` (after resolving every symlink) lies inside the root.
    pub fn contains(&self, path: &Path) -> bool {
        path.canonicalize()
            .is_ok_and(|resolved| resolved.starts_with(&self.canonical))
    }

    /// Reads a file of the governed tree: a symlink is followed only to a file inside the
    /// root; the last component is opened without following links, so a file swapped for a
    /// symlink after the check is not followed either.
    pub fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
        let is_link = std::fs::symlink_metadata(path)?.file_type().is_symlink();
        let target = if is_link {
            let resolved = path.canonicalize()?;
            if !resolved.starts_with(&self.canonical) {
                return Err(ReadError::OutsideRoot);
            }
            resolved
        } else {
            path.to_path_buf()
        };
        read_opened(open_nonblocking(&target, true)?, limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.py");
        std::fs::write(&path, "import os\n").expect("write");
        assert_eq!(read_regular(&path, 100).expect("read"), b"import os\n");
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.py");
        std::fs::write(&path, "x".repeat(101)).expect("write");
        assert!(matches!(
            read_regular(&path, 100),
            Err(ReadError::TooLarge(100))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pipe.py");
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: `name` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read_regular(&path, 100),
            Err(ReadError::NotRegular("a FIFO"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused() {
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 100),
            Err(ReadError::NotRegular("a device"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_root_is_not_read() {
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret"), "TOKEN=1\n").expect("write");
        let root = tempfile::tempdir().expect("tempdir");
        let link = root.path().join("leak.py");
        std::os::unix::fs::symlink(outside.path().join("secret"), &link).expect("symlink");
        let inside = root.path().join("real.py");
        std::fs::write(&inside, "import os\n").expect("write");
        let alias = root.path().join("alias.py");
        std::os::unix::fs::symlink(&inside, &alias).expect("symlink");

        let governed = GovernedRoot::new(root.path());
        assert!(matches!(
            governed.read(&link, 100),
            Err(ReadError::OutsideRoot)
        ));
        assert!(!governed.contains(&link));
        assert_eq!(governed.read(&alias, 100).expect("read"), b"import os\n");
    }
}
