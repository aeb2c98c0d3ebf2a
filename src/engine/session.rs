//! What a caller that checks the same tree again and again keeps between runs: the language
//! server checks an open file on every pause in typing, and all that changes between two
//! such runs is the buffer.
//!
//! A [`Session`] keeps the tree as listed and classified with its module index, the graph
//! edges of every file the runs did not check, and the facts of the modules they read for
//! name lookups. Nothing in it is compared with the disk again: its owner says what changed
//! ([`Session::files_changed`], [`Session::tree_changed`]) — the server from its file
//! watcher. A run given a session never replays a report (its PATHS are the edited files).

use super::ListedTree;
use crate::cache::Edge;
use crate::config::Config;
use crate::model::{FileFacts, SourceFile};
use crate::resolve::ModuleIndex;
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

self_cell::self_cell!(
    /// The listed tree and the module index built over its files.
    pub(super) struct IndexedTree {
        owner: ListedTree,
        #[not_covariant]
        dependent: ModuleIndex,
    }
);

impl IndexedTree {
    /// Indexes `listed` (the index borrows the files' paths).
    pub(super) fn index(config: &Config, listed: ListedTree) -> Self {
        Self::new(listed, |listed| {
            ModuleIndex::build(
                config,
                &listed.files,
                &listed.extensions,
                &listed.rust_modules,
            )
        })
    }
}

/// The warm state of one governed tree (see the module's documentation).
#[derive(Default)]
pub struct Session {
    warm: Mutex<Option<Arc<Warm>>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Session")
            .field("warm", &self.lock().is_some())
            .finish()
    }
}

/// One listing of the tree and what runs learnt from the files of that listing.
pub(super) struct Warm {
    /// The governed root the paths are relative to.
    root: PathBuf,
    pub(super) tree: IndexedTree,
    /// The graph edges of files no run checked, by relative path, as [`super::complete_graph`]
    /// found them.
    pub(super) edges: Mutex<FxHashMap<String, Arc<[Edge]>>>,
    /// The facts of modules read to look names up in, by relative path.
    pub(super) modules: Mutex<FxHashMap<String, FileFacts>>,
}

impl Session {
    /// An empty session: the first run lists the tree.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<Warm>>> {
        self.warm.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The warm state, listing and indexing the tree first when there is none.
    pub(super) fn warm(&self, config: &Config, list: impl FnOnce() -> ListedTree) -> Arc<Warm> {
        let mut warm = self.lock();
        if let Some(warm) = warm.as_ref().filter(|warm| warm.root == config.root) {
            return Arc::clone(warm);
        }
        let fresh = Arc::new(Warm {
            root: config.root.clone(),
            tree: IndexedTree::index(config, list()),
            edges: Mutex::default(),
            modules: Mutex::default(),
        });
        *warm = Some(Arc::clone(&fresh));
        fresh
    }

    /// Files or directories were created, removed or renamed, or what decides which files
    /// the tree has changed (an ignore file): the next run lists and indexes it again.
    pub fn tree_changed(&self) {
        *self.lock() = None;
    }

    /// Whether `path` is a Python file of the tree as last listed (`None`: not listed yet).
    pub fn lists(&self, path: &Path) -> Option<bool> {
        let warm = self.lock().clone()?;
        Some(warm.position_of(path).is_some())
    }

    /// Whether the tree as last listed has Python files below the directory `path` (`None`:
    /// not listed yet).
    pub fn lists_below(&self, path: &Path) -> Option<bool> {
        let warm = self.lock().clone()?;
        let Some(relative) = crate::paths::relative_path(&warm.root, path) else {
            return Some(false);
        };
        if relative.is_empty() {
            return Some(!warm.files().is_empty());
        }
        let prefix = format!("{relative}/");
        let files = warm.files();
        let first = files.partition_point(|file| file.relative.as_str() < prefix.as_str());
        Some(
            files
                .get(first)
                .is_some_and(|file| file.relative.starts_with(&prefix)),
        )
    }

    /// The contents of these files of the tree changed: what runs learnt from them is
    /// forgotten.
    pub fn files_changed<'p>(&self, paths: impl IntoIterator<Item = &'p Path>) {
        let Some(warm) = self.lock().clone() else {
            return;
        };
        let mut edges = warm.edges.lock().unwrap_or_else(PoisonError::into_inner);
        let mut modules = warm.modules.lock().unwrap_or_else(PoisonError::into_inner);
        for path in paths {
            if let Some(relative) = crate::paths::relative_path(&warm.root, path) {
                edges.remove(&relative);
                modules.remove(&relative);
            }
        }
    }
}

impl Warm {
    pub(super) fn files(&self) -> &Arc<Vec<SourceFile>> {
        &self.tree.borrow_owner().files
    }

    fn position_of(&self, path: &Path) -> Option<usize> {
        let relative = crate::paths::relative_path(&self.root, path)?;
        self.files()
            .binary_search_by(|file| file.relative.as_str().cmp(&relative))
            .ok()
    }
}
