//! Why a session ended, in plain words, for the signed-out screen.

use std::time::Duration;

use crate::api::EndReason;
use crate::duration;
use crate::settings::Settings;

/// The duration [`reason_text`] names, in seconds.
pub fn reason_secs(reason: EndReason, s: &Settings) -> Option<u32> {
    let secs = |d: Duration| u32::try_from(d.as_secs()).unwrap_or(u32::MAX);
    match reason {
        EndReason::Idle => Some(secs(s.idle_timeout)),
        EndReason::TimeLimit => s.time_limit.map(secs),
        _ => None,
    }
}

/// Why the session ended, in plain words.
pub fn reason_text(reason: EndReason, s: &Settings) -> String {
    match reason {
        EndReason::User => "You signed out.".into(),
        EndReason::Idle => format!(
            "You were signed out after {} without activity.",
            duration::spoken(s.idle_timeout)
        ),
        EndReason::TimeLimit => match s.time_limit {
            Some(l) => format!(
                "Your session reached its time limit of {}.",
                duration::spoken(l)
            ),
            None => "Your session reached its time limit.".into(),
        },
        EndReason::Admin => "A member of staff ended your session.".into(),
        EndReason::Shutdown => {
            "The session ended because the kiosk was closed or the machine went to sleep.".into()
        }
        EndReason::Recovered => "The previous session was ended when the kiosk restarted.".into(),
    }
}
