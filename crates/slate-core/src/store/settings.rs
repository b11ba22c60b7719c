//! The `settings` table: the administrator's value of each key; and, for a terminal in a
//! room, the room's values that apply to it, kept in `meta` as the room last gave them (so they
//! hold while the room is away). Which value is in force, and whether a change is allowed, is
//! decided in [`crate::settings`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::clock::to_db;
use crate::room::settings::RoomValue;
use crate::settings::{self, Effective, PolicyLayer, SettingError, Settings, Stored};

/// The `meta` key the room's values are kept under (JSON: key → [`RoomValue`]).
const ROOM_VALUES: &str = "room_settings";

impl Store {
    /// The administrator's value for `key`, if one is stored (on this terminal's own: a
    /// terminal in a room keeps the value it had before it joined, unused).
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The value kept below the policy for `key`: in a room, the room's (as last read), else
    /// the administrator's.
    fn stored_setting(
        &self,
        key: &str,
        room: Option<&BTreeMap<String, RoomValue>>,
    ) -> Result<Option<Stored>, StoreError> {
        Ok(match room {
            Some(values) => values.get(key).map(|v| Stored {
                value: v.value.clone(),
                layer: v.scope.layer(),
                group: v.group.clone(),
            }),
            None => self.setting(key)?.map(Stored::local),
        })
    }

    /// The room's values that apply here, as the room last gave them (empty before the first
    /// time, or when what is kept cannot be read: the defaults apply, never a half).
    pub fn room_values(&self) -> Result<BTreeMap<String, RoomValue>, StoreError> {
        Ok(self
            .meta(ROOM_VALUES)?
            .and_then(|text| match serde_json::from_str(&text) {
                Ok(values) => Some(values),
                Err(e) => {
                    tracing::warn!("the room's settings kept here cannot be read ({e})");
                    None
                }
            })
            .unwrap_or_default())
    }

    /// Keeps the room's values that apply here.
    pub fn keep_room_values(&self, values: &BTreeMap<String, RoomValue>) -> Result<(), StoreError> {
        let text = serde_json::to_string(values).map_err(|e| StoreError::Room(e.to_string()))?;
        self.set_meta(ROOM_VALUES, &text)
    }

    /// Every setting's value in force and its layer. A stored value that is no longer valid
    /// is skipped (the default applies), so a bad row never leaves the kiosk without a timeout.
    pub fn effective_settings(&self, policy: &PolicyLayer) -> Result<Vec<Effective>, StoreError> {
        let room = self.in_room().then(|| self.room_values()).transpose()?;
        settings::effective(policy, |key| self.stored_setting(key, room.as_ref()))
    }

    /// What would be in force with `values` for the room's: to check them before keeping them.
    pub fn effective_with(
        &self,
        policy: &PolicyLayer,
        values: &BTreeMap<String, RoomValue>,
    ) -> Result<Vec<Effective>, StoreError> {
        settings::effective(policy, |key| self.stored_setting(key, Some(values)))
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
