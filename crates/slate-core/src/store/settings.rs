//! The `settings` table: the administrator's value of each key. Which value is in force, and
//! whether a change is allowed, is decided in [`crate::settings`].

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::clock::to_db;
use crate::settings::{self, Effective, PolicyLayer, SettingError, Settings};

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

    /// Every setting's value in force and its layer. A stored value that is no longer valid
    /// is skipped (the default applies), so a bad row never leaves the kiosk without a timeout.
    pub fn effective_settings(&self, policy: &PolicyLayer) -> Result<Vec<Effective>, StoreError> {
        settings::effective(policy, |key| self.setting(key))
    }

    /// All settings in force, typed.
    pub fn settings(&self, policy: &PolicyLayer) -> Result<Settings, StoreError> {
        Ok(Settings::from_effective(&self.effective_settings(policy)?))
    }

    /// Validates and stores an administrator value (`None` removes it, so the default applies);
    /// refuses a key the policy sets. Returns the (old, new) values in force.
    pub fn set_setting(
        &self,
        key: &str,
        value: Option<&str>,
        now: DateTime<Utc>,
        policy: &PolicyLayer,
    ) -> Result<(String, String), SettingError> {
        let (old, new) =
            settings::check_change(key, value, policy, || self.effective_settings(policy))?;
        match value {
            Some(_) => self.conn().execute(
                "INSERT INTO settings (key, value, changed_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at",
                params![key, new, to_db(now)],
            ),
            None => self
                .conn()
                .execute("DELETE FROM settings WHERE key = ?1", [key]),
        }
        .map_err(StoreError::from)?;
        Ok((old, new))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

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
            s.settings(&PolicyLayer::default())
                .unwrap()
                .signin_backoff_cap,
            Duration::from_secs(900)
        );
    }
}
