//! The facade over the core that the shell and `slatectl` talk to: it owns the data folder and the
//! database connection, and answers in the types of [`super::api`].

use std::sync::Mutex;

use super::api::{AppStatus, ErrorCode, IpcError, Screen};
use super::datadir::{DataDir, DataDirError};
use super::store::{Store, StoreError};

/// Why the kiosk cannot start or answer. Each message is one sentence.
#[derive(Debug, thiserror::Error)]
pub enum KioskError {
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl KioskError {
    /// The stable code this error carries across IPC.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::DataDir(_) | Self::Store(_) => ErrorCode::Storage,
        }
    }
}

impl From<KioskError> for IpcError {
    fn from(e: KioskError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// What `slatectl check` reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckReport {
    pub data_dir: String,
    pub schema_version: i64,
    /// Whether an administrator exists (otherwise the kiosk opens on first-run setup).
    pub set_up: bool,
}

/// The running kiosk's core.
#[derive(Debug)]
pub struct Kiosk {
    data_dir: DataDir,
    store: Mutex<Store>,
}

impl Kiosk {
    /// Prepares the data folder and opens (and checks) the database in it.
    pub fn open(data_dir: DataDir) -> Result<Self, KioskError> {
        let store = Store::open(&data_dir.database())?;
        Ok(Self {
            data_dir,
            store: Mutex::new(store),
        })
    }

    /// The data folder in use.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// What the UI should show now.
    pub fn status(&self) -> Result<AppStatus, KioskError> {
        let has_admin = self.store().has_admin()?;
        Ok(AppStatus {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            screen: if has_admin {
                Screen::SignIn
            } else {
                Screen::FirstRun
            },
        })
    }

    /// Re-checks the database (integrity, schema) and reports on the installation.
    pub fn check(&self) -> Result<CheckReport, KioskError> {
        let store = self.store();
        store.check_integrity()?;
        Ok(CheckReport {
            data_dir: self.data_dir.path().display().to_string(),
            schema_version: store.schema_version()?,
            set_up: store.has_admin()?,
        })
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave the connection half-written (SQLite rolls
        // back), so a poisoned lock is still safe to use.
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_data_folder_opens_on_first_run() {
        let tmp = tempfile::tempdir().unwrap();
        let kiosk = Kiosk::open(DataDir::prepare(Some(tmp.path())).unwrap()).unwrap();
        let status = kiosk.status().unwrap();
        assert_eq!(status.screen, Screen::FirstRun);
        assert_eq!(status.version, env!("CARGO_PKG_VERSION"));
    }
}
