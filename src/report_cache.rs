//! The report of the last full run, replayed when nothing it was computed from changed: a
//! full run on an unchanged tree then costs the walk (from its listing) and one `stat` per
//! file, not the reading, resolution and checks of every file.
//!
//! A full run's report is a function of importgate's code (the build's source hash, not
//! only its version), the registry (its path and text) and the checks the command line
//! selects, the run's options, what the walk found (the Python files' paths, compiled
//! extensions, unreadable entries), the files' contents, and the directories the module
//! index listed on disk for what the walk did not list (excluded code, stubs, directories
//! without Python files). The record keeps a [`RunKey`] over the first four; the stamp of
//! every file as the run read it (an unchanged, trusted stamp stands for an unchanged
//! content, as in the facts cache: size, both times, inode and device, no time within the
//! clock's resolution of the run); and the stamp of each directory the index listed, and of
//! every directory from it up to the root, taken before it was read (an entry added,
//! removed or replaced changes its directory's stamp). A run replays the report only when
//! the key is the same and every stamp is unchanged and trusted; any other run is a full
//! one, which records its report when every stamp it took was trusted and no listing
//! followed a symlink.
//!
//! The report itself is opaque here (the engine encodes it). The record lives in
//! `.importgate_cache/report-v1.bin` with the other caches' protections: a checksum of the
//! whole file, a size limit, no symlinked cache directory, written by an atomic rename.

use crate::cache::{directory_is_linked, read_checksummed, write_checksummed};
use crate::config::Config;
use crate::discover::Discovery;
use crate::stamp::Stamp;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "report-v1.bin";
/// Bumped when the record's layout changes.
const FORMAT: u32 = 1;

/// What a full run's report depends on besides the files' contents and the directories
/// listed on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunKey([u8; 16]);

/// The options of a run that change its report.
#[derive(Clone, Copy, Debug)]
pub struct RunSettings {
    /// `--strict-guarded`.
    pub strict_guarded: bool,
    /// Every public definition kept in the project facts.
    pub all_public_definitions: bool,
}

impl RunKey {
    /// The key of a full run of `config` with `settings` over what the walk found.
    pub fn new(config: &Config, settings: RunSettings, discovery: &Discovery) -> Self {
        let mut hasher = blake3::Hasher::new();
        let mut text = |bytes: &[u8]| {
            hasher.update(&(bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        text(&FORMAT.to_le_bytes());
        text(env!("CARGO_PKG_VERSION").as_bytes());
        text(env!("IMPORTGATE_SOURCE_HASH").as_bytes());
        text(config.path.as_os_str().as_encoded_bytes());
        text(config.root.as_os_str().as_encoded_bytes());
        text(config.text.as_bytes());
        text(format!("{:?}", config.checks.enabled).as_bytes());
        text(&[
            u8::from(settings.strict_guarded),
            u8::from(settings.all_public_definitions),
        ]);
        text(&(discovery.files.len() as u64).to_le_bytes());
        for file in &discovery.files {
            text(file.relative.as_bytes());
            text(file.path.as_os_str().as_encoded_bytes());
        }
        text(&(discovery.extensions.len() as u64).to_le_bytes());
        for extension in &discovery.extensions {
            text(extension.as_bytes());
        }
        // Cargo manifests say what the Rust files are (crates, dependencies) and are no
        // checked file whose stamp is recorded: their contents are part of the key.
        for file in discovery
            .files
            .iter()
            .filter(|file| file.relative.ends_with(crate::classify::CARGO_MANIFEST))
        {
            let contents =
                crate::guarded_io::read_regular(&file.path, crate::guarded_io::SOURCE_LIMIT);
            text(contents.as_deref().unwrap_or(b"\0unreadable"));
        }
        text(&(discovery.problems.len() as u64).to_le_bytes());
        for problem in &discovery.problems {
            text(problem.relative.as_bytes());
            text(problem.message.as_bytes());
            text(&[u8::from(problem.outside_root)]);
        }
        let mut key = [0; 16];
        key.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
        Self(key)
    }
}

/// What a run read besides the key's inputs: the stamps it trusted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stamps {
    /// Each file's stamp as the run read it, in the walk's order.
    pub files: Vec<Stamp>,
    /// Each directory listed on disk (and those above it up to the root) with its stamp
    /// before it was read; `None`: it did not exist. Sorted by path.
    pub directories: Vec<(PathBuf, Option<Stamp>)>,
}

impl Stamps {
    /// Whether every stamp can stand for what it stamps.
    fn trusted(&self) -> bool {
        self.files.iter().all(Stamp::trusted)
            && self
                .directories
                .iter()
                .all(|(_, stamp)| stamp.is_none_or(|stamp| stamp.trusted()))
    }
}

/// The stamp a file has now (its target's, for a symlink), as the run reads it.
pub fn file_stamp(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path)
        .ok()
        .map(|metadata| Stamp::of(&metadata))
}

/// The stamp a directory has now: `None` when it does not exist (or is a symlink, which is
/// never recorded).
fn directory_stamp(path: &Path) -> Option<Stamp> {
    std::fs::symlink_metadata(path)
        .ok()
        .filter(|metadata| !metadata.file_type().is_symlink())
        .map(|metadata| Stamp::of(&metadata))
}

/// The head of the record on disk (postcard): format, key, the files' and the directories'
/// stamps. The report's bytes follow it to the end of the body.
type Head = (u32, [u8; 16], Vec<Stamp>, Vec<(String, Option<Stamp>)>);

/// The report recorded in `directory` by a run with this key, when every file of the walk
/// (`files`, in its order) and every directory that run listed still has the stamp it had,
/// and each is trusted. The files at `first` are looked at first (the files a run on PATHS
/// was given are the likeliest to have changed: then one `stat` says so); the others in
/// parallel (the caller's thread pool).
pub fn replay(directory: &Path, key: RunKey, files: &[&Path], first: &[usize]) -> Option<Vec<u8>> {
    if directory_is_linked(directory) {
        return None;
    }
    let body = read_checksummed(&directory.join(FILE_NAME))?;
    // The key first: a record of another registry or tree is not decoded further.
    let ((format, recorded_key), rest) =
        postcard::take_from_bytes::<(u32, [u8; 16])>(&body).ok()?;
    if format != FORMAT || recorded_key != key.0 {
        return None;
    }
    let (stamps, rest) = postcard::take_from_bytes::<Vec<Stamp>>(rest).ok()?;
    let unchanged = |path: &Path, recorded: &Stamp| {
        recorded.trusted() && file_stamp(path).is_some_and(|now| now == *recorded)
    };
    if stamps.len() != files.len()
        || !first.par_iter().all(|at| {
            files
                .get(*at)
                .zip(stamps.get(*at))
                .is_some_and(|(path, recorded)| unchanged(path, recorded))
        })
        || !files
            .par_iter()
            .zip(stamps.par_iter())
            .all(|(path, recorded)| unchanged(path, recorded))
    {
        return None;
    }
    let (directories, report) =
        postcard::take_from_bytes::<Vec<(String, Option<Stamp>)>>(rest).ok()?;
    let unchanged = directories.par_iter().all(|(path, recorded)| {
        recorded.is_none_or(|stamp| stamp.trusted())
            && directory_stamp(Path::new(path)) == *recorded
    });
    unchanged.then(|| report.to_vec())
}

/// Records the report of a full run with this key that read with these stamps, unless a
/// stamp is not trusted (the record could never be replayed) or the same record is there
/// already. `report` encodes it. A record that cannot be written is skipped: it only costs
/// time.
pub fn record(
    directory: &Path,
    key: RunKey,
    stamps: Stamps,
    report: impl FnOnce() -> Option<Vec<u8>>,
) {
    if !stamps.trusted() || directory_is_linked(directory) {
        return;
    }
    let Some(directories) = stamps
        .directories
        .into_iter()
        .map(|(path, stamp)| Some((path.into_os_string().into_string().ok()?, stamp)))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    let file = directory.join(FILE_NAME);
    if let Some(body) = read_checksummed(&file) {
        let same = postcard::take_from_bytes::<Head>(&body).is_ok_and(
            |((format, recorded_key, files, recorded_directories), _)| {
                format == FORMAT
                    && recorded_key == key.0
                    && files == stamps.files
                    && recorded_directories == directories
            },
        );
        if same {
            return;
        }
    }
    let Some(report) = report() else {
        return;
    };
    let head: Head = (FORMAT, key.0, stamps.files, directories);
    if let Ok(mut body) = postcard::to_stdvec(&head) {
        body.extend_from_slice(&report);
        let _ = write_checksummed(&file, body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stamp::RACY_WINDOW;
    use std::fs;

    fn replay_all(directory: &Path, key: RunKey, files: &[&Path]) -> Option<Vec<u8>> {
        replay(directory, key, files, &[])
    }

    fn key(byte: u8) -> RunKey {
        RunKey([byte; 16])
    }

    fn stamps_of(files: &[&Path], directories: &[&Path]) -> Stamps {
        Stamps {
            files: files
                .iter()
                .map(|path| file_stamp(path).expect("a file"))
                .collect(),
            directories: directories
                .iter()
                .map(|path| (path.to_path_buf(), directory_stamp(path)))
                .collect(),
        }
    }

    #[test]
    fn a_report_is_replayed_only_while_the_key_and_every_stamp_are_unchanged() {
        let tree = tempfile::tempdir().expect("tempdir");
        let cache = tree.path().join("cache");
        let (a, b) = (tree.path().join("a.py"), tree.path().join("b.py"));
        let listed = tree.path().join("listed");
        let missing = tree.path().join("missing");
        fs::write(&a, "import b\n").expect("write");
        fs::write(&b, "x = 1\n").expect("write");
        fs::create_dir(&listed).expect("mkdir");
        // Too recent to trust: nothing is recorded.
        let recent = stamps_of(&[&a, &b], &[&listed, &missing]);
        record(&cache, key(1), recent, || Some(b"too soon".to_vec()));
        assert!(!cache.join(FILE_NAME).exists());
        std::thread::sleep(RACY_WINDOW + std::time::Duration::from_millis(100));

        let stamps = stamps_of(&[&a, &b], &[&listed, &missing]);
        assert_eq!(stamps.directories[1].1, None);
        record(&cache, key(1), stamps.clone(), || Some(b"report".to_vec()));
        let files = [a.as_path(), b.as_path()];
        assert_eq!(replay_all(&cache, key(1), &files), Some(b"report".to_vec()));
        // The same record is not encoded again.
        record(&cache, key(1), stamps.clone(), || {
            panic!("the record is there already")
        });
        // Another registry, tree or build; another list of files.
        assert_eq!(replay_all(&cache, key(2), &files), None);
        assert_eq!(replay_all(&cache, key(1), &[a.as_path()]), None);
        assert_eq!(
            replay_all(&cache, key(1), &[b.as_path(), a.as_path()]),
            None
        );

        // A directory that appears where none was, then is gone again: while it is there
        // the report is not replayed.
        fs::create_dir(&missing).expect("mkdir");
        assert_eq!(replay_all(&cache, key(1), &files), None);
        fs::remove_dir(&missing).expect("rmdir");
        assert_eq!(replay_all(&cache, key(1), &files), Some(b"report".to_vec()));
        // An entry added to a listed directory.
        fs::write(listed.join("models.py"), "").expect("write");
        assert_eq!(replay_all(&cache, key(1), &files), None);
        fs::remove_file(listed.join("models.py")).expect("rm");
        assert_eq!(replay_all(&cache, key(1), &files), None);

        // A corrupt record is none.
        record(&cache, key(3), stamps_of(&files, &[]), || {
            Some(b"again".to_vec())
        });
        assert_eq!(replay_all(&cache, key(3), &files), Some(b"again".to_vec()));
        let mut bytes = fs::read(cache.join(FILE_NAME)).expect("read");
        let last = bytes.len() - 40;
        bytes[last] ^= 1;
        fs::write(cache.join(FILE_NAME), bytes).expect("write");
        assert_eq!(replay_all(&cache, key(3), &files), None);

        // A file rewritten with as many bytes.
        record(&cache, key(4), stamps_of(&files, &[]), || {
            Some(b"fresh".to_vec())
        });
        assert_eq!(replay_all(&cache, key(4), &files), Some(b"fresh".to_vec()));
        fs::write(&b, "x = 2\n").expect("write");
        assert_eq!(replay_all(&cache, key(4), &files), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_cache_directory_is_never_used() {
        let tree = tempfile::tempdir().expect("tempdir");
        let elsewhere = tempfile::tempdir().expect("tempdir");
        let cache = tree.path().join("cache");
        std::os::unix::fs::symlink(elsewhere.path(), &cache).expect("symlink");
        record(&cache, key(1), Stamps::default(), || {
            Some(b"report".to_vec())
        });
        assert_eq!(fs::read_dir(elsewhere.path()).expect("dir").count(), 0);
        assert_eq!(replay(&cache, key(1), &[], &[0]), None);
    }
}
