//! Watches on folders, as the kernel reports them (inotify): a thread of its own sleeps in `read`
//! until the kernel has something to say, so nothing is polled and nothing wakes at rest. Used for
//! a session's My files ([`FolderWatch::entries`]) and for what may change the settings in force
//! while a session is live: the database's folder and the policy files' ([`FolderWatch::writes`]).
//! A leaf: it uses nothing of the core.

use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustix::fs::inotify::{self, CreateFlags, ReadFlags, Reader, WatchFlags};

/// A watch on one or more folders: it calls its `changed` after each change (a burst, such as a
/// download's rename, once), on the watch's own thread. Dropping the watch ends the thread.
#[derive(Debug)]
pub struct FolderWatch {
    fd: Arc<OwnedFd>,
    watches: Vec<i32>,
}

/// What a watch on a folder's entries reports: a file made, finished writing, renamed or
/// deleted. Growth of a file still being written is not a change: its end is ("close after
/// write").
const ENTRIES: WatchFlags = WatchFlags::CREATE
    .union(WatchFlags::CLOSE_WRITE)
    .union(WatchFlags::MOVED_FROM)
    .union(WatchFlags::MOVED_TO)
    .union(WatchFlags::DELETE);

impl FolderWatch {
    /// Watches the entries of `folder` (itself, not a link to one).
    pub fn entries(folder: &Path, changed: impl Fn() + Send + 'static) -> io::Result<Self> {
        Self::start(&[folder.to_path_buf()], ENTRIES, "folder-watch", changed)
    }

    /// Watches every write to the files of `folders`, as well as their entries and their modes
    /// (a database's commits, which write its journal; a policy file edited, replaced or made
    /// readable to others). Folders that do not exist are left out, with the reason in the log;
    /// an error only if none could be watched.
    pub fn writes(folders: &[PathBuf], changed: impl Fn() + Send + 'static) -> io::Result<Self> {
        Self::start(
            folders,
            ENTRIES | WatchFlags::MODIFY | WatchFlags::ATTRIB,
            "changes-watch",
            changed,
        )
    }

    fn start(
        folders: &[PathBuf],
        events: WatchFlags,
        name: &str,
        changed: impl Fn() + Send + 'static,
    ) -> io::Result<Self> {
        let fd = Arc::new(inotify::init(CreateFlags::CLOEXEC)?);
        let mut watches = Vec::new();
        let mut last_error = None;
        for folder in folders {
            let flags = events | WatchFlags::ONLYDIR | WatchFlags::DONT_FOLLOW;
            match inotify::add_watch(&*fd, folder, flags) {
                // The same folder twice gets the same descriptor: kept once.
                Ok(w) if !watches.contains(&w) => watches.push(w),
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(folder = %folder.display(), "not watched: {e}");
                    last_error = Some(e);
                }
            }
        }
        if watches.is_empty() {
            return Err(last_error.map_or_else(
                || io::Error::new(io::ErrorKind::InvalidInput, "no folder to watch"),
                io::Error::from,
            ));
        }
        let (events, count) = (Arc::clone(&fd), watches.len());
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || follow(&events, count, &changed))?;
        Ok(Self { fd, watches })
    }
}

impl Drop for FolderWatch {
    fn drop(&mut self) {
        // The kernel answers each with IN_IGNORED, which ends the thread. (Already gone if the
        // folder was removed first: the thread has counted that.)
        for w in &self.watches {
            let _ = inotify::remove_watch(&*self.fd, *w);
        }
    }
}

/// The watch's thread: reads the kernel's events until all `count` watches are gone.
fn follow(fd: &OwnedFd, mut count: usize, changed: &dyn Fn()) {
    let mut buf = [std::mem::MaybeUninit::<u8>::uninit(); 4096];
    let mut events = Reader::new(fd, &mut buf);
    loop {
        let ignored = match events.next() {
            Ok(event) => event.events().contains(ReadFlags::IGNORED),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => {
                tracing::warn!("stopped watching a folder for changes: {e}");
                return;
            }
        };
        if ignored {
            count -= 1;
            if count == 0 {
                return;
            }
            continue;
        }
        // The last of what one read returned: one call for the burst.
        if events.is_buffer_empty() {
            changed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    use std::sync::mpsc;
    use std::time::Duration;

    fn counter() -> (impl Fn() + Send + 'static, mpsc::Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        (
            move || {
                let _ = tx.send(());
            },
            rx,
        )
    }

    const WAIT: Duration = Duration::from_secs(5);

    #[test]
    fn a_finished_file_is_a_change_of_the_entries() {
        let dir = tempfile::tempdir().unwrap();
        let (changed, rx) = counter();
        let _watch = FolderWatch::entries(dir.path(), changed).unwrap();
        std::fs::write(dir.path().join("a.txt"), b"hello").unwrap();
        rx.recv_timeout(WAIT).expect("told of the new file");
    }

    #[test]
    fn writes_in_any_watched_folder_are_told_and_missing_folders_left_out() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let file = b.path().join("db");
        std::fs::write(&file, b"1").unwrap();
        let (changed, rx) = counter();
        let folders = [
            a.path().to_path_buf(),
            a.path().join("not-there"),
            b.path().to_path_buf(),
        ];
        let _watch = FolderWatch::writes(&folders, changed).unwrap();
        // A write that does not close the file (a database appending to its journal).
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        f.write_all(b"2").unwrap();
        rx.recv_timeout(WAIT).expect("told of the write");
        drop(f);
        while rx.try_recv().is_ok() {}
        // A mode change.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        rx.recv_timeout(WAIT).expect("told of the mode change");
    }

    #[test]
    fn nothing_to_watch_is_an_error_and_dropping_ends_the_thread() {
        let dir = tempfile::tempdir().unwrap();
        assert!(FolderWatch::writes(&[dir.path().join("gone")], || {}).is_err());
        let (changed, rx) = counter();
        let watch = FolderWatch::writes(&[dir.path().to_path_buf()], changed).unwrap();
        drop(watch);
        // The thread has ended: its sender is dropped with it.
        assert_eq!(
            rx.recv_timeout(WAIT),
            Err(mpsc::RecvTimeoutError::Disconnected)
        );
    }
}
