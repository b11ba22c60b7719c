//! The `usage_hours` table: anonymous counts of ended sessions by the local hour they started
//! (no name, no id; the kind, source, patron type or group, ending and length), which a session's row is folded into when the row is pruned; and the usage
//! rows [`crate::usage`] makes its reports from, read from both.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Timelike};
use rusqlite::params;

use super::{Store, StoreError};
use crate::accounts::Source;
use crate::api::{EndReason, SessionKind};
use crate::clock::{from_db, to_db};
use crate::usage::{whole_minutes, DayRange, UsageRow};

/// `usage_hours.source` for a guest (a session row's is NULL).
const GUEST: &str = "guest";

/// The columns [`session_row`] reads, in its order.
const SESSION_COLUMNS: &str =
    "started_at, utc_offset_secs, kind, source, end_reason, duration_ms, patron_group";

/// A session row's figures ([`SESSION_COLUMNS`]) as a usage row of one session; `None` for a
/// row whose start cannot be read (the schema keeps those out).
fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<UsageRow>> {
    let started_at: String = r.get(0)?;
    let offset_secs: i32 = r.get(1)?;
    let kind: SessionKind = r.get(2)?;
    let source: Option<Source> = r.get(3)?;
    let end_reason: EndReason = r.get(4)?;
    let ms = u64::try_from(r.get::<_, Option<i64>>(5)?.unwrap_or(0)).unwrap_or(0);
    let group: Option<String> = r.get(6)?;
    let local = FixedOffset::east_opt(offset_secs)
        .and_then(|offset| Some(from_db(&started_at)?.with_timezone(&offset)));
    Ok(local.map(|local: DateTime<FixedOffset>| UsageRow {
        day: local.date_naive(),
        hour: u8::try_from(local.hour()).unwrap_or(0),
        kind,
        source,
        group: group.unwrap_or_default(),
        end_reason,
        minutes: whole_minutes(ms),
        sessions: 1,
        total_ms: ms,
    }))
}

fn source_text(source: Option<Source>) -> &'static str {
    source.map_or(GUEST, Source::as_str)
}

impl Store {
    /// The usage rows of the days of `range`: the ended sessions' own rows, and the counts of
    /// the sessions already folded.
    pub fn usage_rows(&self, range: DayRange) -> Result<Vec<UsageRow>, StoreError> {
        // A local day lies within a day either side of the same UTC day.
        let utc = |day: NaiveDate| to_db(day.and_time(NaiveTime::MIN).and_utc());
        let (from, to) = (
            utc(range.since - Duration::days(1)),
            utc(range.until + Duration::days(2)),
        );
        let mut rows = Vec::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions
             WHERE ended_at IS NOT NULL AND started_at >= ?1 AND started_at < ?2"
        ))?;
        let sessions = stmt.query_map(params![from, to], session_row)?;
        for row in sessions {
            if let Some(row) = row?.filter(|r| range.contains(r.day)) {
                rows.push(row);
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT day, hour, kind, source, end_reason, minutes, sessions, total_ms,
                    patron_group
             FROM usage_hours WHERE day >= ?1 AND day <= ?2",
        )?;
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let folded = stmt.query_map(params![day(range.since), day(range.until)], |r| {
            let source: String = r.get(3)?;
            Ok((
                r.get::<_, String>(0)?,
                UsageRow {
                    day: NaiveDate::MIN,
                    hour: r.get(1)?,
                    kind: r.get(2)?,
                    source: Source::from_name(&source),
                    group: r.get(8)?,
                    end_reason: r.get(4)?,
                    minutes: r.get(5)?,
                    sessions: r.get::<_, i64>(6)?.try_into().unwrap_or(0),
                    total_ms: r.get::<_, i64>(7)?.try_into().unwrap_or(0),
                },
            ))
        })?;
        for row in folded {
            let (day, mut row) = row?;
            if let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
                row.day = day;
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// Folds the sessions that ended, wiped, before `before` (UTC, as stored) into the hourly
    /// counts, and deletes their rows and values: one transaction, so each session is counted
    /// once, in its row or in the counts. How many sessions were folded.
    pub fn fold_sessions(&self, before: &str) -> Result<u64, StoreError> {
        self.atomically(|store| {
            let mut stmt = store.conn.prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE ended_at < ?1 AND wipe_ok = 1"
            ))?;
            let rows = stmt
                .query_map([before], session_row)?
                .collect::<Result<Vec<_>, _>>()?;
            let mut add = store.conn.prepare_cached(
                "INSERT INTO usage_hours
                     (day, hour, kind, source, end_reason, minutes, sessions, total_ms,
                      patron_group)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (day, hour, kind, source, patron_group, end_reason, minutes)
                 DO UPDATE SET
                     sessions = sessions + excluded.sessions,
                     total_ms = total_ms + excluded.total_ms",
            )?;
            for row in rows.iter().flatten() {
                add.execute(params![
                    row.day.format("%Y-%m-%d").to_string(),
                    row.hour,
                    row.kind,
                    source_text(row.source),
                    row.end_reason,
                    row.minutes,
                    i64::try_from(row.sessions).unwrap_or(i64::MAX),
                    i64::try_from(row.total_ms).unwrap_or(i64::MAX),
                    row.group,
                ])?;
            }
            store.prune_sessions(before)
        })
    }
}
