//! Why a session ends, in plain words for the UI to say in the person's language: the session
//! bar's one line on when and why it will end ([`signs_out`]), and the signed-out screen's
//! reason ([`why`], with the idle timeout or the time limit as a duration piece).

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
        EndReason::DailyAllowance => {
            Phrase::new("Your time on this terminal for today is used up.")
        }
        EndReason::ClosingTime => Phrase::new("The terminal closed for the day."),
        EndReason::Admin => Phrase::new("A member of staff ended your session."),
        EndReason::Shutdown => Phrase::new(
            "The session ended because the kiosk was closed or the machine went to sleep.",
        ),
        EndReason::Recovered => {
            Phrase::new("The previous session was ended when the kiosk restarted.")
        }
    }
}

/// The session bar's line: when the first cutoff (`rule`, at `at`, local time) signs the
/// person out, and why.
pub fn signs_out(rule: EndReason, at: &jiff::Zoned) -> Phrase {
    match rule {
        EndReason::ClosingTime => {
            Phrase::new("You will be signed out at {time}: the library closes.")
        }
        EndReason::DailyAllowance => {
            Phrase::new("You will be signed out at {time}: your time for today ends.")
        }
        _ => Phrase::new("You will be signed out at {time}: your session's time limit."),
    }
    .clock("time", at)
}
