//! The desk view's part of the room: each terminal's state as it last said it
//! ([`Room::report_state`]), every terminal's state at a glance ([`Room::status`]: online means
//! the terminal holds a connection to the room now), and staff's requests to a terminal (end
//! the session there, or every session of a person), which the terminal hears at once through
//! [`Listener`]: its own connection, asleep in `LISTEN` until the room notifies it.

use std::sync::atomic::{AtomicBool, Ordering};

use fallible_iterator::FallibleIterator as _;
use std::sync::Arc;
use std::time::Duration;

use super::{away, ident, schema, Membership, Room};
use crate::store_error::StoreError;

pub use crate::api::{DeskState, DeskTerminal};

fn state_text(s: DeskState) -> &'static str {
    match s {
        DeskState::Ready => "ready",
        DeskState::InUse => "in_use",
        DeskState::Attention => "attention",
        DeskState::Setup => "setup",
    }
}

fn parse_state(text: &str) -> Option<DeskState> {
    [
        DeskState::Ready,
        DeskState::InUse,
        DeskState::Attention,
        DeskState::Setup,
    ]
    .into_iter()
    .find(|s| state_text(*s) == text)
}

/// What a terminal tells the room about itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StateReport {
    pub state: DeskState,
    /// Who is signed in (their display name), in a session.
    pub who: Option<String>,
    pub username: Option<String>,
    pub session_id: Option<String>,
    /// When the session's first cutoff falls (UTC), if it has one.
    pub until: Option<String>,
    /// Why the terminal needs attention.
    pub why: Option<String>,
}

/// What staff asked of a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestKind {
    /// End the session.
    End,
    /// Show the person this message.
    Message(String),
}

/// A request staff made of this terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRequest {
    /// The room's number for it.
    pub id: i64,
    pub kind: RequestKind,
    /// The session it is for: carried out only if it is the one running here.
    pub session: String,
    /// The terminal it was made from, and the administrator who made it.
    pub by_terminal: String,
    pub by_user: String,
}

impl Room {
    /// Says the terminal's state in the room.
    pub fn report_state(&self, r: &StateReport) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO slate.terminal_state AS t
                    (terminal, state, who, username, session_id, until, why, changed_at)
                 VALUES (slate.my_terminal(), $1, $2, $3, $4, $5, $6, now())
                 ON CONFLICT (terminal) DO UPDATE
                 SET state = excluded.state, who = excluded.who, username = excluded.username,
                     session_id = excluded.session_id, until = excluded.until,
                     why = excluded.why, changed_at = now()",
                &[
                    &state_text(r.state),
                    &r.who,
                    &r.username,
                    &r.session_id,
                    &r.until,
                    &r.why,
                ],
            )
        })?;
        Ok(())
    }

    /// Every terminal of the room, by name.
    pub fn status(&self) -> Result<Vec<DeskTerminal>, StoreError> {
        let rows = self.with(|c| {
            c.query(
                "SELECT name, grp, state, who, username, session_id, until, why, changed_at,
                        online, revoked
                 FROM slate.room_status()",
                &[],
            )
        })?;
        Ok(rows
            .iter()
            .map(|r| DeskTerminal {
                name: r.get(0),
                group: r.get(1),
                state: r
                    .get::<_, Option<String>>(2)
                    .as_deref()
                    .and_then(parse_state),
                who: r.get(3),
                username: r.get(4),
                session_id: r.get(5),
                until: r.get(6),
                why: r.get(7),
                changed_at: r.get(8),
                online: r.get(9),
                revoked: r.get(10),
                here: r.get::<_, String>(0) == self.membership.terminal.as_str(),
            })
            .collect())
    }

    /// Asks `terminal` to end `session` (the one the desk view showed there); `false` when the
    /// room has no such terminal. `by_user` is the administrator asking.
    pub fn request_end(
        &self,
        terminal: &str,
        session: &str,
        by_user: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .once(|c| {
                c.query_one(
                    "SELECT slate.request_end($1, $2, $3)",
                    &[&terminal, &session, &by_user],
                )
            })?
            .get(0))
    }

    /// Where else `person` (of `source`) has a session open now: each terminal (connected to
    /// the room) and its session.
    pub fn open_elsewhere(
        &self,
        person: &str,
        source: Option<crate::accounts::Source>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let source = source.map(crate::accounts::Source::as_str);
        let rows = self.with(|c| {
            c.query(
                "SELECT terminal, session_id FROM slate.open_elsewhere($1, $2)",
                &[&person, &source],
            )
        })?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Sends the person at `terminal` (in `session`) a message from `by_user`; `false` when the
    /// room has no such terminal.
    pub fn send_message(
        &self,
        terminal: &str,
        session: &str,
        text: &str,
        by_user: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .once(|c| {
                c.query_one(
                    "SELECT slate.send_message($1, $2, $3, $4)",
                    &[&terminal, &session, &text, &by_user],
                )
            })?
            .get(0))
    }

    /// Asks every terminal where `person` has a session open to end it; returns how many.
    pub fn end_everywhere(&self, person: &str, by_user: &str) -> Result<i32, StoreError> {
        Ok(self
            .once(|c| c.query_one("SELECT slate.end_everywhere($1, $2)", &[&person, &by_user]))?
            .get(0))
    }

    /// Starts listening for staff's requests to this terminal, and for news that the room's
    /// settings for it changed (see [`Listener`]).
    pub fn listen(
        &self,
        on_connect: impl FnMut() + Send + 'static,
        on_request: impl FnMut(&RoomRequest) -> bool + Send + 'static,
        on_settings: impl FnMut() + Send + 'static,
    ) -> std::io::Result<Listener> {
        Listener::start(self.membership.clone(), on_connect, on_request, on_settings)
    }
}

/// The longest wait between tries to reach a room that is away.
const RETRY_CAP: Duration = Duration::from_secs(30);

/// A thread with its own connection to the room, asleep until the room notifies this terminal
/// (or the connection ends). At each connection it first takes the requests that waited (a
/// notification is not kept for a terminal that was away), calls `on_connect` (the terminal says
/// its state again), then takes each request as it is announced; `on_request` says whether it
/// carried the request out (only then is it marked done in the room); `on_settings` is called
/// when the room says this terminal's settings changed. A room that is away is tried
/// again after a wait that doubles up to 30 s. Dropping it stops the thread at its next wake.
#[derive(Debug)]
pub struct Listener {
    stop: Arc<AtomicBool>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn pending(client: &mut postgres::Client) -> Result<Vec<RoomRequest>, postgres::Error> {
    Ok(client
        .query(
            "SELECT id, kind, session_id, message, by_terminal, by_user
             FROM slate.pending_requests()",
            &[],
        )?
        .iter()
        .map(|r| RoomRequest {
            id: r.get(0),
            kind: match (
                r.get::<_, String>(1).as_str(),
                r.get::<_, Option<String>>(3),
            ) {
                ("message", Some(text)) => RequestKind::Message(text),
                _ => RequestKind::End,
            },
            session: r.get(2),
            by_terminal: r.get(4),
            by_user: r.get(5),
        })
        .collect())
}

impl Listener {
    fn start(
        membership: Membership,
        mut on_connect: impl FnMut() + Send + 'static,
        mut on_request: impl FnMut(&RoomRequest) -> bool + Send + 'static,
        mut on_settings: impl FnMut() + Send + 'static,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let channel = ident(&membership.terminal.role());
        std::thread::Builder::new()
            .name("room-listen".into())
            .spawn(move || {
                let mut wait = Duration::from_secs(1);
                while !stopped.load(Ordering::SeqCst) {
                    let outcome = (|| -> Result<(), StoreError> {
                        let mut client = membership.connect()?;
                        schema::check_version(&mut client)?;
                        client
                            .batch_execute(&format!("LISTEN {channel}"))
                            .map_err(away)?;
                        on_connect();
                        loop {
                            // Said done only once carried out; one that failed waits for the
                            // next look (the next request, or the next connection).
                            for request in pending(&mut client).map_err(away)? {
                                if on_request(&request) {
                                    client
                                        .execute("SELECT slate.request_done($1)", &[&request.id])
                                        .map_err(away)?;
                                }
                            }
                            if stopped.load(Ordering::SeqCst) {
                                return Ok(());
                            }
                            // Asleep until the room speaks to this terminal, or the
                            // connection ends (the server stopped; keepalives find a network
                            // that went silent).
                            match client.notifications().blocking_iter().next() {
                                Ok(Some(n)) if n.payload() == "settings" => on_settings(),
                                Ok(Some(_)) => {}
                                Ok(None) => return Err(StoreError::RoomAway("closed".into())),
                                Err(e) => return Err(away(e)),
                            }
                            wait = Duration::from_secs(1);
                        }
                    })();
                    if let Err(e) = outcome {
                        tracing::debug!("the room's requests are not heard now: {e}");
                        std::thread::sleep(wait);
                        wait = (wait * 2).min(RETRY_CAP);
                    }
                }
            })?;
        Ok(Self { stop })
    }
}
