//! The screen's way to the session service: one connection at a time to its socket, made again
//! whenever it goes. It keeps the status the service announces (while there is no service, a
//! "needs attention" status saying so, so the screen never offers a usable session), carries the
//! commands' calls, carries out the service's wipe orders on the screen's own surfaces, and says
//! when the service tells the screen to exit (an administrator left kiosk mode). When
//! the connection goes, the screen wipes those surfaces at once: a session it can no longer
//! account for leaves nothing on the screen.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

use slate_core::api::{AppStatus, IpcError, Screen};
use slate_core::wipe::{Removed, WipeTarget, Wiper};
use slate_core::wire::client::{Client, Instruction, Order};
use slate_core::wire::{self, Answer, Call, WipeStep};

/// How long to wait before trying the socket again.
const RECONNECT: Duration = Duration::from_millis(250);

/// The screen's surfaces by name ([`wire::SCREEN_SURFACES`]).
pub type Surfaces = HashMap<&'static str, Arc<dyn Wiper>>;

/// The link to the session service; cheap to clone.
#[derive(Clone)]
pub struct Link {
    socket: Arc<PathBuf>,
    client: Arc<Mutex<Option<Client>>>,
    status_tx: Arc<watch::Sender<AppStatus>>,
    status: watch::Receiver<AppStatus>,
    /// Set when the service tells the screen to exit.
    left_tx: Arc<watch::Sender<bool>>,
}

impl Link {
    /// A link to the service listening at `socket`, not connected yet ([`Link::keep_up`]).
    pub fn new(socket: PathBuf) -> Self {
        let (status_tx, status) = watch::channel(unreachable("en"));
        Self {
            socket: Arc::new(socket),
            client: Arc::default(),
            status_tx: Arc::new(status_tx),
            status,
            left_tx: Arc::new(watch::channel(false).0),
        }
    }

    /// Returns once the service has told the screen to exit: an administrator left kiosk mode,
    /// and their session has ended and been wiped.
    pub async fn kiosk_left(&self) {
        let mut left = self.left_tx.subscribe();
        let _ = left.wait_for(|left| *left).await;
    }

    /// What the UI should show now.
    pub fn status(&self) -> AppStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every change of [`Link::status`].
    pub fn subscribe(&self) -> watch::Receiver<AppStatus> {
        self.status.clone()
    }

    /// Makes `call` through the service, or says it cannot be reached.
    pub async fn call(&self, call: Call) -> Result<Answer, IpcError> {
        let client = lock(&self.client).clone();
        match client {
            Some(client) => client.call(call).await,
            None => Err(wire::service_unreachable()),
        }
    }

    /// Reports something without waiting for the answer (input, media: at most one a second).
    pub fn tell(&self, call: Call) {
        let link = self.clone();
        tauri::async_runtime::spawn(async move {
            if let Err(e) = link.call(call).await {
                tracing::debug!("the session service did not take a report: {}", e.message);
            }
        });
    }

    /// The person did something.
    pub fn activity(&self) {
        self.tell(Call::ReportActivity);
    }

    /// Media plays in the session's browser.
    pub fn media_playing(&self) {
        self.tell(Call::MediaPlaying);
    }

    /// Connects once: subscribes to the service's statuses. Returns the orders' receiver, or
    /// why not.
    async fn connect(&self) -> Result<(Client, tokio::sync::mpsc::Receiver<Instruction>), String> {
        let (client, orders) = Client::connect(&self.socket)
            .await
            .map_err(|e| format!("cannot reach {}: {e}", self.socket.display()))?;
        client.call(Call::Subscribe).await.map_err(|e| e.message)?;
        *lock(&self.client) = Some(client.clone());
        Ok((client, orders))
    }

    /// Keeps the link up for as long as the app runs: follows the service's statuses, carries
    /// out its wipe orders on `surfaces`, and when the service goes, shows so, wipes `surfaces`
    /// and tries again.
    pub async fn keep_up(self, surfaces: Arc<Surfaces>) {
        let mut said_unreachable = false;
        loop {
            let (client, mut orders) = match self.connect().await {
                Ok(connected) => connected,
                Err(why) => {
                    if !said_unreachable {
                        tracing::warn!("the session service cannot be reached: {why}");
                        said_unreachable = true;
                    }
                    tokio::time::sleep(RECONNECT).await;
                    continue;
                }
            };
            tracing::info!(socket = %self.socket.display(), "connected to the session service");
            said_unreachable = false;
            let mut statuses = client.statuses();
            loop {
                tokio::select! {
                    changed = statuses.changed() => {
                        if changed.is_err() {
                            break;
                        }
                        let status = statuses.borrow_and_update().clone();
                        if let Some(status) = status {
                            self.status_tx.send_replace(status);
                        }
                    }
                    Some(instruction) = orders.recv() => match instruction {
                        Instruction::Wipe(order) => {
                            let link = self.clone();
                            let surfaces = Arc::clone(&surfaces);
                            tauri::async_runtime::spawn(async move {
                                link.carry_out(order, &surfaces).await;
                            });
                        }
                        Instruction::LeaveKiosk => {
                            tracing::info!("an administrator left kiosk mode: the screen exits");
                            self.left_tx.send_replace(true);
                        }
                    },
                    () = client.closed() => break,
                }
            }
            *lock(&self.client) = None;
            tracing::error!(
                "the session service went away: the terminal cannot be used until it is back"
            );
            let language = self.status.borrow().language.clone();
            self.status_tx.send_replace(unreachable(&language));
            wipe_all_now(&surfaces).await;
        }
    }

    /// One wipe order, answered with what the surface said.
    async fn carry_out(&self, order: Order, surfaces: &Surfaces) {
        let outcome = match surfaces.get(order.surface.as_str()) {
            Some(surface) => {
                let surface = Arc::clone(surface);
                let target = order.target.clone();
                let step = order.step;
                tauri::async_runtime::spawn_blocking(move || match step {
                    WipeStep::Wipe => surface.wipe(&target),
                    WipeStep::Check => surface.check(&target).map(|()| Removed::default()),
                })
                .await
                .unwrap_or_else(|_| Err("the screen's wipe stopped unexpectedly".into()))
            }
            None => Err(format!(
                "the screen has no surface called {}",
                order.surface
            )),
        };
        if let Err(e) = self
            .call(Call::Wiped {
                job: order.job,
                outcome,
            })
            .await
        {
            tracing::warn!("cannot answer a wipe order: {}", e.message);
        }
    }
}

/// The status shown while the service cannot be reached.
fn unreachable(language: &str) -> AppStatus {
    AppStatus::new(
        Screen::needs_attention(wire::service_unreachable_phrase()),
        language,
    )
}

/// Wipes every surface of the screen, for a session the service can no longer account for.
async fn wipe_all_now(surfaces: &Arc<Surfaces>) {
    let surfaces = Arc::clone(surfaces);
    let done = tauri::async_runtime::spawn_blocking(move || {
        let target = WipeTarget {
            session_id: String::new(),
            folder: PathBuf::new(),
            // Everything the kiosk account used since ever: it is Slate's alone.
            started_at: chrono::DateTime::UNIX_EPOCH,
        };
        for (name, surface) in surfaces.iter() {
            if let Err(e) = surface.wipe(&target) {
                tracing::error!(surface = name, "cannot wipe: {e}");
            }
        }
    });
    let _ = done.await;
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
