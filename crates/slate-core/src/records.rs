//! Session records: the person using the kiosk now ([`ActiveSession`]), a session as listed
//! ([`SessionRecord`]), and how the stored reasons are spelled. The rows are kept by the store
//! (`store/sessions.rs`); the session manager ([`super::session`]) decides when to write.

use chrono::{DateTime, Utc};

use super::api::{EndReason, SessionKind};
use super::clock::from_db;

/// The person using the kiosk now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveSession {
    /// 128 random bits, hex.
    pub id: String,
    pub display_name: String,
    pub kind: SessionKind,
    /// The account's username (as its source spells it); `None` for a guest.
    pub username: Option<String>,
    /// Where the account comes from; `None` for a guest.
    pub source: Option<crate::accounts::Source>,
    /// The patron type or group its source puts the person in, for the usage statistics
    /// ([`crate::sources::Person::group`]); `None` when it gives none.
    pub group: Option<String>,
    pub started_at: chrono::DateTime<chrono::Utc>,
}

/// A session row as `slatectl session list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionRecord {
    pub id: String,
    pub username: Option<String>,
    /// Where the account came from; `None` for a guest.
    pub source: Option<crate::accounts::Source>,
    pub display_name: String,
    pub kind: SessionKind,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<EndReason>,
    pub duration_ms: Option<i64>,
    /// Whether the wipe at its ending was complete and re-checked (`None` while open).
    pub erased: Option<bool>,
}

impl EndReason {
    /// Every reason.
    pub const ALL: [EndReason; 8] = [
        Self::User,
        Self::Idle,
        Self::TimeLimit,
        Self::DailyAllowance,
        Self::ClosingTime,
        Self::Admin,
        Self::Shutdown,
        Self::Recovered,
    ];

    /// The reason's name, as stored and shown: `user`, `time_limit`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Idle => "idle",
            Self::TimeLimit => "time_limit",
            Self::DailyAllowance => "daily_allowance",
            Self::ClosingTime => "closing_time",
            Self::Admin => "admin",
            Self::Shutdown => "shutdown",
            Self::Recovered => "recovered",
        }
    }
}

/// A username, its last sign-in and its last sign-out (UTC, RFC 3339).
pub type LastSessionTimes = (String, Option<String>, Option<String>);

/// How long a recovered session lasted, from its wall-clock start (the boot clock of a previous
/// run cannot be read after a restart); `None` when the clock went backwards.
pub fn wall_duration_ms(started_at: &str, now: DateTime<Utc>) -> Option<i64> {
    let start = from_db(started_at)?;
    let ms = (now - start).num_milliseconds();
    (ms >= 0).then_some(ms)
}
