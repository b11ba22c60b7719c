//! Who may sign in: a person's credentials checked with throttling and a constant-time answer
//! for unknown names, and guests where the settings allow them.

use super::{lock, Kiosk, KioskError};
use crate::accounts::{Account, Role};
use crate::api::SessionKind;
use crate::audit::{AuditEvent, Event, SignInFailure};
use crate::auth::{
    backoff, hash_password, needs_rehash, verify_dummy, verify_password, Password, Username,
    PASSWORD_MAX,
};
use serde_json::json;
use std::time::Duration;

/// Who may start a session: what [`Kiosk::authenticate`] and [`Kiosk::guest`] hand to the
/// session manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub display_name: String,
    pub kind: SessionKind,
    /// The account's username; `None` for a guest.
    pub username: Option<String>,
}

impl Kiosk {
    /// Checks a person's credentials: who they are, or why not.
    ///
    /// A wrong username and a wrong password give the same error and take about the same time
    /// (an unknown name is checked against a dummy hash). Throttling applies per name whether or
    /// not the account exists, and a throttled attempt is not checked at all. Disabled and locked
    /// accounts say so only after a correct password.
    pub fn authenticate(
        &self,
        username: &str,
        password: &Password,
    ) -> Result<Identity, KioskError> {
        let _gate = lock(&self.signin_gate);
        let now = self.clock.now_utc();
        let parsed = Username::parse(username).ok();
        let name_key = parsed
            .as_ref()
            .map_or_else(|| username.trim().to_lowercase(), |u| u.key().to_owned());
        let settings = self.settings()?;
        let (digest, account, previous) = {
            let store = lock(&self.store);
            let digest = store.throttle_digest(&name_key)?;
            let account = match &parsed {
                Some(u) => store.find_account(u)?,
                None => None,
            };
            let previous = store.throttle_state(&digest)?;
            (digest, account, previous)
        };
        if let Some((failures, last)) = previous {
            let wait = backoff(failures, settings.signin_backoff_cap);
            // A wall clock set back must not shorten the wait: count from now in that case.
            let since = (now - last).to_std().unwrap_or(Duration::ZERO);
            if let Some(left) = wait.checked_sub(since).filter(|d| !d.is_zero()) {
                self.record_now(failed(SignInFailure::Throttled, account.as_ref()))?;
                return Err(KioskError::Throttled(left));
            }
        }

        let matches = match &account {
            Some(a) if password.chars() <= PASSWORD_MAX => {
                verify_password(password, &a.password_hash)
            }
            _ => {
                verify_dummy(password);
                false
            }
        };

        let store = lock(&self.store);
        let account = match account {
            Some(a) if matches => a,
            unmatched => {
                // One transaction (one disk flush) whether or not the name exists, so a failure for
                // a real account takes no longer than one for a made-up name.
                let lock_name = unmatched
                    .as_ref()
                    .filter(|a| !a.locked)
                    .and(parsed.as_ref());
                store.atomically(|store| {
                    let failures = store.record_failure(
                        &digest,
                        now,
                        lock_name,
                        settings.signin_lock_after,
                    )?;
                    self.record(
                        store,
                        failed(SignInFailure::BadCredentials, unmatched.as_ref()),
                    )?;
                    if lock_name.is_some() && failures >= settings.signin_lock_after {
                        self.record(
                            store,
                            AuditEvent::new(Event::AccountLocked, json!({ "failures": failures }))
                                .user(unmatched.as_ref().map(|a| a.username.as_str())),
                        )?;
                    }
                    Ok::<(), KioskError>(())
                })?;
                return Err(KioskError::BadCredentials);
            }
        };
        if !account.enabled {
            self.record(&store, failed(SignInFailure::Disabled, Some(&account)))?;
            return Err(KioskError::Disabled);
        }
        if account.locked {
            self.record(&store, failed(SignInFailure::Locked, Some(&account)))?;
            return Err(KioskError::Locked);
        }
        store.throttle_clear(&digest)?;
        if needs_rehash(&account.password_hash) {
            let name = parsed.as_ref().expect("a matched account has a valid name");
            store.set_password_hash(name, &hash_password(password), now)?;
        }
        Ok(Identity {
            display_name: account.display_name,
            kind: match account.role {
                Role::Admin => SessionKind::Admin,
                Role::User => SessionKind::User,
            },
            username: Some(account.username),
        })
    }

    /// A guest, when the settings allow guests.
    pub fn guest(&self) -> Result<Identity, KioskError> {
        if !self.settings()?.guests_allowed {
            return Err(KioskError::GuestsNotAllowed);
        }
        Ok(Identity {
            display_name: "Guest".to_owned(),
            kind: SessionKind::Guest,
            username: None,
        })
    }
}

/// A `sign_in_failed` record: the account's name when the name is an account, otherwise only
/// that it was unknown (never what was typed: it may be a password typed into the wrong field).
fn failed(reason: SignInFailure, account: Option<&Account>) -> AuditEvent {
    match account {
        Some(a) => AuditEvent::new(Event::SignInFailed, json!({ "reason": reason }))
            .user(Some(&a.username)),
        None => AuditEvent::new(
            Event::SignInFailed,
            json!({ "reason": reason, "unknown_user": true }),
        ),
    }
}
