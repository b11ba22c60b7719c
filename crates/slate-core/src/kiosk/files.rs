//! My files of each session: its folder inside the data folder (`sessions/<id>`), created
//! private, listed and emptied one entry at a time by the person (the rules are
//! [`crate::my_files`]'s), and wiped whole at the end ([`crate::wipe::SessionFiles`]).

use super::{Kiosk, KioskError};
use crate::api::SessionFile;
use crate::datadir::DataDirError;
use crate::my_files;
use crate::phrase::Phrase;
use std::path::PathBuf;

impl Kiosk {
    /// The folder of a session's files ("My files").
    pub fn session_folder(&self, id: &str) -> PathBuf {
        self.data_dir.path().join("sessions").join(id)
    }

    /// Creates a session's folder, private (0700).
    pub fn create_session_folder(&self, id: &str) -> Result<PathBuf, KioskError> {
        let folder = self.session_folder(id);
        my_files::create(&folder).map_err(|e| {
            KioskError::from(DataDirError::CannotCreate {
                path: folder.clone(),
                reason: e.to_string(),
            })
        })?;
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
