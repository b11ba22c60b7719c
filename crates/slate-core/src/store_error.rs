//! [`StoreError`]: why the database cannot be used. A leaf of its own, so that the modules whose
//! errors wrap it (the audit chain, the settings) need not depend on the store, which depends on
//! them.

use std::path::PathBuf;

/// Why the database cannot be used. Each message is one sentence for a person.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("The database {path} is damaged ({detail}); Slate will not use it. Restore it from a backup or move it aside to start empty.")]
    Damaged { path: PathBuf, detail: String },
    #[error("The database {path} was written by a newer Slate (schema {found}, this one knows {known}).")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: usize,
    },
    #[error("Cannot open the database {path}: {detail}.")]
    Open { path: PathBuf, detail: String },
    #[error("The database's write-ahead log is still held by another reader, so it could not be emptied.")]
    LogInUse,
    /// What SQLite said, in its words (the store turns each of its errors into this).
    #[error("The database failed: {0}.")]
    Sqlite(String),
    /// The room's database (PostgreSQL) refused or is not as expected, in its words.
    #[error("The room's database says: {0}.")]
    Room(String),
    /// The room's database cannot be reached now (what the connection said).
    #[error("The room's database cannot be reached ({0}).")]
    RoomAway(String),
}
