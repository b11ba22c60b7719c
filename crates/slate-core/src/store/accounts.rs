//! The `users` table: local accounts as rows (or, for a terminal in a room, the room's accounts,
//! through [`crate::room::Room`]). What an account is lives in
//! [`crate::accounts`]; who may sign in is decided in [`crate::kiosk`].

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{sql_text, Store, StoreError};
use crate::accounts::{Account, AccountSummary, DailyTime, Role};
use crate::auth::Username;
use crate::clock::to_db;
use crate::room::AccountChange;

sql_text!(Role {
    User => "user",
    Admin => "admin",
});

const COLUMNS: &str = "id, username, display_name, role, enabled, locked, password_hash, \
                       created_at, daily_allowance_secs";

fn row_to_account(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        enabled: r.get(4)?,
        locked: r.get(5)?,
        password_hash: r.get(6)?,
        created_at: r.get(7)?,
        daily_time: DailyTime::from_column(r.get(8)?),
    })
}

impl Store {
    /// Adds an account. `None` when the username (case-insensitively) is taken.
    pub fn create_account(
        &self,
        username: &Username,
        display_name: &str,
        role: Role,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Account>, StoreError> {
        let now = to_db(now);
        if let Some(room) = &self.room {
            if !room.create_account(username, display_name, role, password_hash, &now, false)? {
                return Ok(None);
            }
            return room.find_account(username);
        }
        let inserted = self.conn().execute(
            "INSERT INTO users (username, username_key, display_name, role, password_hash,
                                created_at, password_changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (username_key) DO NOTHING",
            params![
                username.as_str(),
                username.key(),
                display_name,
                role,
                password_hash,
                now
            ],
        )?;
        if inserted == 0 {
            return Ok(None);
        }
        self.find_account(username)
    }

    /// Creates the first administrator, atomically with the check that there is none yet (the
    /// kiosk's setup screen and `slatectl init` may race). `None` when one exists already.
    pub fn create_first_admin(
        &self,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Account>, StoreError> {
        if let Some(room) = &self.room {
            let at = to_db(now);
            if !room.create_account(
                username,
                display_name,
                Role::Admin,
                password_hash,
                &at,
                true,
            )? {
                return Ok(None);
            }
            return room.find_account(username);
        }
        self.atomically(|s| {
            if s.has_admin()? {
                return Ok(None);
            }
            s.create_account(username, display_name, Role::Admin, password_hash, now)
        })
    }

    /// Whether any administrator account exists (enabled or not); without one the kiosk opens on
    /// its first-run screen.
    pub fn has_admin(&self) -> Result<bool, StoreError> {
        // A room is made with its first administrator (`fleet init`), and its last enabled one
        // cannot be removed: a terminal in a room is set up, whether or not the room answers
        // now (so it shows the sign-in screen, guests' button included, while it is away).
        if self.room.is_some() {
            return Ok(true);
        }
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE role = ?1)",
            [Role::Admin],
            |r| r.get(0),
        )?)
    }

    /// The account with this username (case-insensitively), if any.
    pub fn find_account(&self, username: &Username) -> Result<Option<Account>, StoreError> {
        if let Some(room) = &self.room {
            return room.find_account(username);
        }
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM users WHERE username_key = ?1"),
                [username.key()],
                row_to_account,
            )
            .optional()?)
    }

    /// Every account, by username.
    pub fn list_accounts(&self) -> Result<Vec<AccountSummary>, StoreError> {
        if let Some(room) = &self.room {
            return room.list_accounts();
        }
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM users ORDER BY username_key"
        ))?;
        let rows = stmt.query_map([], row_to_account)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(AccountSummary::from(row?));
        }
        Ok(out)
    }

    /// How many administrators could sign in (enabled).
    pub fn count_enabled_admins(&self) -> Result<i64, StoreError> {
        if let Some(room) = &self.room {
            return room.count_admins(true);
        }
        Ok(self.conn().query_row(
            "SELECT count(*) FROM users WHERE role = ?1 AND enabled = 1",
            [Role::Admin],
            |r| r.get(0),
        )?)
    }

    /// Removes an account; `false` when there was none.
    pub fn remove_account(&self, username: &Username) -> Result<bool, StoreError> {
        if let Some(room) = &self.room {
            return room.change_account(username, &AccountChange::Remove);
        }
        Ok(self.conn().execute(
            "DELETE FROM users WHERE username_key = ?1",
            [username.key()],
        )? > 0)
    }

    /// Replaces an account's password hash; `false` when there is no such account.
    pub fn set_password_hash(
        &self,
        username: &Username,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if let Some(room) = &self.room {
            return room.change_account(
                username,
                &AccountChange::Password {
                    hash: password_hash,
                    at: &to_db(now),
                },
            );
        }
        Ok(self.conn().execute(
            "UPDATE users SET password_hash = ?2, password_changed_at = ?3 WHERE username_key = ?1",
            params![username.key(), password_hash, to_db(now)],
        )? > 0)
    }

    /// Enables or disables an account; `false` when there is no such account.
    pub fn set_enabled(&self, username: &Username, enabled: bool) -> Result<bool, StoreError> {
        if let Some(room) = &self.room {
            return room.change_account(username, &AccountChange::Enabled(enabled));
        }
        Ok(self.conn().execute(
            "UPDATE users SET enabled = ?2 WHERE username_key = ?1",
            params![username.key(), enabled],
        )? > 0)
    }

    /// Sets an account's own daily time; `false` when there is no such account.
    pub fn set_daily_time(
        &self,
        username: &Username,
        daily: DailyTime,
    ) -> Result<bool, StoreError> {
        if let Some(room) = &self.room {
            return room.change_account(username, &AccountChange::DailyTime(daily));
        }
        Ok(self.conn().execute(
            "UPDATE users SET daily_allowance_secs = ?2 WHERE username_key = ?1",
            params![username.key(), daily.to_column()],
        )? > 0)
    }

    /// Locks or unlocks an account; `false` when there is no such account.
    pub fn set_locked(&self, username: &Username, locked: bool) -> Result<bool, StoreError> {
        if let Some(room) = &self.room {
            return room.change_account(username, &AccountChange::Locked(locked));
        }
        Ok(self.conn().execute(
            "UPDATE users SET locked = ?2 WHERE username_key = ?1",
            params![username.key(), locked],
        )? > 0)
    }
}
