//! The facts cache of full runs: what the frontend extracted from each file (imports,
//! bindings, definitions, suppressions, watched attribute uses, syntax and decoding
//! problems), keyed by the BLAKE3 hash of the file's bytes, and the stamp (size, times,
//! inode, device) and content hash each file had when a run last read it. A full run reads
//! only files whose stamp changed, or is not to be trusted (a time within two seconds of the
//! run), and parses only contents it has not seen: reading, hashing and extraction are most
//! of a run's time. Everything else — classification, resolution, every check — runs
//! afresh on the facts, so the output is the one a run without cache gives, and edits of
//! rules.toml, renames or new modules need no invalidation. A check that needs the text of
//! a file that was not read reads it then ([`crate::file_text::FileText`]).
//!
//! The facts depend on the bytes and on the watched APIs of the registry's bans (they decide
//! which attribute uses are kept): the cache is stamped with a fingerprint of those, of the
//! cache format and of importgate's version, and a cache with another stamp is an empty one.
//! It lives in `.importgate_cache/facts-v1.bin` beside the import cache of runs on PATHS,
//! with the same protections (checksum, size limit, no symlinked directory). Entries of
//! contents no file has any more are dropped when the cache is written; it is written only
//! when a run parsed something, dropped something or saw a file's stamp change.

use crate::atomic_file::StagedFile;
use crate::cache::{create_directory, directory_is_linked, ChecksummedFile, Stamp};
pub use crate::file_text::content_hash;
use crate::model::FileFacts;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const FILE_NAME: &str = "facts-v1.bin";
/// Bumped when the layout or the meaning of the cached facts changes.
const FORMAT: u32 = 5;
/// The format (`u32`, little-endian) and the fingerprint open the file.
const HEADER_BYTES: usize = 4 + 16;

// The file: the header, the entries (postcard `(FileFacts, encoding)`) one after the other,
// the [`Footer`] (postcard), its length (`u64`, little-endian), and the BLAKE3 checksum of
// everything before it. The footer comes last so that a run writes each entry as soon as it
// has parsed its file, never holding them all.

/// What follows the entries.
#[derive(Serialize, Deserialize)]
struct Footer {
    /// Content hash and length of each entry, in file order.
    entries: Vec<([u8; 16], u32)>,
    /// Each file's path relative to the governed root, stamp and content hash when it was
    /// read, sorted by path.
    files: Vec<FileRecord>,
}

/// A file's path relative to the governed root, and its stamp and content hash as a run saw
/// them.
type FileRecord = (Box<str>, Stamp, [u8; 16]);

/// The facts of the contents seen by earlier full runs, and what this run adds.
pub struct FactsCache {
    /// Empty when the cache is not to be used (its directory is a symlink).
    file: PathBuf,
    fingerprint: [u8; 16],
    /// The cache file this run opened; entries are ranges of it, read and deserialized when
    /// a file asks (a 200,000-file tree's cache is 85 MB, which a run need not hold).
    body: Option<ChecksummedFile>,
    entries: Index,
    /// The files of the last run that wrote the cache, sorted by path, each once.
    files: Vec<FileRecord>,
    /// Indices into `files`, by path: paths share long prefixes, which made a binary search
    /// compare many bytes (1 % of a warm run).
    by_path: hashbrown::HashTable<u32>,
    staging: Mutex<Staging>,
}

/// The new cache file, written while the run goes.
#[derive(Default)]
struct Staging {
    /// Begun at the first content this run parses.
    output: Option<Output>,
    /// Set when a write failed: this run leaves the cache as it was.
    failed: bool,
    /// Content hash and length of each entry written, in file order.
    index: Vec<([u8; 16], u32)>,
    written: FxHashSet<[u8; 16]>,
    /// The files this run saw as the last run did (same stamp and content): indices into
    /// [`FactsCache::files`], so that a run with few changes copies no paths.
    seen_unchanged: Vec<u32>,
    /// Every other file this run saw, with its stamp and content hash, in the order seen
    /// (a file checked again after a stale read is seen twice; the last one counts).
    seen_changed: Vec<FileRecord>,
}

/// The staged file, and the checksum of what was written to it so far.
struct Output {
    file: BufWriter<StagedFile>,
    checksum: blake3::Hasher,
}

impl Output {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.checksum.update(bytes);
        self.file.write_all(bytes)
    }
}

impl Staging {
    /// Appends an entry, beginning the file when it is the first. A failed write drops the
    /// staged file (and removes it).
    fn append(&mut self, target: &Path, fingerprint: [u8; 16], hash: [u8; 16], bytes: &[u8]) {
        if self.failed || self.written.contains(&hash) {
            return;
        }
        let Ok(length) = u32::try_from(bytes.len()) else {
            return;
        };
        let written = self
            .output(target, fingerprint)
            .and_then(|output| output.write(bytes));
        if written.is_err() {
            self.failed = true;
            self.output = None;
            return;
        }
        self.index.push((hash, length));
        self.written.insert(hash);
    }

    fn output(&mut self, target: &Path, fingerprint: [u8; 16]) -> std::io::Result<&mut Output> {
        if self.output.is_none() {
            if let Some(directory) = target.parent() {
                create_directory(directory)?;
            }
            let mut output = Output {
                file: BufWriter::with_capacity(1 << 16, StagedFile::create(target)?),
                checksum: blake3::Hasher::new(),
            };
            output.write(&FORMAT.to_le_bytes())?;
            output.write(&fingerprint)?;
            self.output = Some(output);
        }
        Ok(self.output.as_mut().expect("begun above"))
    }

    /// Writes the footer and the checksum and puts the file in place.
    fn finish(&mut self, files: &[&FileRecord]) -> std::io::Result<()> {
        let Some(mut output) = self.output.take() else {
            return Ok(());
        };
        // The layout of [`Footer`], from borrowed records.
        let footer = (std::mem::take(&mut self.index), files);
        let footer = postcard::to_stdvec(&footer).map_err(std::io::Error::other)?;
        output.write(&footer)?;
        output.write(&(footer.len() as u64).to_le_bytes())?;
        let checksum = output.checksum.finalize();
        output.file.write_all(checksum.as_bytes())?;
        output
            .file
            .into_inner()
            .map_err(|error| error.into_error())?
            .commit()
    }
}

impl FactsCache {
    /// The cache in `directory` for runs whose extraction watches `watched_apis`.
    pub fn open(directory: &Path, watched_apis: &[String]) -> Self {
        Self::open_stamped(
            directory,
            fingerprint(crate::stamp::BUILD_IDENTITY, watched_apis),
        )
    }

    fn open_stamped(directory: &Path, fingerprint: [u8; 16]) -> Self {
        let mut cache = Self {
            file: PathBuf::new(),
            fingerprint,
            body: None,
            entries: FxHashMap::default(),
            files: Vec::new(),
            by_path: hashbrown::HashTable::new(),
            staging: Mutex::default(),
        };
        if directory_is_linked(directory) {
            return cache;
        }
        cache.file = directory.join(FILE_NAME);
        if let Some(body) = ChecksummedFile::open(&cache.file) {
            if let Some((entries, files)) = index(&body, fingerprint) {
                cache.body = Some(body);
                cache.entries = entries;
                cache.by_path = hashbrown::HashTable::with_capacity(files.len());
                for (at, (path, _, _)) in files.iter().enumerate() {
                    cache
                        .by_path
                        .insert_unique(path_hash(path), at as u32, |at| {
                            path_hash(&files[*at as usize].0)
                        });
                }
                cache.files = files;
            }
        }
        cache
    }

    /// The facts of the file at `relative` without reading it, when its stamp is trusted
    /// and the one it had when a run read it, and that content's facts are cached; with the
    /// content hash.
    pub fn unchanged(&self, relative: &str, stamp: Stamp) -> Option<(FileFacts, [u8; 16])> {
        if !stamp.trusted() {
            return None;
        }
        let at = self.known(relative)?;
        let (_, known, hash) = &self.files[at];
        if *known != stamp {
            return None;
        }
        let facts = self.cached(hash)?;
        if let Ok(mut staging) = self.staging.lock() {
            staging.seen_unchanged.push(at as u32);
        }
        Some((facts, *hash))
    }

    /// Whether the last run that wrote the cache saw a file at `relative`.
    pub fn knows(&self, relative: &str) -> bool {
        self.known(relative).is_some()
    }

    /// Where the last run's record of the file at `relative` is.
    fn known(&self, relative: &str) -> Option<usize> {
        self.by_path
            .find(path_hash(relative), |at| {
                self.files[*at as usize].0.as_ref() == relative
            })
            .map(|at| *at as usize)
    }

    /// The cached facts of a content.
    fn cached(&self, hash: &[u8; 16]) -> Option<FileFacts> {
        let range = self.entries.get(hash)?;
        let bytes = self.body.as_ref()?.read_range(range.clone())?;
        let (mut facts, encoding) =
            postcard::from_bytes::<(FileFacts, Option<String>)>(&bytes).ok()?;
        facts.encoding = match encoding {
            Some(name) => Some(crate::source::codec_name(&name)?),
            None => None,
        };
        Some(facts)
    }

    /// The facts of the file at `relative`, read with this stamp, whose bytes have this
    /// [`content_hash`]: the cached ones, or `extract()`'s (written to the next cache file at
    /// once).
    pub fn facts(
        &self,
        relative: &str,
        stamp: Stamp,
        hash: [u8; 16],
        extract: impl FnOnce() -> FileFacts,
    ) -> FileFacts {
        if self.file.as_os_str().is_empty() {
            return extract();
        }
        let (facts, fresh) = match self.cached(&hash) {
            Some(facts) => (facts, None),
            None => {
                let facts = extract();
                let bytes = postcard::to_stdvec(&(&facts, facts.encoding)).ok();
                (facts, bytes)
            }
        };
        let known = self
            .known(relative)
            .filter(|at| self.files[*at].1 == stamp && self.files[*at].2 == hash);
        if let Ok(mut staging) = self.staging.lock() {
            match known {
                Some(at) => staging.seen_unchanged.push(at as u32),
                None => staging.seen_changed.push((relative.into(), stamp, hash)),
            }
            if let Some(bytes) = fresh {
                staging.append(&self.file, self.fingerprint, hash, &bytes);
            }
        }
        facts
    }

    /// Completes the new cache file with the cached entries of contents this run saw, when
    /// anything changed: a content was parsed, or one no file has any more is dropped. (A
    /// cache that cannot be written is skipped: it only costs time.)
    pub fn save(self) {
        let Ok(mut staging) = self.staging.into_inner() else {
            return;
        };
        if staging.failed || self.file.as_os_str().is_empty() {
            return;
        }
        let mut unchanged = std::mem::take(&mut staging.seen_unchanged);
        let mut changed = std::mem::take(&mut staging.seen_changed);
        // Of records of one path, the last one seen counts: latest first, a stable sort keeps
        // that order, and dedup keeps the first.
        changed.reverse();
        changed.sort_by(|a, b| a.0.cmp(&b.0));
        changed.dedup_by(|other, kept| other.0 == kept.0);
        unchanged.sort_unstable();
        unchanged.dedup();
        let files = merge_files(&self.files, &unchanged, &changed);
        let mut hashes: Vec<[u8; 16]> = files.iter().map(|(_, _, hash)| *hash).collect();
        hashes.sort_unstable();
        hashes.dedup();
        // Nothing parsed: every content seen is an entry of the old file.
        let same_files = changed.is_empty() && files.len() == self.files.len();
        if staging.output.is_none() && hashes.len() == self.entries.len() && same_files {
            return;
        }
        let mut kept: Vec<([u8; 16], Range<u64>)> = hashes
            .iter()
            .filter(|hash| !staging.written.contains(*hash))
            .filter_map(|hash| Some((*hash, self.entries.get(hash)?.clone())))
            .collect();
        drop(hashes);
        if let Some(body) = &self.body {
            // In the order of the old file, which is read once more from the start.
            kept.sort_unstable_by_key(|(_, range)| range.start);
            let (kept, ranges): (Vec<[u8; 16]>, Vec<Range<u64>>) = kept.into_iter().unzip();
            let copied = body.copy_ranges(&ranges, |at, bytes| {
                staging.append(&self.file, self.fingerprint, kept[at], bytes);
            });
            if !copied.unwrap_or(false) {
                // Changed since it was opened: this run leaves the cache as it was.
                return;
            }
        }
        if staging.output.is_none() {
            // Nothing to keep: an empty cache.
            let _ = staging.output(&self.file, self.fingerprint);
        }
        let _ = staging.finish(&files);
    }
}

/// FxHash of a path from the tree (the table holds only the files a run listed itself).
fn path_hash(path: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(path)
}

/// The records of the files a run saw, sorted by path: the `unchanged` ones of `known` (its
/// indices, sorted) and the `changed` ones (sorted by path, each path once), which win.
fn merge_files<'a>(
    known: &'a [FileRecord],
    unchanged: &[u32],
    changed: &'a [FileRecord],
) -> Vec<&'a FileRecord> {
    let is_changed = |path: &str| {
        changed
            .binary_search_by(|(other, _, _)| other.as_ref().cmp(path))
            .is_ok()
    };
    let mut files: Vec<&FileRecord> = Vec::with_capacity(unchanged.len() + changed.len());
    let mut changed = changed.iter().peekable();
    for record in unchanged.iter().map(|at| &known[*at as usize]) {
        if is_changed(&record.0) {
            continue;
        }
        while let Some(earlier) = changed.next_if(|other| other.0 < record.0) {
            files.push(earlier);
        }
        files.push(record);
    }
    files.extend(changed);
    files
}

/// The stamp of caches that importgate `version` can use with these watched APIs (in any
/// order, repeated or not: extraction watches the set).
fn fingerprint(version: &str, watched_apis: &[String]) -> [u8; 16] {
    let mut watched: Vec<&String> = watched_apis.iter().collect();
    watched.sort_unstable();
    watched.dedup();
    let mut hasher = blake3::Hasher::new();
    hasher.update(&FORMAT.to_le_bytes());
    hasher.update(&(version.len() as u64).to_le_bytes());
    hasher.update(version.as_bytes());
    for api in watched {
        hasher.update(&(api.len() as u64).to_le_bytes());
        hasher.update(api.as_bytes());
    }
    let mut stamp = [0; 16];
    stamp.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    stamp
}

/// The entries of a cache body: each content hash with its byte range.
type Index = FxHashMap<[u8; 16], Range<u64>>;

/// The entries and files of a cache file with this stamp.
fn index(body: &ChecksummedFile, fingerprint: [u8; 16]) -> Option<(Index, Vec<FileRecord>)> {
    let mut header = [0; HEADER_BYTES];
    body.read_at(0, &mut header).ok()?;
    let format = u32::from_le_bytes(header[..4].try_into().ok()?);
    if format != FORMAT || header[4..] != fingerprint {
        return None;
    }
    let length_at = body.body_length().checked_sub(8)?;
    let mut footer_length = [0; 8];
    body.read_at(length_at, &mut footer_length).ok()?;
    let footer_at = length_at
        .checked_sub(u64::from_le_bytes(footer_length))
        .filter(|at| *at >= HEADER_BYTES as u64)?;
    let footer: Footer = postcard::from_bytes(&body.read_range(footer_at..length_at)?).ok()?;
    let mut at = HEADER_BYTES as u64;
    let mut entries = FxHashMap::default();
    entries.reserve(footer.entries.len());
    for (hash, length) in footer.entries {
        let end = at
            .checked_add(u64::from(length))
            .filter(|end| *end <= footer_at)?;
        entries.insert(hash, at..end);
        at = end;
    }
    if at != footer_at {
        return None;
    }
    let files = footer.files;
    // Sorted and distinct, as runs write them (a save merges them in order): a file that is
    // not is not one this program wrote.
    if !files.windows(2).all(|pair| pair[0].0 < pair[1].0) {
        return None;
    }
    Some((entries, files))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::{python::extract, ExtractOptions};

    fn facts_of(cache: &FactsCache, text: &str) -> (FileFacts, bool) {
        facts_at(cache, text, text, Stamp::default())
    }

    /// The facts of `text` read from `path` with `stamp`, and whether it was parsed.
    fn facts_at(cache: &FactsCache, path: &str, text: &str, stamp: Stamp) -> (FileFacts, bool) {
        let mut parsed = false;
        let facts = cache.facts(path, stamp, content_hash(text.as_bytes()), || {
            parsed = true;
            extract(text, &ExtractOptions::new(Vec::<String>::new()))
        });
        (facts, parsed)
    }

    #[test]
    fn an_unchanged_trusted_stamp_gives_the_facts_without_reading() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache_dir = dir.path().join(".importgate_cache");
        let old = Stamp::for_tests(9, 1_000_000);
        let cache = FactsCache::open(&cache_dir, &[]);
        let (facts, _) = facts_at(&cache, "app/m.py", "import a\n", old);
        assert!(
            cache.unchanged("app/m.py", old).is_none(),
            "not before it is saved"
        );
        cache.save();
        let cache = FactsCache::open(&cache_dir, &[]);
        let (cached, hash) = cache.unchanged("app/m.py", old).expect("trusted");
        assert_eq!((cached, hash), (facts, content_hash(b"import a\n")));
        assert!(cache.unchanged("app/other.py", old).is_none());
        assert!(cache
            .unchanged("app/m.py", Stamp::for_tests(9, 2_000_000))
            .is_none());
        // A stamp with a time too recent to trust never stands for the content.
        assert!(cache.unchanged("app/m.py", Stamp::default()).is_none());
        // Seen again unread: kept by the next save.
        cache.save();
        assert!(FactsCache::open(&cache_dir, &[])
            .unchanged("app/m.py", old)
            .is_some());
        // Not seen by a run: forgotten.
        FactsCache::open(&cache_dir, &[]).save();
        let cache = FactsCache::open(&cache_dir, &[]);
        assert!(cache.unchanged("app/m.py", old).is_none());
        assert!(cache.entries.is_empty());
    }

    #[test]
    fn facts_round_trip_and_unchanged_contents_are_not_parsed_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache_dir = dir.path().join(".importgate_cache");
        let text = "import os\nfrom a.b import c as d  # importgate: ignore[IG001] -- why\n\
                    __all__ = ['x']\nclass X: ...\ndef f():\n    import lazy\n";
        let cache = FactsCache::open(&cache_dir, &[]);
        let (first, parsed) = facts_of(&cache, text);
        assert!(parsed);
        cache.save();
        let cache = FactsCache::open(&cache_dir, &[]);
        let (second, parsed) = facts_of(&cache, text);
        assert!(!parsed, "the content was cached");
        assert_eq!(second, first);
        let (_, parsed) = facts_of(&cache, "import sys\n");
        assert!(parsed, "a new content is parsed");
        cache.save();
        // Other watched APIs, or a corrupt file, make an empty cache.
        let (_, parsed) = facts_of(&FactsCache::open(&cache_dir, &["os.environ".into()]), text);
        assert!(parsed);
        let file = cache_dir.join(FILE_NAME);
        let mut bytes = std::fs::read(&file).expect("written");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(&file, bytes).expect("write");
        let (_, parsed) = facts_of(&FactsCache::open(&cache_dir, &[]), text);
        assert!(parsed);
    }

    #[test]
    fn a_cache_written_by_another_version_is_not_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache_dir = dir.path().join(".importgate_cache");
        let older = FactsCache::open_stamped(&cache_dir, fingerprint("0.1.0", &[]));
        facts_of(&older, "import a\n");
        older.save();
        assert_eq!(
            FactsCache::open_stamped(&cache_dir, fingerprint("0.1.0", &[]))
                .entries
                .len(),
            1
        );
        let (_, parsed) = facts_of(&FactsCache::open(&cache_dir, &[]), "import a\n");
        assert!(parsed, "this version parses again");
    }

    /// The same version built from other sources (a development build, `cargo install
    /// --git`) may extract other facts: a cache it wrote is not read by this build.
    #[test]
    fn a_cache_written_by_another_build_of_the_same_version_is_not_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache_dir = dir.path().join(".importgate_cache");
        // Stamped with the version alone, as every build of it stamped caches before.
        let same_version = env!("CARGO_PKG_VERSION");
        let older = FactsCache::open_stamped(&cache_dir, fingerprint(same_version, &[]));
        facts_of(&older, "import a\n");
        older.save();
        let (_, parsed) = facts_of(&FactsCache::open(&cache_dir, &[]), "import a\n");
        assert!(parsed, "this build parses again");
    }

    #[test]
    fn a_file_read_again_after_its_cached_facts_is_recorded_with_what_was_read() {
        // A run trusts a stamp, then a check reads the file and finds other bytes (an edit
        // that kept size and times): the file is checked again from what was read, and the
        // next run must not trust the old content for that stamp.
        let dir = tempfile::tempdir().expect("tempdir");
        let cache_dir = dir.path().join(".importgate_cache");
        let stamp = Stamp::for_tests(9, 1_000_000);
        let cache = FactsCache::open(&cache_dir, &[]);
        facts_at(&cache, "app/m.py", "import a\n", stamp);
        cache.save();
        let cache = FactsCache::open(&cache_dir, &[]);
        assert!(cache.unchanged("app/m.py", stamp).is_some());
        let (edited, parsed) = facts_at(&cache, "app/m.py", "import b\n", stamp);
        assert!(parsed);
        cache.save();
        let cache = FactsCache::open(&cache_dir, &[]);
        let (facts, hash) = cache.unchanged("app/m.py", stamp).expect("trusted");
        assert_eq!((facts, hash), (edited, content_hash(b"import b\n")));
    }

    #[test]
    fn contents_no_file_has_are_dropped_when_the_cache_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache_dir = dir.path().join(".importgate_cache");
        let cache = FactsCache::open(&cache_dir, &[]);
        facts_of(&cache, "import a\n");
        facts_of(&cache, "import b\n");
        cache.save();
        let cache = FactsCache::open(&cache_dir, &[]);
        assert_eq!(cache.entries.len(), 2);
        facts_of(&cache, "import b\n");
        cache.save();
        assert_eq!(FactsCache::open(&cache_dir, &[]).entries.len(), 1);
    }
}
