//! The library's time rules at the door: whether a person who has just proved who they are may
//! start a session now (the opening hours; their time for today), and the two deadlines the
//! session then carries: when their day's time runs out and when the terminal closes.
//! Administrators are never kept out and carry neither; one of Slate's own accounts may have a
//! daily time of its own (`slatectl user set NAME --daily 90m`). The rules' arithmetic is
//! [`crate::hours`]'s; what a session does with the deadlines is [`crate::session::due`]'s.

use std::time::Duration;

use jiff::Zoned;
use serde_json::json;

use super::{lock, Identity, Kiosk, KioskError};
use crate::accounts::Source;
use crate::api::SessionKind;
use crate::audit::{AuditEvent, Event, SignInFailure};
use crate::clock::from_timestamp;
use crate::hours::{allowance_day, OpenState};
use crate::phrase::Phrase;
use crate::settings::{OnePerPerson, Settings};

/// Less than this left of a day's time counts as none: a session too short to use.
pub const LEAST_LEFT: Duration = Duration::from_secs(60);

/// The wall-clock deadlines a session starts with, besides its idle timeout and time limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admission {
    /// When the person's time for the day runs out (a daily allowance applies).
    pub allowance_end: Option<Zoned>,
    /// When the terminal closes (it has opening hours).
    pub closing: Option<Zoned>,
}

impl Kiosk {
    /// Whether `who` may start a session now, and with which deadlines; refused (audited as a
    /// `sign_in_failed` of reason `closed` or `allowance_spent`, nothing counted against the
    /// name) with one sentence that says until when.
    pub fn admit(&self, who: &Identity) -> Result<Admission, KioskError> {
        self.admit_under(who, &self.settings()?)
    }

    /// [`Kiosk::admit`] under settings the caller has just read (the session manager reads
    /// them once for the whole start of a session).
    pub fn admit_under(&self, who: &Identity, s: &Settings) -> Result<Admission, KioskError> {
        if who.kind == SessionKind::Admin {
            return Ok(Admission::default());
        }
        let now = self.clock.now_zoned();
        let closing = match s.hours.state(&now) {
            OpenState::Always => None,
            OpenState::Until(close) => Some(close),
            OpenState::Closed(opens) => {
                return Err(self.turn_away(
                    who,
                    SignInFailure::Closed,
                    closed(&now, opens.as_ref()),
                ))
            }
        };
        self.one_terminal_at_a_time(who, s)?;
        let allowance = match (who.kind, who.source, &who.username) {
            // A guest pass carries its own minutes; any other guest has the setting's.
            (SessionKind::Guest, ..) => who
                .pass
                .map_or(s.guest_daily_allowance, |p| Some(p.allowance)),
            // One of Slate's own accounts may have a daily time of its own.
            (_, Some(Source::Local), Some(name)) => {
                let own = crate::auth::Username::parse(name)
                    .ok()
                    .map(|n| lock(&self.store).find_account(&n))
                    .transpose()?
                    .flatten()
                    .map(|a| a.daily_time)
                    .unwrap_or_default();
                own.allowance(s.daily_allowance)
            }
            _ => s.daily_allowance,
        };
        let Some(allowance) = allowance else {
            return Ok(Admission {
                allowance_end: None,
                closing,
            });
        };
        let (day_start, day_end) = allowance_day(&now, s.day_turns_at);
        // A guest has no name to count a day by: each guest session has its own allowance.
        let used = match (&who.username, who.kind) {
            (Some(name), SessionKind::User) => lock(&self.store).time_used(
                name,
                who.source,
                from_timestamp(day_start.timestamp()),
                from_timestamp(now.timestamp()),
            )?,
            _ => Duration::ZERO,
        };
        let left = allowance.saturating_sub(used);
        if left < LEAST_LEFT {
            return Err(self.turn_away(
                who,
                SignInFailure::AllowanceSpent,
                used_up(&now, &day_end),
            ));
        }
        let ends = add(&now, left);
        // Past the day's turn a new day's time begins: the session may run on to its end.
        let allowance_end = if ends <= day_end {
            ends
        } else {
            add(&day_end, allowance)
        };
        Ok(Admission {
            allowance_end: Some(allowance_end),
            closing,
        })
    }

    /// Records a refusal at the door and returns it.
    /// In a room, with `one_terminal_per_person`: a person signed in at another terminal is
    /// refused here, saying where (`refuse`), or their session there is ended (`end_other`,
    /// audited there as ended at their own request from this terminal). Administrators, who
    /// work at the desk and at a terminal, are not held to it.
    fn one_terminal_at_a_time(&self, who: &Identity, s: &Settings) -> Result<(), KioskError> {
        let (Some(room), Some(name)) = (&self.room, &who.username) else {
            return Ok(());
        };
        if who.kind != SessionKind::User || s.one_terminal_per_person == OnePerPerson::Off {
            return Ok(());
        }
        let there = room.open_elsewhere(name, who.source)?;
        let Some((first, _)) = there.first() else {
            return Ok(());
        };
        if s.one_terminal_per_person == OnePerPerson::Refuse {
            return Err(self.turn_away(
                who,
                SignInFailure::SignedInElsewhere,
                Phrase::new("You are signed in at {terminal}. Sign out there first, or ask staff.")
                    .text("terminal", first),
            ));
        }
        let by = format!("{name}, signing in at {}", room.terminal());
        for (terminal, session) in &there {
            room.request_end(terminal, session, &by)?;
        }
        Ok(())
    }

    fn turn_away(&self, who: &Identity, reason: SignInFailure, why: Phrase) -> KioskError {
        let details = json!({ "reason": reason, "source": who.source });
        let event = AuditEvent::new(Event::SignInFailed, details).user(who.username.as_deref());
        if let Err(e) = self.record_now(event) {
            return e;
        }
        KioskError::NotNow(why)
    }
}

/// `at` plus `d`.
fn add(at: &Zoned, d: Duration) -> Zoned {
    let span = jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::MAX);
    at.checked_add(span).unwrap_or_else(|_| at.clone())
}

/// "This terminal opens again at 09:00 today / tomorrow / on Monday" (or on a date further off).
fn closed(now: &Zoned, opens: Option<&Zoned>) -> Phrase {
    let Some(opens) = opens else {
        return Phrase::new("This terminal is closed.");
    };
    let days = (opens.date() - now.date()).get_days();
    match days {
        0 => Phrase::new("This terminal is closed; it opens again at {time} today."),
        1 => Phrase::new("This terminal is closed; it opens again tomorrow at {time}."),
        2..=6 => Phrase::new("This terminal is closed; it opens again on {day} at {time}.")
            .weekday("day", opens),
        _ => Phrase::new("This terminal is closed until {date}.")
            .time("date", opens.timestamp().to_string()),
    }
    .clock("time", opens)
}

/// "Your time on this terminal for today is used up; more from 00:00 tomorrow."
fn used_up(now: &Zoned, day_end: &Zoned) -> Phrase {
    if day_end.date() == now.date() {
        Phrase::new("Your time on this terminal for today is used up; you have more from {time}.")
    } else {
        Phrase::new(
            "Your time on this terminal for today is used up; you have more from {time} tomorrow.",
        )
    }
    .clock("time", day_end)
}
