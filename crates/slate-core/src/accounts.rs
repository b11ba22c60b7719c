//! Local accounts and the sign-in throttle, as rows in SQLite. This module owns the `users` and
//! `signin_throttle` tables; the decisions (who may sign in, when to lock) are in
//! [`super::kiosk`].

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use super::auth::Username;
use super::clock::{from_db, to_db};
use super::store::{Store, StoreError};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Admin,
}

impl Role {
    fn as_db(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Admin => "admin",
        }
    }

    fn from_db(s: &str) -> Self {
        if s == "admin" {
            Self::Admin
        } else {
            Self::User
        }
    }
}

/// One account row, hash included (it never leaves the core).
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub enabled: bool,
    pub locked: bool,
    pub password_hash: String,
    pub created_at: String,
}

/// An account as listed to administrators: no hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountSummary {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub enabled: bool,
    pub locked: bool,
    pub created_at: String,
}

impl From<Account> for AccountSummary {
    fn from(a: Account) -> Self {
        Self {
            username: a.username,
            display_name: a.display_name,
            role: a.role,
            enabled: a.enabled,
            locked: a.locked,
            created_at: a.created_at,
        }
    }
}

const COLUMNS: &str =
    "id, username, display_name, role, enabled, locked, password_hash, created_at";

fn row_to_account(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: Role::from_db(&r.get::<_, String>(3)?),
        enabled: r.get(4)?,
        locked: r.get(5)?,
        password_hash: r.get(6)?,
        created_at: r.get(7)?,
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
        let inserted = self.conn().execute(
            "INSERT INTO users (username, username_key, display_name, role, password_hash,
                                created_at, password_changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (username_key) DO NOTHING",
            params![
                username.as_str(),
                username.key(),
                display_name,
                role.as_db(),
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
        self.atomically(|s| {
            if s.has_admin()? {
                return Ok(None);
            }
            s.create_account(username, display_name, Role::Admin, password_hash, now)
        })
    }

    /// The account with this username (case-insensitively), if any.
    pub fn find_account(&self, username: &Username) -> Result<Option<Account>, StoreError> {
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
        Ok(self.conn().query_row(
            "SELECT count(*) FROM users WHERE role = 'admin' AND enabled = 1",
            [],
            |r| r.get(0),
        )?)
    }

    /// Removes an account; `false` when there was none.
    pub fn remove_account(&self, username: &Username) -> Result<bool, StoreError> {
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
        Ok(self.conn().execute(
            "UPDATE users SET password_hash = ?2, password_changed_at = ?3 WHERE username_key = ?1",
            params![username.key(), password_hash, to_db(now)],
        )? > 0)
    }

    /// Enables or disables an account; `false` when there is no such account.
    pub fn set_enabled(&self, username: &Username, enabled: bool) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE users SET enabled = ?2 WHERE username_key = ?1",
            params![username.key(), enabled],
        )? > 0)
    }

    /// Locks or unlocks an account; `false` when there is no such account.
    pub fn set_locked(&self, username: &Username, locked: bool) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE users SET locked = ?2 WHERE username_key = ?1",
            params![username.key(), locked],
        )? > 0)
    }

    /// The throttle key for a name: a salted SHA-256 of its case-insensitive form, so that the
    /// table never holds what someone typed (it may be a password typed into the wrong field).
    pub fn throttle_digest(&self, name_key: &str) -> Result<String, StoreError> {
        let salt: String = self.conn().query_row(
            "SELECT value FROM meta WHERE key = 'throttle_salt'",
            [],
            |r| r.get(0),
        )?;
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update([0]);
        h.update(name_key.as_bytes());
        Ok(hex::encode(h.finalize()))
    }

    /// Consecutive failures for a name and when the last one happened.
    pub fn throttle_state(&self, digest: &str) -> Result<Option<(u32, DateTime<Utc>)>, StoreError> {
        let row: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT failures, last_failure_at FROM signin_throttle WHERE name_digest = ?1",
                [digest],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(n, at)| Some((u32::try_from(n).unwrap_or(u32::MAX), from_db(&at)?))))
    }

    /// Records one more failure for a name; returns the new count.
    pub fn throttle_fail(&self, digest: &str, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let n: i64 = self.conn().query_row(
            "INSERT INTO signin_throttle (name_digest, failures, last_failure_at) VALUES (?1, 1, ?2)
             ON CONFLICT (name_digest) DO UPDATE
                SET failures = failures + 1, last_failure_at = excluded.last_failure_at
             RETURNING failures",
            params![digest, to_db(now)],
            |r| r.get(0),
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Records a failed sign-in for a name in one transaction: one more failure, and, when the
    /// count reaches `lock_after` and `account` is given, the account locks. Returns the count.
    pub fn record_failure(
        &self,
        digest: &str,
        now: DateTime<Utc>,
        account: Option<&Username>,
        lock_after: u32,
    ) -> Result<u32, StoreError> {
        self.atomically(|s| {
            let failures = s.throttle_fail(digest, now)?;
            if let Some(name) = account.filter(|_| failures >= lock_after) {
                s.set_locked(name, true)?;
            }
            Ok(failures)
        })
    }

    /// Forgets the failures of a name (after a success, or an administrator's unlock).
    pub fn throttle_clear(&self, digest: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "DELETE FROM signin_throttle WHERE name_digest = ?1",
            [digest],
        )?;
        Ok(())
    }

    /// Drops throttle rows whose last failure is older than `before`, so the table stays small.
    pub fn throttle_prune(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        Ok(self.conn().execute(
            "DELETE FROM signin_throttle WHERE last_failure_at < ?1",
            [to_db(before)],
        )?)
    }
}
