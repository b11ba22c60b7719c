//! The room's settings: values for every terminal, for a group of terminals, or for one
//! terminal, kept in the room's database (`slate.settings`). A terminal reads the values that
//! apply to it, the most particular first for each key ([`Room::my_settings`]), and changes a
//! value for the room, its own group or itself ([`Room::set_setting`]; the keys of the account
//! sources, the audit's destinations and the terminal's name only for itself); an administrator
//! with the database's credentials changes any ([`super::fleet::Fleet::put_setting`]) and lists
//! them all ([`super::fleet::Fleet::settings`]). Values are text
//! here: whether one is good is the settings' own rule ([`crate::settings::validate`]), checked
//! before it is written and again when a terminal reads it.

use serde::{Deserialize, Serialize};

use super::Room;
use crate::api::RoomScope;
use crate::store_error::StoreError;

/// One value of the room's that applies at this terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomValue {
    pub key: String,
    pub value: String,
    pub scope: RoomScope,
    /// The group it is for (scope `Group`).
    pub group: Option<String>,
}

/// One value the room holds, as `slatectl fleet settings` and the desk list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomSettingRow {
    pub scope: RoomScope,
    /// The group's or the terminal's name (`None` for the whole room).
    pub target: Option<String>,
    pub key: String,
    /// As it may be shown (a secret says only that it is set).
    pub value: String,
    pub changed_at: String,
    pub changed_by: Option<String>,
}

pub(super) fn scope_of(text: &str) -> RoomScope {
    // The table's CHECK allows no other; a row that says otherwise is read as the least
    // particular (the room's), never as this terminal's own.
    RoomScope::parse(text).unwrap_or(RoomScope::Room)
}

pub(super) fn rows(rows: &[postgres::Row]) -> Result<Vec<RoomSettingRow>, postgres::Error> {
    rows.iter()
        .map(|r| {
            let target: String = r.try_get(1)?;
            let key: String = r.try_get(2)?;
            let value: String = r.try_get(3)?;
            Ok(RoomSettingRow {
                scope: scope_of(&r.try_get::<_, String>(0)?),
                target: Some(target).filter(|t| !t.is_empty()),
                value: crate::settings::public_value(&key, &value),
                key,
                changed_at: r.try_get(4)?,
                changed_by: r.try_get(5)?,
            })
        })
        .collect()
}

impl Room {
    /// Every value of the room's that applies here: for each key, this terminal's own first,
    /// then its group's, then the room's (the terminal takes the first it can use).
    pub fn my_settings(&self) -> Result<Vec<RoomValue>, StoreError> {
        let found = self.with(|c| {
            c.query(
                "SELECT key, value, scope, target FROM slate.my_settings()",
                &[],
            )
        })?;
        found
            .iter()
            .map(|r| {
                let scope = scope_of(&r.try_get::<_, String>(2)?);
                Ok(RoomValue {
                    key: r.try_get(0)?,
                    value: r.try_get(1)?,
                    group: (scope == RoomScope::Group)
                        .then(|| r.try_get(3))
                        .transpose()?,
                    scope,
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .map_err(super::away)
    }

    /// This terminal's group in the room, if it has one.
    pub fn my_group(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .with(|c| c.query_one("SELECT slate.my_group()", &[]))?
            .get(0))
    }

    /// Sets (`Some`) or removes (`None`) a value for the room, this terminal's group, or this
    /// terminal, recorded in the room with the staff member who did it; each terminal it
    /// concerns is told at once. `false`: there was nothing to remove, or (scope `Group`) this
    /// terminal has no group.
    pub fn set_setting(
        &self,
        scope: RoomScope,
        key: &str,
        value: Option<&str>,
        by_user: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .once(|c| {
                c.query_one(
                    "SELECT slate.set_setting($1, $2, $3, $4)",
                    &[&scope.text(), &key, &value, &by_user],
                )
            })?
            .get(0))
    }
}
