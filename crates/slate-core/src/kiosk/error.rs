//! [`KioskError`]: why the kiosk refused or failed, as one sentence for a person. Each variant
//! says its sentence as a [`Phrase`] (English template plus pieces, for the UI to say in the
//! person's language); the English `Display` is that phrase filled in, so a new variant cannot
//! make the two call each other.

use std::fmt;
use std::time::Duration;

use crate::api::{ErrorCode, IpcError};
use crate::audit::{AuditError, KeyProblem};
use crate::auth::CredentialError;
use crate::datadir::DataDirError;
use crate::duration;
use crate::phrase::Phrase;
use crate::settings::SettingError;
use crate::store::StoreError;

/// Why the kiosk refused or failed.
#[derive(Debug)]
pub enum KioskError {
    DataDir(DataDirError),
    Store(StoreError),
    Setting(SettingError),
    Credential(CredentialError),
    BadCredentials,
    Throttled(Duration),
    /// No source let the person in, and a directory could not answer: nothing was counted.
    SourceUnavailable,
    /// The right password, but the source bars the person now (an expired library card…).
    Barred(Phrase),
    /// The person may not start a session now: the terminal is closed, or their time for the
    /// day is used up (the phrase says until when).
    NotNow(Phrase),
    Locked,
    Disabled,
    GuestsNotAllowed,
    /// A guest-pass code that cannot sign in (unknown, used, revoked or out of date: one
    /// sentence for all, so a guess learns nothing).
    PassRefused,
    AlreadySetUp,
    NoSuchUser(String),
    UserExists(String),
    LastAdmin(String),
    SessionActive,
    NoSession,
    NotAdministrator,
    Stopped,
    NeedsAttention(Phrase),
    /// A request the kiosk cannot carry out as asked (a preference or file that does not exist).
    InvalidRequest(Phrase),
    Audit(AuditError),
}

impl KioskError {
    /// The sentence with its pieces, for the UI to say in the person's language.
    pub fn phrase(&self) -> Phrase {
        match self {
            // The lower layers' own sentences.
            Self::DataDir(e) => Phrase::plain(e.to_string()),
            Self::Store(e) => Phrase::plain(e.to_string()),
            Self::Audit(AuditError::Key(problem)) => problem.phrase(),
            Self::Audit(e) => Phrase::plain(e.to_string()),
            Self::Credential(e) => Phrase::plain(e.to_string()),
            Self::Setting(e) => e.phrase(),
            Self::BadCredentials => Phrase::new("Wrong username or password."),
            Self::SourceUnavailable => {
                Phrase::new("Sign-in is not available right now; please ask staff.")
            }
            Self::Barred(why) | Self::NotNow(why) => why.clone(),
            Self::Throttled(wait) => Phrase::new("Too many attempts. Try again in {wait}.")
                .seconds("wait", duration::said_wait(*wait)),
            Self::Locked => Phrase::new(
                "This account is locked after too many failed sign-ins. Ask a member of staff to unlock it.",
            ),
            Self::Disabled => Phrase::new("This account is disabled. Ask a member of staff."),
            Self::GuestsNotAllowed => {
                Phrase::new("Guest sign-in is not available on this kiosk.")
            }
            Self::PassRefused => Phrase::new(
                "This guest pass cannot be used: check the code, or ask staff for a new pass. A pass works once, until its last day.",
            ),
            Self::AlreadySetUp => Phrase::new("This kiosk is already set up; sign in instead."),
            Self::NoSuchUser(user) => {
                Phrase::new("There is no user called {user}.").text("user", user)
            }
            Self::UserExists(user) => {
                Phrase::new("There is already a user called {user}.").text("user", user)
            }
            Self::LastAdmin(user) => Phrase::new(
                "{user} is the last administrator who can sign in; add or enable another administrator first.",
            )
            .text("user", user),
            Self::SessionActive => Phrase::new("Someone is already signed in on this kiosk."),
            Self::NoSession => Phrase::new("Nobody is signed in."),
            Self::NotAdministrator => {
                Phrase::new("Only an administrator signed in at this terminal can do that.")
            }
            Self::Stopped => {
                Phrase::new("Slate's session manager has stopped; restart the kiosk.")
            }
            Self::NeedsAttention(why) => {
                Phrase::new("This terminal needs attention: {why} Ask a member of staff.")
                    .phrase("why", why.clone())
            }
            Self::InvalidRequest(p) => p.clone(),
        }
    }

    /// The stable code this error carries across IPC.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::DataDir(_) | Self::Store(_) | Self::Audit(_) => ErrorCode::Storage,
            Self::Setting(_) | Self::Credential(_) | Self::InvalidRequest(_) => {
                ErrorCode::InvalidInput
            }
            Self::BadCredentials | Self::PassRefused => ErrorCode::BadCredentials,
            Self::Throttled(_) => ErrorCode::Throttled,
            Self::SourceUnavailable => ErrorCode::SourceUnavailable,
            Self::Locked => ErrorCode::Locked,
            // A barred library card is, to the screen, an account that may not sign in now.
            Self::Disabled | Self::Barred(_) => ErrorCode::Disabled,
            Self::NotNow(_) => ErrorCode::NotNow,
            Self::GuestsNotAllowed => ErrorCode::GuestsNotAllowed,
            Self::AlreadySetUp => ErrorCode::AlreadySetUp,
            Self::NoSuchUser(_) => ErrorCode::NotFound,
            Self::UserExists(_) => ErrorCode::Conflict,
            Self::LastAdmin(_) | Self::NotAdministrator => ErrorCode::Refused,
            Self::SessionActive | Self::NoSession => ErrorCode::SessionState,
            Self::Stopped => ErrorCode::Internal,
            Self::NeedsAttention(_) => ErrorCode::NeedsAttention,
        }
    }
}

/// The phrase in English. One wording differs from the template filled in: a wait is spoken
/// ("2 seconds", as the screens say it) where a phrase's English writes durations compactly.
impl fmt::Display for KioskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Throttled(wait) => write!(
                f,
                "Too many attempts. Try again in {}.",
                duration::spoken_wait(*wait)
            ),
            other => other.phrase().fmt(f),
        }
    }
}

impl std::error::Error for KioskError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::DataDir(e) => Some(e),
            Self::Store(e) => Some(e),
            Self::Setting(e) => Some(e),
            Self::Credential(e) => Some(e),
            Self::Audit(e) => Some(e),
            _ => None,
        }
    }
}

macro_rules! from_layer {
    ($($variant:ident($error:ty)),* $(,)?) => {
        $(impl From<$error> for KioskError {
            fn from(e: $error) -> Self {
                Self::$variant(e)
            }
        })*
    };
}

/// A key that cannot be used is an audit failure like any other.
impl From<KeyProblem> for KioskError {
    fn from(e: KeyProblem) -> Self {
        Self::Audit(AuditError::Key(e))
    }
}

from_layer!(
    DataDir(DataDirError),
    Store(StoreError),
    Setting(SettingError),
    Credential(CredentialError),
    Audit(AuditError),
);

impl From<KioskError> for IpcError {
    fn from(e: KioskError) -> Self {
        let retry_after_secs = match &e {
            KioskError::Throttled(wait) => Some(duration::ceil_secs(*wait)),
            _ => None,
        };
        Self {
            code: e.code(),
            message: e.to_string(),
            phrase: e.phrase(),
            retry_after_secs,
        }
    }
}
