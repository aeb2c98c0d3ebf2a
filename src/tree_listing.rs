//! The listing of the governed tree a walk leaves in `.importgate_cache/tree-v1.bin`, so
//! that the next run can skip the walk (reading 20,000 directories is a third of a warm
//! run), or walk only down to what changed. The walk's answer depends on:
//!
//! - every directory the walk read: adding, removing or renaming an entry changes its
//!   stamp (modification and change times, inode, device);
//! - every ignore file the walk read — `.gitignore` of each of those directories and of the
//!   root's parents, `.git/info/exclude` of each repository among them, the global excludes
//!   file git's configuration names — since editing one in place changes no directory; the
//!   kind of each parent's `.git` (a repository starting above the root);
//! - the registry's `exclude`, `respect-gitignore`, the root, importgate's version (the
//!   fingerprint).
//!
//! When only directories changed (an entry added, removed or renamed) and no ignore file
//! did, the walk runs from the root as always but does not enter a directory whose whole
//! subtree is unchanged: that subtree's files come from the listing. The rules that decide
//! what the walk keeps are then the full walk's, because it is the same walk. Any change
//! of an ignore file, of a parent's `.git`, or of the fingerprint means a full walk.
//!
//! Symlinks named like Python files are examined again on every run: their targets can
//! change without any stamp of the tree changing. A stamp too recent to trust (within two
//! seconds of the run) is never written, so a change in the same clock tick as a walk is
//! not missed. A walk that met an unreadable entry leaves no listing.

use crate::cache::{read_checksummed, write_checksummed, Stamp};
use crate::config::Config;
use crate::discover::{relative_bytes, sort_entry, Discovered, Discovery, Walked};
use crate::guarded_io::GovernedRoot;
use crate::paths::slash_path;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "tree-v1.bin";
/// Bumped when the layout or the meaning of the listing changes.
const FORMAT: u32 = 4;

/// An ignore file (absolute, raw bytes) with its stamp, `None` when absent.
type IgnoreFile = (Vec<u8>, Option<Stamp>);

#[derive(Serialize, Deserialize)]
struct Listing {
    fingerprint: [u8; 16],
    /// Each directory the walk read, sorted by its relative path's bytes.
    directories: Vec<Directory>,
    /// The ignore files of the root's parents, present or not.
    parent_ignore_files: Vec<IgnoreFile>,
    /// What each parent of the root has as `.git` (absolute path of the `.git`, raw bytes).
    repository_markers: Vec<(Vec<u8>, MarkerKind)>,
    /// The global excludes file git's configuration names, when .gitignore is respected,
    /// and its stamp.
    global_excludes: Option<IgnoreFile>,
    /// The listed Python files and extension modules that are not symlinks, and the
    /// symlinks named like either; relative raw bytes, sorted.
    files: Vec<Vec<u8>>,
    extensions: Vec<Vec<u8>>,
    links: Vec<Vec<u8>>,
}

/// A directory the walk read.
#[derive(Clone, Serialize, Deserialize)]
pub struct Directory {
    /// Relative to the root, raw bytes (`""`: the root).
    relative: Vec<u8>,
    stamp: Stamp,
    /// Its `.gitignore`'s stamp, `None` when it has none (when .gitignore is respected).
    gitignore: Option<Stamp>,
    /// When a repository is rooted here (a `.git` directory): its `info/exclude`'s stamp.
    exclude: Option<Option<Stamp>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum MarkerKind {
    Absent,
    Directory,
    /// A `.git` file (worktree, submodule): the walk then follows it elsewhere; a listing
    /// is not kept.
    File,
}

/// Lists the Python files of the governed tree from the listing a walk left in
/// `cache_dir` when nothing it depends on changed ([`crate::tree_listing`]), else by walking
/// it (and leaving a listing for the next run). Called inside a rayon pool: the listing's
/// stamps are taken in parallel.
pub fn discover_listed(config: &Config, threads: usize, cache_dir: Option<&Path>) -> Discovery {
    let Some(cache_dir) = cache_dir else {
        return crate::discover::discover(config, threads);
    };
    let previous = match load(config, cache_dir) {
        Previous::Unchanged(discovery) => return discovery,
        Previous::Changed(previous) => Some(previous),
        Previous::Unusable => None,
    };
    // Directories whose whole subtree is unchanged are not read again: the walk goes down
    // only to the changed ones, so its ignore rules are the full walk's.
    let prunable = previous
        .as_ref()
        .map(|previous| std::sync::Arc::new(previous.prunable()));
    let (mut discovery, mut walked) = crate::discover::walk(config, threads, prunable);
    let reused = previous
        .map(|previous| previous.complete(config, &mut walked, &mut discovery))
        .unwrap_or_default();
    discovery.sort();
    if !walked.unreadable {
        save(config, cache_dir, &discovery, walked, reused);
    }
    discovery
}

/// What the listing a walk left says about this run's tree.
pub enum Previous {
    /// Nothing changed: the files, without a walk.
    Unchanged(Discovery),
    /// Only some directories changed: the walk enters only those and their parents.
    Changed(Reusable),
    /// No listing, or something changed that every directory's answer depends on.
    Unusable,
}

/// A listing of which only some directories changed.
pub struct Reusable {
    listing: Listing,
    /// Indices of the directories whose stamp changed (or that are gone).
    changed: Vec<usize>,
}

/// How a directory of the listing is now.
enum State {
    Unchanged,
    Changed,
    /// Its ignore files changed (or it now has a `.git` file).
    IgnoreRulesChanged,
}

/// What the listing in `cache_dir` says about the tree now.
pub fn load(config: &Config, cache_dir: &Path) -> Previous {
    load_listing(config, cache_dir).unwrap_or(Previous::Unusable)
}

fn load_listing(config: &Config, cache_dir: &Path) -> Option<Previous> {
    if crate::cache::directory_is_linked(cache_dir) {
        return None;
    }
    let body = read_checksummed(&cache_dir.join(FILE_NAME))?;
    let listing: Listing = postcard::from_bytes(&body).ok()?;
    // A listing is a file like any other in the tree (a pull request can commit one): it
    // names paths below the root only, and always the root itself, whose stamp no
    // committed file can match.
    let plain = |relative: &Vec<u8>| is_below(&from_bytes(relative));
    let well_formed = listing
        .directories
        .first()
        .is_some_and(|root| root.relative.is_empty())
        && listing.directories[1..]
            .iter()
            .all(|directory| plain(&directory.relative))
        && listing.files.iter().all(plain)
        && listing.extensions.iter().all(plain)
        && listing.links.iter().all(plain);
    if !well_formed {
        return None;
    }
    let global_excludes = global_excludes(config);
    let same_global = match (&listing.global_excludes, &global_excludes) {
        (None, None) => true,
        (Some((recorded, stamp)), Some(path)) => {
            recorded == path && file_stamp(&from_bytes(path)) == *stamp
        }
        _ => false,
    };
    let same_parents = listing
        .repository_markers
        .iter()
        .all(|(path, kind)| marker_kind(&from_bytes(path)) == *kind)
        && listing
            .parent_ignore_files
            .iter()
            .all(|(path, stamp)| file_stamp(&from_bytes(path)) == *stamp);
    if listing.fingerprint != fingerprint(config) || !same_global || !same_parents {
        return None;
    }
    let root = &config.root;
    let states: Vec<State> = listing
        .directories
        .par_iter()
        .map(|directory| state(root, directory, config.respect_gitignore))
        .collect();
    let mut changed = Vec::new();
    for (at, state) in states.into_iter().enumerate() {
        match state {
            State::Unchanged => {}
            State::Changed => changed.push(at),
            State::IgnoreRulesChanged => return None,
        }
    }
    if !changed.is_empty() {
        return Some(Previous::Changed(Reusable { listing, changed }));
    }
    let mut discovery = Discovery::default();
    listed_files(
        (root, &config.languages),
        &GovernedRoot::new(root),
        &listing,
        0..listing.files.len(),
        0..listing.extensions.len(),
        0..listing.links.len(),
        &mut discovery,
    );
    discovery.sort();
    Some(Previous::Unchanged(discovery))
}

fn state(root: &Path, directory: &Directory, respect_gitignore: bool) -> State {
    let path = root.join(from_bytes(&directory.relative));
    let metadata = match std::fs::symlink_metadata(&path) {
        Ok(metadata) if metadata.is_dir() => metadata,
        // Gone: its parent changed too, and its subtree is not listed again.
        _ => return State::Changed,
    };
    let unchanged = Stamp::of(&metadata) == directory.stamp;
    if !respect_gitignore {
        return if unchanged {
            State::Unchanged
        } else {
            State::Changed
        };
    }
    // An unchanged directory has the same entries: a `.gitignore` it had none of cannot
    // have appeared, nor a `.git`.
    let same_gitignore = (unchanged && directory.gitignore.is_none())
        || file_stamp(&path.join(".gitignore")) == directory.gitignore;
    let git = path.join(".git");
    let same_exclude = match (directory.exclude, unchanged) {
        (None, true) => true,
        (None, false) => marker_kind(&git) == MarkerKind::Absent,
        (Some(stamp), _) => {
            marker_kind(&git) == MarkerKind::Directory && file_stamp(&exclude_file(&git)) == stamp
        }
    };
    match (same_gitignore && same_exclude, unchanged) {
        (false, _) => State::IgnoreRulesChanged,
        (true, true) => State::Unchanged,
        (true, false) => State::Changed,
    }
}

impl Reusable {
    /// The directories a walk need not enter: those of the listing that are not changed
    /// and hold no changed one below them.
    pub fn prunable(&self) -> FxHashSet<Vec<u8>> {
        let mut entered: FxHashSet<&[u8]> = FxHashSet::default();
        for &at in &self.changed {
            let relative = self.listing.directories[at].relative.as_slice();
            entered.insert(relative);
            // Every parent, up to the root (`""`).
            for (slash, _) in relative
                .iter()
                .enumerate()
                .filter(|(_, byte)| **byte == b'/')
            {
                entered.insert(&relative[..slash]);
            }
            entered.insert(b"");
        }
        self.listing
            .directories
            .iter()
            .map(|directory| &directory.relative)
            .filter(|relative| !entered.contains(relative.as_slice()))
            .cloned()
            .collect()
    }

    /// Adds the files of the subtrees the walk did not enter to `discovery`, and their
    /// symlinks to `walked`; the records of their directories, for the next listing.
    pub fn complete(
        self,
        config: &Config,
        walked: &mut Walked,
        discovery: &mut Discovery,
    ) -> Vec<Directory> {
        let listing = &self.listing;
        let governed = GovernedRoot::new(&config.root);
        let mut reused = Vec::new();
        for directory in &walked.pruned {
            let below = |items: &[Vec<u8>]| subtree(items, directory, |item| item);
            listed_files(
                (&config.root, &config.languages),
                &governed,
                listing,
                below(&listing.files),
                below(&listing.extensions),
                below(&listing.links),
                discovery,
            );
            walked.links.extend(
                listing.links[subtree(&listing.links, directory, |item| item)]
                    .iter()
                    .cloned(),
            );
            let directories = subtree(&listing.directories, directory, |item| &item.relative);
            reused.extend(listing.directories[directories].iter().cloned());
            if let Ok(at) = listing
                .directories
                .binary_search_by(|item| item.relative.as_slice().cmp(directory))
            {
                reused.push(listing.directories[at].clone());
            }
        }
        reused
    }
}

/// The range of `sorted` (by `key`) below the directory `directory` (not itself).
fn subtree<T>(sorted: &[T], directory: &[u8], key: impl Fn(&T) -> &Vec<u8>) -> Range<usize> {
    let mut prefix = directory.to_vec();
    prefix.push(b'/');
    let start = sorted.partition_point(|item| key(item).as_slice() < prefix.as_slice());
    let end = start + sorted[start..].partition_point(|item| key(item).starts_with(&prefix));
    start..end
}

/// Adds the listed files, extension modules and symlinks (examined again) in the ranges.
fn listed_files(
    (root, languages): (&Path, &[crate::model::Language]),
    governed: &GovernedRoot,
    listing: &Listing,
    files: Range<usize>,
    extensions: Range<usize>,
    links: Range<usize>,
    discovery: &mut Discovery,
) {
    discovery
        .files
        .extend(listing.files[files].iter().map(|relative| {
            let relative = from_bytes(relative);
            Discovered {
                path: root.join(&relative),
                relative: slash_path(&relative),
            }
        }));
    discovery.extensions.extend(
        listing.extensions[extensions]
            .iter()
            .map(|relative| slash_path(&from_bytes(relative))),
    );
    for link in &listing.links[links] {
        let path = root.join(from_bytes(link));
        if let Some(found) = sort_entry((root, languages), governed, &path, true, path.is_file()) {
            discovery.add(found);
        }
    }
}

/// Leaves the listing of a walk in `cache_dir` when every stamp it needs can be trusted;
/// otherwise the next run walks again. `reused`: the directories the walk did not enter.
pub fn save(
    config: &Config,
    cache_dir: &Path,
    discovery: &Discovery,
    walked: Walked,
    reused: Vec<Directory>,
) {
    if cfg!(not(unix)) || crate::cache::directory_is_linked(cache_dir) {
        return;
    }
    if let Some(listing) = listing_of(config, discovery, walked, reused) {
        if let Ok(body) = postcard::to_stdvec(&listing) {
            let _ = write_checksummed(&cache_dir.join(FILE_NAME), body);
        }
    }
}

fn listing_of(
    config: &Config,
    discovery: &Discovery,
    walked: Walked,
    reused: Vec<Directory>,
) -> Option<Listing> {
    let root = &config.root;
    let read: Option<Vec<Directory>> = walked
        .directories
        .into_par_iter()
        .map(|relative| directory_record(root, relative, config.respect_gitignore))
        .collect();
    let mut directories = read?;
    directories.extend(reused);
    directories.sort_unstable_by(|a, b| a.relative.cmp(&b.relative));
    let mut parent_ignore_files = Vec::new();
    let mut repository_markers = Vec::new();
    if config.respect_gitignore {
        // The walk reads the ignore files of every parent of the (canonical) root.
        let canonical = root.canonicalize().ok()?;
        for parent in canonical.ancestors().skip(1) {
            let git = parent.join(".git");
            let kind = marker_kind(&git);
            if kind == MarkerKind::File {
                return None;
            }
            parent_ignore_files.push(trusted_ignore_file(parent.join(".gitignore"))?);
            if kind == MarkerKind::Directory {
                parent_ignore_files.push(trusted_ignore_file(exclude_file(&git))?);
            }
            repository_markers.push((git.into_os_string().into_encoded_bytes(), kind));
        }
    }
    let global_excludes = match global_excludes(config) {
        Some(path) => Some(trusted_ignore_file(from_bytes(&path))?),
        None => None,
    };
    let links: FxHashSet<&[u8]> = walked.links.iter().map(Vec::as_slice).collect();
    let not_linked = |relative: &Vec<u8>| !links.contains(relative.as_slice());
    let mut files: Vec<Vec<u8>> = discovery
        .files
        .iter()
        .filter_map(|file| relative_bytes(root, &file.path))
        .filter(not_linked)
        .collect();
    files.sort_unstable();
    // Extension modules are listed by their relative text: a name that is not UTF-8 is
    // shown escaped (with a backslash), which does not round-trip, so such a tree is walked
    // every time.
    if discovery
        .extensions
        .iter()
        .any(|relative| relative.contains('\\'))
    {
        return None;
    }
    let mut extensions: Vec<Vec<u8>> = discovery
        .extensions
        .iter()
        .map(|relative| relative.clone().into_bytes())
        .filter(not_linked)
        .collect();
    extensions.sort_unstable();
    let mut links = walked.links;
    links.sort_unstable();
    links.dedup();
    Some(Listing {
        fingerprint: fingerprint(config),
        directories,
        parent_ignore_files,
        repository_markers,
        global_excludes,
        files,
        extensions,
        links,
    })
}

/// A directory the walk read, with its stamp and its ignore files'; `None` when a stamp
/// cannot be trusted or it holds a `.git` file.
fn directory_record(root: &Path, relative: Vec<u8>, respect_gitignore: bool) -> Option<Directory> {
    let path = root.join(from_bytes(&relative));
    let stamp = Stamp::of(&std::fs::symlink_metadata(&path).ok()?);
    if !stamp.trusted() {
        return None;
    }
    let mut record = Directory {
        relative,
        stamp,
        gitignore: None,
        exclude: None,
    };
    if respect_gitignore {
        record.gitignore = trusted_ignore_file(path.join(".gitignore"))?.1;
        let git = path.join(".git");
        match marker_kind(&git) {
            MarkerKind::Absent => {}
            MarkerKind::Directory => {
                record.exclude = Some(trusted_ignore_file(exclude_file(&git))?.1);
            }
            MarkerKind::File => return None,
        }
    }
    Some(record)
}

/// An ignore file with its stamp (`None`: absent); `None` when the stamp is too recent.
fn trusted_ignore_file(path: PathBuf) -> Option<IgnoreFile> {
    let stamp = file_stamp(&path);
    if stamp.is_some_and(|stamp| !stamp.trusted()) {
        return None;
    }
    Some((path.into_os_string().into_encoded_bytes(), stamp))
}

fn exclude_file(git: &Path) -> PathBuf {
    git.join("info").join("exclude")
}

/// The stamp of an ignore file as the walk reads it (following symlinks): `None` when it
/// does not exist. A file with an untrusted stamp gives an untrusted stamp.
fn file_stamp(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path)
        .ok()
        .map(|metadata| Stamp::of(&metadata))
}

fn marker_kind(git: &Path) -> MarkerKind {
    match std::fs::metadata(git) {
        Ok(metadata) if metadata.is_dir() => MarkerKind::Directory,
        Ok(_) => MarkerKind::File,
        Err(_) => MarkerKind::Absent,
    }
}

/// The global excludes file the walk reads (it depends on the environment and on git's
/// configuration files).
fn global_excludes(config: &Config) -> Option<Vec<u8>> {
    if !config.respect_gitignore {
        return None;
    }
    ignore::gitignore::gitconfig_excludes_path()
        .map(|path| path.into_os_string().into_encoded_bytes())
}

/// Whether a relative path names something below the root: names only, no `..`, no root.
fn is_below(relative: &Path) -> bool {
    relative.components().next().is_some()
        && relative
            .components()
            .all(|component| matches!(component, std::path::Component::Normal(_)))
}

#[cfg(unix)]
fn from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// Elsewhere paths are not raw bytes: no listing is written ([`save`]), none is read.
#[cfg(not(unix))]
fn from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// What the walk's answer depends on besides the files: importgate's version, the root,
/// the cache's place, whether .gitignore is respected, the `exclude` globs.
fn fingerprint(config: &Config) -> [u8; 16] {
    let mut hasher = blake3::Hasher::new();
    let mut part = |bytes: &[u8]| {
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part(&FORMAT.to_le_bytes());
    part(crate::stamp::BUILD_IDENTITY.as_bytes());
    part(config.root.as_os_str().as_encoded_bytes());
    part(config.cache_dir().as_os_str().as_encoded_bytes());
    part(&[u8::from(config.respect_gitignore)]);
    part(format!("{:?}", config.languages).as_bytes());
    for pattern in &config.exclude.patterns {
        part(pattern.as_bytes());
    }
    let mut stamp = [0; 16];
    stamp.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    stamp
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listing of the tree in `dir` as a walk would leave it, with `files` listed.
    fn listing_for(config: &Config, files: &[&str]) -> Listing {
        let root = config.root.clone();
        Listing {
            fingerprint: fingerprint(config),
            directories: vec![
                directory_record(&root, Vec::new(), config.respect_gitignore)
                    .expect("the root's stamp"),
            ],
            parent_ignore_files: Vec::new(),
            repository_markers: Vec::new(),
            global_excludes: None,
            files: files.iter().map(|file| file.as_bytes().to_vec()).collect(),
            extensions: Vec::new(),
            links: Vec::new(),
        }
    }

    fn write(config: &Config, listing: &Listing) {
        let body = postcard::to_stdvec(listing).unwrap();
        write_checksummed(&config.cache_dir().join(FILE_NAME), body).unwrap();
    }

    #[test]
    fn a_listing_names_nothing_outside_the_root_and_always_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("rules.toml"),
            "[project]\nrespect-gitignore = false\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("a.py"), "").unwrap();
        let config = Config::load(&dir.path().join("rules.toml")).unwrap();
        std::fs::create_dir_all(config.cache_dir()).unwrap();
        // Old enough to trust.
        std::thread::sleep(std::time::Duration::from_millis(2_100));
        let trusted = listing_for(&config, &["a.py"]);
        write(&config, &trusted);
        assert!(matches!(
            load(&config, &config.cache_dir()),
            Previous::Unchanged(_)
        ));
        for outside in ["../secret.py", "/etc/passwd", "a/../../secret.py"] {
            write(&config, &listing_for(&config, &["a.py", outside]));
            assert!(
                matches!(load(&config, &config.cache_dir()), Previous::Unusable),
                "{outside}"
            );
        }
        // Without the root's stamp, nothing ties a listing to this tree.
        let mut rootless = listing_for(&config, &["a.py"]);
        rootless.directories.clear();
        write(&config, &rootless);
        assert!(matches!(
            load(&config, &config.cache_dir()),
            Previous::Unusable
        ));
    }
}
