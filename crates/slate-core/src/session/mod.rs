//! The session manager: the one owner of session state.
//!
//! One task ([`SessionManager::run`], in [`manager`]) owns the session and takes messages through
//! a [`SessionHandle`] ([`handle`]): set up, sign in, activity, stay, sign out, dismiss, admin end
//! and shutdown, plus its own ticks. Nothing else changes session state, so there are no locks to
//! order and tests drive it deterministically with a fake clock and tokio's paused time.
//!
//! States: signed out → active → warning → ending → signed out. Deadlines are measured on the
//! boot clock, which counts suspended time and ignores wall-clock changes; the arithmetic is the
//! pure [`due`] module. The task never sleeps longer than one second while a session is live, so
//! after a resume an overdue session ends within a second, and an administrator's request
//! (polled from the database) within two.
//!
//! Fail closed: only activity reports move the idle deadline. If the UI hangs or dies, reports
//! stop and the session ends on time.
//!
//! Every change of what the UI should show is announced on a `watch` channel of
//! [`AppStatus`](crate::api::AppStatus). Why a session ended is said by [`farewell`].

pub mod due;
pub mod farewell;
mod handle;
mod manager;
#[cfg(test)]
mod tests;

pub use crate::records::ActiveSession;
pub use handle::{AdminGrant, Browsing, SessionHandle};
pub use manager::SessionManager;
