//! The `guest_passes` table: one row a pass (in a room, the room's passes instead: see
//! [`crate::room`]), keyed by its code's digest under the pass key
//! (never the code), with its minutes, its last day, who made it and when, and once used, when
//! and by which session; a revoked pass keeps its row. What a code is and how it is made is
//! [`crate::guest_pass`]'s; when a pass may sign in is [`crate::kiosk`]'s.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
pub use crate::guest_pass::PassRow;

const COLUMNS: &str =
    "id, batch, minutes, valid_until, created_at, created_by, used_at, session_id, revoked_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PassRow> {
    Ok(PassRow {
        id: r.get(0)?,
        batch: r.get(1)?,
        minutes: r.get(2)?,
        valid_until: r.get(3)?,
        created_at: r.get(4)?,
        created_by: r.get(5)?,
        used_at: r.get(6)?,
        session_id: r.get(7)?,
        revoked_at: r.get(8)?,
    })
}

impl Store {
    /// Adds a pass; its id.
    pub fn add_pass(
        &self,
        digest: &str,
        batch: &str,
        minutes: u32,
        valid_until: &str,
        created_at: &str,
        created_by: &str,
    ) -> Result<i64, StoreError> {
        if let Some(room) = &self.room {
            return room.add_pass(digest, batch, minutes, valid_until, created_at, created_by);
        }
        self.conn().execute(
            "INSERT INTO guest_passes (code_digest, batch, minutes, valid_until, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![digest, batch, minutes, valid_until, created_at, created_by],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The pass with this code digest, if any.
    pub fn find_pass(&self, digest: &str) -> Result<Option<PassRow>, StoreError> {
        if let Some(room) = &self.room {
            return room.find_pass(digest);
        }
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM guest_passes WHERE code_digest = ?1"),
                [digest],
                row,
            )
            .optional()?)
    }

    /// Every pass, newest first.
    pub fn list_passes(&self) -> Result<Vec<PassRow>, StoreError> {
        if let Some(room) = &self.room {
            return room.list_passes();
        }
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM guest_passes ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map([], row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Whether any pass could still sign in on `today` (`YYYY-MM-DD`).
    pub fn any_pass_usable(&self, today: &str) -> Result<bool, StoreError> {
        if let Some(room) = &self.room {
            return room.any_pass_usable(today);
        }
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM guest_passes
                 WHERE used_at IS NULL AND revoked_at IS NULL AND valid_until >= ?1)",
            [today],
            |r| r.get(0),
        )?)
    }

    /// Marks a pass used by `session` (once: `false` if it was used or revoked meanwhile).
    pub fn use_pass(&self, id: i64, session: &str, at: &str) -> Result<bool, StoreError> {
        if let Some(room) = &self.room {
            return room.use_pass(id, session, at);
        }
        let changed = self.conn().execute(
            "UPDATE guest_passes SET used_at = ?2, session_id = ?3
             WHERE id = ?1 AND used_at IS NULL AND revoked_at IS NULL",
            params![id, at, session],
        )?;
        Ok(changed == 1)
    }

    /// Revokes the unused passes with this id, or of this batch; how many. (`by`: who, as the
    /// room records it.)
    pub fn revoke_passes(
        &self,
        id: Option<i64>,
        batch: Option<&str>,
        at: &str,
        by: &str,
    ) -> Result<usize, StoreError> {
        if let Some(room) = &self.room {
            return room.revoke_passes(id, batch, at, by);
        }
        Ok(self.conn().execute(
            "UPDATE guest_passes SET revoked_at = ?3
             WHERE (id = ?1 OR batch = ?2) AND used_at IS NULL AND revoked_at IS NULL",
            params![id, batch, at],
        )?)
    }

    /// Removes passes whose last day was before `day` (`YYYY-MM-DD`), `keep_days` before today;
    /// how many. (In a room, by the database's calendar.)
    pub fn prune_passes(&self, day: &str, keep_days: u16) -> Result<usize, StoreError> {
        if let Some(room) = &self.room {
            return room.prune_passes(keep_days);
        }
        Ok(self
            .conn()
            .execute("DELETE FROM guest_passes WHERE valid_until < ?1", [day])?)
    }
}
