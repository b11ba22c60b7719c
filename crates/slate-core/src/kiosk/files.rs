//! My files of each session: its folder (`sessions/<id>` inside the data folder, or in the
//! sessions' own folder when the screen runs as another account, [`SessionsPlace`]), created
//! private, listed and emptied one entry at a time by the person (the rules are
//! [`crate::my_files`]'s), and wiped whole at the end ([`crate::wipe::SessionFiles`]).

use super::{Kiosk, KioskError};
use crate::api::SessionFile;
use crate::datadir::DataDirError;
use crate::my_files;
use crate::phrase::Phrase;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Where the sessions' folders are made, and which account a live session's folder belongs to.
///
/// When the screen runs as the service's own account (trying Slate out, the tests) they are in
/// the data folder (`sessions/`). When the service runs as root and the screen as the kiosk
/// account, the data folder stays closed (0700) and the folders are in a folder of their own,
/// root's, which others may pass through but not list (0711): the live session's folder is the
/// kiosk account's (0700), so its browser can save downloads there; an ended session's folder
/// is taken back before it is wiped ([`crate::wipe::SessionFiles`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionsPlace {
    root: PathBuf,
    owner: Option<(u32, u32)>,
}

impl SessionsPlace {
    /// `sessions/` in the data folder, the folders the service's own.
    pub fn inside(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("sessions"),
            owner: None,
        }
    }

    /// The folder `root` (created 0711 if missing, set to 0711 if not), the live session's
    /// folder given to the account `uid`/`gid`. Refused when `root` is a link, not a folder, or
    /// belongs to an account other than the service's: the service writes there as root.
    pub fn for_account(root: &Path, uid: u32, gid: u32) -> Result<Self, DataDirError> {
        let cannot = |e: std::io::Error| DataDirError::CannotCreate {
            path: root.to_path_buf(),
            reason: e.to_string(),
        };
        match std::fs::symlink_metadata(root) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o711)
                    .create(root)
                    .map_err(cannot)?;
            }
            Err(e) => return Err(cannot(e)),
            Ok(meta) if !meta.is_dir() => {
                return Err(DataDirError::CannotCreate {
                    path: root.to_path_buf(),
                    reason: "it is a link or not a folder".into(),
                })
            }
            Ok(meta) if meta.uid() != rustix::process::geteuid().as_raw() => {
                return Err(DataDirError::CannotCreate {
                    path: root.to_path_buf(),
                    reason: format!("it belongs to another account (uid {})", meta.uid()),
                })
            }
            Ok(_) => {}
        }
        // Passable, not listable: a folder's name is all that reaches it.
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o711)).map_err(cannot)?;
        Ok(Self {
            root: root.to_path_buf(),
            owner: Some((uid, gid)),
        })
    }

    /// The folder all sessions' folders are in.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Kiosk {
    /// Makes the sessions' folders in `place` from now on (before the session manager starts).
    pub fn hand_sessions_to(&mut self, place: SessionsPlace) {
        self.sessions = place;
    }

    /// The folder all sessions' folders are in.
    pub fn sessions_root(&self) -> &Path {
        self.sessions.root()
    }

    /// The folder of a session's files ("My files").
    pub fn session_folder(&self, id: &str) -> PathBuf {
        self.sessions.root.join(id)
    }

    /// Creates a session's folder, private (0700), and gives it to the screen's account.
    pub fn create_session_folder(&self, id: &str) -> Result<PathBuf, KioskError> {
        let folder = self.session_folder(id);
        let cannot = |e: std::io::Error| {
            KioskError::from(DataDirError::CannotCreate {
                path: folder.clone(),
                reason: e.to_string(),
            })
        };
        my_files::create(&folder).map_err(cannot)?;
        if let Some((uid, gid)) = self.sessions.owner {
            // The root is root's and closed to others, so nobody can have put a link here.
            std::os::unix::fs::lchown(&folder, Some(uid), Some(gid)).map_err(cannot)?;
        }
        Ok(folder)
    }

    /// The entries of a session's folder ("My files"), by name.
    pub fn session_files(&self, id: &str) -> Result<Vec<SessionFile>, KioskError> {
        let folder = self.session_folder(id);
        my_files::list(&folder).map_err(|e| {
            KioskError::from(DataDirError::NotWritable {
                path: folder.clone(),
                reason: e.to_string(),
            })
        })
    }

    /// Deletes one entry of a session's folder, named by a plain name
    /// ([`my_files::is_plain_name`]).
    pub fn delete_session_file(&self, id: &str, name: &str) -> Result<(), KioskError> {
        my_files::delete(&self.session_folder(id), name).map_err(|e| {
            KioskError::InvalidRequest(match e {
                my_files::DeleteError::NoSuchEntry => {
                    Phrase::new("There is no file called {name} in My files.")
                        .text("name", format!("{name:?}"))
                }
                my_files::DeleteError::Failed(e) => Phrase::new("Cannot delete {name}: {why}.")
                    .text("name", name)
                    .text("why", e.to_string()),
            })
        })
    }
}
