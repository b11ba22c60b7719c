//! The deadline arithmetic of a live session, pure: given when it started and when the person
//! was last active (on the boot clock), the rules in force and the time now, what is due
//! ([`due`]), what the countdowns show ([`countdowns`]) and when to look again ([`next_wake`]).
//! No I/O and no clock: the session manager feeds it, and the tests below drive it directly.

use std::time::Duration;

use crate::api::{EndReason, IdleWarning, SessionKind};
use crate::duration;
use crate::settings::Settings;

/// The longest the session manager sleeps while a session is live (the resume rule: after a
/// suspend, an overdue session ends within a second).
pub const MAX_SLEEP_LIVE: Duration = Duration::from_secs(1);

/// How long one report that media is playing holds the idle deadline: the shell reports every
/// second while it plays, so the hold lapses a few seconds after it stops (or the shell does).
pub const MEDIA_LEASE: Duration = Duration::from_secs(3);

/// A live session's times, on the boot clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// When the session started.
    pub boot_start: Duration,
    /// The last activity (or "Stay signed in").
    pub last_activity: Duration,
    /// Whether the idle warning is showing (from when it is due until the next activity).
    pub warned: bool,
    /// Until when media playing in the browser holds the idle deadline (the last report plus
    /// [`MEDIA_LEASE`]); the idle timeout counts from then if that is later than the last
    /// activity. Never the time limit.
    pub media_until: Option<Duration>,
}

impl Timing {
    /// A session that starts at `now`.
    pub fn starting(now: Duration) -> Self {
        Self {
            boot_start: now,
            last_activity: now,
            warned: false,
            media_until: None,
        }
    }

    /// When the idle timeout runs out: counted from the last activity, or from the end of the
    /// media's hold when that is later.
    pub fn idle_end(&self, s: &Settings) -> Duration {
        self.last_activity.max(self.media_until.unwrap_or_default()) + s.idle_timeout
    }

    /// When the time limit runs out, if there is one.
    pub fn limit_end(&self, s: &Settings) -> Option<Duration> {
        s.time_limit.map(|l| self.boot_start + l)
    }
}

/// What the deadlines say at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// The session goes on; whether the idle warning is due, and the time-limit warning that
    /// applies (the smallest configured one not yet passed).
    Running {
        warn_idle: bool,
        time_warning: Option<Duration>,
    },
    /// The session ends, for this reason (the time limit wins when both are due).
    End(EndReason),
}

/// What is due at `now`.
pub fn due(t: &Timing, s: &Settings, now: Duration) -> Due {
    let idle_end = t.idle_end(s);
    let limit_end = t.limit_end(s);
    if limit_end.is_some_and(|end| end <= now) {
        return Due::End(EndReason::TimeLimit);
    }
    if idle_end <= now {
        return Due::End(EndReason::Idle);
    }
    Due::Running {
        warn_idle: idle_end.saturating_sub(s.idle_warning) <= now,
        time_warning: limit_end.and_then(|end| {
            let left = end.saturating_sub(now);
            s.time_limit_warnings
                .iter()
                .copied()
                .filter(|w| left <= *w)
                .min()
        }),
    }
}

/// When to look again: the next deadline or countdown step, never more than
/// [`MAX_SLEEP_LIVE`] ahead.
pub fn next_wake(t: &Timing, s: &Settings, now: Duration) -> Duration {
    let idle_end = t.idle_end(s);
    let mut wake = (now + MAX_SLEEP_LIVE).min(idle_end);
    if t.warned {
        wake = wake.min(now + duration::next_whole_second(idle_end.saturating_sub(now)));
    } else {
        wake = wake.min(idle_end.saturating_sub(s.idle_warning));
    }
    if let Some(end) = t.limit_end(s) {
        wake = wake
            .min(end)
            .min(now + duration::next_whole_second(end.saturating_sub(now)));
    }
    wake.max(now)
}

/// What the session screen counts down at `now`: the idle warning (while it shows) and the
/// whole seconds left of the time limit (if there is one), both rounded up.
pub fn countdowns(t: &Timing, s: &Settings, now: Duration) -> (Option<IdleWarning>, Option<u32>) {
    let idle = t.warned.then(|| IdleWarning {
        seconds_left: duration::ceil_secs(t.idle_end(s).saturating_sub(now)),
    });
    let left = t
        .limit_end(s)
        .map(|end| duration::ceil_secs(end.saturating_sub(now)));
    (idle, left)
}

/// The rules a session of `kind` runs under: administrators time out after
/// `admin_idle_timeout` (warned at most half-way through it) and have no time limit.
pub fn rules_for(mut s: Settings, kind: SessionKind) -> Settings {
    if kind == SessionKind::Admin {
        s.idle_timeout = s.admin_idle_timeout;
        s.idle_warning = s.idle_warning.min(s.idle_timeout / 2);
        s.time_limit = None;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    /// Idle 300 s with a 60 s warning; a 600 s limit warned at 120 s and 30 s.
    fn rules() -> Settings {
        Settings {
            idle_timeout: secs(300),
            idle_warning: secs(60),
            time_limit: Some(secs(600)),
            time_limit_warnings: vec![secs(120), secs(30)],
            ..Settings::default()
        }
    }

    #[test]
    fn the_idle_warning_comes_before_the_idle_end_at_the_exact_deadline() {
        let t = Timing::starting(secs(1000));
        let s = rules();
        let running = |warn_idle| Due::Running {
            warn_idle,
            time_warning: None,
        };
        assert_eq!(due(&t, &s, secs(1239)), running(false));
        assert_eq!(due(&t, &s, secs(1240)), running(true));
        assert_eq!(due(&t, &s, Duration::from_millis(1_299_999)), running(true));
        assert_eq!(due(&t, &s, secs(1300)), Due::End(EndReason::Idle));
    }

    #[test]
    fn activity_moves_the_idle_deadline_but_never_the_time_limit() {
        let mut t = Timing::starting(secs(0));
        let s = rules();
        t.last_activity = secs(590);
        assert_eq!(
            due(&t, &s, secs(480)),
            Due::Running {
                warn_idle: false,
                time_warning: Some(secs(120))
            }
        );
        assert_eq!(
            due(&t, &s, secs(575)),
            Due::Running {
                warn_idle: false,
                time_warning: Some(secs(30))
            }
        );
        assert_eq!(due(&t, &s, secs(600)), Due::End(EndReason::TimeLimit));
    }

    #[test]
    fn playing_media_holds_the_idle_deadline_but_never_the_time_limit() {
        let mut t = Timing::starting(secs(0));
        let s = rules();
        // Reports keep coming: at 1000 s the last one (at 999 s) holds until 1002 s.
        t.media_until = Some(secs(999) + MEDIA_LEASE);
        assert_eq!(t.idle_end(&s), secs(1302));
        let long = Settings {
            time_limit: Some(secs(3600)),
            ..rules()
        };
        assert_eq!(
            due(&t, &long, secs(1000)),
            Due::Running {
                warn_idle: false,
                time_warning: None
            }
        );
        // The time limit is not moved.
        assert_eq!(due(&t, &s, secs(1000)), Due::End(EndReason::TimeLimit));
        // Stopped: the idle timeout counts from the end of the hold.
        assert_eq!(
            due(&t, &long, secs(1241)).clone(),
            Due::Running {
                warn_idle: false,
                time_warning: None
            }
        );
        assert_eq!(
            due(&t, &long, secs(1242)),
            Due::Running {
                warn_idle: true,
                time_warning: None
            }
        );
        assert_eq!(due(&t, &long, secs(1302)), Due::End(EndReason::Idle));
        // Activity after the hold counts as usual.
        t.last_activity = secs(1100);
        assert_eq!(t.idle_end(&s), secs(1400));
    }

    #[test]
    fn the_time_limit_wins_when_both_run_out_together() {
        let t = Timing::starting(secs(0));
        let s = Settings {
            time_limit: Some(secs(300)),
            ..rules()
        };
        assert_eq!(due(&t, &s, secs(300)), Due::End(EndReason::TimeLimit));
    }

    #[test]
    fn the_manager_wakes_for_each_step_and_at_least_every_second() {
        let mut t = Timing::starting(secs(0));
        let s = Settings {
            time_limit: None,
            ..rules()
        };
        // Quiet: at most a second ahead.
        assert_eq!(next_wake(&t, &s, secs(10)), secs(11));
        // Just before the warning: at the warning.
        assert_eq!(next_wake(&t, &s, Duration::from_millis(239_700)), secs(240));
        // Warned, mid-second: when the countdown's whole second changes.
        t.warned = true;
        assert_eq!(
            next_wake(&t, &s, secs(250) + Duration::from_millis(400)),
            secs(251)
        );
        // Past the end: now.
        assert_eq!(next_wake(&t, &s, secs(301)), secs(301));
    }

    #[test]
    fn countdowns_round_up_and_show_only_what_applies() {
        let mut t = Timing::starting(secs(0));
        let s = rules();
        let now = secs(250) + Duration::from_millis(500);
        assert_eq!(countdowns(&t, &s, now), (None, Some(350)));
        t.warned = true;
        assert_eq!(
            countdowns(&t, &s, now),
            (Some(IdleWarning { seconds_left: 50 }), Some(350))
        );
    }

    #[test]
    fn administrators_have_their_own_timeout_and_no_limit() {
        let s = Settings {
            admin_idle_timeout: secs(60),
            ..rules()
        };
        let admin = rules_for(s.clone(), SessionKind::Admin);
        assert_eq!(admin.idle_timeout, secs(60));
        assert_eq!(admin.idle_warning, secs(30));
        assert_eq!(admin.time_limit, None);
        assert_eq!(rules_for(s.clone(), SessionKind::User), s);
    }
}
