//! The import cache of runs on a few PATHS (pre-commit): chain and cycle checks need the
//! import graph of the whole tree, and parsing every file for it takes seconds on a large
//! repository. The cache keeps the imports of each file, keyed by its content: a file whose
//! size and modification time are unchanged is trusted as it is; one whose time changed
//! (a checkout, a touch) is read and hashed, and re-parsed only when its content changed.
//!
//! It lives in `.importgate_cache/` next to rules.toml (with a `.gitignore` and a
//! `CACHEDIR.TAG`, so that it is never committed or backed up). Only the import facts the
//! graph needs are kept; resolution and classification are redone on every run, so a cache
//! never outlives a change of the registry or of the tree's modules. A missing, corrupt or
//! older cache is an empty one; a cache that cannot be written is skipped silently (it only
//! costs time).

use crate::model::{Import, ImportContext, ImportKind, Span};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The directory name, next to rules.toml.
pub const DIRECTORY: &str = ".importgate_cache";
const FILE_NAME: &str = "imports-v1.bin";
/// Bumped when the layout or the frontend's import extraction changes meaning.
const FORMAT: u32 = 1;
/// A file modified this recently may change again within the clock's resolution without
/// its time changing: its time is not trusted (its content hash still is).
const RACY_WINDOW: Duration = Duration::from_secs(2);

/// One import, as much of it as the graph needs; module and name are indices into the
/// cache's string table (module names repeat across files: one allocation each when loaded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct CachedImport {
    kind: u8,
    module: u32,
    level: u32,
    /// [`NO_NAME`] for `import m`.
    name: u32,
    line: u32,
    column: u32,
    /// Lazy, `TYPE_CHECKING`, guarded: bits 0, 1, 2.
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
            },
            module: intern(&import.module),
            level: import.level,
            name: import.name.as_deref().map_or(NO_NAME, intern),
            line: import.span.line,
            column: import.span.column,
            context: u8::from(import.context.lazy)
                | u8::from(import.context.type_checking) << 1
                | u8::from(import.context.guarded) << 2,
        }
    }

    /// The import back, with the fields the graph reads: kind, module, level, name, the
    /// line and column of its item, and its context (byte offsets, the statement and the
    /// alias are not kept: no fix or code frame is made from a cached import).
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
                _ => ImportKind::Dynamic,
            },
            module: strings[self.module as usize].clone(),
            level: self.level,
            name: (self.name != NO_NAME).then(|| strings[self.name as usize].clone()),
            alias: None,
            span: at,
            statement: at,
            module_range: (0, 0),
            context: ImportContext {
                lazy: self.context & 1 != 0,
                type_checking: self.context & 2 != 0,
                guarded: self.context & 4 != 0,
            },
        }
    }
}

/// What the cache holds for one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    len: u64,
    /// Nanoseconds since the epoch; 0 when the time is not to be trusted.
    modified: u64,
    hash: u64,
    imports: Vec<CachedImport>,
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
    file: PathBuf,
    strings: Vec<Box<str>>,
    entries: FxHashMap<String, Entry>,
}

/// How a file's imports were found.
#[derive(Debug)]
pub enum Found {
    /// Size and time unchanged.
    Unchanged,
    /// Content unchanged: the entry's time is renewed to this.
    SameContent(u64),
    /// Parsed: the file's size, time, content hash and every import, for a new entry.
    Parsed(u64, u64, u64, Vec<Import>),
    /// The file could not be read: parsed the ordinary way, not cached.
    Unreadable,
}

impl ImportCache {
    /// The cache in `directory`, empty when there is none that this build can read.
    pub fn open(directory: &Path) -> Self {
        let file = directory.join(FILE_NAME);
        let document = std::fs::read(&file)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<Document>(&bytes).ok())
            .filter(|document| {
                document.format == FORMAT
                    && document.version == env!("CARGO_PKG_VERSION")
                    && document.entries.iter().all(|(_, entry)| {
                        entry.imports.iter().all(|import| {
                            (import.module as usize) < document.strings.len()
                                && (import.name == NO_NAME
                                    || (import.name as usize) < document.strings.len())
                        })
                    })
            });
        match document {
            Some(document) => Self {
                file,
                strings: document.strings,
                entries: document.entries.into_iter().collect(),
            },
            None => Self {
                file,
                ..Self::default()
            },
        }
    }

    /// The imports of `path` (relative to the root: `relative`) that `wanted` keeps (given
    /// the level and module), from the cache when its content is the cached one, else from
    /// `parse` (given the decoded text; every import is cached).
    pub fn imports(
        &self,
        path: &Path,
        relative: &str,
        parse: impl FnOnce(&str) -> Vec<Import>,
        wanted: impl Fn(u32, &str) -> bool,
    ) -> (Vec<Import>, Found) {
        let imports_of = |entry: &Entry| -> Vec<Import> {
            entry
                .imports
                .iter()
                .filter(|import| wanted(import.level, &self.strings[import.module as usize]))
                .map(|import| import.to_import(&self.strings))
                .collect()
        };
        let cached = self.entries.get(relative);
        let Ok(metadata) = std::fs::metadata(path) else {
            return (Vec::new(), Found::Unreadable);
        };
        let len = metadata.len();
        let modified = trusted_time(metadata.modified().ok());
        if let Some(entry) = cached {
            if entry.len == len && entry.modified != 0 && entry.modified == modified {
                return (imports_of(entry), Found::Unchanged);
            }
        }
        let Ok(bytes) = std::fs::read(path) else {
            return (Vec::new(), Found::Unreadable);
        };
        let hash = content_hash(&bytes);
        if let Some(entry) = cached.filter(|entry| entry.len == len && entry.hash == hash) {
            return (imports_of(entry), Found::SameContent(modified));
        }
        let text = crate::source::decode_python(bytes).text;
        let imports = parse(&text);
        let kept = imports
            .iter()
            .filter(|import| wanted(import.level, &import.module))
            .cloned()
            .collect();
        (kept, Found::Parsed(len, modified, hash, imports))
    }

    /// Records what a run found; `keep` is every file of the tree (entries of files that
    /// are gone are dropped). Writes the cache when anything changed.
    pub fn update(
        mut self,
        found: impl IntoIterator<Item = (String, Found)>,
        keep: &dyn Fn(&str) -> bool,
    ) {
        let mut fresh = Vec::new();
        let mut changed = false;
        for (relative, found) in found {
            match found {
                Found::SameContent(modified) => {
                    if let Some(entry) = self.entries.get_mut(&relative) {
                        entry.modified = modified;
                        changed = true;
                    }
                }
                Found::Parsed(len, modified, hash, imports) => {
                    fresh.push((relative, len, modified, hash, imports))
                }
                Found::Unchanged | Found::Unreadable => {}
            }
        }
        let before = self.entries.len();
        self.entries.retain(|relative, _| keep(relative));
        changed |= self.entries.len() != before || !fresh.is_empty();
        if !changed {
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
            }
        }
        for (relative, len, modified, hash, imports) in fresh {
            let imports = imports
                .iter()
                .map(|import| CachedImport::new(import, &mut intern))
                .collect();
            self.entries.insert(
                relative,
                Entry {
                    len,
                    modified,
                    hash,
                    imports,
                },
            );
        }
        self.strings = strings;
        let _ = self.write();
    }

    fn write(self) -> std::io::Result<()> {
        let Some(directory) = self.file.parent() else {
            return Ok(());
        };
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
        let mut entries: Vec<(String, Entry)> = self.entries.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let document = Document {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            strings: self.strings,
            entries,
        };
        let bytes = postcard::to_stdvec(&document).map_err(std::io::Error::other)?;
        let mut temporary = tempfile::NamedTempFile::new_in(directory)?;
        std::io::Write::write_all(&mut temporary, &bytes)?;
        temporary.persist(&self.file).map_err(|error| error.error)?;
        Ok(())
    }
}

/// Nanoseconds since the epoch, or 0 when the time is unknown or too recent to trust.
fn trusted_time(modified: Option<SystemTime>) -> u64 {
    let Some(modified) = modified else {
        return 0;
    };
    let recent = SystemTime::now()
        .checked_sub(RACY_WINDOW)
        .is_none_or(|threshold| modified > threshold);
    if recent {
        return 0;
    }
    modified
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64)
}

fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(bytes);
    hasher.write_usize(bytes.len());
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_changed_file_is_parsed_again_and_an_unchanged_one_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache_dir = dir.path().join(DIRECTORY);
        let file = dir.path().join("m.py");
        std::fs::write(&file, "import a\n").expect("write");
        // Old enough for its time to be trusted.
        let old = SystemTime::now() - Duration::from_secs(60);
        let set_old = || {
            std::fs::File::options()
                .write(true)
                .open(&file)
                .and_then(|handle| handle.set_modified(old))
                .expect("set time");
        };
        set_old();

        let cache = ImportCache::open(&cache_dir);
        let (imports, found) = cache.imports(&file, "m.py", parse, |_, _| true);
        assert!(matches!(found, Found::Parsed(..)));
        assert_eq!(&*imports[0].module, "a");
        cache.update([("m.py".to_string(), found)], &|_| true);
        assert!(cache_dir.join(".gitignore").exists());

        let cache = ImportCache::open(&cache_dir);
        let (imports, found) = cache.imports(&file, "m.py", |_| panic!("not parsed"), |_, _| true);
        assert!(matches!(found, Found::Unchanged));
        assert_eq!(&*imports[0].module, "a");

        // Touched, same content: hashed, not parsed.
        std::fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|handle| handle.set_modified(old + Duration::from_secs(1)))
            .expect("touch");
        let (_, found) = cache.imports(&file, "m.py", |_| panic!("not parsed"), |_, _| true);
        assert!(matches!(found, Found::SameContent(_)));

        // Edited now, same size: a time this recent is not trusted, so the content is
        // hashed, and it differs.
        std::fs::write(&file, "import b\n").expect("write");
        let (imports, found) = cache.imports(&file, "m.py", parse, |_, _| true);
        assert!(matches!(found, Found::Parsed(..)));
        assert_eq!(&*imports[0].module, "b");
    }

    #[test]
    fn a_corrupt_or_foreign_cache_is_an_empty_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(FILE_NAME), b"\xff\x00garbage").expect("write");
        assert!(ImportCache::open(dir.path()).entries.is_empty());
        let foreign = Document {
            format: FORMAT,
            version: "0.0.0-other".to_string(),
            strings: Vec::new(),
            entries: vec![(
                "m.py".to_string(),
                Entry {
                    len: 1,
                    modified: 1,
                    hash: 1,
                    imports: Vec::new(),
                },
            )],
        };
        std::fs::write(
            dir.path().join(FILE_NAME),
            postcard::to_stdvec(&foreign).expect("encodes"),
        )
        .expect("write");
        assert!(ImportCache::open(dir.path()).entries.is_empty());
        // A string index out of its table (a truncated or tampered file) is no cache either.
        let dangling = Document {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            strings: vec!["a".into()],
            entries: vec![(
                "m.py".to_string(),
                Entry {
                    len: 1,
                    modified: 1,
                    hash: 1,
                    imports: vec![CachedImport {
                        kind: 0,
                        module: 7,
                        level: 0,
                        name: NO_NAME,
                        line: 1,
                        column: 1,
                        context: 0,
                    }],
                },
            )],
        };
        std::fs::write(
            dir.path().join(FILE_NAME),
            postcard::to_stdvec(&dangling).expect("encodes"),
        )
        .expect("write");
        assert!(ImportCache::open(dir.path()).entries.is_empty());
    }
}
