//! Slate's own accounts as administrators manage them: first-run setup, add, remove, enable,
//! password, unlock; each change audited with who made it, and the last administrator kept.

use super::{lock, Kiosk, KioskError};
use crate::accounts::{Account, AccountSummary, DailyTime, Role};
use crate::audit::{Actor, AuditEvent, Event};
use crate::auth::{
    backoff, hash_password, name_verdict, CredentialError, NameVerdict, Password, Username,
};
use crate::phrase::Phrase;
use crate::store::{Store, StoreError, ThrottleScope};
use serde_json::json;
use std::time::Duration;

impl Kiosk {
    /// First-run setup: creates the first administrator. Refused once any administrator exists,
    /// so the public can never use this to make themselves one.
    pub fn create_first_admin(
        &self,
        by: &Actor,
        username: &str,
        display_name: &str,
        password: &Password,
    ) -> Result<AccountSummary, KioskError> {
        let (username, display_name) = checked_new_account(username, display_name, password)?;
        if lock(&self.store).has_admin()? {
            return Err(KioskError::AlreadySetUp);
        }
        let hash = hash_password(password);
        let now = self.clock.now_utc();
        self.created(
            by,
            &username,
            json!({ "role": "admin", "first_run": true }),
            |store| store.create_first_admin(&username, &display_name, &hash, now),
        )?
        .ok_or(KioskError::AlreadySetUp)
    }

    /// Adds an account (administrators, from `slatectl`).
    pub fn add_user(
        &self,
        by: &Actor,
        username: &str,
        display_name: &str,
        role: Role,
        password: &Password,
    ) -> Result<AccountSummary, KioskError> {
        let (username, display_name) = checked_new_account(username, display_name, password)?;
        let hash = hash_password(password);
        let now = self.clock.now_utc();
        self.created(by, &username, json!({ "role": role }), |store| {
            store.create_account(&username, &display_name, role, &hash, now)
        })?
        .ok_or_else(|| KioskError::UserExists(username.to_string()))
    }

    /// Inserts an account with `insert` and audits its creation in the same transaction;
    /// `None` when `insert` created nothing.
    fn created(
        &self,
        by: &Actor,
        username: &Username,
        details: serde_json::Value,
        insert: impl FnOnce(&Store) -> Result<Option<Account>, StoreError>,
    ) -> Result<Option<AccountSummary>, KioskError> {
        let store = lock(&self.store);
        let created = store.atomically(|store| {
            let created = insert(store)?;
            if created.is_some() {
                self.user_event(by, store, Event::UserCreated, username.as_str(), details)?;
            }
            Ok::<_, KioskError>(created)
        })?;
        Ok(created.map(AccountSummary::from))
    }

    /// Every account.
    /// Each account with its failed sign-ins and, while they make it wait, until when.
    pub fn list_users(&self) -> Result<Vec<AccountSummary>, KioskError> {
        let now = self.clock.moment();
        let rules = self.settings()?.throttle_rules();
        let store = lock(&self.store);
        let mut accounts = store.list_accounts()?;
        // Without the audit key nobody signs in, and no failure is counted: nothing to show.
        let Ok(key) = self.throttle_key() else {
            return Ok(accounts);
        };
        for a in &mut accounts {
            // A stored name is a valid one; its key is what sign-in digests.
            let name_key = Username::parse(&a.username)
                .map(|u| u.key().to_owned())
                .unwrap_or_default();
            let Some(t) =
                store.throttle_state(ThrottleScope::Shared, &key.digest(&name_key), &now)?
            else {
                continue;
            };
            a.failed_sign_ins = t.failures;
            let since_attempt = t.last_attempt.age_at(&now);
            let wait = match name_verdict(
                t.failures,
                t.last_failure.age_at(&now),
                since_attempt,
                &rules,
            ) {
                // An administrator waits only for the back-off, never for a cool-down.
                NameVerdict::Wait(_) if a.role == Role::Admin => {
                    backoff(t.failures, rules.backoff_cap).saturating_sub(since_attempt)
                }
                NameVerdict::Wait(d) => d,
                NameVerdict::Cooling(d) if a.role != Role::Admin => d,
                NameVerdict::Cooling(_) | NameVerdict::Check => Duration::ZERO,
            };
            a.paused_until = (!wait.is_zero())
                .then(|| chrono::Duration::from_std(wait).ok().map(|w| now.wall + w))
                .flatten();
        }
        Ok(accounts)
    }

    /// Removes an account. The last administrator who can sign in cannot be removed (checked
    /// inside the removing transaction, so two removals at once cannot leave none).
    pub fn remove_user(&self, by: &Actor, username: &str) -> Result<(), KioskError> {
        let (username, _) = self.existing(username)?;
        lock(&self.store).atomically(|store| {
            keep_an_administrator(store, &username)?;
            store.remove_account(&username)?;
            self.user_event(by, store, Event::UserRemoved, username.as_str(), json!({}))?;
            Ok::<(), KioskError>(())
        })?;
        self.request_end(by, Some(username.as_str()))?;
        Ok(())
    }

    /// Sets a new password (checked like any new password).
    pub fn set_password(
        &self,
        by: &Actor,
        username: &str,
        password: &Password,
    ) -> Result<(), KioskError> {
        let (username, _) = self.existing(username)?;
        password.check_new(&username)?;
        let hash = hash_password(password);
        lock(&self.store).atomically(|store| {
            store.set_password_hash(&username, &hash, self.clock.now_utc())?;
            self.user_event(
                by,
                store,
                Event::PasswordChanged,
                username.as_str(),
                json!({}),
            )
        })?;
        // A password change ends that user's live session at once.
        self.request_end(by, Some(username.as_str()))?;
        Ok(())
    }

    /// Enables or disables an account. The last administrator who can sign in cannot be disabled.
    pub fn set_user_enabled(
        &self,
        by: &Actor,
        username: &str,
        enabled: bool,
    ) -> Result<(), KioskError> {
        let (username, _) = self.existing(username)?;
        let store = lock(&self.store);
        store.atomically(|store| {
            if !enabled {
                keep_an_administrator(store, &username)?;
            }
            store.set_enabled(&username, enabled)?;
            let event = if enabled {
                Event::UserEnabled
            } else {
                Event::UserDisabled
            };
            self.user_event(by, store, event, username.as_str(), json!({}))?;
            Ok::<(), KioskError>(())
        })?;
        drop(store);
        if !enabled {
            self.request_end(by, Some(username.as_str()))?;
        }
        Ok(())
    }

    /// Sets a person's own daily time from how an administrator writes it: a duration ("90m",
    /// between a minute and a day), `off` (no daily limit) or `default` (the terminal's
    /// `daily_allowance`). Audited; applies from their next session.
    pub fn set_daily_time(
        &self,
        by: &Actor,
        username: &str,
        written: &str,
    ) -> Result<DailyTime, KioskError> {
        let daily = parse_daily_time(written)?;
        let (username, _) = self.existing(username)?;
        let store = lock(&self.store);
        store.atomically(|store| {
            store.set_daily_time(&username, daily)?;
            let said = match daily {
                DailyTime::AsSet => "default".to_owned(),
                DailyTime::Unlimited => "off".to_owned(),
                DailyTime::Limit { secs } => crate::duration::compact(secs),
            };
            self.user_event(
                by,
                store,
                Event::DailyTimeChanged,
                username.as_str(),
                json!({ "daily": said }),
            )
        })?;
        Ok(daily)
    }

    /// Unlocks an account and forgets its failed sign-ins.
    pub fn unlock_user(&self, by: &Actor, username: &str) -> Result<(), KioskError> {
        let (username, _) = self.existing(username)?;
        let digest = self.throttle_key()?.digest(username.key());
        let store = lock(&self.store);
        store.atomically(|store| {
            store.set_locked(&username, false)?;
            store.throttle_clear(ThrottleScope::Shared, &digest)?;
            self.user_event(by, store, Event::UserUnlocked, username.as_str(), json!({}))
        })?;
        Ok(())
    }

    /// An administrator's change to an account, with who made it.
    pub(super) fn user_event(
        &self,
        by: &Actor,
        store: &Store,
        event: Event,
        username: &str,
        mut details: serde_json::Value,
    ) -> Result<(), KioskError> {
        details["by"] = json!(by.to_string());
        self.record(store, AuditEvent::new(event, details).user(Some(username)))
    }

    pub(super) fn existing(&self, username: &str) -> Result<(Username, Account), KioskError> {
        let name = Username::parse(username)
            .map_err(|_| KioskError::NoSuchUser(username.trim().to_owned()))?;
        let account = lock(&self.store)
            .find_account(&name)?
            .ok_or_else(|| KioskError::NoSuchUser(name.to_string()))?;
        Ok((name, account))
    }
}

/// Checks a new account's fields; the display name defaults to the username.
pub fn checked_new_account(
    username: &str,
    display_name: &str,
    password: &Password,
) -> Result<(Username, String), KioskError> {
    let username = Username::parse(username)?;
    password.check_new(&username)?;
    let display_name = display_name.trim();
    if display_name.chars().any(char::is_control) || display_name.chars().count() > 128 {
        return Err(CredentialError::DisplayName.into());
    }
    let display_name = if display_name.is_empty() {
        username.as_str().to_owned()
    } else {
        display_name.to_owned()
    };
    Ok((username, display_name))
}

/// Refuses (inside the caller's transaction) to take away `username` when it is the last
/// enabled administrator: without one, the next start would offer first-run setup to anyone.
fn keep_an_administrator(store: &Store, username: &Username) -> Result<(), KioskError> {
    let account = store
        .find_account(username)?
        .ok_or_else(|| KioskError::NoSuchUser(username.to_string()))?;
    if account.role == Role::Admin && account.enabled && store.count_enabled_admins()? <= 1 {
        return Err(KioskError::LastAdmin(account.username));
    }
    Ok(())
}

/// A daily time as an administrator writes it (see [`Kiosk::set_daily_time`]).
fn parse_daily_time(written: &str) -> Result<DailyTime, KioskError> {
    let text = written.trim().to_ascii_lowercase();
    match text.as_str() {
        "" | "default" => return Ok(DailyTime::AsSet),
        "off" | "none" | "unlimited" => return Ok(DailyTime::Unlimited),
        _ => {}
    }
    let (min, max) = DailyTime::BOUNDS;
    match crate::duration::parse(&text) {
        Ok(secs) if (min..=max).contains(&secs) => Ok(DailyTime::Limit { secs }),
        _ => Err(KioskError::InvalidRequest(
            Phrase::new(
                "{value} is not a daily time: write a duration from 1 minute to 24 hours (90m), off for no daily limit, or default for this terminal's.",
            )
            .text("value", written.trim()),
        )),
    }
}
