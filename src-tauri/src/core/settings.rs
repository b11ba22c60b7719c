//! Settings: every key with its type, default, bounds and one-line description, kept in one place
//! ([`SETTINGS`]) from which validation and `slatectl config` help come. Administrator values
//! live in the `settings` table; anything not set there takes its default.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::clock::to_db;
use super::store::{Store, StoreError};

/// The kind of value a setting holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `true` or `false`.
    Bool,
    /// A whole number of seconds, between the bounds.
    Seconds { min: u64, max: u64 },
    /// A whole number, between the bounds.
    Count { min: u64, max: u64 },
}

/// One setting's definition.
#[derive(Debug, Clone, Copy)]
pub struct SettingDef {
    pub key: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    pub description: &'static str,
}

/// Every setting Slate knows.
pub const SETTINGS: &[SettingDef] = &[
    SettingDef {
        key: "guests_allowed",
        kind: Kind::Bool,
        default: "false",
        description: "Whether the sign-in screen offers \"Continue as guest\".",
    },
    SettingDef {
        key: "signin_backoff_cap",
        kind: Kind::Seconds { min: 1, max: 3600 },
        default: "900",
        description: "Longest wait, in seconds, between failed sign-ins to one name (the wait doubles from 1 s).",
    },
    SettingDef {
        key: "signin_lock_after",
        kind: Kind::Count { min: 3, max: 50 },
        default: "10",
        description: "Consecutive failed sign-ins after which an account locks until an administrator unlocks it.",
    },
];

/// Why a setting cannot be changed. One sentence each.
#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    #[error("There is no setting called {0:?}; `slatectl config list` shows them all.")]
    Unknown(String),
    #[error("{key} must be true or false, not {value:?}.")]
    NotBool { key: String, value: String },
    #[error("{key} must be a whole number from {min} to {max}, not {value:?}.")]
    OutOfBounds {
        key: String,
        value: String,
        min: u64,
        max: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The definition of `key`.
pub fn definition(key: &str) -> Option<&'static SettingDef> {
    SETTINGS.iter().find(|d| d.key == key)
}

/// Checks `value` for `def` and returns its canonical text.
pub fn validate(def: &SettingDef, value: &str) -> Result<String, SettingError> {
    let v = value.trim();
    match def.kind {
        Kind::Bool => match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok("true".into()),
            "false" | "no" | "off" | "0" => Ok("false".into()),
            _ => Err(SettingError::NotBool {
                key: def.key.into(),
                value: value.into(),
            }),
        },
        Kind::Seconds { min, max } | Kind::Count { min, max } => match v.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            _ => Err(SettingError::OutOfBounds {
                key: def.key.into(),
                value: value.into(),
                min,
                max,
            }),
        },
    }
}

/// The settings in force, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub guests_allowed: bool,
    pub signin_backoff_cap: Duration,
    pub signin_lock_after: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            guests_allowed: false,
            signin_backoff_cap: Duration::from_secs(900),
            signin_lock_after: 10,
        }
    }
}

impl Store {
    /// The administrator's value for `key`, if one is stored.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The value in force for `key`: the stored one when it is still valid, else the default.
    pub fn effective_setting(&self, def: &SettingDef) -> Result<String, StoreError> {
        Ok(self
            .setting(def.key)?
            .and_then(|v| validate(def, &v).ok())
            .unwrap_or_else(|| def.default.to_owned()))
    }

    /// Validates and stores a setting; returns (old, new) values in force.
    pub fn set_setting(
        &self,
        key: &str,
        value: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, String), SettingError> {
        let def = definition(key).ok_or_else(|| SettingError::Unknown(key.to_owned()))?;
        let new = validate(def, value)?;
        let old = self.effective_setting(def)?;
        self.conn()
            .execute(
                "INSERT INTO settings (key, value, changed_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at",
                params![key, new, to_db(now)],
            )
            .map_err(StoreError::from)?;
        Ok((old, new))
    }

    /// All settings in force, typed. A stored value that is no longer valid falls back to the
    /// default, so a bad row never leaves the kiosk without throttling.
    pub fn settings(&self) -> Result<Settings, StoreError> {
        let get = |key: &str| -> Result<String, StoreError> {
            let def = definition(key).expect("a known setting");
            self.effective_setting(def)
        };
        let d = Settings::default();
        Ok(Settings {
            guests_allowed: get("guests_allowed")? == "true",
            signin_backoff_cap: get("signin_backoff_cap")?
                .parse()
                .map_or(d.signin_backoff_cap, Duration::from_secs),
            signin_lock_after: get("signin_lock_after")?
                .parse()
                .unwrap_or(d.signin_lock_after),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_agree_with_the_definitions() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("slate.db")).unwrap();
        assert_eq!(s.settings().unwrap(), Settings::default());
        for def in SETTINGS {
            assert_eq!(
                validate(def, def.default).unwrap(),
                def.default,
                "{}",
                def.key
            );
        }
    }

    #[test]
    fn values_are_validated_and_bad_ones_change_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("slate.db")).unwrap();
        let now = Utc::now();
        assert_eq!(
            s.set_setting("guests_allowed", "yes", now).unwrap(),
            ("false".into(), "true".into())
        );
        assert!(s.settings().unwrap().guests_allowed);
        let err = s.set_setting("signin_lock_after", "500", now).unwrap_err();
        assert_eq!(
            err.to_string(),
            "signin_lock_after must be a whole number from 3 to 50, not \"500\"."
        );
        assert!(s.set_setting("signin_lock_after", "-1", now).is_err());
        assert!(s.set_setting("guests_allowed", "maybe", now).is_err());
        assert!(matches!(
            s.set_setting("idle", "1", now),
            Err(SettingError::Unknown(_))
        ));
        assert_eq!(s.settings().unwrap().signin_lock_after, 10);
    }

    #[test]
    fn an_invalid_stored_value_falls_back_to_the_default() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("slate.db")).unwrap();
        s.conn()
            .execute(
                "INSERT INTO settings VALUES ('signin_backoff_cap', 'forever', '')",
                [],
            )
            .unwrap();
        assert_eq!(
            s.settings().unwrap().signin_backoff_cap,
            Duration::from_secs(900)
        );
    }
}
