//! The wipe: every per-session surface is a [`Wiper`]. When a session ends, each wiper removes
//! what the session left on its surface and reports items, bytes, duration and success; then each
//! surface is checked again to be empty. The result is a [`WipeReceipt`].
//!
//! Wiping is idempotent (wiping an empty surface is a success with zero items), so a wipe cut
//! short by a crash is simply run again at the next start, before anyone can sign in.
//!
//! A leaf: the trait, the receipt and the surfaces that need nothing but the file system
//! ([`SessionFiles`], [`RecentlyUsed`]). The kiosk adds the session's stored values
//! ([`crate::kiosk::wipers`]); the shell adds the ones only it can reach (webview data,
//! clipboard, notifications, the browser).

use super::phrase::Phrase;
use std::fs;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Mode, OFlags};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a wiper needs to know about the session being wiped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WipeTarget {
    pub session_id: String,
    /// The session's own folder ("My files"), inside the data folder.
    pub folder: PathBuf,
    /// When the session started (surfaces keyed by time, like the recently-used list, use it).
    pub started_at: chrono::DateTime<chrono::Utc>,
}

/// Items and bytes a wiper removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub items: u64,
    pub bytes: u64,
}

/// One per-session surface.
pub trait Wiper: Send + Sync {
    /// A short stable name (`session_files`, `clipboard`, …).
    fn name(&self) -> &'static str;
    /// Removes what the session left on this surface. Must be idempotent.
    fn wipe(&self, target: &WipeTarget) -> Result<Removed, String>;
    /// Checks the surface again: `Ok` when nothing of the session is left.
    fn check(&self, target: &WipeTarget) -> Result<(), String>;
}

/// What happened on one surface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SurfaceReport {
    pub surface: String,
    pub items: u64,
    pub bytes: u64,
    pub duration_us: u64,
    /// Wiped without error.
    pub wiped: bool,
    /// Checked again afterwards and found empty.
    pub verified: bool,
    /// What went wrong, in a sentence, if anything.
    pub error: Option<String>,
}

/// The proof of a wipe: every surface, what was removed, and whether it was re-checked empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WipeReceipt {
    pub session_id: String,
    pub surfaces: Vec<SurfaceReport>,
}

impl WipeReceipt {
    /// Every surface wiped and verified empty.
    pub fn complete(&self) -> bool {
        self.surfaces.iter().all(|s| s.wiped && s.verified)
    }

    /// The surfaces that failed, with why, as one sentence.
    pub fn failure_sentence(&self) -> Option<Phrase> {
        let failed: Vec<String> = self
            .surfaces
            .iter()
            .filter(|s| !(s.wiped && s.verified))
            .map(|s| {
                format!(
                    "{} ({})",
                    s.surface,
                    s.error.as_deref().unwrap_or("not verified empty")
                )
            })
            .collect();
        (!failed.is_empty()).then(|| {
            Phrase::new("The last session could not be fully erased: {surfaces}.")
                .text("surfaces", failed.join("; "))
        })
    }

    /// Totals over all surfaces.
    pub fn totals(&self) -> Removed {
        self.surfaces
            .iter()
            .fold(Removed::default(), |t, s| Removed {
                items: t.items + s.items,
                bytes: t.bytes + s.bytes,
            })
    }
}

/// Runs every wiper, then checks every surface.
pub fn wipe_all(wipers: &[Arc<dyn Wiper>], target: &WipeTarget) -> WipeReceipt {
    let surfaces = wipers
        .iter()
        .map(|w| {
            let started = Instant::now();
            let result = w.wipe(target);
            let duration = started.elapsed();
            let (removed, error) = match result {
                Ok(r) => (r, None),
                Err(e) => (Removed::default(), Some(e)),
            };
            let check = w.check(target);
            SurfaceReport {
                surface: w.name().to_owned(),
                items: removed.items,
                bytes: removed.bytes,
                duration_us: u64::try_from(duration.as_micros()).unwrap_or(u64::MAX),
                wiped: error.is_none(),
                verified: check.is_ok(),
                error: error.or_else(|| check.err()),
            }
        })
        .collect();
    WipeReceipt {
        session_id: target.session_id.clone(),
        surfaces,
    }
}

/// The session's folder ("My files"): created 0700 at sign-in inside `<data>/sessions/`, removed
/// whole at the end. Symlinks inside are removed, never followed; files that appear or change
/// while it is being removed are removed too.
#[derive(Debug)]
pub struct SessionFiles;

impl Wiper for SessionFiles {
    fn name(&self) -> &'static str {
        "session_files"
    }

    fn wipe(&self, target: &WipeTarget) -> Result<Removed, String> {
        let mut removed = Removed::default();
        // First move the folder aside in one step: anything still writing by path can no longer
        // add to it, and what it already holds is removed from the moved copy.
        let aside = aside_of(&target.folder);
        match fs::rename(&target.folder, &aside) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(sentence(&target.folder, &e)),
        }
        // Then take it back: when it was the screen's account's, that account (and so the next
        // session) can no longer open what is left of it, should the removal fail.
        take_back(&aside).map_err(|e| sentence(&aside, &e))?;
        for _ in 0..5 {
            remove_tree(&aside, &mut removed)?;
            // A writer that recreated the folder meanwhile: take that too.
            remove_tree(&target.folder, &mut removed)?;
            if !exists(&aside) && !exists(&target.folder) {
                return Ok(removed);
            }
        }
        Err(format!("{} keeps changing", target.folder.display()))
    }

    fn check(&self, target: &WipeTarget) -> Result<(), String> {
        for path in [target.folder.clone(), aside_of(&target.folder)] {
            match fs::symlink_metadata(&path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Ok(_) => return Err(format!("{} is still there", path.display())),
                Err(e) => return Err(sentence(&path, &e)),
            }
        }
        Ok(())
    }
}

/// Makes `folder` (never a link followed) this process's own and closed to others, if it is not.
/// (Its parent, the sessions' folder, is the service's: nobody else can swap the name.)
fn take_back(folder: &Path) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = match fs::symlink_metadata(folder) {
        Ok(meta) if meta.is_dir() => meta,
        Ok(_) => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let (uid, gid) = (
        rustix::process::geteuid().as_raw(),
        rustix::process::getegid().as_raw(),
    );
    if meta.uid() != uid {
        std::os::unix::fs::lchown(folder, Some(uid), Some(gid))?;
    }
    if meta.mode() & 0o077 != 0 {
        fs::set_permissions(folder, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Where a session folder is moved while it is removed: `sessions/.wiping-<id>`.
fn aside_of(folder: &Path) -> PathBuf {
    let name = folder
        .file_name()
        .map_or_else(|| "session".into(), |n| n.to_string_lossy().into_owned());
    folder.with_file_name(format!(".wiping-{name}"))
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Removes a whole folder (without following symlinks), for start-up: the webview's folder is
/// removed before any window exists, so nothing a crashed session's pages stored survives.
pub fn remove_folder(path: &Path) -> Result<Removed, String> {
    let mut removed = Removed::default();
    remove_tree(path, &mut removed)?;
    Ok(removed)
}

/// Removes `path` and everything below it without following links, counting files and bytes.
///
/// Below `path`, every step is taken from an open folder (`openat` with `O_NOFOLLOW`, then
/// `unlinkat`), never by a path: the session's account may still have a process swapping one
/// of its folders for a link (to the data folder, say) while the service, as root, empties it.
/// A name that is a link when it is opened is removed as the link it is, never followed.
fn remove_tree(path: &Path, removed: &mut Removed) -> Result<(), String> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(format!("{} is not a folder's entry", path.display()));
    };
    // The parent is the service's own (the sessions' folder), so opening it by path is safe.
    let parent_fd = match rustix::fs::openat(
        rustix::fs::CWD,
        parent,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    ) {
        Ok(fd) => fd,
        Err(rustix::io::Errno::NOENT) => return Ok(()),
        Err(e) => return Err(sentence(parent, &e.into())),
    };
    remove_entry(&parent_fd, name, path, removed)
}

/// Removes the entry `name` of the open folder `dir` (`shown` is its path, for sentences).
fn remove_entry(
    dir: &OwnedFd,
    name: &std::ffi::OsStr,
    shown: &Path,
    removed: &mut Removed,
) -> Result<(), String> {
    use rustix::io::Errno;
    use std::os::unix::ffi::OsStrExt;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    match rustix::fs::openat(dir, name, flags, Mode::empty()) {
        Ok(sub) => {
            // A folder made read-only inside the session must not stop the wipe (changed
            // through its open handle, never by path).
            if let Ok(st) = rustix::fs::fstat(&sub) {
                if st.st_mode & 0o200 == 0 {
                    let _ = rustix::fs::fchmod(&sub, Mode::from_raw_mode(0o700));
                }
            }
            let mut names = Vec::new();
            let entries =
                rustix::fs::Dir::read_from(&sub).map_err(|e| sentence(shown, &e.into()))?;
            for entry in entries {
                let entry = entry.map_err(|e| sentence(shown, &e.into()))?;
                let bytes = entry.file_name().to_bytes();
                if bytes != b"." && bytes != b".." {
                    names.push(std::ffi::OsStr::from_bytes(bytes).to_owned());
                }
            }
            for child in names {
                remove_entry(&sub, &child, &shown.join(&child), removed)?;
            }
            match rustix::fs::unlinkat(dir, name, AtFlags::REMOVEDIR) {
                // Gone, or something was added meanwhile (the caller goes round again).
                Ok(()) | Err(Errno::NOENT | Errno::NOTEMPTY | Errno::EXIST) => Ok(()),
                Err(e) => Err(sentence(shown, &e.into())),
            }
        }
        Err(Errno::NOENT) => Ok(()),
        // A file, or a link (to anything): the entry itself goes.
        Err(Errno::NOTDIR | Errno::LOOP) => {
            let st = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).ok();
            match rustix::fs::unlinkat(dir, name, AtFlags::empty()) {
                Ok(()) => {
                    removed.items += 1;
                    // A link's own size is its target's name, not data of the session.
                    if let Some(st) = st {
                        if rustix::fs::FileType::from_raw_mode(st.st_mode).is_file() {
                            removed.bytes += u64::try_from(st.st_size).unwrap_or(0);
                        }
                    }
                    Ok(())
                }
                // Gone, or it became a folder meanwhile (the caller goes round again).
                Err(Errno::NOENT | Errno::ISDIR) => Ok(()),
                Err(e) => Err(sentence(shown, &e.into())),
            }
        }
        Err(e) => Err(sentence(shown, &e.into())),
    }
}

fn sentence(path: &Path, e: &io::Error) -> String {
    format!("{}: {}", path.display(), crate::io_words::reason(e))
}

/// How long wiping took in all, for logs.
pub fn total_duration(receipt: &WipeReceipt) -> Duration {
    Duration::from_micros(receipt.surfaces.iter().map(|s| s.duration_us).sum())
}

/// The GTK recently-used list (`~/.local/share/recently-used.xbel`): file choosers add an entry
/// for every file opened or saved. Entries that point into the session's folder, or that were
/// added after the session started, are removed; the rest of the list is left as it was.
#[derive(Debug)]
pub struct RecentlyUsed {
    pub file: PathBuf,
}

impl RecentlyUsed {
    /// The list of the account running Slate.
    pub fn for_this_account() -> Option<Self> {
        directories::BaseDirs::new().map(|d| Self {
            file: d.data_dir().join("recently-used.xbel"),
        })
    }

    /// Splits the list into (kept text, number of entries removed).
    fn filter(text: &str, target: &WipeTarget) -> (String, u64) {
        let folder_uri = format!("file://{}", target.folder.display());
        let mut out = String::with_capacity(text.len());
        let mut removed = 0;
        let mut rest = text;
        while let Some(start) = rest.find("<bookmark ") {
            let Some(len) = rest[start..].find("</bookmark>") else {
                break;
            };
            let end = start + len + "</bookmark>".len();
            let entry = &rest[start..end];
            out.push_str(&rest[..start]);
            if Self::belongs_to_session(entry, &folder_uri, target) {
                removed += 1;
                // Drop the line's indentation and newline with the entry.
                let trimmed = out.trim_end_matches([' ', '\t']).len();
                out.truncate(trimmed);
                rest = rest[end..].strip_prefix('\n').unwrap_or(&rest[end..]);
            } else {
                out.push_str(entry);
                rest = &rest[end..];
            }
        }
        out.push_str(rest);
        (out, removed)
    }

    fn belongs_to_session(entry: &str, folder_uri: &str, target: &WipeTarget) -> bool {
        let attr = |name: &str| {
            let key = format!("{name}=\"");
            let from = entry.find(&key)? + key.len();
            let to = entry[from..].find('"')?;
            Some(&entry[from..from + to])
        };
        let inside = attr("href").is_some_and(|h| h.starts_with(folder_uri));
        let added_during = ["added", "modified", "visited"].iter().any(|a| {
            attr(a)
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|t| t >= target.started_at)
        });
        inside || added_during
    }
}

impl Wiper for RecentlyUsed {
    fn name(&self) -> &'static str {
        "recently_used"
    }

    fn wipe(&self, target: &WipeTarget) -> Result<Removed, String> {
        let text = match fs::read_to_string(&self.file) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Removed::default()),
            Err(e) => return Err(sentence(&self.file, &e)),
        };
        let (kept, items) = Self::filter(&text, target);
        if items > 0 {
            // Write beside, then rename: a crash leaves the old list or the new one, never half.
            let tmp = self.file.with_extension("xbel.slate-tmp");
            fs::write(&tmp, kept.as_bytes()).map_err(|e| sentence(&tmp, &e))?;
            fs::rename(&tmp, &self.file).map_err(|e| sentence(&self.file, &e))?;
        }
        Ok(Removed {
            items,
            bytes: (text.len() - kept.len()) as u64,
        })
    }

    fn check(&self, target: &WipeTarget) -> Result<(), String> {
        match fs::read_to_string(&self.file) {
            Ok(text) if Self::filter(&text, target).1 > 0 => {
                Err("entries of the session are still listed".into())
            }
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(sentence(&self.file, &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_folder_the_screen_owned_is_taken_back_before_it_is_emptied() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("theirs");
        fs::create_dir(&folder).unwrap();
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o755)).unwrap();
        let me = rustix::process::geteuid().as_raw();
        if me == 0 {
            // As the service runs: the folder was the kiosk account's (here: nobody's).
            std::os::unix::fs::chown(&folder, Some(65534), Some(65534)).unwrap();
        }
        take_back(&folder).unwrap();
        let meta = fs::metadata(&folder).unwrap();
        assert_eq!(meta.uid(), me);
        assert_eq!(meta.mode() & 0o777, 0o700);
        // A link is never followed, and is no folder to take.
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink("/etc", &link).unwrap();
        take_back(&link).unwrap();
        assert_ne!(fs::metadata("/etc").unwrap().mode() & 0o777, 0o700);
    }

    fn target(dir: &Path) -> WipeTarget {
        WipeTarget {
            session_id: "s1".into(),
            folder: dir.join("sessions/s1"),
            started_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn session_files_are_removed_counted_and_rechecked() {
        let tmp = tempfile::tempdir().unwrap();
        let t = target(tmp.path());
        fs::create_dir_all(t.folder.join("deep/er")).unwrap();
        fs::write(t.folder.join("a.txt"), b"12345").unwrap();
        fs::write(t.folder.join("deep/er/b.bin"), vec![0u8; 1000]).unwrap();
        // Read-only file and folder, a file held open, a symlink pointing outside.
        fs::write(t.folder.join("deep/ro.txt"), b"xx").unwrap();
        fs::set_permissions(
            t.folder.join("deep/ro.txt"),
            fs::Permissions::from_mode(0o400),
        )
        .unwrap();
        fs::set_permissions(t.folder.join("deep/er"), fs::Permissions::from_mode(0o500)).unwrap();
        let held = fs::File::open(t.folder.join("a.txt")).unwrap();
        let outside = tmp.path().join("outside.txt");
        fs::write(&outside, b"keep me").unwrap();
        std::os::unix::fs::symlink(&outside, t.folder.join("link")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), t.folder.join("dirlink")).unwrap();

        let receipt = wipe_all(&[Arc::new(SessionFiles) as Arc<dyn Wiper>], &t);
        drop(held);
        assert!(receipt.complete(), "{receipt:?}");
        let s = &receipt.surfaces[0];
        assert_eq!((s.items, s.bytes), (5, 1007), "3 files + 2 links: {s:?}");
        assert!(!t.folder.exists());
        assert_eq!(
            fs::read(&outside).unwrap(),
            b"keep me",
            "links not followed"
        );
        // Idempotent: wiping again is a success with nothing to do.
        let again = wipe_all(&[Arc::new(SessionFiles) as Arc<dyn Wiper>], &t);
        assert!(again.complete());
        assert_eq!(again.totals(), Removed::default());
    }

    #[test]
    fn a_file_being_written_during_the_wipe_is_removed_too() {
        use std::io::Write;
        let tmp = tempfile::tempdir().unwrap();
        let t = target(tmp.path());
        fs::create_dir_all(&t.folder).unwrap();
        let mut f = fs::File::create(t.folder.join("growing.log")).unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let stop = Arc::clone(&stop);
            let folder = t.folder.clone();
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let _ = f.write_all(b"still writing\n");
                    // New files appear too, until the folder is gone.
                    let _ = fs::write(folder.join(format!("new-{n}.tmp")), b"x");
                    n += 1;
                }
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(20));
        let receipt = wipe_all(&[Arc::new(SessionFiles) as Arc<dyn Wiper>], &t);
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        writer.join().unwrap();
        assert!(receipt.complete(), "{receipt:?}");
        assert!(!t.folder.exists());
    }

    #[test]
    fn recently_used_entries_of_the_session_are_removed_and_others_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let t = WipeTarget {
            started_at: chrono::DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc),
            ..target(tmp.path())
        };
        let inside = format!("file://{}/cv.pdf", t.folder.display());
        let list = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<xbel version="1.0">
  <bookmark href="file:///home/kiosk/old.txt" added="2026-11-20T09:00:00Z" modified="2026-11-20T09:00:00Z" visited="2026-11-20T09:00:00Z">
    <info/>
  </bookmark>
  <bookmark href="{inside}" added="2026-11-19T09:00:00Z" modified="2026-11-19T09:00:00Z" visited="2026-11-19T09:00:00Z">
    <info/>
  </bookmark>
  <bookmark href="file:///tmp/new.txt" added="2026-11-21T10:05:00Z" modified="2026-11-21T10:05:00Z" visited="2026-11-21T10:05:00Z">
    <info/>
  </bookmark>
</xbel>
"#
        );
        let file = tmp.path().join("recently-used.xbel");
        fs::write(&file, &list).unwrap();
        let w = RecentlyUsed { file: file.clone() };
        assert!(w.check(&t).is_err());
        let removed = w.wipe(&t).unwrap();
        assert_eq!(removed.items, 2);
        let kept = fs::read_to_string(&file).unwrap();
        assert!(kept.contains("old.txt"));
        assert!(
            !kept.contains("cv.pdf") && !kept.contains("new.txt"),
            "{kept}"
        );
        assert!(kept.trim_end().ends_with("</xbel>"));
        assert!(w.check(&t).is_ok());
        assert_eq!(w.wipe(&t).unwrap(), Removed::default(), "idempotent");
    }

    #[test]
    fn a_failing_surface_makes_an_incomplete_receipt_with_a_sentence() {
        struct Stuck;
        impl Wiper for Stuck {
            fn name(&self) -> &'static str {
                "stuck"
            }
            fn wipe(&self, _: &WipeTarget) -> Result<Removed, String> {
                Err("disk full".into())
            }
            fn check(&self, _: &WipeTarget) -> Result<(), String> {
                Err("still there".into())
            }
        }
        let tmp = tempfile::tempdir().unwrap();
        let receipt = wipe_all(
            &[Arc::new(SessionFiles) as Arc<dyn Wiper>, Arc::new(Stuck)],
            &target(tmp.path()),
        );
        assert!(!receipt.complete());
        assert_eq!(
            receipt.failure_sentence().unwrap().to_string(),
            "The last session could not be fully erased: stuck (disk full)."
        );
    }
}
