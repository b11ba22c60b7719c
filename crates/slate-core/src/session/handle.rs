//! The way in to the session manager: [`SessionHandle`] turns each request into a message for the
//! one task that owns the session and waits for its answer; [`AdminGrant`] is the proof, handed
//! out only by that task, that an administrator's session is live at this terminal.

use tokio::sync::{mpsc, oneshot, watch};

use crate::api::{AppStatus, BrowserPlan, EndReason, SessionFile, SetupRequest};
use crate::audit::Actor;
use crate::auth::Password;
use crate::kiosk::KioskError;
use crate::my_files::DownloadLimits;

pub(super) type Reply<T> = oneshot::Sender<Result<T, KioskError>>;

pub(super) enum Msg {
    SignIn {
        username: String,
        password: Password,
        reply: Reply<AppStatus>,
    },
    Guest(Reply<AppStatus>),
    Activity,
    MediaPlaying,
    Stay(Reply<AppStatus>),
    Extend(Reply<AppStatus>),
    GuestPass(crate::auth::Password, Reply<AppStatus>),
    AnswerAcceptableUse {
        accept: bool,
        language: Option<String>,
        reply: Reply<AppStatus>,
    },
    SignOut(Reply<AppStatus>),
    Dismiss(Reply<AppStatus>),
    End(EndReason, Reply<AppStatus>),
    Refresh,
    RetryWipesNow,
    Ping(oneshot::Sender<()>),
    Files(Reply<Vec<SessionFile>>),
    Browsing(Reply<Option<Browsing>>),
    DeleteFile(String, Reply<Vec<SessionFile>>),
    SetPreference(String, String, Reply<AppStatus>),
    Admin(Reply<AdminGrant>),
    SetUp(SetupRequest, Reply<AppStatus>),
    /// My files of the session with this id changed (from its [`crate::watch::FolderWatch`]).
    FilesChanged(String),
    /// The database or a policy file was written (from the manager's [`crate::watch::FolderWatch`]):
    /// the settings or an end request may have changed.
    MaybeChanged,
    Shutdown(oneshot::Sender<()>),
}

/// The way in to the session manager; cheap to clone.
#[derive(Debug, Clone)]
pub struct SessionHandle {
    pub(super) tx: mpsc::Sender<Msg>,
    pub(super) status: watch::Receiver<AppStatus>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Msg") // never print a password
    }
}

pub(super) fn stopped() -> KioskError {
    KioskError::Stopped
}

impl SessionHandle {
    /// What the UI should show now.
    pub fn status(&self) -> AppStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every change of [`SessionHandle::status`].
    pub fn subscribe(&self) -> watch::Receiver<AppStatus> {
        self.status.clone()
    }

    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Msg) -> Result<T, KioskError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(make(reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Signs in with an account (see [`Kiosk::authenticate`]) and starts a session.
    pub async fn sign_in(
        &self,
        username: String,
        password: Password,
    ) -> Result<AppStatus, KioskError> {
        self.ask(|reply| Msg::SignIn {
            username,
            password,
            reply,
        })
        .await
    }

    /// First-run setup: creates the first administrator (refused once one exists) and answers
    /// with the sign-in screen.
    pub async fn create_first_admin(&self, request: SetupRequest) -> Result<AppStatus, KioskError> {
        self.ask(|reply| Msg::SetUp(request, reply)).await
    }

    /// Starts a guest session, where allowed.
    pub async fn sign_in_guest(&self) -> Result<AppStatus, KioskError> {
        self.ask(Msg::Guest).await
    }

    /// Starts a guest session with a guest pass's code (once; throttled as a password is).
    pub async fn sign_in_pass(&self, code: crate::auth::Password) -> Result<AppStatus, KioskError> {
        self.ask(|reply| Msg::GuestPass(code, reply)).await
    }

    /// The person did something (pointer, key, touch, wheel, text input). Never blocks; if the
    /// manager is busy the report is dropped, which can only make the session end sooner.
    pub fn activity(&self) {
        let _ = self.tx.try_send(Msg::Activity);
    }

    /// Audio, or video in view, is playing in the session's browser now (the shell reports it
    /// every second while it plays). Where `media_counts_as_use` is on, this holds the idle
    /// deadline for [`super::due::MEDIA_LEASE`]; never the time limit. Never blocks; a dropped
    /// report can only make the session end sooner.
    pub fn media_playing(&self) {
        let _ = self.tx.try_send(Msg::MediaPlaying);
    }

    /// "Stay signed in" in the idle warning.
    pub async fn stay(&self) -> Result<AppStatus, KioskError> {
        self.ask(Msg::Stay).await
    }

    /// The session's one extension, asked for from the warning before it ends.
    pub async fn extend(&self) -> Result<AppStatus, KioskError> {
        self.ask(Msg::Extend).await
    }

    /// The person's answer to the acceptable-use page (`language`: the text they read).
    pub async fn answer_acceptable_use(
        &self,
        accept: bool,
        language: Option<String>,
    ) -> Result<AppStatus, KioskError> {
        self.ask(|reply| Msg::AnswerAcceptableUse {
            accept,
            language,
            reply,
        })
        .await
    }

    /// The person signs out (after confirming, in the UI).
    pub async fn sign_out(&self) -> Result<AppStatus, KioskError> {
        self.ask(Msg::SignOut).await
    }

    /// Leaves the signed-out screen for the sign-in screen.
    pub async fn dismiss(&self) -> Result<AppStatus, KioskError> {
        self.ask(Msg::Dismiss).await
    }

    /// The grant of the administrator whose session is live (the request counts as activity),
    /// or [`KioskError::NotAdministrator`]: the gate of every administrator command.
    pub async fn admin(&self) -> Result<AdminGrant, KioskError> {
        self.ask(Msg::Admin).await
    }

    /// Ends the live session for `reason` (administrators, sleep).
    pub async fn end(&self, reason: EndReason) -> Result<AppStatus, KioskError> {
        self.ask(|reply| Msg::End(reason, reply)).await
    }

    /// The live session's files ("My files").
    pub async fn files(&self) -> Result<Vec<SessionFile>, KioskError> {
        self.ask(Msg::Files).await
    }

    /// The live session's browser, if it has one: what it may open and where downloads go.
    pub async fn browsing(&self) -> Result<Option<Browsing>, KioskError> {
        self.ask(Msg::Browsing).await
    }

    /// Deletes one of the live session's files; returns the files left.
    pub async fn delete_file(&self, name: String) -> Result<Vec<SessionFile>, KioskError> {
        self.ask(|reply| Msg::DeleteFile(name, reply)).await
    }

    /// Sets a display preference of the live session.
    pub async fn set_preference(
        &self,
        key: String,
        value: String,
    ) -> Result<AppStatus, KioskError> {
        self.ask(|reply| Msg::SetPreference(key, value, reply))
            .await
    }

    /// Waits until the manager has finished what it was doing (an ending, a wipe).
    pub async fn settled(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Ping(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Re-reads the database (after first-run setup, a settings change, or `slatectl` through
    /// the service), and ends the live session at once if an administrator asked to.
    pub fn refresh(&self) {
        let _ = self.tx.try_send(Msg::Refresh);
    }

    /// A surface that could not be wiped may be reachable now (the kiosk's screen has come
    /// back): if a failed wipe keeps the terminal closed, try it again at once.
    pub fn retry_wipes_now(&self) {
        let _ = self.tx.try_send(Msg::RetryWipesNow);
    }

    /// Ends any live session with `Shutdown` and stops the manager.
    pub async fn shutdown(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Shutdown(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

/// The live session's browser, for the shell that hosts it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Browsing {
    /// The session it belongs to (a new session is a new browser).
    pub session_id: String,
    pub plan: BrowserPlan,
    /// My files: where downloads land and uploads come from.
    pub folder: std::path::PathBuf,
    /// How much the session may download, and the free space its downloads leave.
    pub downloads: DownloadLimits,
    /// Whether its pages may print (the `printing` setting).
    pub printing: bool,
}

/// Proof that an administrator's session is live at this terminal. Only the session manager makes
/// one ([`SessionHandle::admin`]); every request of the administrator panel needs it, and the
/// changes it makes are audited as that administrator's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminGrant {
    username: String,
}

impl AdminGrant {
    pub(super) fn new(username: String) -> Self {
        Self { username }
    }

    /// The administrator signed in at the terminal.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Who the audit names for changes made under this grant.
    pub fn actor(&self) -> Actor {
        Actor::Admin {
            username: self.username.clone(),
        }
    }
}
