//! Time as the core sees it.
//!
//! - [`Clock::boot_now`] measures deadlines. It keeps counting while the machine is suspended
//!   (`CLOCK_BOOTTIME` on Linux) and never jumps when someone sets the system time, so a session
//!   can be neither extended nor shortened by either.
//! - [`Clock::now_utc`] is the wall clock, only for records and for throttling that must survive
//!   a restart (the boot clock starts again at every boot).
//!
//! - [`Clock::sleep_until`] waits for a moment on the boot clock: a kernel timer on
//!   `CLOCK_BOOTTIME`, which fires at resume when a suspend passed its moment, so nothing needs
//!   to wake in between to notice a suspend.
//!
//! - [`Clock::moment`] is a [`Moment`]: both clocks and which boot the boot clock counts from,
//!   for waits that must survive a restart (sign-in throttling): measured on the boot clock
//!   within one boot, on the wall clock across a reboot.
//!
//! Tests use the fake clock of [`crate::test_util`], which follows tokio's (pausable) time.

use std::future::Future;
use std::pin::Pin;
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
    /// The terminal's time zone, for what a day, an hour of opening or a closing time is (the
    /// system's: `TZ`, else `/etc/localtime`).
    fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::system()
    }
    /// Now, in the terminal's time zone.
    fn now_zoned(&self) -> jiff::Zoned {
        to_timestamp(self.now_utc()).to_zoned(self.zone())
    }
    /// Waits until [`Clock::boot_now`] reads `at` or later (at once if it already does), also
    /// across a suspend.
    fn sleep_until(&self, at: Duration) -> Sleep<'_>;
    /// Which boot [`Clock::boot_now`] counts from (the kernel's random boot id).
    fn boot_id(&self) -> String;
    /// Now, on both clocks.
    fn moment(&self) -> Moment {
        Moment {
            wall: self.now_utc(),
            boot_id: self.boot_id(),
            since_boot: self.boot_now(),
        }
    }
}

/// A moment that can still be compared after a restart: the wall clock, and the boot clock with
/// the boot it counts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub wall: DateTime<Utc>,
    pub boot_id: String,
    pub since_boot: Duration,
}

impl Moment {
    /// How long before `now` this moment was. Within one boot it is measured on the boot clock,
    /// so setting the system time changes nothing; across a reboot, on the wall clock, and a
    /// wall clock set back reads as no time at all (a wait is never shortened by it).
    pub fn age_at(&self, now: &Moment) -> Duration {
        if self.boot_id == now.boot_id {
            now.since_boot.saturating_sub(self.since_boot)
        } else {
            (now.wall - self.wall).to_std().unwrap_or(Duration::ZERO)
        }
    }
}

/// The wait of [`Clock::sleep_until`].
pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

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

    fn boot_id(&self) -> String {
        static BOOT_ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        BOOT_ID
            .get_or_init(|| {
                // Read once: it cannot change while the process runs. Without it (never seen on
                // Linux) all moments read as of one boot, and a wait starts over at a reboot:
                // longer, never shorter.
                std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default()
            })
            .clone()
    }

    fn sleep_until(&self, at: Duration) -> Sleep<'_> {
        match boot_timer(at) {
            Ok(timer) => Box::pin(async move {
                // Readable once it has fired; an error (never seen) ends the wait early, and the
                // caller looks at the time again.
                let _ = timer.readable().await;
            }),
            Err(e) => {
                static SAID: std::sync::Once = std::sync::Once::new();
                SAID.call_once(|| {
                    tracing::warn!("no boot-clock timer ({e}): looking at the clock every second");
                });
                Box::pin(async move {
                    loop {
                        let now = self.boot_now();
                        if now >= at {
                            return;
                        }
                        tokio::time::sleep(at.saturating_sub(now).min(Duration::from_secs(1)))
                            .await;
                    }
                })
            }
        }
    }
}

/// A one-shot kernel timer (`timerfd`) on the boot clock that fires at `at`, as the async
/// runtime's readiness of its descriptor.
fn boot_timer(at: Duration) -> std::io::Result<tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>> {
    use rustix::time::{
        timerfd_create, timerfd_settime, Itimerspec, TimerfdClockId, TimerfdFlags,
        TimerfdTimerFlags, Timespec,
    };
    let fd = timerfd_create(
        TimerfdClockId::Boottime,
        TimerfdFlags::CLOEXEC | TimerfdFlags::NONBLOCK,
    )?;
    // A zero value would disarm the timer: the smallest moment is a nanosecond after boot.
    let at = at.max(Duration::from_nanos(1));
    let value = Timespec {
        tv_sec: i64::try_from(at.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(at.subsec_nanos()),
    };
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    timerfd_settime(
        &fd,
        TimerfdTimerFlags::ABSTIME,
        &Itimerspec {
            it_interval: zero,
            it_value: value,
        },
    )?;
    // Deprecated since tokio 1.54 for types whose descriptor could change under it; an `OwnedFd`
    // owned by the `AsyncFd` cannot, and the safe replacement is `unsafe` (forbidden here).
    #[allow(deprecated)]
    tokio::io::unix::AsyncFd::with_interest(fd, tokio::io::Interest::READABLE)
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

/// A chrono instant as jiff's (which knows time zones' rules), to the microsecond.
pub fn to_timestamp(t: DateTime<Utc>) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(t.timestamp_micros()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// A jiff instant as chrono's, to the microsecond.
pub fn from_timestamp(t: jiff::Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.as_microsecond()).unwrap_or_default()
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

    #[test]
    fn this_boot_has_an_id() {
        let id = SystemClock.boot_id();
        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(SystemClock.moment().boot_id, id);
    }

    #[test]
    fn a_moment_s_age_is_on_the_boot_clock_within_a_boot_and_the_wall_clock_across() {
        let c = FakeClock::new();
        let then = c.moment();
        c.advance(Duration::from_secs(60));
        assert_eq!(then.age_at(&c.moment()), Duration::from_secs(60));
        // The system time set back an hour: the boot clock still says a minute.
        c.set(c.now_utc() - chrono::Duration::hours(1));
        assert_eq!(then.age_at(&c.moment()), Duration::from_secs(60));
        // Set forward a day: still a minute.
        c.set(c.now_utc() + chrono::Duration::days(1));
        assert_eq!(then.age_at(&c.moment()), Duration::from_secs(60));
        // A reboot two minutes later: the boot clock starts again, the wall clock counts.
        let c = FakeClock::new();
        let then = c.moment();
        c.reboot(Duration::from_secs(120));
        let now = c.moment();
        assert_ne!(now.boot_id, then.boot_id);
        assert!(now.since_boot < then.since_boot + Duration::from_secs(120));
        assert_eq!(then.age_at(&now), Duration::from_secs(120));
        // A reboot with the wall clock set back: no time at all, never negative.
        c.set(then.wall - chrono::Duration::hours(1));
        assert_eq!(then.age_at(&c.moment()), Duration::ZERO);
    }

    #[tokio::test]
    async fn the_boot_clock_timer_fires_at_its_moment_and_at_once_when_past() {
        let c = SystemClock;
        let start = c.boot_now();
        c.sleep_until(start + Duration::from_millis(30)).await;
        assert!(c.boot_now() >= start + Duration::from_millis(30));
        // A moment already past (as after a suspend): at once.
        let waited = std::time::Instant::now();
        c.sleep_until(start).await;
        c.sleep_until(Duration::ZERO).await;
        assert!(waited.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn the_fake_clock_wakes_a_sleeper_at_a_suspend_past_its_moment() {
        let c = std::sync::Arc::new(FakeClock::following_tokio());
        let at = c.boot_now() + Duration::from_secs(3600);
        let sleeper = {
            let c = std::sync::Arc::clone(&c);
            tokio::spawn(async move { c.sleep_until(at).await })
        };
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(!sleeper.is_finished());
        c.suspend(Duration::from_secs(3600));
        // No time passes on tokio's (monotonic) clock: the suspend alone ends the wait.
        tokio::time::timeout(Duration::from_millis(1), sleeper)
            .await
            .expect("woken at resume")
            .unwrap();
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
