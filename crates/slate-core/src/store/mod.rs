//! Storage: the one place that knows Slate keeps its state in SQLite. The rest of the core
//! speaks to storage only through the domain operations on [`Store`] (`find_account`,
//! `record_session_open`, `settings`, `audit_append`, …), never through SQL, so a second engine
//! (`PostgreSQL` for a room of terminals, coming later) can sit behind the same operations.
//!
//! This file opens the database, one file in the data folder, the same way for the kiosk and for
//! `slatectl` (they may run at once), and owns the schema ([`MIGRATIONS`]), the `meta` table,
//! the checks and [`Store::atomically`]. Each table's statements live in a submodule:
//! `accounts` (users), `throttle` (`signin_throttle`, `signin_failures`), `sessions` (sessions and their values),
//! `settings` (administrator values), `audit` (the chained log), `usage` (the anonymous
//! hourly counts of sessions whose rows were pruned) and `forward` (how far the audit has been
//! sent to each collector).
//!
//! Opening sets WAL, `synchronous=FULL`, foreign keys, `secure_delete` and a busy timeout, checks
//! the file with `PRAGMA quick_check` (the full `integrity_check`, which also cross-checks every
//! index against its table, is [`Store::check_integrity`], run by `slatectl check`; both read
//! the whole file, see BENCHMARKS.md), and runs the versioned migrations in [`MIGRATIONS`]
//! (`PRAGMA user_version` holds how many have run). The session service opens without the check
//! ([`Store::open_unchecked`]), so that its start does not grow with the audit log, and runs it
//! once the sign-in screen is up, on a read-only connection of its own ([`Store::check_file`]). A damaged file
//! is reported in one sentence and never silently recreated.

mod accounts;
mod audit;
mod forward;
mod passes;
mod sessions;
mod settings;
mod throttle;
mod usage;

pub use passes::PassRow;
pub use throttle::{NameThrottle, ThrottleScope};

use std::fs;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, one step at a time. Never edit a step that has shipped; add a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: local accounts, sign-in throttling, settings.
    "CREATE TABLE users (
        id                  INTEGER PRIMARY KEY,
        username            TEXT NOT NULL,
        username_key        TEXT NOT NULL UNIQUE,
        display_name        TEXT NOT NULL,
        role                TEXT NOT NULL CHECK (role IN ('user', 'admin')),
        enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        locked              INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
        password_hash       TEXT NOT NULL,
        created_at          TEXT NOT NULL,
        password_changed_at TEXT NOT NULL
    ) STRICT;
    -- Consecutive failed sign-ins per name, known or not, so that throttling does not reveal
    -- which usernames exist. Keyed by a salted SHA-256 of the name: never the typed text.
    CREATE TABLE signin_throttle (
        name_digest     TEXT PRIMARY KEY,
        failures        INTEGER NOT NULL CHECK (failures >= 0),
        last_failure_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    INSERT INTO meta (key, value) VALUES ('throttle_salt', lower(hex(randomblob(16))));
    CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        changed_at TEXT NOT NULL
    ) STRICT;",
    // 2: sessions, durably open before use and ended after the end steps.
    "CREATE TABLE sessions (
        id              TEXT PRIMARY KEY,
        username        TEXT,
        display_name    TEXT NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('user', 'admin', 'guest')),
        started_at      TEXT NOT NULL,
        utc_offset_secs INTEGER NOT NULL,
        ended_at        TEXT,
        end_reason      TEXT CHECK (end_reason IN
                            ('user', 'idle', 'time_limit', 'admin', 'shutdown', 'recovered')),
        duration_ms     INTEGER,
        end_requested   INTEGER NOT NULL DEFAULT 0 CHECK (end_requested IN (0, 1)),
        CHECK ((ended_at IS NULL) = (end_reason IS NULL))
    ) STRICT;
    CREATE INDEX sessions_open ON sessions (id) WHERE ended_at IS NULL;",
    // 3: per-session values (preferences) and the wipe receipt of each ending.
    "CREATE TABLE session_values (
        session_id TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        PRIMARY KEY (session_id, key)
    ) STRICT;
    ALTER TABLE sessions ADD COLUMN wipe_receipt TEXT;
    ALTER TABLE sessions ADD COLUMN wipe_ok INTEGER CHECK (wipe_ok IN (0, 1));
    CREATE INDEX sessions_wipe_failed ON sessions (id) WHERE wipe_ok = 0;",
    // 4: the tamper-evident audit log. Append-only: updates are refused always, deletes except
    // while pruning (see audit.rs).
    "CREATE TABLE audit (
        seq             INTEGER PRIMARY KEY,
        at              TEXT NOT NULL,
        utc_offset_secs INTEGER NOT NULL,
        terminal        TEXT NOT NULL,
        event           TEXT NOT NULL,
        username        TEXT,
        session_id      TEXT,
        duration_ms     INTEGER,
        details         TEXT NOT NULL,
        mac             TEXT NOT NULL
    ) STRICT;
    CREATE INDEX audit_event ON audit (event, seq);
    CREATE INDEX audit_user ON audit (username, seq);
    CREATE INDEX audit_at ON audit (at);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    WHEN coalesce((SELECT value FROM meta WHERE key = 'audit_pruning'), '0') <> '1'
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    // 5: audit filters that stay fast at ten million records: by user regardless of (ASCII)
    // case, and by the reason inside the details.
    "DROP INDEX audit_user;
    CREATE INDEX audit_user ON audit (lower(username), seq);
    CREATE INDEX audit_reason ON audit (json_extract(details, '$.reason'), seq);",
    // 6: sign-in throttling redesigned. Names are keyed by an HMAC under a key kept outside the
    // database (the salted digests before could be reversed offline: the salt sat beside them),
    // so the old rows are dropped; each failure keeps the boot it happened in and its time on
    // the boot clock; and the terminal's recent failures, any names, are kept for its own rate.
    "DROP TABLE signin_throttle;
    DELETE FROM meta WHERE key = 'throttle_salt';
    CREATE TABLE signin_throttle (
        name_digest       TEXT PRIMARY KEY,
        failures          INTEGER NOT NULL CHECK (failures >= 0),
        last_failure_at   TEXT NOT NULL,
        last_failure_boot TEXT NOT NULL,
        last_failure_ms   INTEGER NOT NULL CHECK (last_failure_ms >= 0),
        -- The last attempt checked (a failure, or one checked during a cool-down).
        last_attempt_at   TEXT NOT NULL,
        last_attempt_boot TEXT NOT NULL,
        last_attempt_ms   INTEGER NOT NULL CHECK (last_attempt_ms >= 0)
    ) STRICT;
    CREATE INDEX signin_throttle_at ON signin_throttle (last_failure_at);
    CREATE TABLE signin_failures (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        boot    TEXT NOT NULL,
        boot_ms INTEGER NOT NULL CHECK (boot_ms >= 0)
    ) STRICT;",
    // 7: where each session's account came from (NULL for a guest).
    "ALTER TABLE sessions ADD COLUMN source TEXT CHECK (source IN ('local', 'ldap', 'pam', 'sip2'));
    UPDATE sessions SET source = 'local' WHERE kind <> 'guest';",
    // 8: anonymous hourly counts of ended sessions, which a session's row is folded into when
    // it is pruned, so the usage statistics outlive the names (no name, no id here).
    "CREATE TABLE usage_hours (
        day        TEXT NOT NULL,
        hour       INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
        kind       TEXT NOT NULL CHECK (kind IN ('user', 'admin', 'guest')),
        source     TEXT NOT NULL CHECK (source IN ('local', 'ldap', 'pam', 'sip2', 'guest')),
        end_reason TEXT NOT NULL CHECK (end_reason IN
                       ('user', 'idle', 'time_limit', 'admin', 'shutdown', 'recovered')),
        minutes    INTEGER NOT NULL CHECK (minutes >= 0),
        sessions   INTEGER NOT NULL CHECK (sessions > 0),
        total_ms   INTEGER NOT NULL CHECK (total_ms >= 0),
        PRIMARY KEY (day, hour, kind, source, end_reason, minutes)
    ) STRICT, WITHOUT ROWID;",
    // 9: how far the audit has been sent to each collector it is forwarded to.
    "CREATE TABLE forward_cursor (
        destination TEXT PRIMARY KEY,
        sent_seq    INTEGER NOT NULL CHECK (sent_seq >= 0),
        sent_at     TEXT,
        error       TEXT,
        error_at    TEXT
    ) STRICT;",
    // 10: a person's own daily time (NULL: the setting; 0: no limit; else seconds); the group a
    // source puts each person in (a library card's patron type, a directory attribute), kept
    // with the session and in the anonymous counts ('' for none); and two more ways a session
    // ends, the daily allowance and closing time. (SQLite cannot change a CHECK: both tables
    // are made again and their rows copied.)
    "ALTER TABLE users ADD COLUMN daily_allowance_secs INTEGER
         CHECK (daily_allowance_secs BETWEEN 0 AND 86400);
     CREATE TABLE sessions_10 (
        id              TEXT PRIMARY KEY,
        username        TEXT,
        display_name    TEXT NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('user', 'admin', 'guest')),
        started_at      TEXT NOT NULL,
        utc_offset_secs INTEGER NOT NULL,
        ended_at        TEXT,
        end_reason      TEXT CHECK (end_reason IN
                            ('user', 'idle', 'time_limit', 'daily_allowance', 'closing_time', 'admin', 'shutdown', 'recovered')),
        duration_ms     INTEGER,
        end_requested   INTEGER NOT NULL DEFAULT 0 CHECK (end_requested IN (0, 1)),
        wipe_receipt    TEXT,
        wipe_ok         INTEGER CHECK (wipe_ok IN (0, 1)),
        source          TEXT CHECK (source IN ('local', 'ldap', 'pam', 'sip2')),
        patron_group    TEXT,
        CHECK ((ended_at IS NULL) = (end_reason IS NULL))
     ) STRICT;
     INSERT INTO sessions_10
         (id, username, display_name, kind, started_at, utc_offset_secs, ended_at, end_reason,
          duration_ms, end_requested, wipe_receipt, wipe_ok, source)
         SELECT id, username, display_name, kind, started_at, utc_offset_secs, ended_at,
                end_reason, duration_ms, end_requested, wipe_receipt, wipe_ok, source
         FROM sessions;
     DROP TABLE sessions;
     ALTER TABLE sessions_10 RENAME TO sessions;
     CREATE INDEX sessions_open ON sessions (id) WHERE ended_at IS NULL;
     CREATE INDEX sessions_wipe_failed ON sessions (id) WHERE wipe_ok = 0;
     CREATE INDEX sessions_user_day ON sessions (username, started_at);
     CREATE TABLE usage_hours_10 (
        day          TEXT NOT NULL,
        hour         INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
        kind         TEXT NOT NULL CHECK (kind IN ('user', 'admin', 'guest')),
        source       TEXT NOT NULL CHECK (source IN ('local', 'ldap', 'pam', 'sip2', 'guest')),
        patron_group TEXT NOT NULL DEFAULT '',
        end_reason   TEXT NOT NULL CHECK (end_reason IN
                         ('user', 'idle', 'time_limit', 'daily_allowance', 'closing_time', 'admin', 'shutdown', 'recovered')),
        minutes      INTEGER NOT NULL CHECK (minutes >= 0),
        sessions     INTEGER NOT NULL CHECK (sessions > 0),
        total_ms     INTEGER NOT NULL CHECK (total_ms >= 0),
        PRIMARY KEY (day, hour, kind, source, patron_group, end_reason, minutes)
     ) STRICT, WITHOUT ROWID;
     INSERT INTO usage_hours_10
         (day, hour, kind, source, end_reason, minutes, sessions, total_ms)
         SELECT day, hour, kind, source, end_reason, minutes, sessions, total_ms
         FROM usage_hours;
     DROP TABLE usage_hours;
     ALTER TABLE usage_hours_10 RENAME TO usage_hours;",
    // 11: guest passes, each kept by its code's digest under a key outside the database (never
    // the code), with its minutes and last day; once used, when and by which session.
    "CREATE TABLE guest_passes (
        id          INTEGER PRIMARY KEY,
        code_digest TEXT NOT NULL UNIQUE,
        batch       TEXT NOT NULL,
        minutes     INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
        valid_until TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        created_by  TEXT NOT NULL,
        used_at     TEXT,
        session_id  TEXT,
        revoked_at  TEXT,
        CHECK ((used_at IS NULL) = (session_id IS NULL))
     ) STRICT;
     CREATE INDEX guest_passes_batch ON guest_passes (batch);",
];

/// Stores a fieldless enum as fixed text (the text the schema's CHECK constraints list): one
/// table of variant and text per type gives both directions.
macro_rules! sql_text {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl rusqlite::types::ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(match self {
                    $(Self::$variant => $text,)+
                }))
            }
        }

        impl rusqlite::types::FromSql for $ty {
            fn column_result(
                v: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                match v.as_str()? {
                    $($text => Ok(Self::$variant),)+
                    other => Err($crate::store::unknown_text(other)),
                }
            }
        }
    };
}
use sql_text;

/// The error for stored text that names no variant (the CHECK constraints keep it out).
fn unknown_text(text: &str) -> rusqlite::types::FromSqlError {
    rusqlite::types::FromSqlError::Other(format!("unexpected stored value {text:?}").into())
}

pub use crate::store_error::StoreError;
pub use forward::ForwardCursor;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e.to_string())
    }
}

/// An open, checked, migrated database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The room the terminal is in, if any: what the room shares (accounts and their
    /// throttling) is read and written there instead of in the file.
    room: Option<std::sync::Arc<crate::room::Room>>,
}

impl Store {
    /// Opens (creating if absent, mode 0600) and checks the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::connect(path, true)
    }

    /// Checks the database at `path` (`PRAGMA quick_check`) on a read-only connection of its
    /// own, beside one that is in use: what [`Store::open`] checks, without holding up the
    /// start of the program that uses it.
    pub fn check_file(path: &Path) -> Result<(), StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Self {
            conn,
            path: path.to_path_buf(),
            room: None,
        }
        .quick_check()
    }

    /// [`Store::open`] without the check: a damaged page is found when it is read, or by
    /// [`Store::check_file`], which the caller runs once it is up.
    pub fn open_unchecked(path: &Path) -> Result<Self, StoreError> {
        Self::connect(path, false)
    }

    /// Puts this terminal's store in a room: from now on accounts and the throttle of names
    /// are the room's (the file keeps the terminal's own records).
    pub fn join_room(&mut self, room: std::sync::Arc<crate::room::Room>) {
        self.room = Some(room);
    }

    /// Whether this terminal's store is in a room.
    pub fn in_room(&self) -> bool {
        self.room.is_some()
    }

    /// Opens, checks (when `check`: before any migration writes to it) and migrates.
    fn connect(path: &Path, check: bool) -> Result<Self, StoreError> {
        let open_err = |detail: String| StoreError::Open {
            path: path.to_path_buf(),
            detail,
        };
        if !path.exists() {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| open_err(e.to_string()))?;
        } else if let Ok(meta) = fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_err(e.to_string()))?;
        let damaged = |e: rusqlite::Error| StoreError::Damaged {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(damaged)?;
        // journal_mode returns a row; the others do not.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(damaged)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(open_err(format!("cannot switch to WAL (got {mode})")));
        }
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;",
        )
        .map_err(damaged)?;
        let store = Self {
            conn,
            path: path.to_path_buf(),
            room: None,
        };
        if check {
            store.quick_check()?;
        }
        store.migrate()?;
        Ok(store)
    }

    /// A value of the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a value of the `meta` table.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Runs the full `PRAGMA integrity_check`; anything but a single "ok" is damage.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        self.run_check("integrity_check")
    }

    /// Runs `PRAGMA quick_check`, the check made at every open: every page, record and
    /// constraint, but not whether each index agrees with its table.
    pub fn quick_check(&self) -> Result<(), StoreError> {
        self.run_check("quick_check")
    }

    fn run_check(&self, pragma: &str) -> Result<(), StoreError> {
        let damaged = |detail: String| StoreError::Damaged {
            path: self.path.clone(),
            detail,
        };
        let mut stmt = self
            .conn
            .prepare(&format!("PRAGMA {pragma}"))
            .map_err(|e| damaged(e.to_string()))?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(|e| damaged(e.to_string()))?;
        if rows.len() == 1 && rows[0] == "ok" {
            return Ok(());
        }
        // One line however much SQLite found: its first findings, and how many more.
        let findings: Vec<&str> = rows
            .iter()
            .flat_map(|r| r.lines())
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("***"))
            .collect();
        let first = findings
            .iter()
            .take(3)
            .copied()
            .collect::<Vec<_>>()
            .join("; ");
        Err(damaged(match findings.len() {
            0..=3 => first,
            n => format!("{first} and {} more", n - 3),
        }))
    }

    /// SQLite's `data_version`: it changes whenever another connection (another process, such as
    /// `slatectl`) commits to the file, and costs no I/O to read.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Copies the WAL into the database and truncates it. A reader in another process can keep
    /// part of it alive (SQLite then reports the checkpoint busy, after the busy timeout): that
    /// is [`StoreError::LogInUse`], so nobody reports the log emptied when it was not.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy == 0 {
            Ok(())
        } else {
            Err(StoreError::LogInUse)
        }
    }

    /// The schema version (how many migrations have run).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        let known = MIGRATIONS.len();
        let start = usize::try_from(found).unwrap_or(usize::MAX);
        if start > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                known,
            });
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(start) {
            // IMMEDIATE: two processes starting at once must not both run the same step.
            let tx = rusqlite::Transaction::new_unchecked(
                &self.conn,
                rusqlite::TransactionBehavior::Immediate,
            )?;
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if usize::try_from(now).unwrap_or(usize::MAX) > i {
                continue; // another process ran it meanwhile
            }
            tx.execute_batch(step)?;
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(i + 1).unwrap_or(i64::MAX),
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs `f` atomically: in a new IMMEDIATE transaction, or, inside one already, as a savepoint
    /// of it (so atomic steps compose). Rolls back if `f` fails.
    pub fn atomically<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Self) -> Result<T, E>,
    ) -> Result<T, E> {
        let outer = self.conn.is_autocommit();
        self.conn
            .execute_batch(if outer {
                "BEGIN IMMEDIATE"
            } else {
                "SAVEPOINT atomically"
            })
            .map_err(StoreError::from)?;
        match f(self) {
            Ok(v) => {
                self.conn
                    .execute_batch(if outer {
                        "COMMIT"
                    } else {
                        "RELEASE atomically"
                    })
                    .map_err(StoreError::from)?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch(if outer {
                    "ROLLBACK"
                } else {
                    "ROLLBACK TO atomically; RELEASE atomically"
                });
                Err(e)
            }
        }
    }

    /// The connection, for this module's submodules (one per table) only.
    fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma<T: rusqlite::types::FromSql>(s: &Store, name: &str) -> T {
        s.conn
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn opens_with_the_promised_settings() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("slate.db")).unwrap();
        assert_eq!(pragma::<String>(&s, "journal_mode"), "wal");
        assert_eq!(pragma::<i64>(&s, "synchronous"), 2, "FULL");
        assert_eq!(pragma::<i64>(&s, "foreign_keys"), 1);
        assert_eq!(pragma::<i64>(&s, "secure_delete"), 1);
        assert_eq!(
            s.schema_version().unwrap(),
            i64::try_from(MIGRATIONS.len()).unwrap()
        );
        let mode = fs::metadata(s.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(!s.has_admin().unwrap());
    }

    #[test]
    fn the_wal_and_shared_memory_files_are_private_too() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("slate.db")).unwrap();
        s.conn
            .execute("INSERT INTO meta (key, value) VALUES ('probe', 'x')", [])
            .unwrap();
        for suffix in ["-wal", "-shm"] {
            let p = tmp.path().join(format!("slate.db{suffix}"));
            let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }

    #[test]
    fn migration_10_keeps_the_anonymous_counts_and_the_sessions() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("slate.db");
        {
            // A database as version 9 left it, with a folded count and a session.
            let conn = Connection::open(&path).unwrap();
            for step in &MIGRATIONS[..9] {
                conn.execute_batch(step).unwrap();
            }
            conn.pragma_update(None, "user_version", 9).unwrap();
            conn.execute_batch(
                "INSERT INTO usage_hours VALUES ('2026-01-05', 9, 'user', 'sip2', 'idle', 30, 4, 7200000);
                 INSERT INTO sessions (id, display_name, kind, started_at, utc_offset_secs, source, wipe_ok)
                     VALUES ('s1', 'Ana', 'user', '2026-01-05T09:00:00.000000Z', 0, 'local', 1);",
            )
            .unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.schema_version().unwrap(),
            i64::try_from(MIGRATIONS.len()).unwrap()
        );
        let rows = s
            .usage_rows(
                crate::usage::DayRange::parse("2026-01-01", "2026-01-31", chrono::NaiveDate::MIN)
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].sessions, rows[0].group.as_str()), (4, ""));
        let group: Option<String> = s
            .conn
            .query_row(
                "SELECT patron_group FROM sessions WHERE id = 's1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(group, None);
    }

    #[test]
    fn reopening_keeps_the_schema() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("slate.db");
        drop(Store::open(&path).unwrap());
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.schema_version().unwrap(),
            i64::try_from(MIGRATIONS.len()).unwrap()
        );
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("slate.db");
        let junk = vec![0x5a_u8; 8192];
        fs::write(&path, &junk).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Damaged { .. }), "{err}");
        assert!(err.to_string().starts_with("The database"));
        assert_eq!(fs::read(&path).unwrap(), junk, "never silently recreated");
    }

    #[test]
    fn data_version_moves_when_another_process_commits() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("slate.db");
        let kiosk = Store::open(&path).unwrap();
        let slatectl = Store::open(&path).unwrap();
        let before = kiosk.data_version().unwrap();
        kiosk.set_meta("own", "write").unwrap();
        assert_eq!(
            kiosk.data_version().unwrap(),
            before,
            "its own commits do not count"
        );
        slatectl.set_meta("other", "write").unwrap();
        assert_ne!(
            kiosk.data_version().unwrap(),
            before,
            "another connection's do"
        );
    }

    #[test]
    fn the_quick_check_at_open_finds_a_damaged_page() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("slate.db");
        {
            let s = Store::open(&path).unwrap();
            s.conn
                .execute_batch(
                    "CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                     INSERT INTO filler (body) SELECT printf('%0200d', i) FROM n;
                     PRAGMA wal_checkpoint(TRUNCATE);",
                )
                .unwrap();
        }
        let mut bytes = fs::read(&path).unwrap();
        let page = 4096;
        let last = bytes.len() / page - 2;
        // The cell area of a page near the end (table rows): scribbled over, as a bad disk would.
        for b in &mut bytes[last * page + 8..last * page + 600] {
            *b = 0xff;
        }
        fs::write(&path, &bytes).unwrap();
        // Opened without the check (the service), it is found by the check beside it.
        let unchecked = Store::open_unchecked(&path).unwrap();
        let err = Store::check_file(&path).unwrap_err();
        assert!(matches!(err, StoreError::Damaged { .. }), "{err}");
        drop(unchecked);
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Damaged { .. }), "{err}");
        assert_eq!(fs::read(&path).unwrap(), bytes, "never silently repaired");
    }

    #[test]
    fn atomic_steps_nest_and_roll_back_together() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("slate.db")).unwrap();
        let r: Result<(), StoreError> = s.atomically(|s| {
            s.conn
                .execute("INSERT INTO meta (key, value) VALUES ('a', '1')", [])?;
            s.atomically(|s| {
                s.conn
                    .execute("INSERT INTO meta (key, value) VALUES ('b', '2')", [])?;
                Ok::<(), StoreError>(())
            })?;
            Err(StoreError::from(rusqlite::Error::InvalidQuery))
        });
        assert!(r.is_err());
        let n: i64 = s
            .conn
            .query_row(
                "SELECT count(*) FROM meta WHERE key IN ('a', 'b')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0, "the inner step rolled back with the outer one");
        assert!(s.conn.is_autocommit());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("slate.db");
        let s = Store::open(&path).unwrap();
        s.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(s);
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    }
}
