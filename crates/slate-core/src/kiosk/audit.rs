//! The audit trail as the kiosk writes it: when and where each record happened (the stamp and
//! this terminal's name), appending inside the caller's transaction, and reading, verifying and
//! pruning the chain.

use super::{lock, Kiosk, KioskError};
use crate::audit::{
    parse_anchor, AuditEvent, AuditFilter, AuditRecord, Event, Stamp, VerifyReport,
};
use crate::store::Store;
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

    /// Every audit record, oldest first.
    pub fn audit_all(&self, each: impl FnMut(AuditRecord)) -> Result<u64, KioskError> {
        Ok(lock(&self.store).audit_all(each)?)
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
