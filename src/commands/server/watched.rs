//! What a change on disk means for a [`Session`]: the server hears of created, changed and
//! deleted paths (from its own watcher and from the editor's) and forgets only what they
//! can have changed. Content edits of a file of the tree are the common case (a save, a
//! formatter) and forget that file; anything that can add, remove or move a module lists
//! the tree again; the rest (the cache's own writes, `.git`, files that are not Python)
//! changes nothing.

use crate::config::{Config, DEFAULT_EXCLUDES};
use crate::engine::Session;
use std::path::{Component, Path};

/// What a change of one path asks of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalidation {
    /// Nothing the session keeps depends on the path.
    Nothing,
    /// The content of a Python file of the tree changed.
    File,
    /// Modules may have appeared, gone or moved: list the tree again.
    Tree,
}

/// What the change of `path` (created, changed or deleted: the disk says which now) asks of
/// `session`, which governs `config`'s tree and keeps its cache in `cache_dir`.
pub fn invalidation(
    config: &Config,
    cache_dir: &Path,
    session: &Session,
    path: &Path,
) -> Invalidation {
    let Ok(below_root) = path.strip_prefix(&config.root) else {
        return Invalidation::Nothing;
    };
    if path.starts_with(cache_dir) {
        return Invalidation::Nothing;
    }
    let excluded = below_root.components().any(|component| match component {
        Component::Normal(name) => DEFAULT_EXCLUDES
            .iter()
            .any(|excluded| name == std::ffi::OsStr::new(excluded)),
        _ => false,
    });
    if excluded {
        return Invalidation::Nothing;
    }
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    if name == ".gitignore" || name == ".ignore" {
        return Invalidation::Tree;
    }
    let metadata = std::fs::symlink_metadata(path).ok();
    let is_file = metadata.as_ref().is_some_and(|metadata| !metadata.is_dir());
    let is_directory = metadata.as_ref().is_some_and(std::fs::Metadata::is_dir);
    let extension = path.extension().and_then(|extension| extension.to_str());
    if matches!(extension, Some("py" | "pyi")) && !is_directory {
        return match (session.lists(path), is_file) {
            // Nothing kept yet: nothing to forget.
            (None, _) => Invalidation::Nothing,
            (Some(true), true) => Invalidation::File,
            // An editor's temporary file, made and gone.
            (Some(false), false) => Invalidation::Nothing,
            // A new module, or one gone.
            _ => Invalidation::Tree,
        };
    }
    if crate::resolve::is_extension_name(&name) {
        return Invalidation::Tree;
    }
    // A Rust file's `mod` declarations and a manifest's targets and dependencies make the
    // crates' module trees: the tree is listed and laid out again.
    if (extension == Some("rs") || name == crate::classify::CARGO_MANIFEST) && !is_directory {
        return match session.lists(path) {
            None if extension == Some("rs") => Invalidation::Nothing,
            _ => Invalidation::Tree,
        };
    }
    // A directory created, renamed or removed (a removed one no longer says it was one):
    // packages and namespace packages come and go with them.
    if is_directory
        || (metadata.is_none()
            && (extension.is_none() || session.lists_below(path).unwrap_or(false)))
    {
        return Invalidation::Tree;
    }
    Invalidation::Nothing
}

/// Makes `session` forget what the change of `path` touched. Returns whether it forgot
/// anything (then the open files are checked again).
pub fn forget(config: &Config, cache_dir: &Path, session: &Session, path: &Path) -> bool {
    match invalidation(config, cache_dir, session, path) {
        Invalidation::Nothing => false,
        Invalidation::File => {
            session.files_changed([path]);
            true
        }
        Invalidation::Tree => {
            session.tree_changed();
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, CheckOptions};
    use std::sync::Arc;

    /// A tree with `pkg/a.py`, checked once through a session so that it is listed.
    fn listed_tree() -> (tempfile::TempDir, Config, Arc<Session>) {
        let directory = tempfile::tempdir().unwrap();
        let root = directory.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("pkg")).unwrap();
        std::fs::write(root.join("pkg/__init__.py"), "").unwrap();
        std::fs::write(root.join("pkg/a.py"), "import os\n").unwrap();
        std::fs::write(root.join("notes.txt"), "").unwrap();
        std::fs::create_dir_all(root.join(".git/objects")).unwrap();
        std::fs::write(root.join("rules.toml"), "").unwrap();
        let config = Config::load(&root.join("rules.toml")).unwrap();
        let session = Arc::new(Session::new());
        let options = CheckOptions {
            paths: vec![root.join("pkg/a.py")],
            session: Some(Arc::clone(&session)),
            ..CheckOptions::default()
        };
        engine::check(&config, &options).unwrap();
        (directory, config, session)
    }

    #[test]
    fn an_edited_file_of_the_tree_is_forgotten_alone() {
        let (_directory, config, session) = listed_tree();
        let cache = config.cache_dir();
        let at =
            |relative: &str| invalidation(&config, &cache, &session, &config.root.join(relative));
        assert_eq!(at("pkg/a.py"), Invalidation::File);
        assert_eq!(at("pkg/__init__.py"), Invalidation::File);
    }

    #[test]
    fn modules_created_or_removed_and_directories_list_the_tree_again() {
        let (_directory, config, session) = listed_tree();
        let cache = config.cache_dir();
        let root = config.root.clone();
        std::fs::write(root.join("pkg/b.py"), "").unwrap();
        std::fs::create_dir(root.join("pkg/sub")).unwrap();
        std::fs::remove_file(root.join("pkg/a.py")).unwrap();
        let at = |relative: &str| invalidation(&config, &cache, &session, &root.join(relative));
        assert_eq!(at("pkg/b.py"), Invalidation::Tree, "created");
        assert_eq!(at("pkg/a.py"), Invalidation::Tree, "removed");
        assert_eq!(at("pkg/sub"), Invalidation::Tree, "a new directory");
        assert_eq!(at("gone"), Invalidation::Tree, "a removed directory");
        assert_eq!(
            at("pkg/_ext.cpython-311-x86_64-linux-gnu.so"),
            Invalidation::Tree
        );
        assert_eq!(at(".gitignore"), Invalidation::Tree);
        std::fs::rename(root.join("pkg"), root.join("renamed.d")).unwrap();
        assert_eq!(
            at("pkg"),
            Invalidation::Tree,
            "a removed directory with modules"
        );
    }

    #[test]
    fn the_cache_git_temporaries_and_other_files_change_nothing() {
        let (_directory, config, session) = listed_tree();
        let cache = config.cache_dir();
        let root = config.root.clone();
        let at = |relative: &str| invalidation(&config, &cache, &session, &root.join(relative));
        assert_eq!(
            at(".importgate_cache/imports-v1.bin"),
            Invalidation::Nothing
        );
        assert_eq!(at(".git/objects"), Invalidation::Nothing);
        assert_eq!(at(".git/index.lock"), Invalidation::Nothing);
        assert_eq!(at("pkg/__pycache__"), Invalidation::Nothing);
        assert_eq!(at("pkg/.a.py.swp"), Invalidation::Nothing);
        assert_eq!(at("pkg/a.py~"), Invalidation::Nothing);
        assert_eq!(at("pkg/4913.py"), Invalidation::Nothing, "a temporary gone");
        assert_eq!(at("notes.txt"), Invalidation::Nothing);
        assert_eq!(
            invalidation(&config, &cache, &session, Path::new("/elsewhere/x.py")),
            Invalidation::Nothing
        );
    }

    #[test]
    fn a_session_that_listed_nothing_has_nothing_to_forget() {
        let (_directory, config, _) = listed_tree();
        let session = Session::new();
        let path = config.root.join("pkg/a.py");
        assert_eq!(
            invalidation(&config, &config.cache_dir(), &session, &path),
            Invalidation::Nothing
        );
    }
}
