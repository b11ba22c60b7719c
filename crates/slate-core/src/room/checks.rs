//! The room's audit as a whole. Each terminal's chain is kept in the room under its name, and
//! only the terminal has the key its records are sealed with, so the check has two halves: each
//! terminal checks its own chain as the room holds it and says how that went
//! ([`Room::report_audit_check`]); and anyone reading the room sees, for every terminal, how many
//! records the room holds, whether any is missing between its first and its last, when the last
//! arrived, and the terminal's own last check ([`Room::room_audit`], and
//! [`super::fleet::Fleet::room_audit`] for the database's administrator). A terminal's
//! retention reaches the room too ([`Room::prune_mine`]): its records up to a prune its chain
//! records, so what is left still verifies.

use serde::Serialize;

use super::Room;
use crate::audit::VerifyReport;
use crate::store_error::StoreError;

/// A terminal's last check of its own chain in the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    /// When (UTC).
    pub checked_at: String,
    /// How many records it checked.
    pub records: i64,
    /// The last record it checked.
    pub through_seq: Option<i64>,
    /// The last record the terminal knew the room had taken then (its cursor).
    pub sent_seq: Option<i64>,
    pub ok: bool,
    /// Why not, when not.
    pub problem: Option<String>,
}

/// One terminal's chain as the room holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainInRoom {
    pub terminal: String,
    pub revoked: bool,
    pub records: i64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    /// When its newest record arrived (UTC).
    pub last_received: Option<String>,
    /// Records missing: between the first and the last (the room refuses a record that does
    /// not follow the last it holds, so any there were removed behind the terminals' backs), and
    /// after the last, up to the last the terminal said the room had taken.
    pub missing: i64,
    pub check: Option<AuditCheck>,
}

impl ChainInRoom {
    /// Nothing missing, and the terminal's last check (if any) found its chain intact.
    pub fn sound(&self) -> bool {
        self.missing == 0 && self.check.as_ref().is_none_or(|c| c.ok)
    }
}

pub(super) const QUERY: &str = "SELECT terminal, revoked, records, first_seq, last_seq,
        last_received, checked_at, checked_records, checked_through, check_ok, problem, sent_seq
     FROM slate.room_audit()";

pub(super) fn chains(rows: &[postgres::Row]) -> Result<Vec<ChainInRoom>, postgres::Error> {
    rows.iter()
        .map(|r| {
            let records: i64 = r.try_get(2)?;
            let first_seq: Option<i64> = r.try_get(3)?;
            let last_seq: Option<i64> = r.try_get(4)?;
            let checked_at: Option<String> = r.try_get(6)?;
            let check = match checked_at {
                Some(checked_at) => Some(AuditCheck {
                    checked_at,
                    records: r.try_get::<_, Option<i64>>(7)?.unwrap_or(0),
                    through_seq: r.try_get(8)?,
                    sent_seq: r.try_get(11)?,
                    ok: r.try_get::<_, Option<bool>>(9)?.unwrap_or(false),
                    problem: r.try_get(10)?,
                }),
                None => None,
            };
            let inside = match (first_seq, last_seq) {
                (Some(first), Some(last)) => (last - first + 1 - records).max(0),
                _ => 0,
            };
            let after = check
                .as_ref()
                .and_then(|c| c.sent_seq)
                .map_or(0, |sent| (sent - last_seq.unwrap_or(0)).max(0));
            Ok(ChainInRoom {
                terminal: r.try_get(0)?,
                revoked: r.try_get(1)?,
                missing: inside + after,
                records,
                first_seq,
                last_seq,
                last_received: r.try_get(5)?,
                check,
            })
        })
        .collect()
}

impl Room {
    /// Says in the room how this terminal's check of its own chain there went, and the last
    /// record this terminal knows the room took (`sent`).
    pub fn report_audit_check(
        &self,
        outcome: &Result<VerifyReport, String>,
        sent: Option<i64>,
    ) -> Result<(), StoreError> {
        let (records, through, ok, problem) = match outcome {
            Ok(report) => (
                i64::try_from(report.records).unwrap_or(i64::MAX),
                report
                    .head
                    .as_deref()
                    .and_then(|h| crate::audit::parse_anchor(h).ok())
                    .map(|(seq, _)| seq),
                true,
                None,
            ),
            Err(why) => (
                0,
                None,
                false,
                Some(why.chars().take(1000).collect::<String>()),
            ),
        };
        self.with(|c| {
            c.execute(
                "SELECT slate.report_audit_check($1, $2, $3, $4, $5)",
                &[&records, &through, &sent, &ok, &problem],
            )
        })?;
        Ok(())
    }

    /// Removes this terminal's audit records up to `through` (only when the room holds this
    /// terminal's record of that prune) and its sessions ended before `sessions_before` (and
    /// more than a day ago): what its retention removed from its own file. How many rows went.
    pub fn prune_mine(
        &self,
        through: Option<i64>,
        sessions_before: Option<&str>,
    ) -> Result<i64, StoreError> {
        Ok(self
            .once(|c| {
                c.query_one(
                    "SELECT slate.prune_mine($1, $2)",
                    &[&through, &sessions_before],
                )
            })?
            .get(0))
    }

    /// Every terminal's chain as the room holds it, with its last check.
    pub fn room_audit(&self) -> Result<Vec<ChainInRoom>, StoreError> {
        let rows = self.with(|c| c.query(QUERY, &[]))?;
        chains(&rows).map_err(super::away)
    }
}
