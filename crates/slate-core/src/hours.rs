//! The library's clock: opening hours (a weekly schedule, with closed days and days of their
//! own hours), when the terminal next closes or opens, and when the day of the daily allowance
//! turns, all in the terminal's time zone and right across the changes to and from summer time
//! (jiff's time zone database). Pure: the caller gives the time and the zone; the settings give
//! the texts ([`Hours::parse`], [`parse_time_of_day`]).

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan as _, Zoned};

use crate::phrase::Phrase;

/// A day's minutes: 0 (midnight) to 1440 (the next midnight).
type Minute = u16;

/// Open from the first minute until the second (exclusive), on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub open: Minute,
    pub close: Minute,
}

/// The weekdays as the settings write them, Monday first.
const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

/// How far ahead the next opening is looked for: a year and a day.
const LOOK_AHEAD_DAYS: i32 = 367;

/// When the terminal is open. Without a schedule it always is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hours {
    /// Monday first; `None`: no schedule at all (always open). A day without spans is closed.
    week: Option<[Vec<Span>; 7]>,
    /// Days with hours of their own (no spans: closed all day): holidays, early closing.
    exceptions: BTreeMap<Date, Vec<Span>>,
}

/// Whether the terminal is open at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenState {
    /// No schedule: open at any time.
    Always,
    /// Open until this moment (the end of the span, or of several that follow on across
    /// midnight).
    Until(Zoned),
    /// Closed; it opens again at this moment (`None`: not within a year).
    Closed(Option<Zoned>),
}

/// "9:00", "09:00" or "24:00" as minutes of the day.
fn minute(text: &str) -> Option<Minute> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// A time of day ("00:00", "4:30") as minutes after midnight, for the day's turn; 24:00 is not
/// one.
pub fn parse_time_of_day(text: &str) -> Result<u16, Phrase> {
    minute(text).filter(|m| *m < 1440).ok_or_else(|| {
        Phrase::new("{text} is not a time of day; write it as 09:00.").text("text", text.trim())
    })
}

/// Spans such as `09:00-12:00 13:00-20:00` (or `closed`), in order and not overlapping.
fn spans(text: &str) -> Result<Vec<Span>, Phrase> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    let mut out: Vec<Span> = Vec::new();
    for part in text.split_whitespace() {
        let bad = || {
            Phrase::new("{text} is not opening hours; write them as 09:00-17:00.")
                .text("text", part)
        };
        let (from, to) = part.split_once('-').ok_or_else(bad)?;
        let span = Span {
            open: minute(from).filter(|m| *m < 1440).ok_or_else(bad)?,
            close: minute(to).ok_or_else(bad)?,
        };
        if span.close <= span.open {
            return Err(
                Phrase::new("{text} closes before it opens; a day's hours end by 24:00.")
                    .text("text", part),
            );
        }
        if out.last().is_some_and(|last| last.close > span.open) {
            return Err(Phrase::new("{text} overlaps the hours before it.").text("text", part));
        }
        out.push(span);
    }
    if out.is_empty() {
        return Err(Phrase::new(
            "A day is written with its hours, such as mon 09:00-17:00.",
        ));
    }
    Ok(out)
}

/// The entries of a list setting: separated by commas, semicolons or new lines.
fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
}

/// "mon", or "mon-fri": the weekdays, as indexes from Monday.
fn weekdays(text: &str) -> Option<Vec<usize>> {
    // A day's three letters or its whole English name, in any case ("monkey" is no day).
    const NAMES: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let index = |d: &str| {
        let d = d.trim();
        (0..7).find(|&i| DAYS[i].0.eq_ignore_ascii_case(d) || NAMES[i].eq_ignore_ascii_case(d))
    };
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (index(a)?, index(b)?);
            Some(if a <= b {
                (a..=b).collect()
            } else {
                // sat-mon: over the weekend.
                (a..7).chain(0..=b).collect()
            })
        }
        None => Some(vec![index(text)?]),
    }
}

impl Hours {
    /// The schedule from its two settings. `week`: `mon-fri 09:00-20:00, sat 10:00-16:00`
    /// (days not named are closed; empty: always open); `exceptions`: `2026-12-25,
    /// 2026-12-24 09:00-13:00` (a date alone is closed all day). Refused with one sentence.
    pub fn parse(week: &str, exceptions: &str) -> Result<Self, Phrase> {
        let mut hours = Self::default();
        if !week.trim().is_empty() {
            let mut days: [Vec<Span>; 7] = Default::default();
            for entry in entries(week) {
                let (days_text, rest) =
                    entry.split_once(char::is_whitespace).unwrap_or((entry, ""));
                let chosen = weekdays(days_text).ok_or_else(|| {
                    Phrase::new("{text} is not a day of the week; write mon, tue… or mon-fri.")
                        .text("text", days_text)
                })?;
                let spans = spans(rest)?;
                for d in chosen {
                    if !days[d].is_empty() {
                        return Err(
                            Phrase::new("{day} is given hours twice.").text("day", DAYS[d].0)
                        );
                    }
                    days[d].clone_from(&spans);
                }
            }
            hours.week = Some(days);
        }
        for entry in entries(exceptions) {
            let (date, rest) = entry.split_once(char::is_whitespace).unwrap_or((entry, ""));
            let date: Date = date.parse().map_err(|_| {
                Phrase::new("{text} is not a date; write it as 2026-12-25.").text("text", date)
            })?;
            let spans = if rest.trim().is_empty() {
                Vec::new()
            } else {
                spans(rest)?
            };
            if hours.exceptions.insert(date, spans).is_some() {
                return Err(Phrase::new("{date} is listed twice.").text("date", date.to_string()));
            }
        }
        Ok(hours)
    }

    /// Whether there is a schedule at all (and so a closing time).
    pub fn scheduled(&self) -> bool {
        self.week.is_some() || !self.exceptions.is_empty()
    }

    /// The spans of one date: its exception, else its weekday's (every day open all day
    /// without a weekly schedule).
    fn spans_on(&self, date: Date) -> Vec<Span> {
        if let Some(spans) = self.exceptions.get(&date) {
            return spans.clone();
        }
        match &self.week {
            Some(week) => {
                week[usize::from(date.weekday().to_monday_zero_offset().unsigned_abs())].clone()
            }
            None => vec![Span {
                open: 0,
                close: 1440,
            }],
        }
    }

    /// Whether the terminal is open at `now`, and until when; or when it opens again.
    pub fn state(&self, now: &Zoned) -> OpenState {
        if !self.scheduled() {
            return OpenState::Always;
        }
        let tz = now.time_zone();
        let at = |date: Date, m: Minute| zoned(date, m, tz);
        let today = now.date();
        // A span of yesterday's that ends at midnight may carry on into today: look from
        // yesterday.
        for offset in [-1, 0] {
            let Ok(date) = today.checked_add(offset.days()) else {
                continue;
            };
            for span in self.spans_on(date) {
                if at(date, span.open) <= *now && *now < at(date, span.close) {
                    return OpenState::Until(self.run_end(date, span, tz));
                }
            }
        }
        OpenState::Closed(self.next_opening(now))
    }

    /// The end of the open time that `span` of `date` begins or continues: later spans that
    /// follow on without a gap (across midnight) are the same open time.
    fn run_end(&self, mut date: Date, mut span: Span, tz: &TimeZone) -> Zoned {
        for _ in 0..LOOK_AHEAD_DAYS {
            if span.close < 1440 {
                break;
            }
            let Ok(next) = date.tomorrow() else { break };
            match self.spans_on(next).first() {
                Some(first) if first.open == 0 => {
                    date = next;
                    span = *first;
                }
                _ => break,
            }
        }
        zoned(date, span.close, tz)
    }

    /// The first opening after `now`, within a year.
    fn next_opening(&self, now: &Zoned) -> Option<Zoned> {
        let tz = now.time_zone();
        let mut date = now.date();
        for _ in 0..LOOK_AHEAD_DAYS {
            for span in self.spans_on(date) {
                let opens = zoned(date, span.open, tz);
                if opens > *now {
                    return Some(opens);
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }
}

/// `date` at `m` minutes after its midnight, in `tz`: a time skipped by a change to summer time
/// is the moment after the gap; a time that happens twice, its first. 24:00 is the next day's
/// midnight.
fn zoned(date: Date, m: Minute, tz: &TimeZone) -> Zoned {
    let (date, m) = if m >= 1440 {
        (date.tomorrow().unwrap_or(date), 0)
    } else {
        (date, m)
    };
    let time = jiff::civil::Time::new(
        i8::try_from(m / 60).unwrap_or(0),
        i8::try_from(m % 60).unwrap_or(0),
        0,
        0,
    )
    .unwrap_or_default();
    date.to_datetime(time)
        .to_zoned(tz.clone())
        .unwrap_or_else(|_| Timestamp::MAX.to_zoned(tz.clone()))
}

/// The day of the daily allowance that `now` is in: from its turn (`turn` minutes after
/// midnight, local time) to the next. Returned as (start, end).
pub fn allowance_day(now: &Zoned, turn: u16) -> (Zoned, Zoned) {
    let tz = now.time_zone();
    let today = zoned(now.date(), turn, tz);
    let start = if today <= *now {
        today
    } else {
        zoned(now.date().yesterday().unwrap_or(now.date()), turn, tz)
    };
    let end = zoned(start.date().tomorrow().unwrap_or(start.date()), turn, tz);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").expect("the time zone database (tzdata)")
    }

    /// `YYYY-MM-DDTHH:MM` in Paris.
    fn at(text: &str) -> Zoned {
        let dt: jiff::civil::DateTime = text.parse().unwrap();
        dt.to_zoned(paris()).unwrap()
    }

    fn library() -> Hours {
        Hours::parse(
            "mon-fri 09:00-12:00 13:00-20:00, sat 10:00-16:00",
            "2026-12-24 09:00-13:00, 2026-12-25",
        )
        .unwrap()
    }

    #[test]
    fn open_until_the_end_of_the_span_and_closed_until_the_next() {
        let h = library();
        // 2026-12-07 is a Monday.
        assert_eq!(
            h.state(&at("2026-12-07T10:00")),
            OpenState::Until(at("2026-12-07T12:00"))
        );
        assert_eq!(
            h.state(&at("2026-12-07T12:30")),
            OpenState::Closed(Some(at("2026-12-07T13:00")))
        );
        assert_eq!(
            h.state(&at("2026-12-07T20:00")),
            OpenState::Closed(Some(at("2026-12-08T09:00"))),
            "closing time itself is closed"
        );
        // Saturday evening: Monday morning.
        assert_eq!(
            h.state(&at("2026-12-12T17:00")),
            OpenState::Closed(Some(at("2026-12-14T09:00")))
        );
        assert_eq!(
            Hours::parse("", "").unwrap().state(&at("2026-12-13T03:00")),
            OpenState::Always
        );
    }

    #[test]
    fn a_day_of_its_own_overrides_the_week() {
        let h = library();
        assert_eq!(
            h.state(&at("2026-12-24T12:00")),
            OpenState::Until(at("2026-12-24T13:00")),
            "early closing on Christmas Eve"
        );
        // Christmas (a Friday) closed; Saturday's hours as usual.
        assert_eq!(
            h.state(&at("2026-12-24T14:00")),
            OpenState::Closed(Some(at("2026-12-26T10:00")))
        );
    }

    #[test]
    fn hours_that_run_past_midnight_close_at_their_end() {
        let h = Hours::parse("fri 18:00-24:00, sat 00:00-02:00 10:00-12:00", "").unwrap();
        assert_eq!(
            h.state(&at("2026-12-11T23:00")),
            OpenState::Until(at("2026-12-12T02:00"))
        );
        assert_eq!(
            h.state(&at("2026-12-12T01:00")),
            OpenState::Until(at("2026-12-12T02:00"))
        );
    }

    #[test]
    fn the_day_turns_at_its_local_time_across_summer_time() {
        // 2026-03-29: clocks go from 02:00 to 03:00 in Paris; the day has 23 hours.
        let (start, end) = allowance_day(&at("2026-03-29T12:00"), 0);
        assert_eq!(
            (start.clone(), end.clone()),
            (at("2026-03-29T00:00"), at("2026-03-30T00:00"))
        );
        assert_eq!(
            end.timestamp().duration_since(start.timestamp()).as_secs(),
            23 * 3600
        );
        // A turn at 04:00, before it in the morning: the day began yesterday.
        let (start, _) = allowance_day(&at("2026-12-07T03:00"), 240);
        assert_eq!(start, at("2026-12-06T04:00"));
        // 2026-10-25: back from 03:00 to 02:00; the day has 25 hours; opening at 09:00 is
        // still 09:00.
        let (start, end) = allowance_day(&at("2026-10-25T12:00"), 0);
        assert_eq!(
            end.timestamp().duration_since(start.timestamp()).as_secs(),
            25 * 3600
        );
        let h = Hours::parse("sun 09:00-17:00", "").unwrap();
        assert_eq!(
            h.state(&at("2026-10-25T08:00")),
            OpenState::Closed(Some(at("2026-10-25T09:00")))
        );
        // A time the change skips (02:30 on 2026-03-29) is the moment after the gap.
        let (start, _) = allowance_day(&at("2026-03-29T12:00"), 150);
        assert_eq!(start.timestamp(), at("2026-03-29T03:30").timestamp());
    }

    #[test]
    fn bad_hours_are_refused_with_one_sentence() {
        let said = |week: &str, days: &str| Hours::parse(week, days).unwrap_err().to_string();
        assert_eq!(
            said("mon 20:00-09:00", ""),
            "20:00-09:00 closes before it opens; a day's hours end by 24:00."
        );
        assert_eq!(
            said("funday 09:00-10:00", ""),
            "funday is not a day of the week; write mon, tue… or mon-fri."
        );
        // Only a day's three letters or its whole name: no other word that starts like one.
        assert_eq!(
            said("monkey 09:00-10:00", ""),
            "monkey is not a day of the week; write mon, tue… or mon-fri."
        );
        assert_eq!(
            said("mo 09:00-10:00", ""),
            "mo is not a day of the week; write mon, tue… or mon-fri."
        );
        assert!(Hours::parse("Monday-FRI 09:00-10:00, Saturday 10:00-12:00", "").is_ok());
        assert_eq!(
            said("mon 9-17", ""),
            "9-17 is not opening hours; write them as 09:00-17:00."
        );
        assert_eq!(
            said("mon 09:00-12:00 11:00-13:00", ""),
            "11:00-13:00 overlaps the hours before it."
        );
        assert_eq!(
            said("mon-fri 09:00-17:00, wed 10:00-12:00", ""),
            "wed is given hours twice."
        );
        assert_eq!(
            said("mon", ""),
            "A day is written with its hours, such as mon 09:00-17:00."
        );
        assert_eq!(
            said("", "2026-13-01"),
            "2026-13-01 is not a date; write it as 2026-12-25."
        );
        assert_eq!(
            said("", "2026-12-25, 2026-12-25"),
            "2026-12-25 is listed twice."
        );
        assert_eq!(
            parse_time_of_day("25:00").unwrap_err().to_string(),
            "25:00 is not a time of day; write it as 09:00."
        );
        assert_eq!(parse_time_of_day(" 4:30 "), Ok(270));
        // Weekends across Sunday, and closed days named.
        let h = Hours::parse("sat-sun 10:00-14:00, mon closed", "").unwrap();
        assert!(matches!(
            h.state(&at("2026-12-13T11:00")),
            OpenState::Until(_)
        ));
    }
}
