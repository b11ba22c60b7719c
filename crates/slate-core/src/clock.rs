//! Time as the core sees it.
//!
//! - [`Clock::boot_now`] measures deadlines. It keeps counting while the machine is suspended
//!   (`CLOCK_BOOTTIME` on Linux) and never jumps when someone sets the system time, so a session
//!   can be neither extended nor shortened by either.
//! - [`Clock::now_utc`] is the wall clock, only for records and for throttling that must survive
//!   a restart (the boot clock starts again at every boot).
//!
//! Tests use the fake clock of [`crate::test_util`], which follows tokio's (pausable) time.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, Local, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current wall-clock time, in UTC.
    fn now_utc(&self) -> DateTime<Utc>;
    /// Time since boot, suspended time included.
    fn boot_now(&self) -> Duration;
    /// The local offset from UTC now (for records: UTC plus the local offset).
    fn local_offset(&self) -> FixedOffset {
        *Local::now().offset()
    }
}

/// The machine's clocks.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_utc(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn boot_now(&self) -> Duration {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
        Duration::new(
            u64::try_from(t.tv_sec).unwrap_or(0),
            u32::try_from(t.tv_nsec).unwrap_or(0),
        )
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

#[cfg(test)]
#[allow(clippy::unchecked_time_subtraction)]
mod tests {
    use super::*;
    use crate::test_util::FakeClock;

    #[test]
    fn the_boot_clock_moves_forward() {
        let c = SystemClock;
        let a = c.boot_now();
        std::thread::sleep(Duration::from_millis(5));
        assert!(c.boot_now() > a);
        assert!(a > Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn the_fake_clock_follows_tokio_time_and_jumps() {
        let c = FakeClock::following_tokio();
        let (w0, b0) = (c.now_utc(), c.boot_now());
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(c.boot_now() - b0, Duration::from_secs(10));
        assert_eq!((c.now_utc() - w0).num_seconds(), 10);
        c.suspend(Duration::from_secs(3600));
        assert_eq!(c.boot_now() - b0, Duration::from_secs(3610));
        c.set(w0 - chrono::Duration::days(1));
        assert_eq!(c.now_utc(), w0 - chrono::Duration::days(1));
        assert_eq!(
            c.boot_now() - b0,
            Duration::from_secs(3610),
            "boot clock unmoved"
        );
    }
}
