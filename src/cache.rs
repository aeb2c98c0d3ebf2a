//! The import cache of runs on a few PATHS (pre-commit): chain and cycle checks need the
//! import graph of the whole tree, and parsing every file for it takes seconds on a large
//! repository. The cache keeps the imports of each file, keyed by its content: a file whose
//! size, modification and change times, inode and device are all unchanged is trusted as it
//! is (`cp -p`, swapping two files, or a tree with every time at 1, as Nix makes, change
//! the change time or the inode); any other is read and hashed (BLAKE3: a pull request
//! cannot craft a file that passes for the cached one), and re-parsed only when its content
//! changed. A time within the clock's resolution of now is never trusted.
//!
//! Each entry keeps the file's imports (the facts the graph needs) and the edges they
//! resolved to. Edges are reused only while the tree resolves the same way: the cache is
//! stamped with the module index's fingerprint (every module and first-party package) and
//! each entry with the module name of its file; when either differs, the edges are resolved
//! again from the cached imports. Whether a file is test code is decided on every run.
//!
//! It lives in `.importgate_cache/` next to rules.toml (with a `.gitignore` and a
//! `CACHEDIR.TAG`, so that it is never committed or backed up). The file ends with a BLAKE3
//! checksum of the rest: a missing, corrupt (any changed byte), older or oversized cache is
//! an empty one; a cache directory that is a symlink is not used at all (it could point
//! anywhere); a cache that cannot be written is skipped silently (it only costs time).

use crate::file_text::content_hash;
use crate::guarded_io::{open_regular, read_regular, CACHE_LIMIT, SOURCE_LIMIT};
use crate::model::edge_flags;
use crate::model::{CodeContext, Import, ImportContext, ImportKind, SourceFile, Span};
pub use crate::stamp::Stamp;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The directory name, next to rules.toml (the registry's setting).
pub use crate::config::CACHE_DIRECTORY as DIRECTORY;
const FILE_NAME: &str = "imports-v3.bin";
/// Bumped when the layout or the frontend's import extraction changes meaning.
const FORMAT: u32 = 5;
/// Bytes of the checksum at the end of the file.
const CHECKSUM_BYTES: usize = 32;

/// One import, as much of it as the graph needs; module and name are indices into the
/// cache's string table (module names repeat across files: one allocation each when loaded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct CachedImport {
    kind: u8,
    module: u32,
    level: u32,
    /// [`NO_NAME`] for `import m`.
    name: u32,
    /// Rust's [`ImportKind::BoundPath`]: the binding's name, which its resolution reads;
    /// [`NO_NAME`] otherwise.
    alias: u32,
    line: u32,
    column: u32,
    /// Lazy, `TYPE_CHECKING`, guarded, test, maybe declared elsewhere, maybe from a glob of
    /// its module: bits 0 to 5.
    context: u8,
}

const NO_NAME: u32 = u32::MAX;

impl CachedImport {
    fn new(import: &Import, mut intern: impl FnMut(&str) -> u32) -> Self {
        Self {
            kind: match import.kind {
                ImportKind::Import => 0,
                ImportKind::From => 1,
                ImportKind::Dynamic => 2,
                ImportKind::Use => 3,
                ImportKind::ExternCrate => 4,
                ImportKind::Path => 5,
                ImportKind::BoundPath => 6,
            },
            module: intern(&import.module),
            level: import.level,
            name: import.name.as_deref().map_or(NO_NAME, &mut intern),
            alias: match import.kind {
                ImportKind::BoundPath => import.alias.as_deref().map_or(NO_NAME, &mut intern),
                _ => NO_NAME,
            },
            line: import.span.line,
            column: import.span.column,
            context: u8::from(import.context.lazy)
                | u8::from(import.context.type_checking) << 1
                | u8::from(import.context.guarded) << 2
                | u8::from(import.context.test) << 3
                | u8::from(import.context.declared_elsewhere_maybe) << 4
                | u8::from(import.context.glob_may_declare) << 5,
        }
    }

    /// The import back, with the fields the graph reads: kind, module, level, name, the
    /// line and column of its item, and its context (byte offsets, the statement and the
    /// alias but a bound path's are not kept: no fix or code frame is made from a cached
    /// import).
    fn to_import(self, strings: &[Box<str>]) -> Import {
        let at = Span {
            line: self.line,
            column: self.column,
            end_line: self.line,
            end_column: self.column,
            ..Span::default()
        };
        Import {
            kind: match self.kind {
                0 => ImportKind::Import,
                1 => ImportKind::From,
                2 => ImportKind::Dynamic,
                3 => ImportKind::Use,
                4 => ImportKind::ExternCrate,
                5 => ImportKind::Path,
                _ => ImportKind::BoundPath,
            },
            module: strings[self.module as usize].clone(),
            level: self.level,
            name: (self.name != NO_NAME).then(|| strings[self.name as usize].clone()),
            alias: (self.alias != NO_NAME).then(|| strings[self.alias as usize].clone()),
            span: at,
            statement: at,
            module_range: (0, 0),
            context: ImportContext {
                lazy: self.context & 1 != 0,
                type_checking: self.context & 2 != 0,
                guarded: self.context & 4 != 0,
                test: self.context & 8 != 0,
                declared_elsewhere_maybe: self.context & 16 != 0,
                glob_may_declare: self.context & 32 != 0,
            },
        }
    }
}

/// One edge of the import graph: the imported module (a string id), the line and column of
/// the import, and its [`edge_flags`] but `TEST` (decided on every run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedEdge {
    to: u32,
    line: u32,
    column: u32,
    flags: u8,
}

/// An edge as the project takes it: (imported module, line, column, [`edge_flags`]).
pub type Edge = (String, u32, u32, u8);

/// What the cache holds for one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    stamp: Stamp,
    /// BLAKE3 of the content, first 16 bytes.
    hash: [u8; 16],
    imports: Vec<CachedImport>,
    /// The module the file was (its string id) and the module index's fingerprint when
    /// `edges` were resolved.
    importer: u32,
    resolution: u64,
    edges: Vec<CachedEdge>,
}

#[derive(Serialize, Deserialize)]
struct Document {
    format: u32,
    version: String,
    strings: Vec<Box<str>>,
    entries: Vec<(String, Entry)>,
}

/// The cache of one registry's tree.
#[derive(Debug, Default)]
pub struct ImportCache {
    /// Empty when the cache is not to be used (its directory is a symlink).
    file: PathBuf,
    /// The current module index's fingerprint.
    resolution: u64,
    strings: Vec<Box<str>>,
    entries: FxHashMap<String, Entry>,
}

/// A file's edges: borrowed from the cache, or resolved by this run.
#[derive(Debug)]
pub enum FileEdges<'c> {
    /// The cached edges (see [`ImportCache::edge`]).
    Cached(&'c [CachedEdge]),
    /// Resolved now.
    Fresh(Vec<Edge>),
}

/// What a run learnt about a file, for the cache.
#[derive(Debug)]
pub enum Found {
    /// Nothing new: the cached edges were used as they are.
    Unchanged,
    /// The content is the cached one: the entry gets this time, and these edges when its
    /// imports were resolved again.
    Renewed(Stamp, Option<Vec<Edge>>),
    /// Parsed: the file's stamp, content hash, imports and edges, for a new entry.
    Parsed(Stamp, [u8; 16], Vec<Import>, Vec<Edge>),
    /// The file could not be read: no edges (as parsing it would give), nothing cached.
    Unreadable,
}

impl ImportCache {
    /// The cache in `directory`, empty when there is none that this build can read;
    /// `resolution` is the fingerprint of the run's module index.
    pub fn open(directory: &Path, resolution: u64) -> Self {
        if directory_is_linked(directory) {
            return Self {
                resolution,
                ..Self::default()
            };
        }
        let file = directory.join(FILE_NAME);
        let document = read_checksummed(&file)
            .and_then(|body| postcard::from_bytes::<Document>(&body).ok())
            .filter(|document| {
                document.format == FORMAT
                    && document.version == crate::stamp::BUILD_IDENTITY
                    && ids_in_range(document)
            });
        match document {
            Some(document) => Self {
                file,
                resolution,
                strings: document.strings,
                entries: document.entries.into_iter().collect(),
            },
            None => Self {
                file,
                resolution,
                ..Self::default()
            },
        }
    }

    /// A cached edge of `file` as the project takes it, with the `TEST` flag of the file's
    /// current classification.
    pub fn edge(&self, file: &SourceFile, edge: &CachedEdge) -> (&str, u32, u32, u8) {
        let test = if file.context == CodeContext::Test {
            edge_flags::TEST
        } else {
            0
        };
        (
            &self.strings[edge.to as usize],
            edge.line,
            edge.column,
            edge.flags | test,
        )
    }

    /// The graph edges of `file`: the cached ones when its content and its resolution are
    /// the cached ones; else resolved by `edges_of` from the cached imports (content
    /// unchanged) or from `parse`'s (given the decoded text).
    pub fn edges(
        &self,
        file: &SourceFile,
        parse: impl FnOnce(&str) -> Vec<Import>,
        edges_of: impl Fn(&[Import]) -> Vec<Edge>,
    ) -> (FileEdges<'_>, Found) {
        let cached = self.entries.get(&file.relative);
        let Ok(metadata) = std::fs::metadata(&file.path) else {
            return (FileEdges::Fresh(Vec::new()), Found::Unreadable);
        };
        let stamp = Stamp::of(&metadata);
        if let Some(entry) = cached {
            if stamp.trusted() && entry.stamp == stamp {
                return self.reuse(file, entry, None, &edges_of);
            }
        }
        let Ok(bytes) = read_regular(&file.path, SOURCE_LIMIT) else {
            return (FileEdges::Fresh(Vec::new()), Found::Unreadable);
        };
        let stamp = stamp.with_len(bytes.len());
        let hash = content_hash(&bytes);
        if let Some(entry) =
            cached.filter(|entry| entry.stamp.len() == stamp.len() && entry.hash == hash)
        {
            return self.reuse(file, entry, Some(stamp), &edges_of);
        }
        let text = crate::source::decode(file.language, bytes).text;
        let imports = parse(&text);
        let edges = edges_of(&imports);
        (
            FileEdges::Fresh(edges.clone()),
            Found::Parsed(stamp, hash, imports, edges),
        )
    }

    /// The edges of a file whose content is the cached one: the cached edges when it
    /// resolves as it did, else its cached imports resolved again. `stamp`: the file's
    /// stamp when it differs from the entry's.
    fn reuse<'c>(
        &'c self,
        file: &SourceFile,
        entry: &'c Entry,
        stamp: Option<Stamp>,
        edges_of: &dyn Fn(&[Import]) -> Vec<Edge>,
    ) -> (FileEdges<'c>, Found) {
        let resolves_alike = entry.resolution == self.resolution
            && *self.strings[entry.importer as usize] == *file.module;
        if resolves_alike {
            // A stamp that is still not trusted (a time too recent, or in the future)
            // renews nothing: no rewrite of the cache on every run for it.
            let found = match stamp {
                Some(stamp) if stamp != entry.stamp && stamp.trusted() => {
                    Found::Renewed(stamp, None)
                }
                _ => Found::Unchanged,
            };
            return (FileEdges::Cached(&entry.edges), found);
        }
        let imports: Vec<Import> = entry
            .imports
            .iter()
            .map(|import| import.to_import(&self.strings))
            .collect();
        let edges = edges_of(&imports);
        let found = Found::Renewed(stamp.unwrap_or(entry.stamp), Some(edges.clone()));
        (FileEdges::Fresh(edges), found)
    }

    /// Records what a run found; `keep` is every file of the tree (entries of files that
    /// are gone are dropped). Writes the cache when anything changed.
    pub fn update(
        mut self,
        found: impl IntoIterator<Item = (String, String, Found)>,
        keep: &dyn Fn(&str) -> bool,
    ) {
        let mut fresh = Vec::new();
        for (relative, importer, found) in found {
            match found {
                Found::Renewed(..) | Found::Parsed(..) => fresh.push((relative, importer, found)),
                Found::Unchanged | Found::Unreadable => {}
            }
        }
        let before = self.entries.len();
        self.entries.retain(|relative, _| keep(relative));
        if self.entries.len() == before && fresh.is_empty() {
            return;
        }
        // A new string table with only the strings still used: it never grows stale.
        let old_strings = std::mem::take(&mut self.strings);
        let mut index: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut strings: Vec<Box<str>> = Vec::new();
        let mut intern = |text: &str| -> u32 {
            if let Some(&id) = index.get(text) {
                return id;
            }
            let id = strings.len() as u32;
            strings.push(text.into());
            index.insert(text.into(), id);
            id
        };
        for entry in self.entries.values_mut() {
            for import in &mut entry.imports {
                import.module = intern(&old_strings[import.module as usize]);
                if import.name != NO_NAME {
                    import.name = intern(&old_strings[import.name as usize]);
                }
                if import.alias != NO_NAME {
                    import.alias = intern(&old_strings[import.alias as usize]);
                }
            }
            entry.importer = intern(&old_strings[entry.importer as usize]);
            for edge in &mut entry.edges {
                edge.to = intern(&old_strings[edge.to as usize]);
            }
        }
        let cached_edges = |edges: &[Edge], intern: &mut dyn FnMut(&str) -> u32| {
            edges
                .iter()
                .map(|(to, line, column, flags)| CachedEdge {
                    to: intern(to),
                    line: *line,
                    column: *column,
                    flags: flags & !edge_flags::TEST,
                })
                .collect::<Vec<_>>()
        };
        for (relative, importer, found) in fresh {
            let importer = intern(&importer);
            match found {
                Found::Renewed(stamp, edges) => {
                    if let Some(entry) = self.entries.get_mut(&relative) {
                        entry.stamp = stamp;
                        if let Some(edges) = edges {
                            entry.edges = cached_edges(&edges, &mut intern);
                            entry.importer = importer;
                            entry.resolution = self.resolution;
                        }
                    }
                }
                Found::Parsed(stamp, hash, imports, edges) => {
                    let imports = imports
                        .iter()
                        .map(|import| CachedImport::new(import, &mut intern))
                        .collect();
                    let edges = cached_edges(&edges, &mut intern);
                    self.entries.insert(
                        relative,
                        Entry {
                            stamp,
                            hash,
                            imports,
                            importer,
                            resolution: self.resolution,
                            edges,
                        },
                    );
                }
                Found::Unchanged | Found::Unreadable => {}
            }
        }
        self.strings = strings;
        let _ = self.write();
    }

    fn write(self) -> std::io::Result<()> {
        if self.file.as_os_str().is_empty() {
            return Ok(());
        }
        let mut entries: Vec<(String, Entry)> = self.entries.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let document = Document {
            format: FORMAT,
            version: crate::stamp::BUILD_IDENTITY.to_string(),
            strings: self.strings,
            entries,
        };
        let body = postcard::to_stdvec(&document).map_err(std::io::Error::other)?;
        write_checksummed(&self.file, body)
    }
}

/// The body of a cache file whose last [`CHECKSUM_BYTES`] are the BLAKE3 hash of the rest;
/// `None` when it is missing, over [`CACHE_LIMIT`], not a regular file, or corrupt.
pub(crate) fn read_checksummed(file: &Path) -> Option<Vec<u8>> {
    let mut bytes = read_regular(file, CACHE_LIMIT).ok()?;
    let split = bytes.len().checked_sub(CHECKSUM_BYTES)?;
    if blake3::hash(&bytes[..split]).as_bytes()[..] != bytes[split..] {
        return None;
    }
    bytes.truncate(split);
    Some(bytes)
}

/// A cache file whose last [`CHECKSUM_BYTES`] are the BLAKE3 hash of the rest (as
/// [`read_checksummed`] reads it), checked when opened but not held: its body is read again
/// in ranges as they are needed, so that a large cache costs no memory for the run. Files are
/// only ever replaced by a rename, never written in place, so the open file keeps the bytes
/// that were checked; the ranges copied into a new cache are checked once more
/// ([`ChecksummedFile::copy_ranges`]).
pub(crate) struct ChecksummedFile {
    file: std::fs::File,
    body_length: u64,
    checksum: [u8; CHECKSUM_BYTES],
}

impl ChecksummedFile {
    /// `None` when the file is missing, over [`CACHE_LIMIT`], not a regular file, or corrupt.
    pub(crate) fn open(path: &Path) -> Option<Self> {
        let (file, length) = open_regular(path, CACHE_LIMIT).ok()?;
        let body_length = length.checked_sub(CHECKSUM_BYTES as u64)?;
        let mut opened = Self {
            file,
            body_length,
            checksum: [0; CHECKSUM_BYTES],
        };
        let mut checksum = [0; CHECKSUM_BYTES];
        opened.read_at(body_length, &mut checksum).ok()?;
        opened.checksum = checksum;
        let (computed, read) = opened.hash_body(|_, _| {}).ok()?;
        (read == body_length && computed == checksum).then_some(opened)
    }

    /// The length of the body (the file without its checksum).
    pub(crate) fn body_length(&self) -> u64 {
        self.body_length
    }

    /// Fills `buffer` from the body at `offset`.
    pub(crate) fn read_at(&self, offset: u64, buffer: &mut [u8]) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_exact_at(&self.file, buffer, offset)
        }
        #[cfg(windows)]
        {
            let mut done = 0;
            while done < buffer.len() {
                match std::os::windows::fs::FileExt::seek_read(
                    &self.file,
                    &mut buffer[done..],
                    offset + done as u64,
                )? {
                    0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                    read => done += read,
                }
            }
            Ok(())
        }
    }

    /// `range` of the body.
    pub(crate) fn read_range(&self, range: Range<u64>) -> Option<Vec<u8>> {
        if range.end > self.body_length || range.start > range.end {
            return None;
        }
        let mut bytes = vec![0; usize::try_from(range.end - range.start).ok()?];
        self.read_at(range.start, &mut bytes).ok()?;
        Some(bytes)
    }

    /// Reads the body once more from the start, giving `copy` the bytes of each of `ranges`
    /// (sorted, not overlapping) in order; false, with the ranges given so far to be thrown
    /// away, when the body is not the one that was checked when the file was opened.
    pub(crate) fn copy_ranges(
        &self,
        ranges: &[Range<u64>],
        mut copy: impl FnMut(usize, &[u8]),
    ) -> std::io::Result<bool> {
        let mut next = 0;
        let mut pending: Vec<u8> = Vec::new();
        let (computed, read) = self.hash_body(|at, chunk| {
            // Bytes of `chunk` are at `at..at + chunk.len()` of the body.
            let mut at = at;
            let mut chunk = chunk;
            while let Some(range) = ranges.get(next) {
                let end = at + chunk.len() as u64;
                if range.start >= end {
                    return;
                }
                let from = range.start.max(at);
                let to = range.end.min(end);
                pending.extend_from_slice(&chunk[(from - at) as usize..(to - at) as usize]);
                if to < range.end {
                    return;
                }
                copy(next, &pending);
                pending.clear();
                next += 1;
                chunk = &chunk[(to - at) as usize..];
                at = to;
            }
        })?;
        Ok(next == ranges.len() && read == self.body_length && computed == self.checksum)
    }

    /// The BLAKE3 hash of the body and the number of bytes read, giving `each` every chunk
    /// read with its offset.
    fn hash_body(
        &self,
        mut each: impl FnMut(u64, &[u8]),
    ) -> std::io::Result<([u8; CHECKSUM_BYTES], u64)> {
        use std::io::{Read, Seek};
        let mut file = &self.file;
        file.seek(std::io::SeekFrom::Start(0))?;
        let mut body = file.take(self.body_length);
        let mut hasher = blake3::Hasher::new();
        let mut chunk = vec![0; 1 << 16];
        let mut at = 0;
        loop {
            let read = match body.read(&mut chunk) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            hasher.update(&chunk[..read]);
            each(at, &chunk[..read]);
            at += read as u64;
        }
        Ok((*hasher.finalize().as_bytes(), at))
    }
}

/// Writes `body` and its checksum to `file` atomically (see [`create_directory`]).
pub(crate) fn write_checksummed(file: &Path, mut body: Vec<u8>) -> std::io::Result<()> {
    let Some(directory) = file.parent() else {
        return Ok(());
    };
    create_directory(directory)?;
    let checksum = blake3::hash(&body);
    body.extend_from_slice(checksum.as_bytes());
    crate::atomic_file::replace(file, &body)
}

/// Creates the cache directory when needed, with a `.gitignore` and a `CACHEDIR.TAG`, so it
/// is never committed or backed up.
pub(crate) fn create_directory(directory: &Path) -> std::io::Result<()> {
    if !directory.exists() {
        std::fs::create_dir_all(directory)?;
        std::fs::write(
            directory.join(".gitignore"),
            "# Created by importgate.\n*\n",
        )?;
        std::fs::write(
            directory.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by importgate.\n",
        )?;
    }
    Ok(())
}

/// Whether the cache directory is a symlink: then no cache is read or written (it could
/// point anywhere).
pub(crate) fn directory_is_linked(directory: &Path) -> bool {
    std::fs::symlink_metadata(directory).is_ok_and(|metadata| metadata.file_type().is_symlink())
}

/// Whether every string id of a document is in its table (a truncated or tampered file is
/// no cache).
fn ids_in_range(document: &Document) -> bool {
    let count = document.strings.len();
    let fits = |id: u32| (id as usize) < count;
    document.entries.iter().all(|(_, entry)| {
        fits(entry.importer)
            && entry.edges.iter().all(|edge| fits(edge.to))
            && entry.imports.iter().all(|import| {
                fits(import.module)
                    && (import.name == NO_NAME || fits(import.name))
                    && (import.alias == NO_NAME || fits(import.alias))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stamp::RACY_WINDOW;
    use std::time::{Duration, SystemTime};

    /// A checksummed file of `body` in a new directory.
    fn checksummed(body: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("cache").join("f.bin");
        write_checksummed(&file, body.to_vec()).expect("write");
        (dir, file)
    }

    #[test]
    fn a_checksummed_file_is_read_in_ranges_and_copied_across_chunks() {
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let (_dir, file) = checksummed(&body);
        let opened = ChecksummedFile::open(&file).expect("checked");
        assert_eq!(opened.body_length(), body.len() as u64);
        assert_eq!(
            opened.read_range(65_530..65_550).expect("read"),
            &body[65_530..65_550]
        );
        assert!(
            opened.read_range(199_990..200_001).is_none(),
            "past the body"
        );
        // Ranges inside a chunk, across one and two chunk boundaries, empty, at the end.
        let ranges = [0..10, 10..10, 65_000..70_000, 100_000..200_000];
        let mut copied = Vec::new();
        let whole = opened
            .copy_ranges(&ranges, |at, bytes| copied.push((at, bytes.to_vec())))
            .expect("read");
        assert!(whole);
        let expected: Vec<(usize, Vec<u8>)> = ranges
            .iter()
            .enumerate()
            .map(|(at, range)| (at, body[range.start as usize..range.end as usize].to_vec()))
            .collect();
        assert_eq!(copied, expected);
    }

    #[test]
    fn a_checksummed_file_changed_in_place_after_it_was_opened_is_not_copied() {
        let (_dir, file) = checksummed(b"0123456789");
        let opened = ChecksummedFile::open(&file).expect("checked");
        let mut bytes = std::fs::read(&file).expect("read");
        bytes[3] = b'x';
        std::fs::OpenOptions::new()
            .write(true)
            .open(&file)
            .and_then(|mut out| std::io::Write::write_all(&mut out, &bytes))
            .expect("write in place");
        assert!(!opened
            .copy_ranges(std::slice::from_ref(&(0..4)), |_, _| {})
            .expect("read"));
        assert!(ChecksummedFile::open(&file).is_none(), "corrupt");
        // Replaced by a rename, as caches are: the open file keeps the bytes it checked.
        let (_other, replacement) = checksummed(b"abcdefghij");
        let opened = {
            let (_dir2, file2) = checksummed(b"0123456789");
            let opened = ChecksummedFile::open(&file2).expect("checked");
            std::fs::rename(&replacement, &file2).expect("rename");
            opened
        };
        let mut copied = Vec::new();
        assert!(opened
            .copy_ranges(std::slice::from_ref(&(2..5)), |_, bytes| copied
                .extend_from_slice(bytes))
            .expect("read"));
        assert_eq!(copied, b"234");
    }

    fn parse(text: &str) -> Vec<Import> {
        crate::frontend::python::extract(text, &Default::default()).imports
    }

    #[test]
    fn imports_round_trip_through_the_cache_with_the_graphs_fields() {
        let text = "import a.b\nfrom ..c import d\ndef f():\n    from e import g\n";
        let mut strings: Vec<Box<str>> = Vec::new();
        for import in parse(text) {
            let cached = CachedImport::new(&import, |text| {
                strings.push(text.into());
                strings.len() as u32 - 1
            });
            let back = cached.to_import(&strings);
            assert_eq!(
                (
                    back.kind,
                    &back.module,
                    back.level,
                    &back.name,
                    back.context
                ),
                (
                    import.kind,
                    &import.module,
                    import.level,
                    &import.name,
                    import.context
                )
            );
            assert_eq!(
                (back.span.line, back.span.column),
                (import.span.line, import.span.column)
            );
        }
    }

    /// A file `m.py` of module `m`, and an edge function that makes one edge per import
    /// named after its module (counting its calls).
    fn source(dir: &Path) -> SourceFile {
        SourceFile {
            path: dir.join("m.py"),
            relative: "m.py".to_string(),
            module: "m".to_string(),
            importable: true,
            root: Some(0),
            is_package: false,
            service: None,
            context: CodeContext::Production,
            language: crate::model::Language::Python,
            crate_index: None,
        }
    }

    fn edge_names(edges: &FileEdges<'_>, cache: &ImportCache, file: &SourceFile) -> Vec<String> {
        match edges {
            FileEdges::Cached(edges) => edges
                .iter()
                .map(|edge| cache.edge(file, edge).0.to_string())
                .collect(),
            FileEdges::Fresh(edges) => edges.iter().map(|edge| edge.0.clone()).collect(),
        }
    }

    #[test]
    fn a_changed_file_is_parsed_again_and_an_unchanged_one_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache_dir = dir.path().join(DIRECTORY);
        let file = source(dir.path());
        std::fs::write(&file.path, "import a\n").expect("write");
        let set_time = |time: SystemTime| {
            std::fs::File::options()
                .write(true)
                .open(&file.path)
                .and_then(|handle| handle.set_modified(time))
                .expect("set time");
        };
        // Old enough for its times to be trusted: the change time cannot be set, so the
        // test waits for it to leave the racy window.
        let old = SystemTime::now() - Duration::from_secs(60);
        set_time(old);
        std::thread::sleep(RACY_WINDOW + Duration::from_millis(100));
        let resolved = std::cell::Cell::new(0);
        let edges_of = |imports: &[Import]| -> Vec<Edge> {
            resolved.set(resolved.get() + 1);
            imports
                .iter()
                .map(|import| (import.module.to_string(), import.span.line, 1, 0))
                .collect()
        };

        let cache = ImportCache::open(&cache_dir, 7);
        let (edges, found) = cache.edges(&file, parse, edges_of);
        assert!(matches!(found, Found::Parsed(..)));
        assert_eq!(edge_names(&edges, &cache, &file), ["a"]);
        cache.update(
            [(file.relative.clone(), file.module.clone(), found)],
            &|_| true,
        );
        assert!(cache_dir.join(".gitignore").exists());

        // Unchanged: the cached edges, nothing parsed or resolved.
        let cache = ImportCache::open(&cache_dir, 7);
        let (edges, found) = cache.edges(&file, |_| panic!("not parsed"), edges_of);
        assert!(matches!(found, Found::Unchanged));
        assert!(matches!(edges, FileEdges::Cached(_)));
        assert_eq!(edge_names(&edges, &cache, &file), ["a"]);
        assert_eq!(resolved.get(), 1);

        // Another module index: the cached imports are resolved again, not parsed.
        let other = ImportCache::open(&cache_dir, 8);
        let (edges, found) = other.edges(&file, |_| panic!("not parsed"), edges_of);
        assert!(matches!(found, Found::Renewed(..)));
        assert_eq!(edge_names(&edges, &other, &file), ["a"]);
        assert_eq!(resolved.get(), 2);

        // Touched, same content: hashed, not parsed; its change time is too recent to
        // trust, so nothing is renewed (no rewrite of the cache for it).
        set_time(old + Duration::from_secs(1));
        let (_, found) = cache.edges(&file, |_| panic!("not parsed"), edges_of);
        assert!(matches!(found, Found::Unchanged), "{found:?}");
        // Once the change time is old enough, the new stamp is recorded.
        std::thread::sleep(RACY_WINDOW + Duration::from_millis(100));
        let (_, found) = cache.edges(&file, |_| panic!("not parsed"), edges_of);
        assert!(matches!(found, Found::Renewed(..)), "{found:?}");

        // A time in the future is never trusted: hashed on every run, never renewed.
        set_time(SystemTime::now() + Duration::from_secs(3600));
        let (_, found) = cache.edges(&file, |_| panic!("not parsed"), edges_of);
        assert!(matches!(found, Found::Unchanged), "{found:?}");

        // Edited now, same size: a time this recent is not trusted, so the content is
        // hashed, and it differs.
        std::fs::write(&file.path, "import b\n").expect("write");
        let (edges, found) = cache.edges(&file, parse, edges_of);
        assert!(matches!(found, Found::Parsed(..)));
        assert_eq!(edge_names(&edges, &cache, &file), ["b"]);
    }

    #[test]
    fn test_files_get_the_test_flag_on_every_run() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache_dir = dir.path().join(DIRECTORY);
        let mut file = source(dir.path());
        std::fs::write(&file.path, "import a\n").expect("write");
        std::fs::File::options()
            .write(true)
            .open(&file.path)
            .and_then(|handle| handle.set_modified(SystemTime::now() - Duration::from_secs(60)))
            .expect("set time");
        let edges_of =
            |_: &[Import]| -> Vec<Edge> { vec![("a".to_string(), 1, 1, edge_flags::LAZY)] };
        let cache = ImportCache::open(&cache_dir, 1);
        let (_, found) = cache.edges(&file, parse, edges_of);
        cache.update(
            [(file.relative.clone(), file.module.clone(), found)],
            &|_| true,
        );
        let cache = ImportCache::open(&cache_dir, 1);
        file.context = CodeContext::Test;
        let (edges, _) = cache.edges(&file, |_| panic!("not parsed"), edges_of);
        let FileEdges::Cached(cached) = edges else {
            panic!("cached edges");
        };
        assert_eq!(
            cache.edge(&file, &cached[0]).3,
            edge_flags::LAZY | edge_flags::TEST
        );
    }

    /// A cache document of one entry, `m.py`, with these imports.
    fn one_entry(version: &str, strings: &[&str], imports: Vec<CachedImport>) -> Vec<u8> {
        let document = Document {
            format: FORMAT,
            version: version.to_string(),
            strings: strings.iter().map(|text| (*text).into()).collect(),
            entries: vec![(
                "m.py".to_string(),
                Entry {
                    stamp: Stamp::default(),
                    hash: [1; 16],
                    imports,
                    importer: 0,
                    resolution: 0,
                    edges: Vec::new(),
                },
            )],
        };
        let mut bytes = postcard::to_stdvec(&document).expect("encodes");
        bytes.extend_from_slice(blake3::hash(&bytes).as_bytes());
        bytes
    }

    #[test]
    fn a_corrupt_or_foreign_cache_is_an_empty_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(FILE_NAME);
        std::fs::write(&file, b"\xff\x00garbage").expect("write");
        assert!(ImportCache::open(dir.path(), 0).entries.is_empty());
        std::fs::write(&file, one_entry("0.0.0-other", &["m"], Vec::new())).expect("write");
        assert!(ImportCache::open(dir.path(), 0).entries.is_empty());
        // A string index out of its table (a truncated or tampered file) is no cache either.
        let dangling = CachedImport {
            kind: 0,
            module: 7,
            level: 0,
            name: NO_NAME,
            alias: NO_NAME,
            line: 1,
            column: 1,
            context: 0,
        };
        let version = crate::stamp::BUILD_IDENTITY;
        std::fs::write(&file, one_entry(version, &["a"], vec![dangling])).expect("write");
        assert!(ImportCache::open(dir.path(), 0).entries.is_empty());
        // So is a bound path's binding name out of the table.
        let dangling_alias = CachedImport {
            kind: 6,
            module: 0,
            alias: 9,
            ..dangling
        };
        std::fs::write(&file, one_entry(version, &["a"], vec![dangling_alias])).expect("write");
        assert!(ImportCache::open(dir.path(), 0).entries.is_empty());
        // The same document with every index in range is a cache: the two above were
        // refused for their version and their index, nothing else.
        let valid = one_entry(version, &["a"], Vec::new());
        std::fs::write(&file, &valid).expect("write");
        assert_eq!(ImportCache::open(dir.path(), 0).entries.len(), 1);
        // Any one byte changed, however it still decodes: the checksum refuses it.
        for at in 0..valid.len() {
            let mut flipped = valid.clone();
            flipped[at] ^= 0x01;
            std::fs::write(&file, &flipped).expect("write");
            assert!(
                ImportCache::open(dir.path(), 0).entries.is_empty(),
                "byte {at} flipped was trusted"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_cache_directory_that_is_a_symlink_is_not_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let elsewhere = tempfile::tempdir().expect("tempdir");
        let version = crate::stamp::BUILD_IDENTITY;
        std::fs::write(
            elsewhere.path().join(FILE_NAME),
            one_entry(version, &["a"], Vec::new()),
        )
        .expect("write");
        let link = dir.path().join(DIRECTORY);
        std::os::unix::fs::symlink(elsewhere.path(), &link).expect("symlink");
        let cache = ImportCache::open(&link, 0);
        assert!(cache.entries.is_empty());
        cache.update(
            [(
                "m.py".to_string(),
                "m".to_string(),
                Found::Parsed(Stamp::default(), [0; 16], Vec::new(), Vec::new()),
            )],
            &|_| true,
        );
        assert_eq!(std::fs::read_dir(elsewhere.path()).expect("dir").count(), 1);
    }
}
