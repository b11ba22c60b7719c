//! Durations as people write and say them: the one place that parses "1h30m", writes it back
//! compactly, speaks it in English ("1 hour 30 minutes") and rounds a wait up to whole seconds.
//! A leaf: it uses nothing else of the core.
//!
//! ```
//! use slate_core::duration;
//! assert_eq!(duration::parse("1h 30m"), Some(5400));
//! assert_eq!(duration::compact(5400), "1h30m");
//! assert_eq!(duration::spoken(std::time::Duration::from_secs(5400)), "1 hour 30 minutes");
//! ```

use std::fmt::Write as _;
use std::time::Duration;

/// The longest duration any setting or message takes: a year (leap day included).
pub const MAX_SECS: u64 = 366 * 86_400;

/// Parses a duration: a bare number of seconds, or numbers with units `d`, `h`, `m`, `s`
/// ("90s", "5m", "1h30m", "1h 30m"), largest unit first, each once. `None` for anything else,
/// or above a year.
pub fn parse(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    if let Ok(n) = t.parse::<u64>() {
        return (n <= MAX_SECS).then_some(n);
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    let mut last_unit = u64::MAX;
    for c in t.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' if digits.is_empty() => {}
            'd' | 'h' | 'm' | 's' => {
                let unit = match c {
                    'd' => 86_400,
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                // Units must come largest first, each once ("1h30m", not "30m1h" or "1m1m").
                if digits.is_empty() || unit >= last_unit {
                    return None;
                }
                last_unit = unit;
                let n: u64 = digits.parse().ok()?;
                total = total.checked_add(n.checked_mul(unit)?)?;
                digits.clear();
            }
            _ => return None,
        }
    }
    (digits.is_empty() && total <= MAX_SECS).then_some(total)
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

/// A duration in English words: seconds under a minute, otherwise hours and minutes with the
/// minutes rounded up ("45 seconds", "5 minutes", "1 hour 30 minutes").
pub fn spoken(d: Duration) -> String {
    let secs = d.as_secs();
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if secs < 60 {
        return plural(secs, "second");
    }
    let (h, m) = (secs / 3600, (secs % 3600).div_ceil(60));
    match (h, m) {
        (0, m) => plural(m, "minute"),
        (h, 0) => plural(h, "hour"),
        (h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
}

/// A wait in words, rounded up to a whole second and never "0 seconds": "1 second",
/// "2 seconds", "15 minutes".
pub fn spoken_wait(wait: Duration) -> String {
    spoken(Duration::from_secs(u64::from(ceil_secs(wait)).max(1)))
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
    fn durations_are_read_the_way_people_write_them() {
        for (text, secs) in [
            ("90", 90),
            ("90s", 90),
            ("5m", 300),
            ("1h30m", 5400),
            ("1h 30m", 5400),
            (" 2H ", 7200),
            ("1d", 86_400),
            ("1m30s", 90),
            ("0", 0),
        ] {
            assert_eq!(parse(text), Some(secs), "{text}");
        }
        for bad in [
            "",
            "m",
            "5x",
            "-5",
            "1.5m",
            "30m1h",
            "1m1m",
            "5 m",
            "99999999999999999999s",
            "400d",
            "1h30",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(compact(5400), "1h30m");
        assert_eq!(compact(90), "1m30s");
        assert_eq!(compact(0), "0s");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(spoken(Duration::from_secs(45)), "45 seconds");
        assert_eq!(spoken(Duration::from_secs(60)), "1 minute");
        assert_eq!(spoken(Duration::from_secs(300)), "5 minutes");
        assert_eq!(spoken(Duration::from_secs(3600)), "1 hour");
        assert_eq!(spoken(Duration::from_secs(5400)), "1 hour 30 minutes");
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(spoken_wait(Duration::from_millis(300)), "1 second");
        assert_eq!(spoken_wait(Duration::from_secs(1)), "1 second");
        assert_eq!(spoken_wait(Duration::from_millis(1500)), "2 seconds");
        assert_eq!(spoken_wait(Duration::from_secs(59)), "59 seconds");
        assert_eq!(spoken_wait(Duration::from_secs(60)), "1 minute");
        assert_eq!(spoken_wait(Duration::from_secs(61)), "2 minutes");
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
