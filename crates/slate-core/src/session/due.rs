//! The deadline arithmetic of a live session, pure: given when it started and when the person
//! was last active (on the boot clock), the rules in force and the time now, what is due
//! ([`due`]), what the countdowns show ([`countdowns`]) and when to look again ([`next_wake`]):
//! only when something is due or a shown figure changes, never on a fixed beat (the manager's
//! timer is on the boot clock, so a suspend past a deadline is noticed at resume without one).
//! No I/O and no clock: the session manager feeds it, and the tests below drive it directly.

use std::time::Duration;

use crate::api::{EndReason, IdleWarning, SessionKind, TimeLeft};
use crate::duration;
use crate::settings::Settings;

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
    /// When the person's time for the day runs out, if a daily allowance applies.
    pub allowance_end: Option<Duration>,
    /// When the terminal closes, if it has opening hours.
    pub closing: Option<Duration>,
    /// The extension the person asked for, if they did (once a session), and whether it may
    /// pass closing and the day's time.
    pub extended: Option<(Duration, bool)>,
    /// When the time limit and the day's time started counting: the start, or the first input
    /// of a session that waited for one.
    pub clock_start: Duration,
    /// Waiting for the first input before the time limit and the day's time count
    /// (`guest_time_from_first_input`); the idle timeout and closing time count all along.
    pub waiting: bool,
}

impl Timing {
    /// A session that starts at `now`.
    pub fn starting(now: Duration) -> Self {
        Self {
            boot_start: now,
            last_activity: now,
            warned: false,
            media_until: None,
            allowance_end: None,
            closing: None,
            extended: None,
            clock_start: now,
            waiting: false,
        }
    }

    /// The first input of a session that waited for one: the time limit and the day's time
    /// count from `now` (the day's time keeps its length).
    pub fn first_input(&mut self, now: Duration) {
        if !self.waiting {
            return;
        }
        let waited = now.saturating_sub(self.clock_start);
        self.clock_start = now;
        self.allowance_end = self.allowance_end.map(|end| end + waited);
        self.waiting = false;
    }

    /// When the idle timeout runs out: counted from the last activity, or from the end of the
    /// media's hold when that is later.
    pub fn idle_end(&self, s: &Settings) -> Duration {
        self.last_activity.max(self.media_until.unwrap_or_default()) + s.idle_timeout
    }

    /// When the time limit runs out, if there is one.
    pub fn limit_end(&self, s: &Settings) -> Option<Duration> {
        s.time_limit.map(|l| self.clock_start + l)
    }

    /// The first of the deadlines that end a session whatever the person does (the time limit,
    /// the day's time, closing time) and the rule it is; `None` without any. At the same moment
    /// closing time comes first, then the day's time: the reason a person can do least about.
    pub fn cutoff(&self, s: &Settings) -> Option<(Duration, EndReason)> {
        let (more, past_limits) = self.extended.unwrap_or((Duration::ZERO, false));
        let later =
            |at: Option<Duration>, moves: bool| at.map(|at| if moves { at + more } else { at });
        // Waiting for the first input: only closing time is running.
        let counting = |at: Option<Duration>| at.filter(|_| !self.waiting);
        [
            (later(self.closing, past_limits), EndReason::ClosingTime),
            (
                later(counting(self.allowance_end), past_limits),
                EndReason::DailyAllowance,
            ),
            (
                later(counting(self.limit_end(s)), true),
                EndReason::TimeLimit,
            ),
        ]
        .into_iter()
        .filter_map(|(at, rule)| Some((at?, rule)))
        // `min_by_key` keeps the first of equals: the order above.
        .min_by_key(|(at, _)| *at)
    }
}

/// What the one extension would add to the session now: the later first cutoff minus the one
/// in force; `None` when the settings offer none, it was used, or it would add nothing (the
/// first cutoff is closing or the day's time, which it may not pass).
pub fn extension_gain(t: &Timing, s: &Settings) -> Option<Duration> {
    let more = s.extension?;
    if t.extended.is_some() {
        return None;
    }
    let (now_end, _) = t.cutoff(s)?;
    let asked = Timing {
        extended: Some((more, s.extension_past_limits)),
        ..*t
    };
    let (then_end, _) = asked.cutoff(s)?;
    Some(then_end.saturating_sub(now_end)).filter(|gain| !gain.is_zero())
}

/// The warnings before a cutoff of `rule`: closing time's own, else the time limit's.
fn warnings_for(rule: EndReason, s: &Settings) -> &[Duration] {
    if rule == EndReason::ClosingTime {
        &s.closing_warnings
    } else {
        &s.time_limit_warnings
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
    /// The session ends, for this reason (a cutoff wins over the idle timeout when both are
    /// due).
    End(EndReason),
}

/// What is due at `now`.
pub fn due(t: &Timing, s: &Settings, now: Duration) -> Due {
    let idle_end = t.idle_end(s);
    let cutoff = t.cutoff(s);
    if let Some((_, rule)) = cutoff.filter(|(end, _)| *end <= now) {
        return Due::End(rule);
    }
    if idle_end <= now {
        return Due::End(EndReason::Idle);
    }
    Due::Running {
        warn_idle: idle_end.saturating_sub(s.idle_warning) <= now,
        time_warning: cutoff.and_then(|(end, rule)| {
            let left = end.saturating_sub(now);
            warnings_for(rule, s)
                .iter()
                .copied()
                .filter(|w| left <= *w)
                .min()
        }),
    }
}

/// When to look again: the next deadline, warning or change of a shown countdown (the idle
/// warning's seconds while it shows; the time left by the minute, then by the second in its last
/// [`TimeLeft::SECONDS_FROM`] seconds). Nothing else: a session at rest wakes nobody.
pub fn next_wake(t: &Timing, s: &Settings, now: Duration) -> Duration {
    let idle_end = t.idle_end(s);
    let mut wake = idle_end;
    if t.warned {
        wake = wake.min(now + duration::next_whole_second(idle_end.saturating_sub(now)));
    } else {
        wake = wake.min(idle_end.saturating_sub(s.idle_warning));
    }
    if let Some((end, rule)) = t.cutoff(s) {
        let left = end.saturating_sub(now);
        let step = if left <= Duration::from_secs(u64::from(TimeLeft::SECONDS_FROM)) {
            duration::next_whole_second(left)
        } else {
            // The shown minutes (rounded up) drop when the time left reaches a whole minute.
            let minute = Duration::from_secs(60);
            let whole = Duration::from_secs(left.as_secs() / 60 * 60);
            let to_whole = left.saturating_sub(whole);
            if to_whole.is_zero() {
                minute
            } else {
                to_whole
            }
        };
        wake = wake.min(end).min(now + step);
        // The warnings before it, at their exact moments.
        for w in warnings_for(rule, s) {
            let at = end.saturating_sub(*w);
            if at > now {
                wake = wake.min(at);
            }
        }
    }
    wake.max(now)
}

/// What the session screen counts down at `now`: the idle warning (while it shows) and what is
/// left before the first cutoff (the time limit, the day's time or closing, if any), both
/// rounded up.
pub fn countdowns(
    t: &Timing,
    s: &Settings,
    now: Duration,
) -> (Option<IdleWarning>, Option<TimeLeft>) {
    let idle = t.warned.then(|| IdleWarning {
        seconds_left: duration::ceil_secs(t.idle_end(s).saturating_sub(now)),
    });
    let left = t
        .cutoff(s)
        .map(|(end, _)| TimeLeft::from_secs(duration::ceil_secs(end.saturating_sub(now))));
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
    fn the_manager_wakes_only_for_a_step_never_on_a_beat() {
        let mut t = Timing::starting(secs(0));
        let s = Settings {
            time_limit: None,
            ..rules()
        };
        // Quiet: not until the warning is due.
        assert_eq!(next_wake(&t, &s, secs(10)), secs(240));
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
    fn the_time_left_is_shown_by_the_minute_then_by_the_second() {
        let t = Timing {
            // Active all along, so only the time limit speaks.
            last_activity: secs(10_000),
            ..Timing::starting(secs(0))
        };
        let s = Settings {
            time_limit: Some(secs(600)),
            time_limit_warnings: vec![secs(300), secs(90)],
            ..rules()
        };
        let left = |now| countdowns(&t, &s, now).1;
        assert_eq!(left(secs(0)), Some(TimeLeft::Minutes(10)));
        assert_eq!(
            left(Duration::from_millis(500)),
            Some(TimeLeft::Minutes(10))
        );
        assert_eq!(left(secs(60)), Some(TimeLeft::Minutes(9)));
        assert_eq!(left(secs(479)), Some(TimeLeft::Minutes(3)));
        assert_eq!(left(secs(480)), Some(TimeLeft::Seconds(120)));
        assert_eq!(
            left(Duration::from_millis(599_001)),
            Some(TimeLeft::Seconds(1))
        );
        // The wakes: each minute step, the warnings at their moments, then each second.
        assert_eq!(next_wake(&t, &s, secs(0)), secs(60));
        assert_eq!(next_wake(&t, &s, Duration::from_millis(500)), secs(60));
        assert_eq!(next_wake(&t, &s, secs(250)), secs(300));
        assert_eq!(next_wake(&t, &s, secs(300)), secs(360));
        assert_eq!(next_wake(&t, &s, secs(420)), secs(480));
        assert_eq!(next_wake(&t, &s, secs(480)), secs(481));
        assert_eq!(next_wake(&t, &s, secs(500)), secs(501));
        // The 90 s warning falls inside the seconds: at its moment too.
        assert_eq!(next_wake(&t, &s, Duration::from_millis(509_500)), secs(510));
        assert_eq!(next_wake(&t, &s, secs(600)), secs(600));
        // Every shown value changes only at a wake: from each wake to the next, one value.
        let mut now = secs(0);
        while now < secs(600) {
            let next = next_wake(&t, &s, now);
            assert!(next > now);
            assert_eq!(
                left(now),
                left(next.saturating_sub(Duration::from_millis(1))),
                "at {now:?}"
            );
            now = next;
        }
    }

    #[test]
    fn the_time_left_turns_to_seconds_at_two_minutes() {
        assert_eq!(TimeLeft::from_secs(121), TimeLeft::Minutes(3));
        assert_eq!(TimeLeft::from_secs(120), TimeLeft::Seconds(120));
        assert_eq!(TimeLeft::from_secs(3600), TimeLeft::Minutes(60));
        assert_eq!(TimeLeft::from_secs(3601), TimeLeft::Minutes(61));
    }

    #[test]
    fn countdowns_round_up_and_show_only_what_applies() {
        let mut t = Timing::starting(secs(0));
        let s = rules();
        let now = secs(250) + Duration::from_millis(500);
        assert_eq!(countdowns(&t, &s, now), (None, Some(TimeLeft::Minutes(6))));
        t.warned = true;
        assert_eq!(
            countdowns(&t, &s, now),
            (
                Some(IdleWarning { seconds_left: 50 }),
                Some(TimeLeft::Minutes(6))
            )
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

    #[test]
    fn the_first_cutoff_ends_the_session_with_its_own_reason_and_warnings() {
        // Time limit 600 s (warned at 120 and 30 s); the day's time ends at 500 s; the library
        // closes at 400 s, warned at 900, 300 and 60 s before.
        let mut t = Timing::starting(secs(0));
        let s = Settings {
            closing_warnings: vec![secs(900), secs(300), secs(60)],
            ..rules()
        };
        t.allowance_end = Some(secs(500));
        t.closing = Some(secs(400));
        assert_eq!(t.cutoff(&s), Some((secs(400), EndReason::ClosingTime)));
        // Closing's own warnings: 900 s before is already past at the start, so it shows.
        let running = |time_warning| Due::Running {
            warn_idle: false,
            time_warning,
        };
        assert_eq!(due(&t, &s, secs(10)), running(Some(secs(900))));
        assert_eq!(due(&t, &s, secs(100)), running(Some(secs(300))));
        assert_eq!(
            next_wake(&t, &s, secs(100)),
            secs(160),
            "the countdown's next minute"
        );
        // The person keeps at it: the idle deadline stays ahead of closing.
        t.last_activity = secs(330);
        assert_eq!(due(&t, &s, secs(340)), running(Some(secs(60))));
        assert_eq!(due(&t, &s, secs(400)), Due::End(EndReason::ClosingTime));
        // Without closing, the day's time (the time limit's warnings apply to it).
        t.closing = None;
        assert_eq!(due(&t, &s, secs(380)), running(Some(secs(120))));
        assert_eq!(due(&t, &s, secs(500)), Due::End(EndReason::DailyAllowance));
        assert_eq!(
            countdowns(&t, &s, secs(440)).1,
            Some(TimeLeft::Seconds(60)),
            "the bar counts down to the first cutoff"
        );
        // At the same moment, closing first, then the day's time, then the limit.
        t.allowance_end = Some(secs(600));
        assert_eq!(t.cutoff(&s), Some((secs(600), EndReason::DailyAllowance)));
        t.closing = Some(secs(600));
        assert_eq!(t.cutoff(&s), Some((secs(600), EndReason::ClosingTime)));
        // None at all: no countdown, no warning, nothing wakes before the idle timeout's.
        let free = Timing::starting(secs(0));
        let no_limit = Settings {
            time_limit: None,
            ..s
        };
        assert_eq!(free.cutoff(&no_limit), None);
        assert_eq!(countdowns(&free, &no_limit, secs(10)), (None, None));
        assert_eq!(next_wake(&free, &no_limit, secs(10)), secs(240));
    }

    #[test]
    fn the_extension_adds_to_the_limit_but_never_past_closing_unless_allowed() {
        // A 600 s limit; closing at 720 s; an extension of 300 s.
        let mut t = Timing::starting(secs(0));
        t.closing = Some(secs(720));
        let mut s = Settings {
            extension: Some(secs(300)),
            ..rules()
        };
        // Up to closing only: 120 s more.
        assert_eq!(extension_gain(&t, &s), Some(secs(120)));
        s.extension_past_limits = true;
        assert_eq!(extension_gain(&t, &s), Some(secs(300)));
        s.extension_past_limits = false;
        t.extended = Some((secs(300), false));
        assert_eq!(t.cutoff(&s), Some((secs(720), EndReason::ClosingTime)));
        assert_eq!(extension_gain(&t, &s), None, "once a session");
        // When closing comes first, the extension adds nothing: not offered.
        let mut early = Timing::starting(secs(0));
        early.closing = Some(secs(500));
        assert_eq!(extension_gain(&early, &s), None);
        // Off: never.
        assert_eq!(extension_gain(&Timing::starting(secs(0)), &rules()), None);
    }

    #[test]
    fn a_session_waiting_for_its_first_input_counts_only_idle_and_closing_until_then() {
        let mut t = Timing::starting(secs(1000));
        t.waiting = true;
        t.allowance_end = Some(secs(1000 + 900));
        t.closing = Some(secs(1000 + 3600));
        let s = rules();
        // Untouched: the idle timeout runs (and ends it), the limit and the day's time do not.
        assert_eq!(t.cutoff(&s), Some((secs(4600), EndReason::ClosingTime)));
        assert_eq!(due(&t, &s, secs(1300)), Due::End(EndReason::Idle));
        // The first input at 1200: the limit (600 s) and the day's time (900 s) from then.
        t.last_activity = secs(1200);
        t.first_input(secs(1200));
        assert_eq!(t.limit_end(&s), Some(secs(1800)));
        assert_eq!(t.allowance_end, Some(secs(2100)));
        assert_eq!(t.cutoff(&s), Some((secs(1800), EndReason::TimeLimit)));
        // Later inputs move nothing but the idle deadline.
        t.first_input(secs(1500));
        assert_eq!(t.limit_end(&s), Some(secs(1800)));
    }
}
