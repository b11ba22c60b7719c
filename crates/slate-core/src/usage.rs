//! Usage statistics: how much the terminal was used, for staff and for the library's reports.
//! The figures come from ended sessions, each counted at the local day and hour it started:
//! from a session's own row while it is kept, then from the anonymous hourly counts it is
//! folded into when its row goes (`usage_session_days`, or the audit's retention), so the
//! figures outlive the names. This module owns the arithmetic (a [`UsageRow`] per group of
//! alike sessions in, a [`UsageReport`] out) and the date range a report may cover; the store
//! reads and folds the rows.

use chrono::{Datelike, Duration, NaiveDate};

use crate::accounts::Source;
use crate::api::{EndReason, SessionKind, UsageCount, UsageDay, UsageReport};
use crate::phrase::Phrase;

/// The longest range one report covers: three years of days.
pub const MAX_DAYS: i64 = 3 * 366;

/// The range a report covers when none is given: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;

/// Ended sessions alike in all that the statistics tell apart, started in the same local hour.
/// A session's own row reads as one of these with `sessions == 1`; the anonymous counts keep
/// them as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    /// The local day the sessions started.
    pub day: NaiveDate,
    /// The local hour they started (0 to 23).
    pub hour: u8,
    pub kind: SessionKind,
    /// Where the account came from; `None` for a guest.
    pub source: Option<Source>,
    /// The patron type or group the source gave (a library card's patron type, a directory
    /// attribute); empty when it gave none.
    pub group: String,
    pub end_reason: EndReason,
    /// Each session's length in whole minutes (rounded down).
    pub minutes: u32,
    pub sessions: u64,
    /// Their lengths added up, in milliseconds.
    pub total_ms: u64,
}

/// The local days a report covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub since: NaiveDate,
    pub until: NaiveDate,
}

impl DayRange {
    /// The range from two dates as people type them (`2026-11-01`); an empty end is today, an
    /// empty start [`DEFAULT_DAYS`] before the end. Refused, with the reason: a date that is not
    /// one, a start after the end, more than [`MAX_DAYS`].
    pub fn parse(since: &str, until: &str, today: NaiveDate) -> Result<Self, Phrase> {
        let date = |text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                Phrase::new("{date} is not a date; write it as 2026-11-30.")
                    .text("date", text.trim())
            })
        };
        let until = if until.trim().is_empty() {
            today
        } else {
            date(until)?
        };
        let since = if since.trim().is_empty() {
            until - Duration::days(DEFAULT_DAYS - 1)
        } else {
            date(since)?
        };
        if since > until {
            return Err(Phrase::new("The first day is after the last day."));
        }
        if (until - since).num_days() >= MAX_DAYS {
            return Err(Phrase::new("Ask for at most three years at once."));
        }
        Ok(Self { since, until })
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.since <= day && day <= self.until
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        let until = self.until;
        self.since.iter_days().take_while(move |d| *d <= until)
    }
}

impl DayRange {
    /// Every day a terminal may have been used on (for the all-time totals).
    pub fn all_time() -> Self {
        Self {
            since: NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN),
            until: NaiveDate::from_ymd_opt(9000, 1, 1).unwrap_or(NaiveDate::MAX),
        }
    }
}

/// Sessions and their lengths, in all and by kind, ending, source and group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub sessions: u64,
    pub total_ms: u64,
    /// `member`, `guest`, `staff`.
    pub kinds: Vec<(&'static str, u64, u64)>,
    /// By [`EndReason`] name, every reason.
    pub endings: Vec<(&'static str, u64, u64)>,
    /// `local`, `ldap`, `pam`, `sip2`, `guest`.
    pub sources: Vec<(&'static str, u64, u64)>,
    /// By patron type or group, the most sessions first (then by name); `""` for sessions
    /// whose source gave none.
    pub groups: Vec<(String, u64, u64)>,
}

/// What kind of person each session kind counts as.
const KINDS: [(&str, SessionKind); 3] = [
    ("member", SessionKind::User),
    ("guest", SessionKind::Guest),
    ("staff", SessionKind::Admin),
];

/// Counts `rows`: (sessions, milliseconds) in all and for each kind, ending, source and group.
pub fn tally<'a>(rows: impl IntoIterator<Item = &'a UsageRow>) -> Tally {
    let mut t = Tally {
        sessions: 0,
        total_ms: 0,
        kinds: KINDS.iter().map(|(k, _)| (*k, 0, 0)).collect(),
        endings: EndReason::ALL.iter().map(|r| (r.as_str(), 0, 0)).collect(),
        sources: Source::ALL
            .iter()
            .map(|s| s.as_str())
            .chain(["guest"])
            .map(|s| (s, 0, 0))
            .collect(),
        groups: Vec::new(),
    };
    let mut groups: std::collections::BTreeMap<&str, (u64, u64)> =
        std::collections::BTreeMap::new();
    for r in rows {
        t.sessions += r.sessions;
        t.total_ms += r.total_ms;
        let add = |list: &mut Vec<(&'static str, u64, u64)>, key: &str| {
            if let Some(entry) = list.iter_mut().find(|(k, _, _)| *k == key) {
                entry.1 += r.sessions;
                entry.2 += r.total_ms;
            }
        };
        if let Some((key, _)) = KINDS.iter().find(|(_, kind)| *kind == r.kind) {
            add(&mut t.kinds, key);
        }
        add(&mut t.endings, r.end_reason.as_str());
        add(&mut t.sources, r.source.map_or("guest", Source::as_str));
        let group = groups.entry(r.group.as_str()).or_default();
        group.0 += r.sessions;
        group.1 += r.total_ms;
    }
    t.groups = groups
        .into_iter()
        .map(|(g, (n, ms))| (g.to_owned(), n, ms))
        .collect();
    // Stable: equal counts stay in the names' order.
    t.groups.sort_by_key(|g| std::cmp::Reverse(g.1));
    t
}

/// Whole minutes of a length in milliseconds, rounded down.
pub fn whole_minutes(ms: u64) -> u32 {
    u32::try_from(ms / 60_000).unwrap_or(u32::MAX)
}

/// Milliseconds as minutes, rounded to the nearest.
fn minutes(ms: u64) -> u64 {
    (ms + 30_000) / 60_000
}

/// The report over `rows` for the days of `range` (rows outside it are left out).
pub fn report(range: DayRange, rows: &[UsageRow]) -> UsageReport {
    let rows: Vec<&UsageRow> = rows.iter().filter(|r| range.contains(r.day)).collect();
    let all = tally(rows.iter().copied());
    let mut by_day: std::collections::HashMap<NaiveDate, (u64, u64)> =
        std::collections::HashMap::new();
    for r in &rows {
        let day = by_day.entry(r.day).or_default();
        day.0 += r.sessions;
        day.1 += r.total_ms;
    }
    let days = range
        .days()
        .map(|day| {
            let (sessions, ms) = by_day.get(&day).copied().unwrap_or_default();
            UsageDay {
                date: day.format("%Y-%m-%d").to_string(),
                sessions,
                minutes: minutes(ms),
            }
        })
        .collect();
    let mut week = vec![vec![0u64; 24]; 7];
    for r in &rows {
        let weekday = r.day.weekday().num_days_from_monday() as usize;
        week[weekday][usize::from(r.hour.min(23))] += r.sessions;
    }
    let counts = |list: &[(&str, u64, u64)]| {
        list.iter()
            .map(|(key, n, ms)| UsageCount {
                key: (*key).to_owned(),
                sessions: *n,
                minutes: minutes(*ms),
            })
            .collect()
    };
    UsageReport {
        since: range.since.format("%Y-%m-%d").to_string(),
        until: range.until.format("%Y-%m-%d").to_string(),
        sessions: all.sessions,
        minutes: minutes(all.total_ms),
        average_seconds: all
            .total_ms
            .checked_div(all.sessions)
            .map_or(0, |ms| (ms + 500) / 1000),
        median_minutes: median_minutes(&rows),
        kinds: counts(&all.kinds),
        days,
        week,
        endings: counts(&all.endings),
        sources: counts(&all.sources),
        groups: all
            .groups
            .iter()
            .map(|(key, n, ms)| UsageCount {
                key: key.clone(),
                sessions: *n,
                minutes: minutes(*ms),
            })
            .collect(),
    }
}

/// The median of the sessions' whole minutes (the lower middle for an even count; 0 without
/// sessions).
fn median_minutes(rows: &[&UsageRow]) -> u64 {
    let total: u64 = rows.iter().map(|r| r.sessions).sum();
    if total == 0 {
        return 0;
    }
    let mut by_length: Vec<(u32, u64)> = rows.iter().map(|r| (r.minutes, r.sessions)).collect();
    by_length.sort_unstable();
    let middle = (total - 1) / 2;
    let mut seen = 0;
    for (length, n) in by_length {
        seen += n;
        if seen > middle {
            return u64::from(length);
        }
    }
    0
}
