//! The room's guest passes: a pass printed at one terminal works at any terminal of the room,
//! once. Kept in `slate.guest_passes` by the digest of its code under the room's pass key
//! ([`Room::pass_key`], derived from the room's throttle key, so every terminal computes the
//! same digest and none keeps a code). A terminal reads one pass by its digest, the list without
//! digests, spends one for its session (recorded with the terminal), and revokes; the SQLite
//! store routes its pass operations here in a room ([`crate::store::Store::find_pass`] and its
//! siblings).

use zeroize::Zeroizing;

use super::Room;
use crate::guest_pass::PassRow;
use crate::store_error::StoreError;

fn pass(r: &postgres::Row) -> Result<PassRow, postgres::Error> {
    Ok(PassRow {
        id: r.try_get(0)?,
        batch: r.try_get(1)?,
        minutes: u32::try_from(r.try_get::<_, i32>(2)?).unwrap_or(0),
        valid_until: r.try_get(3)?,
        created_at: r.try_get(4)?,
        created_by: r.try_get(5)?,
        used_at: r.try_get(6)?,
        session_id: r.try_get(7)?,
        revoked_at: r.try_get(8)?,
    })
}

const COLUMNS: &str =
    "id, batch, minutes, valid_until, created_at, created_by, used_at, session_id, revoked_at";

impl Room {
    /// The key the room's pass codes are kept under: the same at every terminal, derived from
    /// the room's throttle key under its own label (so neither digest tells anything of the
    /// other).
    pub fn pass_key(&self) -> Result<Zeroizing<[u8; 32]>, StoreError> {
        use hmac::{Hmac, KeyInit, Mac};
        let key = self.throttle_key()?;
        let mut mac =
            <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key[..]).expect("HMAC takes any key");
        mac.update(b"slate room key derivation\0");
        mac.update(crate::guest_pass::PassKey::LABEL.as_bytes());
        Ok(Zeroizing::new(mac.finalize().into_bytes().into()))
    }

    /// Adds a pass; its id. A digest the room holds already is refused (the caller draws
    /// another code).
    pub fn add_pass(
        &self,
        digest: &str,
        batch: &str,
        minutes: u32,
        valid_until: &str,
        created_at: &str,
        created_by: &str,
    ) -> Result<i64, StoreError> {
        let minutes = i32::try_from(minutes)
            .map_err(|_| StoreError::Room("a pass lasts at most a day".into()))?;
        let id: Option<i64> = self
            .once(|c| {
                c.query_one(
                    "SELECT slate.add_pass($1, $2, $3, $4, $5, $6)",
                    &[
                        &digest,
                        &batch,
                        &minutes,
                        &valid_until,
                        &created_at,
                        &created_by,
                    ],
                )
            })?
            .get(0);
        id.ok_or_else(|| StoreError::Room("the room did not take the pass".into()))
    }

    /// The pass with this code digest, if any.
    pub fn find_pass(&self, digest: &str) -> Result<Option<PassRow>, StoreError> {
        self.with(|c| {
            c.query_opt(
                &format!("SELECT {COLUMNS} FROM slate.find_pass($1)"),
                &[&digest],
            )?
            .as_ref()
            .map(pass)
            .transpose()
        })
    }

    /// Every pass of the room, newest first.
    pub fn list_passes(&self) -> Result<Vec<PassRow>, StoreError> {
        self.with(|c| {
            c.query(&format!("SELECT {COLUMNS} FROM slate.list_passes()"), &[])?
                .iter()
                .map(pass)
                .collect()
        })
    }

    /// Whether any pass of the room could still sign in on `today` (`YYYY-MM-DD`).
    pub fn any_pass_usable(&self, today: &str) -> Result<bool, StoreError> {
        Ok(self
            .with(|c| c.query_one("SELECT slate.any_pass_usable($1)", &[&today]))?
            .get(0))
    }

    /// Spends a pass for `session` at this terminal (once: `false` if it was used or revoked
    /// meanwhile, at any terminal; asked again for the same session, still `true`, so it may
    /// be sent again when a reply was lost).
    pub fn use_pass(&self, id: i64, session: &str, at: &str) -> Result<bool, StoreError> {
        Ok(self
            .with(|c| c.query_one("SELECT slate.use_pass($1, $2, $3)", &[&id, &session, &at]))?
            .get(0))
    }

    /// Revokes the unused pass `id`, or the unused passes of `batch`; how many. Recorded in
    /// the room with `by`.
    pub fn revoke_passes(
        &self,
        id: Option<i64>,
        batch: Option<&str>,
        at: &str,
        by: &str,
    ) -> Result<usize, StoreError> {
        let n: i32 = self
            .once(|c| {
                c.query_one(
                    "SELECT slate.revoke_passes($1, $2, $3, $4)",
                    &[&id, &batch, &at, &by],
                )
            })?
            .get(0);
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Removes the passes whose last day was more than `keep_days` ago by the database's
    /// calendar; how many.
    pub fn prune_passes(&self, keep_days: u16) -> Result<usize, StoreError> {
        let n: i32 = self
            .once(|c| c.query_one("SELECT slate.prune_passes($1)", &[&i32::from(keep_days)]))?
            .get(0);
        Ok(usize::try_from(n).unwrap_or(0))
    }
}
