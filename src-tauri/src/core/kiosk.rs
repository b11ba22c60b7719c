//! The facade over the core that the shell and `slatectl` talk to. It owns the data folder, the
//! database connection and the signed-in session, and decides who may sign in: throttling,
//! locking, first-run setup and guests. Answers come in the types of [`super::api`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use serde_json::json;
use std::time::Duration;

use super::accounts::{Account, AccountSummary, Role};
use super::api::{EndReason, ErrorCode, IpcError, Screen, SessionFile, SessionKind};
use super::audit::{
    parse_anchor, AuditError, AuditEvent, AuditFilter, AuditKey, AuditRecord, Stamp, VerifyReport,
};
use super::auth::{
    backoff, describe_wait, hash_password, needs_rehash, verify_dummy, verify_password,
    CredentialError, Password, Username, PASSWORD_MAX,
};
use super::clock::from_db;
use super::clock::{Clock, SystemClock};
use super::datadir::{DataDir, DataDirError};
use super::phrase::Phrase;
use super::policy::{file_stamp, Policy, PolicySource};
use super::records::{wall_duration_ms, SessionRecord};
use super::session::ActiveSession;
use super::settings::{Effective, SettingError, Settings};
use super::store::{Store, StoreError};
use super::wipe::{wipe_all, SessionFiles, WipeReceipt, WipeTarget, Wiper};

/// Why the kiosk refused or failed. Each message is one sentence for a person.
#[derive(Debug, thiserror::Error)]
pub enum KioskError {
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Setting(#[from] SettingError),
    #[error(transparent)]
    Credential(#[from] CredentialError),
    #[error("Wrong username or password.")]
    BadCredentials,
    #[error("Too many attempts. Try again in {}.", describe_wait(*.0))]
    Throttled(Duration),
    #[error("This account is locked after too many failed sign-ins. Ask a member of staff to unlock it.")]
    Locked,
    #[error("This account is disabled. Ask a member of staff.")]
    Disabled,
    #[error("Guest sign-in is not available on this kiosk.")]
    GuestsNotAllowed,
    #[error("This kiosk is already set up; sign in instead.")]
    AlreadySetUp,
    #[error("{}", self.phrase())]
    NoSuchUser(String),
    #[error("{}", self.phrase())]
    UserExists(String),
    #[error("{}", self.phrase())]
    LastAdmin(String),
    #[error("Someone is already signed in on this kiosk.")]
    SessionActive,
    #[error("Nobody is signed in.")]
    NoSession,
    #[error("Only an administrator signed in at this terminal can do that.")]
    NotAdministrator,
    #[error("Slate's session manager has stopped; restart the kiosk.")]
    Stopped,
    #[error("{}", self.phrase())]
    NeedsAttention(Phrase),
    /// A request the kiosk cannot carry out as asked (a preference or file that does not exist).
    #[error("{0}")]
    InvalidRequest(Phrase),
    #[error(transparent)]
    Audit(#[from] AuditError),
}

impl KioskError {
    /// The sentence with its pieces, for the UI to say in the person's language. (A variant
    /// whose message is `self.phrase()` needs its own arm here: the last arm asks `Display`.)
    pub fn phrase(&self) -> Phrase {
        match self {
            Self::Setting(e) => e.phrase(),
            Self::Throttled(wait) => Phrase::new("Too many attempts. Try again in {wait}.")
                .seconds("wait", wait_secs(*wait).into()),
            Self::NoSuchUser(user) => {
                Phrase::new("There is no user called {user}.").text("user", user)
            }
            Self::UserExists(user) => {
                Phrase::new("There is already a user called {user}.").text("user", user)
            }
            Self::LastAdmin(user) => Phrase::new(
                "{user} is the last administrator who can sign in; add or enable another administrator first.",
            )
            .text("user", user),
            Self::NeedsAttention(why) => {
                Phrase::new("This terminal needs attention: {why} Ask a member of staff.")
                    .phrase("why", why.clone())
            }
            Self::InvalidRequest(p) => p.clone(),
            other => Phrase::plain(other.to_string()),
        }
    }

    /// The stable code this error carries across IPC.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::DataDir(_) | Self::Store(_) | Self::Audit(_) => ErrorCode::Storage,
            Self::Setting(_) | Self::Credential(_) | Self::InvalidRequest(_) => {
                ErrorCode::InvalidInput
            }
            Self::BadCredentials => ErrorCode::BadCredentials,
            Self::Throttled(_) => ErrorCode::Throttled,
            Self::Locked => ErrorCode::Locked,
            Self::Disabled => ErrorCode::Disabled,
            Self::GuestsNotAllowed => ErrorCode::GuestsNotAllowed,
            Self::AlreadySetUp => ErrorCode::AlreadySetUp,
            Self::NoSuchUser(_) => ErrorCode::NotFound,
            Self::UserExists(_) => ErrorCode::Conflict,
            Self::LastAdmin(_) | Self::NotAdministrator => ErrorCode::Refused,
            Self::SessionActive | Self::NoSession => ErrorCode::SessionState,
            Self::Stopped => ErrorCode::Internal,
            Self::NeedsAttention(_) => ErrorCode::NeedsAttention,
        }
    }
}

/// A wait in whole seconds, rounded up.
fn wait_secs(wait: Duration) -> u32 {
    u32::try_from(wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).unwrap_or(u32::MAX)
}

impl From<KioskError> for IpcError {
    fn from(e: KioskError) -> Self {
        let retry_after_secs = match &e {
            KioskError::Throttled(wait) => Some(wait_secs(*wait)),
            _ => None,
        };
        Self {
            code: e.code(),
            message: e.to_string(),
            phrase: e.phrase(),
            retry_after_secs,
        }
    }
}

/// Who may start a session: what [`Kiosk::authenticate`] and [`Kiosk::guest`] hand to the
/// session manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub display_name: String,
    pub kind: SessionKind,
    /// The account's username; `None` for a guest.
    pub username: Option<String>,
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
    clock: Arc<dyn Clock>,
    audit_key: AuditKey,
    /// Who changes things through this instance, for the audit ("kiosk", "slatectl (uid 0)").
    actor: Mutex<String>,
    /// Settings changed and end requests made through this instance so far (another process's
    /// show in SQLite's `data_version`); see [`Kiosk::change_stamp`].
    local_changes: std::sync::atomic::AtomicU64,
    /// Held for a whole sign-in attempt (hash included), so attempts cannot race the throttle.
    signin_gate: Mutex<()>,
    /// The policy file and what was last read from it; re-read when the file changes.
    policy: Mutex<PolicyState>,
}

/// The policy in force, where it comes from, and the version of the file it was read from.
#[derive(Debug, Default)]
struct PolicyState {
    source: Option<PolicySource>,
    /// Whether `source` has been read; `stamp` is the file's version then (`None`: absent).
    read: bool,
    stamp: Option<(std::time::SystemTime, u64, u64)>,
    current: Arc<Policy>,
}

/// See [`Kiosk::change_stamp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeStamp {
    data: i64,
    local: u64,
    policy: Option<(std::time::SystemTime, u64, u64)>,
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
            actor: Mutex::new("kiosk".to_owned()),
            local_changes: std::sync::atomic::AtomicU64::new(0),
            signin_gate: Mutex::new(()),
            policy: Mutex::new(PolicyState::default()),
        })
    }

    /// Reads the policy file from `source` (the top settings layer) and keeps following it:
    /// changes to the file apply within the next settings read. Problems are audited.
    pub fn use_policy(&self, source: PolicySource) -> Result<(), KioskError> {
        {
            let mut state = lock(&self.policy);
            state.source = Some(source);
            state.read = false;
        }
        self.policy().map(|_| ())
    }

    /// The policy in force, re-read first if its file changed (one `stat` when it did not).
    /// The policy lock is never held while the store is locked (`record` takes them the other
    /// way round).
    pub fn policy(&self) -> Result<Arc<Policy>, KioskError> {
        let (source, stamp, previous) = {
            let state = lock(&self.policy);
            let Some(source) = state.source.clone() else {
                return Ok(Arc::clone(&state.current));
            };
            // Unchanged (or still absent) since the last read: nothing to do.
            let stamp = file_stamp(&source.path);
            if state.read && stamp == state.stamp {
                return Ok(Arc::clone(&state.current));
            }
            (source, stamp, Arc::clone(&state.current))
        };
        // (Should the file change between the stat and the read, the next call reads it again.)
        let fresh = Policy::load(&source);
        if *previous != fresh {
            self.note_policy(&previous, &fresh)?;
        }
        let mut state = lock(&self.policy);
        state.stamp = stamp;
        state.read = true;
        if *state.current != fresh {
            state.current = Arc::new(fresh);
        }
        Ok(Arc::clone(&state.current))
    }

    /// Audits what a newly read policy changes, once per version of the file (the last one
    /// seen is kept in the database, so a restart does not repeat it): each problem as a
    /// `policy_problem` record, each value it changes as `setting_changed` by the policy file.
    fn note_policy(&self, before: &Policy, after: &Policy) -> Result<(), KioskError> {
        for problem in &after.problems {
            tracing::warn!("{problem}");
        }
        let store = lock(&self.store);
        if store.meta("policy_digest")?.as_deref() == Some(after.digest.as_str()) {
            return Ok(());
        }
        let previous: super::settings::PolicyLayer = store
            .meta("policy_values")?
            .and_then(|v| serde_json::from_str(&v).ok())
            .map_or_else(
                || before.layer.clone(),
                |values| super::settings::PolicyLayer {
                    file: before.layer.file.clone(),
                    values,
                },
            );
        store.atomically(|store| {
            let old = store.effective_settings(&previous)?;
            let new = store.effective_settings(&after.layer)?;
            let by = format!(
                "policy file {}",
                after
                    .layer
                    .file
                    .as_deref()
                    .or(previous.file.as_deref())
                    .unwrap_or("")
            );
            for (o, n) in old.iter().zip(&new) {
                if o.value != n.value {
                    self.record(
                        store,
                        AuditEvent::new(
                            "setting_changed",
                            json!({ "key": n.def.key, "old": o.value, "new": n.value, "by": by }),
                        ),
                    )?;
                }
            }
            for problem in &after.problems {
                self.record(
                    store,
                    AuditEvent::new(
                        "policy_problem",
                        json!({ "file": after.layer.file, "problem": problem.to_string() }),
                    ),
                )?;
            }
            store.set_meta("policy_digest", &after.digest)?;
            store.set_meta(
                "policy_values",
                &serde_json::to_string(&after.layer.values).unwrap_or_default(),
            )?;
            Ok::<(), StoreError>(())
        })?;
        Ok(())
    }

    /// Names who acts through this instance in the audit records of changes it makes.
    /// (The session manager names the administrator signed in at the terminal while their
    /// session lasts.)
    pub fn set_actor(&self, actor: impl Into<String>) {
        *lock(&self.actor) = actor.into();
    }

    fn actor(&self) -> String {
        lock(&self.actor).clone()
    }

    /// When and where, for an audit record.
    fn stamp(&self, store: &Store) -> Stamp {
        Stamp {
            at: self.clock.now_utc(),
            offset: self.clock.local_offset(),
            terminal: self.terminal_name(store),
        }
    }

    /// This terminal's name: the `terminal_name` setting (policy, then administrator), else the
    /// host name. Uses the policy as last read (never re-reads it: the store is locked here).
    fn terminal_name(&self, store: &Store) -> String {
        let policy = Arc::clone(&lock(&self.policy).current);
        policy
            .layer
            .values
            .get("terminal_name")
            .cloned()
            .or_else(|| store.setting("terminal_name").ok().flatten())
            .map(|t| t.trim().to_owned())
            .filter(|t| {
                !t.is_empty() && !t.chars().any(char::is_control) && t.chars().count() <= 64
            })
            .unwrap_or_else(host_name)
    }

    /// Appends an audit record inside the caller's transaction.
    fn record(&self, store: &Store, e: AuditEvent) -> Result<(), StoreError> {
        store
            .audit_append(&self.audit_key, &self.stamp(store), &e)
            .map(|_| ())
    }

    /// Appends an audit record on its own.
    fn record_now(&self, e: AuditEvent) -> Result<(), KioskError> {
        let store = lock(&self.store);
        Ok(self.record(&store, e)?)
    }

    /// Removes audit records older than `audit_retention_days` (nothing when it is 0, "keep
    /// forever"); the `audit_pruned` record keeps the chain verifiable. The rows of sessions
    /// that ended (wiped) before then go too: their audit records are the history that is kept
    /// for that long. Returns how many audit records and session rows went.
    pub fn prune_audit(&self) -> Result<(u64, u64), KioskError> {
        let Some(days) = self.settings()?.audit_retention_days else {
            return Ok((0, 0));
        };
        let store = lock(&self.store);
        let stamp = self.stamp(&store);
        let before = stamp.at - chrono::Duration::days(i64::from(days));
        let records = store.audit_prune(&self.audit_key, &stamp, before)?;
        let sessions = store.prune_sessions(&super::clock::to_db(before))?;
        Ok((records, sessions))
    }

    /// Verifies the audit chain (optionally against an anchor `SEQ:MAC`).
    pub fn audit_verify(&self, anchor: Option<&str>) -> Result<VerifyReport, KioskError> {
        let anchor = anchor.map(parse_anchor).transpose()?;
        Ok(lock(&self.store).audit_verify(&self.audit_key, anchor.as_ref())?)
    }

    /// Audit records matching a filter, newest first.
    pub fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, KioskError> {
        Ok(lock(&self.store).audit_list(filter)?)
    }

    /// Every audit record, oldest first.
    pub fn audit_all(&self, each: impl FnMut(AuditRecord)) -> Result<u64, KioskError> {
        Ok(lock(&self.store).audit_all(each)?)
    }

    /// For each username with sessions: the last sign-in and the last sign-out.
    pub fn last_session_times(&self) -> Result<Vec<super::records::LastSessionTimes>, KioskError> {
        Ok(lock(&self.store).last_session_times()?)
    }

    /// This terminal's name as the audit records it.
    pub fn terminal(&self) -> String {
        let store = lock(&self.store);
        self.terminal_name(&store)
    }

    /// The data folder in use.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// The clock this kiosk runs on.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// The settings in force: defaults < administrator values < policy file.
    pub fn settings(&self) -> Result<Settings, KioskError> {
        let policy = self.policy()?;
        Ok(lock(&self.store).settings(&policy.layer)?)
    }

    /// The screen when nobody is signed in: first-run setup until an administrator exists,
    /// then sign-in.
    pub fn signed_out_screen(&self) -> Result<Screen, KioskError> {
        if let Some(why) = self.needs_attention()? {
            return Ok(Screen::needs_attention(why));
        }
        let guests_allowed = self.settings()?.guests_allowed;
        let store = lock(&self.store);
        Ok(if store.has_admin()? {
            Screen::SignIn { guests_allowed }
        } else {
            Screen::FirstRun
        })
    }

    /// Commits a session as open (before the person can use it).
    pub fn record_session_open(&self, s: &ActiveSession) -> Result<(), KioskError> {
        lock(&self.store).atomically(|store| {
            store.record_session_open(
                &s.id,
                s.username.as_deref(),
                &s.display_name,
                s.kind,
                s.started_at,
                self.clock.local_offset(),
            )?;
            self.record(
                store,
                AuditEvent::new("sign_in", json!({ "kind": s.kind }))
                    .user(s.username.as_deref())
                    .session(&s.id),
            )
        })?;
        Ok(())
    }

    /// Marks a session ended and writes its `sign_out` record (and `wipe_failed` if the wipe
    /// was not complete) in one transaction: neither can exist without the other.
    fn finish_session(
        &self,
        store: &Store,
        id: &str,
        username: Option<&str>,
        reason: EndReason,
        duration_ms: Option<i64>,
        receipt: &WipeReceipt,
    ) -> Result<(), StoreError> {
        store.atomically(|store| {
            store.record_session_end(id, reason, self.clock.now_utc(), duration_ms, receipt)?;
            let totals = receipt.totals();
            self.record(
                store,
                AuditEvent::new(
                    "sign_out",
                    json!({
                        "reason": reason,
                        "erased": receipt.complete(),
                        "wiped_items": totals.items,
                        "wiped_bytes": totals.bytes,
                        "surfaces": receipt.surfaces.len(),
                    }),
                )
                .user(username)
                .session(id)
                .duration_ms(duration_ms),
            )?;
            if let Some(why) = receipt.failure_sentence() {
                self.record(
                    store,
                    AuditEvent::new("wipe_failed", json!({ "why": why.to_string() })).session(id),
                )?;
            }
            Ok(())
        })
    }

    /// Records the end of a session with its wipe receipt, after the wipe.
    pub fn record_session_end(
        &self,
        s: &ActiveSession,
        reason: EndReason,
        duration: Duration,
        receipt: &WipeReceipt,
    ) -> Result<(), KioskError> {
        let ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        let store = lock(&self.store);
        self.finish_session(
            &store,
            &s.id,
            s.username.as_deref(),
            reason,
            Some(ms),
            receipt,
        )?;
        Ok(())
    }

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

    /// What to wipe for a session.
    pub fn wipe_target(&self, id: &str, started_at: DateTime<Utc>) -> WipeTarget {
        WipeTarget {
            session_id: id.to_owned(),
            folder: self.session_folder(id),
            started_at,
        }
    }

    /// Why the terminal must not be used, if a wipe failed and has not yet succeeded on retry.
    pub fn needs_attention(&self) -> Result<Option<Phrase>, KioskError> {
        let store = lock(&self.store);
        let failed = store.failed_wipes()?;
        let Some((id, _)) = failed.last() else {
            return Ok(None);
        };
        Ok(Some(
            store
                .wipe_receipt(id)?
                .and_then(|r| r.failure_sentence())
                .unwrap_or_else(|| Phrase::new("The last session could not be fully erased.")),
        ))
    }

    /// The receipt recorded with a session's ending.
    pub fn wipe_receipt(&self, id: &str) -> Result<Option<WipeReceipt>, KioskError> {
        Ok(lock(&self.store).wipe_receipt(id)?)
    }

    /// Retries the wipes that failed. Returns whether the terminal is clear now.
    pub fn retry_failed_wipes(&self, wipers: &[Arc<dyn Wiper>]) -> Result<bool, KioskError> {
        let failed = lock(&self.store).failed_wipes()?;
        for (id, started) in failed {
            let target = self.wipe_target(&id, from_db(&started).unwrap_or_else(Utc::now));
            let receipt = wipe_all(wipers, &target);
            lock(&self.store).record_rewipe(&id, &receipt)?;
            if receipt.complete() {
                tracing::info!(session = %id, "the retried wipe succeeded");
            } else {
                tracing::error!(session = %id, "the retried wipe failed again");
            }
        }
        Ok(self.needs_attention()?.is_none())
    }

    /// Stores a preference of the live session (wiped with the session). Keys and values are
    /// checked: `text_size` (normal, large), `contrast` (normal, high), `language` (en, es).
    pub fn set_session_value(&self, id: &str, key: &str, value: &str) -> Result<(), KioskError> {
        let allowed: &[&str] = match key {
            "text_size" => &["normal", "large"],
            "contrast" => &["normal", "high"],
            "language" => &["en", "es"],
            _ => {
                return Err(KioskError::InvalidRequest(
                    Phrase::new("There is no preference called {key}.")
                        .text("key", format!("{key:?}")),
                ))
            }
        };
        if !allowed.contains(&value) {
            return Err(KioskError::InvalidRequest(
                Phrase::new("{key} can be {choices}, not {value}.")
                    .text("key", key)
                    .text("choices", allowed.join(" or "))
                    .text("value", format!("{value:?}")),
            ));
        }
        Ok(lock(&self.store).set_session_value(id, key, value)?)
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

    /// The preferences stored for a session.
    pub fn session_values(&self, id: &str) -> Result<Vec<(String, String)>, KioskError> {
        Ok(lock(&self.store).session_values(id)?)
    }

    /// Deletes a session's preferences and checkpoints the WAL: (values, bytes) removed.
    pub fn wipe_session_values(&self, id: &str) -> Result<(u64, u64), KioskError> {
        Ok(lock(&self.store).wipe_session_values(id)?)
    }

    /// Ends, as `Recovered`, every session a previous run left open (crash, power loss,
    /// SIGKILL), wiping it first; retries wipes that failed before; and removes session folders
    /// that belong to no open session. Runs at start, before anyone can sign in. Returns how many
    /// sessions were recovered.
    pub fn recover_open_sessions(&self, wipers: &[Arc<dyn Wiper>]) -> Result<usize, KioskError> {
        let open = lock(&self.store).open_sessions()?;
        for s in &open {
            let started = from_db(&s.started_at).unwrap_or_else(Utc::now);
            let receipt = wipe_all(wipers, &self.wipe_target(&s.id, started));
            let now = self.clock.now_utc();
            let duration = wall_duration_ms(&s.started_at, now);
            let store = lock(&self.store);
            self.finish_session(
                &store,
                &s.id,
                s.username.as_deref(),
                EndReason::Recovered,
                duration,
                &receipt,
            )?;
            tracing::warn!(session = %s.id, wiped = receipt.complete(), "ended a session left open by the previous run");
        }
        self.retry_failed_wipes(wipers)?;
        // A folder with no session row: a crash between creating it and recording the session.
        if let Ok(entries) = std::fs::read_dir(self.data_dir.path().join("sessions")) {
            for entry in entries.flatten() {
                let id = entry.file_name().to_string_lossy().into_owned();
                let target = self.wipe_target(&id, Utc::now());
                let _ = SessionFiles.wipe(&target);
            }
        }
        Ok(open.len())
    }

    /// Sessions open now (normally none, or the one in progress).
    pub fn open_sessions(&self) -> Result<Vec<SessionRecord>, KioskError> {
        Ok(lock(&self.store).open_sessions()?)
    }

    /// The most recent sessions, newest first.
    pub fn recent_sessions(&self, limit: u32) -> Result<Vec<SessionRecord>, KioskError> {
        Ok(lock(&self.store).recent_sessions(limit)?)
    }

    /// The session that ended last (with its wipe result), if any has. (At most one session is
    /// open, so it is one of the two newest.)
    pub fn last_ended_session(&self) -> Result<Option<SessionRecord>, KioskError> {
        Ok(self
            .recent_sessions(2)?
            .into_iter()
            .find(|s| s.ended_at.is_some()))
    }

    /// The newest audit record (unverified), if any.
    pub fn audit_head(&self) -> Result<Option<AuditRecord>, KioskError> {
        Ok(self
            .audit_list(&AuditFilter {
                limit: 1,
                ..AuditFilter::default()
            })?
            .into_iter()
            .next())
    }

    /// One session's record.
    pub fn session_record(&self, id: &str) -> Result<Option<SessionRecord>, KioskError> {
        Ok(lock(&self.store).session_record(id)?)
    }

    /// Asks the running kiosk to end the open sessions (all, or those of one user); it acts
    /// within 2 s. Returns how many were asked.
    pub fn request_end(&self, username: Option<&str>) -> Result<usize, KioskError> {
        let key = username
            .map(|u| Username::parse(u).map(|n| n.key().to_owned()))
            .transpose()
            .map_err(|_| KioskError::NoSuchUser(username.unwrap_or_default().trim().to_owned()))?;
        self.local_changes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let store = lock(&self.store);
        let mut asked = 0;
        for s in store.open_sessions()? {
            let matches = match (&key, &s.username) {
                (None, _) => true,
                (Some(k), Some(u)) => Username::parse(u).is_ok_and(|n| n.key() == k),
                (Some(_), None) => false,
            };
            if matches
                && store.atomically(|store| {
                    let asked = store.request_session_end(&s.id)?;
                    if asked {
                        self.record(
                            store,
                            AuditEvent::new(
                                "session_ended_by_admin",
                                json!({ "by": self.actor() }),
                            )
                            .user(s.username.as_deref())
                            .session(&s.id),
                        )?;
                    }
                    Ok::<bool, StoreError>(asked)
                })?
            {
                asked += 1;
            }
        }
        Ok(asked)
    }

    /// Whether an administrator asked to end this session.
    pub fn end_requested(&self, id: &str) -> Result<bool, KioskError> {
        Ok(lock(&self.store).session_end_requested(id)?)
    }

    /// A value that changes whenever the settings in force or an end request may have changed:
    /// a commit by another process (SQLite's `data_version`), a setting changed through this
    /// instance, or a new version of the policy file. The live session polls it every second,
    /// and re-reads settings and end requests only when it moved (`None`: cannot tell, read).
    pub fn change_stamp(&self) -> Option<ChangeStamp> {
        let data = lock(&self.store).data_version().ok()?;
        let policy = lock(&self.policy)
            .source
            .as_ref()
            .and_then(|s| crate::core::policy::file_stamp(&s.path));
        Some(ChangeStamp {
            data,
            local: self.local_changes.load(std::sync::atomic::Ordering::SeqCst),
            policy,
        })
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

    /// First-run setup: creates the first administrator. Refused once any administrator exists,
    /// so the public can never use this to make themselves one.
    pub fn create_first_admin(
        &self,
        username: &str,
        display_name: &str,
        password: &Password,
    ) -> Result<AccountSummary, KioskError> {
        let (username, display_name) = checked_new_account(username, display_name, password)?;
        if lock(&self.store).has_admin()? {
            return Err(KioskError::AlreadySetUp);
        }
        let hash = hash_password(password);
        let now = self.clock.now_utc();
        let store = lock(&self.store);
        let created = store.atomically(|store| {
            let created = store.create_first_admin(&username, &display_name, &hash, now)?;
            if created.is_some() {
                self.user_event(
                    store,
                    "user_created",
                    username.as_str(),
                    json!({ "role": "admin", "first_run": true }),
                )?;
            }
            Ok::<_, StoreError>(created)
        })?;
        created
            .map(AccountSummary::from)
            .ok_or(KioskError::AlreadySetUp)
    }

    /// Adds an account (administrators, from `slatectl`).
    pub fn add_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        password: &Password,
    ) -> Result<AccountSummary, KioskError> {
        let (username, display_name) = checked_new_account(username, display_name, password)?;
        let hash = hash_password(password);
        let now = self.clock.now_utc();
        let store = lock(&self.store);
        store
            .atomically(|store| {
                let created = store.create_account(&username, &display_name, role, &hash, now)?;
                if created.is_some() {
                    self.user_event(
                        store,
                        "user_created",
                        username.as_str(),
                        json!({ "role": role }),
                    )?;
                }
                Ok::<_, StoreError>(created)
            })?
            .map(AccountSummary::from)
            .ok_or_else(|| KioskError::UserExists(username.to_string()))
    }

    /// Every account.
    pub fn list_users(&self) -> Result<Vec<AccountSummary>, KioskError> {
        Ok(lock(&self.store).list_accounts()?)
    }

    /// Removes an account. The last administrator who can sign in cannot be removed.
    pub fn remove_user(&self, username: &str) -> Result<(), KioskError> {
        let (username, account) = self.existing(username)?;
        let store = lock(&self.store);
        if account.role == Role::Admin && account.enabled && store.count_enabled_admins()? <= 1 {
            return Err(KioskError::LastAdmin(account.username));
        }
        store.atomically(|store| {
            store.remove_account(&username)?;
            self.user_event(store, "user_removed", username.as_str(), json!({}))
        })?;
        drop(store);
        self.request_end(Some(username.as_str()))?;
        Ok(())
    }

    /// Sets a new password (checked like any new password).
    pub fn set_password(&self, username: &str, password: &Password) -> Result<(), KioskError> {
        let (username, _) = self.existing(username)?;
        password.check_new(&username)?;
        let hash = hash_password(password);
        lock(&self.store).atomically(|store| {
            store.set_password_hash(&username, &hash, self.clock.now_utc())?;
            self.user_event(store, "password_changed", username.as_str(), json!({}))
        })?;
        // A password change ends that user's live session at once.
        self.request_end(Some(username.as_str()))?;
        Ok(())
    }

    /// Enables or disables an account. The last administrator who can sign in cannot be disabled.
    pub fn set_user_enabled(&self, username: &str, enabled: bool) -> Result<(), KioskError> {
        let (username, account) = self.existing(username)?;
        let store = lock(&self.store);
        if !enabled
            && account.role == Role::Admin
            && account.enabled
            && store.count_enabled_admins()? <= 1
        {
            return Err(KioskError::LastAdmin(account.username));
        }
        store.atomically(|store| {
            store.set_enabled(&username, enabled)?;
            let event = if enabled {
                "user_enabled"
            } else {
                "user_disabled"
            };
            self.user_event(store, event, username.as_str(), json!({}))
        })?;
        drop(store);
        if !enabled {
            self.request_end(Some(username.as_str()))?;
        }
        Ok(())
    }

    /// Unlocks an account and forgets its failed sign-ins.
    pub fn unlock_user(&self, username: &str) -> Result<(), KioskError> {
        let (username, _) = self.existing(username)?;
        let store = lock(&self.store);
        store.atomically(|store| {
            store.set_locked(&username, false)?;
            let digest = store.throttle_digest(username.key())?;
            store.throttle_clear(&digest)?;
            self.user_event(store, "user_unlocked", username.as_str(), json!({}))
        })?;
        Ok(())
    }

    /// Stores an administrator setting (refused for a key the policy file sets).
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(String, String), KioskError> {
        self.change_setting(key, Some(value))
    }

    /// Removes an administrator setting, so the default applies (refused for a policy key).
    pub fn unset_setting(&self, key: &str) -> Result<(String, String), KioskError> {
        self.change_setting(key, None)
    }

    fn change_setting(
        &self,
        key: &str,
        value: Option<&str>,
    ) -> Result<(String, String), KioskError> {
        let policy = self.policy()?;
        self.local_changes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let store = lock(&self.store);
        Ok(store.atomically(|store| {
            let (old, new) = store.set_setting(key, value, self.clock.now_utc(), &policy.layer)?;
            self.record(
                store,
                AuditEvent::new(
                    "setting_changed",
                    json!({ "key": key, "old": old, "new": new, "by": self.actor() }),
                ),
            )
            .map_err(SettingError::from)?;
            Ok::<_, SettingError>((old, new))
        })?)
    }

    /// An administrator's change to an account, with who made it.
    fn user_event(
        &self,
        store: &Store,
        event: &'static str,
        username: &str,
        mut details: serde_json::Value,
    ) -> Result<(), StoreError> {
        details["by"] = json!(self.actor());
        self.record(store, AuditEvent::new(event, details).user(Some(username)))
    }

    /// Each setting's value in force and the layer that set it.
    pub fn settings_in_force(&self) -> Result<Vec<Effective>, KioskError> {
        let policy = self.policy()?;
        Ok(lock(&self.store).effective_settings(&policy.layer)?)
    }

    fn existing(&self, username: &str) -> Result<(Username, Account), KioskError> {
        let name = Username::parse(username)
            .map_err(|_| KioskError::NoSuchUser(username.trim().to_owned()))?;
        let account = lock(&self.store)
            .find_account(&name)?
            .ok_or_else(|| KioskError::NoSuchUser(name.to_string()))?;
        Ok((name, account))
    }

    /// Checks a person's credentials: who they are, or why not.
    ///
    /// A wrong username and a wrong password give the same error and take about the same time
    /// (an unknown name is checked against a dummy hash). Throttling applies per name whether or
    /// not the account exists, and a throttled attempt is not checked at all. Disabled and locked
    /// accounts say so only after a correct password.
    pub fn authenticate(
        &self,
        username: &str,
        password: &Password,
    ) -> Result<Identity, KioskError> {
        let _gate = lock(&self.signin_gate);
        let now = self.clock.now_utc();
        let parsed = Username::parse(username).ok();
        let name_key = parsed
            .as_ref()
            .map_or_else(|| username.trim().to_lowercase(), |u| u.key().to_owned());
        let settings = self.settings()?;
        let (digest, account, previous) = {
            let store = lock(&self.store);
            let digest = store.throttle_digest(&name_key)?;
            let account = match &parsed {
                Some(u) => store.find_account(u)?,
                None => None,
            };
            let previous = store.throttle_state(&digest)?;
            (digest, account, previous)
        };
        if let Some((failures, last)) = previous {
            let wait = backoff(failures, settings.signin_backoff_cap);
            // A wall clock set back must not shorten the wait: count from now in that case.
            let since = (now - last).to_std().unwrap_or(Duration::ZERO);
            if let Some(left) = wait.checked_sub(since).filter(|d| !d.is_zero()) {
                self.record_now(failed("throttled", account.as_ref()))?;
                return Err(KioskError::Throttled(left));
            }
        }

        let matches = match &account {
            Some(a) if password.chars() <= PASSWORD_MAX => {
                verify_password(password, &a.password_hash)
            }
            _ => {
                verify_dummy(password);
                false
            }
        };

        let store = lock(&self.store);
        let account = match account {
            Some(a) if matches => a,
            unmatched => {
                // One transaction (one disk flush) whether or not the name exists, so a failure for
                // a real account takes no longer than one for a made-up name.
                let lock_name = unmatched
                    .as_ref()
                    .filter(|a| !a.locked)
                    .and(parsed.as_ref());
                store.atomically(|store| {
                    let failures = store.record_failure(
                        &digest,
                        now,
                        lock_name,
                        settings.signin_lock_after,
                    )?;
                    self.record(store, failed("bad_credentials", unmatched.as_ref()))?;
                    if lock_name.is_some() && failures >= settings.signin_lock_after {
                        self.record(
                            store,
                            AuditEvent::new("account_locked", json!({ "failures": failures }))
                                .user(unmatched.as_ref().map(|a| a.username.as_str())),
                        )?;
                    }
                    Ok::<(), StoreError>(())
                })?;
                return Err(KioskError::BadCredentials);
            }
        };
        if !account.enabled {
            self.record(&store, failed("disabled", Some(&account)))?;
            return Err(KioskError::Disabled);
        }
        if account.locked {
            self.record(&store, failed("locked", Some(&account)))?;
            return Err(KioskError::Locked);
        }
        store.throttle_clear(&digest)?;
        if needs_rehash(&account.password_hash) {
            let name = parsed.as_ref().expect("a matched account has a valid name");
            store.set_password_hash(name, &hash_password(password), now)?;
        }
        Ok(Identity {
            display_name: account.display_name,
            kind: match account.role {
                Role::Admin => SessionKind::Admin,
                Role::User => SessionKind::User,
            },
            username: Some(account.username),
        })
    }

    /// A guest, when the settings allow guests.
    pub fn guest(&self) -> Result<Identity, KioskError> {
        if !self.settings()?.guests_allowed {
            return Err(KioskError::GuestsNotAllowed);
        }
        Ok(Identity {
            display_name: "Guest".to_owned(),
            kind: SessionKind::Guest,
            username: None,
        })
    }
}

/// Checks a new account's fields; the display name defaults to the username.
/// A `sign_in_failed` record: the account's name when the name is an account, otherwise only
/// that it was unknown (never what was typed: it may be a password typed into the wrong field).
fn failed(reason: &str, account: Option<&Account>) -> AuditEvent {
    match account {
        Some(a) => {
            AuditEvent::new("sign_in_failed", json!({ "reason": reason })).user(Some(&a.username))
        }
        None => AuditEvent::new(
            "sign_in_failed",
            json!({ "reason": reason, "unknown_user": true }),
        ),
    }
}

/// The machine's host name.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "terminal".to_owned())
}

fn checked_new_account(
    username: &str,
    display_name: &str,
    password: &Password,
) -> Result<(Username, String), KioskError> {
    let username = Username::parse(username)?;
    password.check_new(&username)?;
    let display_name = display_name.trim();
    if display_name.chars().any(char::is_control) || display_name.chars().count() > 128 {
        return Err(CredentialError::DisplayName.into());
    }
    let display_name = if display_name.is_empty() {
        username.as_str().to_owned()
    } else {
        display_name.to_owned()
    };
    Ok((username, display_name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::FakeClock;

    struct Fixture {
        kiosk: Kiosk,
        clock: Arc<FakeClock>,
        _tmp: tempfile::TempDir,
    }

    fn kiosk() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let clock = Arc::new(FakeClock::new());
        let kiosk =
            Kiosk::open_with_clock(DataDir::prepare(Some(tmp.path())).unwrap(), clock.clone())
                .unwrap();
        Fixture {
            kiosk,
            clock,
            _tmp: tmp,
        }
    }

    fn pw(s: &str) -> Password {
        Password::from(s.to_owned())
    }

    fn set_up(k: &Kiosk) {
        k.create_first_admin("Admin", "The Librarian", &pw("admin passphrase"))
            .unwrap();
        k.add_user("ana", "Ana", Role::User, &pw("ana's passphrase"))
            .unwrap();
    }

    #[test]
    fn an_empty_data_folder_opens_on_first_run_then_sign_in() {
        let f = kiosk();
        assert_eq!(f.kiosk.signed_out_screen().unwrap(), Screen::FirstRun);
        set_up(&f.kiosk);
        assert_eq!(
            f.kiosk.signed_out_screen().unwrap(),
            Screen::SignIn {
                guests_allowed: false
            }
        );
        assert!(matches!(
            f.kiosk
                .create_first_admin("mallory", "", &pw("another passphrase")),
            Err(KioskError::AlreadySetUp)
        ));
    }

    #[test]
    fn a_right_password_gives_the_identity() {
        let f = kiosk();
        set_up(&f.kiosk);
        let who = f
            .kiosk
            .authenticate("ANA", &pw("ana's passphrase"))
            .unwrap();
        assert_eq!(
            who,
            Identity {
                display_name: "Ana".into(),
                kind: SessionKind::User,
                username: Some("ana".into())
            }
        );
        let admin = f
            .kiosk
            .authenticate(" Admin ", &pw("admin passphrase"))
            .unwrap();
        assert_eq!(admin.kind, SessionKind::Admin);
    }

    #[test]
    fn wrong_username_and_wrong_password_are_the_same_error() {
        let f = kiosk();
        set_up(&f.kiosk);
        let unknown = f
            .kiosk
            .authenticate("nobody", &pw("whatever it is"))
            .unwrap_err();
        let wrong = f
            .kiosk
            .authenticate("ana", &pw("not her passphrase"))
            .unwrap_err();
        assert_eq!(unknown.to_string(), "Wrong username or password.");
        assert_eq!(unknown.to_string(), wrong.to_string());
        assert_eq!(unknown.code(), wrong.code());
        let bad_name = f
            .kiosk
            .authenticate("a\0b", &pw("whatever it is"))
            .unwrap_err();
        assert_eq!(bad_name.to_string(), "Wrong username or password.");
    }

    #[test]
    fn failures_back_off_exponentially_for_known_and_unknown_names_alike() {
        let f = kiosk();
        set_up(&f.kiosk);
        for name in ["ana", "nobody"] {
            assert!(matches!(
                f.kiosk.authenticate(name, &pw("wrong guess 1")),
                Err(KioskError::BadCredentials)
            ));
            // Immediately again: throttled for 1 s, and the password is not even checked.
            match f.kiosk.authenticate(name, &pw("ana's passphrase")) {
                Err(KioskError::Throttled(wait)) => assert_eq!(wait, Duration::from_secs(1)),
                other => panic!("{name}: {other:?}"),
            }
            f.clock.advance(Duration::from_secs(1));
            assert!(matches!(
                f.kiosk.authenticate(name, &pw("wrong guess 2")),
                Err(KioskError::BadCredentials)
            ));
            f.clock.advance(Duration::from_millis(500));
            match f.kiosk.authenticate(name, &pw("wrong guess 3")) {
                Err(KioskError::Throttled(wait)) => {
                    assert_eq!(wait, Duration::from_millis(1500));
                    assert_eq!(
                        KioskError::Throttled(wait).to_string(),
                        "Too many attempts. Try again in 2 seconds."
                    );
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        // A success resets the count.
        f.clock.advance(Duration::from_secs(2));
        f.kiosk
            .authenticate("ana", &pw("ana's passphrase"))
            .unwrap();
        assert!(matches!(
            f.kiosk.authenticate("ana", &pw("wrong again")),
            Err(KioskError::BadCredentials)
        ));
        match f.kiosk.authenticate("ana", &pw("wrong again")) {
            Err(KioskError::Throttled(wait)) => assert_eq!(wait, Duration::from_secs(1)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_wall_clock_set_back_does_not_shorten_the_wait() {
        let f = kiosk();
        set_up(&f.kiosk);
        let _ = f.kiosk.authenticate("ana", &pw("wrong guess"));
        let now = f.clock.now_utc();
        f.clock.set(now - chrono::Duration::hours(1));
        assert!(matches!(
            f.kiosk.authenticate("ana", &pw("ana's passphrase")),
            Err(KioskError::Throttled(_))
        ));
    }

    #[test]
    fn the_account_locks_after_the_limit_and_says_so_only_with_the_right_password() {
        let f = kiosk();
        set_up(&f.kiosk);
        f.kiosk.set_setting("signin_lock_after", "3").unwrap();
        for _ in 0..3 {
            assert!(matches!(
                f.kiosk.authenticate("ana", &pw("wrong guess")),
                Err(KioskError::BadCredentials)
            ));
            f.clock.advance(Duration::from_secs(3600));
        }
        assert!(matches!(
            f.kiosk.authenticate("ana", &pw("still wrong")),
            Err(KioskError::BadCredentials)
        ));
        f.clock.advance(Duration::from_secs(3600));
        assert!(matches!(
            f.kiosk.authenticate("ana", &pw("ana's passphrase")),
            Err(KioskError::Locked)
        ));
        f.kiosk.unlock_user("ana").unwrap();
        f.kiosk
            .authenticate("ana", &pw("ana's passphrase"))
            .unwrap();
    }

    #[test]
    fn throttling_survives_a_restart() {
        let tmp = tempfile::tempdir().unwrap();
        let clock = Arc::new(FakeClock::new());
        let open = || {
            Kiosk::open_with_clock(DataDir::prepare(Some(tmp.path())).unwrap(), clock.clone())
                .unwrap()
        };
        let k = open();
        set_up(&k);
        let _ = k.authenticate("ana", &pw("wrong guess"));
        drop(k);
        assert!(matches!(
            open().authenticate("ana", &pw("ana's passphrase")),
            Err(KioskError::Throttled(_))
        ));
    }

    #[test]
    fn disabled_accounts_say_so_only_with_the_right_password() {
        let f = kiosk();
        set_up(&f.kiosk);
        f.kiosk.set_user_enabled("ana", false).unwrap();
        assert!(matches!(
            f.kiosk.authenticate("ana", &pw("wrong guess")),
            Err(KioskError::BadCredentials)
        ));
        f.clock.advance(Duration::from_secs(5));
        assert!(matches!(
            f.kiosk.authenticate("ana", &pw("ana's passphrase")),
            Err(KioskError::Disabled)
        ));
    }

    #[test]
    fn a_weaker_stored_hash_is_replaced_at_the_next_sign_in() {
        use argon2::password_hash::PasswordHasher;
        let f = kiosk();
        set_up(&f.kiosk);
        let weak = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(8192, 1, 1, None).unwrap(),
        )
        .hash_password(b"ana's passphrase")
        .unwrap()
        .to_string();
        let ana = Username::parse("ana").unwrap();
        lock(&f.kiosk.store)
            .set_password_hash(&ana, &weak, f.clock.now_utc())
            .unwrap();
        f.kiosk
            .authenticate("ana", &pw("ana's passphrase"))
            .unwrap();
        let stored = lock(&f.kiosk.store).find_account(&ana).unwrap().unwrap();
        assert!(stored
            .password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(
            &pw("ana's passphrase"),
            &stored.password_hash
        ));
    }

    #[test]
    fn guests_only_when_allowed() {
        let f = kiosk();
        set_up(&f.kiosk);
        assert!(matches!(f.kiosk.guest(), Err(KioskError::GuestsNotAllowed)));
        f.kiosk.set_setting("guests_allowed", "true").unwrap();
        assert_eq!(f.kiosk.guest().unwrap().username, None);
    }

    #[test]
    fn sessions_left_open_are_recovered_and_admins_can_ask_to_end_one() {
        let f = kiosk();
        set_up(&f.kiosk);
        let open = |id: &str, user: Option<&str>| ActiveSession {
            id: id.into(),
            display_name: "x".into(),
            kind: SessionKind::User,
            username: user.map(Into::into),
            started_at: f.clock.now_utc(),
        };
        f.kiosk
            .record_session_open(&open("s1", Some("ana")))
            .unwrap();
        f.kiosk.record_session_open(&open("s2", None)).unwrap();
        assert_eq!(f.kiosk.request_end(Some("ANA")).unwrap(), 1);
        assert!(f.kiosk.end_requested("s1").unwrap());
        assert!(!f.kiosk.end_requested("s2").unwrap());
        f.clock.advance(Duration::from_secs(90));
        assert_eq!(f.kiosk.recover_open_sessions(&[]).unwrap(), 2);
        let rec = f.kiosk.session_record("s1").unwrap().unwrap();
        assert_eq!(rec.end_reason, Some(EndReason::Recovered));
        assert_eq!(rec.duration_ms, Some(90_000));
        assert!(f.kiosk.open_sessions().unwrap().is_empty());
        assert_eq!(f.kiosk.recover_open_sessions(&[]).unwrap(), 0);
    }

    #[test]
    fn a_password_change_asks_to_end_that_users_session() {
        let f = kiosk();
        set_up(&f.kiosk);
        let s = ActiveSession {
            id: "s1".into(),
            display_name: "Ana".into(),
            kind: SessionKind::User,
            username: Some("ana".into()),
            started_at: f.clock.now_utc(),
        };
        f.kiosk.record_session_open(&s).unwrap();
        f.kiosk
            .set_password("ana", &pw("a new passphrase"))
            .unwrap();
        assert!(f.kiosk.end_requested("s1").unwrap());
    }

    #[test]
    fn the_last_administrator_cannot_be_removed_or_disabled() {
        let f = kiosk();
        set_up(&f.kiosk);
        assert!(matches!(
            f.kiosk.remove_user("admin"),
            Err(KioskError::LastAdmin(_))
        ));
        assert!(matches!(
            f.kiosk.set_user_enabled("admin", false),
            Err(KioskError::LastAdmin(_))
        ));
        f.kiosk
            .add_user("root2", "", Role::Admin, &pw("second admin pass"))
            .unwrap();
        f.kiosk.remove_user("admin").unwrap();
        assert!(matches!(
            f.kiosk.remove_user("admin"),
            Err(KioskError::NoSuchUser(_))
        ));
    }

    #[test]
    fn usernames_are_unique_case_insensitively() {
        let f = kiosk();
        set_up(&f.kiosk);
        assert!(matches!(
            f.kiosk
                .add_user("ANA", "", Role::User, &pw("another passphrase")),
            Err(KioskError::UserExists(_))
        ));
    }
}
