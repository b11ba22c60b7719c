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
    /// 0 (off), or a whole number of seconds between the bounds.
    SecondsOrOff { min: u64, max: u64 },
    /// Comma-separated seconds, each between the bounds (stored largest first).
    SecondsList { min: u64, max: u64 },
    /// Free text of at most this many characters, no control characters.
    Text { max_chars: usize },
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
        key: "idle_timeout",
        kind: Kind::Seconds { min: 30, max: 86_400 },
        default: "300",
        description: "Seconds without activity after which a session ends (30 s to 24 h).",
    },
    SettingDef {
        key: "idle_warning",
        kind: Kind::Seconds { min: 20, max: 86_399 },
        default: "60",
        description: "Seconds before an idle ending at which the warning appears; less than idle_timeout.",
    },
    SettingDef {
        key: "time_limit",
        kind: Kind::SecondsOrOff { min: 60, max: 86_400 },
        default: "0",
        description: "Longest session in seconds, 0 for none (1 min to 24 h); activity does not extend it.",
    },
    SettingDef {
        key: "time_limit_warnings",
        kind: Kind::SecondsList { min: 10, max: 86_400 },
        default: "300,60",
        description: "Seconds before the time limit at which to warn, comma-separated.",
    },
    SettingDef {
        key: "signed_out_screen",
        kind: Kind::Seconds { min: 0, max: 120 },
        default: "10",
        description: "Seconds the signed-out screen shows before the sign-in screen (0 to 120).",
    },
    SettingDef {
        key: "signed_out_message",
        kind: Kind::Text { max_chars: 200 },
        default: "Thank you for using this terminal.",
        description: "A line of your own on the signed-out screen (empty for none).",
    },
    SettingDef {
        key: "audit_retention_days",
        kind: Kind::SecondsOrOff { min: 1, max: 36_500 },
        default: "365",
        description: "Days the audit log keeps its records, 0 to keep them forever (pruning keeps the chain verifiable).",
    },
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
    #[error("{key} must be 0 (off) or a whole number from {min} to {max}, not {value:?}.")]
    OutOfBoundsOrOff {
        key: String,
        value: String,
        min: u64,
        max: u64,
    },
    #[error("{key} must be whole numbers from {min} to {max} separated by commas, not {value:?}.")]
    BadList {
        key: String,
        value: String,
        min: u64,
        max: u64,
    },
    #[error("{key} can have at most {max_chars} characters and no line breaks.")]
    BadText { key: String, max_chars: usize },
    #[error("idle_warning ({warning} s) must be less than idle_timeout ({timeout} s).")]
    WarningNotBeforeTimeout { warning: u64, timeout: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The definition of `key`.
pub fn definition(key: &str) -> Option<&'static SettingDef> {
    SETTINGS.iter().find(|d| d.key == key)
}

/// Debug builds only: with `SLATE_TEST_SHORT_BOUNDS=1`, the session timings accept seconds instead
/// of minutes so end-to-end tests can watch an idle ending. Release builds do not contain this.
#[cfg(debug_assertions)]
fn kind_of(def: &SettingDef) -> Kind {
    if std::env::var_os("SLATE_TEST_SHORT_BOUNDS").is_some() {
        match (def.key, def.kind) {
            ("idle_timeout", Kind::Seconds { max, .. }) => return Kind::Seconds { min: 2, max },
            ("idle_warning", Kind::Seconds { max, .. }) => return Kind::Seconds { min: 1, max },
            ("time_limit", Kind::SecondsOrOff { max, .. }) => {
                return Kind::SecondsOrOff { min: 2, max }
            }
            ("time_limit_warnings", Kind::SecondsList { max, .. }) => {
                return Kind::SecondsList { min: 1, max }
            }
            _ => {}
        }
    }
    def.kind
}

#[cfg(not(debug_assertions))]
fn kind_of(def: &SettingDef) -> Kind {
    def.kind
}

/// Checks `value` for `def` and returns its canonical text.
pub fn validate(def: &SettingDef, value: &str) -> Result<String, SettingError> {
    let v = value.trim();
    let out_of_bounds = |min, max| SettingError::OutOfBounds {
        key: def.key.into(),
        value: value.into(),
        min,
        max,
    };
    match kind_of(def) {
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
            _ => Err(out_of_bounds(min, max)),
        },
        Kind::SecondsOrOff { min, max } => match v.parse::<u64>() {
            Ok(0) => Ok("0".into()),
            Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            _ => Err(SettingError::OutOfBoundsOrOff {
                key: def.key.into(),
                value: value.into(),
                min,
                max,
            }),
        },
        Kind::SecondsList { min, max } => {
            let mut list = Vec::new();
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match part.parse::<u64>() {
                    Ok(n) if (min..=max).contains(&n) => list.push(n),
                    _ => {
                        return Err(SettingError::BadList {
                            key: def.key.into(),
                            value: value.into(),
                            min,
                            max,
                        })
                    }
                }
            }
            list.sort_unstable_by(|a, b| b.cmp(a));
            list.dedup();
            Ok(list
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(","))
        }
        Kind::Text { max_chars } => {
            if v.chars().count() > max_chars || v.chars().any(char::is_control) {
                Err(SettingError::BadText {
                    key: def.key.into(),
                    max_chars,
                })
            } else {
                Ok(v.to_owned())
            }
        }
    }
}

/// The settings in force, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub guests_allowed: bool,
    pub signin_backoff_cap: Duration,
    pub signin_lock_after: u32,
    pub idle_timeout: Duration,
    pub idle_warning: Duration,
    /// `None`: no time limit.
    pub time_limit: Option<Duration>,
    /// Largest first.
    pub time_limit_warnings: Vec<Duration>,
    pub signed_out_screen: Duration,
    pub signed_out_message: String,
    /// `None`: keep the audit log forever.
    pub audit_retention_days: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            guests_allowed: false,
            signin_backoff_cap: Duration::from_secs(900),
            signin_lock_after: 10,
            idle_timeout: Duration::from_secs(300),
            idle_warning: Duration::from_secs(60),
            time_limit: None,
            time_limit_warnings: vec![Duration::from_secs(300), Duration::from_secs(60)],
            signed_out_screen: Duration::from_secs(10),
            signed_out_message: "Thank you for using this terminal.".into(),
            audit_retention_days: Some(365),
        }
    }
}

fn secs(text: &str, fallback: Duration) -> Duration {
    text.parse().map_or(fallback, Duration::from_secs)
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
        // The warning must come before the ending it warns of.
        let current = self.settings()?;
        let (warning, timeout) = match key {
            "idle_warning" => (secs(&new, current.idle_warning), current.idle_timeout),
            "idle_timeout" => (current.idle_warning, secs(&new, current.idle_timeout)),
            _ => (Duration::ZERO, Duration::MAX),
        };
        if warning >= timeout {
            return Err(SettingError::WarningNotBeforeTimeout {
                warning: warning.as_secs(),
                timeout: timeout.as_secs(),
            });
        }
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
        let idle_timeout = secs(&get("idle_timeout")?, d.idle_timeout);
        let mut idle_warning = secs(&get("idle_warning")?, d.idle_warning);
        if idle_warning >= idle_timeout {
            // Only reachable by editing the database by hand: warn at half the timeout.
            idle_warning = idle_timeout / 2;
        }
        Ok(Settings {
            guests_allowed: get("guests_allowed")? == "true",
            signin_backoff_cap: secs(&get("signin_backoff_cap")?, d.signin_backoff_cap),
            signin_lock_after: get("signin_lock_after")?
                .parse()
                .unwrap_or(d.signin_lock_after),
            idle_timeout,
            idle_warning,
            time_limit: Some(secs(&get("time_limit")?, Duration::ZERO)).filter(|d| !d.is_zero()),
            time_limit_warnings: get("time_limit_warnings")?
                .split(',')
                .filter_map(|p| p.parse().ok())
                .map(Duration::from_secs)
                .collect(),
            signed_out_screen: secs(&get("signed_out_screen")?, d.signed_out_screen),
            signed_out_message: get("signed_out_message")?,
            audit_retention_days: get("audit_retention_days")?
                .parse::<u32>()
                .ok()
                .filter(|d| *d > 0),
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
    fn session_timings_are_bounded_and_consistent() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("slate.db")).unwrap();
        let now = Utc::now();
        assert!(s.set_setting("idle_timeout", "29", now).is_err());
        assert!(s.set_setting("idle_timeout", "86401", now).is_err());
        let err = s.set_setting("idle_timeout", "60", now).unwrap_err();
        assert_eq!(
            err.to_string(),
            "idle_warning (60 s) must be less than idle_timeout (60 s)."
        );
        s.set_setting("idle_warning", "20", now).unwrap();
        s.set_setting("idle_timeout", "30", now).unwrap();
        assert!(s.set_setting("idle_warning", "19", now).is_err());
        assert!(s.set_setting("time_limit", "59", now).is_err());
        s.set_setting("time_limit", "3600", now).unwrap();
        assert_eq!(
            s.set_setting("time_limit_warnings", " 60, 600,60", now)
                .unwrap()
                .1,
            "600,60"
        );
        assert!(s.set_setting("time_limit_warnings", "60,abc", now).is_err());
        assert!(s.set_setting("signed_out_screen", "121", now).is_err());
        assert!(s
            .set_setting("signed_out_message", "two\nlines", now)
            .is_err());
        let got = s.settings().unwrap();
        assert_eq!(got.idle_timeout, Duration::from_secs(30));
        assert_eq!(got.idle_warning, Duration::from_secs(20));
        assert_eq!(got.time_limit, Some(Duration::from_secs(3600)));
        assert_eq!(
            got.time_limit_warnings,
            [Duration::from_secs(600), Duration::from_secs(60)]
        );
        s.set_setting("time_limit", "0", now).unwrap();
        assert_eq!(s.settings().unwrap().time_limit, None);
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
