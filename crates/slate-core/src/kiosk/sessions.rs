//! Session rows as the session manager needs them: open and end (with the wipe receipt and
//! the audit record in one transaction), recovery of sessions a previous run left open, the
//! retry of failed wipes ("needs attention"), administrators' end requests, a session's
//! stored preferences, and the usage statistics made from the ended sessions.

use super::{lock, Identity, Kiosk, KioskError};
use crate::api::{Contrast, EndReason, PreferenceValue, Screen, TextSize};
use crate::audit::{Actor, AuditEvent, Event};
use crate::auth::Username;
use crate::clock::from_db;
use crate::phrase::Phrase;
use crate::records::{wall_duration_ms, ActiveSession, SessionRecord};
use crate::settings::LANGUAGES;
use crate::store::Store;
use crate::store_error::StoreError;
use crate::wipe::{wipe_all, SessionFiles, WipeReceipt, WipeTarget, Wiper};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// A person's answer to the acceptable-use page that starts no session (an acceptance is
/// recorded with the session it opens: [`Opening`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptableUse {
    Declined,
    /// Nobody answered before the idle timeout (or the screen went away).
    NoAnswer,
}

/// What a session opens with besides itself, committed with it: the guest pass it spends, and
/// the acceptable-use page it accepted (the text's version, the language read).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Opening<'a> {
    pub pass: Option<i64>,
    pub accepted: Option<(&'a str, Option<&'a str>)>,
}

/// The details of an acceptable-use record.
fn use_details(version: &str, language: Option<&str>) -> serde_json::Value {
    json!({ "version": version, "language": language.unwrap_or("all") })
}

impl Kiosk {
    /// Every ended session counted, in all and by kind, ending and source (the figures of
    /// `slatectl status --metrics`).
    pub fn usage_totals(&self) -> Result<crate::usage::Tally, KioskError> {
        let rows = lock(&self.store).usage_rows(crate::usage::DayRange::all_time())?;
        Ok(crate::usage::tally(&rows))
    }

    /// The failed sign-ins the audit log holds, by reason, and its failed wipes.
    pub fn failure_counts(
        &self,
    ) -> Result<(Vec<(crate::audit::SignInFailure, u64)>, u64), KioskError> {
        let store = lock(&self.store);
        let sign_ins = crate::audit::SignInFailure::ALL
            .iter()
            .map(|f| Ok((*f, store.audit_reason_count(f.as_str())?)))
            .collect::<Result<Vec<_>, crate::store::StoreError>>()?;
        let wipes = store.audit_event_count(Event::WipeFailed.as_str())?;
        Ok((sign_ins, wipes))
    }

    /// The usage statistics over the local days `since` to `until` (`2026-11-01`; empty: the
    /// last 30 days to today).
    pub fn usage(&self, since: &str, until: &str) -> Result<crate::api::UsageReport, KioskError> {
        let today = self
            .clock
            .moment()
            .wall
            .with_timezone(&chrono::Local)
            .date_naive();
        let range = crate::usage::DayRange::parse(since, until, today)
            .map_err(KioskError::InvalidRequest)?;
        let rows = lock(&self.store).usage_rows(range)?;
        Ok(crate::usage::report(range, &rows))
    }

    /// For each username with sessions: the last sign-in and the last sign-out.
    pub fn last_session_times(&self) -> Result<Vec<crate::records::LastSessionTimes>, KioskError> {
        Ok(lock(&self.store).last_session_times()?)
    }

    /// The screen when nobody is signed in: first-run setup until an administrator exists,
    /// then sign-in.
    pub fn signed_out_screen(&self) -> Result<Screen, KioskError> {
        if let Some(why) = self.needs_attention()? {
            return Ok(Screen::needs_attention(why));
        }
        let guests_allowed = self.settings()?.guests_allowed;
        let passes = self.passes_offered()?;
        let store = lock(&self.store);
        Ok(if store.has_admin()? {
            Screen::SignIn {
                guests_allowed,
                passes,
            }
        } else {
            Screen::FirstRun
        })
    }

    /// The person used the session's one extension, which added `added`.
    pub fn record_extension(
        &self,
        s: &ActiveSession,
        added: std::time::Duration,
    ) -> Result<(), KioskError> {
        self.record_now(
            AuditEvent::new(
                Event::SessionExtended,
                json!({ "minutes": added.as_secs().div_ceil(60) }),
            )
            .user(s.username.as_deref())
            .session(&s.id),
        )
    }

    /// A person declined the acceptable-use page of `version`, read in `language` (`None`: the
    /// text for everyone), or left it unanswered.
    pub fn record_acceptable_use(
        &self,
        who: &Identity,
        version: &str,
        language: Option<&str>,
        answer: AcceptableUse,
    ) -> Result<(), KioskError> {
        let mut details = use_details(version, language);
        details["answer"] = json!(match answer {
            AcceptableUse::Declined => "declined",
            AcceptableUse::NoAnswer => "no_answer",
        });
        self.record_now(
            AuditEvent::new(Event::AcceptableUseDeclined, details).user(who.username.as_deref()),
        )
    }

    /// Commits a session as open (before the person can use it), in one transaction with what
    /// it opens with ([`Opening`]): the guest pass spent (refused if it was used or revoked
    /// meanwhile) and the acceptable-use page accepted.
    pub fn record_session_open(
        &self,
        s: &ActiveSession,
        opening: Opening<'_>,
    ) -> Result<(), KioskError> {
        let pass = opening.pass;
        lock(&self.store).atomically(|store| {
            if let Some(id) = pass {
                // In a room the pass is spent there: a room away is "not available now".
                let spent = store
                    .use_pass(id, &s.id, &crate::clock::to_db(self.clock.now_utc()))
                    .map_err(|e| match e {
                        StoreError::Room(_) | StoreError::RoomAway(_) => {
                            tracing::warn!("a guest pass could not be spent in the room: {e}");
                            KioskError::SourceUnavailable
                        }
                        other => other.into(),
                    })?;
                if !spent {
                    return Err(KioskError::PassRefused);
                }
            }
            store.record_session_open(s, self.clock.local_offset())?;
            let mut details = match s.source {
                Some(source) => json!({ "kind": s.kind, "source": source }),
                None => json!({ "kind": s.kind }),
            };
            if let Some(id) = pass {
                details["pass"] = json!(id);
            }
            self.record(
                store,
                AuditEvent::new(Event::SignIn, details)
                    .user(s.username.as_deref())
                    .session(&s.id),
            )?;
            if let Some((version, language)) = opening.accepted {
                self.record(
                    store,
                    AuditEvent::new(Event::AcceptableUseAccepted, use_details(version, language))
                        .user(s.username.as_deref())
                        .session(&s.id),
                )?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Marks a session ended and writes its `sign_out` record (and `wipe_failed` if the wipe
    /// was not complete) in one transaction: neither can exist without the other.
    pub(super) fn finish_session(
        &self,
        store: &Store,
        id: &str,
        username: Option<&str>,
        reason: EndReason,
        duration_ms: Option<i64>,
        receipt: &WipeReceipt,
    ) -> Result<(), KioskError> {
        store.atomically(|store| {
            store.record_session_end(id, reason, self.clock.now_utc(), duration_ms, receipt)?;
            let totals = receipt.totals();
            self.record(
                store,
                AuditEvent::new(
                    Event::SignOut,
                    json!({
                        "reason": reason,
                        "erased": receipt.complete(),
                        "wiped_items": totals.items,
                        "wiped_bytes": totals.bytes,
                        "surfaces": receipt.surfaces.len(),
                    }),
                )
                .user(username)
                .session(id)
                .duration_ms(duration_ms),
            )?;
            if let Some(why) = receipt.failure_sentence() {
                self.record(
                    store,
                    AuditEvent::new(Event::WipeFailed, json!({ "why": why.to_string() }))
                        .session(id),
                )?;
            }
            Ok(())
        })
    }

    /// Records the end of a session with its wipe receipt, after the wipe.
    pub fn record_session_end(
        &self,
        s: &ActiveSession,
        reason: EndReason,
        duration: Duration,
        receipt: &WipeReceipt,
    ) -> Result<(), KioskError> {
        let ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        let store = lock(&self.store);
        self.finish_session(
            &store,
            &s.id,
            s.username.as_deref(),
            reason,
            Some(ms),
            receipt,
        )?;
        Ok(())
    }

    /// What to wipe for a session.
    pub fn wipe_target(&self, id: &str, started_at: DateTime<Utc>) -> WipeTarget {
        WipeTarget {
            session_id: id.to_owned(),
            folder: self.session_folder(id),
            started_at,
        }
    }

    /// Why the terminal must not be used: the database check found damage, the audit key cannot
    /// be used (looked for again each time, so a restored key reopens the terminal), or a wipe
    /// failed and has not yet succeeded on retry.
    pub fn needs_attention(&self) -> Result<Option<Phrase>, KioskError> {
        if let Some(damage) = lock(&self.damage).clone() {
            return Ok(Some(damage));
        }
        self.reload_audit_key()?;
        if let Err(problem) = self.audit_key() {
            return Ok(Some(problem.phrase()));
        }
        let store = lock(&self.store);
        let failed = store.failed_wipes()?;
        let Some((id, _)) = failed.last() else {
            return Ok(None);
        };
        Ok(Some(
            store
                .wipe_receipt(id)?
                .and_then(|r| r.failure_sentence())
                .unwrap_or_else(|| Phrase::new("The last session could not be fully erased.")),
        ))
    }

    /// The receipt recorded with a session's ending.
    pub fn wipe_receipt(&self, id: &str) -> Result<Option<WipeReceipt>, KioskError> {
        Ok(lock(&self.store).wipe_receipt(id)?)
    }

    /// Retries the wipes that failed. Returns whether the terminal is clear now.
    pub fn retry_failed_wipes(&self, wipers: &[Arc<dyn Wiper>]) -> Result<bool, KioskError> {
        let failed = lock(&self.store).failed_wipes()?;
        for (id, started) in failed {
            let target = self.wipe_target(&id, from_db(&started).unwrap_or_else(Utc::now));
            let receipt = wipe_all(wipers, &target);
            lock(&self.store).record_rewipe(&id, &receipt)?;
            if receipt.complete() {
                tracing::info!(session = %id, "the retried wipe succeeded");
            } else {
                tracing::error!(session = %id, "the retried wipe failed again");
            }
        }
        Ok(self.needs_attention()?.is_none())
    }

    /// Stores a preference of the live session (wiped with the session). Keys and values are
    /// checked: `text_size` ([`TextSize`]), `contrast` ([`Contrast`]), `language` (the
    /// languages Slate speaks).
    pub fn set_session_value(&self, id: &str, key: &str, value: &str) -> Result<(), KioskError> {
        let names = |all: &[&'static str]| all.to_vec();
        let allowed: Vec<&str> = match key {
            "text_size" => TextSize::ALL.iter().map(|v| v.as_str()).collect(),
            "contrast" => Contrast::ALL.iter().map(|v| v.as_str()).collect(),
            "language" => names(LANGUAGES),
            _ => {
                return Err(KioskError::InvalidRequest(
                    Phrase::new("There is no preference called {key}.")
                        .text("key", format!("{key:?}")),
                ))
            }
        };
        if !allowed.contains(&value) {
            return Err(KioskError::InvalidRequest(
                Phrase::new("{key} can be {choices}, not {value}.")
                    .text("key", key)
                    .text("choices", allowed.join(" or "))
                    .text("value", format!("{value:?}")),
            ));
        }
        Ok(lock(&self.store).set_session_value(id, key, value)?)
    }

    /// The preferences stored for a session.
    pub fn session_values(&self, id: &str) -> Result<Vec<(String, String)>, KioskError> {
        Ok(lock(&self.store).session_values(id)?)
    }

    /// Deletes a session's preferences and checkpoints the WAL: (values, bytes) removed.
    pub fn wipe_session_values(&self, id: &str) -> Result<(u64, u64), KioskError> {
        Ok(lock(&self.store).wipe_session_values(id)?)
    }

    /// Empties the database's write-ahead log, or says why it could not ([`Store::checkpoint`]):
    /// until it is, the pages of rows just deleted may still be in it.
    pub fn empty_the_log(&self) -> Result<(), KioskError> {
        Ok(lock(&self.store).checkpoint()?)
    }

    /// Ends, as `Recovered`, every session a previous run left open (crash, power loss,
    /// SIGKILL), wiping it first; retries wipes that failed before; and removes session folders
    /// that belong to no open session. Runs at start, before anyone can sign in. Returns how many
    /// sessions were recovered. While the audit key cannot be used, a session is wiped but stays
    /// open (its ending cannot be audited): a start with the key back ends it.
    pub fn recover_open_sessions(&self, wipers: &[Arc<dyn Wiper>]) -> Result<usize, KioskError> {
        let open = lock(&self.store).open_sessions()?;
        let mut recovered = 0;
        for s in &open {
            let started = from_db(&s.started_at).unwrap_or_else(Utc::now);
            let receipt = wipe_all(wipers, &self.wipe_target(&s.id, started));
            if let Err(problem) = self.audit_key() {
                tracing::error!(session = %s.id, wiped = receipt.complete(), "wiped a session left open by the previous run, but cannot record its ending: {problem}");
                continue;
            }
            let now = self.clock.now_utc();
            let duration = wall_duration_ms(&s.started_at, now);
            let store = lock(&self.store);
            self.finish_session(
                &store,
                &s.id,
                s.username.as_deref(),
                EndReason::Recovered,
                duration,
                &receipt,
            )?;
            tracing::warn!(session = %s.id, wiped = receipt.complete(), "ended a session left open by the previous run");
            recovered += 1;
        }
        self.retry_failed_wipes(wipers)?;
        // A folder with no session row: a crash between creating it and recording the session.
        if let Ok(entries) = std::fs::read_dir(self.sessions_root()) {
            for entry in entries.flatten() {
                let id = entry.file_name().to_string_lossy().into_owned();
                let target = self.wipe_target(&id, Utc::now());
                let _ = SessionFiles.wipe(&target);
            }
        }
        Ok(recovered)
    }

    /// Sessions open now (normally none, or the one in progress).
    pub fn open_sessions(&self) -> Result<Vec<SessionRecord>, KioskError> {
        Ok(lock(&self.store).open_sessions()?)
    }

    /// The most recent sessions, newest first.
    pub fn recent_sessions(&self, limit: u32) -> Result<Vec<SessionRecord>, KioskError> {
        Ok(lock(&self.store).recent_sessions(limit)?)
    }

    /// The session that ended last (with its wipe result), if any has. (At most one session is
    /// open, so it is one of the two newest.)
    pub fn last_ended_session(&self) -> Result<Option<SessionRecord>, KioskError> {
        Ok(self
            .recent_sessions(2)?
            .into_iter()
            .find(|s| s.ended_at.is_some()))
    }

    /// One session's record.
    pub fn session_record(&self, id: &str) -> Result<Option<SessionRecord>, KioskError> {
        Ok(lock(&self.store).session_record(id)?)
    }

    /// Asks the running kiosk to end the open sessions (all, or those of one user); it acts
    /// within 2 s. Returns how many were asked.
    pub fn request_end(&self, by: &Actor, username: Option<&str>) -> Result<usize, KioskError> {
        let wanted = username
            .map(Username::parse)
            .transpose()
            .map_err(|_| KioskError::NoSuchUser(username.unwrap_or_default().trim().to_owned()))?;
        self.local_changes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let store = lock(&self.store);
        let mut asked = 0;
        for s in store.open_sessions()? {
            let matches = match (&wanted, &s.username) {
                (None, _) => true,
                (Some(name), Some(u)) => name.is(u),
                (Some(_), None) => false,
            };
            if matches
                && store.atomically(|store| {
                    let asked = store.request_session_end(&s.id)?;
                    if asked {
                        self.record(
                            store,
                            AuditEvent::new(
                                Event::SessionEndedByAdmin,
                                json!({ "by": by.to_string() }),
                            )
                            .user(s.username.as_deref())
                            .session(&s.id),
                        )?;
                    }
                    Ok::<bool, KioskError>(asked)
                })?
            {
                asked += 1;
            }
        }
        Ok(asked)
    }

    /// Whether an administrator asked to end this session.
    pub fn end_requested(&self, id: &str) -> Result<bool, KioskError> {
        Ok(lock(&self.store).session_end_requested(id)?)
    }
}
