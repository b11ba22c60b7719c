//! The local protocol between the session service (`slated`) and its clients (the kiosk's
//! screen, and administrators' tools): what a message is, who may send which, and the sentence
//! for every message that cannot be used.
//!
//! A message is one frame: a 4-byte big-endian length, then that many bytes of JSON. A frame is
//! at most [`MAX_MESSAGE`] bytes. A client sends [`Request`]s, each with its own `id`; the
//! service answers each with a [`ServerMessage::Reply`] carrying that `id`, and, once the client
//! has asked with [`Call::Subscribe`], sends every new [`AppStatus`] as a
//! [`ServerMessage::Status`]. The calls are the kiosk screen's IPC commands (the same types, so
//! the screen's TypeScript bindings do not change), plus what an administrator's tool needs.
//!
//! Who is at the other end comes from the kernel (`SO_PEERCRED`), never from the message:
//! [`Peer::of`] decides it once per connection and [`Peer::may`] decides each call.

pub mod blocking;
pub mod client;

use serde::{Deserialize, Serialize};
use tokio_util::codec::LengthDelimitedCodec;

use crate::api::{
    AdminReply, AdminRequest, AppStatus, ErrorCode, IpcError, PassRequest, PreferenceRequest,
    SessionFile, SetupRequest, SignInRequest,
};
use crate::auth::Password;
use crate::phrase::Phrase;
use crate::session::Browsing;
use crate::wipe::{Removed, WipeTarget};

/// The protocol's version. A request of another version is refused with a sentence.
pub const VERSION: u16 = 1;

/// The largest frame either side accepts, in bytes (the largest real message, an audit page or
/// a settings form, is a few kilobytes).
pub const MAX_MESSAGE: usize = 1 << 20;

/// Where the installed session service listens.
pub const SYSTEM_SOCKET: &str = "/run/slate/slate.sock";

/// The group whose members administer the kiosk through the service, besides root.
pub const ADMIN_GROUP: &str = "slate-admin";

/// The codec of a connection, on both sides: 4-byte big-endian lengths, frames bounded by
/// [`MAX_MESSAGE`].
pub fn codec() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .max_frame_length(MAX_MESSAGE)
        .new_codec()
}

/// The wipe surfaces only the kiosk's screen can reach (its process holds them): the session's
/// browser, the screen's own web data, the clipboard, its notifications, and the kiosk
/// account's recently-used list. The service wipes them by sending the screen a
/// [`ServerMessage::Order`] for each, and puts the screen's answers in the receipt. In the order
/// they are wiped: the first (the browser, whose downloads must stop) before the core's own
/// surfaces, the others after them.
pub const SCREEN_SURFACES: [&str; 5] = [
    "browser",
    "recently_used",
    "webview_data",
    "clipboard",
    "notifications",
];

/// One request: the protocol version, the client's id for the reply, and the call.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub v: u16,
    pub id: u64,
    #[serde(flatten)]
    pub call: Call,
}

/// What a client asks for. The screen's calls are its IPC commands (`ipc_names::COMMANDS`,
/// except `browser`, which stays in the screen's own process), plus what the screen's own
/// parts report (the browser's media, the machine going to sleep, the wipe orders done).
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "call", content = "args", rename_all = "snake_case")]
pub enum Call {
    /// Send every new status from now on (and the current one at once).
    Subscribe,
    AppStatus,
    CreateFirstAdmin(SetupRequest),
    SignIn(SignInRequest),
    SignInGuest,
    /// A guest pass's code.
    SignInPass(PassRequest),
    ReportActivity,
    Stay,
    /// The session's one extension, from the warning before its end.
    Extend,
    /// The person's answer to the acceptable-use page, and the language of the text they read.
    AnswerAcceptableUse {
        accept: bool,
        language: Option<String>,
    },
    SignOut,
    DismissSignedOut,
    ListFiles,
    DeleteFile {
        name: String,
    },
    SetPreference(PreferenceRequest),
    /// The administrator panel at the terminal (needs an administrator's live session, as the
    /// IPC command does).
    Admin(AdminRequest),
    /// An administrator on the machine ends the live session (`slatectl session end`).
    EndSession,
    /// The live session's browser: its plan, My files and limits (`None` without one).
    Browsing,
    /// Media is playing in the session's browser (sent about every second while it plays).
    MediaPlaying,
    /// The kiosk is closing or the machine is going to sleep: end the session as `shutdown`.
    EndForShutdown,
    /// The screen's answer to the [`ServerMessage::Order`] `job`: what it removed (for a check,
    /// nothing), or why it could not.
    Wiped {
        job: u64,
        outcome: Result<Removed, String>,
    },
    /// An administrator on the machine runs a `slatectl` command in the service (root, or the
    /// group [`ADMIN_GROUP`]). What it prints comes back as [`ServerMessage::Output`], then the
    /// reply [`Answer::Exited`].
    Ctl(CtlCall),
}

/// A `slatectl` command to run in the service.
#[derive(Debug, Serialize, Deserialize)]
pub struct CtlCall {
    /// The command, as `slatectl` parsed it (its `cli::Command`, which the service reads back).
    pub command: serde_json::Value,
    /// `--json`: machine-readable output.
    pub json: bool,
    /// The new password of `init`, `user add` and `user passwd`, read by `slatectl` from its
    /// prompt or standard input before the call (the service has neither).
    pub password: Option<Password>,
}

/// Where a piece of a command's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Call {
    /// The call's name, for logs and refusals.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Subscribe => "subscribe",
            Self::AppStatus => "app_status",
            Self::CreateFirstAdmin(_) => "create_first_admin",
            Self::SignIn(_) => "sign_in",
            Self::SignInGuest => "sign_in_guest",
            Self::SignInPass(_) => "sign_in_pass",
            Self::ReportActivity => "report_activity",
            Self::Stay => "stay",
            Self::Extend => "extend_session",
            Self::AnswerAcceptableUse { .. } => "answer_acceptable_use",
            Self::SignOut => "sign_out",
            Self::DismissSignedOut => "dismiss_signed_out",
            Self::ListFiles => "list_files",
            Self::DeleteFile { .. } => "delete_file",
            Self::SetPreference(_) => "set_preference",
            Self::Admin(_) => "admin",
            Self::EndSession => "end_session",
            Self::Browsing => "browsing",
            Self::MediaPlaying => "media_playing",
            Self::EndForShutdown => "end_for_shutdown",
            Self::Wiped { .. } => "wiped",
            Self::Ctl(_) => "ctl",
        }
    }
}

/// What the service sends.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to request `id` (`None` when the request could not be read far enough to
    /// know its id).
    Reply {
        id: Option<u64>,
        #[serde(flatten)]
        outcome: Outcome,
    },
    /// A new status, after [`Call::Subscribe`].
    Status { status: Box<AppStatus> },
    /// To the screen that subscribed: wipe (or check) one of its [`SCREEN_SURFACES`] for the
    /// session `target`, and answer with [`Call::Wiped`] and this `job`.
    Order {
        job: u64,
        surface: String,
        step: WipeStep,
        target: Box<WipeTarget>,
    },
    /// To the screen, once the session an administrator left kiosk mode in has ended and been
    /// wiped ([`crate::api::AdminRequest::LeaveKiosk`]): exit with [`crate::exit::LEFT_KIOSK`].
    LeaveKiosk,
    /// A piece of what the [`Call::Ctl`] `id` prints, in order, before its reply.
    Output {
        id: u64,
        stream: Stream,
        text: String,
    },
}

/// What an [`ServerMessage::Order`] asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WipeStep {
    /// Remove what the session left.
    Wipe,
    /// Look again: nothing of the session may be left.
    Check,
}

/// A reply's result.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok(Answer),
    Error(IpcError),
}

/// A successful reply.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    Done,
    Status(Box<AppStatus>),
    Files(Vec<SessionFile>),
    Admin(Box<AdminReply>),
    Browsing(Option<Box<Browsing>>),
    /// A [`Call::Ctl`] command finished, with `slatectl`'s exit code.
    Exited(u8),
}

impl Answer {
    /// The status this answer carries, or the sentence saying the service answered otherwise.
    pub fn into_status(self) -> Result<AppStatus, IpcError> {
        match self {
            Self::Status(s) => Ok(*s),
            other => Err(unexpected(&other)),
        }
    }

    /// The files this answer carries.
    pub fn into_files(self) -> Result<Vec<SessionFile>, IpcError> {
        match self {
            Self::Files(f) => Ok(f),
            other => Err(unexpected(&other)),
        }
    }

    /// The administrator panel's reply this answer carries.
    pub fn into_admin(self) -> Result<AdminReply, IpcError> {
        match self {
            Self::Admin(a) => Ok(*a),
            other => Err(unexpected(&other)),
        }
    }

    /// The session's browser this answer carries.
    pub fn into_browsing(self) -> Result<Option<Browsing>, IpcError> {
        match self {
            Self::Browsing(b) => Ok(b.map(|b| *b)),
            other => Err(unexpected(&other)),
        }
    }
}

fn unexpected(answer: &Answer) -> IpcError {
    let kind = match answer {
        Answer::Done => "done",
        Answer::Status(_) => "status",
        Answer::Files(_) => "files",
        Answer::Admin(_) => "admin",
        Answer::Browsing(_) => "browsing",
        Answer::Exited(_) => "exited",
    };
    error(
        ErrorCode::Internal,
        Phrase::new("The session service gave an answer of another kind ({kind}).")
            .text("kind", kind),
    )
}

/// The sentence of every call made while the session service cannot be reached.
pub fn service_unreachable() -> IpcError {
    error(ErrorCode::NeedsAttention, service_unreachable_phrase())
}

/// Why the screen shows "needs attention" while the session service cannot be reached.
pub fn service_unreachable_phrase() -> Phrase {
    Phrase::new("Slate's session service is not running.")
}

/// Who is at the other end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// The kiosk's screen: the configured kiosk account. It drives the session.
    Screen,
    /// Root or a member of [`ADMIN_GROUP`] on this machine.
    Administrator,
    /// The screen's account when the service runs as that account too, or is root's (someone
    /// trying Slate out on their own account, `make run`): it owns the data folder anyway, so
    /// it is both the screen and an administrator.
    Owner,
}

/// The accounts the service lets in: the kiosk account, and the administrators' group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    /// The kiosk account's uid (its screen).
    pub screen_uid: u32,
    /// Its name, for the refusal's sentence.
    pub screen_name: String,
    /// The uids in [`ADMIN_GROUP`] (primary or supplementary), besides root.
    pub admin_uids: Vec<u32>,
    /// The account the service runs as.
    pub service_uid: u32,
}

impl Peer {
    /// Whether this peer may be the kiosk's screen (drive the session, answer wipe orders).
    pub fn is_screen(self) -> bool {
        matches!(self, Self::Screen | Self::Owner)
    }

    /// The peer with this uid, or the sentence that refuses it. (Root, and the service's own
    /// account, are administrators even when they are also the screen's, as with `make run`.)
    pub fn of(uid: u32, admission: &Admission) -> Result<Self, IpcError> {
        if uid == admission.screen_uid {
            if uid == 0 || uid == admission.service_uid {
                Ok(Self::Owner)
            } else {
                Ok(Self::Screen)
            }
        } else if uid == 0 || admission.admin_uids.contains(&uid) {
            Ok(Self::Administrator)
        } else {
            let phrase = Phrase::new(
                "This socket is for the kiosk's screen (the account {screen}) and for administrators (root and the group {group}); uid {uid} is neither.",
            )
            .text("screen", admission.screen_name.clone())
            .text("group", ADMIN_GROUP)
            .number("uid", u64::from(uid));
            Err(error(ErrorCode::Refused, phrase))
        }
    }

    /// Whether this peer may make `call`; else the sentence that refuses it. The screen drives
    /// the session; an administrator on the machine may look and end it. (The panel's requests
    /// are the screen's: they also need an administrator's live session, which the session
    /// manager checks.)
    pub fn may(self, call: &Call) -> Result<(), IpcError> {
        let allowed = match self {
            Self::Owner => true,
            Self::Screen => !matches!(call, Call::EndSession | Call::Ctl(_)),
            // (Everything else, including the wipe orders' answers, is the screen's.)
            Self::Administrator => matches!(
                call,
                Call::Subscribe | Call::AppStatus | Call::EndSession | Call::Ctl(_)
            ),
        };
        if allowed {
            Ok(())
        } else {
            let phrase = Phrase::new("{who} may not ask for {call}.")
                .text(
                    "who",
                    match self {
                        Self::Screen | Self::Owner => "The kiosk's screen",
                        Self::Administrator => "An administrator's tool",
                    },
                )
                .text("call", call.name());
            Err(error(ErrorCode::Refused, phrase))
        }
    }
}

/// Why a frame is not a request the service can act on. Nothing was done for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Longer than [`MAX_MESSAGE`]: the connection is closed after the reply (what follows the
    /// length cannot be told from the next message).
    TooLarge,
    /// Not JSON, or not a request.
    NotARequest(String),
    /// Another version of the protocol.
    Version(u16),
}

impl Unreadable {
    /// The one sentence the client gets.
    pub fn to_error(&self) -> IpcError {
        let phrase = match self {
            Self::TooLarge => Phrase::new(
                "The message is larger than {max} bytes, so nothing was done; the connection is closed.",
            )
            .number("max", MAX_MESSAGE as u64),
            Self::NotARequest(why) => Phrase::new(
                "The message is not a request Slate understands, so nothing was done: {why}.",
            )
            .text("why", why.clone()),
            Self::Version(v) => Phrase::new(
                "The message is of protocol version {got}; this service speaks version {want}, so nothing was done.",
            )
            .number("got", u64::from(*v))
            .number("want", u64::from(VERSION)),
        };
        error(ErrorCode::InvalidInput, phrase)
    }
}

/// Reads one frame's bytes as a request. The id is returned with the problem when it could be
/// read, so the client can match the refusal to its request.
pub fn decode(frame: &[u8]) -> Result<Request, (Option<u64>, Unreadable)> {
    #[derive(Deserialize)]
    struct Head {
        v: Option<u16>,
        id: Option<u64>,
    }
    let head: Option<Head> = serde_json::from_slice(frame).ok();
    let id = head.as_ref().and_then(|h| h.id);
    if let Some(v) = head.and_then(|h| h.v).filter(|v| *v != VERSION) {
        return Err((id, Unreadable::Version(v)));
    }
    serde_json::from_slice(frame).map_err(|e| (id, Unreadable::NotARequest(short(&e))))
}

/// serde's message without the position, which means nothing to the person reading it.
fn short(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

fn error(code: ErrorCode, phrase: Phrase) -> IpcError {
    IpcError {
        code,
        message: phrase.to_string(),
        phrase,
        retry_after_secs: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission() -> Admission {
        Admission {
            screen_uid: 1001,
            screen_name: "kiosk".into(),
            admin_uids: vec![1002],
            service_uid: 0,
        }
    }

    #[test]
    fn the_kernel_says_who_is_calling_and_each_peer_may_do_its_part() {
        let a = admission();
        assert_eq!(Peer::of(1001, &a).unwrap(), Peer::Screen);
        assert_eq!(Peer::of(0, &a).unwrap(), Peer::Administrator);
        // The service's own account as the screen (someone trying Slate out) is both.
        let own = Admission {
            service_uid: 1001,
            ..admission()
        };
        assert_eq!(Peer::of(1001, &own).unwrap(), Peer::Owner);
        assert!(Peer::Owner.may(&Call::EndSession).is_ok() && Peer::Owner.is_screen());
        assert_eq!(Peer::of(1002, &a).unwrap(), Peer::Administrator);
        let refused = Peer::of(1003, &a).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Refused);
        assert!(
            refused.message.contains("uid 1003 is neither"),
            "{}",
            refused.message
        );
        assert!(Peer::Screen.may(&Call::SignOut).is_ok());
        assert!(Peer::Screen.may(&Call::EndSession).is_err());
        assert!(Peer::Administrator.may(&Call::EndSession).is_ok());
        let no = Peer::Administrator.may(&Call::SignInGuest).unwrap_err();
        assert_eq!(
            no.message,
            "An administrator's tool may not ask for sign_in_guest."
        );
    }

    #[test]
    fn requests_decode_and_bad_ones_say_why_with_their_id() {
        let r =
            decode(br#"{"v":1,"id":7,"call":"sign_in","args":{"username":"ana","password":"pw"}}"#)
                .unwrap();
        assert_eq!(r.id, 7);
        assert!(matches!(r.call, Call::SignIn(_)));
        let r = decode(br#"{"v":1,"id":8,"call":"delete_file","args":{"name":"a.txt"}}"#).unwrap();
        assert!(matches!(r.call, Call::DeleteFile { ref name } if name == "a.txt"));
        assert!(matches!(
            decode(br#"{"v":1,"id":9,"call":"stay"}"#).unwrap().call,
            Call::Stay
        ));

        let (id, why) = decode(br#"{"v":2,"id":3,"call":"stay"}"#).unwrap_err();
        assert_eq!((id, why.clone()), (Some(3), Unreadable::Version(2)));
        assert!(why
            .to_error()
            .message
            .contains("version 2; this service speaks version 1"));
        let (id, why) = decode(br#"{"v":1,"id":4,"call":"format_disk"}"#).unwrap_err();
        assert_eq!(id, Some(4));
        assert!(
            why.to_error()
                .message
                .contains("unknown variant `format_disk`"),
            "{why:?}"
        );
        let (id, why) = decode(b"\xff\x00garbage").unwrap_err();
        assert_eq!(id, None);
        assert!(matches!(why, Unreadable::NotARequest(_)));
        assert!(decode(br#"{"v":1,"id":5,"call":"stay","extra":1}"#).is_err());
    }

    #[test]
    fn what_the_screen_sends_and_hears_reads_back_the_same() {
        let call = Request {
            v: VERSION,
            id: 3,
            call: Call::Wiped {
                job: 9,
                outcome: Ok(Removed { items: 2, bytes: 5 }),
            },
        };
        let back = decode(&serde_json::to_vec(&call).unwrap()).unwrap();
        assert!(matches!(
            back.call,
            Call::Wiped {
                job: 9,
                outcome: Ok(Removed { items: 2, bytes: 5 })
            }
        ));
        let order = ServerMessage::Order {
            job: 4,
            surface: "clipboard".into(),
            step: WipeStep::Check,
            target: Box::new(WipeTarget {
                session_id: "s".into(),
                folder: "/tmp/s".into(),
                started_at: chrono::DateTime::UNIX_EPOCH,
            }),
        };
        let heard: ServerMessage =
            serde_json::from_slice(&serde_json::to_vec(&order).unwrap()).unwrap();
        assert!(matches!(
            heard,
            ServerMessage::Order {
                job: 4,
                step: WipeStep::Check,
                ..
            }
        ));
        let refused = ServerMessage::Reply {
            id: Some(5),
            outcome: Outcome::Error(Unreadable::TooLarge.to_error()),
        };
        let heard: ServerMessage =
            serde_json::from_slice(&serde_json::to_vec(&refused).unwrap()).unwrap();
        assert!(matches!(
            heard,
            ServerMessage::Reply { id: Some(5), outcome: Outcome::Error(ref e) }
                if e.code == ErrorCode::InvalidInput
        ));
        // A password crosses the socket as the person typed it, and only there.
        let sign_in = serde_json::to_value(Call::SignIn(SignInRequest {
            username: "ana".into(),
            password: String::from("pw 1").into(),
        }))
        .unwrap();
        assert_eq!(sign_in["args"]["password"], "pw 1");
        assert!(Answer::Done.into_status().is_err());
    }

    #[test]
    fn a_reply_and_a_status_read_as_the_screen_expects() {
        let reply = ServerMessage::Reply {
            id: Some(7),
            outcome: Outcome::Ok(Answer::Done),
        };
        assert_eq!(
            serde_json::to_value(&reply).unwrap(),
            serde_json::json!({"kind": "reply", "id": 7, "ok": {"type": "done"}})
        );
        let refused = ServerMessage::Reply {
            id: None,
            outcome: Outcome::Error(Unreadable::TooLarge.to_error()),
        };
        let v = serde_json::to_value(&refused).unwrap();
        assert_eq!(v["error"]["code"], "invalid_input");
    }
}
