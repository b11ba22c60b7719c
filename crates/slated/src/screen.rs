//! The kiosk's screen as the service sees it: which connection is the screen now (the last that
//! subscribed), and the wipe surfaces only it can reach ([`slate_core::wire::SCREEN_SURFACES`]),
//! wiped by sending it an order and waiting for its answer ([`ScreenSurface`]). While no screen
//! is connected (it was killed and is starting again, or the service has just started) an order
//! waits for one; a surface whose screen does not come back or answer in time is not wiped: the
//! receipt says so, the terminal needs attention, and the wipe is tried again when a screen
//! comes back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc as std_mpsc, Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use slate_core::wipe::{Removed, WipeTarget, Wiper};
use slate_core::wire::{ServerMessage, WipeStep, SCREEN_SURFACES};

/// How long the screen may take over one surface (destroying the browser and its web data takes
/// the longest, well under a second here).
const ORDER_TIMEOUT: Duration = Duration::from_secs(20);

/// How long an order waits for a screen to connect (a kiosk's screen killed in a session is
/// started again within a few seconds). Once one wait has run out, the next orders do not wait
/// until a screen is back.
const SCREEN_WAIT: Duration = Duration::from_secs(10);

type Answer = Result<Removed, String>;

/// The screen's connection, if one is attached, and the orders it has not answered yet.
#[derive(Default)]
pub struct ScreenLink {
    attached: Mutex<Option<(u64, mpsc::Sender<ServerMessage>)>>,
    /// Wakes orders waiting for a screen.
    arrived: Condvar,
    /// A wait for a screen ran out, and none has connected since.
    gave_up: AtomicBool,
    jobs: Mutex<HashMap<u64, std_mpsc::Sender<Answer>>>,
    next_job: AtomicU64,
}

impl ScreenLink {
    /// Connection `conn` (the screen's, subscribed) is the screen from now on.
    pub fn attach(&self, conn: u64, tx: mpsc::Sender<ServerMessage>) {
        *lock(&self.attached) = Some((conn, tx));
        self.gave_up.store(false, Ordering::SeqCst);
        self.arrived.notify_all();
    }

    /// Connection `conn` has gone. If it was the screen, every order it had not answered fails
    /// at once.
    pub fn detach(&self, conn: u64) {
        let mut attached = lock(&self.attached);
        if attached.as_ref().is_some_and(|(c, _)| *c == conn) {
            *attached = None;
            drop(attached);
            lock(&self.jobs).clear();
        }
    }

    /// The screen's answer to order `job`.
    pub fn answered(&self, job: u64, answer: Answer) {
        if let Some(waiting) = lock(&self.jobs).remove(&job) {
            let _ = waiting.send(answer);
        }
    }

    /// Whether a screen is connected, waiting up to `wait` for one.
    pub fn screen_within(&self, wait: Duration) -> bool {
        self.connection_within(wait).is_some()
    }

    /// The screen's connection, waiting up to `wait` for one.
    fn connection_within(&self, wait: Duration) -> Option<mpsc::Sender<ServerMessage>> {
        let deadline = Instant::now() + wait;
        let mut attached = lock(&self.attached);
        loop {
            if let Some((_, tx)) = attached.as_ref() {
                return Some(tx.clone());
            }
            let left = deadline
                .checked_duration_since(Instant::now())
                .filter(|left| !left.is_zero())?;
            attached = self
                .arrived
                .wait_timeout(attached, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Tells the screen to exit, as an administrator left kiosk mode. Whether a screen was
    /// there to hear it.
    pub async fn leave_kiosk(&self) -> bool {
        let tx = lock(&self.attached).as_ref().map(|(_, tx)| tx.clone());
        match tx {
            Some(tx) => tx.send(ServerMessage::LeaveKiosk).await.is_ok(),
            None => false,
        }
    }

    /// Sends the screen an order and waits for its answer. Blocks: wipers run on blocking
    /// threads (or before the runtime starts).
    fn order(&self, surface: &'static str, step: WipeStep, target: &WipeTarget) -> Answer {
        let wait = if self.gave_up.load(Ordering::SeqCst) {
            Duration::ZERO
        } else {
            SCREEN_WAIT
        };
        let Some(tx) = self.connection_within(wait) else {
            self.gave_up.store(true, Ordering::SeqCst);
            return Err(
                "the kiosk's screen is not connected; it is wiped when the screen is back".into(),
            );
        };
        let job = self.next_job.fetch_add(1, Ordering::Relaxed);
        let (done, answer) = std_mpsc::channel();
        lock(&self.jobs).insert(job, done);
        let order = ServerMessage::Order {
            job,
            surface: surface.to_owned(),
            step,
            target: Box::new(target.clone()),
        };
        if tx.blocking_send(order).is_err() {
            lock(&self.jobs).remove(&job);
            return Err("the kiosk's screen went away".into());
        }
        match answer.recv_timeout(ORDER_TIMEOUT) {
            Ok(answer) => answer,
            Err(std_mpsc::RecvTimeoutError::Timeout) => {
                lock(&self.jobs).remove(&job);
                Err(format!(
                    "the kiosk's screen did not answer within {} s",
                    ORDER_TIMEOUT.as_secs()
                ))
            }
            Err(std_mpsc::RecvTimeoutError::Disconnected) => {
                Err("the kiosk's screen went away".into())
            }
        }
    }
}

/// One of the screen's surfaces, wiped by the screen on the service's order.
pub struct ScreenSurface {
    name: &'static str,
    link: Arc<ScreenLink>,
}

/// The screen's surface called `name` (one of [`SCREEN_SURFACES`]).
pub fn surface(name: &'static str, link: &Arc<ScreenLink>) -> Arc<dyn Wiper> {
    debug_assert!(SCREEN_SURFACES.contains(&name));
    Arc::new(ScreenSurface {
        name,
        link: Arc::clone(link),
    })
}

impl Wiper for ScreenSurface {
    fn name(&self) -> &'static str {
        self.name
    }

    fn wipe(&self, target: &WipeTarget) -> Result<Removed, String> {
        self.link.order(self.name, WipeStep::Wipe, target)
    }

    fn check(&self, target: &WipeTarget) -> Result<(), String> {
        self.link
            .order(self.name, WipeStep::Check, target)
            .map(|_| ())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
