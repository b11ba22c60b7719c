//! My files: the rules of a session's own folder, in one place for the kiosk (list, delete) and
//! the browser (downloads land here, uploads come only from here). A name in My files is a plain
//! name ([`is_plain_name`]): one entry directly in the folder, never a path. A leaf: it uses
//! nothing of the core but the IPC type of an entry.
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

/// The longest name a download gets, in characters.
pub const NAME_MAX_CHARS: usize = 120;

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

/// A downloaded file's name: its last path part, without control characters or a leading dot,
/// at most [`NAME_MAX_CHARS`] characters; "download" when nothing is left.
pub fn safe_file_name(suggested: &str) -> String {
    let last = suggested.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(NAME_MAX_CHARS)
        .collect();
    if clean.is_empty() {
        "download".into()
    } else {
        clean
    }
}

/// `folder/name`, or `folder/name (2).ext` and so on when taken.
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
        assert_eq!(safe_file_name(&"x".repeat(500)).len(), 120);
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
