//! Who may sign in: a person's credentials checked against the account sources in their order
//! (Slate's own accounts, a directory, the machine's accounts, a library's catalogue system),
//! with throttling and answers that take as long for an unknown name as for a wrong password;
//! and guests where the settings allow them.

use super::{lock, Kiosk, KioskError};
use crate::accounts::{Account, Role, Source};
use crate::api::{SessionKind, SourceTest, SourceVerdict};
use crate::audit::{Actor, AuditEvent, Event, SignInFailure};
use crate::auth::{
    cooldown, hash_password, name_verdict, needs_rehash, terminal_wait, verify_dummy,
    verify_password, NameVerdict, Password, ThrottleKey, ThrottleRules, Username, PASSWORD_MAX,
};
use crate::clock::Moment;
use crate::phrase::Phrase;
use crate::settings::Settings;
use crate::sources::{self, sip2, Answer, Person, Steps};
use crate::store::{NameThrottle, Store, ThrottleScope};
use crate::store_error::StoreError;
use serde_json::json;
use std::time::Duration;

/// Who may start a session: what [`Kiosk::authenticate`] and [`Kiosk::guest`] hand to the
/// session manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub display_name: String,
    pub kind: SessionKind,
    /// The username as its source spells it; `None` for a guest.
    pub username: Option<String>,
    /// Where the account comes from; `None` for a guest.
    pub source: Option<Source>,
    /// The patron type or group its source gave, for the usage statistics.
    pub group: Option<String>,
    /// The guest pass it signed in with, if it did (a guest with the pass's own minutes).
    pub pass: Option<PassTicket>,
}

impl Identity {
    /// A guest: no name, no source; with the guest pass it came in with, if any.
    pub fn guest(pass: Option<PassTicket>) -> Self {
        Self {
            display_name: "Guest".to_owned(),
            kind: SessionKind::Guest,
            username: None,
            source: None,
            group: None,
            pass,
        }
    }
}

/// A guest pass that let someone in: which, and its minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassTicket {
    pub id: i64,
    pub allowance: Duration,
}

/// How many recent refusals set the time every refusal takes ([`Kiosk::even_out`]).
pub(super) const RECENT_REFUSALS: usize = 16;

/// Who the sources found, if anyone.
enum Found {
    Local(Account),
    Directory(Source, Person),
    /// The right password, but the source bars the person now (the name as typed: it is known to
    /// be theirs), and says why.
    Barred(Source, String, Phrase),
    /// Nobody; and the first source that could not answer, if one could not.
    Nobody(Option<(Source, Phrase)>),
}

impl Kiosk {
    /// Checks a person's credentials: who they are, or why not.
    ///
    /// A wrong username and a wrong password give the same error and take about the same time
    /// (an unknown name is checked against a dummy hash, and a failure is one transaction
    /// either way). Throttling ([`crate::auth`]'s rules) applies per name whether or not the
    /// account exists, and per terminal over all names; an attempt refused by a wait is not
    /// checked at all. During a name's cool-down an attempt is checked but only an
    /// administrator's right password is accepted; everyone else, right password or wrong,
    /// hears the same "try again in …". Disabled and locked accounts say so only after a
    /// correct password.
    pub fn authenticate(
        &self,
        username: &str,
        password: &Password,
    ) -> Result<Identity, KioskError> {
        let _gate = lock(&self.signin_gate);
        match self.authenticate_gated(username, password) {
            // The room's accounts cannot be asked (its database is away, refuses this
            // terminal, or has another schema): as for a directory that is away, the person
            // hears that sign-in is not available, and nothing counts as a failure. Staff find
            // the reason in the audit and the log.
            Err(KioskError::Store(e @ (StoreError::RoomAway(_) | StoreError::Room(_)))) => {
                tracing::warn!("sign-in refused: {e}");
                self.record_now(AuditEvent::new(
                    Event::SourceUnavailable,
                    json!({ "source": Source::Local, "reason": e.to_string() }),
                ))?;
                Err(KioskError::SourceUnavailable)
            }
            other => other,
        }
    }

    fn authenticate_gated(
        &self,
        username: &str,
        password: &Password,
    ) -> Result<Identity, KioskError> {
        let parsed = Username::parse(username).ok();
        let attempt = self.attempt(username, parsed.as_ref(), ThrottleScope::Shared)?;
        let verdict = self.throttle_gate(&attempt)?;
        let checking = std::time::Instant::now();
        let found = Self::find(&attempt, username, password);
        let admin = match &found {
            Found::Local(a) => a.role == Role::Admin,
            Found::Directory(_, p) => p.admin,
            Found::Barred(..) | Found::Nobody(_) => false,
        };
        let store = lock(&self.store);
        let found = match (found, verdict) {
            (Found::Nobody(Some((source, why))), NameVerdict::Check) => {
                // No source said yes, one could not answer: the person is told sign-in is not
                // available, and nothing counts as a failure.
                drop(store);
                tracing::warn!("sign-in source {} unavailable: {why}", source.as_str());
                self.record_now(AuditEvent::new(
                    Event::SourceUnavailable,
                    json!({ "source": source, "reason": why.to_string() }),
                ))?;
                return Err(KioskError::SourceUnavailable);
            }
            (Found::Barred(source, name, why), NameVerdict::Check) => {
                // Said only after the right password; not a failure of the password.
                let details = json!({ "reason": SignInFailure::Barred, "source": source });
                self.record(
                    &store,
                    AuditEvent::new(Event::SignInFailed, details).user(Some(&name)),
                )?;
                return Err(KioskError::Barred(why));
            }
            (found @ (Found::Local(_) | Found::Directory(..)), NameVerdict::Check) => found,
            (found, NameVerdict::Cooling(_)) if admin => found,
            (_, verdict) => {
                let failure = failed(SignInFailure::BadCredentials, attempt.account.as_ref());
                let refusal = self.refuse(&store, &attempt, verdict, failure)?;
                drop(store);
                self.even_out(checking.elapsed());
                return Err(refusal);
            }
        };
        let identity = match found {
            Found::Local(account) => {
                if !account.enabled {
                    self.record(&store, failed(SignInFailure::Disabled, Some(&account)))?;
                    return Err(KioskError::Disabled);
                }
                if account.locked {
                    self.record(&store, failed(SignInFailure::Locked, Some(&account)))?;
                    return Err(KioskError::Locked);
                }
                if needs_rehash(&account.password_hash) {
                    let name = parsed.as_ref().expect("a matched account has a valid name");
                    store.set_password_hash(name, &hash_password(password), attempt.now.wall)?;
                }
                Identity {
                    display_name: account.display_name,
                    kind: match account.role {
                        Role::Admin => SessionKind::Admin,
                        Role::User => SessionKind::User,
                    },
                    username: Some(account.username),
                    source: Some(Source::Local),
                    group: None,
                    pass: None,
                }
            }
            Found::Directory(source, person) => Identity {
                display_name: person.display_name,
                kind: if person.admin {
                    SessionKind::Admin
                } else {
                    SessionKind::User
                },
                username: Some(person.username),
                source: Some(source),
                group: person.group,
                pass: None,
            },
            Found::Barred(..) | Found::Nobody(_) => unreachable!("refused above"),
        };
        // A name with no failures has nothing to clear: no write (in a room, no round trip).
        if attempt.previous.is_some() {
            store.throttle_clear(attempt.scope, &attempt.digest)?;
        }
        Ok(identity)
    }

    /// Ends a library patron's session at the catalogue system (SIP2 message 35); a failure is
    /// logged, never in the way (the session has ended and been wiped either way).
    pub fn end_patron_session(&self, patron: &str) {
        let result = self.settings().map_err(|e| e.to_string()).and_then(|s| {
            sip2::end_patron_session(&s.sip2, s.source_timeout, patron, local_now())
                .map_err(|why| why.to_string())
        });
        if let Err(why) = result {
            tracing::warn!("the catalogue system was not told the session ended: {why}");
        }
    }

    /// Asks each source of `signin_sources` in turn; the first that lets the person in decides.
    /// Slate's own accounts cost one hash whether or not the name is one (a dummy hash
    /// otherwise), so their answer takes as long either way.
    fn find(attempt: &Attempt, typed: &str, password: &Password) -> Found {
        let mut unavailable = None;
        for source in &attempt.settings.signin_sources {
            match source {
                Source::Local => {
                    // One hash whatever happens: a password too long to be anyone's still costs
                    // the dummy one, as an unknown name does.
                    let matched = match &attempt.account {
                        Some(a) if password.chars() <= PASSWORD_MAX => {
                            verify_password(password, &a.password_hash)
                        }
                        _ => {
                            verify_dummy(password);
                            false
                        }
                    };
                    if let (true, Some(a)) = (matched, &attempt.account) {
                        return Found::Local(a.clone());
                    }
                }
                Source::Ldap | Source::Pam | Source::Sip2 => {
                    let answer = sources::ask(
                        *source,
                        &attempt.settings,
                        typed,
                        password,
                        &mut Steps::off(),
                    );
                    match answer {
                        Answer::Accepted(person) => return Found::Directory(*source, person),
                        Answer::Barred(why) => {
                            return Found::Barred(*source, typed.trim().to_owned(), why)
                        }
                        Answer::Refused => {}
                        Answer::Unavailable(why) => {
                            unavailable.get_or_insert((*source, why));
                        }
                    }
                }
            }
        }
        Found::Nobody(unavailable)
    }

    /// Keeps refusals equally slow whatever the source and the reason: a refusal that took
    /// less than the slowest of the last few waits out the difference. A directory that says
    /// "no such person" faster than "wrong password" so tells nobody which names it knows.
    fn even_out(&self, took: Duration) {
        let floor = {
            let mut recent = lock(&self.recent_refusals);
            let floor = recent.iter().copied().max().unwrap_or(Duration::ZERO);
            if recent.len() == RECENT_REFUSALS {
                recent.pop_front();
            }
            recent.push_back(took);
            floor
        };
        if let Some(wait) = floor.checked_sub(took) {
            std::thread::sleep(wait);
        }
    }

    /// Everything about an attempt known before its password is looked at.
    pub(super) fn attempt(
        &self,
        typed: &str,
        parsed: Option<&Username>,
        scope: ThrottleScope,
    ) -> Result<Attempt, KioskError> {
        let now = self.clock.moment();
        let name_key = parsed.map_or_else(|| typed.trim().to_lowercase(), |u| u.key().to_owned());
        let settings = self.settings()?;
        let rules = settings.throttle_rules();
        let key = match scope {
            ThrottleScope::Shared => self.throttle_key()?,
            ThrottleScope::Terminal => self.terminal_throttle_key()?,
        };
        let digest = key.digest(&name_key);
        let store = lock(&self.store);
        let account = match parsed {
            Some(u) => store.find_account(u)?,
            None => None,
        };
        let previous = store.throttle_state(scope, &digest, &now)?;
        let recent = store
            .recent_failures(&now)?
            .iter()
            .map(|m| m.age_at(&now))
            .collect();
        Ok(Attempt {
            now,
            settings,
            rules,
            scope,
            digest,
            account,
            previous,
            recent,
        })
    }

    /// The throttle's answer before the password is checked: the terminal's wait, then the
    /// name's. A refusal here is recorded, and the password never looked at.
    pub(super) fn throttle_gate(&self, a: &Attempt) -> Result<NameVerdict, KioskError> {
        let terminal = terminal_wait(&a.recent, &a.rules);
        if !terminal.is_zero() {
            self.record_now(failed(SignInFailure::TerminalThrottled, a.account.as_ref()))?;
            return Err(KioskError::Throttled(terminal));
        }
        let verdict = a.previous.as_ref().map_or(NameVerdict::Check, |p| {
            name_verdict(
                p.failures,
                p.last_failure.age_at(&a.now),
                p.last_attempt.age_at(&a.now),
                &a.rules,
            )
        });
        if let NameVerdict::Wait(left) = verdict {
            self.record_now(failed(SignInFailure::Throttled, a.account.as_ref()))?;
            return Err(KioskError::Throttled(left));
        }
        Ok(verdict)
    }

    /// Records a checked attempt that does not sign in, in one transaction (one disk flush)
    /// whatever the name and the password, so that neither shows in the time it takes; returns
    /// what to answer. During a cool-down, right or wrong, the same answer: "try again in …".
    pub(super) fn refuse(
        &self,
        store: &Store,
        a: &Attempt,
        verdict: NameVerdict,
        failure: AuditEvent,
    ) -> Result<KioskError, KioskError> {
        // The terminal's limit is reached by this failure: said once in the audit.
        let inside = a
            .recent
            .iter()
            .filter(|age| **age < a.rules.terminal_window)
            .count();
        let reaches_limit =
            inside + 1 == usize::try_from(a.rules.terminal_limit).unwrap_or(usize::MAX);
        let limit = a.rules.terminal_limit;
        store.atomically(|store| {
            let answer = if let NameVerdict::Cooling(left) = verdict {
                store.throttle_checked(a.scope, &a.digest, &a.now, limit)?;
                self.record(
                    store,
                    failed(SignInFailure::CoolingDown, a.account.as_ref()),
                )?;
                KioskError::Throttled(left)
            } else {
                let failures = store.throttle_fail(a.scope, &a.digest, &a.now, limit)?;
                self.record(store, failure)?;
                if failures % a.rules.cooldown_after.max(1) == 0 {
                    let minutes = cooldown(failures, a.rules.cooldown_after).as_secs() / 60;
                    let details = json!({ "failures": failures, "minutes": minutes });
                    self.record(
                        store,
                        named(Event::SignInCooldown, details, a.account.as_ref()),
                    )?;
                }
                KioskError::BadCredentials
            };
            if reaches_limit {
                let details = json!({
                    "failures": limit,
                    "window_secs": a.rules.terminal_window.as_secs(),
                });
                self.record(store, AuditEvent::new(Event::SignInRateLimited, details))?;
            }
            Ok(answer)
        })
    }

    /// The key the throttle's names are stored under, derived from the audit key (nobody signs
    /// in while that cannot be used), or the room's.
    pub(super) fn throttle_key(&self) -> Result<ThrottleKey, KioskError> {
        // In a room, names are counted the same on every terminal: under the room's key.
        if let Some(room) = &self.room {
            return Ok(ThrottleKey::new(room.throttle_key()?));
        }
        self.terminal_throttle_key()
    }

    /// The key this terminal's own counts are kept under, derived from the audit key.
    pub(super) fn terminal_throttle_key(&self) -> Result<ThrottleKey, KioskError> {
        Ok(ThrottleKey::new(
            self.audit_key()?.derive(ThrottleKey::LABEL),
        ))
    }

    /// An administrator's test of `source` with a name and a password: what the source did, step
    /// by step, by the settings in force (whether or not `signin_sources` lists the source yet).
    /// Nothing is counted and no session starts; the test is audited with the name tested,
    /// never the password.
    pub fn test_source(
        &self,
        by: &Actor,
        source: Source,
        name: &str,
        password: &Password,
    ) -> Result<SourceTest, KioskError> {
        let name = name.trim();
        if source == Source::Local {
            return Err(KioskError::InvalidRequest(Phrase::new(
                "Slate's own accounts need no test: the Users section lists them.",
            )));
        }
        if name.is_empty() || password.expose().is_empty() {
            return Err(KioskError::InvalidRequest(Phrase::new(
                "Type the name and the password to test the source with.",
            )));
        }
        let settings = self.settings()?;
        let mut steps = Steps::on();
        let answer = sources::ask(source, &settings, name, password, &mut steps);
        let (verdict, outcome) = match answer {
            Answer::Accepted(p) if p.admin => (
                SourceVerdict::Accepted,
                Phrase::new("{name} may sign in here, as an administrator.").text("name", p.username),
            ),
            Answer::Accepted(p) => (
                SourceVerdict::Accepted,
                Phrase::new("{name} may sign in here.").text("name", p.username),
            ),
            Answer::Refused => (
                SourceVerdict::Refused,
                Phrase::new(
                    "{name} may not sign in: the sign-in screen would say the name or the password is wrong.",
                )
                .text("name", name),
            ),
            Answer::Barred(why) => (
                SourceVerdict::Barred,
                Phrase::new("The password is right, but the sign-in screen would say: {why}")
                    .phrase("why", why),
            ),
            Answer::Unavailable(_) => (
                SourceVerdict::Unavailable,
                Phrase::new(
                    "The source cannot be used: the sign-in screen would say sign-in is not available.",
                ),
            ),
        };
        let details = json!({
            "by": by.to_string(),
            "source": source,
            "tested": name,
            "verdict": verdict,
        });
        self.record_now(AuditEvent::new(Event::SourceTested, details))?;
        Ok(SourceTest {
            source,
            verdict,
            steps: steps.into_steps(),
            outcome,
        })
    }

    /// A guest, when the settings allow guests.
    pub fn guest(&self) -> Result<Identity, KioskError> {
        let settings = self.settings()?;
        if !settings.guests_allowed {
            return Err(KioskError::GuestsNotAllowed);
        }
        self.guests_now(&settings)?;
        Ok(Identity::guest(None))
    }

    /// In a room with `guests_when_room_away` off: a guest may start a session only while the
    /// room answers (otherwise "Sign-in is not available right now; please ask staff.").
    pub(super) fn guests_now(&self, settings: &Settings) -> Result<(), KioskError> {
        match &self.room {
            Some(room) if !settings.guests_when_room_away => room.reachable().map_err(|e| {
                tracing::warn!("a guest was turned away: {e}");
                KioskError::SourceUnavailable
            }),
            _ => Ok(()),
        }
    }
}

/// A sign-in attempt as the throttle sees it, before its password is checked.
pub(super) struct Attempt {
    now: Moment,
    pub(super) settings: Settings,
    rules: ThrottleRules,
    /// Whose count the name is in.
    pub(super) scope: ThrottleScope,
    /// The typed name's key under the throttle key.
    pub(super) digest: String,
    /// The account the name is, if any.
    account: Option<Account>,
    previous: Option<NameThrottle>,
    /// How long ago the terminal's recent failures were.
    recent: Vec<Duration>,
}

/// A `sign_in_failed` record (see [`named`]).
fn failed(reason: SignInFailure, account: Option<&Account>) -> AuditEvent {
    named(Event::SignInFailed, json!({ "reason": reason }), account)
}

/// A record about a name someone typed: the account's name when the name is an account,
/// otherwise only that it was unknown (never what was typed: it may be a password typed into
/// the wrong field).
fn named(event: Event, mut details: serde_json::Value, account: Option<&Account>) -> AuditEvent {
    if let Some(a) = account {
        return AuditEvent::new(event, details).user(Some(&a.username));
    }
    details["unknown_user"] = json!(true);
    AuditEvent::new(event, details)
}

/// Now, as the catalogue system's transaction dates want it (local time).
fn local_now() -> chrono::DateTime<chrono::Local> {
    chrono::Local::now()
}
