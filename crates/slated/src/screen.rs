//! The kiosk's screen as the service sees it: which connection is the screen now (the last that
//! subscribed), and the wipe surfaces only it can reach ([`slate_core::wire::SCREEN_SURFACES`]),
//! wiped by sending it an order and waiting for its answer ([`ScreenSurface`]). A surface of a
//! screen that is not connected, or does not answer in time, is not wiped: the receipt says so,
//! the terminal needs attention, and the wipe is tried again when a screen comes back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc as std_mpsc, Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;

use slate_core::wipe::{Removed, WipeTarget, Wiper};
use slate_core::wire::{ServerMessage, WipeStep, SCREEN_SURFACES};

/// How long the screen may take over one surface (destroying the browser and its web data takes
/// the longest, well under a second here).
const ORDER_TIMEOUT: Duration = Duration::from_secs(20);

type Answer = Result<Removed, String>;

/// The screen's connection, if one is attached, and the orders it has not answered yet.
#[derive(Default)]
pub struct ScreenLink {
    attached: Mutex<Option<(u64, mpsc::Sender<ServerMessage>)>>,
    jobs: Mutex<HashMap<u64, std_mpsc::Sender<Answer>>>,
    next_job: AtomicU64,
}

impl ScreenLink {
    /// Connection `conn` (the screen's, subscribed) is the screen from now on.
    pub fn attach(&self, conn: u64, tx: mpsc::Sender<ServerMessage>) {
        *lock(&self.attached) = Some((conn, tx));
    }

    /// Connection `conn` has gone. Returns whether it was the screen (then every order it had
    /// not answered fails at once).
    pub fn detach(&self, conn: u64) -> bool {
        let mut attached = lock(&self.attached);
        if attached.as_ref().is_some_and(|(c, _)| *c == conn) {
            *attached = None;
            drop(attached);
            lock(&self.jobs).clear();
            true
        } else {
            false
        }
    }

    /// The screen's answer to order `job`.
    pub fn answered(&self, job: u64, answer: Answer) {
        if let Some(waiting) = lock(&self.jobs).remove(&job) {
            let _ = waiting.send(answer);
        }
    }

    /// Sends the screen an order and waits for its answer. Blocks: wipers run on blocking
    /// threads (or before the runtime starts).
    fn order(&self, surface: &'static str, step: WipeStep, target: &WipeTarget) -> Answer {
        let Some(tx) = lock(&self.attached).as_ref().map(|(_, tx)| tx.clone()) else {
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
