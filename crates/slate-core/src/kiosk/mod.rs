//! The facade over the core that the shell and `slatectl` talk to. It owns the data folder, the
//! database connection and the signed-in session, and decides who may sign in: throttling,
//! locking, first-run setup and guests. Answers come in the types of [`super::api`].

mod accounts;
mod audit;
mod error;
mod files;
mod passes;
mod room;
mod rules;
mod sessions;
mod settings;
mod signin;
pub mod wipers;

pub use files::SessionsPlace;

pub use accounts::checked_new_account;
pub use error::KioskError;
pub use rules::Admission;
pub use sessions::{AcceptableUse, Opening};
pub use settings::ChangeStamp;
use settings::PolicyState;
pub use signin::{Identity, PassTicket};

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::audit::{AuditKey, KeyProblem};
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
    /// The audit chain's key, or why it cannot be used (the terminal then needs attention).
    audit_key: Mutex<Result<Arc<AuditKey>, KeyProblem>>,
    /// Settings changed and end requests made through this instance so far (another process's
    /// show in SQLite's `data_version`); see [`Kiosk::change_stamp`].
    local_changes: std::sync::atomic::AtomicU64,
    /// The settings in force as last read, and what they were read at (see
    /// [`Kiosk::settings`]).
    settings_cache: Mutex<Option<(settings::SettingsAt, crate::settings::Settings)>>,
    /// Held for a whole sign-in attempt (hash included), so attempts cannot race the throttle.
    signin_gate: Mutex<()>,
    /// How long the last few refusals took to decide, so each takes as long as the slowest.
    recent_refusals: Mutex<std::collections::VecDeque<std::time::Duration>>,
    /// The policy file and what was last read from it; re-read when the file changes.
    policy: Mutex<PolicyState>,
    /// Where the sessions' folders are made, and for whom ([`Kiosk::hand_sessions_to`]).
    sessions: files::SessionsPlace,
    /// Damage the check after opening found ([`Kiosk::check_database`]): the terminal needs
    /// attention until it is restored and restarted.
    damage: Mutex<Option<super::phrase::Phrase>>,
    /// The room the terminal is in, if any (the store holds it too, for what the room
    /// shares); reached here without the store's lock, for the room's throttle key.
    room: Option<Arc<crate::room::Room>>,
    /// What the room was last told of this terminal's state, and whether it heard it.
    room_state: Mutex<Option<(crate::room::desk::StateReport, bool)>>,
    /// A message staff sent to a session here (its id, the message), until the session
    /// manager takes it.
    staff_message: Mutex<Option<(String, crate::api::StaffMessage)>>,
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

    /// Opens the database in the data folder without checking it first, so that opening takes
    /// as long with a long audit log as with an empty one; the caller runs
    /// [`Kiosk::check_database`] once it is up (the session service, once the sign-in screen is
    /// up).
    pub fn open_check_later(data_dir: DataDir) -> Result<Self, KioskError> {
        let store = Store::open_unchecked(&data_dir.database())?;
        Self::with_store(data_dir, store, Arc::new(SystemClock))
    }

    /// [`Kiosk::open`] with a chosen clock (tests use a fake one).
    pub fn open_with_clock(data_dir: DataDir, clock: Arc<dyn Clock>) -> Result<Self, KioskError> {
        let store = Store::open(&data_dir.database())?;
        Self::with_store(data_dir, store, clock)
    }

    fn with_store(
        data_dir: DataDir,
        mut store: Store,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, KioskError> {
        // A terminal in a room (`slatectl fleet join`) shares the room's accounts; the room
        // is not reached yet, so a room that is away does not stop the terminal starting.
        let room = crate::room::Membership::load(data_dir.path())?
            .map(|m| Arc::new(crate::room::Room::new(m)));
        if let Some(room) = &room {
            store.join_room(Arc::clone(room));
        }
        // A new key only for an empty log: a lost key is a problem to show, not to paper over.
        let audit_key = AuditKey::load(data_dir.path(), store.audit_is_empty()?).map(Arc::new);
        if let Err(problem) = &audit_key {
            tracing::error!("{problem}");
        }
        Ok(Self {
            store: Mutex::new(store),
            clock,
            audit_key: Mutex::new(audit_key),
            local_changes: std::sync::atomic::AtomicU64::new(0),
            settings_cache: Mutex::new(None),
            signin_gate: Mutex::new(()),
            recent_refusals: Mutex::new(std::collections::VecDeque::with_capacity(
                signin::RECENT_REFUSALS,
            )),
            policy: Mutex::new(PolicyState::default()),
            sessions: files::SessionsPlace::inside(data_dir.path()),
            damage: Mutex::new(None),
            room,
            room_state: Mutex::new(None),
            staff_message: Mutex::new(None),
            data_dir,
        })
    }

    /// Checks the database file (`PRAGMA quick_check`) on a read-only connection beside the one
    /// in use. Damage puts the terminal on "needs attention" ([`Kiosk::needs_attention`]) from
    /// then on: no session starts on a damaged database. Reads the whole file: run it off the
    /// path of anything a person waits for.
    pub fn check_database(&self) -> Result<(), KioskError> {
        match super::store::Store::check_file(&self.data_dir.database()) {
            Ok(()) => Ok(()),
            Err(e) => {
                let e = KioskError::from(e);
                tracing::error!("the database check failed: {e}");
                *lock(&self.damage) = Some(e.phrase());
                Err(e)
            }
        }
    }

    /// The audit key as last loaded, or why it cannot be used.
    pub(super) fn audit_key(&self) -> Result<Arc<AuditKey>, KeyProblem> {
        lock(&self.audit_key).clone()
    }

    /// Loads the audit key again if it could not be used, so a key restored from a backup is
    /// picked up without a restart (a missing one is still made only for an empty log). The
    /// store and the key are never locked together here: `record` locks the key inside the store.
    pub(super) fn reload_audit_key(&self) -> Result<(), KioskError> {
        if lock(&self.audit_key).is_ok() {
            return Ok(());
        }
        let log_is_empty = lock(&self.store).audit_is_empty()?;
        let mut key = lock(&self.audit_key);
        if key.is_err() {
            *key = AuditKey::load(self.data_dir.path(), log_is_empty).map(Arc::new);
        }
        Ok(())
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
