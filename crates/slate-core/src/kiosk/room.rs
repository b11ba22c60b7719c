//! The facade's room part, for a terminal in a room: what it tells the room about itself (its
//! state, from each status the session manager announces), what staff see of every terminal
//! (the desk view), and staff's requests: ending a session at another terminal, or every
//! session of a person; and carrying out the requests made of this one.

use std::sync::Arc;

use serde_json::json;

use super::{lock, Kiosk, KioskError};
use crate::api::StaffMessage;
use crate::api::{AppStatus, Screen, TimeLeft};
use crate::audit::{Actor, AuditEvent, Event};
use crate::phrase::Phrase;
use crate::room::desk::{DeskState, DeskTerminal, Listener, RequestKind, RoomRequest, StateReport};

fn not_in_room() -> KioskError {
    KioskError::InvalidRequest(Phrase::plain("This terminal is in no room."))
}

/// The longest message staff may send (characters).
pub const MESSAGE_MAX: usize = 500;

/// How far the time a session ends may move before the room is told again (the bar's count
/// changes every minute; the room needs to hear only an extension).
const UNTIL_SLACK_SECS: i64 = 90;

impl Kiosk {
    /// Whether the terminal is in a room.
    pub fn in_room(&self) -> bool {
        self.room.is_some()
    }

    /// What the room should know of this terminal, from the status just announced.
    fn state_report(&self, status: &AppStatus) -> StateReport {
        let mut r = StateReport {
            state: DeskState::Ready,
            who: None,
            username: None,
            session_id: None,
            until: None,
            why: None,
        };
        match &status.screen {
            Screen::FirstRun => r.state = DeskState::Setup,
            Screen::SignIn { .. } | Screen::SignedOut { .. } => {}
            Screen::NeedsAttention { message, .. } => {
                r.state = DeskState::Attention;
                r.why = Some(message.clone());
            }
            Screen::AcceptableUse { display_name, .. } => {
                r.state = DeskState::InUse;
                r.who = Some(display_name.clone());
            }
            Screen::Ending => r.state = DeskState::InUse,
            Screen::Session {
                display_name,
                time_left,
                ..
            } => {
                r.state = DeskState::InUse;
                r.who = Some(display_name.clone());
                if let Ok(Some(open)) = lock(&self.store).open_sessions().map(|mut v| v.pop()) {
                    r.username = open.username;
                    r.session_id = Some(open.id);
                }
                r.until = time_left.map(|left| {
                    let secs = match left {
                        TimeLeft::Minutes(m) => i64::from(m) * 60,
                        TimeLeft::Seconds(s) => i64::from(s),
                    };
                    crate::clock::to_db(self.clock.now_utc() + chrono::Duration::seconds(secs))
                });
            }
        }
        r
    }

    /// Tells the room this terminal's state, when it changed from what the room last heard
    /// (a room that is away hears it when the terminal connects again).
    pub fn room_report(&self, status: &AppStatus) {
        let Some(room) = &self.room else { return };
        let report = self.state_report(status);
        let mut last = lock(&self.room_state);
        let same = last.as_ref().is_some_and(|(sent, told)| {
            *told
                && sent.state == report.state
                && sent.who == report.who
                && sent.session_id == report.session_id
                && sent.why == report.why
                && close_enough(sent.until.as_deref(), report.until.as_deref())
        });
        if same {
            return;
        }
        let told = match room.report_state(&report) {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!("the room was not told this terminal's state: {e}");
                false
            }
        };
        *last = Some((report, told));
    }

    /// Starts hearing staff's requests to this terminal (see [`Listener`]); `None` when the
    /// terminal is in no room.
    pub fn listen_to_room(self: &Arc<Self>) -> Option<Listener> {
        let room = self.room.as_ref()?;
        let (again, act, read) = (Arc::clone(self), Arc::clone(self), Arc::clone(self));
        let listening = room.listen(
            move || again.report_again(),
            move |request| match act.take_room_request(request) {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!("a request from the room was not carried out: {e}");
                    false
                }
            },
            move || read.read_room_settings(),
        );
        match listening {
            Ok(l) => Some(l),
            Err(e) => {
                tracing::error!("the room's requests cannot be heard: {e}");
                None
            }
        }
    }

    /// Tells the room again what it was last told (it may have missed it while away), on the
    /// terminal's own connection, made now if it was not (so the first sign-in after a start
    /// or an absence does not wait for it).
    fn report_again(&self) {
        let Some(room) = &self.room else { return };
        if let Err(e) = room.reachable() {
            tracing::debug!("the room is not reachable yet: {e}");
            return;
        }
        {
            let mut last = lock(&self.room_state);
            if let Some((report, told)) = last.as_mut() {
                *told = room.report_state(report).is_ok();
            }
        }
        // The room's settings may have changed while it was away.
        self.read_room_settings();
    }

    /// [`Self::refresh_room_settings`], its failure logged (the values kept still hold).
    fn read_room_settings(&self) {
        if let Err(e) = self.refresh_room_settings() {
            tracing::warn!("the room's settings were not read again: {e}");
        }
    }

    /// Carries out a request made of this terminal in the room, if the session it names is the
    /// one open here (never the next person's): ends it, or hands the session manager a message
    /// to show. Audited with who asked and from where (a message by its length, never its
    /// words).
    fn take_room_request(&self, request: &RoomRequest) -> Result<(), KioskError> {
        self.local_changes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let store = lock(&self.store);
        let Some(open) = store
            .open_sessions()?
            .into_iter()
            .find(|s| s.id == request.session)
        else {
            return Ok(());
        };
        let (by, from) = (&request.by_user, &request.by_terminal);
        store.atomically(|store| {
            match &request.kind {
                RequestKind::End => {
                    if store.request_session_end(&open.id)? {
                        let details = json!({ "by": by, "from_terminal": from });
                        self.record(
                            store,
                            AuditEvent::new(Event::SessionEndedByAdmin, details)
                                .user(open.username.as_deref())
                                .session(&open.id),
                        )?;
                    }
                }
                RequestKind::Message(text) => {
                    let details =
                        json!({ "by": by, "from_terminal": from, "chars": text.chars().count() });
                    // The record is also what wakes the session manager (a write of the
                    // database's folder): it then takes the message.
                    self.record(
                        store,
                        AuditEvent::new(Event::StaffMessage, details)
                            .user(open.username.as_deref())
                            .session(&open.id),
                    )?;
                    *lock(&self.staff_message) = Some((
                        open.id.clone(),
                        StaffMessage {
                            id: request.id,
                            text: text.clone(),
                            from: from.clone(),
                        },
                    ));
                }
            }
            Ok::<(), KioskError>(())
        })
    }

    /// The message staff sent to session `id`, once.
    pub fn take_staff_message(&self, id: &str) -> Option<StaffMessage> {
        let mut slot = lock(&self.staff_message);
        match slot.take() {
            Some((for_session, message)) if for_session == id => Some(message),
            _ => None,
        }
    }

    /// Sends the person signed in at `terminal` a message (1 to 500 characters, lines kept);
    /// `false` when nobody is signed in there.
    pub fn room_message(&self, by: &Actor, terminal: &str, text: &str) -> Result<bool, KioskError> {
        let room = self.room.as_ref().ok_or_else(not_in_room)?;
        let text = text.trim();
        let chars = text.chars().count();
        if chars == 0 || chars > MESSAGE_MAX || text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(KioskError::InvalidRequest(
                Phrase::new("A message has 1 to {max} characters.")
                    .number("max", MESSAGE_MAX as u64),
            ));
        }
        let Some(session) = session_at(room, terminal)? else {
            return Ok(false);
        };
        Ok(room.send_message(terminal, &session, text, &by.to_string())?)
    }

    /// Every terminal of the room, for the desk view.
    pub fn room_status(&self) -> Result<Vec<DeskTerminal>, KioskError> {
        let room = self.room.as_ref().ok_or_else(not_in_room)?;
        Ok(room.status()?)
    }

    /// Asks `terminal` to end the session it has now; `false` when nobody is signed in there.
    pub fn room_end_session(&self, by: &Actor, terminal: &str) -> Result<bool, KioskError> {
        let room = self.room.as_ref().ok_or_else(not_in_room)?;
        let Some(session) = session_at(room, terminal)? else {
            return Ok(false);
        };
        Ok(room.request_end(terminal, &session, &by.to_string())?)
    }

    /// Asks every terminal where `username` has a session open to end it ("log out
    /// everywhere"); returns how many sessions were asked.
    pub fn room_end_everywhere(&self, by: &Actor, username: &str) -> Result<u32, KioskError> {
        let room = self.room.as_ref().ok_or_else(not_in_room)?;
        let n = room.end_everywhere(username.trim(), &by.to_string())?;
        Ok(u32::try_from(n).unwrap_or(0))
    }
}

/// The session the desk sees at `terminal` (the one a request or a message is for); `None`
/// when nobody is signed in there.
fn session_at(room: &crate::room::Room, terminal: &str) -> Result<Option<String>, KioskError> {
    let Some(there) = room.status()?.into_iter().find(|t| t.name == terminal) else {
        return Err(KioskError::InvalidRequest(Phrase::plain(format!(
            "The room has no terminal {terminal}."
        ))));
    };
    Ok(there
        .session_id
        .filter(|_| there.state == Some(DeskState::InUse)))
}

fn close_enough(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (crate::clock::from_db(a), crate::clock::from_db(b)) {
            (Some(a), Some(b)) => (a - b).num_seconds().abs() <= UNTIL_SLACK_SECS,
            _ => a == b,
        },
        _ => false,
    }
}
