//! Walks the governed tree in parallel and lists its Python files: honours .gitignore (with
//! the `ignore` crate, so its semantics are git's), the built-in excludes and the registry's
//! `exclude` globs. Directory symlinks are not followed, so symlink loops cannot trap the
//! walk; symlinks to files are listed like files when their target lies inside the governed
//! root, and skipped with a problem otherwise (a committed `leak.py -> /proc/self/environ`
//! is never read).

use crate::config::{Config, DEFAULT_EXCLUDES};
use crate::guarded_io::GovernedRoot;
use crate::model::Language;
use ignore::{WalkBuilder, WalkState};
use rustc_hash::FxHashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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

use crate::paths::relative_path;

/// Lists the Python files of the governed tree.
pub fn discover(config: &Config, threads: usize) -> Discovery {
    walk(config, threads, None).0
}

/// What a walk saw beyond the files it lists: what a listing of it must stamp or
/// re-examine. Raw bytes of paths relative to the root (names need not be UTF-8).
#[derive(Debug, Default)]
pub struct Walked {
    /// Every directory the walk read (`""`: the root).
    pub directories: Vec<Vec<u8>>,
    /// Symlinks named like Python files or extension modules: whether they are listed
    /// depends on their target, which no directory stamp covers.
    pub links: Vec<Vec<u8>>,
    /// Directories not read because the listing of their subtree is unchanged.
    pub pruned: Vec<Vec<u8>>,
    /// Whether an entry could not be read: then no listing is left (the next run reads it
    /// again rather than trust a listing without it).
    pub unreadable: bool,
}

/// Where an entry of the tree goes.
pub(crate) enum Found {
    File(Discovered),
    Extension(String),
    Problem(WalkProblem),
}

/// Sorts an entry the walk yielded: a Python file, an extension module, a symlink to a
/// file outside the governed root, or nothing.
pub(crate) fn sort_entry(
    (root, languages): (&Path, &[Language]),
    governed: &GovernedRoot,
    path: &Path,
    is_link: bool,
    is_file: bool,
) -> Option<Found> {
    let is_source = is_source_name(path, languages);
    let is_extension = is_extension_module(path);
    if !is_file || !(is_source || is_extension) {
        return None;
    }
    let relative = relative_path(root, path)?;
    if is_link && !governed.contains(path) {
        return Some(Found::Problem(WalkProblem {
            relative,
            message: "a symlink to a file outside the governed root; skipped".to_string(),
            outside_root: true,
        }));
    }
    Some(if is_source {
        Found::File(Discovered {
            path: path.to_path_buf(),
            relative,
        })
    } else {
        Found::Extension(relative)
    })
}

impl Discovery {
    pub(crate) fn add(&mut self, found: Found) {
        match found {
            Found::File(file) => self.files.push(file),
            Found::Extension(relative) => self.extensions.push(relative),
            Found::Problem(problem) => self.problems.push(problem),
        }
    }

    /// Puts everything in path order. Sorting by the relative string is the report order
    /// and far cheaper than comparing paths component by component.
    pub(crate) fn sort(&mut self) {
        self.files
            .sort_unstable_by(|a, b| a.relative.cmp(&b.relative));
        self.problems.sort();
        self.extensions.sort_unstable();
    }
}

/// Whether a name is one a listing re-examines when it is a symlink.
fn is_listed_name(path: &Path, languages: &[Language]) -> bool {
    is_source_name(path, languages) || is_extension_module(path)
}

/// The files the walk lists as the tree's sources, by the languages checked: Python
/// files; Rust files and Cargo's manifests (which say what the Rust files are); with
/// both, `pyproject.toml` files (which say which crates become Python modules).
fn is_source_name(path: &Path, languages: &[Language]) -> bool {
    let extension = path.extension().and_then(|extension| extension.to_str());
    let language_of_file = extension.and_then(Language::of_extension);
    // `.pyi` stubs are not checked sources (the index knows them as stubs).
    let python = extension == Some("py") && languages.contains(&Language::Python);
    let rust = languages.contains(&Language::Rust)
        && (language_of_file == Some(Language::Rust)
            || path
                .file_name()
                .is_some_and(|name| name == crate::classify::CARGO_MANIFEST));
    let pyproject = languages.contains(&Language::Python)
        && languages.contains(&Language::Rust)
        && path
            .file_name()
            .is_some_and(|name| name == crate::classify::PYPROJECT);
    python || rust || pyproject
}

/// The raw bytes of `path` below `root`.
pub(crate) fn relative_bytes(root: &Path, path: &Path) -> Option<Vec<u8>> {
    Some(
        path.strip_prefix(root)
            .ok()?
            .as_os_str()
            .as_encoded_bytes()
            .to_vec(),
    )
}

/// Walks the tree, noting what a listing of it needs.
/// Directories in `prunable` (relative raw bytes) are not entered; [`Walked::pruned`] lists
/// those the walk met.
pub(crate) fn walk(
    config: &Config,
    threads: usize,
    prunable: Option<Arc<FxHashSet<Vec<u8>>>>,
) -> (Discovery, Walked) {
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
    // importgate's own cache is never part of the tree: its writes would change the
    // directory stamps a listing relies on. (The root is canonical, the registry's path
    // need not be.)
    let cache_dir = config.cache_dir().canonicalize().ok();
    let pruned = Arc::new(Mutex::new(Vec::new()));
    let pruned_by_filter = Arc::clone(&pruned);
    builder.filter_entry(move |entry| {
        if entry.depth() == 0 {
            return true;
        }
        let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
        if is_dir
            && (DEFAULT_EXCLUDES
                .iter()
                .any(|name| entry.file_name() == std::ffi::OsStr::new(name))
                || cache_dir.as_deref() == Some(entry.path()))
        {
            return false;
        }
        if !exclude.is_empty()
            && relative_path(&filter_root, entry.path())
                .is_some_and(|relative| is_excluded(&exclude, &relative, is_dir))
        {
            return false;
        }
        if let (true, Some(prunable)) = (is_dir, &prunable) {
            if let Some(relative) = relative_bytes(&filter_root, entry.path()) {
                if prunable.contains(&relative) {
                    if let Ok(mut pruned) = pruned_by_filter.lock() {
                        pruned.push(relative);
                    }
                    return false;
                }
            }
        }
        true
    });

    let found = Mutex::new((Discovery::default(), Walked::default()));
    let governed = GovernedRoot::new(&root);
    let languages = config.languages.clone();
    builder.build_parallel().run(|| {
        let root = &root;
        let languages = languages.as_slice();
        let found = &found;
        let governed = &governed;
        Box::new(move |result| {
            match result {
                Ok(entry) => {
                    let kind = entry.file_type();
                    let is_link = kind.is_some_and(|kind| kind.is_symlink());
                    if kind.is_some_and(|kind| kind.is_dir()) {
                        if let (Some(relative), Ok(mut found)) =
                            (relative_bytes(root, entry.path()), found.lock())
                        {
                            found.1.directories.push(relative);
                        }
                        return WalkState::Continue;
                    }
                    if is_link && is_listed_name(entry.path(), languages) {
                        if let (Some(relative), Ok(mut found)) =
                            (relative_bytes(root, entry.path()), found.lock())
                        {
                            found.1.links.push(relative);
                        }
                    }
                    let is_file = match kind {
                        Some(kind) if kind.is_file() => true,
                        Some(kind) if kind.is_symlink() => entry.path().is_file(),
                        _ => false,
                    };
                    if let Some(entry) =
                        sort_entry((root, languages), governed, entry.path(), is_link, is_file)
                    {
                        if let Ok(mut found) = found.lock() {
                            found.0.add(entry);
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
                        found.0.problems.push(WalkProblem {
                            relative,
                            message: error.to_string(),
                            outside_root: false,
                        });
                        found.1.unreadable = true;
                    }
                }
            }
            WalkState::Continue
        })
    });
    let (mut discovery, mut walked) = found.into_inner().unwrap_or_default();
    discovery.sort();
    walked.pruned = pruned
        .lock()
        .map(|mut pruned| std::mem::take(&mut *pruned))
        .unwrap_or_default();
    (discovery, walked)
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
