//! The `forward_cursor` table: for each audit destination (a syslog collector, the journal), the last record
//! it is known to have, when that was, and the last failure to send, if the last try failed.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};

/// How far a destination has been sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ForwardCursor {
    /// The last record delivered (0: none yet).
    pub sent_seq: i64,
    /// When the last batch was delivered (UTC, RFC 3339).
    pub sent_at: Option<String>,
    /// Why the last try failed, if it did, and when.
    pub error: Option<String>,
    pub error_at: Option<String>,
}

impl Store {
    /// How far `destination` has been sent; `None` when it never has been.
    pub fn forward_cursor(&self, destination: &str) -> Result<Option<ForwardCursor>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT sent_seq, sent_at, error, error_at FROM forward_cursor
                 WHERE destination = ?1",
                [destination],
                |r| {
                    Ok(ForwardCursor {
                        sent_seq: r.get(0)?,
                        sent_at: r.get(1)?,
                        error: r.get(2)?,
                        error_at: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// `destination` has every record up to `seq` (delivered at `at`): the failure is forgotten.
    pub fn forward_sent(&self, destination: &str, seq: i64, at: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO forward_cursor (destination, sent_seq, sent_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (destination) DO UPDATE SET
                 sent_seq = max(sent_seq, excluded.sent_seq), sent_at = excluded.sent_at,
                 error = NULL, error_at = NULL",
            params![destination, seq, at],
        )?;
        Ok(())
    }

    /// The last try to send to `destination` failed, for `why`, at `at`.
    pub fn forward_failed(&self, destination: &str, why: &str, at: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO forward_cursor (destination, sent_seq, error, error_at)
             VALUES (?1, 0, ?2, ?3)
             ON CONFLICT (destination) DO UPDATE SET error = excluded.error,
                 error_at = excluded.error_at",
            params![destination, why, at],
        )?;
        Ok(())
    }
}
