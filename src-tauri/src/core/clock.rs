//! Time as the core sees it. Wall-clock time (UTC) is for records and for throttling that must
//! survive a restart; a fake clock lets tests move time exactly.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current wall-clock time, in UTC.
    fn now_utc(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_utc(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct FakeClock {
    now: Mutex<DateTime<Utc>>,
}

impl FakeClock {
    /// A fake clock at a fixed, arbitrary instant.
    pub fn new() -> Self {
        Self::at(DateTime::from_timestamp(1_790_000_000, 0).expect("a valid instant"))
    }

    /// A fake clock at `now`.
    pub fn at(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    /// Moves time forward (or, for a wall-clock jump, backward with [`FakeClock::set`]).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().expect("clock lock");
        *now += chrono::Duration::from_std(by).expect("a representable duration");
    }

    /// Sets the time.
    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().expect("clock lock") = to;
    }
}

impl Default for FakeClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for FakeClock {
    fn now_utc(&self) -> DateTime<Utc> {
        *self.now.lock().expect("clock lock")
    }
}

/// A UTC instant as stored in the database (RFC 3339, microseconds).
pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Reads an instant stored by [`to_db`]; a malformed value reads as `None`.
pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
