//! Generated ended sessions for the usage statistics' tests and screenshots: a run of days with
//! 10 to 30 sessions each, local 08:00 to 21:59 in a time zone one hour ahead of UTC in winter
//! and two in summer (April to October), every kind, source and ending, 0 to 2 hours long. The
//! same every run (a small deterministic generator).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};

use crate::accounts::Source;
use crate::api::{EndReason, SessionKind};
use crate::records::ActiveSession;
use crate::store::{Store, StoreError};
use crate::wipe::WipeReceipt;

/// One generated session.
#[derive(Debug, Clone)]
pub struct Made {
    pub start: DateTime<Utc>,
    pub offset: FixedOffset,
    pub kind: SessionKind,
    pub source: Option<Source>,
    /// The patron type a card or the directory gave (some of theirs, as in life).
    pub group: Option<String>,
    pub reason: EndReason,
    pub ms: u64,
}

impl Made {
    /// When it ended.
    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::milliseconds(i64::try_from(self.ms).unwrap_or(0))
    }
}

/// A small deterministic generator (an LCG).
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// The sessions of `days` days from `first`.
pub fn generate(first: NaiveDate, days: usize) -> Vec<Made> {
    let mut dice = Dice(42);
    let mut made = Vec::new();
    for day in first.iter_days().take(days) {
        let summer = (4..=10).contains(&day.month());
        let offset = FixedOffset::east_opt(if summer { 7200 } else { 3600 }).expect("an offset");
        for _ in 0..(10 + dice.roll(21)) {
            let hour = 8 + u32::try_from(dice.roll(14)).unwrap_or(0);
            let minute = u32::try_from(dice.roll(60)).unwrap_or(0);
            let start = day
                .and_hms_opt(hour, minute, 0)
                .and_then(|t| t.and_local_timezone(offset).single())
                .expect("a local time")
                .to_utc();
            let (kind, source) = match dice.roll(10) {
                0..=2 => (SessionKind::Guest, None),
                3 => (SessionKind::Admin, Some(Source::Local)),
                4..=5 => (SessionKind::User, Some(Source::Ldap)),
                6..=7 => (SessionKind::User, Some(Source::Sip2)),
                8 => (SessionKind::User, Some(Source::Pam)),
                _ => (SessionKind::User, Some(Source::Local)),
            };
            let group = match (source, dice.roll(4)) {
                (Some(Source::Ldap | Source::Sip2), 0) => Some("Child".to_owned()),
                (Some(Source::Ldap | Source::Sip2), 1 | 2) => Some("Adult".to_owned()),
                _ => None,
            };
            let reasons = u64::try_from(EndReason::ALL.len()).unwrap_or(1);
            let reason = EndReason::ALL[usize::try_from(dice.roll(reasons)).unwrap_or(0)];
            made.push(Made {
                start,
                offset,
                kind,
                source,
                group,
                reason,
                ms: dice.roll(2 * 3600 * 1000),
            });
        }
    }
    made
}

/// Records `made` as ended, wiped sessions, in one transaction.
pub fn record(store: &Store, made: &[Made]) -> Result<(), StoreError> {
    store.atomically(|store| {
        for (i, m) in made.iter().enumerate() {
            let id = format!("{i:032x}");
            let session = ActiveSession {
                id: id.clone(),
                display_name: format!("Person {i}"),
                kind: m.kind,
                username: m.source.map(|_| format!("person{i}")),
                source: m.source,
                group: m.group.clone(),
                started_at: m.start,
            };
            store.record_session_open(&session, m.offset)?;
            let receipt = WipeReceipt {
                session_id: id.clone(),
                surfaces: Vec::new(),
            };
            let ms = i64::try_from(m.ms).unwrap_or(0);
            store.record_session_end(&id, m.reason, m.end(), Some(ms), &receipt)?;
        }
        Ok(())
    })
}
