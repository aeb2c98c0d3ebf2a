//! Walks the governed tree in parallel and lists its Python files: honours .gitignore (with
//! the `ignore` crate, so its semantics are git's), the built-in excludes and the registry's
//! `exclude` globs. Directory symlinks are not followed, so symlink loops cannot trap the
//! walk; symlinks to files are listed like files when their target lies inside the governed
//! root, and skipped with a problem otherwise (a committed `leak.py -> /proc/self/environ`
//! is never read).

use crate::config::{Config, DEFAULT_EXCLUDES};
use crate::guarded_io::GovernedRoot;
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Discovered {
    /// Absolute path.
    pub path: PathBuf,
    /// `/`-separated path relative to the root.
    pub relative: String,
}

/// A directory entry the walk could not read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkProblem {
    /// `/`-separated path relative to the root (or the path as reported, if outside it).
    pub relative: String,
    /// What went wrong.
    pub message: String,
    /// A symlink to a file outside the governed root: skipped on purpose, not unreadable.
    pub outside_root: bool,
}

/// What the walk found, sorted by path.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Python files.
    pub files: Vec<Discovered>,
    /// Entries that could not be read.
    pub problems: Vec<WalkProblem>,
    /// Compiled extension modules (`.so`, `.pyd`), `/`-separated relative paths: in one
    /// directory, Python loads `x.*.so` before `x.py`.
    pub extensions: Vec<String>,
}

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

/// Lists the Python files of the governed tree.
pub fn discover(config: &Config, threads: usize) -> Discovery {
    let root = config.root.clone();
    let mut builder = WalkBuilder::new(&root);
    builder
        .hidden(false)
        .ignore(false)
        .parents(true)
        .git_ignore(config.respect_gitignore)
        .git_global(config.respect_gitignore)
        .git_exclude(config.respect_gitignore)
        .require_git(false)
        .follow_links(false)
        .threads(threads);
    let filter_root = root.clone();
    let exclude = config.exclude.clone();
    builder.filter_entry(move |entry| {
        if entry.depth() == 0 {
            return true;
        }
        let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
        if is_dir
            && DEFAULT_EXCLUDES
                .iter()
                .any(|name| entry.file_name() == std::ffi::OsStr::new(name))
        {
            return false;
        }
        if exclude.is_empty() {
            return true;
        }
        match relative_path(&filter_root, entry.path()) {
            Some(relative) => !is_excluded(&exclude, &relative, is_dir),
            None => true,
        }
    });

    let found = Mutex::new(Discovery::default());
    let governed = GovernedRoot::new(&root);
    builder.build_parallel().run(|| {
        let root = &root;
        let found = &found;
        let governed = &governed;
        Box::new(move |result| {
            match result {
                Ok(entry) => {
                    let is_python = entry.path().extension().is_some_and(|ext| ext == "py");
                    let is_link = entry.file_type().is_some_and(|kind| kind.is_symlink());
                    let is_file = match entry.file_type() {
                        Some(kind) if kind.is_file() => true,
                        Some(kind) if kind.is_symlink() => entry.path().is_file(),
                        _ => false,
                    };
                    let wanted = is_python || is_extension_module(entry.path());
                    if wanted && is_file && is_link && !governed.contains(entry.path()) {
                        if let (Some(relative), Ok(mut found)) =
                            (relative_path(root, entry.path()), found.lock())
                        {
                            found.problems.push(WalkProblem {
                                relative,
                                message: "a symlink to a file outside the governed root; \
                                          skipped"
                                    .to_string(),
                                outside_root: true,
                            });
                        }
                        return WalkState::Continue;
                    }
                    if is_python && is_file {
                        if let Some(relative) = relative_path(root, entry.path()) {
                            let file = Discovered {
                                path: entry.path().to_path_buf(),
                                relative,
                            };
                            if let Ok(mut found) = found.lock() {
                                found.files.push(file);
                            }
                        }
                    } else if is_file && is_extension_module(entry.path()) {
                        if let Some(relative) = relative_path(root, entry.path()) {
                            if let Ok(mut found) = found.lock() {
                                found.extensions.push(relative);
                            }
                        }
                    }
                }
                Err(error) => {
                    let path = error_path(&error);
                    let relative = path
                        .as_deref()
                        .and_then(|path| relative_path(root, path))
                        .unwrap_or_else(|| {
                            path.map_or_else(String::new, |path| path.display().to_string())
                        });
                    if let Ok(mut found) = found.lock() {
                        found.problems.push(WalkProblem {
                            relative,
                            message: error.to_string(),
                            outside_root: false,
                        });
                    }
                }
            }
            WalkState::Continue
        })
    });
    let mut discovery = found.into_inner().unwrap_or_default();
    // Sorting by the relative string is the report order and far cheaper than comparing
    // paths component by component.
    discovery
        .files
        .sort_unstable_by(|a, b| a.relative.cmp(&b.relative));
    discovery.problems.sort();
    discovery.extensions.sort_unstable();
    discovery
}

/// A compiled extension module's file: `name.so`, `name.cpython-311-x86_64-linux-gnu.so`,
/// `name.abi3.so`, `name.pyd`, `name.cp311-win_amd64.pyd`.
pub fn is_extension_module(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension == "so" || extension == "pyd")
}

/// A path is excluded when a glob matches it; a directory also when a glob written for its
/// contents (`backups/**`) names it, so the walk never descends into it.
fn is_excluded(exclude: &crate::config::Globs, relative: &str, is_dir: bool) -> bool {
    exclude.is_match(relative) || (is_dir && exclude.is_match(&format!("{relative}/**")))
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errors) => errors.iter().find_map(error_path),
        _ => None,
    }
}
