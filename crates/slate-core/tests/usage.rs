//! Usage statistics over a generated year of sessions (about 7,300, in a time zone that changes
//! its offset twice a year, every kind, source, patron type and ending), checked against a straightforward
//! count made here from the generated list; then the same after most rows are folded into the
//! anonymous hourly counts, which must give the same figures and keep no name.

use chrono::{Datelike, NaiveDate, Timelike};
use slate_core::accounts::Source;
use slate_core::api::{EndReason, SessionKind, UsageReport};
use slate_core::clock::to_db;
use slate_core::store::Store;
use slate_core::test_util::sessions::{generate, record, Made};
use slate_core::usage::{report, DayRange};

/// The figures counted the plain way, from the generated list.
fn counted(range: DayRange, made: &[Made]) -> UsageReport {
    let local = |m: &Made| m.start.with_timezone(&m.offset);
    let inside: Vec<&Made> = made
        .iter()
        .filter(|m| range.contains(local(m).date_naive()))
        .collect();
    let rounded = |ms: u64| (ms + 30_000) / 60_000;
    let sum = |keep: &dyn Fn(&Made) -> bool| -> (u64, u64) {
        let mine: Vec<&&Made> = inside.iter().filter(|m| keep(m)).collect();
        (mine.len() as u64, mine.iter().map(|m| m.ms).sum())
    };
    let mut lengths: Vec<u64> = inside.iter().map(|m| m.ms / 60_000).collect();
    lengths.sort_unstable();
    let mut week = vec![vec![0u64; 24]; 7];
    for m in &inside {
        let t = local(m);
        week[t.weekday().num_days_from_monday() as usize][t.hour() as usize] += 1;
    }
    let (n, ms) = sum(&|_| true);
    let count = |key: &str, keep: &dyn Fn(&Made) -> bool| {
        let (sessions, ms) = sum(keep);
        slate_core::api::UsageCount {
            key: key.to_owned(),
            sessions,
            minutes: rounded(ms),
        }
    };
    let mut names: Vec<&str> = inside
        .iter()
        .map(|m| m.group.as_deref().unwrap_or(""))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut groups: Vec<_> = names
        .iter()
        .map(|g| count(g, &|m| m.group.as_deref().unwrap_or("") == *g))
        .collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.sessions));
    UsageReport {
        since: range.since.to_string(),
        until: range.until.to_string(),
        sessions: n,
        minutes: rounded(ms),
        average_seconds: ms.checked_div(n).map_or(0, |avg| (avg + 500) / 1000),
        median_minutes: lengths
            .get(lengths.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(0),
        kinds: vec![
            count("member", &|m| m.kind == SessionKind::User),
            count("guest", &|m| m.kind == SessionKind::Guest),
            count("staff", &|m| m.kind == SessionKind::Admin),
        ],
        days: range
            .days()
            .map(|d| {
                let (sessions, ms) = sum(&|m| local(m).date_naive() == d);
                slate_core::api::UsageDay {
                    date: d.to_string(),
                    sessions,
                    minutes: rounded(ms),
                }
            })
            .collect(),
        week,
        endings: EndReason::ALL
            .iter()
            .map(|r| count(r.as_str(), &|m| m.reason == *r))
            .collect(),
        sources: Source::ALL
            .iter()
            .map(|s| count(s.as_str(), &|m| m.source == Some(*s)))
            .chain([count("guest", &|m| m.source.is_none())])
            .collect(),
        groups,
    }
}

fn range(since: &str, until: &str) -> DayRange {
    DayRange::parse(since, until, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap()
}

#[test]
fn a_year_of_sessions_counts_the_same_as_a_plain_count_before_and_after_folding() {
    let tmp = slate_core::test_util::private_tempdir();
    let store = Store::open(&tmp.path().join("slate.db")).unwrap();
    let made = generate(NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(), 365);
    assert!(made.len() > 7000, "{}", made.len());
    assert!(made.iter().any(|m| m.group.as_deref() == Some("Child")));
    record(&store, &made).unwrap();
    let ranges = [
        range("2025-12-01", "2026-11-30"),
        // Across the change to summer time, and one day.
        range("2026-03-25", "2026-04-05"),
        range("2026-07-14", "2026-07-14"),
        // Before the first session: nothing.
        range("2024-01-01", "2024-01-31"),
    ];
    let read = |r: DayRange| report(r, &store.usage_rows(r).unwrap());
    for r in ranges {
        assert_eq!(read(r), counted(r, &made), "{r:?}");
    }
    // Everything that ended before June goes from its own row into the anonymous counts.
    let june = NaiveDate::from_ymd_opt(2026, 6, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let folded = store.fold_sessions(&to_db(june)).unwrap();
    let before_june = made.iter().filter(|m| m.end() < june).count() as u64;
    assert_eq!(folded, before_june);
    for r in ranges {
        assert_eq!(read(r), counted(r, &made), "after folding: {r:?}");
    }
    // Folding twice counts nothing twice.
    assert_eq!(store.fold_sessions(&to_db(june)).unwrap(), 0);
    assert_eq!(read(ranges[0]), counted(ranges[0], &made));
    // Only the later sessions keep a row (with a name); the folded ones are counts alone.
    let rows = store.recent_sessions(100_000).unwrap();
    assert_eq!(rows.len() as u64, made.len() as u64 - before_june);
}

#[test]
fn a_range_is_refused_with_one_sentence() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let said = |since: &str, until: &str| {
        DayRange::parse(since, until, today)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        said("yesterday", ""),
        "yesterday is not a date; write it as 2026-11-30."
    );
    assert_eq!(
        said("2026-12-02", "2026-12-01"),
        "The first day is after the last day."
    );
    assert_eq!(
        said("2020-01-01", "2026-01-01"),
        "Ask for at most three years at once."
    );
    // Empty: the last 30 days, today included.
    let r = DayRange::parse("", "", today).unwrap();
    assert_eq!(
        (r.since.to_string(), r.until.to_string()),
        ("2026-11-02".into(), "2026-12-01".into())
    );
}
