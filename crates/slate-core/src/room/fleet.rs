//! Administering a room's database, with a PostgreSQL administrator's connection (a superuser,
//! or a role that may create roles and owns the database): making the room (`fleet init`: its
//! roles, schema and first Slate administrator), bringing its schema up to date (`fleet
//! upgrade`), and adding, listing and revoking terminals. A terminal's own credentials never
//! allow any of this.
//!
//! Roles: `slate_owner` (no login) owns the schema, its tables and functions; `slate_terminal`
//! (no login) is the group every terminal's login role (`slate_t_NAME`) is in, and may only
//! connect and call the functions granted to it. A terminal's password is made here, sent to
//! the server only as its SCRAM verifier, and shown once, to be given to `fleet join`.

use zeroize::Zeroizing;

use super::checks::{self, ChainInRoom};
use super::settings::{self, RoomSettingRow};
use super::{away, ident, schema, Endpoint, TerminalName};
use crate::api::RoomScope;
use crate::store_error::StoreError;

/// The longest name of a group of terminals.
pub const GROUP_MAX_CHARS: usize = 40;

/// A group's name: one to 40 characters, no control characters, no space at either end.
pub fn check_group(group: &str) -> Result<(), StoreError> {
    let fine = !group.is_empty()
        && group.chars().count() <= GROUP_MAX_CHARS
        && group.trim() == group
        && !group.chars().any(char::is_control);
    if fine {
        Ok(())
    } else {
        Err(StoreError::Room(format!(
            "a group's name is 1 to {GROUP_MAX_CHARS} characters, without control characters or \
             spaces at either end"
        )))
    }
}

/// An administrator's connection to a room's database.
pub struct Fleet {
    client: postgres::Client,
    database: String,
    /// The database role connected as (recorded with the changes made).
    user: String,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

/// What `fleet init` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InitReport {
    pub schema_version: i64,
    /// Whether the first administrator was made now (`false`: the room had one already).
    pub admin_created: bool,
}

/// A terminal as the room knows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TerminalRow {
    pub name: String,
    pub group: Option<String>,
    pub added_at: String,
    pub revoked_at: Option<String>,
}

/// What [`Fleet::put_setting`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PutSetting {
    /// `false`: there was no such value to remove.
    pub changed: bool,
    /// How many terminals of the room (not revoked) it concerns now (0: a group no terminal
    /// is in yet).
    pub reaches: i64,
}

/// The first Slate administrator, made by `fleet init`.
#[derive(Debug)]
pub struct FirstAdmin<'a> {
    pub username: &'a crate::auth::Username,
    pub display_name: &'a str,
    pub password_hash: &'a str,
}

impl Fleet {
    /// Connects as a PostgreSQL administrator.
    pub fn connect(endpoint: &Endpoint, password: &str) -> Result<Self, StoreError> {
        Ok(Self {
            client: endpoint.connect(password)?,
            database: endpoint.database(),
            user: endpoint.user(),
        })
    }

    fn as_owner<T>(
        &mut self,
        f: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        self.client
            .batch_execute("SET ROLE slate_owner")
            .map_err(away)?;
        let result = f(&mut self.client);
        let reset = self.client.batch_execute("RESET ROLE");
        let value = result.map_err(away)?;
        reset.map_err(away)?;
        Ok(value)
    }

    /// Makes the room in the database (again: each step is skipped when done already): the
    /// roles, the schema at this Slate's version, the throttle's key and the first
    /// administrator.
    pub fn init(&mut self, admin: &FirstAdmin<'_>) -> Result<InitReport, StoreError> {
        let db = ident(&self.database);
        self.client
            .batch_execute(&format!(
                "DO $$ BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slate_owner') THEN
                        CREATE ROLE slate_owner NOLOGIN;
                    END IF;
                    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slate_terminal') THEN
                        CREATE ROLE slate_terminal NOLOGIN;
                    END IF;
                 END $$;
                 GRANT slate_owner TO CURRENT_USER;
                 REVOKE ALL ON DATABASE {db} FROM PUBLIC;
                 GRANT CONNECT ON DATABASE {db} TO slate_terminal;
                 REVOKE ALL ON SCHEMA public FROM PUBLIC;
                 CREATE SCHEMA IF NOT EXISTS slate AUTHORIZATION slate_owner;
                 GRANT USAGE ON SCHEMA slate TO slate_terminal;"
            ))
            .map_err(away)?;
        let version = self.upgrade()?;
        let key = hex::encode(rand::random::<[u8; 32]>());
        let key = Zeroizing::new(key);
        let at = crate::clock::to_db(chrono::Utc::now());
        let admin_created = self.as_owner(|c| {
            c.execute(
                "INSERT INTO slate.meta (key, value) VALUES ('throttle_key', $1)
                 ON CONFLICT (key) DO NOTHING",
                &[&key.as_str()],
            )?;
            let made: bool = c
                .query_one(
                    "SELECT slate.create_first_admin($1, $2, $3, $4, $5)",
                    &[
                        &admin.username.as_str(),
                        &admin.username.key(),
                        &admin.display_name,
                        &admin.password_hash,
                        &at,
                    ],
                )?
                .get(0);
            Ok(made)
        })?;
        Ok(InitReport {
            schema_version: version,
            admin_created,
        })
    }

    /// Runs the room's migrations not yet run; returns the version reached.
    pub fn upgrade(&mut self) -> Result<i64, StoreError> {
        self.upgrade_to(schema::MIGRATIONS.len())
    }

    /// Runs the migrations up to `target` (tests upgrade from each earlier version).
    pub fn upgrade_to(&mut self, target: usize) -> Result<i64, StoreError> {
        let found = schema::version(&mut self.client).map_err(away)?;
        if found > schema::known() {
            return Err(StoreError::Room(format!(
                "the room's database was set up by a newer Slate (schema {found}, this one knows {})",
                schema::known()
            )));
        }
        self.as_owner(|c| schema::migrate(c, target))
    }

    /// Adds a terminal: its login role, in the group of terminals, and its row. Returns the
    /// password to give to `fleet join` on that terminal (shown once, kept nowhere here).
    pub fn add_terminal(
        &mut self,
        name: &TerminalName,
        group: Option<&str>,
    ) -> Result<Zeroizing<String>, StoreError> {
        let role = name.role();
        let taken: bool = self
            .client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                &[&role],
            )
            .map_err(away)?
            .get(0);
        if taken {
            return Err(StoreError::Room(format!(
                "the terminal {name} is in the room already (revoke it, or choose another name)"
            )));
        }
        if let Some(g) = group {
            check_group(g)?;
        }
        let password = Zeroizing::new(hex::encode(rand::random::<[u8; 24]>()));
        let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
        let mut tx = self.client.transaction().map_err(away)?;
        // The verifier, not the password, reaches the server (and any statement log).
        tx.batch_execute(&format!(
            "CREATE ROLE {r} LOGIN PASSWORD '{verifier}' IN ROLE slate_terminal CONNECTION LIMIT 8;
             SET LOCAL ROLE slate_owner;",
            r = ident(&role)
        ))
        .map_err(away)?;
        tx.execute(
            "INSERT INTO slate.terminals (name, role_name, grp) VALUES ($1, $2, $3)",
            &[&name.as_str(), &role, &group],
        )
        .map_err(away)?;
        tx.commit().map_err(away)?;
        Ok(password)
    }

    /// Revokes a terminal: its role may no longer log in and its open connections are ended at
    /// once. Its sessions and audit stay in the room. `false` when there is no such terminal.
    pub fn revoke(&mut self, name: &TerminalName) -> Result<bool, StoreError> {
        let role = ident(&name.role());
        // One transaction: the role out of the group of terminals (so even a connection that
        // outlives this can call no function), no more logins, the row marked, its
        // connections ended; all of it, or none of it.
        let mut tx = self.client.transaction().map_err(away)?;
        tx.batch_execute("SET LOCAL ROLE slate_owner")
            .map_err(away)?;
        let known = tx
            .execute(
                "UPDATE slate.terminals SET revoked_at = coalesce(revoked_at, now())
                 WHERE name = $1",
                &[&name.as_str()],
            )
            .map_err(away)?
            > 0;
        if !known {
            return Ok(false);
        }
        tx.batch_execute(&format!(
            "RESET ROLE;
             REVOKE slate_terminal FROM {role};
             ALTER ROLE {role} NOLOGIN;"
        ))
        .map_err(away)?;
        tx.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
            &[&name.role()],
        )
        .map_err(away)?;
        tx.commit().map_err(away)?;
        Ok(true)
    }

    /// Every terminal the room has had, by name.
    pub fn terminals(&mut self) -> Result<Vec<TerminalRow>, StoreError> {
        let rows = self.as_owner(|c| {
            c.query(
                "SELECT name, grp,
                        to_char(added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                        to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
                 FROM slate.terminals ORDER BY name",
                &[],
            )
        })?;
        Ok(rows
            .iter()
            .map(|r| TerminalRow {
                name: r.get(0),
                group: r.get(1),
                added_at: r.get(2),
                revoked_at: r.get(3),
            })
            .collect())
    }

    /// Puts a terminal in a group (`None`: in none). Its group's values apply to it from now
    /// on: it is told at once. `false` when there is no such terminal.
    pub fn set_group(
        &mut self,
        name: &TerminalName,
        group: Option<&str>,
    ) -> Result<bool, StoreError> {
        if let Some(g) = group {
            check_group(g)?;
        }
        self.as_owner(|c| {
            let role: Option<String> = c
                .query_opt(
                    "UPDATE slate.terminals SET grp = $2 WHERE name = $1 RETURNING role_name",
                    &[&name.as_str(), &group],
                )?
                .map(|r| r.get(0));
            let Some(role) = role else { return Ok(false) };
            c.execute(
                "INSERT INTO slate.admin_changes (action, terminal, detail)
                 VALUES ('group_set', $1, $2)",
                &[&name.as_str(), &group],
            )?;
            c.execute("SELECT pg_notify($1, 'settings')", &[&role])?;
            Ok(true)
        })
    }

    /// Sets (`Some`) or removes (`None`) the room's value of a setting for `scope`: the whole
    /// room (`target` `None`), a group, or a terminal (`target` its name, one the room has).
    /// The value must be one the setting allows ([`crate::settings::validate`]); it is stored in
    /// its canonical form. Every terminal it concerns is told at once.
    pub fn put_setting(
        &mut self,
        scope: RoomScope,
        target: Option<&str>,
        key: &str,
        value: Option<&str>,
    ) -> Result<PutSetting, StoreError> {
        let def = crate::settings::definition(key)
            .ok_or_else(|| StoreError::Room(format!("there is no setting called {key}")))?;
        let value = value
            .map(|v| crate::settings::validate(def, v))
            .transpose()
            .map_err(|e| StoreError::Room(e.to_string()))?;
        let target = match (scope, target) {
            (RoomScope::Room, None) => String::new(),
            (RoomScope::Group, Some(g)) => {
                check_group(g)?;
                g.to_owned()
            }
            (RoomScope::Terminal, Some(t)) => TerminalName::parse(t)
                .map_err(StoreError::Room)?
                .as_str()
                .to_owned(),
            (RoomScope::Room, Some(_)) => {
                return Err(StoreError::Room(
                    "a value for the whole room names no group or terminal".into(),
                ))
            }
            (_, None) => {
                return Err(StoreError::Room(format!(
                    "a value for a {} needs its name",
                    scope.text()
                )))
            }
        };
        let by = self.user.clone();
        let scope_text = scope.text();
        let (reaches, changed) = self.as_owner(|c| {
            let reaches: i64 = c
                .query_one(
                    "SELECT count(*) FROM slate.terminals WHERE revoked_at IS NULL
                     AND ($1 = 'room' OR ($1 = 'group' AND grp = $2)
                          OR ($1 = 'terminal' AND name = $2))",
                    &[&scope_text, &target],
                )?
                .get(0);
            if scope == RoomScope::Terminal && reaches == 0 {
                return Ok((0, None));
            }
            let changed: bool = c
                .query_one(
                    "SELECT slate.put_setting($1, $2, $3, $4, $5)",
                    &[&scope_text, &target, &key, &value, &by],
                )?
                .get(0);
            Ok((reaches, Some(changed)))
        })?;
        let Some(changed) = changed else {
            return Err(StoreError::Room(format!(
                "the room has no terminal {target} (slatectl fleet terminals lists them)"
            )));
        };
        Ok(PutSetting { changed, reaches })
    }

    /// Every terminal's chain as the room holds it, with the terminal's last check of it (the
    /// audit as a whole: see [`super::checks`]).
    pub fn room_audit(&mut self) -> Result<Vec<ChainInRoom>, StoreError> {
        let rows = self.as_owner(|c| c.query(checks::QUERY, &[]))?;
        checks::chains(&rows).map_err(away)
    }

    /// Every value the room holds.
    pub fn settings(&mut self) -> Result<Vec<RoomSettingRow>, StoreError> {
        let found = self.as_owner(|c| {
            c.query(
                "SELECT scope, target, key, value, changed_at, changed_by
                 FROM slate.room_settings()",
                &[],
            )
        })?;
        settings::rows(&found).map_err(away)
    }

    /// Runs SQL as this administrator (tests look behind the functions with it).
    #[cfg(any(test, feature = "test-util"))]
    pub fn client(&mut self) -> &mut postgres::Client {
        &mut self.client
    }
}
