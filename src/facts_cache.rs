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
use crate::cache::{create_directory, directory_is_linked, read_checksummed, Stamp};
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
const FORMAT: u32 = 3;
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
    files: Vec<(Box<str>, Stamp, [u8; 16])>,
}

/// A file's stamp and content hash, as a run saw them.
type FileState = (Stamp, [u8; 16]);

/// The facts of the contents seen by earlier full runs, and what this run adds.
pub struct FactsCache {
    /// Empty when the cache is not to be used (its directory is a symlink).
    file: PathBuf,
    fingerprint: [u8; 16],
    /// The file's bytes; entries are ranges of it, deserialized when a file asks.
    body: Vec<u8>,
    entries: FxHashMap<[u8; 16], Range<usize>>,
    /// The files of the last run that wrote the cache.
    files: Files,
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
    /// Every file this run saw, with its stamp and content hash.
    seen: Vec<(Box<str>, Stamp, [u8; 16])>,
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
    fn finish(&mut self, files: Vec<(Box<str>, Stamp, [u8; 16])>) -> std::io::Result<()> {
        let Some(mut output) = self.output.take() else {
            return Ok(());
        };
        let footer = Footer {
            entries: std::mem::take(&mut self.index),
            files,
        };
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
            fingerprint(env!("CARGO_PKG_VERSION"), watched_apis),
        )
    }

    fn open_stamped(directory: &Path, fingerprint: [u8; 16]) -> Self {
        let mut cache = Self {
            file: PathBuf::new(),
            fingerprint,
            body: Vec::new(),
            entries: FxHashMap::default(),
            files: FxHashMap::default(),
            staging: Mutex::default(),
        };
        if directory_is_linked(directory) {
            return cache;
        }
        cache.file = directory.join(FILE_NAME);
        if let Some((body, entries, files)) =
            read_checksummed(&cache.file).and_then(|body| index(body, fingerprint))
        {
            cache.body = body;
            cache.entries = entries;
            cache.files = files;
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
        let (known, hash) = self.files.get(relative)?;
        if *known != stamp {
            return None;
        }
        let facts = self.cached(hash)?;
        self.saw(relative, stamp, *hash);
        Some((facts, *hash))
    }

    /// The cached facts of a content.
    fn cached(&self, hash: &[u8; 16]) -> Option<FileFacts> {
        let range = self.entries.get(hash)?;
        let (mut facts, encoding) =
            postcard::from_bytes::<(FileFacts, Option<String>)>(&self.body[range.clone()]).ok()?;
        facts.encoding = match encoding {
            Some(name) => Some(crate::source::codec_name(&name)?),
            None => None,
        };
        Some(facts)
    }

    fn saw(&self, relative: &str, stamp: Stamp, hash: [u8; 16]) {
        if let Ok(mut staging) = self.staging.lock() {
            staging.seen.push((relative.into(), stamp, hash));
        }
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
        if let Ok(mut staging) = self.staging.lock() {
            staging.seen.push((relative.into(), stamp, hash));
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
        let mut files = std::mem::take(&mut staging.seen);
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        files.dedup_by(|a, b| a.0 == b.0);
        let mut hashes: Vec<[u8; 16]> = files.iter().map(|(_, _, hash)| *hash).collect();
        hashes.sort_unstable();
        hashes.dedup();
        let kept: Vec<([u8; 16], Range<usize>)> = hashes
            .iter()
            .filter(|hash| !staging.written.contains(*hash))
            .filter_map(|hash| Some((*hash, self.entries.get(hash)?.clone())))
            .collect();
        let same_files = files.len() == self.files.len()
            && files
                .iter()
                .all(|(path, stamp, hash)| self.files.get(path) == Some(&(*stamp, *hash)));
        if staging.output.is_none() && kept.len() == self.entries.len() && same_files {
            return;
        }
        for (hash, range) in kept {
            staging.append(&self.file, self.fingerprint, hash, &self.body[range]);
        }
        if staging.output.is_none() {
            // Nothing to keep: an empty cache.
            let _ = staging.output(&self.file, self.fingerprint);
        }
        let _ = staging.finish(files);
    }
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

/// The entries of a cache body with this stamp: each content hash with its byte range.
type Index = FxHashMap<[u8; 16], Range<usize>>;
/// Each file's stamp and content hash, by path.
type Files = FxHashMap<Box<str>, FileState>;

fn index(body: Vec<u8>, fingerprint: [u8; 16]) -> Option<(Vec<u8>, Index, Files)> {
    let format = u32::from_le_bytes(body.get(..4)?.try_into().ok()?);
    if format != FORMAT || body.get(4..HEADER_BYTES)? != fingerprint {
        return None;
    }
    let length_at = body.len().checked_sub(8)?;
    let footer_length = u64::from_le_bytes(body[length_at..].try_into().ok()?);
    let footer_at = length_at
        .checked_sub(usize::try_from(footer_length).ok()?)
        .filter(|at| *at >= HEADER_BYTES)?;
    let footer: Footer = postcard::from_bytes(&body[footer_at..length_at]).ok()?;
    let mut at = HEADER_BYTES;
    let mut entries = FxHashMap::default();
    entries.reserve(footer.entries.len());
    for (hash, length) in footer.entries {
        let end = at
            .checked_add(length as usize)
            .filter(|end| *end <= footer_at)?;
        entries.insert(hash, at..end);
        at = end;
    }
    if at != footer_at {
        return None;
    }
    let files = footer
        .files
        .into_iter()
        .map(|(path, stamp, hash)| (path, (stamp, hash)))
        .collect();
    Some((body, entries, files))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::python::{extract, ExtractOptions};

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
