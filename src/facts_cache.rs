//! The facts cache of full runs: what the frontend extracted from each file (imports,
//! bindings, definitions, suppressions, watched attribute uses, syntax problems), keyed by
//! the BLAKE3 hash of the file's bytes. A full run still reads every file (the checks quote
//! it, and the hash says whether it changed) but parses only files whose content it has not
//! seen: extraction is most of a run's time. Everything else — classification, resolution,
//! every check — runs afresh on the facts, so the output is the one a run without cache
//! gives, and edits of rules.toml, renames or new modules need no invalidation.
//!
//! The facts depend on the bytes and on the watched APIs of the registry's bans (they decide
//! which attribute uses are kept): the cache is stamped with a fingerprint of those, of the
//! cache format and of importgate's version, and a cache with another stamp is an empty one.
//! It lives in `.importgate_cache/facts-v1.bin` beside the import cache of runs on PATHS,
//! with the same protections (checksum, size limit, no symlinked directory). Entries of
//! contents no file has any more are dropped when the cache is written; it is written only
//! when a run parsed something or dropped something.

use crate::atomic_file::StagedFile;
pub use crate::cache::content_hash;
use crate::cache::{create_directory, directory_is_linked, read_checksummed};
use crate::model::FileFacts;
use rustc_hash::{FxHashMap, FxHashSet};
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const FILE_NAME: &str = "facts-v1.bin";
/// Bumped when the layout or the meaning of the cached facts changes.
const FORMAT: u32 = 2;
/// The format (`u32`, little-endian) and the fingerprint open the file.
const HEADER_BYTES: usize = 4 + 16;

// The file: the header, the entries (postcard `FileFacts`) one after the other, their index
// (postcard `Vec<(content hash, length)>`, in file order), the index's length (`u64`,
// little-endian), and the BLAKE3 checksum of everything before it. The index comes last so
// that a run writes each entry as soon as it has parsed its file, never holding them all.

/// The facts of the contents seen by earlier full runs, and what this run adds.
pub struct FactsCache {
    /// Empty when the cache is not to be used (its directory is a symlink).
    file: PathBuf,
    fingerprint: [u8; 16],
    /// The file's bytes; entries are ranges of it, deserialized when a file asks.
    body: Vec<u8>,
    entries: FxHashMap<[u8; 16], Range<usize>>,
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
    /// Every content this run saw.
    seen: Vec<[u8; 16]>,
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

    /// Writes the index and the checksum and puts the file in place.
    fn finish(&mut self) -> std::io::Result<()> {
        let Some(mut output) = self.output.take() else {
            return Ok(());
        };
        let index = postcard::to_stdvec(&self.index).map_err(std::io::Error::other)?;
        output.write(&index)?;
        output.write(&(index.len() as u64).to_le_bytes())?;
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
            staging: Mutex::default(),
        };
        if directory_is_linked(directory) {
            return cache;
        }
        cache.file = directory.join(FILE_NAME);
        if let Some((body, entries)) =
            read_checksummed(&cache.file).and_then(|body| index(body, fingerprint))
        {
            cache.body = body;
            cache.entries = entries;
        }
        cache
    }

    /// The facts of a file whose bytes have this [`content_hash`]: the cached ones, or
    /// `extract()`'s (written to the next cache file at once).
    pub fn facts(&self, hash: [u8; 16], extract: impl FnOnce() -> FileFacts) -> FileFacts {
        if self.file.as_os_str().is_empty() {
            return extract();
        }
        let cached = self
            .entries
            .get(&hash)
            .and_then(|range| postcard::from_bytes::<FileFacts>(&self.body[range.clone()]).ok());
        let (facts, fresh) = match cached {
            Some(facts) => (facts, None),
            None => {
                let facts = extract();
                let bytes = postcard::to_stdvec(&facts).ok();
                (facts, bytes)
            }
        };
        if let Ok(mut staging) = self.staging.lock() {
            staging.seen.push(hash);
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
        if staging.failed {
            return;
        }
        let mut seen = std::mem::take(&mut staging.seen);
        seen.sort_unstable();
        seen.dedup();
        let kept: Vec<([u8; 16], Range<usize>)> = seen
            .iter()
            .filter(|hash| !staging.written.contains(*hash))
            .filter_map(|hash| Some((*hash, self.entries.get(hash)?.clone())))
            .collect();
        if staging.output.is_none() && kept.len() == self.entries.len() {
            return;
        }
        for (hash, range) in kept {
            staging.append(&self.file, self.fingerprint, hash, &self.body[range]);
        }
        if staging.output.is_none() {
            // Every file is gone: an empty cache.
            let _ = staging.output(&self.file, self.fingerprint);
        }
        let _ = staging.finish();
    }
}

/// The stamp of caches that importgate `version` can use with these watched APIs.
fn fingerprint(version: &str, watched_apis: &[String]) -> [u8; 16] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&FORMAT.to_le_bytes());
    hasher.update(&(version.len() as u64).to_le_bytes());
    hasher.update(version.as_bytes());
    for api in watched_apis {
        hasher.update(&(api.len() as u64).to_le_bytes());
        hasher.update(api.as_bytes());
    }
    let mut stamp = [0; 16];
    stamp.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    stamp
}

/// The entries of a cache body with this stamp: each content hash with its byte range.
type Index = FxHashMap<[u8; 16], Range<usize>>;

fn index(body: Vec<u8>, fingerprint: [u8; 16]) -> Option<(Vec<u8>, Index)> {
    let format = u32::from_le_bytes(body.get(..4)?.try_into().ok()?);
    if format != FORMAT || body.get(4..HEADER_BYTES)? != fingerprint {
        return None;
    }
    let length_at = body.len().checked_sub(8)?;
    let index_length = u64::from_le_bytes(body[length_at..].try_into().ok()?);
    let index_at = length_at
        .checked_sub(usize::try_from(index_length).ok()?)
        .filter(|at| *at >= HEADER_BYTES)?;
    let index: Vec<([u8; 16], u32)> = postcard::from_bytes(&body[index_at..length_at]).ok()?;
    let mut at = HEADER_BYTES;
    let mut entries = FxHashMap::default();
    entries.reserve(index.len());
    for (hash, length) in index {
        let end = at
            .checked_add(length as usize)
            .filter(|end| *end <= index_at)?;
        entries.insert(hash, at..end);
        at = end;
    }
    (at == index_at).then_some((body, entries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::python::{extract, ExtractOptions};

    fn facts_of(cache: &FactsCache, text: &str) -> (FileFacts, bool) {
        let mut parsed = false;
        let facts = cache.facts(content_hash(text.as_bytes()), || {
            parsed = true;
            extract(text, &ExtractOptions::new(Vec::<String>::new()))
        });
        (facts, parsed)
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
