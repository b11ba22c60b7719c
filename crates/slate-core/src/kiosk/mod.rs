//! The facade over the core that the shell and `slatectl` talk to. It owns the data folder, the
//! database connection and the signed-in session, and decides who may sign in: throttling,
//! locking, first-run setup and guests. Answers come in the types of [`super::api`].

mod accounts;
mod audit;
mod error;
mod files;
mod sessions;
mod settings;
mod signin;
pub mod wipers;

pub use error::KioskError;
pub use settings::ChangeStamp;
use settings::PolicyState;
pub use signin::Identity;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::audit::AuditKey;
use super::clock::{Clock, SystemClock};
use super::datadir::DataDir;
use super::store::Store;

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
    clock: Arc<dyn Clock>,
    audit_key: AuditKey,
    /// Settings changed and end requests made through this instance so far (another process's
    /// show in SQLite's `data_version`); see [`Kiosk::change_stamp`].
    local_changes: std::sync::atomic::AtomicU64,
    /// Held for a whole sign-in attempt (hash included), so attempts cannot race the throttle.
    signin_gate: Mutex<()>,
    /// The policy file and what was last read from it; re-read when the file changes.
    policy: Mutex<PolicyState>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave SQLite half-written (it rolls back)
    // nor the session half-set (it is replaced whole), so a poisoned lock is still safe to use.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Kiosk {
    /// Opens (and checks) the database in the data folder, on the system clock.
    pub fn open(data_dir: DataDir) -> Result<Self, KioskError> {
        Self::open_with_clock(data_dir, Arc::new(SystemClock))
    }

    /// [`Kiosk::open`] with a chosen clock (tests use a fake one).
    pub fn open_with_clock(data_dir: DataDir, clock: Arc<dyn Clock>) -> Result<Self, KioskError> {
        let store = Store::open(&data_dir.database())?;
        let audit_key = AuditKey::load_or_create(data_dir.path())?;
        Ok(Self {
            data_dir,
            store: Mutex::new(store),
            clock,
            audit_key,
            local_changes: std::sync::atomic::AtomicU64::new(0),
            signin_gate: Mutex::new(()),
            policy: Mutex::new(PolicyState::default()),
        })
    }

    /// The data folder in use.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// The clock this kiosk runs on.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// Re-checks the database (integrity, schema) and reports on the installation.
    pub fn check(&self) -> Result<CheckReport, KioskError> {
        let store = lock(&self.store);
        store.check_integrity()?;
        Ok(CheckReport {
            data_dir: self.data_dir.path().display().to_string(),
            schema_version: store.schema_version()?,
            set_up: store.has_admin()?,
        })
    }
}

#[cfg(test)]
mod tests;
