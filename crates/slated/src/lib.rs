//! The session service's socket: it accepts connections, asks the kernel who is at the other end
//! (`SO_PEERCRED`), refuses anyone but the kiosk's screen and the administrators
//! ([`slate_core::wire::Peer`]), reads length-prefixed frames of at most
//! [`slate_core::wire::MAX_MESSAGE`] bytes, and hands each request to the session manager's
//! handle, as the kiosk's IPC commands do. A frame it cannot use gets one sentence and changes
//! nothing; a client that goes away mid-call leaves the call to finish or not, as the session
//! manager decides, and the service serves the next one.

use std::sync::Arc;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_util::codec::{Framed, LengthDelimitedCodec, LengthDelimitedCodecError};

use slate_core::api::{EndReason, IpcError};
use slate_core::session::SessionHandle;
use slate_core::wire::{self, Admission, Answer, Call, Outcome, Peer, ServerMessage, Unreadable};
use slate_core::Kiosk;

/// What every connection reaches.
#[derive(Clone)]
pub struct Service {
    pub kiosk: Arc<Kiosk>,
    pub session: SessionHandle,
    pub admission: Arc<Admission>,
}

/// Serves connections on `listener` until the task is dropped.
pub async fn serve(listener: UnixListener, service: Service) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, service.clone()));
            }
            Err(e) => {
                tracing::warn!("cannot accept a connection: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// The codec of a connection: 4-byte big-endian lengths, frames bounded by `MAX_MESSAGE`.
pub fn codec() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .max_frame_length(wire::MAX_MESSAGE)
        .new_codec()
}

fn encode(message: &ServerMessage) -> Bytes {
    // Serialising our own types cannot fail (no maps with non-string keys, no custom errors).
    Bytes::from(serde_json::to_vec(message).unwrap_or_default())
}

async fn connection(stream: UnixStream, service: Service) {
    let uid = match stream.peer_cred() {
        Ok(cred) => cred.uid(),
        Err(e) => {
            tracing::warn!("cannot tell who connected: {e}");
            return;
        }
    };
    let (mut sink, mut frames) = Framed::new(stream, codec()).split();
    let peer = match Peer::of(uid, &service.admission) {
        Ok(peer) => peer,
        Err(refused) => {
            tracing::warn!(
                uid,
                "refused a connection: not the screen nor an administrator"
            );
            let _ = sink.send(encode(&reply(None, Err(refused)))).await;
            return;
        }
    };
    tracing::debug!(uid, ?peer, "connected");
    // Replies and statuses go out through one writer, in the order they are ready.
    let (tx, mut rx) = mpsc::channel::<ServerMessage>(64);
    let writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            if sink.send(encode(&message)).await.is_err() {
                break;
            }
        }
    });
    let mut subscribed = false;
    while let Some(frame) = frames.next().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                let too_large = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<LengthDelimitedCodecError>())
                    .is_some();
                if too_large {
                    let _ = tx
                        .send(reply(None, Err(Unreadable::TooLarge.to_error())))
                        .await;
                } else {
                    // Cut short (the client went away mid-frame) or unreadable: nothing to do.
                    tracing::debug!(uid, "connection ended mid-message: {e}");
                }
                break;
            }
        };
        let request = match wire::decode(&frame) {
            Ok(request) => request,
            Err((id, why)) => {
                let _ = tx.send(reply(id, Err(why.to_error()))).await;
                continue;
            }
        };
        if let Err(refused) = peer.may(&request.call) {
            let _ = tx.send(reply(Some(request.id), Err(refused))).await;
            continue;
        }
        let id = request.id;
        if matches!(request.call, Call::Subscribe) {
            if !subscribed {
                subscribed = true;
                forward_status(service.session.clone(), tx.clone());
            }
            let _ = tx.send(reply(Some(id), Ok(Answer::Done))).await;
            continue;
        }
        let service = service.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let outcome = dispatch(&service, request.call).await;
            let _ = tx.send(reply(Some(id), outcome)).await;
        });
    }
    drop(tx);
    let _ = writer.await;
    tracing::debug!(uid, "disconnected");
}

fn reply(id: Option<u64>, outcome: Result<Answer, IpcError>) -> ServerMessage {
    ServerMessage::Reply {
        id,
        outcome: match outcome {
            Ok(answer) => Outcome::Ok(answer),
            Err(e) => Outcome::Error(e),
        },
    }
}

/// Sends the current status, then every new one, until the connection goes.
fn forward_status(session: SessionHandle, tx: mpsc::Sender<ServerMessage>) {
    let mut rx = session.subscribe();
    tokio::spawn(async move {
        loop {
            let status = rx.borrow_and_update().clone();
            if tx
                .send(ServerMessage::Status {
                    status: Box::new(status),
                })
                .await
                .is_err()
            {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    });
}

/// One call, as the kiosk's IPC command of the same name does it.
async fn dispatch(service: &Service, call: Call) -> Result<Answer, IpcError> {
    let session = &service.session;
    let status = |r: Result<_, slate_core::kiosk::KioskError>| {
        r.map(|s| Answer::Status(Box::new(s)))
            .map_err(IpcError::from)
    };
    match call {
        Call::Subscribe => Ok(Answer::Done),
        Call::AppStatus => Ok(Answer::Status(Box::new(session.status()))),
        Call::CreateFirstAdmin(request) => status(session.create_first_admin(request).await),
        Call::SignIn(request) => status(session.sign_in(request.username, request.password).await),
        Call::SignInGuest => status(session.sign_in_guest().await),
        Call::ReportActivity => {
            session.activity();
            Ok(Answer::Done)
        }
        Call::Stay => status(session.stay().await),
        Call::SignOut => status(session.sign_out().await),
        Call::DismissSignedOut => status(session.dismiss().await),
        Call::ListFiles => session.files().await.map(Answer::Files).map_err(Into::into),
        Call::DeleteFile { name } => session
            .delete_file(name)
            .await
            .map(Answer::Files)
            .map_err(Into::into),
        Call::SetPreference(request) => {
            status(session.set_preference(request.key, request.value).await)
        }
        Call::Admin(request) => {
            let grant = session.admin().await.map_err(IpcError::from)?;
            let kiosk = Arc::clone(&service.kiosk);
            let answer = tokio::task::spawn_blocking(move || {
                slate_core::admin::handle(&kiosk, &grant, request)
            })
            .await
            .map_err(|_| IpcError::internal("Slate stopped while doing that. Please try again."))?;
            // A settings change applies to the live session at once.
            session.refresh();
            answer
                .map(|a| Answer::Admin(Box::new(a)))
                .map_err(Into::into)
        }
        Call::EndSession => status(session.end(EndReason::Admin).await),
    }
}
