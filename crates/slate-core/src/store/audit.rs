//! The `audit` table: appends chained records, lists and exports them, prunes by retention, and
//! feeds them in order to the chain check. What a record is, its mac and the verification logic
//! live in [`crate::audit`]; this module only reads and writes rows.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::audit::{
    prune_point, AuditError, AuditEvent, AuditFilter, AuditKey, AuditRecord, ChainCheck, Stamp,
    VerifyReport,
};
use crate::auth::Username;
use crate::clock::to_db;

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

impl Store {
    /// Appends a record, chained to the last one, inside a savepoint (so it commits with the
    /// caller's transaction, or on its own). Returns its sequence number.
    pub fn audit_append(
        &self,
        key: &AuditKey,
        stamp: &Stamp,
        e: &AuditEvent,
    ) -> Result<i64, StoreError> {
        self.append_after(key, stamp, e, None)
    }

    /// [`Store::audit_append`]; when the log holds no record, the new one follows `removed`
    /// (the last record a prune removed, its sequence number and MAC) instead of starting the
    /// chain again at 1: the numbers go on, and the chain with them.
    fn append_after(
        &self,
        key: &AuditKey,
        stamp: &Stamp,
        e: &AuditEvent,
        removed: Option<(i64, &str)>,
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
                .optional()?
                .or_else(|| removed.map(|(seq, mac)| (seq, mac.to_owned())));
            let record = AuditRecord::chained(
                key,
                last.as_ref().map(|(seq, mac)| (*seq, mac.as_str())),
                stamp,
                e,
            );
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

    /// Whether the log has no record at all (pruning leaves one, so only a log never written
    /// to is empty): the only time a new audit key may be made.
    pub fn audit_is_empty(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM audit)", [], |r| r.get(0))?)
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
        let mut check = ChainCheck::new(key, self.last_prune()?, anchor);
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            check.record(&row_to_record(row).map_err(StoreError::from)?)?;
        }
        check.finish()
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
        details.as_deref().map(prune_point).transpose()
    }

    /// Where the last prune at or before record `up_to` cut the chain: the last record it
    /// removed (`None`: no prune there).
    pub fn last_prune_point(&self, up_to: i64) -> Result<Option<i64>, StoreError> {
        let details: Option<String> = self
            .conn()
            .query_row(
                "SELECT details FROM audit WHERE event = ?1 AND seq <= ?2
                 ORDER BY seq DESC LIMIT 1",
                params![crate::audit::Event::AuditPruned.as_str(), up_to],
                |r| r.get(0),
            )
            .optional()?;
        Ok(details.and_then(|d| crate::audit::prune_point(&d).ok().map(|(seq, _)| seq)))
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
            // A prune that removed every record: its own record goes on from the last one
            // removed (a log idle for longer than its retention keeps its numbers and chain).
            s.append_after(
                key,
                stamp,
                &AuditEvent::pruned(through, &mac, removed, before),
                Some((through, &mac)),
            )?;
            Ok(u64::try_from(removed).unwrap_or(0))
        })
    }

    /// Up to `limit` records after `after_seq`, oldest first.
    pub fn audit_after(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![after_seq, limit], row_to_record)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The MAC the record `seq` has, if the log holds it.
    pub fn audit_mac(&self, seq: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT mac FROM audit WHERE seq = ?1", [seq], |r| r.get(0))
            .optional()?)
    }

    /// How many records the log holds of `event` (an index-only count).
    pub fn audit_event_count(&self, event: &str) -> Result<u64, StoreError> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM audit WHERE event = ?1",
            [event],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// How many records the log holds whose details say `reason` (an index-only count: the
    /// reasons of sign-in failures and of endings are spelled apart).
    pub fn audit_reason_count(&self, reason: &str) -> Result<u64, StoreError> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM audit WHERE json_extract(details, '$.reason') = ?1",
            [reason],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The newest records matching `f`, newest first. Every filter has an index (migration 5), so
    /// the first page of ten million records comes back in milliseconds (`make bench`).
    pub fn audit_list(&self, f: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        // The account's own spelling when it exists (so any case finds a non-ASCII name);
        // SQLite's lower() covers the ASCII case of removed accounts' names.
        let user = match &f.username {
            Some(u) => Some(
                match Username::parse(u) {
                    Ok(name) => self.find_account(&name)?.map(|a| a.username),
                    Err(_) => None,
                }
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
    pub fn audit_all(
        &self,
        after_seq: i64,
        mut each: impl FnMut(AuditRecord),
    ) -> Result<u64, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM audit WHERE seq > ?1 ORDER BY seq"
        ))?;
        let mut rows = stmt.query([after_seq])?;
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
    use crate::audit::{compute_mac, parse_anchor, Event};
    use chrono::FixedOffset;
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

    /// Three rows as a log written with hmac 0.12 and sha2 0.10 holds them: their macs were
    /// computed by those crates (and agree with Python's `hmac` and `hashlib`) and are pinned
    /// here, so a change of the crates that compute the mac (or of the record's encoding) cannot
    /// leave the logs already on the kiosks unverifiable. A guest's records (absent username and
    /// duration), a non-ASCII terminal, a negative offset, microseconds.
    #[rustfmt::skip]
    const EARLIER_LOG: [EarlierRow; 3] = [
        (1, "2026-09-21T14:13:20.000000Z", 3600, "library-1", "sign_in", None, Some("s1"), None,
         r#"{"kind":"guest"}"#,
         "cd55007b6337ffaa42e112830bce2d2d838bd87a7a56b49f77383e169c38793f"),
        (2, "2026-09-21T14:43:20.250000Z", 3600, "library-1", "sign_out", None, Some("s1"),
         Some(1_800_250), r#"{"reason":"idle"}"#,
         "367deaf1c5439d273fbf501f614e0715f129c23fe59e3002c5e48cc4542e7788"),
        (3, "2026-09-22T08:00:00.000001Z", -18000, "Biblioth\u{e8}que 2", "setting_changed",
         Some("ana"), None, None,
         r#"{"by":"admin","key":"idle_timeout","new":"10m","old":"5m"}"#,
         "e7977b341c93b9787b7fe5c97d596ad91cb0669a990d746392debced0c2f4846"),
    ];

    type EarlierRow = (
        i64,
        &'static str,
        i64,
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<i64>,
        &'static str,
        &'static str,
    );

    #[test]
    fn a_log_written_by_earlier_versions_still_verifies_and_grows() {
        let (s, _t) = store();
        let insert = format!(
            "INSERT INTO audit ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        );
        for (seq, at, offset, terminal, event, user, session, ms, details, mac) in EARLIER_LOG {
            let row = params![seq, at, offset, terminal, event, user, session, ms, details, mac];
            s.conn().execute(&insert, row).unwrap();
        }
        let head = format!("3:{}", EARLIER_LOG[2].9);
        let report = s.audit_verify(&key(), None).unwrap();
        assert_eq!(
            (report.records, report.head.as_deref()),
            (3, Some(head.as_str()))
        );
        let anchor = parse_anchor(&head).unwrap();
        assert_eq!(s.audit_verify(&key(), Some(&anchor)).unwrap().records, 3);
        // The same macs from the records alone, as an append computes them.
        let mut prev = vec![0u8; 32];
        s.audit_all(0, |record| {
            let mac = compute_mac(&key(), &prev, &record);
            assert_eq!(hex::encode(mac), record.mac, "record {}", record.seq);
            prev = mac.to_vec();
        })
        .unwrap();
        fill(&s, 1);
        assert_eq!(s.audit_verify(&key(), Some(&anchor)).unwrap().records, 4);
    }
}
