//! What identifies a file's (or a directory's) version without reading it: size, times,
//! inode and device, as the caches compare them. A time within the clock's resolution of
//! now is never trusted: the file may change again without its time changing.

use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A file modified this recently may change again within the clock's resolution without
/// its time changing: its time is not trusted (its content hash still is).
pub(crate) const RACY_WINDOW: Duration = Duration::from_secs(2);

/// What identifies a file's version without reading it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    /// Nanoseconds since the epoch; 0 when the time is not to be trusted.
    modified: u64,
    /// The inode change time, likewise.
    changed: u64,
    inode: u64,
    device: u64,
}

impl Stamp {
    pub(crate) fn of(metadata: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        let (changed, inode, device) = {
            use std::os::unix::fs::MetadataExt;
            let changed = u64::try_from(metadata.ctime()).ok().and_then(|seconds| {
                let nanoseconds = u32::try_from(metadata.ctime_nsec()).ok()?;
                Some(UNIX_EPOCH + Duration::new(seconds, nanoseconds))
            });
            (trusted_time(changed), metadata.ino(), metadata.dev())
        };
        #[cfg(not(unix))]
        let (changed, inode, device) = (1, 0, 0);
        Self {
            len: metadata.len(),
            modified: trusted_time(metadata.modified().ok()),
            changed,
            inode,
            device,
        }
    }

    /// The size in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Whether every part can be relied on: no time too recent to trust.
    pub(crate) fn trusted(&self) -> bool {
        self.modified != 0 && self.changed != 0
    }

    /// A trusted stamp of `len` bytes with both times at `nanoseconds`.
    #[cfg(test)]
    pub(crate) fn for_tests(len: u64, nanoseconds: u64) -> Self {
        Self {
            len,
            modified: nanoseconds,
            changed: nanoseconds,
            inode: 1,
            device: 1,
        }
    }

    /// The stamp of `len` bytes read after the metadata was taken: a file that changed
    /// meanwhile has a newer change time, so the stamp is never trusted for its new bytes.
    pub(crate) fn with_len(self, len: usize) -> Self {
        Self {
            len: len as u64,
            ..self
        }
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

/// Which build of importgate wrote a cache: its version and a hash of its sources. Caches
/// written by another build are not read: between two releases the version stays the same
/// while the code (what the frontends extract, what a listing keeps) changes.
pub const BUILD_IDENTITY: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "+",
    env!("IMPORTGATE_SOURCE_HASH")
);
