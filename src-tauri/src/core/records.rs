//! Session records in SQLite: a session is committed as open before the person can use it, and
//! marked ended (with its reason and duration) after the end steps. This module owns the
//! `sessions` table; the session manager ([`super::session`]) decides when to write.

use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::{params, OptionalExtension};

use super::api::{EndReason, SessionKind};
use super::clock::{from_db, to_db};
use super::store::{Store, StoreError};

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
    })
}

const COLUMNS: &str =
    "id, username, display_name, kind, started_at, ended_at, end_reason, duration_ms";

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

    /// Marks a session ended; `false` if it was not open.
    pub fn record_session_end(
        &self,
        id: &str,
        reason: EndReason,
        ended_at: DateTime<Utc>,
        duration_ms: Option<i64>,
    ) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE sessions SET ended_at = ?2, end_reason = ?3, duration_ms = ?4
             WHERE id = ?1 AND ended_at IS NULL",
            params![id, to_db(ended_at), reason.as_db(), duration_ms],
        )? > 0)
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
