//! The `sessions` and `session_values` tables: a session is committed as open before the person
//! can use it, and marked ended (with its reason, duration and wipe receipt) after the end steps.
//! What a session record is lives in [`crate::records`]; the session manager
//! ([`crate::session`]) decides when to write.

use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{params, OptionalExtension};

use super::{sql_text, unknown_text, Store, StoreError};
use crate::accounts::Source;
use crate::api::{EndReason, SessionKind};
use crate::clock::{from_db, to_db};
use crate::records::{ActiveSession, LastSessionTimes, SessionRecord};
use crate::wipe::WipeReceipt;

sql_text!(Source {
    Local => "local",
    Ldap => "ldap",
    Sip2 => "sip2",
    Pam => "pam",
});

sql_text!(SessionKind {
    User => "user",
    Admin => "admin",
    Guest => "guest",
});

/// Stored as [`EndReason::as_str`], the one spelling of each reason.
impl ToSql for EndReason {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for EndReason {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = v.as_str()?;
        EndReason::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| unknown_text(text))
    }
}

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        kind: r.get(3)?,
        started_at: r.get(4)?,
        ended_at: r.get(5)?,
        end_reason: r.get(6)?,
        duration_ms: r.get(7)?,
        erased: r.get(8)?,
        source: r.get(9)?,
    })
}

const COLUMNS: &str = "id, username, display_name, kind, started_at, ended_at, end_reason, \
                       duration_ms, wipe_ok, source";

impl Store {
    /// How long `username` (of `source`) used this terminal (and, in a room, the room's other
    /// terminals) between `from` and `to` (UTC, as stored): the part of each ended session
    /// inside that time, by its wall-clock start and end.
    pub fn time_used(
        &self,
        username: &str,
        source: Option<crate::accounts::Source>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<std::time::Duration, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT started_at, ended_at FROM sessions
             WHERE username = ?1 AND source IS ?2 AND started_at < ?4
               AND ended_at IS NOT NULL AND ended_at > ?3",
        )?;
        let rows = stmt.query_map(params![username, source, to_db(from), to_db(to)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut spans = rows.collect::<Result<Vec<_>, _>>()?;
        // In a room, the person's time at the other terminals counts too.
        if let Some(room) = &self.room {
            spans.extend(room.sessions_elsewhere(username, source, &to_db(from), &to_db(to))?);
        }
        let mut used = chrono::Duration::zero();
        for (start, end) in spans {
            if let (Some(start), Some(end)) = (from_db(&start), from_db(&end)) {
                let part = end.min(to) - start.max(from);
                if part > chrono::Duration::zero() {
                    used += part;
                }
            }
        }
        Ok(used.to_std().unwrap_or_default())
    }

    /// Commits a new open session.
    pub fn record_session_open(
        &self,
        s: &ActiveSession,
        offset: FixedOffset,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO sessions
                (id, username, display_name, kind, started_at, utc_offset_secs, source,
                 patron_group)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                s.id,
                s.username,
                s.display_name,
                s.kind,
                to_db(s.started_at),
                offset.local_minus_utc(),
                s.source,
                s.group,
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
                reason,
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
