//! The data folder: where it is, and whether Slate may use it.
//!
//! Resolution order: `--data-dir DIR`, then `SLATE_DATA_DIR` (both handled by clap), then the
//! platform data folder of the account running Slate (`$XDG_DATA_HOME/slate`, usually
//! `~/.local/share/slate`). The folder is created with mode 0700 and must be a writable folder;
//! anything else is refused with one sentence before a window opens.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why a data folder cannot be used. Each variant's message is one sentence for a person.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("The data folder {0} is a file, not a folder.")]
    NotAFolder(PathBuf),
    #[error("Cannot create the data folder {path}: {reason}.")]
    CannotCreate { path: PathBuf, reason: String },
    #[error("The data folder {path} is not writable: {reason}.")]
    NotWritable { path: PathBuf, reason: String },
    #[error("No data folder was given and this account has no home folder; pass --data-dir DIR.")]
    NoDefault,
}

/// A data folder that exists, is a folder, is private (0700) and was just shown to be writable.
#[derive(Debug, Clone)]
pub struct DataDir {
    path: PathBuf,
}

impl DataDir {
    /// The default data folder when none is given: the platform data folder of this account.
    pub fn default_path() -> Result<PathBuf, DataDirError> {
        directories::ProjectDirs::from("", "", "slate")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .ok_or(DataDirError::NoDefault)
    }

    /// Resolves `given` (or the default), creates it if needed and checks that it can be used.
    pub fn prepare(given: Option<&Path>) -> Result<Self, DataDirError> {
        let path = match given {
            Some(p) => absolute(p),
            None => Self::default_path()?,
        };
        match fs::metadata(&path) {
            Ok(meta) if !meta.is_dir() => return Err(DataDirError::NotAFolder(path)),
            Ok(meta) => {
                // Tighten a folder we own that others could read; leave a shared one alone
                // (an administrator chose it) but never fail on it.
                if meta.permissions().mode() & 0o077 != 0 {
                    let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o700));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&path)
                    .map_err(|e| DataDirError::CannotCreate {
                        path: path.clone(),
                        reason: describe(&e),
                    })?;
            }
            Err(e) => {
                return Err(DataDirError::CannotCreate {
                    path,
                    reason: describe(&e),
                })
            }
        }
        probe_writable(&path)?;
        Ok(Self { path })
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The SQLite database inside the folder.
    pub fn database(&self) -> PathBuf {
        self.path.join("slate.db")
    }
}

/// Creates and removes a probe file: the only reliable test of writability (root ignores modes,
/// read-only mounts ignore them too).
fn probe_writable(path: &Path) -> Result<(), DataDirError> {
    let probe = path.join(format!(".slate-write-probe-{}", std::process::id()));
    let result = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map(drop);
    let _ = fs::remove_file(&probe);
    result.map_err(|e| DataDirError::NotWritable {
        path: path.to_path_buf(),
        reason: describe(&e),
    })
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// An I/O error as the end of a sentence: "permission denied", not "Permission denied (os error 13)".
fn describe(e: &io::Error) -> String {
    let text = match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::NotADirectory => "part of the path is a file".to_owned(),
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_owned(),
        io::ErrorKind::StorageFull => "the disk is full".to_owned(),
        io::ErrorKind::NotFound => "a parent folder does not exist".to_owned(),
        _ => crate::io_words::reason(e),
    };
    text.trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_a_private_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::prepare(Some(&tmp.path().join("a/b"))).unwrap();
        let mode = fs::metadata(dir.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        assert!(dir.database().ends_with("slate.db"));
    }

    #[test]
    fn refuses_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        fs::write(&file, b"x").unwrap();
        let err = DataDir::prepare(Some(&file)).unwrap_err();
        assert!(matches!(err, DataDirError::NotAFolder(_)));
        assert_eq!(
            err.to_string(),
            format!(
                "The data folder {} is a file, not a folder.",
                file.display()
            )
        );
    }

    #[test]
    fn refuses_a_path_below_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        fs::write(&file, b"x").unwrap();
        let err = DataDir::prepare(Some(&file.join("data"))).unwrap_err();
        assert!(
            err.to_string().starts_with("Cannot create the data folder"),
            "{err}"
        );
        assert!(
            err.to_string().ends_with("part of the path is a file."),
            "{err}"
        );
    }

    #[test]
    fn refuses_an_unwritable_place() {
        // /proc refuses new entries even to root, unlike a chmod-ed folder.
        let err = DataDir::prepare(Some(Path::new("/proc/slate-data"))).unwrap_err();
        assert!(matches!(err, DataDirError::CannotCreate { .. }), "{err}");
    }

    #[test]
    fn relative_paths_become_absolute() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::prepare(Some(tmp.path())).unwrap();
        assert!(dir.path().is_absolute());
    }
}
