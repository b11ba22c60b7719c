//! What tests share, compiled only for tests and with the `test-util` feature (never in a shipped
//! binary): a fake clock that follows tokio's paused time, a password from a literal, the set-ups
//! of a kiosk with an administrator and a user, or for guests, and a temporary folder private
//! enough to be a data folder.
//!
//! [`FakeClock`] follows tokio's (pausable) time, so tests drive deadlines exactly with
//! `tokio::time::advance`, and can add a suspend ([`FakeClock::suspend`]) or a wall-clock jump
//! ([`FakeClock::set`]) on top, or a reboot ([`FakeClock::reboot`]).
//!
//! Account sources to sign in against: [`slapd`], a real OpenLDAP server, [`machine_accounts`],
//! real accounts of this machine for PAM, and [`sip2_server`], a stand-in catalogue system
//! speaking SIP2 (no real one installs here).
//!
//! A room of terminals shares [`postgres`], a real PostgreSQL server.

pub mod machine_accounts;
pub mod postgres;
pub mod rsyslog;
pub mod sessions;
pub mod sip2_server;
pub mod slapd;

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};

use crate::accounts::Role;
use crate::audit::Actor;
use crate::auth::Password;
use crate::clock::Clock;
use crate::kiosk::Kiosk;

/// The test administrator's username and password.
pub const ADMIN: (&str, &str) = ("admin", "admin passphrase");
/// The test user's username and password (display name "Ana").
pub const ANA: (&str, &str) = ("ana", "ana's passphrase");

/// A temporary folder with mode 0700, as an existing data folder must be (tempfile's own
/// follow the umask, usually 0755, which [`crate::datadir::DataDir`] refuses).
pub fn private_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
        .expect("a temporary folder")
}

/// A password from a literal.
pub fn pw(s: &str) -> Password {
    Password::from(s.to_owned())
}

/// First-run setup with [`ADMIN`], guests allowed, and no signed-out screen: a terminal that
/// runs guest sessions back to back.
pub fn set_up_for_guests(kiosk: &Kiosk) {
    kiosk
        .create_first_admin(&Actor::System, ADMIN.0, "", &pw(ADMIN.1))
        .expect("the first administrator");
    for (key, value) in [("guests_allowed", "true"), ("signed_out_screen", "0")] {
        kiosk
            .set_setting(&Actor::System, key, value)
            .expect("a setting");
    }
}

/// Stops a service started by a test as its unit would be stopped (SIGTERM), waiting up to 20 s
/// for it to end before killing it.
pub fn stop_service(child: &mut std::process::Child) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A session manager for `kiosk` (with the core's wipers), running on a one-worker runtime of
/// its own, as the session service runs it; the runtime is returned to drive the handle with.
pub fn running_manager(
    kiosk: &std::sync::Arc<Kiosk>,
) -> (crate::session::SessionHandle, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let wipers = crate::kiosk::wipers::core_wipers(kiosk);
    let (manager, handle) =
        crate::session::SessionManager::new(std::sync::Arc::clone(kiosk), wipers)
            .expect("a session manager");
    rt.spawn(manager.run());
    (handle, rt)
}

/// Appends `count` records to the audit log of `store` under `key`, through the real append
/// path in transactions of 200,000: a year's worth (`span_secs`, evenly from `first_at`, Unix
/// seconds) of sign-ins, failed sign-ins and sign-outs with every reason, of 2,000 people, at
/// terminal `library-1`. The large logs of the `audit_page` bench and of the cold-start
/// harness. `progress` is called after each transaction with the records appended so far.
pub fn append_year_of_records(
    store: &crate::store::Store,
    key: &crate::audit::AuditKey,
    (first_at, span_secs): (i64, i64),
    count: i64,
    mut progress: impl FnMut(i64),
) {
    use crate::audit::{AuditEvent, Event, Stamp};
    use serde_json::json;
    let event = |i: i64| {
        let user = format!("user{:04}", i % 2000);
        let session = format!("{:032x}", i / 3);
        match i % 10 {
            0..=3 => AuditEvent::new(Event::SignIn, json!({ "kind": "user" }))
                .user(Some(&user))
                .session(&session),
            4 => AuditEvent::new(Event::SignInFailed, json!({ "reason": "bad_credentials" }))
                .user(Some(&user)),
            _ => {
                let reason = ["user", "idle", "idle", "time_limit", "user"]
                    [usize::try_from(i % 5).unwrap_or(0)];
                AuditEvent::new(
                    Event::SignOut,
                    json!({ "reason": reason, "erased": true, "wiped_items": i % 50, "wiped_bytes": i * 10 }),
                )
                .user(if i % 7 == 0 { None } else { Some(&user) })
                .session(&session)
                .duration_ms(Some(300_000 + i % 1000))
            }
        }
    };
    let batch = 200_000;
    for first in (1..=count).step_by(batch) {
        let last = (first + i64::try_from(batch).unwrap_or(0)).min(count + 1);
        store
            .atomically(|s| {
                for i in first..last {
                    let stamp = Stamp {
                        at: DateTime::from_timestamp(first_at + i * span_secs / count, 0)
                            .expect("an instant"),
                        offset: FixedOffset::east_opt(3600).expect("an offset"),
                        terminal: "library-1".into(),
                    };
                    s.audit_append(key, &stamp, &event(i))?;
                }
                Ok::<(), crate::store::StoreError>(())
            })
            .expect("appended");
        progress(last - 1);
    }
}

/// First-run setup with [`ADMIN`], then [`ANA`] as a user.
pub fn add_admin_and_ana(kiosk: &Kiosk, admin_name: &str) {
    kiosk
        .create_first_admin(&Actor::System, ADMIN.0, admin_name, &pw(ADMIN.1))
        .expect("the first administrator");
    kiosk
        .add_user(&Actor::System, ANA.0, "Ana", Role::User, &pw(ANA.1))
        .expect("ana");
}

/// A clock for tests. [`FakeClock::new`] stands still until told to move;
/// [`FakeClock::following_tokio`] also moves with tokio's (paused) time. Both take explicit jumps.
#[derive(Debug)]
pub struct FakeClock {
    origin: Option<tokio::time::Instant>,
    state: Mutex<FakeState>,
    /// Told of every jump of the boot clock, so a sleeper looks at it again (as a kernel timer
    /// on the boot clock fires at resume).
    jumped: tokio::sync::Notify,
    /// How many waits [`Clock::sleep_until`] has begun: each is a wake of whoever waits.
    sleeps: std::sync::atomic::AtomicU64,
}

#[derive(Debug)]
struct FakeState {
    wall_at_origin: DateTime<Utc>,
    boot_extra: Duration,
    /// Subtracted from the boot clock: where the last [`FakeClock::reboot`] started it again.
    boot_start: Duration,
    boot: u32,
    /// The terminal's time zone (UTC+1 all year until told otherwise).
    zone: jiff::tz::TimeZone,
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
                boot_start: Duration::ZERO,
                boot: 1,
                zone: jiff::tz::TimeZone::fixed(jiff::tz::offset(1)),
            }),
            jumped: tokio::sync::Notify::new(),
            sleeps: std::sync::atomic::AtomicU64::new(0),
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
        drop(s);
        self.jumped.notify_waiters();
    }

    /// A suspend of `by`: both clocks move on, tokio's monotonic timers do not (as on Linux,
    /// where the monotonic clock stops during suspend).
    pub fn suspend(&self, by: Duration) {
        self.advance(by);
    }

    /// How many waits on this clock have begun ([`Clock::sleep_until`]): a loop that sleeps on
    /// it wakes once per wait, so this counts its wakes.
    pub fn sleeps(&self) -> u64 {
        self.sleeps.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A reboot that took `down`: the wall clock moves on, the boot clock starts again from
    /// zero, with a new boot id.
    pub fn reboot(&self, down: Duration) {
        let mut s = self.state();
        s.wall_at_origin += chrono::Duration::from_std(down).expect("a representable duration");
        s.boot_extra += down;
        s.boot_start = self.elapsed() + s.boot_extra;
        s.boot += 1;
    }

    /// The terminal is in `zone` (by name, from the system's time zone database), from now on.
    pub fn set_zone(&self, zone: &str) {
        self.state().zone = jiff::tz::TimeZone::get(zone).expect("a zone in the tz database");
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
        let s = self.state();
        (self.elapsed() + s.boot_extra).saturating_sub(s.boot_start)
    }

    fn boot_id(&self) -> String {
        format!("00000000-0000-4000-8000-{:012}", self.state().boot)
    }

    fn local_offset(&self) -> FixedOffset {
        let now = crate::clock::to_timestamp(self.now_utc());
        let seconds = self.state().zone.to_offset(now).seconds();
        FixedOffset::east_opt(seconds).expect("a valid offset")
    }

    fn zone(&self) -> jiff::tz::TimeZone {
        self.state().zone.clone()
    }

    fn sleep_until(&self, at: Duration) -> crate::clock::Sleep<'_> {
        self.sleeps
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move {
            loop {
                let jumped = self.jumped.notified();
                tokio::pin!(jumped);
                jumped.as_mut().enable();
                let now = self.boot_now();
                if now >= at {
                    return;
                }
                tokio::select! {
                    () = tokio::time::sleep(at.saturating_sub(now)) => {}
                    () = jumped => {}
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_year_of_records_appends_them_all_and_their_chain_verifies() {
        let dir = super::private_tempdir();
        let store = crate::store::Store::open(&dir.path().join("slate.db")).unwrap();
        let key = crate::audit::AuditKey::from_bytes([9; 32]);
        let mut reported = Vec::new();
        super::append_year_of_records(&store, &key, (1_760_000_000, 3600), 1_000, |done| {
            reported.push(done);
        });
        assert_eq!(reported, [1_000]);
        assert_eq!(store.audit_verify(&key, None).unwrap().records, 1_000);
    }
}
