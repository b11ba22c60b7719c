//! Account sources other than Slate's own accounts: directories that check a name and a
//! password and say who the person is ([`Answer::Accepted`]), that they will not let this one
//! in ([`Answer::Refused`]: unknown, wrong password, not in the group, all alike), or that they
//! cannot answer now ([`Answer::Unavailable`]). Which sources are tried, and in what order, is
//! the `signin_sources` setting; trying them, throttling, keeping failures equally slow and
//! auditing are [`crate::kiosk`]'s. No source's password, PIN or hash is ever kept by Slate.
//!
//! - [`ldap`]: OpenLDAP or Active Directory, simple bind over LDAPS or StartTLS.

pub mod ldap;

use crate::phrase::Phrase;

/// A person a source let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The name as the source spells it (`uid`, `sAMAccountName`), else as typed.
    pub username: String,
    pub display_name: String,
    /// In the source's administrators' group.
    pub admin: bool,
}

/// A source's answer to a name and a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Accepted(Person),
    /// No such person, a wrong password, or not allowed to sign in here: the person hears the
    /// same for each, and it counts as a failed sign-in.
    Refused,
    /// The source did not answer in time, or not as it should (TLS, the service account): the
    /// person is told sign-in is not available; no failure is counted. The phrase is for the
    /// log, the audit and the administrator's "test this source".
    Unavailable(Phrase),
}
