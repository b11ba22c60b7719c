//! The data folder: where it is, and whether Slate may use it.
//!
//! Resolution order: `--data-dir DIR`, then `SLATE_DATA_DIR` (both handled by clap), then, for
//! root, the system one ([`SYSTEM_DATA_DIR`], the installed session service's), and for any other
//! account its platform data folder (`$XDG_DATA_HOME/slate`, usually `~/.local/share/slate`:
//! someone trying Slate out).
//!
//! Two ways in. [`DataDir::prepare`] (the kiosk, and `slatectl` commands that set Slate up or
//! change it) creates a missing folder with mode 0700. [`DataDir::open_existing`] (`slatectl`'s
//! read-only commands) never creates it: a missing folder means Slate is not set up there. Either
//! way an existing folder must be a folder, owned by the account running Slate, closed to every
//! other account (no group or other permission bits) and writable. Slate never changes the mode
//! of a folder it did not create (`--data-dir /var/lib` must not close `/var/lib`): anything
//! else is refused with one sentence naming the folder and what to do, before a window opens.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The installed session service's data folder (root's, 0700).
pub const SYSTEM_DATA_DIR: &str = "/var/lib/slate";

/// Why a data folder cannot be used. Each variant's message is one sentence for a person.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("The data folder {0} is a file, not a folder.")]
    NotAFolder(PathBuf),
    #[error("Cannot create the data folder {path}: {reason}.")]
    CannotCreate { path: PathBuf, reason: String },
    #[error("Cannot read the data folder {path}: {reason}.")]
    CannotRead { path: PathBuf, reason: String },
    #[error("The data folder {path} is not writable: {reason}.")]
    NotWritable { path: PathBuf, reason: String },
    #[error("The data folder {0} does not exist, so Slate is not set up there: check --data-dir (or SLATE_DATA_DIR), or set Slate up with slatectl init.")]
    Missing(PathBuf),
    #[error("The data folder {path} is open to other accounts (mode {mode:03o}) and Slate keeps its data private: chmod 700 it, or pick another folder.")]
    OpenToOthers { path: PathBuf, mode: u32 },
    #[error("The data folder {path} belongs to uid {owner}, not to the account running Slate (uid {me}): run Slate as its owner, or pick another folder.")]
    NotOwned { path: PathBuf, owner: u32, me: u32 },
    #[error("No data folder was given and this account has no home folder; pass --data-dir DIR.")]
    NoDefault,
}

/// A data folder that exists, is a folder, belongs to the account running Slate, is private
/// (no permission for group or others) and was just shown to be writable.
#[derive(Debug, Clone)]
pub struct DataDir {
    path: PathBuf,
}

impl DataDir {
    /// The default data folder when none is given: the system one for root, else the platform
    /// data folder of this account.
    pub fn default_path() -> Result<PathBuf, DataDirError> {
        if rustix::process::geteuid().is_root() {
            return Ok(PathBuf::from(SYSTEM_DATA_DIR));
        }
        directories::ProjectDirs::from("", "", "slate")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .ok_or(DataDirError::NoDefault)
    }

    /// Resolves `given` (or the default), creates it (mode 0700) if it does not exist, and
    /// checks that it can be used. An existing folder is never changed, only checked.
    pub fn prepare(given: Option<&Path>) -> Result<Self, DataDirError> {
        let path = resolve(given)?;
        match fs::metadata(&path) {
            Ok(meta) => check_existing(&path, &meta)?,
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

    /// Resolves `given` (or the default) and checks it like [`DataDir::prepare`], but never
    /// creates it: a folder that does not exist is [`DataDirError::Missing`]. For commands that
    /// only read, which must not leave a new folder behind a mistyped `--data-dir`.
    pub fn open_existing(given: Option<&Path>) -> Result<Self, DataDirError> {
        let path = resolve(given)?;
        match fs::metadata(&path) {
            Ok(meta) => check_existing(&path, &meta)?,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                return Err(DataDirError::Missing(path))
            }
            Err(e) => {
                return Err(DataDirError::CannotRead {
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

/// The folder asked for, made absolute, or the default.
fn resolve(given: Option<&Path>) -> Result<PathBuf, DataDirError> {
    match given {
        Some(p) => Ok(absolute(p)),
        None => DataDir::default_path(),
    }
}

/// The rules for a folder that already exists: a folder, this account's, closed to others.
/// Nothing is changed: a folder an administrator pointed at by mistake (`/var/lib`, a home
/// folder) must be refused, not tightened.
fn check_existing(path: &Path, meta: &fs::Metadata) -> Result<(), DataDirError> {
    use std::os::unix::fs::MetadataExt;
    if !meta.is_dir() {
        return Err(DataDirError::NotAFolder(path.to_path_buf()));
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(DataDirError::NotOwned {
            path: path.to_path_buf(),
            owner: meta.uid(),
            me,
        });
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(DataDirError::OpenToOthers {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
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
    fn a_folder_open_to_others_is_refused_and_left_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let shared = tmp.path().join("shared");
        fs::create_dir(&shared).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o755)).unwrap();
        for result in [
            DataDir::prepare(Some(&shared)),
            DataDir::open_existing(Some(&shared)),
        ] {
            let err = result.unwrap_err();
            assert!(matches!(err, DataDirError::OpenToOthers { .. }), "{err}");
            assert_eq!(
                err.to_string(),
                format!(
                    "The data folder {} is open to other accounts (mode 755) and Slate keeps its \
                     data private: chmod 700 it, or pick another folder.",
                    shared.display()
                )
            );
        }
        let mode = fs::metadata(&shared).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755, "never tightened: it may be /var/lib");
        assert_eq!(
            fs::read_dir(&shared).unwrap().count(),
            0,
            "nothing made in it"
        );
        // Group access alone is refused too; closed, it is used as it is.
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o730)).unwrap();
        assert!(DataDir::prepare(Some(&shared)).is_err());
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(DataDir::prepare(Some(&shared)).is_ok());
    }

    #[test]
    fn a_folder_of_another_account_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let theirs = tmp.path().join("theirs");
        fs::DirBuilder::new().mode(0o700).create(&theirs).unwrap();
        // Giving a folder away needs root (CI runs as root); elsewhere there is nothing to test.
        if std::os::unix::fs::chown(&theirs, Some(65534), None).is_err() {
            eprintln!("skipped: giving a folder to another account needs root");
            return;
        }
        let me = rustix::process::geteuid().as_raw();
        for result in [
            DataDir::prepare(Some(&theirs)),
            DataDir::open_existing(Some(&theirs)),
        ] {
            let err = result.unwrap_err();
            assert!(
                matches!(err, DataDirError::NotOwned { owner: 65534, .. }),
                "{err}"
            );
            assert_eq!(
                err.to_string(),
                format!(
                    "The data folder {} belongs to uid 65534, not to the account running Slate \
                     (uid {me}): run Slate as its owner, or pick another folder.",
                    theirs.display()
                )
            );
        }
        assert_eq!(
            fs::read_dir(&theirs).unwrap().count(),
            0,
            "nothing made in it"
        );
    }

    #[test]
    fn opening_an_existing_folder_never_creates_one() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("not/set/up");
        let err = DataDir::open_existing(Some(&missing)).unwrap_err();
        assert!(matches!(err, DataDirError::Missing(_)), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "The data folder {} does not exist, so Slate is not set up there: check \
                 --data-dir (or SLATE_DATA_DIR), or set Slate up with slatectl init.",
                missing.display()
            )
        );
        assert!(!tmp.path().join("not").exists(), "nothing created");
        // A path below a file does not exist either.
        let file = tmp.path().join("f");
        fs::write(&file, b"x").unwrap();
        let err = DataDir::open_existing(Some(&file.join("data"))).unwrap_err();
        assert!(matches!(err, DataDirError::Missing(_)), "{err}");
        assert!(matches!(
            DataDir::open_existing(Some(&file)).unwrap_err(),
            DataDirError::NotAFolder(_)
        ));
        // A folder Slate made is opened as it is.
        let made = DataDir::prepare(Some(&tmp.path().join("data"))).unwrap();
        let opened = DataDir::open_existing(Some(made.path())).unwrap();
        assert_eq!(opened.path(), made.path());
    }

    #[test]
    fn relative_paths_become_absolute() {
        let tmp = crate::test_util::private_tempdir();
        let dir = DataDir::prepare(Some(tmp.path())).unwrap();
        assert!(dir.path().is_absolute());
    }
}
