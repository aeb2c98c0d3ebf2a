//! The listing of the governed tree a walk leaves in `.importgate_cache/tree-v1.bin`, so
//! that the next run can skip the walk (reading 20,000 directories is a third of a warm
//! run) when nothing the walk's answer depends on changed:
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
//! Symlinks named like Python files are examined again on every run: their targets can
//! change without any stamp of the tree changing. A stamp too recent to trust (within two
//! seconds of the run) is never written, so a change in the same clock tick as a walk is
//! not missed. Any difference, or a walk that met an unreadable entry, means a real walk.

use crate::cache::{read_checksummed, write_checksummed, Stamp};
use crate::config::Config;
use crate::discover::{relative_bytes, slash_path, sort_entry, Discovered, Discovery, Walked};
use crate::guarded_io::GovernedRoot;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "tree-v1.bin";
/// Bumped when the layout or the meaning of the listing changes.
const FORMAT: u32 = 1;

/// A path (raw bytes) with its stamp.
type StampedPath = (Vec<u8>, Stamp);
/// An ignore file (absolute, raw bytes) with its stamp, `None` when absent.
type IgnoreFile = (Vec<u8>, Option<Stamp>);

#[derive(Serialize, Deserialize)]
struct Listing {
    fingerprint: [u8; 16],
    /// Each directory the walk read, relative to the root (raw bytes), with its stamp.
    directories: Vec<StampedPath>,
    /// Ignore files (absolute, raw bytes) with their stamp; `None`: absent. Files of the
    /// tree's directories are here only when present (their directory's stamp covers their
    /// absence).
    ignore_files: Vec<IgnoreFile>,
    /// What each parent of the root has as `.git` (absolute path of the `.git`, raw bytes).
    repository_markers: Vec<(Vec<u8>, MarkerKind)>,
    /// The global excludes file git's configuration names, when .gitignore is respected.
    global_excludes: Option<Vec<u8>>,
    /// The listed Python files and extension modules (relative, raw bytes, in path order)
    /// that are not symlinks.
    files: Vec<Vec<u8>>,
    extensions: Vec<Vec<u8>>,
    /// Symlinks named like Python files or extension modules.
    links: Vec<Vec<u8>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum MarkerKind {
    Absent,
    Directory,
    /// A `.git` file (worktree, submodule): the walk then follows it elsewhere; a listing
    /// is not kept.
    File,
}

/// The files of the tree from the listing in `cache_dir`, if it is still the walk's answer.
pub fn load(config: &Config, cache_dir: &Path) -> Option<Discovery> {
    if crate::cache::directory_is_linked(cache_dir) {
        return None;
    }
    let body = read_checksummed(&cache_dir.join(FILE_NAME))?;
    let listing: Listing = postcard::from_bytes(&body).ok()?;
    if listing.fingerprint != fingerprint(config)
        || listing.global_excludes != global_excludes(config)
    {
        return None;
    }
    let markers_unchanged = listing
        .repository_markers
        .iter()
        .all(|(path, kind)| marker_kind(&from_bytes(path)) == *kind);
    let ignore_files_unchanged = listing
        .ignore_files
        .par_iter()
        .all(|(path, stamp)| file_stamp(&from_bytes(path)) == *stamp);
    if !markers_unchanged || !ignore_files_unchanged {
        return None;
    }
    let root = &config.root;
    let directories_unchanged = listing.directories.par_iter().all(|(relative, stamp)| {
        std::fs::symlink_metadata(root.join(from_bytes(relative)))
            .is_ok_and(|metadata| metadata.is_dir() && Stamp::of(&metadata) == *stamp)
    });
    if !directories_unchanged {
        return None;
    }
    let mut discovery = Discovery {
        files: listing
            .files
            .iter()
            .map(|relative| {
                let relative = from_bytes(relative);
                Discovered {
                    path: root.join(&relative),
                    relative: slash_path(&relative),
                }
            })
            .collect(),
        extensions: listing
            .extensions
            .iter()
            .map(|relative| slash_path(&from_bytes(relative)))
            .collect(),
        problems: Vec::new(),
    };
    let governed = GovernedRoot::new(root);
    for link in &listing.links {
        let path = root.join(from_bytes(link));
        if let Some(found) = sort_entry(root, &governed, &path, true, path.is_file()) {
            discovery.add(found);
        }
    }
    discovery.sort();
    Some(discovery)
}

/// Leaves the listing of a walk in `cache_dir` when every stamp it needs can be trusted;
/// otherwise the next run walks again.
pub fn save(config: &Config, cache_dir: &Path, discovery: &Discovery, walked: Walked) {
    if cfg!(not(unix)) || crate::cache::directory_is_linked(cache_dir) {
        return;
    }
    if let Some(listing) = listing_of(config, discovery, walked) {
        if let Ok(body) = postcard::to_stdvec(&listing) {
            let _ = write_checksummed(&cache_dir.join(FILE_NAME), body);
        }
    }
}

fn listing_of(config: &Config, discovery: &Discovery, walked: Walked) -> Option<Listing> {
    let root = &config.root;
    // Each directory's stamp, and the ignore files in it the walk read.
    let stamped: Option<Vec<(StampedPath, Vec<IgnoreFile>)>> = walked
        .directories
        .into_par_iter()
        .map(|relative| {
            let directory = root.join(from_bytes(&relative));
            let stamp = Stamp::of(&std::fs::symlink_metadata(&directory).ok()?);
            if !stamp.trusted() {
                return None;
            }
            let mut ignore_files = Vec::new();
            if config.respect_gitignore {
                for (file, always) in directory_ignore_files(&directory)? {
                    let stamp = file_stamp(&file);
                    if stamp.is_some_and(|stamp| !stamp.trusted()) {
                        return None;
                    }
                    if stamp.is_some() || always {
                        ignore_files.push((file.into_os_string().into_encoded_bytes(), stamp));
                    }
                }
            }
            Some(((relative, stamp), ignore_files))
        })
        .collect();
    let (directories, nested): (Vec<_>, Vec<_>) = stamped?.into_iter().unzip();
    let mut ignore_files: Vec<IgnoreFile> = nested.into_iter().flatten().collect();
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
            let mut files = vec![parent.join(".gitignore")];
            if kind == MarkerKind::Directory {
                files.push(git.join("info").join("exclude"));
            }
            repository_markers.push((git.into_os_string().into_encoded_bytes(), kind));
            for file in files {
                let stamp = file_stamp(&file);
                if stamp.is_some_and(|stamp| !stamp.trusted()) {
                    return None;
                }
                ignore_files.push((file.into_os_string().into_encoded_bytes(), stamp));
            }
        }
    }
    let global_excludes = global_excludes(config);
    if let Some(global) = &global_excludes {
        let stamp = file_stamp(&from_bytes(global));
        if stamp.is_some_and(|stamp| !stamp.trusted()) {
            return None;
        }
        ignore_files.push((global.clone(), stamp));
    }
    let links: std::collections::HashSet<&[u8]> = walked.links.iter().map(Vec::as_slice).collect();
    let not_linked = |relative: Option<Vec<u8>>| {
        relative.filter(|relative| !links.contains(relative.as_slice()))
    };
    let files = discovery
        .files
        .iter()
        .filter_map(|file| not_linked(relative_bytes(root, &file.path)))
        .collect();
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
    let extensions = discovery
        .extensions
        .iter()
        .filter_map(|relative| not_linked(Some(relative.clone().into_bytes())))
        .collect();
    Some(Listing {
        fingerprint: fingerprint(config),
        directories,
        ignore_files,
        repository_markers,
        global_excludes,
        files,
        extensions,
        links: walked.links,
    })
}

/// The ignore files of a directory of the tree the walk read: its `.gitignore`, and the
/// `.git/info/exclude` of a repository rooted there; `None` when it holds a `.git` file.
/// Each with whether its absence must be recorded: the directory's stamp covers whether
/// `.gitignore` is there, not what `.git/info` holds.
fn directory_ignore_files(directory: &Path) -> Option<Vec<(PathBuf, bool)>> {
    let mut files = vec![(directory.join(".gitignore"), false)];
    match marker_kind(&directory.join(".git")) {
        MarkerKind::Absent => {}
        MarkerKind::Directory => {
            files.push((directory.join(".git").join("info").join("exclude"), true));
        }
        MarkerKind::File => return None,
    }
    Some(files)
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
    part(env!("CARGO_PKG_VERSION").as_bytes());
    part(config.root.as_os_str().as_encoded_bytes());
    part(config.cache_dir().as_os_str().as_encoded_bytes());
    part(&[u8::from(config.respect_gitignore)]);
    for pattern in &config.exclude.patterns {
        part(pattern.as_bytes());
    }
    let mut stamp = [0; 16];
    stamp.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    stamp
}
