//! Why a session ended, as the signed-out screen says it: a phrase (with the idle timeout or the
//! time limit as a duration piece) for the UI to say in the person's language.

use crate::api::EndReason;
use crate::phrase::Phrase;
use crate::settings::Settings;

/// Why the session ended, in plain words.
pub fn why(reason: EndReason, s: &Settings) -> Phrase {
    match reason {
        EndReason::User => Phrase::new("You signed out."),
        EndReason::Idle => Phrase::new("You were signed out after {duration} without activity.")
            .seconds("duration", s.idle_timeout.as_secs()),
        EndReason::TimeLimit => match s.time_limit {
            Some(l) => Phrase::new("Your session reached its time limit of {duration}.")
                .seconds("duration", l.as_secs()),
            None => Phrase::new("Your session reached its time limit."),
        },
        EndReason::Admin => Phrase::new("A member of staff ended your session."),
        EndReason::Shutdown => Phrase::new(
            "The session ended because the kiosk was closed or the machine went to sleep.",
        ),
        EndReason::Recovered => {
            Phrase::new("The previous session was ended when the kiosk restarted.")
        }
    }
}
