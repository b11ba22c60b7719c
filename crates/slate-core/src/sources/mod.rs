//! Account sources other than Slate's own accounts: directories that check a name and a
//! password and say who the person is ([`Answer::Accepted`]), that they will not let this one
//! in ([`Answer::Refused`]: unknown, wrong password, not in the group, all alike), or that they
//! cannot answer now ([`Answer::Unavailable`]). Which sources are tried, and in what order, is
//! the `signin_sources` setting; trying them, throttling, keeping failures equally slow and
//! auditing are [`crate::kiosk`]'s. No source's password, PIN or hash is ever kept by Slate.
//! Each source can also say what it did step by step ([`Steps`]), for an administrator's "test
//! this source"; a sign-in keeps no steps.
//!
//! - [`ldap`]: OpenLDAP or Active Directory, simple bind over LDAPS or StartTLS.
//! - [`pam`]: the machine's own accounts (PAM, a local group deciding who may).
//! - [`sip2`]: a library's catalogue system, a patron's card number and PIN over SIP2.

pub mod ldap;
pub mod pam;
pub mod sip2;

use crate::accounts::Source;
use crate::api::SourceStep;
use crate::auth::Password;
use crate::phrase::Phrase;
use crate::settings::Settings;

/// A person a source let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The name as the source spells it (`uid`, `sAMAccountName`), else as typed.
    pub username: String,
    pub display_name: String,
    /// In the source's administrators' group.
    pub admin: bool,
    /// The patron type or group the source puts the person in, for the usage statistics only
    /// (a library card's patron class, SIP2's `PC`; the directory attribute
    /// `ldap_group_attribute`): [`group_name`]d. Decides nothing.
    pub group: Option<String>,
}

/// The longest patron type or group kept.
pub const GROUP_MAX_CHARS: usize = 64;

/// A source's patron type or group as the statistics keep it: trimmed, without control
/// characters, at most [`GROUP_MAX_CHARS`]; `None` when nothing is left.
pub fn group_name(raw: &str) -> Option<String> {
    let name: String = raw
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(GROUP_MAX_CHARS)
        .collect();
    let name = name.trim_end().to_owned();
    (!name.is_empty()).then_some(name)
}

/// A source's answer to a name and a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Accepted(Person),
    /// No such person, a wrong password, or not allowed to sign in here: the person hears the
    /// same for each, and it counts as a failed sign-in.
    Refused,
    /// The right password, but the source will not let the person in now (an expired or
    /// blocked library card, fines over the limit): said in its own sentence, which is why it
    /// is said only after the right password; no failure is counted.
    Barred(Phrase),
    /// The source did not answer in time, or not as it should (TLS, the service account): the
    /// person is told sign-in is not available; no failure is counted. The phrase is for the
    /// log, the audit and the administrator's "test this source".
    Unavailable(Phrase),
}

/// Asks `source` whether `name` may sign in with `password`, by the settings in force, noting
/// its steps in `steps`. Slate's own accounts are the kiosk's to check, never asked here.
pub fn ask(
    source: Source,
    s: &Settings,
    name: &str,
    password: &Password,
    steps: &mut Steps,
) -> Answer {
    match source {
        Source::Ldap => ldap::check(&s.ldap, s.source_timeout, name, password, steps),
        Source::Pam => pam::check(&s.pam, name, password, steps),
        Source::Sip2 => sip2::check(
            &s.sip2,
            s.source_timeout,
            name,
            password,
            chrono::Local::now(),
            steps,
        ),
        Source::Local => Answer::Refused,
    }
}

/// What a source did, step by step: kept only for an administrator's test of the source; a
/// sign-in asks with [`Steps::off`], which keeps nothing and makes no sentence.
#[derive(Debug, Default)]
pub struct Steps(Option<Vec<SourceStep>>);

impl Steps {
    /// Keeps nothing (a sign-in).
    pub fn off() -> Self {
        Self(None)
    }

    /// Keeps every step (a test).
    pub fn on() -> Self {
        Self(Some(Vec::new()))
    }

    /// A step that went as a sign-in needs.
    pub fn ok(&mut self, said: impl FnOnce() -> Phrase) {
        self.push(true, said);
    }

    /// A step that keeps the person out (the source's answer says how: refused, barred or
    /// unavailable).
    pub fn failed(&mut self, said: impl FnOnce() -> Phrase) {
        self.push(false, said);
    }

    fn push(&mut self, ok: bool, said: impl FnOnce() -> Phrase) {
        if let Some(steps) = &mut self.0 {
            steps.push(SourceStep { ok, said: said() });
        }
    }

    /// The steps kept, in order.
    pub fn into_steps(self) -> Vec<SourceStep> {
        self.0.unwrap_or_default()
    }
}

/// Where a TLS client's trust comes from, as the steps say it.
fn trusted_by(ca_file: &str) -> Phrase {
    if ca_file.is_empty() {
        Phrase::new("the system's certificate authorities")
    } else {
        Phrase::new("the CA file {file}").text("file", ca_file)
    }
}

/// A TLS client (TLS 1.2 or later, the server's name checked) that trusts only the certificate
/// authority in `ca_file`, or the system's when it is empty. The reason it cannot be made is
/// the end of a sentence, for the source's own `unusable`.
pub(crate) fn tls_connector(ca_file: &str) -> Result<native_tls::TlsConnector, String> {
    let mut tls = native_tls::TlsConnector::builder();
    tls.min_protocol_version(Some(native_tls::Protocol::Tlsv12));
    if !ca_file.is_empty() {
        let pem = std::fs::read(ca_file).map_err(|e| {
            format!(
                "its CA file {ca_file} cannot be read ({})",
                crate::io_words::reason(&e)
            )
        })?;
        let ca = native_tls::Certificate::from_pem(&pem)
            .map_err(|_| format!("its CA file {ca_file} holds no PEM certificate"))?;
        tls.add_root_certificate(ca);
        tls.disable_built_in_roots(true);
    }
    tls.build()
        .map_err(|e| format!("TLS cannot be set up ({e})"))
}
