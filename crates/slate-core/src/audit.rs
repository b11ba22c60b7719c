//! The tamper-evident audit log: what an append-only chain of records is, how each record's mac
//! is computed and how a chain is verified. The records are kept by the store
//! (`store/audit.rs`), which calls into this module; this module never calls the store.
//!
//! Each record carries `mac = HMAC-SHA256(K, previous mac ‖ canonical encoding of the record)`,
//! the first one chained to 32 zero bytes. K is 32 random bytes in a 0600 file in its own 0700
//! folder (`<data>/keys/audit.key`), never stored in the database, so whoever can edit the
//! database cannot recompute the chain. Triggers refuse UPDATE and DELETE. A key is made only
//! while the log is empty; a missing or unreadable key with records in the log is a
//! [`KeyProblem`], never a reason to start a new chain.
//!
//! `Store::audit_verify` walks the chain and names the first bad record and what is wrong with
//! it; an anchor (`SEQ:MAC`, kept off the machine) also detects a truncated tail.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::api::EndReason;
use super::clock::to_db;
use super::io_words;
use super::phrase::Phrase;
use super::store_error::StoreError;

/// Why the audit log cannot be used or does not verify. One sentence each.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Key(#[from] KeyProblem),
    #[error("The audit log is broken at record {seq}: {what}.")]
    Broken { seq: i64, what: String },
    #[error("The anchor {0} is not of the form SEQ:MAC (a number, a colon, 64 hex digits).")]
    BadAnchor(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why the audit key cannot be used. The kiosk still opens, but needs attention until the key
/// is back: nobody can sign in, and nothing that would be audited can be done, because a record
/// under a new key would make the whole log before it unverifiable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyProblem {
    /// No key file, while the log has records made with the lost key.
    Missing { path: String },
    /// The key file is there but cannot be read or holds something else than a key.
    Unusable { path: String, reason: String },
}

impl KeyProblem {
    /// The sentence with its pieces (the terminal's "needs attention" screen says it).
    pub fn phrase(&self) -> Phrase {
        match self {
            Self::Missing { path } => Phrase::new(
                "The audit key {path} is missing and the audit log has records: restore the key from a backup (Slate makes a new key only for an empty log).",
            )
            .text("path", path),
            Self::Unusable { path, reason } => Phrase::new(
                "The audit key {path} cannot be used ({reason}): restore it from a backup, readable only by the account running Slate.",
            )
            .text("path", path)
            .text("reason", reason),
        }
    }
}

impl std::fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.phrase().fmt(f)
    }
}

impl std::error::Error for KeyProblem {}

/// The chain key, zeroised when dropped.
pub struct AuditKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

/// Where the key lives in the data folder.
pub fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("audit.key")
}

impl AuditKey {
    /// Loads `<data>/keys/audit.key`. A missing key is made (in its own 0700 folder) only when
    /// `log_is_empty`: a new key for a log that has records would hide whatever was done to
    /// them, so that is [`KeyProblem::Missing`] instead. A key file that exists is never
    /// replaced, whatever it holds.
    pub fn load(data_dir: &Path, log_is_empty: bool) -> Result<Self, KeyProblem> {
        let path = key_path(data_dir);
        match Self::read(&path) {
            Err(KeyProblem::Missing { .. }) if log_is_empty => Self::create(&path),
            other => other,
        }
    }

    /// Reads the key file; a loose mode is tightened to 0600 (the file is Slate's own).
    fn read(path: &Path) -> Result<Self, KeyProblem> {
        let unusable = |reason: String| KeyProblem::Unusable {
            path: path.display().to_string(),
            reason,
        };
        let bytes = match fs::read(path) {
            Ok(bytes) => Zeroizing::new(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(KeyProblem::Missing {
                    path: path.display().to_string(),
                })
            }
            Err(e) => return Err(unusable(io_words::reason(&e))),
        };
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| unusable(format!("it holds {} bytes, not 32", bytes.len())))?;
        let mode = fs::metadata(path)
            .map_err(|e| unusable(io_words::reason(&e)))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
        }
        Ok(Self(Zeroizing::new(key)))
    }

    /// Makes a new key: written whole to a private temporary file, then linked into place, which
    /// fails if the key appeared meanwhile (another process opening the same empty log), so
    /// nobody ever reads half a key or replaces another's. The key that won is then read.
    fn create(path: &Path) -> Result<Self, KeyProblem> {
        let unusable = |e: &std::io::Error| KeyProblem::Unusable {
            path: path.display().to_string(),
            reason: io_words::reason(e),
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| unusable(&e))?;
        let key = Zeroizing::new(rand::random::<[u8; 32]>());
        let temporary = dir.join(format!(".audit.key.{:016x}", rand::random::<u64>()));
        let written = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)
            .and_then(|mut f| f.write_all(&key[..]).and_then(|()| f.sync_all()))
            .and_then(|()| match fs::hard_link(&temporary, path) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                other => other,
            });
        let _ = fs::remove_file(&temporary);
        written.map_err(|e| unusable(&e))?;
        if let Ok(folder) = fs::File::open(dir) {
            let _ = folder.sync_all();
        }
        Self::read(path)
    }

    /// A key for another purpose, derived from this one (HMAC-SHA256 of `label`), so that the
    /// one secret kept outside the database, and backed up with it, serves both. Knowing the
    /// derived key tells nothing of this one.
    pub fn derive(&self, label: &str) -> Zeroizing<[u8; 32]> {
        let mut mac = keyed(self);
        mac.update(b"slate key derivation\0");
        mac.update(label.as_bytes());
        Zeroizing::new(mac.finalize().into_bytes().into())
    }

    /// A key for tests.
    #[cfg(any(test, feature = "test-util"))]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }
}

/// What happened: every kind of audit record. Stored (and forwarded) as its `snake_case` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    SignIn,
    SignOut,
    SignInFailed,
    /// Written before sign-in failures cooled names down instead; kept to read old records.
    AccountLocked,
    /// A name reached a step of consecutive failures and cools down (`failures`, `minutes`).
    SignInCooldown,
    /// The terminal reached its limit of failed sign-ins and every sign-in waits.
    SignInRateLimited,
    /// An account source (a directory) could not answer a sign-in (`source`, `reason`).
    SourceUnavailable,
    /// An administrator tested an account source with a name (`source`, `tested`, `verdict`).
    SourceTested,
    WipeFailed,
    SettingChanged,
    PolicyProblem,
    SessionEndedByAdmin,
    /// Staff sent the person in the session a message from the desk (`by`, `from_terminal`,
    /// `chars`: its length; never the text).
    StaffMessage,
    /// A person used their session's one extension (`minutes` added).
    SessionExtended,
    /// An administrator made a batch of guest passes (`batch`, `count`, `minutes`,
    /// `valid_until`, `by`); never a code.
    GuestPassesCreated,
    /// An administrator revoked unused guest passes (`pass` or `batch`, `count`, `by`).
    GuestPassesRevoked,
    /// A person accepted the acceptable-use page (`version`, `language`); their session started.
    AcceptableUseAccepted,
    /// A person declined the acceptable-use page, or left it unanswered (`version`,
    /// `language`, `answer`: `declined` or `no_answer`); no session started.
    AcceptableUseDeclined,
    AuditPruned,
    UserCreated,
    UserRemoved,
    PasswordChanged,
    UserEnabled,
    UserDisabled,
    UserUnlocked,
    /// An administrator set a person's own daily time (`daily`: a duration, `off` or
    /// `default`).
    DailyTimeChanged,
    /// An administrator left kiosk mode from the panel, for maintenance.
    KioskLeft,
}

impl Event {
    /// Every event, in the order above.
    pub const ALL: &'static [Event] = &[
        Self::SignIn,
        Self::SignOut,
        Self::SignInFailed,
        Self::AccountLocked,
        Self::SignInCooldown,
        Self::SignInRateLimited,
        Self::SourceUnavailable,
        Self::SourceTested,
        Self::WipeFailed,
        Self::SettingChanged,
        Self::PolicyProblem,
        Self::SessionEndedByAdmin,
        Self::StaffMessage,
        Self::SessionExtended,
        Self::GuestPassesCreated,
        Self::GuestPassesRevoked,
        Self::AcceptableUseAccepted,
        Self::AcceptableUseDeclined,
        Self::AuditPruned,
        Self::UserCreated,
        Self::UserRemoved,
        Self::PasswordChanged,
        Self::UserEnabled,
        Self::UserDisabled,
        Self::UserUnlocked,
        Self::DailyTimeChanged,
        Self::KioskLeft,
    ];

    /// The name as stored: `sign_in`, `setting_changed`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignOut => "sign_out",
            Self::SignInFailed => "sign_in_failed",
            Self::AccountLocked => "account_locked",
            Self::SignInCooldown => "sign_in_cooldown",
            Self::SignInRateLimited => "sign_in_rate_limited",
            Self::SourceUnavailable => "source_unavailable",
            Self::SourceTested => "source_tested",
            Self::WipeFailed => "wipe_failed",
            Self::SettingChanged => "setting_changed",
            Self::PolicyProblem => "policy_problem",
            Self::SessionEndedByAdmin => "session_ended_by_admin",
            Self::StaffMessage => "staff_message",
            Self::SessionExtended => "session_extended",
            Self::GuestPassesCreated => "guest_passes_created",
            Self::GuestPassesRevoked => "guest_passes_revoked",
            Self::AcceptableUseAccepted => "acceptable_use_accepted",
            Self::AcceptableUseDeclined => "acceptable_use_declined",
            Self::AuditPruned => "audit_pruned",
            Self::UserCreated => "user_created",
            Self::UserRemoved => "user_removed",
            Self::PasswordChanged => "password_changed",
            Self::UserEnabled => "user_enabled",
            Self::DailyTimeChanged => "daily_time_changed",
            Self::UserDisabled => "user_disabled",
            Self::UserUnlocked => "user_unlocked",
            Self::KioskLeft => "kiosk_left",
        }
    }

    /// The event called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|e| e.as_str() == name)
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a sign-in failed: the `reason` of a `sign_in_failed` record, stored as its `snake_case`
/// name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInFailure {
    /// A wrong username or password (or an unknown username).
    BadCredentials,
    /// Too soon after the name's last failure: the back-off was still running.
    Throttled,
    /// The terminal had seen too many failures, whatever the names: every sign-in waited.
    TerminalThrottled,
    /// The name was cooling down after too many failures (the password was checked, and
    /// only an administrator's would have been accepted).
    CoolingDown,
    /// The account is locked (by an administrator, or by failures before they cooled down).
    Locked,
    /// The account is disabled.
    Disabled,
    /// The right password, but the account's source bars it now (an expired or blocked library
    /// card, fines over the limit).
    Barred,
    /// The right password, outside the opening hours.
    Closed,
    /// The right password, but the person's time for today is used up.
    AllowanceSpent,
    /// A guest-pass code that is unknown, used, revoked or past its last day (`pass`: its id
    /// when the code is one, `why`).
    PassRefused,
    /// The right password, but the person is signed in at another terminal of the room and may
    /// be at one at a time (`one_terminal_per_person = refuse`; `terminal`: where).
    SignedInElsewhere,
}

impl SignInFailure {
    /// Every failure, in the order above.
    pub const ALL: &'static [SignInFailure] = &[
        Self::BadCredentials,
        Self::Throttled,
        Self::TerminalThrottled,
        Self::CoolingDown,
        Self::Locked,
        Self::Disabled,
        Self::Barred,
        Self::Closed,
        Self::AllowanceSpent,
        Self::PassRefused,
        Self::SignedInElsewhere,
    ];

    /// The name as stored: `bad_credentials`, `throttled`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadCredentials => "bad_credentials",
            Self::Throttled => "throttled",
            Self::TerminalThrottled => "terminal_throttled",
            Self::CoolingDown => "cooling_down",
            Self::Locked => "locked",
            Self::Disabled => "disabled",
            Self::Barred => "barred",
            Self::Closed => "closed",
            Self::AllowanceSpent => "allowance_spent",
            Self::PassRefused => "pass_refused",
            Self::SignedInElsewhere => "signed_in_elsewhere",
        }
    }
}

/// Every `reason` a record can carry, as stored: why a session ended (`sign_out`), then why a
/// sign-in failed (`sign_in_failed`). These are what [`AuditFilter::reason`] can match.
pub fn reason_names() -> impl Iterator<Item = &'static str> {
    let ended: &'static [EndReason] = &EndReason::ALL;
    ended
        .iter()
        .map(|r| r.as_str())
        .chain(SignInFailure::ALL.iter().map(|f| f.as_str()))
}

/// Who made a change, as the audit's `by` names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// An administrator signed in at this terminal (through the panel).
    Admin { username: String },
    /// `slatectl`, run by a local account.
    Cli { uid: u32 },
    /// The kiosk itself: first-run setup, and anything no person asked for.
    System,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Admin { username } => write!(f, "{username} (at the terminal)"),
            Self::Cli { uid } => write!(f, "slatectl (uid {uid})"),
            Self::System => f.write_str("kiosk"),
        }
    }
}

/// One event to record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub event: Event,
    /// The account concerned; `None` for a guest or an unknown name (never what was typed).
    pub username: Option<String>,
    pub session_id: Option<String>,
    /// Measured on the boot clock.
    pub duration_ms: Option<i64>,
    pub details: serde_json::Value,
}

impl AuditEvent {
    /// An event with no user, session or duration.
    pub fn new(event: Event, details: serde_json::Value) -> Self {
        Self {
            event,
            username: None,
            session_id: None,
            duration_ms: None,
            details,
        }
    }

    /// The record that pruning leaves: through which record the log was pruned and that record's
    /// mac (where the chain now starts), how many went, and the time bound.
    pub fn pruned(through: i64, last_mac: &str, removed: usize, before: DateTime<Utc>) -> Self {
        Self::new(
            Event::AuditPruned,
            serde_json::json!({
                "through_seq": through,
                "last_mac": last_mac,
                "removed": removed,
                "before": to_db(before),
            }),
        )
    }

    #[must_use]
    pub fn user(mut self, username: Option<&str>) -> Self {
        self.username = username.map(str::to_owned);
        self
    }

    #[must_use]
    pub fn session(mut self, id: &str) -> Self {
        self.session_id = Some(id.to_owned());
        self
    }

    #[must_use]
    pub fn duration_ms(mut self, ms: Option<i64>) -> Self {
        self.duration_ms = ms;
        self
    }
}

/// Where and when: filled in by the caller for each append.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub at: DateTime<Utc>,
    pub offset: FixedOffset,
    pub terminal: String,
}

/// One stored record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    /// UTC, RFC 3339.
    pub at: String,
    pub utc_offset_secs: i64,
    pub terminal: String,
    pub event: String,
    pub username: Option<String>,
    pub session_id: Option<String>,
    pub duration_ms: Option<i64>,
    /// JSON.
    pub details: String,
    pub mac: String,
}

impl AuditRecord {
    /// The record for `e` that follows `last` (its sequence number and hex mac; `None` for the
    /// first record, chained to 32 zero bytes), with its mac.
    pub fn chained(
        key: &AuditKey,
        last: Option<(i64, &str)>,
        stamp: &Stamp,
        e: &AuditEvent,
    ) -> Self {
        let (prev_seq, prev_mac) = match last {
            Some((seq, mac)) => (seq, hex::decode(mac).unwrap_or_default()),
            None => (0, vec![0u8; 32]),
        };
        let mut record = Self {
            seq: prev_seq + 1,
            at: to_db(stamp.at),
            utc_offset_secs: i64::from(stamp.offset.local_minus_utc()),
            terminal: stamp.terminal.clone(),
            event: e.event.as_str().to_owned(),
            username: e.username.clone(),
            session_id: e.session_id.clone(),
            duration_ms: e.duration_ms,
            details: e.details.to_string(),
            mac: String::new(),
        };
        record.mac = hex::encode(compute_mac(key, &prev_mac, &record));
        record
    }

    /// When, in the local time it was recorded in, with the offset: `2026-11-21 10:00:00+01:00`.
    pub fn local_time(&self) -> String {
        DateTime::parse_from_rfc3339(&self.at)
            .ok()
            .and_then(|t| {
                let offset = FixedOffset::east_opt(i32::try_from(self.utc_offset_secs).ok()?)?;
                Some(
                    t.with_timezone(&offset)
                        .format("%Y-%m-%d %H:%M:%S%:z")
                        .to_string(),
                )
            })
            .unwrap_or_else(|| self.at.clone())
    }
}

/// A time bound for listing: a date (`2026-11-21`, midnight UTC) or an RFC 3339 time, as the
/// stored text it compares with. `None` when it is neither.
pub fn time_bound(text: &str) -> Option<String> {
    let t = text.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(to_db(d.and_hms_opt(0, 0, 0)?.and_utc()));
    }
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| to_db(d.with_timezone(&Utc)))
}

/// The canonical encoding: every field in a fixed order, each as a 4-byte big-endian length and
/// its UTF-8 bytes (absent fields as length 0xFFFFFFFF), so no two records encode alike.
fn encode(r: &AuditRecord) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + r.details.len());
    encode_into(r, &mut out);
    out
}

fn encode_into(r: &AuditRecord, out: &mut Vec<u8>) {
    fn field(out: &mut Vec<u8>, v: Option<&str>) {
        match v {
            Some(s) => {
                out.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            None => out.extend_from_slice(&u32::MAX.to_be_bytes()),
        }
    }
    out.clear();
    out.extend_from_slice(b"slate-audit-v1");
    field(out, Some(&r.seq.to_string()));
    field(out, Some(&r.at));
    field(out, Some(&r.utc_offset_secs.to_string()));
    field(out, Some(&r.terminal));
    field(out, Some(&r.event));
    field(out, r.username.as_deref());
    field(out, r.session_id.as_deref());
    field(out, r.duration_ms.map(|d| d.to_string()).as_deref());
    field(out, Some(&r.details));
}

fn keyed(key: &AuditKey) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(&key.0[..]).expect("HMAC takes any key")
}

pub(crate) fn compute_mac(key: &AuditKey, prev: &[u8], r: &AuditRecord) -> [u8; 32] {
    let mut m = keyed(key);
    m.update(prev);
    m.update(&encode(r));
    m.finalize().into_bytes().into()
}

/// What a successful verification found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    pub records: u64,
    /// The last record: `SEQ:MAC`, the anchor to keep off the machine.
    pub head: Option<String>,
}

/// Filters for listing.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub event: Option<String>,
    pub reason: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub limit: u32,
    /// Only records after this one in the list's order (for paging back): a lower sequence
    /// number, or with a time filter an earlier (time, sequence number).
    pub before_seq: Option<i64>,
}

/// Parses `SEQ:MAC`.
pub fn parse_anchor(s: &str) -> Result<(i64, String), AuditError> {
    let bad = || AuditError::BadAnchor(s.to_owned());
    let (seq, mac) = s.trim().split_once(':').ok_or_else(bad)?;
    let seq: i64 = seq.parse().map_err(|_| bad())?;
    if mac.len() != 64 || !mac.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok((seq, mac.to_ascii_lowercase()))
}

/// The anchors in a collector's file: each line that carries a forwarded record's `seq="N"` and
/// `mac="HEX"` (its structured data, however the collector wrote the line), is a journal entry
/// as `journalctl -o json` prints it (its `SLATE_SEQ` and `SLATE_MAC`), or is an anchor
/// `SEQ:MAC` as `slatectl audit anchor` prints it. Other lines are not anchors.
pub fn anchors_in(text: &str) -> Vec<(i64, String)> {
    let quoted = |line: &str, name: &str| {
        let start = line.find(&format!("{name}=\""))? + name.len() + 2;
        let end = start + line[start..].find('"')?;
        Some(line[start..end].to_owned())
    };
    text.lines()
        .filter_map(|line| {
            if let Ok(anchor) = parse_anchor(line) {
                return Some(anchor);
            }
            if line.starts_with('{') {
                let entry: serde_json::Value = serde_json::from_str(line).ok()?;
                let seq = entry.get("SLATE_SEQ")?.as_str()?;
                let mac = entry.get("SLATE_MAC")?.as_str()?;
                return parse_anchor(&format!("{seq}:{mac}")).ok();
            }
            let seq = quoted(line, "seq")?;
            let mac = quoted(line, "mac")?;
            parse_anchor(&format!("{seq}:{mac}")).ok()
        })
        .collect()
}

/// Where a pruned chain starts, from the details of the newest `audit_pruned` record: the last
/// pruned sequence number and its mac.
pub fn prune_point(details: &str) -> Result<(i64, String), AuditError> {
    let v: serde_json::Value = serde_json::from_str(details).unwrap_or_default();
    match (v["through_seq"].as_i64(), v["last_mac"].as_str()) {
        (Some(seq), Some(mac)) => Ok((seq, mac.to_owned())),
        _ => Err(AuditError::Broken {
            seq: 0,
            what: "an audit_pruned record is malformed".into(),
        }),
    }
}

/// Verifies a chain given whole, in sequence order (a copy of a terminal's log kept elsewhere,
/// such as its room's). A copy that starts after the first record must start where a prune it
/// holds says the chain was cut.
pub fn verify_records(key: &AuditKey, records: &[AuditRecord]) -> Result<VerifyReport, AuditError> {
    let first = records.first().map_or(1, |r| r.seq);
    let pruned = if first == 1 {
        None
    } else {
        let mut points = records
            .iter()
            .filter(|r| r.event == Event::AuditPruned.as_str())
            .map(|r| prune_point(&r.details));
        let point = points
            .find(|p| {
                p.as_ref()
                    .map_or(true, |(through, _)| *through + 1 == first)
            })
            .transpose()?
            .ok_or_else(|| AuditError::Broken {
                seq: first,
                what: "the copy starts here, and holds no record of the log being pruned before it"
                    .into(),
            })?;
        Some(point)
    };
    let mut check = ChainCheck::new(key, pruned, None);
    for record in records {
        check.record(record)?;
    }
    check.finish()
}

/// A verification in progress: fed every record in sequence order ([`ChainCheck::record`]),
/// then [`ChainCheck::finish`]ed. The keyed state is made once and copied per record; one buffer
/// serves every encoding.
pub struct ChainCheck<'a> {
    keyed_state: Hmac<Sha256>,
    anchor: Option<&'a (i64, String)>,
    prev: Vec<u8>,
    expected: i64,
    pruned_through: i64,
    buf: Vec<u8>,
    hex_mac: [u8; 64],
    count: u64,
    head: Option<String>,
    anchor_seen: bool,
}

impl<'a> ChainCheck<'a> {
    /// Starts a check. After pruning, the chain starts from the last pruned record's mac
    /// (`pruned`, from [`prune_point`]); with an anchor, the anchored record must still be there
    /// with the same mac (so a truncated tail is found).
    pub fn new(
        key: &AuditKey,
        pruned: Option<(i64, String)>,
        anchor: Option<&'a (i64, String)>,
    ) -> Self {
        let (prev, expected) = match pruned {
            Some((through, mac)) => (hex::decode(mac).unwrap_or_default(), through + 1),
            None => (vec![0u8; 32], 1_i64),
        };
        Self {
            keyed_state: keyed(key),
            anchor,
            prev,
            expected,
            pruned_through: expected - 1,
            buf: Vec::with_capacity(512),
            hex_mac: [0u8; 64],
            count: 0,
            head: None,
            anchor_seen: false,
        }
    }

    /// Checks the next record.
    pub fn record(&mut self, r: &AuditRecord) -> Result<(), AuditError> {
        let expected = self.expected;
        if r.seq != expected {
            let what = if r.seq > expected {
                format!("records {expected} to {} are missing", r.seq - 1)
            } else {
                "it is out of order".to_owned()
            };
            return Err(AuditError::Broken {
                seq: expected,
                what,
            });
        }
        let mut m = self.keyed_state.clone();
        m.update(&self.prev);
        encode_into(r, &mut self.buf);
        m.update(&self.buf);
        let mac: [u8; 32] = m.finalize().into_bytes().into();
        hex::encode_to_slice(mac, &mut self.hex_mac).expect("64 hex digits for 32 bytes");
        if self.hex_mac[..] != *r.mac.as_bytes() {
            return Err(AuditError::Broken {
                seq: r.seq,
                what: "it was edited, moved, or the chain was rewritten without the key".into(),
            });
        }
        if let Some((seq, m)) = self.anchor {
            if *seq == r.seq {
                if *m != r.mac {
                    return Err(AuditError::Broken {
                        seq: r.seq,
                        what: "it does not match the anchor".into(),
                    });
                }
                self.anchor_seen = true;
            }
        }
        self.prev = mac.to_vec();
        self.expected += 1;
        self.count += 1;
        self.head = Some(format!("{}:{}", r.seq, r.mac));
        Ok(())
    }

    /// Ends the check: the anchor, if given, must have been seen.
    pub fn finish(self) -> Result<VerifyReport, AuditError> {
        if let Some((seq, _)) = self.anchor {
            let pruned_through = self.pruned_through;
            if !self.anchor_seen && *seq <= pruned_through {
                return Err(AuditError::Broken {
                    seq: *seq,
                    what: format!(
                        "the anchor's record was pruned (records up to {pruned_through} are gone by retention); take a newer anchor"
                    ),
                });
            }
            if !self.anchor_seen {
                return Err(AuditError::Broken {
                    seq: *seq,
                    what: format!(
                        "the log ends at record {} but the anchor is record {seq}: records were removed from the end",
                        self.expected - 1
                    ),
                });
            }
        }
        Ok(VerifyReport {
            records: self.count,
            head: self.head,
        })
    }
}

/// A sign-out record of seven, at `terminal`, for the tests of what sends records off the
/// machine (the journal's entry, the collector's message).
#[cfg(test)]
pub(crate) fn sample_record(terminal: &str) -> AuditRecord {
    AuditRecord {
        seq: 7,
        at: "2026-12-06T08:00:00.000000Z".into(),
        utc_offset_secs: 3600,
        terminal: terminal.into(),
        event: "sign_out".into(),
        username: Some("zoë".into()),
        session_id: Some("ab".into()),
        duration_ms: Some(1500),
        details: r#"{"reason":"idle"}"#.into(),
        mac: "f".repeat(64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_stored_by_the_names_the_filter_lists() {
        for f in SignInFailure::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
        for r in EndReason::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        let names: Vec<&str> = reason_names().collect();
        let distinct: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(names.len(), distinct.len(), "{names:?}");
        assert_eq!(names.len(), EndReason::ALL.len() + SignInFailure::ALL.len());
    }

    #[test]
    fn the_key_file_is_private_and_stable() {
        let tmp = tempfile::tempdir().unwrap();
        let a = AuditKey::load(tmp.path(), true).unwrap();
        let b = AuditKey::load(tmp.path(), false).unwrap();
        assert_eq!(a.0[..], b.0[..]);
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&tmp.path().join("keys")), 0o700);
        assert_eq!(mode(&tmp.path().join("keys/audit.key")), 0o600);
        assert_eq!(
            fs::read_dir(tmp.path().join("keys")).unwrap().count(),
            1,
            "no temporary file left"
        );
        assert_eq!(format!("{a:?}"), "AuditKey(<redacted>)");
    }

    #[test]
    fn a_lost_key_is_made_anew_only_for_an_empty_log() {
        let tmp = tempfile::tempdir().unwrap();
        let first = AuditKey::load(tmp.path(), true).unwrap();
        let path = key_path(tmp.path());
        fs::remove_file(&path).unwrap();
        // The log has records: no new key, and nothing written.
        let problem = AuditKey::load(tmp.path(), false).unwrap_err();
        assert_eq!(
            problem,
            KeyProblem::Missing {
                path: path.display().to_string()
            }
        );
        assert_eq!(
            problem.to_string(),
            format!(
                "The audit key {} is missing and the audit log has records: restore the key \
                 from a backup (Slate makes a new key only for an empty log).",
                path.display()
            )
        );
        assert_eq!(
            AuditError::from(problem.clone()).to_string(),
            problem.to_string()
        );
        assert!(!path.exists(), "no key made");
        // An empty log may start a chain under a new key.
        let second = AuditKey::load(tmp.path(), true).unwrap();
        assert_ne!(first.0[..], second.0[..]);
    }

    #[test]
    fn a_key_file_that_cannot_be_used_is_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        AuditKey::load(tmp.path(), true).unwrap();
        let path = key_path(tmp.path());
        fs::write(&path, b"short").unwrap();
        for log_is_empty in [false, true] {
            let problem = AuditKey::load(tmp.path(), log_is_empty).unwrap_err();
            assert!(
                matches!(&problem, KeyProblem::Unusable { reason, .. } if reason == "it holds 5 bytes, not 32"),
                "{problem}"
            );
            assert!(
                problem.to_string().ends_with(
                    "(it holds 5 bytes, not 32): restore it from a backup, readable only by \
                     the account running Slate."
                ),
                "{problem}"
            );
        }
        assert_eq!(fs::read(&path).unwrap(), b"short", "left as it was");
        // A folder where the file should be cannot be read as one either.
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        assert!(matches!(
            AuditKey::load(tmp.path(), true).unwrap_err(),
            KeyProblem::Unusable { .. }
        ));
    }

    #[test]
    fn processes_opening_an_empty_log_at_once_share_one_key() {
        let tmp = tempfile::tempdir().unwrap();
        let keys: Vec<[u8; 32]> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| *AuditKey::load(tmp.path(), true).unwrap().0))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|k| *k == keys[0]), "one key for all");
    }

    #[test]
    fn anchors_are_checked_for_form() {
        assert!(parse_anchor("12:zz").is_err());
        assert!(
            parse_anchor("x:0000000000000000000000000000000000000000000000000000000000000000")
                .is_err()
        );
        assert_eq!(
            parse_anchor(&format!("3:{}", "AB".repeat(32))).unwrap(),
            (3, "ab".repeat(32))
        );
    }
}
