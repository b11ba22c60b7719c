//! A stand-in for logind, for the sleep test: it serves `org.freedesktop.login1.Manager` on the
//! test's private session bus (the app under test is pointed at it as its system bus through
//! `DBUS_SYSTEM_BUS_ADDRESS`), hands out real inhibitor file descriptors (pipes), sleep "delay"
//! and idle "block" ones, notices when the app closes them, and emits `PrepareForSleep` on
//! request.
//!
//! It is a mock because the real logind cannot run here (no systemd as PID 1); the D-Bus
//! traffic, the file descriptors passed over it and the app's code are all real.

// zbus's interface macro reads the unused `_`-named D-Bus arguments it generates code for.
#![allow(clippy::used_underscore_binding)]

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PATH: &str = "/org/freedesktop/login1";
const INTERFACE: &str = "org.freedesktop.login1.Manager";

#[derive(Default)]
struct Shared {
    /// Sleep inhibitors ("sleep", "delay"): how many, and whether each was released.
    taken: AtomicUsize,
    released: Mutex<Vec<bool>>,
    /// Idle inhibitors ("idle", "block"): whether each was released.
    idle: Mutex<Vec<bool>>,
}

struct Manager {
    shared: Arc<Shared>,
}

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl Manager {
    fn inhibit(
        &self,
        what: String,
        _who: String,
        _why: String,
        mode: String,
    ) -> zbus::fdo::Result<zbus::OwnedFd> {
        let idle = match (what.as_str(), mode.as_str()) {
            ("sleep", "delay") => false,
            ("idle", "block") => true,
            _ => return Err(zbus::fdo::Error::InvalidArgs(format!("{what}/{mode}"))),
        };
        let (mut reader, writer) =
            std::io::pipe().map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
        let index = {
            let mut released = if idle {
                self.shared.idle.lock().expect("lock")
            } else {
                self.shared.released.lock().expect("lock")
            };
            released.push(false);
            released.len() - 1
        };
        if !idle {
            self.shared.taken.fetch_add(1, Ordering::SeqCst);
        }
        let shared = Arc::clone(&self.shared);
        // End of file on the read end: every copy of the write end (the inhibitor) is closed.
        std::thread::spawn(move || {
            let mut buf = [0u8; 1];
            while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
            let released = if idle { &shared.idle } else { &shared.released };
            released.lock().expect("lock")[index] = true;
        });
        Ok(zbus::OwnedFd::from(std::os::fd::OwnedFd::from(writer)))
    }
}

/// The stand-in, live for as long as this value.
pub struct FakeLogind {
    conn: zbus::Connection,
    shared: Arc<Shared>,
}

impl FakeLogind {
    /// Serves `org.freedesktop.login1` on the session bus.
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let conn = zbus::connection::Builder::session()
            .serve_at(
                PATH,
                Manager {
                    shared: Arc::clone(&shared),
                },
            )
            .name("org.freedesktop.login1")
            .build()
            .await
            .expect("the fake logind owns its name on the session bus");
        Self { conn, shared }
    }

    /// The environment that points an app at this stand-in as its system bus.
    pub fn env() -> (String, String) {
        (
            "DBUS_SYSTEM_BUS_ADDRESS".to_owned(),
            std::env::var("DBUS_SESSION_BUS_ADDRESS").expect("a session bus"),
        )
    }

    /// Announces sleep (`true`) or resume (`false`).
    pub async fn prepare_for_sleep(&self, start: bool) {
        self.conn
            .emit_signal(None::<&str>, PATH, INTERFACE, "PrepareForSleep", &(start,))
            .await
            .expect("the signal goes out");
    }

    /// How many inhibitors the app took so far.
    pub fn taken(&self) -> usize {
        self.shared.taken.load(Ordering::SeqCst)
    }

    /// Whether inhibitor number `index` (from 0) has been released.
    pub fn released(&self, index: usize) -> bool {
        self.shared
            .released
            .lock()
            .expect("lock")
            .get(index)
            .copied()
            .unwrap_or(false)
    }

    /// Whether the app holds an idle inhibitor now (taken and not released).
    pub fn idle_held(&self) -> bool {
        self.shared.idle.lock().expect("lock").contains(&false)
    }

    /// Waits up to 10 s for `cond`.
    pub async fn wait(&self, what: &str, cond: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !cond(self) {
            assert!(Instant::now() < deadline, "waited 10 s for {what}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
