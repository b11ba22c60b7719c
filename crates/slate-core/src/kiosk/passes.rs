//! Guest passes at the kiosk: an administrator makes a batch (the codes are given back once,
//! their digests kept), lists and revokes them; at the sign-in screen a code lets a guest in,
//! once, with the pass's own minutes. Wrong codes are throttled as wrong passwords are, on a
//! name of their own ("the guest pass") and the terminal's rate, but like an administrator's
//! name they are only ever slowed, never cooled down: a prankster cannot shut passes out for
//! hours. The pass is marked used in the transaction that opens its session.

use std::time::Duration;

use serde_json::json;

use super::{lock, Identity, Kiosk, KioskError, PassTicket};
use crate::api::{GuestPassSummary, IssuedPass, PassState};
use crate::audit::{Actor, AuditEvent, Event, SignInFailure};
use crate::auth::NameVerdict;
use crate::clock::to_db;
use crate::guest_pass::{Batch, Code, Issued, PassKey};
use crate::phrase::Phrase;
use crate::store::{PassRow, ThrottleScope};
use crate::store_error::StoreError;

/// The throttle's name for every guest-pass attempt (no typed name can be it: a control
/// character leads).
const PASS_NAME: &str = "\u{1}guest pass";

/// Why a code did not sign in, as audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum PassProblem {
    Unknown,
    Used,
    Revoked,
    Expired,
}

impl Kiosk {
    /// The key codes are kept under, derived from the audit key (no pass signs in while that
    /// cannot be used); in a room, the room's ([`crate::room::Room::pass_key`]), the same at
    /// every terminal.
    fn pass_key(&self) -> Result<PassKey, KioskError> {
        if let Some(room) = &self.room {
            return Ok(PassKey::new(room.pass_key()?));
        }
        Ok(PassKey::new(self.audit_key()?.derive(PassKey::LABEL)))
    }

    /// Today in the terminal's time zone.
    fn today(&self) -> jiff::civil::Date {
        self.clock.now_zoned().date()
    }

    /// Makes a batch of passes: each code is random, kept only as its digest, and given back
    /// here once. Audited with the batch, never a code.
    pub fn create_guest_passes(
        &self,
        by: &Actor,
        count: u32,
        minutes: u32,
        valid_until: &str,
    ) -> Result<(Batch, Vec<Issued>), KioskError> {
        let batch = Batch::new(count, minutes, valid_until, self.today())
            .map_err(KioskError::InvalidRequest)?;
        let key = self.pass_key()?;
        let batch_id = hex::encode(rand::random::<[u8; 4]>());
        let created_at = to_db(self.clock.now_utc());
        let until = batch.valid_until.to_string();
        let store = lock(&self.store);
        let issued = store.atomically(|store| {
            let mut issued = Vec::new();
            while issued.len() < batch.count as usize {
                let code = Code::random();
                let digest = key.digest(&code);
                // Two equal codes in 6 × 10¹²: drawn again rather than refused.
                if store.find_pass(&digest)?.is_some() {
                    continue;
                }
                let id = store.add_pass(
                    &digest,
                    &batch_id,
                    batch.minutes,
                    &until,
                    &created_at,
                    &by.to_string(),
                )?;
                issued.push(Issued { id, code });
            }
            let details = json!({
                "batch": batch_id,
                "count": batch.count,
                "minutes": batch.minutes,
                "valid_until": until,
                "by": by.to_string(),
            });
            self.record(store, AuditEvent::new(Event::GuestPassesCreated, details))?;
            Ok::<_, KioskError>(issued)
        })?;
        Ok((batch, issued))
    }

    /// [`Kiosk::create_guest_passes`] as the panel shows them.
    pub fn issued_passes(batch: &Batch, issued: &[Issued]) -> Vec<IssuedPass> {
        issued
            .iter()
            .map(|p| IssuedPass {
                id: p.id,
                code: p.code.shown(),
                minutes: batch.minutes,
                valid_until: batch.valid_until.to_string(),
            })
            .collect()
    }

    /// Every pass, newest first, with where it stands today (never a code).
    pub fn guest_passes(&self) -> Result<Vec<GuestPassSummary>, KioskError> {
        let today = self.today().to_string();
        let rows = lock(&self.store).list_passes()?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let state = match pass_problem(&r, &today) {
                    None => PassState::Unused,
                    Some(PassProblem::Used) => PassState::Used,
                    Some(PassProblem::Revoked) => PassState::Revoked,
                    Some(PassProblem::Expired | PassProblem::Unknown) => PassState::Expired,
                };
                GuestPassSummary {
                    id: r.id,
                    batch: r.batch,
                    minutes: r.minutes,
                    valid_until: r.valid_until,
                    created_at: r.created_at,
                    created_by: r.created_by,
                    state,
                    used_at: r.used_at,
                }
            })
            .collect())
    }

    /// Whether any pass could sign in today (the sign-in screen then offers the pass field).
    /// In a room whose database is away (or refuses this terminal), none can (a pass is
    /// spent in the room, once), and the sign-in screen still shows.
    pub fn passes_offered(&self) -> Result<bool, KioskError> {
        match lock(&self.store).any_pass_usable(&self.today().to_string()) {
            Err(e @ (StoreError::RoomAway(_) | StoreError::Room(_))) => {
                tracing::debug!("the room's guest passes cannot be looked at now: {e}");
                Ok(false)
            }
            other => Ok(other?),
        }
    }

    /// Revokes the unused pass `id`, or the unused passes of `batch`; how many. Audited.
    pub fn revoke_guest_passes(
        &self,
        by: &Actor,
        id: Option<i64>,
        batch: Option<&str>,
    ) -> Result<usize, KioskError> {
        if id.is_none() == batch.is_none() {
            return Err(KioskError::InvalidRequest(Phrase::new(
                "Name one pass by its number, or one batch.",
            )));
        }
        let at = to_db(self.clock.now_utc());
        let store = lock(&self.store);
        store.atomically(|store| {
            let n = store.revoke_passes(id, batch, &at, &by.to_string())?;
            if n == 0 {
                return Err(KioskError::InvalidRequest(Phrase::new(
                    "No unused pass matches: it may be used, revoked already, or not exist.",
                )));
            }
            let details = json!({ "pass": id, "batch": batch, "count": n, "by": by.to_string() });
            self.record(store, AuditEvent::new(Event::GuestPassesRevoked, details))?;
            Ok(n)
        })
    }

    /// Removes passes whose last day was more than `keep_days` ago; how many.
    pub fn prune_guest_passes(&self, keep_days: u16) -> Result<usize, KioskError> {
        let cut = self
            .today()
            .checked_sub(jiff::Span::new().days(i64::from(keep_days)))
            .unwrap_or(jiff::civil::Date::MIN);
        Ok(lock(&self.store).prune_passes(&cut.to_string(), keep_days)?)
    }

    /// A guest-pass code typed at the sign-in screen: a guest with the pass's minutes, or one
    /// sentence for every code that cannot be used (unknown, used, revoked, out of date). The
    /// pass is spent when its session opens ([`Kiosk::record_session_open`]), so one declined
    /// at the acceptable-use page still works.
    pub fn redeem_guest_pass(&self, typed: &str) -> Result<Identity, KioskError> {
        let _gate = lock(&self.signin_gate);
        match self.redeem_gated(typed) {
            // In a room whose database is away (or refuses this terminal), no pass can be
            // looked at or spent: sign-in is not available, and nothing counts as a failure.
            Err(KioskError::Store(e @ (StoreError::RoomAway(_) | StoreError::Room(_)))) => {
                tracing::warn!("guest pass refused: {e}");
                self.record_now(AuditEvent::new(
                    Event::SourceUnavailable,
                    json!({ "source": "guest_pass", "reason": e.to_string() }),
                ))?;
                Err(KioskError::SourceUnavailable)
            }
            other => other,
        }
    }

    fn redeem_gated(&self, typed: &str) -> Result<Identity, KioskError> {
        // The count of wrong codes is this terminal's, in a room too: one prankster cannot slow
        // the passes of the whole room.
        let attempt = self.attempt(PASS_NAME, None, ThrottleScope::Terminal)?;
        self.guests_now(&attempt.settings)?;
        // Slowed by failures, never cooled down (see the module's comment).
        let verdict = match self.throttle_gate(&attempt)? {
            NameVerdict::Cooling(_) => NameVerdict::Check,
            v => v,
        };
        let key = self.pass_key()?;
        let found = match Code::parse(typed) {
            Some(code) => lock(&self.store).find_pass(&key.digest(&code))?,
            None => None,
        };
        let today = self.today().to_string();
        let problem = found
            .as_ref()
            .map_or(Some(PassProblem::Unknown), |r| pass_problem(r, &today));
        match (found, problem) {
            (Some(pass), None) => {
                // A right code clears the wrong ones before it: a day of typos by many visitors
                // never adds up to one long wait.
                lock(&self.store).throttle_clear(attempt.scope, &attempt.digest)?;
                Ok(Identity::guest(Some(PassTicket {
                    id: pass.id,
                    allowance: Duration::from_secs(u64::from(pass.minutes) * 60),
                })))
            }
            (found, problem) => {
                let details = json!({
                    "reason": SignInFailure::PassRefused,
                    "pass": found.map(|p| p.id),
                    "why": problem.unwrap_or(PassProblem::Unknown),
                });
                let store = lock(&self.store);
                let failure = AuditEvent::new(Event::SignInFailed, details);
                match self.refuse(&store, &attempt, verdict, failure)? {
                    KioskError::BadCredentials => Err(KioskError::PassRefused),
                    other => Err(other),
                }
            }
        }
    }
}

/// Why the pass `r` cannot sign in on `today` (`YYYY-MM-DD`), if it cannot.
fn pass_problem(r: &PassRow, today: &str) -> Option<PassProblem> {
    if r.revoked_at.is_some() {
        Some(PassProblem::Revoked)
    } else if r.used_at.is_some() {
        Some(PassProblem::Used)
    } else if r.valid_until.as_str() < today {
        Some(PassProblem::Expired)
    } else {
        None
    }
}
