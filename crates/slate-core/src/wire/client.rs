//! A client of the session service's socket, for the kiosk's screen and administrators' tools:
//! it sends [`Request`]s, matches each [`ServerMessage::Reply`] to its call, keeps the newest
//! [`AppStatus`] once subscribed, and hands the service's instructions (wipe orders, leaving kiosk
//! mode) to its owner. When the
//! connection goes, every call waiting for a reply gets [`service_unreachable`] and
//! [`Client::closed`] returns.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::codec::Framed;

use super::{codec, service_unreachable, Answer, Call, Outcome, Request, ServerMessage, VERSION};
use crate::api::{AppStatus, IpcError};
use crate::wipe::WipeTarget;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Answer, IpcError>>>>>;

/// One connection to the session service; cheap to clone.
#[derive(Clone)]
pub struct Client {
    out: mpsc::Sender<Bytes>,
    pending: Pending,
    next_id: Arc<AtomicU64>,
    status: watch::Receiver<Option<AppStatus>>,
    open: watch::Receiver<bool>,
}

/// A wipe order from the service (see [`ServerMessage::Order`]); answer it with
/// [`Call::Wiped`] and its `job`.
#[derive(Debug, Clone)]
pub struct Order {
    pub job: u64,
    pub surface: String,
    pub step: super::WipeStep,
    pub target: WipeTarget,
}

/// What the service tells the screen to do.
#[derive(Debug, Clone)]
pub enum Instruction {
    /// Wipe or check one of its surfaces.
    Wipe(Order),
    /// Exit: an administrator left kiosk mode (see [`ServerMessage::LeaveKiosk`]).
    LeaveKiosk,
}

impl Client {
    /// Connects to the service listening at `socket`. The instructions it sends arrive on the
    /// receiver.
    pub async fn connect(socket: &Path) -> std::io::Result<(Self, mpsc::Receiver<Instruction>)> {
        let stream = UnixStream::connect(socket).await?;
        let (mut sink, mut frames) = Framed::new(stream, codec()).split();
        let (out, mut outgoing) = mpsc::channel::<Bytes>(64);
        let (orders_tx, orders) = mpsc::channel::<Instruction>(16);
        let (status_tx, status) = watch::channel(None);
        let (open_tx, open) = watch::channel(true);
        let pending: Pending = Arc::default();
        tokio::spawn(async move {
            while let Some(frame) = outgoing.recv().await {
                if sink.send(frame).await.is_err() {
                    break;
                }
            }
        });
        let replies = Arc::clone(&pending);
        tokio::spawn(async move {
            while let Some(Ok(frame)) = frames.next().await {
                match serde_json::from_slice::<ServerMessage>(&frame) {
                    Ok(ServerMessage::Reply {
                        id: Some(id),
                        outcome,
                    }) => {
                        let waiting = lock(&replies).remove(&id);
                        if let Some(waiting) = waiting {
                            let _ = waiting.send(match outcome {
                                Outcome::Ok(answer) => Ok(answer),
                                Outcome::Error(e) => Err(e),
                            });
                        }
                    }
                    Ok(ServerMessage::Reply { id: None, outcome }) => {
                        if let Outcome::Error(e) = outcome {
                            tracing::warn!("the session service refused a message: {}", e.message);
                        }
                    }
                    Ok(ServerMessage::Status { status }) => {
                        let _ = status_tx.send(Some(*status));
                    }
                    Ok(ServerMessage::Order {
                        job,
                        surface,
                        step,
                        target,
                    }) => {
                        let order = Order {
                            job,
                            surface,
                            step,
                            target: *target,
                        };
                        if orders_tx.send(Instruction::Wipe(order)).await.is_err() {
                            tracing::warn!("a wipe order came with nobody to carry it out");
                        }
                    }
                    Ok(ServerMessage::LeaveKiosk) => {
                        if orders_tx.send(Instruction::LeaveKiosk).await.is_err() {
                            tracing::warn!("leaving kiosk mode, with nobody to close the screen");
                        }
                    }
                    // Only an administrator's command prints; the screen runs none.
                    Ok(ServerMessage::Output { .. }) => {}
                    Err(e) => tracing::warn!("cannot read a message of the session service: {e}"),
                }
            }
            // Gone: every waiting call hears so (dropping its sender), and so does the owner.
            lock(&replies).clear();
            let _ = open_tx.send(false);
        });
        let client = Self {
            out,
            pending,
            next_id: Arc::new(AtomicU64::new(1)),
            status,
            open,
        };
        Ok((client, orders))
    }

    /// Makes `call` and waits for its reply.
    pub async fn call(&self, call: Call) -> Result<Answer, IpcError> {
        if !*self.open.borrow() {
            return Err(service_unreachable());
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let frame = serde_json::to_vec(&Request {
            v: VERSION,
            id,
            call,
        })
        .map_err(|_| service_unreachable())?;
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id, tx);
        if self.out.send(Bytes::from(frame)).await.is_err() {
            lock(&self.pending).remove(&id);
            return Err(service_unreachable());
        }
        rx.await.unwrap_or_else(|_| Err(service_unreachable()))
    }

    /// Every status the service announces (after [`Call::Subscribe`]); `None` until the first.
    pub fn statuses(&self) -> watch::Receiver<Option<AppStatus>> {
        self.status.clone()
    }

    /// Whether the connection is still open.
    pub fn is_open(&self) -> bool {
        *self.open.borrow()
    }

    /// Returns when the connection has gone.
    pub async fn closed(&self) {
        let mut open = self.open.clone();
        let _ = open.wait_for(|open| !*open).await;
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
