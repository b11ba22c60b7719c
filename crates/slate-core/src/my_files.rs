//! My files: the rules of a session's own folder, in one place for the kiosk (list, delete) and
//! the browser (downloads land here, uploads come only from here). A name in My files is a plain
//! name ([`is_plain_name`]): one entry directly in the folder, never a path. A downloaded name is
//! also short enough for the file system ([`NAME_MAX_BYTES`], cut on a character boundary) and
//! free of the invisible format characters that make one name pass for another
//! ([`is_format_char`]). How much a session may download, and how much room it must leave on the
//! disk, is [`DownloadLimits`]. What changes in the folder is told by the kernel
//! ([`crate::watch::FolderWatch`], inotify), never polled. A leaf: it uses nothing of the core but the IPC type
//! of an entry.
//!
//! ```
//! use slate_core::my_files::{is_plain_name, safe_file_name};
//! assert!(is_plain_name("report.pdf"));
//! assert!(!is_plain_name("../report.pdf"));
//! assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
//! ```

use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use crate::api::SessionFile;

/// The longest name a download gets, in bytes of UTF-8: the file systems' limit (`NAME_MAX`,
/// 255 bytes on ext4, XFS and btrfs), less room for a " (99999)" added when the name is taken
/// and for the ".wkdownload" `WebKit` adds to the file while it downloads.
pub const NAME_MAX_BYTES: usize = 255 - " (99999)".len() - ".wkdownload".len();

/// Whether `c` is an invisible format character (Unicode's general category Cf: bidirectional
/// controls such as U+202E RIGHT-TO-LEFT OVERRIDE, zero-width spaces and joiners, the byte order
/// mark, soft hyphens, tags): with them `invoice\u{202E}fdp.exe` shows as "invoiceexe.pdf", and
/// two names that look the same differ. Removed from downloaded names.
pub fn is_format_char(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn cut_to_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `name` cut to at most `max` bytes, keeping a short extension (`.pdf`, up to 16 bytes) when
/// the stem is what is too long.
fn cut_name(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    if let Some((stem, ext)) = name.rsplit_once('.') {
        let ext_len = ext.len() + 1;
        if !stem.is_empty() && ext_len <= 16 && ext_len < max {
            let stem = cut_to_bytes(stem, max - ext_len).trim_end();
            if !stem.is_empty() {
                return format!("{stem}.{ext}");
            }
        }
    }
    cut_to_bytes(name, max).trim_end().to_owned()
}

/// Whether `name` names one entry directly in a folder: not empty, not `.` or `..`, and no
/// slash, backslash or NUL.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// Creates the folder, private (0700), with its parents.
pub fn create(folder: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
}

/// The entries of the folder, by name (case-insensitively), without following links.
pub fn list(folder: &Path) -> io::Result<Vec<SessionFile>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(folder)?.flatten() {
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        out.push(SessionFile {
            name: entry.file_name().to_string_lossy().into_owned(),
            size: if meta.is_file() { meta.len() } else { 0 },
            folder: meta.is_dir(),
        });
    }
    out.sort_by_key(|f| f.name.to_lowercase());
    Ok(out)
}

/// Why [`delete`] did not delete.
#[derive(Debug)]
pub enum DeleteError {
    /// Not a plain name, or nothing by that name.
    NoSuchEntry,
    /// The entry is there but could not be removed.
    Failed(io::Error),
}

/// Deletes the entry `name` of the folder (a folder entry with everything in it; a link, not
/// what it points to).
pub fn delete(folder: &Path, name: &str) -> Result<(), DeleteError> {
    if !is_plain_name(name) {
        return Err(DeleteError::NoSuchEntry);
    }
    let path = folder.join(name);
    let meta = path
        .symlink_metadata()
        .map_err(|_| DeleteError::NoSuchEntry)?;
    if meta.is_dir() {
        std::fs::remove_dir_all(&path)
    } else {
        std::fs::remove_file(&path)
    }
    .map_err(DeleteError::Failed)
}

/// `folder/name` when `name` is a plain name of a regular file directly in the folder (not a
/// link, not a folder): what a page may be given as an upload.
pub fn file_in(folder: &Path, name: &str) -> Option<PathBuf> {
    if !is_plain_name(name) {
        return None;
    }
    let path = folder.join(name);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    meta.is_file().then_some(path)
}

/// A downloaded file's name: its last path part, without control or format characters
/// ([`is_format_char`]) or a leading dot, at most [`NAME_MAX_BYTES`] bytes (cut on a character
/// boundary, the extension kept); "download" when nothing is left.
pub fn safe_file_name(suggested: &str) -> String {
    let last = suggested.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_format_char(*c))
        .collect();
    let clean = cut_name(clean.trim().trim_start_matches('.'), NAME_MAX_BYTES);
    if clean.is_empty() {
        "download".into()
    } else {
        clean
    }
}

/// `folder/name`, or `folder/name (2).ext` and so on when taken (`name` from [`safe_file_name`],
/// which leaves room for the number).
pub fn unused_path(folder: &Path, name: &str) -> PathBuf {
    let first = folder.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (2..100_000_u32)
        .map(|n| folder.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// How much a session may download, and how much room its downloads must leave on the disk that
/// also holds the database and the audit log (the `download_quota` and
/// `download_free_space_floor` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DownloadLimits {
    /// Bytes one session may download in all (deleted files count too).
    pub quota: u64,
    /// Bytes the file system of My files must keep free.
    pub free_space_floor: u64,
}

/// Why a download may not go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadStop {
    /// The session's downloads would pass [`DownloadLimits::quota`].
    OverQuota,
    /// The disk would have less free than [`DownloadLimits::free_space_floor`].
    LowSpace,
}

impl DownloadLimits {
    /// Whether a download may go on, given `used`, the bytes the session has downloaded so far
    /// (this download's included), `more`, the bytes still announced for it (0 when the size is
    /// not known), and `free`, the bytes free on the folder's file system now.
    pub fn check(&self, used: u64, more: u64, free: u64) -> Result<(), DownloadStop> {
        if used.saturating_add(more) > self.quota {
            Err(DownloadStop::OverQuota)
        } else if free.saturating_sub(more) < self.free_space_floor {
            Err(DownloadStop::LowSpace)
        } else {
            Ok(())
        }
    }
}

/// The bytes an unprivileged account may still write on the file system that holds `folder`.
pub fn free_space(folder: &Path) -> io::Result<u64> {
    let stat = rustix::fs::statvfs(folder)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_one_entry_of_the_folder() {
        for good in ["report.pdf", "a b.txt", "..hidden", "é.txt"] {
            assert!(is_plain_name(good), "{good}");
        }
        for bad in ["", ".", "..", "a/b", "../a", "a\\b", "a\0b", "/"] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn downloaded_names_are_plain_names() {
        assert_eq!(safe_file_name("report.pdf"), "report.pdf");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\x\\y.txt"), "y.txt");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("a\u{7}b\nc"), "abc");
        assert_eq!(safe_file_name(""), "download");
        assert_eq!(safe_file_name("/"), "download");
        assert_eq!(safe_file_name(&"x".repeat(500)).len(), NAME_MAX_BYTES);
    }

    #[test]
    fn long_names_are_cut_by_bytes_on_a_character_boundary_and_format_characters_go() {
        // 100 Japanese characters are 300 bytes of UTF-8: more than a file system takes.
        let long = "報告書".repeat(34) + ".pdf";
        assert!(long.len() > 300);
        let name = safe_file_name(&long);
        assert!(name.len() <= NAME_MAX_BYTES, "{}", name.len());
        assert_eq!(
            name,
            "報告書".repeat(25) + "報告.pdf",
            "77 whole characters and the extension"
        );
        // With the number a taken name gets, and WebKit's suffix while it downloads, it fits.
        assert!(format!("{name} (99999).wkdownload").len() <= 255);
        // A right-to-left override that shows "invoiceexe.pdf" is removed, and so are
        // zero-width and other invisible characters.
        assert_eq!(safe_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(
            safe_file_name("a\u{200B}b\u{200D}c\u{FEFF}d\u{2066}e\u{061C}f\u{00AD}g"),
            "abcdefg"
        );
        assert_eq!(safe_file_name("\u{202E}\u{200B}"), "download");
        // A name with no extension, or one too long to keep, is cut as it is.
        assert_eq!(cut_name(&"é".repeat(200), 11), "ééééé");
        assert_eq!(cut_name(&format!("a.{}", "b".repeat(40)), 10), "a.bbbbbbbb");
        assert_eq!(cut_to_bytes("日本", 4), "日");
        assert_eq!(cut_to_bytes("日本", 2), "");
    }

    #[test]
    fn downloads_stop_at_the_quota_and_above_the_free_space_floor() {
        let limits = DownloadLimits {
            quota: 1000,
            free_space_floor: 500,
        };
        assert_eq!(limits.check(0, 1000, 10_000), Ok(()));
        assert_eq!(limits.check(1, 1000, 10_000), Err(DownloadStop::OverQuota));
        assert_eq!(limits.check(1001, 0, 10_000), Err(DownloadStop::OverQuota));
        assert_eq!(limits.check(0, 600, 1000), Err(DownloadStop::LowSpace));
        assert_eq!(limits.check(0, 0, 499), Err(DownloadStop::LowSpace));
        assert_eq!(limits.check(0, 500, 1000), Ok(()));
        let dir = tempfile::tempdir().unwrap();
        assert!(free_space(dir.path()).unwrap() > 0);
        assert!(free_space(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn a_taken_name_gets_a_number_and_uploads_come_only_from_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(unused_path(dir.path(), "a.txt"), dir.path().join("a.txt"));
        std::fs::write(dir.path().join("a.txt"), "1").unwrap();
        std::fs::write(dir.path().join("a (2).txt"), "2").unwrap();
        assert_eq!(
            unused_path(dir.path(), "a.txt"),
            dir.path().join("a (3).txt")
        );
        assert_eq!(file_in(dir.path(), "a.txt"), Some(dir.path().join("a.txt")));
        assert_eq!(file_in(dir.path(), "../a.txt"), None);
        assert_eq!(file_in(dir.path(), ".."), None);
        assert_eq!(file_in(dir.path(), "missing"), None);
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(file_in(dir.path(), "sub"), None);
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("link")).unwrap();
        assert_eq!(file_in(dir.path(), "link"), None);
    }

    #[test]
    fn entries_are_listed_by_name_and_deleted_one_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("sessions/s1");
        create(&folder).unwrap();
        std::fs::write(folder.join("b.txt"), "12345").unwrap();
        std::fs::create_dir(folder.join("A")).unwrap();
        let names: Vec<_> = list(&folder).unwrap().into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["A", "b.txt"]);
        assert!(matches!(
            delete(&folder, "../s1"),
            Err(DeleteError::NoSuchEntry)
        ));
        assert!(matches!(
            delete(&folder, "gone"),
            Err(DeleteError::NoSuchEntry)
        ));
        delete(&folder, "A").unwrap();
        delete(&folder, "b.txt").unwrap();
        assert!(list(&folder).unwrap().is_empty());
    }
}
