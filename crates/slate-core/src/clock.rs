//! Time as the core sees it.
//!
//! - [`Clock::boot_now`] measures deadlines. It keeps counting while the machine is suspended
//!   (`CLOCK_BOOTTIME` on Linux) and never jumps when someone sets the system time, so a session
//!   can be neither extended nor shortened by either.
//! - [`Clock::now_utc`] is the wall clock, only for records and for throttling that must survive
//!   a restart (the boot clock starts again at every boot).
//!
//! [`FakeClock`] follows tokio's (pausable) time, so tests drive deadlines exactly with
//! `tokio::time::advance`, and can add a suspend ([`FakeClock::suspend`]) or a wall-clock jump
//! ([`FakeClock::set`]) on top.

use std::sync::Mutex;
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

/// A clock for tests. [`FakeClock::new`] stands still until told to move;
/// [`FakeClock::following_tokio`] also moves with tokio's (paused) time. Both take explicit jumps.
#[derive(Debug)]
pub struct FakeClock {
    origin: Option<tokio::time::Instant>,
    state: Mutex<FakeState>,
}

#[derive(Debug)]
struct FakeState {
    wall_at_origin: DateTime<Utc>,
    boot_extra: Duration,
}

impl FakeClock {
    /// A fake clock standing still at a fixed, arbitrary instant.
    pub fn new() -> Self {
        Self::at(DateTime::from_timestamp(1_790_000_000, 0).expect("a valid instant"))
    }

    /// A fake clock standing still at `now`.
    pub fn at(now: DateTime<Utc>) -> Self {
        Self {
            origin: None,
            state: Mutex::new(FakeState {
                wall_at_origin: now,
                boot_extra: Duration::ZERO,
            }),
        }
    }

    /// A fake clock that moves with tokio's time (use with `start_paused`).
    pub fn following_tokio() -> Self {
        Self {
            origin: Some(tokio::time::Instant::now()),
            ..Self::new()
        }
    }

    fn elapsed(&self) -> Duration {
        self.origin.map_or(Duration::ZERO, |o| o.elapsed())
    }

    fn state(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Moves both clocks forward without tokio's timers noticing (for code with no timers).
    pub fn advance(&self, by: Duration) {
        let mut s = self.state();
        s.wall_at_origin += chrono::Duration::from_std(by).expect("a representable duration");
        s.boot_extra += by;
    }

    /// A suspend of `by`: both clocks move on, tokio's monotonic timers do not (as on Linux,
    /// where the monotonic clock stops during suspend).
    pub fn suspend(&self, by: Duration) {
        self.advance(by);
    }

    /// Sets the wall clock (someone changed the system time); the boot clock is unaffected.
    pub fn set(&self, to: DateTime<Utc>) {
        let elapsed = chrono::Duration::from_std(self.elapsed()).expect("representable");
        self.state().wall_at_origin = to - elapsed;
    }
}

impl Default for FakeClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for FakeClock {
    fn now_utc(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.elapsed()).expect("representable");
        self.state().wall_at_origin + elapsed
    }

    fn boot_now(&self) -> Duration {
        self.elapsed() + self.state().boot_extra
    }

    fn local_offset(&self) -> FixedOffset {
        FixedOffset::east_opt(3600).expect("a valid offset")
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
