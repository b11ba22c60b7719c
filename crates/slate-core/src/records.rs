//! Session records in SQLite: a session is committed as open before the person can use it, and
//! marked ended (with its reason and duration) after the end steps. This module owns the
//! `sessions` table; the session manager ([`super::session`]) decides when to write.

use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::{params, OptionalExtension};

use super::api::{EndReason, SessionKind};
use super::clock::{from_db, to_db};
use super::store::{Store, StoreError};
use super::wipe::WipeReceipt;

/// The person using the kiosk now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveSession {
    /// 128 random bits, hex.
    pub id: String,
    pub display_name: String,
    pub kind: SessionKind,
    /// The account's username; `None` for a guest.
    pub username: Option<String>,
    pub started_at: chrono::DateTime<chrono::Utc>,
}

/// A session row as `slatectl session list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionRecord {
    pub id: String,
    pub username: Option<String>,
    pub display_name: String,
    pub kind: SessionKind,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<EndReason>,
    pub duration_ms: Option<i64>,
    /// Whether the wipe at its ending was complete and re-checked (`None` while open).
    pub erased: Option<bool>,
}

fn kind_db(k: SessionKind) -> &'static str {
    match k {
        SessionKind::User => "user",
        SessionKind::Admin => "admin",
        SessionKind::Guest => "guest",
    }
}

fn kind_from(s: &str) -> SessionKind {
    match s {
        "admin" => SessionKind::Admin,
        "guest" => SessionKind::Guest,
        _ => SessionKind::User,
    }
}

impl EndReason {
    /// The reason as stored.
    pub fn as_db(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Idle => "idle",
            Self::TimeLimit => "time_limit",
            Self::Admin => "admin",
            Self::Shutdown => "shutdown",
            Self::Recovered => "recovered",
        }
    }

    fn from_db(s: &str) -> Option<Self> {
        Some(match s {
            "user" => Self::User,
            "idle" => Self::Idle,
            "time_limit" => Self::TimeLimit,
            "admin" => Self::Admin,
            "shutdown" => Self::Shutdown,
            "recovered" => Self::Recovered,
            _ => return None,
        })
    }
}

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        kind: kind_from(&r.get::<_, String>(3)?),
        started_at: r.get(4)?,
        ended_at: r.get(5)?,
        end_reason: r
            .get::<_, Option<String>>(6)?
            .and_then(|s| EndReason::from_db(&s)),
        duration_ms: r.get(7)?,
        erased: r.get(8)?,
    })
}

const COLUMNS: &str =
    "id, username, display_name, kind, started_at, ended_at, end_reason, duration_ms, wipe_ok";

/// A username, its last sign-in and its last sign-out (UTC, RFC 3339).
pub type LastSessionTimes = (String, Option<String>, Option<String>);

impl Store {
    /// Commits a new open session.
    pub fn record_session_open(
        &self,
        id: &str,
        username: Option<&str>,
        display_name: &str,
        kind: SessionKind,
        started_at: DateTime<Utc>,
        offset: FixedOffset,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO sessions (id, username, display_name, kind, started_at, utc_offset_secs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                username,
                display_name,
                kind_db(kind),
                to_db(started_at),
                offset.local_minus_utc()
            ],
        )?;
        Ok(())
    }

    /// Marks a session ended, with its wipe receipt; `false` if it was not open.
    pub fn record_session_end(
        &self,
        id: &str,
        reason: EndReason,
        ended_at: DateTime<Utc>,
        duration_ms: Option<i64>,
        receipt: &WipeReceipt,
    ) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE sessions SET ended_at = ?2, end_reason = ?3, duration_ms = ?4,
                                 wipe_receipt = ?5, wipe_ok = ?6
             WHERE id = ?1 AND ended_at IS NULL",
            params![
                id,
                to_db(ended_at),
                reason.as_db(),
                duration_ms,
                serde_json::to_string(receipt).unwrap_or_default(),
                receipt.complete()
            ],
        )? > 0)
    }

    /// Replaces the receipt of an ended session whose wipe failed, after a retry.
    pub fn record_rewipe(&self, id: &str, receipt: &WipeReceipt) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE sessions SET wipe_receipt = ?2, wipe_ok = ?3 WHERE id = ?1",
            params![
                id,
                serde_json::to_string(receipt).unwrap_or_default(),
                receipt.complete()
            ],
        )?;
        Ok(())
    }

    /// Removes the rows of sessions that ended before `before` and were wiped (a session whose
    /// wipe failed stays until it succeeds). Returns how many went.
    pub fn prune_sessions(&self, before: &str) -> Result<u64, StoreError> {
        self.atomically(|s| {
            s.conn().execute(
                "DELETE FROM session_values WHERE session_id IN
                 (SELECT id FROM sessions WHERE ended_at < ?1 AND wipe_ok = 1)",
                [before],
            )?;
            let n = s.conn().execute(
                "DELETE FROM sessions WHERE ended_at < ?1 AND wipe_ok = 1",
                [before],
            )?;
            Ok::<u64, StoreError>(u64::try_from(n).unwrap_or(0))
        })
    }

    /// For each username with sessions: the last start and the last end (UTC, RFC 3339).
    pub fn last_session_times(&self) -> Result<Vec<LastSessionTimes>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT username, max(started_at), max(ended_at) FROM sessions
             WHERE username IS NOT NULL GROUP BY username",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ended sessions whose wipe failed and must be retried: `(id, started_at)`.
    pub fn failed_wipes(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, started_at FROM sessions WHERE wipe_ok = 0 ORDER BY started_at")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The receipt recorded with a session's ending.
    pub fn wipe_receipt(&self, id: &str) -> Result<Option<WipeReceipt>, StoreError> {
        let text: Option<String> = self
            .conn()
            .query_row(
                "SELECT wipe_receipt FROM sessions WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Stores a value for the live session (a preference).
    pub fn set_session_value(&self, id: &str, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO session_values (session_id, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (session_id, key) DO UPDATE SET value = excluded.value",
            params![id, key, value],
        )?;
        Ok(())
    }

    /// The values stored for a session.
    pub fn session_values(&self, id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT key, value FROM session_values WHERE session_id = ?1 ORDER BY key")?;
        let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes a session's values (overwritten on disk: `secure_delete` is on) and checkpoints
    /// the WAL so the deleted pages do not linger in it. Returns (values, bytes) removed.
    pub fn wipe_session_values(&self, id: &str) -> Result<(u64, u64), StoreError> {
        let (items, bytes): (i64, i64) = self.conn().query_row(
            "SELECT count(*), coalesce(sum(length(key) + length(value)), 0)
             FROM session_values WHERE session_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        self.conn()
            .execute("DELETE FROM session_values WHERE session_id = ?1", [id])?;
        self.checkpoint()?;
        Ok((
            u64::try_from(items).unwrap_or(0),
            u64::try_from(bytes).unwrap_or(0),
        ))
    }

    /// Copies the WAL into the database and truncates it. A reader in another process can keep
    /// part of it alive; that part is overwritten by the next checkpoint.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Sessions still open (normally none, or the one in progress).
    pub fn open_sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM sessions WHERE ended_at IS NULL ORDER BY started_at"
        ))?;
        let rows = stmt.query_map([], row_to_record)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The most recent sessions, newest first.
    pub fn recent_sessions(&self, limit: u32) -> Result<Vec<SessionRecord>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM sessions ORDER BY started_at DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit], row_to_record)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One session by id.
    pub fn session_record(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM sessions WHERE id = ?1"),
                [id],
                row_to_record,
            )
            .optional()?)
    }

    /// Asks the running kiosk to end this open session (it acts within 2 s); `false` if the
    /// session is not open.
    pub fn request_session_end(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE sessions SET end_requested = 1 WHERE id = ?1 AND ended_at IS NULL",
            [id],
        )? > 0)
    }

    /// Whether an administrator asked to end this session.
    pub fn session_end_requested(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT end_requested FROM sessions WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }
}

/// How long a recovered session lasted, from its wall-clock start (the boot clock of a previous
/// run cannot be read after a restart); `None` when the clock went backwards.
pub fn wall_duration_ms(started_at: &str, now: DateTime<Utc>) -> Option<i64> {
    let start = from_db(started_at)?;
    let ms = (now - start).num_milliseconds();
    (ms >= 0).then_some(ms)
}
