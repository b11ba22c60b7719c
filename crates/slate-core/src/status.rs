//! The terminal at a glance, read in one place for the two that show it: `slatectl status` and
//! the administrator panel's Terminal section. This module owns the facts (the terminal's name,
//! the policy files and their problems, the last wipe, the audit head, whether the terminal is
//! ready, in use or needs attention); each surface says them in its own words.

use std::sync::Arc;

use crate::kiosk::{Kiosk, KioskError};
use crate::phrase::Phrase;
use crate::policy::Policy;
use crate::records::SessionRecord;

/// What both surfaces show about the terminal.
#[derive(Debug, Clone)]
pub struct TerminalStatus {
    /// This terminal's name as the audit records it.
    pub terminal_name: String,
    /// The data folder in use.
    pub data_dir: String,
    /// The policy in force (re-read first if one of its files changed), with its problems.
    pub policy: Arc<Policy>,
    /// The session that ended last, with its wipe result.
    pub last_session: Option<SessionRecord>,
    /// The newest audit record's place in the chain (unverified); `None` while the log is empty.
    pub audit_head: Option<AuditHead>,
}

/// The newest audit record: its sequence number and MAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    pub mac: String,
}

impl std::fmt::Display for AuditHead {
    /// As `slatectl audit anchor` prints it: `SEQ:MAC`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.mac)
    }
}

/// How the last ended session was wiped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastWipe<'a> {
    /// When the session ended (UTC, RFC 3339).
    pub ended_at: Option<&'a str>,
    /// Why it ended, as stored (`user`, `idle`, …).
    pub reason: Option<&'static str>,
    /// Whether the wipe was complete and re-checked.
    pub complete: bool,
}

impl TerminalStatus {
    /// Reads the facts. The policy is read first, so the terminal name follows a changed file.
    pub fn read(kiosk: &Kiosk) -> Result<Self, KioskError> {
        let policy = kiosk.policy()?;
        Ok(Self {
            terminal_name: kiosk.terminal(),
            data_dir: kiosk.data_dir().path().display().to_string(),
            policy,
            last_session: kiosk.last_ended_session()?,
            audit_head: kiosk.audit_head()?.map(|r| AuditHead {
                seq: r.seq,
                mac: r.mac,
            }),
        })
    }

    /// The keys the policy files set, in order.
    pub fn policy_keys(&self) -> Vec<String> {
        self.policy.layer.values.keys().cloned().collect()
    }

    /// The policy files read, in order, in one line ("a, b"); `None` without one.
    pub fn policy_files(&self) -> Option<String> {
        Some(self.policy.files.join(", ")).filter(|f| !f.is_empty())
    }

    /// The last ended session's wipe; `None` before the first session ends.
    pub fn last_wipe(&self) -> Option<LastWipe<'_>> {
        self.last_session.as_ref().map(|s| LastWipe {
            ended_at: s.ended_at.as_deref(),
            reason: s.end_reason.map(crate::api::EndReason::as_str),
            complete: s.erased == Some(true),
        })
    }
}

/// Whether the terminal can be used now. Reading it re-checks the database (integrity, schema),
/// so it is kept apart from [`TerminalStatus`], which the panel reads often.
#[derive(Debug, Clone)]
pub struct Availability {
    /// Whether an administrator exists.
    pub set_up: bool,
    /// The session open now, if any.
    pub live_session: Option<SessionRecord>,
    /// Why the terminal must not be used (a wipe failed and has not yet succeeded on retry).
    pub needs_attention: Option<Phrase>,
}

/// The terminal's state in one word, the first that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State<'a> {
    NeedsAttention(&'a Phrase),
    InUse(&'a SessionRecord),
    NotSetUp,
    Ready,
}

impl State<'_> {
    /// The state in one word, as `slatectl status --json` and the metrics name it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::NeedsAttention(_) => "needs_attention",
            Self::InUse(_) => "in_use",
            Self::NotSetUp => "not_set_up",
            Self::Ready => "ready",
        }
    }
}

impl Availability {
    /// Re-checks the database, then reads the open session and any failed wipe.
    pub fn read(kiosk: &Kiosk) -> Result<Self, KioskError> {
        let set_up = kiosk.check()?.set_up;
        Ok(Self {
            set_up,
            live_session: kiosk.open_sessions()?.into_iter().next(),
            needs_attention: kiosk.needs_attention()?,
        })
    }

    /// Needs attention, else in use, else not set up, else ready.
    pub fn state(&self) -> State<'_> {
        match (&self.needs_attention, &self.live_session, self.set_up) {
            (Some(why), _, _) => State::NeedsAttention(why),
            (None, Some(s), _) => State::InUse(s),
            (None, None, false) => State::NotSetUp,
            (None, None, true) => State::Ready,
        }
    }
}
