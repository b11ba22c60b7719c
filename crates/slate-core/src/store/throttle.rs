//! The `signin_throttle` table: consecutive failed sign-ins per name, known or not, keyed by a
//! salted digest so the table never holds what someone typed. How long to wait is computed in
//! [`crate::auth`]; when to lock is decided in [`crate::kiosk`].

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use super::{Store, StoreError};
use crate::auth::Username;
use crate::clock::{from_db, to_db};

impl Store {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The digest is the table's key, so it must not change under the rows already there: pinned
    /// as sha2 0.10 computed it (Python's `hashlib` agrees).
    #[test]
    fn a_names_digest_is_stable() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("slate.db")).unwrap();
        s.set_meta("throttle_salt", "00112233445566778899aabbccddeeff")
            .unwrap();
        assert_eq!(
            s.throttle_digest("ana").unwrap(),
            "1d50908d154a0e1561ae5af6ba1f5673ac7e4b0e1ea6e964d09544cdc1a87810"
        );
    }
}
