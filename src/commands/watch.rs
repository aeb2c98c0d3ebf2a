//! `importgate check --watch`: checks, then checks again whenever a Python file, the
//! registry, the baseline or an ignore file changes, clearing the terminal between runs as
//! `ruff check --watch` does. Ctrl-C ends it with exit code 0.
//!
//! The governed root is watched recursively (its cache directory, which every run writes,
//! is left out, or each run would start the next); the registry's directory is watched on
//! its own, because editors save by renaming a new file over the old one. A registry that
//! does not load is reported like any run's and watched until it does.

use crate::config::Config;
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

/// How long the tree must be quiet before the next run: a save, a `git checkout` or a
/// formatter touching many files make one run.
const SETTLE: Duration = Duration::from_millis(150);

/// What is watched for one run's registry.
#[derive(Debug, Default, PartialEq, Eq)]
struct Watched {
    /// The registry file, if one was found.
    registry: Option<PathBuf>,
    /// The governed root, when the registry loads.
    root: Option<PathBuf>,
    /// The cache directory below it, whose writes are ignored.
    cache: Option<PathBuf>,
    /// The baseline file.
    baseline: Option<PathBuf>,
}

impl Watched {
    fn of(registry: Option<PathBuf>) -> Self {
        let config = registry.as_deref().and_then(|path| Config::load(path).ok());
        Self {
            registry: registry.map(|path| std::path::absolute(&path).unwrap_or(path)),
            root: config.as_ref().map(|config| config.root.clone()),
            cache: config.as_ref().map(Config::cache_dir),
            baseline: config.map(|config| config.baseline),
        }
    }

    /// The directories to watch, and how.
    fn directories(&self) -> BTreeSet<(PathBuf, bool)> {
        let mut directories = BTreeSet::new();
        if let Some(parent) = self.registry.as_deref().and_then(Path::parent) {
            directories.insert((parent.to_path_buf(), false));
        }
        if let Some(root) = &self.root {
            directories.insert((root.clone(), true));
        }
        directories
    }

    /// Whether a change of `path` can change the report.
    fn matters(&self, path: &Path) -> bool {
        if Some(path) == self.registry.as_deref() || Some(path) == self.baseline.as_deref() {
            return true;
        }
        let Some(root) = &self.root else {
            return false;
        };
        if !path.starts_with(root)
            || self
                .cache
                .as_deref()
                .is_some_and(|cache| path.starts_with(cache))
        {
            return false;
        }
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        match path.extension().and_then(|extension| extension.to_str()) {
            Some("py" | "pyi" | "rs") => true,
            Some("toml") if name == crate::classify::CARGO_MANIFEST => true,
            // A directory created, moved or removed adds or takes modules.
            None => !name.starts_with('.') || name == ".gitignore" || name == ".ignore",
            Some(_) => false,
        }
    }
}

/// Runs `check` now and after every change that matters, until interrupted. `registry` is
/// the registry `check` uses (`--config`, or the one found from the working directory).
pub fn run(registry: impl Fn() -> Option<PathBuf>, mut check: impl FnMut() -> u8) -> u8 {
    // Ctrl-C ends a watch: exit 0, as ruff does (temporary files are still removed).
    crate::atomic_file::exit_code_on_interrupt(0);
    crate::atomic_file::remove_temporaries_on_interrupt();
    let (sender, events) = channel();
    let mut watcher = match notify::recommended_watcher(sender) {
        Ok(watcher) => watcher,
        Err(error) => {
            crate::say_line(format_args!("error: cannot watch for changes: {error}"));
            return crate::EXIT_TROUBLE;
        }
    };
    let clear = std::io::stdout().is_terminal();
    let mut watching = BTreeSet::new();
    loop {
        if clear {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(b"\x1b[2J\x1b[3J\x1b[H");
            let _ = stdout.flush();
        }
        check();
        let watched = Watched::of(registry());
        let wanted = watched.directories();
        for (directory, _) in watching.difference(&wanted) {
            let _ = watcher.unwatch(directory);
        }
        for (directory, recursive) in wanted.difference(&watching) {
            let mode = if *recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            if let Err(error) = watcher.watch(directory, mode) {
                crate::say_line(format_args!(
                    "warning: cannot watch {}: {error}",
                    directory.display()
                ));
            }
        }
        watching = wanted;
        crate::say_line(format_args!("Watching for file changes (Ctrl-C to stop)."));
        if !wait_for_change(&events, &watched) {
            return crate::EXIT_TROUBLE;
        }
    }
}

/// Blocks until a change that matters, then until the tree has been quiet for [`SETTLE`].
/// `false` when the watcher stopped.
fn wait_for_change(events: &Receiver<notify::Result<notify::Event>>, watched: &Watched) -> bool {
    let matters = |event: &notify::Result<notify::Event>| match event {
        Ok(event) => {
            !matches!(event.kind, EventKind::Access(_))
                && event.paths.iter().any(|path| watched.matters(path))
        }
        // The kernel's queue overflowed or a watch broke: run again to be sure.
        Err(_) => true,
    };
    loop {
        match events.recv() {
            Ok(event) if matters(&event) => break,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    loop {
        match events.recv_timeout(SETTLE) {
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_files_the_registry_and_directories_matter_and_the_cache_does_not() {
        let watched = Watched {
            registry: Some(PathBuf::from("/w/rules.toml")),
            root: Some(PathBuf::from("/w/src")),
            cache: Some(PathBuf::from("/w/src/.importgate_cache")),
            baseline: Some(PathBuf::from("/w/importgate-baseline.json")),
        };
        for path in [
            "/w/rules.toml",
            "/w/importgate-baseline.json",
            "/w/src/pkg/a.py",
            "/w/src/pkg/a.pyi",
            "/w/src/pkg/new_package",
            "/w/src/.gitignore",
        ] {
            assert!(watched.matters(Path::new(path)), "{path}");
        }
        for path in [
            "/w/src/.importgate_cache/facts-v1.bin",
            "/w/src/.importgate_cache/x.py",
            "/w/src/README.md",
            "/w/src/.git",
            "/w/other.py",
            "/w/rules.toml.swp",
        ] {
            assert!(!watched.matters(Path::new(path)), "{path}");
        }
    }
}
