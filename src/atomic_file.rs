//! Replacing a file so that a reader sees the old bytes or the new ones, never half of
//! them: the new bytes go to a temporary file beside it, which is renamed over it.
//!
//! The temporary files are named `.importgate-fix.<pid>.<n>.tmp`, so that anyone can tell
//! what left one. They are removed when the run is interrupted (SIGINT, SIGTERM: see
//! [`remove_temporaries_on_interrupt`]), and one left by a run that was killed outright is
//! removed the next time importgate writes in its directory (when its process is gone).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The start of every temporary file's name.
pub const TEMPORARY_PREFIX: &str = ".importgate-fix.";
const TEMPORARY_SUFFIX: &str = ".tmp";

/// Temporary files that exist now, removed if the run is interrupted. A file is created
/// and registered under the lock, and the interrupt handler removes them and exits under
/// it, so that no temporary file can appear after the handler looked.
static TEMPORARIES: Mutex<Registry> = Mutex::new(Registry {
    paths: Vec::new(),
    interrupted: false,
});

struct Registry {
    paths: Vec<PathBuf>,
    interrupted: bool,
}

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    TEMPORARIES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
static NEXT_TEMPORARY: AtomicUsize = AtomicUsize::new(0);

/// The exit code of an interrupted run: 130 (the shell's code for an interrupt) unless a
/// command that runs until interrupted says otherwise.
static INTERRUPT_EXIT_CODE: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(130);

/// An interrupt ends the process with `code` (`check --watch`: 0, Ctrl-C is how it ends).
pub fn exit_code_on_interrupt(code: i32) {
    INTERRUPT_EXIT_CODE.store(code, Ordering::SeqCst);
}

/// From now on, SIGINT and SIGTERM remove the temporary files that exist and end the run
/// with 130 (or the code [`exit_code_on_interrupt`] set). Only the first call installs the
/// handler.
pub fn remove_temporaries_on_interrupt() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let mut registry = registry();
            registry.interrupted = true;
            remove_all(&registry.paths);
            // Exits holding the lock: no other thread creates a file after this.
            std::process::exit(INTERRUPT_EXIT_CODE.load(Ordering::SeqCst));
        });
    });
}

fn remove_all(paths: &[PathBuf]) {
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}

/// A temporary file beside its target; removed when dropped unless it was renamed.
struct Temporary {
    path: PathBuf,
    file: Option<File>,
}

impl Temporary {
    /// Creates a new temporary file in `directory` with mode `0o666` less the umask (the
    /// mode any new file gets), after removing stale ones of dead runs.
    fn create(directory: &Path) -> io::Result<Self> {
        // Whatever writes (a fix, the baseline, the cache) cleans up after an interrupt.
        remove_temporaries_on_interrupt();
        remove_stale(directory);
        loop {
            let name = format!(
                "{TEMPORARY_PREFIX}{}.{}{TEMPORARY_SUFFIX}",
                std::process::id(),
                NEXT_TEMPORARY.fetch_add(1, Ordering::Relaxed)
            );
            let path = directory.join(name);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
            let mut registry = registry();
            if registry.interrupted {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
            }
            match options.open(&path) {
                Ok(file) => {
                    registry.paths.push(path.clone());
                    return Ok(Self {
                        path,
                        file: Some(file),
                    });
                }
                Err(error) if error.kind() != io::ErrorKind::AlreadyExists => return Err(error),
                Err(_) => {}
            }
        }
    }

    fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("open until renamed")
    }

    /// Renames the temporary file over `target`, after its bytes reached the disk.
    fn rename_over(self, target: &Path) -> io::Result<()> {
        self.rename_over_durably(target, true)
    }

    /// Renames the temporary file over `target`; `durable` first waits until its bytes are
    /// on the disk (a cache skips that: after a crash it may be lost, never half-read).
    fn rename_over_durably(mut self, target: &Path, durable: bool) -> io::Result<()> {
        if let Some(file) = self.file.take() {
            if durable {
                file.sync_all()?;
            }
        }
        std::fs::rename(&self.path, target)?;
        forget(&self.path);
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            self.file = None;
            let _ = std::fs::remove_file(&self.path);
            forget(&self.path);
        }
    }
}

fn forget(path: &Path) {
    registry().paths.retain(|known| known != path);
}

/// Removes the temporary files of runs whose process no longer exists.
fn remove_stale(directory: &Path) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|name| name.strip_prefix(TEMPORARY_PREFIX))
            .and_then(|rest| rest.strip_suffix(TEMPORARY_SUFFIX))
        else {
            continue;
        };
        let Some(pid) = rest
            .split('.')
            .next()
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_exists(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn process_exists(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists.
        let result = unsafe { libc::kill(pid, 0) };
        result == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Replaces (or creates) `path` with `bytes`. A replaced file keeps its mode; a new one
/// gets the mode every new file gets (0o666 less the umask).
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let directory = parent_of(path);
    let mut temporary = Temporary::create(directory)?;
    temporary.file().write_all(bytes)?;
    if let Ok(metadata) = std::fs::metadata(path) {
        temporary.file().set_permissions(metadata.permissions())?;
    }
    temporary.rename_over(path)
}

/// A file written piece by piece beside its target and renamed over it once complete, for
/// caches: a reader sees the old file or the whole new one, but the new one is not waited
/// for to reach the disk (a cache lost in a crash only costs time; its checksum rejects a
/// torn one). Dropped without [`StagedFile::commit`], it is removed.
pub struct StagedFile {
    temporary: Temporary,
    target: PathBuf,
}

impl StagedFile {
    /// Starts a new file that will replace (or create) `target`.
    pub fn create(target: &Path) -> io::Result<Self> {
        Ok(Self {
            temporary: Temporary::create(parent_of(target))?,
            target: target.to_path_buf(),
        })
    }

    /// Puts the written bytes in the target's place.
    pub fn commit(self) -> io::Result<()> {
        self.temporary.rename_over_durably(&self.target, false)
    }
}

impl Write for StagedFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.temporary.file().write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temporary.file().flush()
    }
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Why a fix was not written.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The file changed after it was read: someone is editing it.
    #[error("it changed after it was checked; not fixed")]
    ChangedMeanwhile,
    /// The file is read-only.
    #[error("it is read-only; not fixed")]
    ReadOnly,
    /// The file has other names; replacing it would split them.
    #[error("it has {0} hard links, which a rewrite would separate; not fixed")]
    HardLinked(u64),
    /// The file belongs to another user, whom a rewrite would take it from.
    #[error("it belongs to another user or group; not fixed")]
    OwnedByOther,
    /// A symlink to a file outside the governed root.
    #[error("it is a symlink to a file outside the governed root; not fixed")]
    OutsideRoot,
    /// An extended attribute could not be kept.
    #[error("its extended attribute `{0}` could not be kept; not fixed")]
    Attribute(String),
    /// The operating system refused.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Replaces the file at `path` (a file of the governed tree, or a symlink to one) with
/// `bytes`, provided it still holds `expected`, keeping everything that makes it the same
/// file: a symlink stays a symlink (its target is written), and the file keeps its mode,
/// owner, group and extended attributes (ACLs, SELinux labels). A read-only file, a file
/// with hard links, and a file of another user are left alone: a rename would break what
/// their owner set up.
pub fn replace_keeping_identity(
    path: &Path,
    expected: &[u8],
    bytes: &[u8],
    root: &crate::guarded_io::GovernedRoot,
) -> Result<(), Refusal> {
    let target = if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        if !root.contains(path) {
            return Err(Refusal::OutsideRoot);
        }
        path.canonicalize()?
    } else {
        path.to_path_buf()
    };
    let metadata = std::fs::metadata(&target)?;
    if metadata.permissions().readonly() {
        return Err(Refusal::ReadOnly);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if metadata.nlink() > 1 {
            return Err(Refusal::HardLinked(metadata.nlink()));
        }
        // SAFETY: geteuid has no preconditions.
        let user = unsafe { libc::geteuid() };
        if metadata.uid() != user && user != 0 {
            return Err(Refusal::OwnedByOther);
        }
    }
    let unchanged = |target: &Path| {
        crate::guarded_io::read_regular(target, crate::guarded_io::SOURCE_LIMIT)
            .is_ok_and(|now| now == expected)
    };
    if !unchanged(&target) {
        return Err(Refusal::ChangedMeanwhile);
    }
    let mut temporary = Temporary::create(parent_of(&target))?;
    temporary.file().write_all(bytes)?;
    temporary.file().set_permissions(metadata.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (owner, group) = (metadata.uid(), metadata.gid());
        // The group (and, for root, the owner) the file had; a user may give a file only
        // to a group they are in, so a failure here means the rewrite would change it.
        std::os::unix::fs::fchown(temporary.file(), Some(owner), Some(group))
            .map_err(|_| Refusal::OwnedByOther)?;
        copy_extended_attributes(&target, temporary.file())?;
    }
    // The last moment to notice an edit saved while the fix was prepared.
    if !unchanged(&target) {
        return Err(Refusal::ChangedMeanwhile);
    }
    temporary.rename_over(&target)?;
    Ok(())
}

#[cfg(target_os = "linux")]
fn copy_extended_attributes(from: &Path, to: &File) -> Result<(), Refusal> {
    use std::ffi::{CStr, CString};
    use std::os::fd::AsRawFd;
    let path = CString::new(from.as_os_str().as_encoded_bytes()).map_err(io::Error::other)?;
    let list = |buffer: &mut [u8]| {
        // SAFETY: `path` is NUL-terminated; `buffer` is valid for its length.
        unsafe { libc::listxattr(path.as_ptr(), buffer.as_mut_ptr().cast(), buffer.len()) }
    };
    let size = list(&mut []);
    if size < 0 {
        let error = io::Error::last_os_error();
        // A file system without extended attributes has none to keep.
        if error.raw_os_error() == Some(libc::ENOTSUP) {
            return Ok(());
        }
        return Err(error.into());
    }
    let mut names = vec![0u8; size as usize];
    let size = list(&mut names);
    if size < 0 {
        return Err(io::Error::last_os_error().into());
    }
    names.truncate(size as usize);
    for name in names
        .split(|&byte| byte == 0)
        .filter(|name| !name.is_empty())
    {
        let name = CString::new(name).map_err(io::Error::other)?;
        let shown = name.to_string_lossy().into_owned();
        let get = |buffer: &mut [u8]| {
            // SAFETY: both strings are NUL-terminated; `buffer` is valid for its length.
            unsafe {
                libc::getxattr(
                    path.as_ptr(),
                    name.as_ptr(),
                    buffer.as_mut_ptr().cast(),
                    buffer.len(),
                )
            }
        };
        let size = get(&mut []);
        if size < 0 {
            return Err(Refusal::Attribute(shown));
        }
        let mut value = vec![0u8; size as usize];
        let size = get(&mut value);
        if size < 0 {
            return Err(Refusal::Attribute(shown));
        }
        value.truncate(size as usize);
        let name: &CStr = &name;
        // SAFETY: the descriptor is open; `name` is NUL-terminated; `value` is valid.
        let set = unsafe {
            libc::fsetxattr(
                to.as_raw_fd(),
                name.as_ptr(),
                value.as_ptr().cast(),
                value.len(),
                0,
            )
        };
        if set != 0 {
            return Err(Refusal::Attribute(shown));
        }
    }
    Ok(())
}

#[cfg(all(unix, not(target_os = "linux")))]
fn copy_extended_attributes(_from: &Path, _to: &File) -> Result<(), Refusal> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_file_keeps_its_mode_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("module.py");
        std::fs::write(&path, "import os\n").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        }
        replace(&path, b"import sys\n").expect("replaced");
        assert_eq!(std::fs::read(&path).expect("read"), b"import sys\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    /// An edit saved while `--fix` prepared its own is kept, and the fix is not written.
    #[test]
    fn an_edit_saved_meanwhile_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("module.py");
        std::fs::write(&path, "import old\n").expect("write");
        let root = crate::guarded_io::GovernedRoot::new(dir.path());
        std::fs::write(&path, "import old\nimport mine\n").expect("the user's edit");
        let result = replace_keeping_identity(&path, b"import old\n", b"import new\n", &root);
        assert!(
            matches!(result, Err(Refusal::ChangedMeanwhile)),
            "{result:?}"
        );
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"import old\nimport mine\n"
        );
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[test]
    fn interrupted_runs_leave_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let temporary = Temporary::create(dir.path()).expect("created");
        let path = temporary.path.clone();
        assert!(path.exists());
        // What the SIGINT/SIGTERM handler does before exiting — to this test's
        // temporaries only: other tests write files through the same registry at the same
        // time, and removing theirs made them fail at random.
        let own: Vec<PathBuf> = registry()
            .paths
            .iter()
            .filter(|registered| registered.starts_with(dir.path()))
            .cloned()
            .collect();
        assert_eq!(own, std::slice::from_ref(&path));
        remove_all(&own);
        assert!(!path.exists());
        drop(temporary);
    }

    #[test]
    fn a_stale_temporary_of_a_dead_run_is_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        // No process has the largest pid.
        let stale = dir.path().join(format!("{TEMPORARY_PREFIX}4194303.0.tmp"));
        std::fs::write(&stale, "half").expect("write");
        replace(&dir.path().join("module.py"), b"x = 1\n").expect("written");
        assert!(!stale.exists());
    }
}
