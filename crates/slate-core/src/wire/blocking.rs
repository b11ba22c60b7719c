//! One call at a time, without an async runtime: how `slatectl` runs a command in the session
//! service ([`Call::Ctl`]). It writes one request frame, prints each [`ServerMessage::Output`]
//! as it comes, and returns the command's exit code from the reply.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;

use super::{
    unexpected, Answer, Call, CtlCall, Outcome, Request, ServerMessage, Stream, MAX_MESSAGE,
    VERSION,
};
use crate::api::IpcError;

/// Why a command could not be run in the service.
#[derive(Debug)]
pub enum CtlError {
    /// Nothing listens on the socket (no service, or an old socket file).
    Unreachable(io::Error),
    /// The service refused the call (or this account): its sentence.
    Refused(IpcError),
    /// The connection broke, or the service answered something unreadable.
    Lost(String),
}

fn write_frame(stream: &mut UnixStream, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|&n| n as usize <= MAX_MESSAGE)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the request is too large"))?;
    stream.write_all(&len.to_be_bytes())?;
    stream.write_all(payload)
}

fn read_frame(stream: &mut UnixStream) -> io::Result<Vec<u8>> {
    let mut len = [0; 4];
    stream.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_MESSAGE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the service sent a message over the size limit",
        ));
    }
    let mut frame = vec![0; len];
    stream.read_exact(&mut frame)?;
    Ok(frame)
}

/// Runs `call` in the service listening on `socket`; `output` gets what it prints, in order.
/// The command's exit code, or why it could not be run.
pub fn ctl(
    socket: &Path,
    call: CtlCall,
    mut output: impl FnMut(Stream, &str),
) -> Result<u8, CtlError> {
    let mut stream = UnixStream::connect(socket).map_err(CtlError::Unreachable)?;
    let request = Request {
        v: VERSION,
        id: 1,
        call: Call::Ctl(call),
    };
    // It may hold a new password: zeroised once sent.
    let payload = zeroize::Zeroizing::new(
        serde_json::to_vec(&request).map_err(|e| CtlError::Lost(e.to_string()))?,
    );
    let sent = write_frame(&mut stream, &payload);
    loop {
        // Read even when the write failed: a service that refused this account said why first.
        let frame = match read_frame(&mut stream) {
            Ok(frame) => frame,
            Err(e) => {
                return Err(CtlError::Lost(match sent {
                    Err(sent) => sent.to_string(),
                    Ok(()) => e.to_string(),
                }))
            }
        };
        match serde_json::from_slice::<ServerMessage>(&frame) {
            Ok(ServerMessage::Output { stream, text, .. }) => output(stream, &text),
            Ok(ServerMessage::Reply { outcome, .. }) => {
                return match outcome {
                    Outcome::Ok(Answer::Exited(code)) => Ok(code),
                    Outcome::Ok(other) => Err(CtlError::Refused(unexpected(&other))),
                    Outcome::Error(e) => Err(CtlError::Refused(e)),
                }
            }
            Ok(
                ServerMessage::Status { .. }
                | ServerMessage::Order { .. }
                | ServerMessage::LeaveKiosk,
            ) => {}
            Err(e) => return Err(CtlError::Lost(e.to_string())),
        }
    }
}
