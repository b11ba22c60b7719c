//! Durations as people write and say them: the one place that reads "10 min", "1 hour 30
//! minutes" or "1.5h" (through jiff's friendly format), writes a duration back compactly, speaks
//! it in English ("1 hour 59 minutes 59 seconds") and rounds a wait up to whole seconds.
//! A leaf: it uses nothing else of the core (the phrase module turns its problems into sentences).
//!
//! ```
//! use slate_core::duration;
//! assert_eq!(duration::parse("1 hour 30 minutes"), Ok(5400));
//! assert_eq!(duration::parse("1.5h"), Ok(5400));
//! assert_eq!(duration::compact(5400), "1h30m");
//! assert_eq!(duration::spoken(std::time::Duration::from_secs(7199)), "1 hour 59 minutes 59 seconds");
//! ```

use std::fmt::Write as _;
use std::time::Duration;

use jiff::Span;

/// The longest duration any setting or message takes: a year (leap day included).
pub const MAX_SECS: u64 = 366 * 86_400;

/// Why a text is not a duration Slate takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationProblem {
    /// Nothing written.
    Empty,
    /// Not a duration in any form Slate reads.
    NotUnderstood,
    /// A number with a fraction and no unit ("1.5"): seconds or minutes?
    NoUnit,
    /// Months or years, whose length varies.
    CalendarUnit,
    /// Below zero ("-5m", "5m ago").
    Negative,
    /// Not a whole number of seconds ("1.5s").
    FractionOfASecond,
    /// Longer than [`MAX_SECS`].
    TooLong,
}

/// Reads a duration as people write it, into whole seconds:
/// - a bare whole number is seconds: "90";
/// - numbers with units, largest first: "90s", "10 min", "10 minutes", "1h30m",
///   "1 hour 30 minutes", "2 days"; a fraction on the last unit: "1.5h", "2.5 min";
/// - units are `s`/`sec`/`second(s)`, `m`/`min`/`minute(s)`, `h`/`hr`/`hour(s)`, `d`/`day(s)`,
///   `w`/`week(s)`, in any case.
///
/// Refused, each with its [`DurationProblem`]: a fraction without a unit ("1.5"), months and
/// years, negative durations, fractions of a second, and anything above a year.
pub fn parse(text: &str) -> Result<u64, DurationProblem> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return Err(DurationProblem::Empty);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return match t.parse::<u64>() {
            Ok(n) if n <= MAX_SECS => Ok(n),
            _ => Err(DurationProblem::TooLong),
        };
    }
    if t.bytes().all(|b| b.is_ascii_digit() || b"+-.".contains(&b)) {
        if let Ok(n) = t.parse::<f64>() {
            return Err(if n < 0.0 {
                DurationProblem::Negative
            } else {
                DurationProblem::NoUnit
            });
        }
    }
    // Only the friendly format: ISO 8601 ("PT5M") is not how a librarian writes a duration.
    let span: Span = jiff::fmt::friendly::SpanParser::new()
        .parse_span(&t)
        .map_err(|_| DurationProblem::NotUnderstood)?;
    seconds_of(span)
}

/// The whole seconds of a span of days (of 24 hours) and smaller units.
fn seconds_of(span: Span) -> Result<u64, DurationProblem> {
    if span.is_negative() {
        return Err(DurationProblem::Negative);
    }
    if span.get_years() != 0 || span.get_months() != 0 {
        return Err(DurationProblem::CalendarUnit);
    }
    if span.get_milliseconds() != 0 || span.get_microseconds() != 0 || span.get_nanoseconds() != 0 {
        return Err(DurationProblem::FractionOfASecond);
    }
    let parts = [
        (i64::from(span.get_weeks()), 7 * 86_400),
        (i64::from(span.get_days()), 86_400),
        (i64::from(span.get_hours()), 3600),
        (span.get_minutes(), 60),
        (span.get_seconds(), 1),
    ];
    let mut total: u64 = 0;
    for (n, unit) in parts {
        let n = u64::try_from(n).map_err(|_| DurationProblem::Negative)?;
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or(DurationProblem::TooLong)?;
    }
    if total > MAX_SECS {
        return Err(DurationProblem::TooLong);
    }
    Ok(total)
}

/// A number of seconds the way people write it, and [`parse`] reads back: 90 → "1m30s",
/// 5400 → "1h30m", 0 → "0s".
pub fn compact(secs: u64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut left = secs;
    for (unit, name) in [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")] {
        if left >= unit {
            let _ = write!(out, "{}{name}", left / unit);
            left %= unit;
        }
    }
    out
}

/// A duration in English words, every unit exact: "45 seconds", "5 minutes", "1 hour 30
/// minutes", "1 hour 59 minutes 59 seconds", "2 days 1 hour"; "0 seconds" for nothing.
pub fn spoken(d: Duration) -> String {
    let mut left = d.as_secs();
    if left == 0 {
        return "0 seconds".into();
    }
    let mut words = Vec::new();
    for (unit, name) in [
        (86_400, "day"),
        (3600, "hour"),
        (60, "minute"),
        (1, "second"),
    ] {
        let n = left / unit;
        left %= unit;
        if n > 0 {
            words.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
        }
    }
    words.join(" ")
}

/// A wait in words ([`said_wait`]): "1 second", "2 seconds", "1 minute 1 second", "15 minutes".
pub fn spoken_wait(wait: Duration) -> String {
    spoken(Duration::from_secs(said_wait(wait)))
}

/// A wait as it is said to a person, in seconds: rounded up to a whole second and never 0; over
/// two minutes, rounded up to whole minutes ("15 minutes", not "14 minutes 56 seconds"), so
/// that trying again at the said time works.
pub fn said_wait(wait: Duration) -> u64 {
    let secs = u64::from(ceil_secs(wait)).max(1);
    if secs > 120 {
        secs.div_ceil(60) * 60
    } else {
        secs
    }
}

/// Whole seconds, rounded up (saturating at `u32::MAX`): what a countdown shows.
pub fn ceil_secs(d: Duration) -> u32 {
    u32::try_from(d.as_secs() + u64::from(d.subsec_nanos() > 0)).unwrap_or(u32::MAX)
}

/// Time until a countdown shown in whole seconds (rounded up) changes.
pub fn next_whole_second(left: Duration) -> Duration {
    match left.subsec_nanos() {
        0 => Duration::from_secs(1).min(left.max(Duration::from_millis(1))),
        n => Duration::from_nanos(u64::from(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_said_in_seconds_then_in_whole_minutes() {
        let said = |ms| said_wait(Duration::from_millis(ms));
        assert_eq!(
            [
                said(0),
                said(1),
                said(1001),
                said(120_000),
                said(120_001),
                said(896_000)
            ],
            [1, 1, 2, 120, 180, 900]
        );
        assert_eq!(spoken_wait(Duration::from_secs(896)), "15 minutes");
    }

    #[test]
    fn durations_are_read_the_way_people_write_them() {
        for (text, secs) in [
            ("90", 90),
            ("90s", 90),
            ("90 seconds", 90),
            ("5m", 300),
            ("10 min", 600),
            ("10 mins", 600),
            ("10 minutes", 600),
            ("1 minute", 60),
            ("1h30m", 5400),
            ("1h 30m", 5400),
            ("1 hour 30 minutes", 5400),
            ("1 hour, 30 minutes", 5400),
            ("1.5h", 5400),
            ("1.5 hours", 5400),
            ("2.5 min", 150),
            (" 2H ", 7200),
            ("1 Hour", 3600),
            ("1d", 86_400),
            ("2 days", 172_800),
            ("1w", 604_800),
            ("1m30s", 90),
            ("0", 0),
            ("0s", 0),
            ("366d", MAX_SECS),
        ] {
            assert_eq!(parse(text), Ok(secs), "{text}");
        }
        for (bad, why) in [
            ("", DurationProblem::Empty),
            ("   ", DurationProblem::Empty),
            ("m", DurationProblem::NotUnderstood),
            ("5x", DurationProblem::NotUnderstood),
            ("ten minutes", DurationProblem::NotUnderstood),
            ("1h30", DurationProblem::NotUnderstood),
            ("30m1h", DurationProblem::NotUnderstood),
            ("PT5M", DurationProblem::NotUnderstood),
            ("1.5", DurationProblem::NoUnit),
            ("-5", DurationProblem::Negative),
            ("1 month", DurationProblem::CalendarUnit),
            ("1y", DurationProblem::CalendarUnit),
            ("-5m", DurationProblem::Negative),
            ("5m ago", DurationProblem::Negative),
            ("1.5s", DurationProblem::FractionOfASecond),
            ("250ms", DurationProblem::FractionOfASecond),
            ("99999999999999999999", DurationProblem::TooLong),
            ("367d", DurationProblem::TooLong),
            ("400 days", DurationProblem::TooLong),
        ] {
            assert_eq!(parse(bad), Err(why), "{bad:?}");
        }
        assert_eq!(compact(5400), "1h30m");
        assert_eq!(compact(90), "1m30s");
        assert_eq!(compact(0), "0s");
    }

    #[test]
    fn what_is_written_back_is_read_back() {
        for secs in [
            0, 1, 59, 60, 61, 3599, 3600, 5400, 7199, 86_399, 86_400, MAX_SECS,
        ] {
            assert_eq!(parse(&compact(secs)), Ok(secs), "{secs}");
        }
    }

    #[test]
    fn durations_are_spoken_exactly() {
        assert_eq!(spoken(Duration::ZERO), "0 seconds");
        assert_eq!(spoken(Duration::from_secs(1)), "1 second");
        assert_eq!(spoken(Duration::from_secs(45)), "45 seconds");
        assert_eq!(spoken(Duration::from_secs(60)), "1 minute");
        assert_eq!(spoken(Duration::from_secs(300)), "5 minutes");
        assert_eq!(spoken(Duration::from_secs(3600)), "1 hour");
        assert_eq!(spoken(Duration::from_secs(5400)), "1 hour 30 minutes");
        assert_eq!(
            spoken(Duration::from_secs(7199)),
            "1 hour 59 minutes 59 seconds"
        );
        assert_eq!(
            spoken(Duration::from_secs(90_061)),
            "1 day 1 hour 1 minute 1 second"
        );
        assert_eq!(spoken(Duration::from_secs(2 * 86_400)), "2 days");
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(spoken_wait(Duration::from_millis(300)), "1 second");
        assert_eq!(spoken_wait(Duration::from_secs(1)), "1 second");
        assert_eq!(spoken_wait(Duration::from_millis(1500)), "2 seconds");
        assert_eq!(spoken_wait(Duration::from_secs(59)), "59 seconds");
        assert_eq!(spoken_wait(Duration::from_secs(60)), "1 minute");
        assert_eq!(spoken_wait(Duration::from_secs(61)), "1 minute 1 second");
        assert_eq!(spoken_wait(Duration::from_secs(900)), "15 minutes");
    }

    #[test]
    fn countdowns_round_up() {
        assert_eq!(ceil_secs(Duration::from_millis(1)), 1);
        assert_eq!(ceil_secs(Duration::from_secs(2)), 2);
        assert_eq!(ceil_secs(Duration::from_millis(2001)), 3);
        assert_eq!(
            next_whole_second(Duration::from_millis(2500)),
            Duration::from_millis(500)
        );
        assert_eq!(
            next_whole_second(Duration::from_secs(3)),
            Duration::from_secs(1)
        );
    }
}
