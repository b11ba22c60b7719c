//! The audit trail as the kiosk writes it: when and where each record happened (the stamp and
//! this terminal's name), appending inside the caller's transaction, reading, verifying and
//! pruning the chain, and sending it to the collector it is forwarded to.

use super::{lock, Kiosk, KioskError};
use crate::audit::{
    parse_anchor, AuditError, AuditEvent, AuditFilter, AuditRecord, Event, Stamp, VerifyReport,
};
use crate::forward::{self, Destination, ForwardStatus, Forwarded, JournalStatus};
use crate::journal;
use crate::store::{ForwardCursor, Store};
use std::path::Path;
use std::sync::Arc;

impl Kiosk {
    /// When and where, for an audit record.
    pub(super) fn stamp(&self, store: &Store) -> Stamp {
        Stamp {
            at: self.clock.now_utc(),
            offset: self.clock.local_offset(),
            terminal: self.terminal_name(store),
        }
    }

    /// This terminal's name: the `terminal_name` setting (policy, then administrator), else the
    /// host name. Uses the policy as last read (never re-reads it: the store is locked here).
    pub(super) fn terminal_name(&self, store: &Store) -> String {
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

    /// Appends an audit record inside the caller's transaction. Refused while the audit key
    /// cannot be used, and with it whatever the caller was about to do: nothing happens that
    /// the chain would not hold.
    pub(super) fn record(&self, store: &Store, e: AuditEvent) -> Result<(), KioskError> {
        let key = self.audit_key()?;
        store.audit_append(&key, &self.stamp(store), &e)?;
        Ok(())
    }

    /// Appends an audit record on its own.
    pub(super) fn record_now(&self, e: AuditEvent) -> Result<(), KioskError> {
        let store = lock(&self.store);
        self.record(&store, e)
    }

    /// The administrator `username` leaves kiosk mode for maintenance (the panel's "Leave kiosk
    /// mode"), recorded before the session ends.
    pub fn record_kiosk_left(&self, username: &str) -> Result<(), KioskError> {
        self.record_now(
            AuditEvent::new(Event::KioskLeft, serde_json::json!({})).user(Some(username)),
        )
    }

    /// Removes audit records older than `audit_retention_days` (nothing when it is 0, "keep
    /// forever"); the `audit_pruned` record keeps the chain verifiable. The rows of sessions
    /// that ended (wiped) before then, or before `usage_session_days` if that is sooner, are
    /// folded into the anonymous hourly counts of the usage statistics and go. Returns how many
    /// audit records and session rows went.
    pub fn prune_audit(&self) -> Result<(u64, u64), KioskError> {
        let settings = self.settings()?;
        let key = self.audit_key()?;
        let store = lock(&self.store);
        let stamp = self.stamp(&store);
        let cut = |days: Option<u32>| days.map(|d| stamp.at - chrono::Duration::days(i64::from(d)));
        let audit_cut = cut(settings.audit_retention_days);
        let records = match audit_cut {
            Some(before) => store.audit_prune(&key, &stamp, before)?,
            None => 0,
        };
        // The later of the two cuts: a row goes at whichever comes first.
        let sessions = match audit_cut.max(cut(settings.usage_session_days)) {
            Some(before) => store.fold_sessions(&crate::clock::to_db(before))?,
            None => 0,
        };
        Ok((records, sessions))
    }

    /// Sends the records the audit destination (`audit_forward_url`) does not have yet, up to
    /// one batch, and says what came of it. The database is not held while the collector is
    /// asked.
    pub fn forward_once(&self) -> Result<Forwarded, KioskError> {
        let s = self.settings()?;
        let Some(dest) = Destination::from_setting(&s.audit_forward_url, &s.audit_forward_ca_file)
        else {
            return Ok(Forwarded::Off);
        };
        let name = dest.name();
        let records = {
            let store = lock(&self.store);
            let cursor = store.forward_cursor(&name)?.unwrap_or_default();
            store.audit_after(cursor.sent_seq, forward::BATCH)?
        };
        let Some(last) = records.last().map(|r| r.seq) else {
            return Ok(Forwarded::UpToDate);
        };
        let result = forward::deliver(&dest, &records);
        let now = crate::clock::to_db(self.clock.moment().wall);
        let store = lock(&self.store);
        match result {
            Ok(()) => {
                store.forward_sent(&name, last, &now)?;
                Ok(Forwarded::Sent(records.len()))
            }
            Err(why) => {
                store.forward_failed(&name, &why, &now)?;
                Ok(Forwarded::Failed(why))
            }
        }
    }

    /// Sends the room (if the terminal is in one) the audit records it does not have yet, up to
    /// one batch, with the sessions they speak of as they are now, and says what came of it.
    /// The terminal's own file is the journal: while the room is away the records wait there,
    /// and go in order, once, when it is back (the room keeps a record by its terminal and
    /// sequence number, so one sent twice is stored once).
    pub fn room_once(&self) -> Result<Forwarded, KioskError> {
        let Some(room) = &self.room else {
            return Ok(Forwarded::Off);
        };
        let (records, sessions) = {
            let store = lock(&self.store);
            let cursor = store
                .forward_cursor(&room.cursor_name())?
                .unwrap_or_default();
            let records = store.audit_after(cursor.sent_seq, forward::BATCH)?;
            let mut ids: Vec<&str> = records
                .iter()
                .filter_map(|r| r.session_id.as_deref())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let mut sessions = Vec::with_capacity(ids.len());
            for id in ids {
                sessions.extend(store.session_record(id)?);
            }
            (records, sessions)
        };
        let Some(last) = records.last().map(|r| r.seq) else {
            return Ok(Forwarded::UpToDate);
        };
        let result = room.put_records(&records, &sessions);
        let now = crate::clock::to_db(self.clock.moment().wall);
        let store = lock(&self.store);
        match result {
            Ok(()) => {
                store.forward_sent(&room.cursor_name(), last, &now)?;
                Ok(Forwarded::Sent(records.len()))
            }
            Err(why) => {
                let why = why.to_string();
                store.forward_failed(&room.cursor_name(), &why, &now)?;
                Ok(Forwarded::Failed(why))
            }
        }
    }

    /// For a terminal in a room: what its retention removed from its own file goes from the
    /// room too ([`crate::room::Room::prune_mine`]): its records up to the last prune the room
    /// has the record of, and its sessions ended before the same cut as here. How many rows.
    pub fn room_prune(&self) -> Result<i64, KioskError> {
        let Some(room) = &self.room else { return Ok(0) };
        let settings = self.settings()?;
        let (through, sessions_before) = {
            let store = lock(&self.store);
            let sent = store
                .forward_cursor(&room.cursor_name())?
                .map_or(0, |c| c.sent_seq);
            let now = self.clock.now_utc();
            let cut = |days: Option<u32>| days.map(|d| now - chrono::Duration::days(i64::from(d)));
            let sessions = cut(settings.audit_retention_days)
                .max(cut(settings.usage_session_days))
                .map(crate::clock::to_db);
            (store.last_prune_point(sent)?, sessions)
        };
        Ok(room.prune_mine(through, sessions_before.as_deref())?)
    }

    /// Verifies this terminal's audit chain as its room holds it, with the terminal's key, and
    /// tells the room how that went ([`crate::room::checks`]).
    pub fn room_audit_verify(&self) -> Result<VerifyReport, KioskError> {
        let Some(room) = &self.room else {
            return Err(KioskError::InvalidRequest(crate::phrase::Phrase::plain(
                "This terminal is in no room.",
            )));
        };
        let key = self.audit_key()?;
        // What the room said it took, read first: the room must hold at least that much.
        let sent = lock(&self.store)
            .forward_cursor(&room.cursor_name())?
            .map(|c| c.sent_seq);
        let records = room.own_chain()?;
        let outcome = crate::audit::verify_records(&key, &records);
        // The room learns how it went (the audit as a whole); a room that cannot take it now
        // hears it at the next check.
        let said = outcome
            .as_ref()
            .map(Clone::clone)
            .map_err(ToString::to_string);
        if let Err(e) = room.report_audit_check(&said, sent) {
            tracing::warn!("the room was not told how this terminal's chain checked: {e}");
        }
        Ok(outcome?)
    }

    /// Sends the records the system journal does not have yet to journald's socket at
    /// `socket` ([`journal::SOCKET`]), up to one batch, one entry each, and says what came of
    /// it: `Off` also when no journal runs here. The first look starts at the newest record:
    /// the journal gets what is written from then on, not the history before it.
    pub fn journal_once(&self, socket: &Path) -> Result<Forwarded, KioskError> {
        if !self.settings()?.audit_journal {
            return Ok(Forwarded::Off);
        }
        let records = {
            let store = lock(&self.store);
            let Some(cursor) = store.forward_cursor(journal::DESTINATION)? else {
                let head = audit_head(&store)?;
                let now = crate::clock::to_db(self.clock.moment().wall);
                store.forward_sent(journal::DESTINATION, head, &now)?;
                return Ok(Forwarded::UpToDate);
            };
            store.audit_after(cursor.sent_seq, forward::BATCH)?
        };
        if records.is_empty() {
            return Ok(Forwarded::UpToDate);
        }
        let mut sent = 0;
        let mut failure = None;
        for r in &records {
            match journal::send(socket, &journal::entry(r)) {
                journal::Sent::Delivered => sent += 1,
                journal::Sent::NoJournal => break,
                journal::Sent::Failed(why) => {
                    failure = Some(why);
                    break;
                }
            }
        }
        let now = crate::clock::to_db(self.clock.moment().wall);
        let store = lock(&self.store);
        if sent > 0 {
            store.forward_sent(journal::DESTINATION, records[sent - 1].seq, &now)?;
            return Ok(Forwarded::Sent(sent));
        }
        match failure {
            Some(why) => {
                store.forward_failed(journal::DESTINATION, &why, &now)?;
                Ok(Forwarded::Failed(why))
            }
            None => Ok(Forwarded::Off),
        }
    }

    /// How far the audit has been sent to its destination and to the system journal.
    pub fn forward_status(&self) -> Result<ForwardStatus, KioskError> {
        let s = self.settings()?;
        let dest = Destination::from_setting(&s.audit_forward_url, &s.audit_forward_ca_file);
        let store = lock(&self.store);
        let head = audit_head(&store)?;
        let journal = if s.audit_journal {
            let cursor = store
                .forward_cursor(journal::DESTINATION)?
                .unwrap_or_else(|| ForwardCursor {
                    sent_seq: head,
                    ..ForwardCursor::default()
                });
            Some(JournalStatus {
                running: journal::running(Path::new(journal::SOCKET)),
                sent_seq: cursor.sent_seq,
                behind: (head - cursor.sent_seq).max(0),
                error: cursor.error,
                error_at: cursor.error_at,
            })
        } else {
            None
        };
        let Some(dest) = dest else {
            return Ok(ForwardStatus {
                destination: None,
                head_seq: head,
                journal,
                ..ForwardStatus::default()
            });
        };
        let cursor = store.forward_cursor(&dest.name())?.unwrap_or_default();
        Ok(ForwardStatus {
            destination: Some(dest.name()),
            head_seq: head,
            sent_seq: cursor.sent_seq,
            behind: (head - cursor.sent_seq).max(0),
            sent_at: cursor.sent_at,
            error: cursor.error,
            error_at: cursor.error_at,
            journal,
        })
    }

    /// Verifies the chain, then checks `anchors` (records a collector kept) against it: each one
    /// the log still holds must have the same MAC, and none may lie beyond the log's end (that
    /// would mean records were removed from the end). The report, the anchors checked, and those
    /// older than the log keeps (pruned); the first disagreement is an error.
    pub fn audit_verify_anchors(
        &self,
        anchors: &[(i64, String)],
    ) -> Result<(VerifyReport, u64, u64), KioskError> {
        let report = self.audit_verify(None)?;
        let head = report
            .head
            .as_deref()
            .and_then(|h| parse_anchor(h).ok())
            .map_or(0, |(seq, _)| seq);
        let store = lock(&self.store);
        let (mut checked, mut pruned) = (0, 0);
        for (seq, mac) in anchors {
            match store.audit_mac(*seq)? {
                Some(ours) if ours.eq_ignore_ascii_case(mac) => checked += 1,
                Some(_) => {
                    return Err(KioskError::Audit(AuditError::Broken {
                        seq: *seq,
                        what: "its MAC is not the one kept off this machine".into(),
                    }))
                }
                None if *seq > head => {
                    return Err(KioskError::Audit(AuditError::Broken {
                        seq: *seq,
                        what: format!(
                            "the collector has it but the log ends at record {head}: records were removed from the end"
                        ),
                    }))
                }
                None => pruned += 1,
            }
        }
        Ok((report, checked, pruned))
    }

    /// Verifies the audit chain (optionally against an anchor `SEQ:MAC`).
    pub fn audit_verify(&self, anchor: Option<&str>) -> Result<VerifyReport, KioskError> {
        let anchor = anchor.map(parse_anchor).transpose()?;
        let key = self.audit_key()?;
        Ok(lock(&self.store).audit_verify(&key, anchor.as_ref())?)
    }

    /// Audit records matching a filter, newest first.
    pub fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, KioskError> {
        Ok(lock(&self.store).audit_list(filter)?)
    }

    /// Every audit record after `after_seq` (0: all), oldest first.
    pub fn audit_all(
        &self,
        after_seq: i64,
        each: impl FnMut(AuditRecord),
    ) -> Result<u64, KioskError> {
        Ok(lock(&self.store).audit_all(after_seq, each)?)
    }

    /// This terminal's name as the audit records it.
    pub fn terminal(&self) -> String {
        let store = lock(&self.store);
        self.terminal_name(&store)
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
}

/// The machine's host name.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "terminal".to_owned())
}

/// The newest record's sequence number (0: none).
fn audit_head(store: &Store) -> Result<i64, KioskError> {
    Ok(store
        .audit_list(&AuditFilter {
            limit: 1,
            ..AuditFilter::default()
        })?
        .first()
        .map_or(0, |r| r.seq))
}
