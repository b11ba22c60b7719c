//! The tamper-evident audit log: an append-only chain of records in SQLite.
//!
//! Each record carries `mac = HMAC-SHA256(K, previous mac ‖ canonical encoding of the record)`,
//! the first one chained to 32 zero bytes. K is 32 random bytes in a 0600 file in its own 0700
//! folder (`<data>/keys/audit.key`), created at first run and never stored in the database, so
//! whoever can edit the database cannot recompute the chain. Triggers refuse UPDATE and DELETE.
//!
//! [`Store::audit_verify`] walks the chain and names the first bad record and what is wrong with
//! it; an anchor (`SEQ:MAC`, kept off the machine) also detects a truncated tail.

use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use chrono::{DateTime, FixedOffset, Utc};
use hmac::{Hmac, Mac};
use rusqlite::{params, OptionalExtension};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::clock::to_db;
use super::store::{Store, StoreError};

/// Why the audit log cannot be used or does not verify. One sentence each.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("The audit key {path} cannot be used: {reason}.")]
    Key { path: String, reason: String },
    #[error("The audit log is broken at record {seq}: {what}.")]
    Broken { seq: i64, what: String },
    #[error("The anchor {0} is not of the form SEQ:MAC (a number, a colon, 64 hex digits).")]
    BadAnchor(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The chain key, zeroised when dropped.
pub struct AuditKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

impl AuditKey {
    /// Loads `<data>/keys/audit.key`, creating it (and its 0700 folder) at first run.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, AuditError> {
        let dir = data_dir.join("keys");
        let path = dir.join("audit.key");
        let err = |reason: String| AuditError::Key {
            path: path.display().to_string(),
            reason,
        };
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| err(e.to_string()))?;
        match fs::read(&path) {
            Ok(bytes) => {
                let key: [u8; 32] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| err(format!("it holds {} bytes, not 32", bytes.len())))?;
                let mode = fs::metadata(&path)
                    .map_err(|e| err(e.to_string()))?
                    .permissions()
                    .mode();
                if mode & 0o077 != 0 {
                    let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o600));
                }
                Ok(Self(Zeroizing::new(key)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = rand::random();
                let mut f = fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .map_err(|e| err(e.to_string()))?;
                f.write_all(&key)
                    .and_then(|()| f.sync_all())
                    .map_err(|e| err(e.to_string()))?;
                Ok(Self(Zeroizing::new(key)))
            }
            Err(e) => Err(err(e.to_string())),
        }
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
    AccountLocked,
    WipeFailed,
    SettingChanged,
    PolicyProblem,
    SessionEndedByAdmin,
    AuditPruned,
    UserCreated,
    UserRemoved,
    PasswordChanged,
    UserEnabled,
    UserDisabled,
    UserUnlocked,
}

impl Event {
    /// Every event, in the order above.
    pub const ALL: &'static [Event] = &[
        Self::SignIn,
        Self::SignOut,
        Self::SignInFailed,
        Self::AccountLocked,
        Self::WipeFailed,
        Self::SettingChanged,
        Self::PolicyProblem,
        Self::SessionEndedByAdmin,
        Self::AuditPruned,
        Self::UserCreated,
        Self::UserRemoved,
        Self::PasswordChanged,
        Self::UserEnabled,
        Self::UserDisabled,
        Self::UserUnlocked,
    ];

    /// The name as stored: `sign_in`, `setting_changed`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignOut => "sign_out",
            Self::SignInFailed => "sign_in_failed",
            Self::AccountLocked => "account_locked",
            Self::WipeFailed => "wipe_failed",
            Self::SettingChanged => "setting_changed",
            Self::PolicyProblem => "policy_problem",
            Self::SessionEndedByAdmin => "session_ended_by_admin",
            Self::AuditPruned => "audit_pruned",
            Self::UserCreated => "user_created",
            Self::UserRemoved => "user_removed",
            Self::PasswordChanged => "password_changed",
            Self::UserEnabled => "user_enabled",
            Self::UserDisabled => "user_disabled",
            Self::UserUnlocked => "user_unlocked",
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
    <Hmac<Sha256> as Mac>::new_from_slice(&key.0[..]).expect("HMAC takes any key")
}

fn compute_mac(key: &AuditKey, prev: &[u8], r: &AuditRecord) -> [u8; 32] {
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

const COLUMNS: &str =
    "seq, at, utc_offset_secs, terminal, event, username, session_id, duration_ms, details, mac";

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        seq: r.get(0)?,
        at: r.get(1)?,
        utc_offset_secs: r.get(2)?,
        terminal: r.get(3)?,
        event: r.get(4)?,
        username: r.get(5)?,
        session_id: r.get(6)?,
        duration_ms: r.get(7)?,
        details: r.get(8)?,
        mac: r.get(9)?,
    })
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

impl Store {
    /// Appends a record, chained to the last one, inside a savepoint (so it commits with the
    /// caller's transaction, or on its own). Returns its sequence number.
    pub fn audit_append(
        &self,
        key: &AuditKey,
        stamp: &Stamp,
        e: &AuditEvent,
    ) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute_batch("SAVEPOINT audit_append")?;
        let result = (|| {
            let last: Option<(i64, String)> = conn
                .query_row(
                    "SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (prev_seq, prev_mac) = match last {
                Some((seq, mac)) => (seq, hex::decode(mac).unwrap_or_default()),
                None => (0, vec![0u8; 32]),
            };
            let mut record = AuditRecord {
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
            conn.execute(
                &format!("INSERT INTO audit ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
                params![
                    record.seq,
                    record.at,
                    record.utc_offset_secs,
                    record.terminal,
                    record.event,
                    record.username,
                    record.session_id,
                    record.duration_ms,
                    record.details,
                    record.mac
                ],
            )?;
            Ok::<i64, StoreError>(record.seq)
        })();
        match result {
            Ok(seq) => {
                conn.execute_batch("RELEASE audit_append")?;
                Ok(seq)
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK TO audit_append; RELEASE audit_append");
                Err(e)
            }
        }
    }

    /// Walks the whole chain. With an anchor, also checks that the anchored record is still
    /// there with the same mac (so a truncated tail is found).
    pub fn audit_verify(
        &self,
        key: &AuditKey,
        anchor: Option<&(i64, String)>,
    ) -> Result<VerifyReport, AuditError> {
        let mut stmt = self
            .conn()
            .prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))
            .map_err(StoreError::from)?;
        let mut rows = stmt.query([]).map_err(StoreError::from)?;
        // After pruning, the chain starts from the last pruned record's mac, which the newest
        // `audit_pruned` record carries (and its own mac vouches for).
        let (mut prev, mut expected) = match self.last_prune()? {
            Some((through, mac)) => (hex::decode(mac).unwrap_or_default(), through + 1),
            None => (vec![0u8; 32], 1_i64),
        };
        let pruned_through = expected - 1;
        // The keyed state is made once and copied per record; one buffer serves every encoding.
        let keyed_state = keyed(key);
        let mut buf = Vec::with_capacity(512);
        let mut hex_mac = [0u8; 64];
        let mut count = 0_u64;
        let mut head = None;
        let mut anchor_seen = false;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let r = row_to_record(row).map_err(StoreError::from)?;
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
            let mut m = keyed_state.clone();
            m.update(&prev);
            encode_into(&r, &mut buf);
            m.update(&buf);
            let mac: [u8; 32] = m.finalize().into_bytes().into();
            hex::encode_to_slice(mac, &mut hex_mac).expect("64 hex digits for 32 bytes");
            if hex_mac[..] != *r.mac.as_bytes() {
                return Err(AuditError::Broken {
                    seq: r.seq,
                    what: "it was edited, moved, or the chain was rewritten without the key".into(),
                });
            }
            if let Some((seq, m)) = anchor {
                if *seq == r.seq {
                    if *m != r.mac {
                        return Err(AuditError::Broken {
                            seq: r.seq,
                            what: "it does not match the anchor".into(),
                        });
                    }
                    anchor_seen = true;
                }
            }
            prev = mac.to_vec();
            expected += 1;
            count += 1;
            head = Some(format!("{}:{}", r.seq, r.mac));
        }
        if let Some((seq, _)) = anchor {
            if !anchor_seen && *seq <= pruned_through {
                return Err(AuditError::Broken {
                    seq: *seq,
                    what: format!(
                        "the anchor's record was pruned (records up to {pruned_through} are gone by retention); take a newer anchor"
                    ),
                });
            }
            if !anchor_seen {
                return Err(AuditError::Broken {
                    seq: *seq,
                    what: format!(
                        "the log ends at record {} but the anchor is record {seq}: records were removed from the end",
                        expected - 1
                    ),
                });
            }
        }
        Ok(VerifyReport {
            records: count,
            head,
        })
    }

    /// What the newest `audit_pruned` record says: the last pruned sequence number and its mac.
    fn last_prune(&self) -> Result<Option<(i64, String)>, AuditError> {
        let details: Option<String> = self
            .conn()
            .query_row(
                "SELECT details FROM audit WHERE event = 'audit_pruned' ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::from)?;
        let Some(details) = details else {
            return Ok(None);
        };
        let v: serde_json::Value = serde_json::from_str(&details).unwrap_or_default();
        match (v["through_seq"].as_i64(), v["last_mac"].as_str()) {
            (Some(seq), Some(mac)) => Ok(Some((seq, mac.to_owned()))),
            _ => Err(AuditError::Broken {
                seq: 0,
                what: "an audit_pruned record is malformed".into(),
            }),
        }
    }

    /// Removes the records older than `before` (the oldest unbroken run of them) and appends an
    /// `audit_pruned` record carrying the last removed record's mac, so the chain still verifies.
    /// Returns how many were removed.
    pub fn audit_prune(
        &self,
        key: &AuditKey,
        stamp: &Stamp,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.atomically(|s| {
            let first_kept: Option<i64> = s
                .conn()
                .query_row(
                    "SELECT min(seq) FROM audit WHERE at >= ?1",
                    [to_db(before)],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let last: Option<(i64, String)> = s
                .conn()
                .query_row(
                    "SELECT seq, mac FROM audit WHERE seq < coalesce(?1, 9223372036854775807)
                     ORDER BY seq DESC LIMIT 1",
                    [first_kept],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((through, mac)) = last else {
                return Ok(0);
            };
            s.conn().execute_batch(
                "INSERT INTO meta (key, value) VALUES ('audit_pruning', '1')
                 ON CONFLICT (key) DO UPDATE SET value = '1';",
            )?;
            let removed = s
                .conn()
                .execute("DELETE FROM audit WHERE seq <= ?1", [through])?;
            s.conn().execute(
                "UPDATE meta SET value = '0' WHERE key = 'audit_pruning'",
                [],
            )?;
            s.audit_append(
                key,
                stamp,
                &AuditEvent::new(
                    Event::AuditPruned,
                    serde_json::json!({
                        "through_seq": through,
                        "last_mac": mac,
                        "removed": removed,
                        "before": to_db(before),
                    }),
                ),
            )?;
            Ok(u64::try_from(removed).unwrap_or(0))
        })
    }

    /// The newest records matching `f`, newest first. Every filter has an index (migration 5), so
    /// the first page of ten million records comes back in milliseconds (`make bench`).
    pub fn audit_list(&self, f: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        // The account's own spelling when it exists (so any case finds a non-ASCII name);
        // SQLite's lower() covers the ASCII case of removed accounts' names.
        let user = match &f.username {
            Some(u) => Some(
                super::auth::Username::parse(u)
                    .ok()
                    .map(|name| {
                        self.conn()
                            .query_row(
                                "SELECT username FROM users WHERE username_key = ?1",
                                [name.key()],
                                |r| r.get::<_, String>(0),
                            )
                            .optional()
                    })
                    .transpose()?
                    .flatten()
                    .unwrap_or_else(|| u.clone()),
            ),
            None => None,
        };
        let mut sql = format!("SELECT {COLUMNS} FROM audit WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        // `clause` holds one `?`, replaced by the argument's number.
        let mut add = |clause: &str, v: &str| {
            args.push(v.to_owned());
            let _ = write!(
                sql,
                " AND {}",
                clause.replace('?', &format!("?{}", args.len()))
            );
        };
        if let Some(u) = &user {
            add("lower(username) = lower(?)", u);
        }
        if let Some(e) = &f.event {
            add("event = ?", e);
        }
        if let Some(r) = &f.reason {
            add("json_extract(details, '$.reason') = ?", r);
        }
        if let Some(s) = &f.since {
            add("at >= ?", s);
        }
        if let Some(u) = &f.until {
            add("at < ?", u);
        }
        // With a time filter the list is in recorded-time order (newest first, by sequence
        // number within a second), which the `at` index (it ends in the sequence number, the
        // rowid) serves directly: ordering by sequence number instead would make SQLite walk
        // every newer record to find the first one before `until` (350 ms at ten million).
        let by_time = f.since.is_some() || f.until.is_some();
        if let Some(b) = f.before_seq {
            if by_time {
                add(
                    "(at, seq) < (SELECT at, seq FROM audit WHERE seq = ?)",
                    &b.to_string(),
                );
            } else {
                add("seq < ?", &b.to_string());
            }
        }
        let order = if by_time {
            "at DESC, seq DESC"
        } else {
            "seq DESC"
        };
        let _ = write!(sql, " ORDER BY {order} LIMIT {}", f.limit.max(1));
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), row_to_record)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every record, oldest first, for export.
    pub fn audit_all(&self, mut each: impl FnMut(AuditRecord)) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn()
            .prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))?;
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            each(row_to_record(row)?);
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store() -> (Store, tempfile::TempDir) {
        let tmp = tempfile::tempdir().unwrap();
        (Store::open(&tmp.path().join("slate.db")).unwrap(), tmp)
    }

    fn stamp() -> Stamp {
        Stamp {
            at: DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            offset: FixedOffset::east_opt(3600).unwrap(),
            terminal: "library-1".into(),
        }
    }

    fn key() -> AuditKey {
        AuditKey::from_bytes([7; 32])
    }

    fn fill(s: &Store, n: usize) {
        for i in 0..n {
            s.audit_append(
                &key(),
                &stamp(),
                &AuditEvent::new(Event::SignOut, json!({ "reason": "idle", "i": i }))
                    .user(Some("ana"))
                    .session("s1")
                    .duration_ms(Some(1000)),
            )
            .unwrap();
        }
    }

    fn broken_at(s: &Store, anchor: Option<&(i64, String)>) -> (i64, String) {
        match s.audit_verify(&key(), anchor) {
            Err(AuditError::Broken { seq, what }) => (seq, what),
            other => panic!("expected a break, got {other:?}"),
        }
    }

    /// Edits behind the triggers' back, as someone with the file and sqlite3 could.
    fn tamper(s: &Store, sql: &str) {
        s.conn()
            .execute_batch(&format!(
                "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; {sql}"
            ))
            .unwrap();
    }

    #[test]
    fn an_intact_chain_verifies_and_gives_its_anchor() {
        let (s, _t) = store();
        fill(&s, 5);
        let report = s.audit_verify(&key(), None).unwrap();
        assert_eq!(report.records, 5);
        let head = report.head.unwrap();
        assert!(head.starts_with("5:"));
        let anchor = parse_anchor(&head).unwrap();
        assert_eq!(s.audit_verify(&key(), Some(&anchor)).unwrap().records, 5);
    }

    #[test]
    fn the_table_refuses_updates_and_deletes() {
        let (s, _t) = store();
        fill(&s, 2);
        let upd = s
            .conn()
            .execute("UPDATE audit SET event = 'x' WHERE seq = 1", []);
        assert!(upd.unwrap_err().to_string().contains("append-only"));
        let del = s.conn().execute("DELETE FROM audit WHERE seq = 2", []);
        assert!(del.unwrap_err().to_string().contains("append-only"));
    }

    #[test]
    fn an_edited_field_is_found() {
        let (s, _t) = store();
        fill(&s, 5);
        tamper(&s, "UPDATE audit SET username = 'bob' WHERE seq = 3;");
        assert_eq!(broken_at(&s, None).0, 3);
    }

    #[test]
    fn a_deleted_middle_record_is_found() {
        let (s, _t) = store();
        fill(&s, 5);
        tamper(&s, "DELETE FROM audit WHERE seq = 2;");
        let (seq, what) = broken_at(&s, None);
        assert_eq!(seq, 2);
        assert!(what.contains("missing"), "{what}");
    }

    #[test]
    fn two_swapped_records_are_found() {
        let (s, _t) = store();
        fill(&s, 5);
        tamper(
            &s,
            "UPDATE audit SET seq = -2 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3;
             UPDATE audit SET seq = 3 WHERE seq = -2;",
        );
        assert_eq!(broken_at(&s, None).0, 2);
    }

    #[test]
    fn a_truncated_tail_is_found_with_an_anchor() {
        let (s, _t) = store();
        fill(&s, 5);
        let anchor = parse_anchor(&s.audit_verify(&key(), None).unwrap().head.unwrap()).unwrap();
        tamper(&s, "DELETE FROM audit WHERE seq >= 4;");
        assert!(
            s.audit_verify(&key(), None).is_ok(),
            "without an anchor it looks intact"
        );
        let (seq, what) = broken_at(&s, Some(&anchor));
        assert_eq!(seq, 5);
        assert!(what.contains("removed from the end"), "{what}");
    }

    #[test]
    fn a_chain_recomputed_without_the_key_is_found() {
        let (s, _t) = store();
        fill(&s, 3);
        // Rewrite record 2 and recompute every mac from there with a guessed key.
        let wrong = AuditKey::from_bytes([8; 32]);
        let mut prev = hex::decode(
            s.audit_list(&AuditFilter {
                limit: 10,
                ..AuditFilter::default()
            })
            .unwrap()
            .iter()
            .find(|r| r.seq == 1)
            .unwrap()
            .mac
            .clone(),
        )
        .unwrap();
        let mut records = s
            .audit_list(&AuditFilter {
                limit: 10,
                ..AuditFilter::default()
            })
            .unwrap();
        records.reverse();
        let mut sql = String::new();
        for mut r in records.into_iter().skip(1) {
            r.username = Some("mallory".into());
            let mac = compute_mac(&wrong, &prev, &r);
            let _ = write!(
                sql,
                "UPDATE audit SET username = 'mallory', mac = '{}' WHERE seq = {};",
                hex::encode(mac),
                r.seq
            );
            prev = mac.to_vec();
        }
        tamper(&s, &sql);
        assert_eq!(broken_at(&s, None).0, 2);
    }

    #[test]
    fn the_key_file_is_private_and_stable() {
        let tmp = tempfile::tempdir().unwrap();
        let a = AuditKey::load_or_create(tmp.path()).unwrap();
        let b = AuditKey::load_or_create(tmp.path()).unwrap();
        assert_eq!(a.0[..], b.0[..]);
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&tmp.path().join("keys")), 0o700);
        assert_eq!(mode(&tmp.path().join("keys/audit.key")), 0o600);
        fs::write(tmp.path().join("keys/audit.key"), b"short").unwrap();
        let err = AuditKey::load_or_create(tmp.path()).unwrap_err();
        assert!(err.to_string().contains("5 bytes, not 32"), "{err}");
        assert_eq!(format!("{a:?}"), "AuditKey(<redacted>)");
    }

    #[test]
    fn pruning_keeps_the_chain_verifiable_and_tampering_still_shows() {
        let (s, _t) = store();
        fill(&s, 5);
        let old_anchor =
            parse_anchor(&s.audit_verify(&key(), None).unwrap().head.unwrap()).unwrap();
        let later = Stamp {
            at: stamp().at + chrono::Duration::days(400),
            ..stamp()
        };
        for i in 0..3 {
            s.audit_append(
                &key(),
                &later,
                &AuditEvent::new(Event::SignIn, json!({ "i": i })),
            )
            .unwrap();
        }
        let removed = s
            .audit_prune(&key(), &later, later.at - chrono::Duration::days(365))
            .unwrap();
        assert_eq!(removed, 5);
        let report = s.audit_verify(&key(), None).unwrap();
        assert_eq!(report.records, 4, "3 kept + the audit_pruned record");
        let (seq, what) = broken_at(&s, Some(&old_anchor));
        assert_eq!(seq, 5);
        assert!(what.contains("was pruned"), "{what}");
        // Pruning again with nothing old enough changes nothing.
        assert_eq!(s.audit_prune(&key(), &later, stamp().at).unwrap(), 0);
        // The first kept record cannot be removed unnoticed.
        tamper(&s, "DELETE FROM audit WHERE seq = 6;");
        let (seq, what) = broken_at(&s, None);
        assert_eq!(seq, 6);
        assert!(what.contains("missing"), "{what}");
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

    #[test]
    fn records_can_be_filtered() {
        let (s, _t) = store();
        fill(&s, 3);
        s.audit_append(
            &key(),
            &stamp(),
            &AuditEvent::new(Event::SignInFailed, json!({"reason": "bad_credentials"})),
        )
        .unwrap();
        let failed = s
            .audit_list(&AuditFilter {
                event: Some("sign_in_failed".into()),
                limit: 10,
                ..AuditFilter::default()
            })
            .unwrap();
        assert_eq!(failed.len(), 1);
        let idle = s
            .audit_list(&AuditFilter {
                reason: Some("idle".into()),
                username: Some("ANA".into()),
                limit: 2,
                ..AuditFilter::default()
            })
            .unwrap();
        assert_eq!(idle.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 2]);
    }

    #[test]
    fn time_filters_list_in_recorded_time_order_and_page_exactly() {
        let (s, _t) = store();
        // The wall clock was set back between the second and third record.
        for secs in [0, 10, 5, 20] {
            let at = Stamp {
                at: stamp().at + chrono::Duration::seconds(secs),
                ..stamp()
            };
            s.audit_append(
                &key(),
                &at,
                &AuditEvent::new(Event::SignIn, json!({ "t": secs })),
            )
            .unwrap();
        }
        let until = to_db(stamp().at + chrono::Duration::seconds(15));
        let page = |before: Option<i64>| {
            s.audit_list(&AuditFilter {
                until: Some(until.clone()),
                limit: 1,
                before_seq: before,
                ..AuditFilter::default()
            })
            .unwrap()
            .first()
            .map(|r| r.seq)
        };
        let mut seen = Vec::new();
        let mut before = None;
        while let Some(seq) = page(before) {
            seen.push(seq);
            before = Some(seq);
        }
        assert_eq!(
            seen,
            [2, 3, 1],
            "every record before `until`, newest recorded time first"
        );
    }
}
