//! My files: each session's own folder inside the data folder, created private, listed and
//! emptied one entry at a time by the person, and wiped whole at the end
//! ([`crate::wipe::SessionFiles`]).

use super::{Kiosk, KioskError};
use crate::api::SessionFile;
use crate::datadir::DataDirError;
use crate::phrase::Phrase;
use std::path::PathBuf;

impl Kiosk {
    /// The folder of a session's files ("My files").
    pub fn session_folder(&self, id: &str) -> PathBuf {
        self.data_dir.path().join("sessions").join(id)
    }

    /// Creates a session's folder, private (0700).
    pub fn create_session_folder(&self, id: &str) -> Result<PathBuf, KioskError> {
        use std::os::unix::fs::DirBuilderExt;
        let folder = self.session_folder(id);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&folder)
            .map_err(|e| {
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
        let mut out = Vec::new();
        let entries = std::fs::read_dir(&folder).map_err(|e| {
            KioskError::from(DataDirError::NotWritable {
                path: folder.clone(),
                reason: e.to_string(),
            })
        })?;
        for entry in entries.flatten() {
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

    /// Deletes one entry of a session's folder. The name must be an entry of that folder itself:
    /// no path, no "..".
    pub fn delete_session_file(&self, id: &str, name: &str) -> Result<(), KioskError> {
        let bad = || {
            KioskError::InvalidRequest(
                Phrase::new("There is no file called {name} in My files.")
                    .text("name", format!("{name:?}")),
            )
        };
        if name.is_empty()
            || name == "."
            || name == ".."
            || name.contains('/')
            || name.contains('\0')
        {
            return Err(bad());
        }
        let path = self.session_folder(id).join(name);
        let meta = path.symlink_metadata().map_err(|_| bad())?;
        let result = if meta.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        result.map_err(|e| {
            KioskError::InvalidRequest(
                Phrase::new("Cannot delete {name}: {why}.")
                    .text("name", name)
                    .text("why", e.to_string()),
            )
        })
    }
}
