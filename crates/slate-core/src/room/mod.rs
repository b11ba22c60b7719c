//! A room of terminals: the link from one terminal to the PostgreSQL database the room shares.
//! This module owns how a terminal joins (its credentials in `room.toml` in the data folder,
//! readable by the session service only), the connection (TLS required unless over a local
//! socket; short timeouts, so a database that is away is found out in seconds, never waited
//! for), the room's schema ([`schema`]) and the operations a terminal does on it: accounts and
//! their throttling ([`Room::find_account`] and its siblings).
//!
//! The store ([`crate::store::Store`]) is the only caller: it routes what the room shares to
//! here when the terminal has joined one, and keeps everything else in the terminal's own
//! SQLite file. Every operation is one call of a function in the database, committed on its
//! own: a terminal's role can read no table of accounts, only what those functions return.
//! Administering the room (making it, adding and revoking terminals) is [`fleet`].

pub mod checks;
pub mod desk;
pub mod fleet;
pub mod passes;
pub mod schema;
pub mod settings;

use std::fmt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use zeroize::Zeroizing;

use crate::accounts::{Account, AccountSummary, DailyTime, Role};
use crate::audit::AuditRecord;
use crate::auth::Username;
use crate::records::SessionRecord;
use crate::store_error::StoreError;

/// How long connecting, and each statement, may take before the room counts as away.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// How long a room that could not be reached, slowly, counts as away before it is tried again.
const AWAY_FOR: Duration = Duration::from_secs(3);

/// A failed connection that took this long is a slow one (see [`AWAY_FOR`]).
const SLOW_FAILURE: Duration = Duration::from_secs(1);

/// The file in the data folder that says which room the terminal is in (mode 0600).
pub const CONFIG_FILE: &str = "room.toml";

/// A terminal's name in the room: lower-case letters, digits and hyphens, 1 to 40, starting
/// with a letter (`desk-1`, `kids-3`). Its database role is `slate_t_` and the name with
/// underscores for hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TerminalName(String);

impl TerminalName {
    pub fn parse(text: &str) -> Result<Self, String> {
        let ok = (1..=40).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!(
                "\"{text}\" is not a terminal name: use 1 to 40 lower-case letters, digits and hyphens, starting with a letter."
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The terminal's login role in the database.
    pub fn role(&self) -> String {
        format!("slate_t_{}", self.0.replace('-', "_"))
    }
}

impl TryFrom<String> for TerminalName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<TerminalName> for String {
    fn from(n: TerminalName) -> Self {
        n.0
    }
}

impl fmt::Display for TerminalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a room's database is and how to reach it: a `postgres://` URL (host, port, database,
/// user; never a password in it) and the CA that signed the server's certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    pub ca_file: Option<PathBuf>,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

impl Endpoint {
    /// Checks a URL: `postgres://` or `postgresql://`, with a host and a database, and no
    /// password in it (the password is asked for apart, so it is never in a shell's history).
    pub fn parse(url: &str, ca_file: Option<PathBuf>) -> Result<Self, String> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| format!("\"{url}\" is not a PostgreSQL URL ({e})."))?;
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(format!(
                "\"{url}\" is not a PostgreSQL URL: it starts with postgres://."
            ));
        }
        if config.get_password().is_some() {
            return Err(
                "The URL holds a password; give the URL without it, and the password when asked."
                    .into(),
            );
        }
        if config.get_hosts().is_empty() || config.get_dbname().is_none() {
            return Err(format!(
                "\"{url}\" names no host or no database (postgres://HOST/DATABASE)."
            ));
        }
        if config.get_user().is_none() {
            return Err(format!(
                "\"{url}\" names no user (postgres://USER@HOST/DATABASE)."
            ));
        }
        if let Some(ca) = &ca_file {
            if !ca.is_file() {
                return Err(format!("The CA file {} does not exist.", ca.display()));
            }
        }
        Ok(Self {
            url: url.to_owned(),
            ca_file,
        })
    }

    fn config(&self) -> postgres::Config {
        self.url.parse().expect("checked by Endpoint::parse")
    }

    /// The user the URL names.
    pub fn user(&self) -> String {
        self.config().get_user().unwrap_or_default().to_owned()
    }

    /// The database the URL names.
    pub fn database(&self) -> String {
        self.config().get_dbname().unwrap_or_default().to_owned()
    }

    /// A terminal's way in: `url` (with or without a user) as the terminal's own role.
    pub fn for_terminal(
        url: &str,
        ca_file: Option<PathBuf>,
        terminal: &TerminalName,
    ) -> Result<Self, String> {
        let mut u = url::Url::parse(url).map_err(|e| format!("\"{url}\" is not a URL ({e})."))?;
        u.set_username(&terminal.role())
            .map_err(|()| format!("\"{url}\" cannot name a user."))?;
        Self::parse(u.as_str(), ca_file)
    }

    /// The same server and database as another user.
    pub fn as_user(&self, user: &str) -> Result<Self, String> {
        let mut url = url::Url::parse(&self.url).map_err(|e| e.to_string())?;
        url.set_username(user)
            .map_err(|()| "The URL cannot hold a user.".to_owned())?;
        Self::parse(url.as_str(), self.ca_file.clone())
    }

    /// Connects with `password`: TLS with the server's certificate and name checked (against
    /// the CA file, or the system's CAs), unless the host is a local socket folder.
    pub fn connect(&self, password: &str) -> Result<postgres::Client, StoreError> {
        let mut config = self.config();
        let local_socket = config
            .get_hosts()
            .iter()
            .all(|h| matches!(h, postgres::config::Host::Unix(_)));
        config
            .password(password)
            .connect_timeout(TIMEOUT)
            .tcp_user_timeout(TIMEOUT)
            .keepalives_idle(Duration::from_secs(10))
            .application_name("slate")
            .options(&format!("-c statement_timeout={}", TIMEOUT.as_millis()));
        if local_socket {
            return config.connect(postgres::NoTls).map_err(away);
        }
        config.ssl_mode(postgres::config::SslMode::Require);
        let mut tls = native_tls::TlsConnector::builder();
        if let Some(ca) = &self.ca_file {
            let pem = std::fs::read(ca).map_err(|e| {
                StoreError::Room(format!("the CA file {} cannot be read: {e}", ca.display()))
            })?;
            let cert = native_tls::Certificate::from_pem(&pem).map_err(|e| {
                StoreError::Room(format!(
                    "the CA file {} is not a certificate: {e}",
                    ca.display()
                ))
            })?;
            tls.add_root_certificate(cert);
        }
        let tls = tls
            .build()
            .map_err(|e| StoreError::Room(format!("TLS cannot be set up: {e}")))?;
        config
            .connect(postgres_native_tls::MakeTlsConnector::new(tls))
            .map_err(away)
    }
}

/// A name made safe to put in SQL as an identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Turns the client's error into the store's: what the database refused, in its words, or that
/// it could not be reached.
fn away(e: postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) => StoreError::Room(db.message().to_owned()),
        None => StoreError::RoomAway(source_text(&e)),
    }
}

/// The innermost cause's text ("connection refused", "timed out"), which says more than the
/// client's "error connecting to server".
fn source_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text = c.to_string();
        cause = c.source();
    }
    text
}

/// What `room.toml` holds: the terminal's name, where the room is, and the terminal's
/// password (only the session service, as root, reads it).
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    terminal: TerminalName,
    url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ca_file: Option<PathBuf>,
    password: Zeroizing<String>,
}

/// A terminal's place in a room, as `slatectl fleet join` wrote it.
#[derive(Clone)]
pub struct Membership {
    pub terminal: TerminalName,
    pub endpoint: Endpoint,
    password: Zeroizing<String>,
}

impl fmt::Debug for Membership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Membership")
            .field("terminal", &self.terminal)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Membership {
    pub fn new(terminal: TerminalName, endpoint: Endpoint, password: Zeroizing<String>) -> Self {
        Self {
            terminal,
            endpoint,
            password,
        }
    }

    /// Reads `room.toml` from the data folder; `None` when the terminal is in no room.
    pub fn load(data_dir: &Path) -> Result<Option<Self>, StoreError> {
        let path = data_dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => Zeroizing::new(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StoreError::Room(format!(
                    "{} cannot be read: {e}",
                    path.display()
                )))
            }
        };
        let bad = |why: String| StoreError::Room(format!("{} is not valid: {why}", path.display()));
        let file: ConfigFile = toml::from_str(&text).map_err(|e| bad(e.message().to_owned()))?;
        let endpoint = Endpoint::parse(&file.url, file.ca_file).map_err(bad)?;
        Ok(Some(Self {
            terminal: file.terminal,
            endpoint,
            password: file.password,
        }))
    }

    /// Writes `room.toml` into the data folder, readable by its owner only (written whole
    /// under another name first, so a half-written file is never read).
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let file = ConfigFile {
            terminal: self.terminal.clone(),
            url: self.endpoint.url.clone(),
            ca_file: self.endpoint.ca_file.clone(),
            password: self.password.clone(),
        };
        let text = Zeroizing::new(toml::to_string(&file).map_err(std::io::Error::other)?);
        let tmp = data_dir.join(format!("{CONFIG_FILE}.new"));
        let _ = std::fs::remove_file(&tmp);
        {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
        }
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
        std::fs::rename(&tmp, data_dir.join(CONFIG_FILE))
    }

    /// Connects as the terminal.
    pub fn connect(&self) -> Result<postgres::Client, StoreError> {
        self.endpoint.connect(&self.password)
    }
}

/// A terminal's live link to its room: the membership and one connection, made again when it
/// was lost. Each operation says [`StoreError::RoomAway`] when the database cannot be reached.
pub struct Room {
    membership: Membership,
    client: Mutex<Option<postgres::Client>>,
    /// The room's throttle key once read (it never changes).
    throttle_key: Mutex<Option<Zeroizing<[u8; 32]>>>,
    /// Until when the room counts as away without trying again, after a connection failed
    /// slowly (so a room whose network drops what is sent costs one timeout, not one per call).
    away_until: Mutex<Option<(std::time::Instant, String)>>,
}

impl fmt::Debug for Room {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Room")
            .field("membership", &self.membership)
            .finish_non_exhaustive()
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Room {
    /// A link to the room; nothing is connected until the first operation, so a terminal
    /// whose room is away still starts.
    pub fn new(membership: Membership) -> Self {
        Self {
            membership,
            client: Mutex::new(None),
            throttle_key: Mutex::new(None),
            away_until: Mutex::new(None),
        }
    }

    /// This terminal's name in the room.
    pub fn terminal(&self) -> &TerminalName {
        &self.membership.terminal
    }

    /// How the terminal reaches the room.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// The name the terminal's file keeps how far the room has its audit under: this room and
    /// this name in it (a terminal that joins another room, or the same one under a new name,
    /// sends its whole log there from the start).
    pub fn cursor_name(&self) -> String {
        format!(
            "room {} {}",
            self.membership.terminal, self.membership.endpoint.url
        )
    }

    /// Runs `f` on the connection, connecting first if there is none (checking the schema's
    /// version once per connection). A connection that broke is dropped, so the next
    /// operation connects again; `f` (which is safe to run twice: it reads, or writes what it
    /// would write again) is run once more on a new connection when the one kept from before
    /// turns out closed (the server was restarted since it was last used).
    fn with<T: Send>(
        &self,
        f: impl FnMut(&mut postgres::Client) -> Result<T, postgres::Error> + Send,
    ) -> Result<T, StoreError> {
        self.call(true, f)
    }

    /// [`Room::with`] for a statement that must not run twice (it counts, or it makes or
    /// removes something): never sent again, whatever happened to the connection.
    fn once<T: Send>(
        &self,
        f: impl FnMut(&mut postgres::Client) -> Result<T, postgres::Error> + Send,
    ) -> Result<T, StoreError> {
        self.call(false, f)
    }

    fn call<T: Send>(
        &self,
        again: bool,
        mut f: impl FnMut(&mut postgres::Client) -> Result<T, postgres::Error> + Send,
    ) -> Result<T, StoreError> {
        let mut run = || {
            let mut slot = self.client.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.as_ref().is_some_and(postgres::Client::is_closed) {
                *slot = None;
            }
            let mut retried = false;
            loop {
                let fresh = slot.is_none();
                if fresh {
                    let mut away_until = self
                        .away_until
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    if let Some((until, why)) = away_until.as_ref() {
                        if std::time::Instant::now() < *until {
                            return Err(StoreError::RoomAway(why.clone()));
                        }
                    }
                    let trying = std::time::Instant::now();
                    let client = self.membership.connect();
                    match &client {
                        // Only a slow failure (a timeout: the network drops what is sent) is
                        // remembered; a refusal costs nothing to meet again.
                        Err(StoreError::RoomAway(why)) if trying.elapsed() >= SLOW_FAILURE => {
                            *away_until = Some((std::time::Instant::now() + AWAY_FOR, why.clone()));
                        }
                        _ => *away_until = None,
                    }
                    drop(away_until);
                    let mut client = client?;
                    schema::check_version(&mut client)?;
                    *slot = Some(client);
                }
                let client = slot.as_mut().expect("connected above");
                let result = f(client);
                if client.is_closed() {
                    *slot = None;
                }
                match result {
                    // A connection kept from before, which the server has closed since (it was
                    // restarted): the statement never left, so it goes once more on a new one.
                    Err(e) if again && e.is_closed() && !fresh && !retried => retried = true,
                    other => return other.map_err(away),
                }
            }
        };
        // The client runs its own small runtime, which cannot start on a thread that is
        // running tokio's tasks (the session manager's): there, the call is made on a thread
        // of its own, and waited for as any other blocking call of the store is.
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|scope| {
                std::thread::Builder::new()
                    .name("slate-room".into())
                    .spawn_scoped(scope, run)
                    .map_err(|e| StoreError::Room(format!("no thread for the room's call: {e}")))?
                    .join()
                    .unwrap_or_else(|_| Err(StoreError::Room("the room's call failed".into())))
            })
        } else {
            run()
        }
    }

    /// Whether the room answers now (connecting if need be).
    pub fn reachable(&self) -> Result<(), StoreError> {
        self.with(|c| c.batch_execute("SELECT 1"))
    }

    /// The key the room's sign-in throttle stores names under, the same on every terminal.
    pub fn throttle_key(&self) -> Result<Zeroizing<[u8; 32]>, StoreError> {
        if let Some(key) = &*self
            .throttle_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
        {
            return Ok(key.clone());
        }
        let hex_key: Option<String> = self
            .with(|c| c.query_one("SELECT slate.throttle_key()", &[]))?
            .get(0);
        let hex_key = hex_key.ok_or_else(|| {
            StoreError::Room("the room has no throttle key: run slatectl fleet init again".into())
        })?;
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(hex_key.as_bytes(), &mut key[..])
            .map_err(|_| StoreError::Room("the room's throttle key is not 32 bytes".into()))?;
        *self
            .throttle_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(key.clone());
        Ok(key)
    }

    /// The account with this username (case-insensitively), hash included: one account per
    /// call, which is all a terminal can read of the hashes.
    pub fn find_account(&self, username: &Username) -> Result<Option<Account>, StoreError> {
        let row = self.with(|c| {
            c.query_opt(
                "SELECT id, username, display_name, role, enabled, locked, password_hash,
                        created_at, daily_allowance_secs
                 FROM slate.account($1)",
                &[&username.key()],
            )
        })?;
        row.map(|r| account(&r)).transpose()
    }

    /// Every account, by username, without hashes.
    pub fn list_accounts(&self) -> Result<Vec<AccountSummary>, StoreError> {
        let rows = self.with(|c| {
            c.query(
                "SELECT id, username, display_name, role, enabled, locked, '' AS password_hash,
                        created_at, daily_allowance_secs
                 FROM slate.accounts()",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| account(r).map(AccountSummary::from))
            .collect()
    }

    /// How many administrators there are (only the enabled ones when `enabled_only`).
    pub fn count_admins(&self, enabled_only: bool) -> Result<i64, StoreError> {
        Ok(self
            .with(|c| c.query_one("SELECT slate.count_admins($1)", &[&enabled_only]))?
            .get(0))
    }

    /// Adds an account; `false` when the username is taken. Audited in the room.
    pub fn create_account(
        &self,
        username: &Username,
        display_name: &str,
        role: Role,
        password_hash: &str,
        at: &str,
        first_admin: bool,
    ) -> Result<bool, StoreError> {
        let role = role_text(role);
        let (name, key) = (username.as_str(), username.key());
        let row = self.once(|c| {
            if first_admin {
                c.query_one(
                    "SELECT slate.create_first_admin($1, $2, $3, $4, $5)",
                    &[&name, &key, &display_name, &password_hash, &at],
                )
            } else {
                c.query_one(
                    "SELECT slate.create_account($1, $2, $3, $4, $5, $6)",
                    &[&name, &key, &display_name, &role, &password_hash, &at],
                )
            }
        })?;
        Ok(row.get(0))
    }

    /// One change to an account, through the room's audited function for it; `false` when
    /// there is no such account.
    pub fn change_account(
        &self,
        username: &Username,
        change: &AccountChange<'_>,
    ) -> Result<bool, StoreError> {
        let key = username.key();
        let row = self.once(|c| match change {
            AccountChange::Remove => c.query_one("SELECT slate.remove_account($1)", &[&key]),
            AccountChange::Password { hash, at } => c.query_one(
                "SELECT slate.set_password_hash($1, $2, $3)",
                &[&key, hash, at],
            ),
            AccountChange::Enabled(on) => {
                c.query_one("SELECT slate.set_enabled($1, $2)", &[&key, on])
            }
            AccountChange::Locked(on) => {
                c.query_one("SELECT slate.set_locked($1, $2)", &[&key, on])
            }
            AccountChange::DailyTime(daily) => c.query_one(
                "SELECT slate.set_daily_allowance($1, $2)",
                &[&key, &daily.to_column()],
            ),
        })?;
        Ok(row.get(0))
    }

    /// A name's throttle row, as [`crate::store::Store::throttle_state`] reads it locally.
    pub fn throttle_row(&self, digest: &str) -> Result<Option<ThrottleRow>, StoreError> {
        let row = self.with(|c| {
            c.query_opt(
                "SELECT failures, last_failure_at, last_failure_boot, last_failure_ms,
                        last_attempt_at, last_attempt_boot, last_attempt_ms
                 FROM slate.throttle_state($1)",
                &[&digest],
            )
        })?;
        Ok(row.map(|r| ThrottleRow {
            failures: r.get(0),
            last_failure: (r.get(1), r.get(2), r.get(3)),
            last_attempt: (r.get(4), r.get(5), r.get(6)),
        }))
    }

    /// One more failure for a name (and forgets names quiet for a day, by the database's
    /// clock); returns its count.
    pub fn throttle_fail(
        &self,
        digest: &str,
        at: &str,
        boot: &str,
        since_boot: Duration,
    ) -> Result<i32, StoreError> {
        Ok(self
            .once(|c| {
                c.query_one(
                    "SELECT slate.throttle_fail($1, $2, $3, $4)",
                    &[&digest, &at, &boot, &ms(since_boot)],
                )
            })?
            .get(0))
    }

    /// An attempt checked during a name's cool-down.
    pub fn throttle_checked(
        &self,
        digest: &str,
        at: &str,
        boot: &str,
        since_boot: Duration,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "SELECT slate.throttle_checked($1, $2, $3, $4)",
                &[&digest, &at, &boot, &ms(since_boot)],
            )
        })?;
        Ok(())
    }

    /// Stores records of this terminal's audit chain, and the sessions they speak of as they
    /// are now, in one transaction. A record the room has already (sent before, and the
    /// terminal did not hear it arrive) is not stored twice; one the room holds with another
    /// mac is refused, the whole batch with it.
    pub fn put_records(
        &self,
        records: &[AuditRecord],
        sessions: &[SessionRecord],
    ) -> Result<(), StoreError> {
        let mismatch = self.with(|c| {
            let mut tx = c.transaction()?;
            let insert = tx.prepare(
                "INSERT INTO slate.audit (terminal, seq, at, utc_offset_secs, label, event,
                                          username, session_id, duration_ms, details, mac)
                 VALUES (slate.my_terminal(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (terminal, seq) DO NOTHING
                 RETURNING seq",
            )?;
            let held = tx.prepare(
                "SELECT mac FROM slate.audit WHERE terminal = slate.my_terminal() AND seq = $1",
            )?;
            for r in records {
                let offset = i32::try_from(r.utc_offset_secs).unwrap_or(0);
                let stored = tx.query_opt(
                    &insert,
                    &[
                        &r.seq,
                        &r.at,
                        &offset,
                        &r.terminal,
                        &r.event,
                        &r.username,
                        &r.session_id,
                        &r.duration_ms,
                        &r.details,
                        &r.mac,
                    ],
                )?;
                if stored.is_none() {
                    let mac: String = tx.query_one(&held, &[&r.seq])?.get(0);
                    if mac != r.mac {
                        return Ok(Some(r.seq));
                    }
                }
            }
            let upsert = tx.prepare(
                "INSERT INTO slate.sessions AS s (terminal, id, username, source, display_name,
                                                 kind, started_at, ended_at, end_reason,
                                                 duration_ms, erased)
                 VALUES (slate.my_terminal(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (terminal, id) DO UPDATE
                 SET ended_at = excluded.ended_at, end_reason = excluded.end_reason,
                     duration_ms = excluded.duration_ms, erased = excluded.erased",
            )?;
            for s in sessions {
                tx.execute(
                    &upsert,
                    &[
                        &s.id,
                        &s.username,
                        &s.source.map(crate::accounts::Source::as_str),
                        &s.display_name,
                        &words(&s.kind),
                        &s.started_at,
                        &s.ended_at,
                        &s.end_reason.map(|r| words(&r)),
                        &s.duration_ms,
                        &s.erased,
                    ],
                )?;
            }
            tx.commit()?;
            Ok(None)
        })?;
        match mismatch {
            None => Ok(()),
            Some(seq) => Err(StoreError::Room(format!(
                "the room holds another record {seq} of this terminal's audit log than the terminal does"
            ))),
        }
    }

    /// A person's ended sessions at the room's other terminals overlapping `from`..`to` (as
    /// stored): each one's start and end.
    pub fn sessions_elsewhere(
        &self,
        username: &str,
        source: Option<crate::accounts::Source>,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let source = source.map(crate::accounts::Source::as_str);
        let rows = self.with(|c| {
            c.query(
                "SELECT started_at, ended_at FROM slate.sessions_elsewhere($1, $2, $3, $4)",
                &[&username, &source, &from, &to],
            )
        })?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// This terminal's audit chain as the room holds it, in order.
    pub fn own_chain(&self) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = self.with(|c| {
            c.query(
                "SELECT seq, at, utc_offset_secs, label, event, username, session_id,
                        duration_ms, details, mac
                 FROM slate.audit WHERE terminal = slate.my_terminal() ORDER BY seq",
                &[],
            )
        })?;
        Ok(rows
            .iter()
            .map(|r| AuditRecord {
                seq: r.get(0),
                at: r.get(1),
                utc_offset_secs: i64::from(r.get::<_, i32>(2)),
                terminal: r.get(3),
                event: r.get(4),
                username: r.get(5),
                session_id: r.get(6),
                duration_ms: r.get(7),
                details: r.get(8),
                mac: r.get(9),
            })
            .collect())
    }

    /// Forgets a name's failures.
    pub fn throttle_clear(&self, digest: &str) -> Result<(), StoreError> {
        self.with(|c| c.execute("SELECT slate.throttle_clear($1)", &[&digest]))?;
        Ok(())
    }
}

/// A change [`Room::change_account`] makes.
#[derive(Debug, Clone, Copy)]
pub enum AccountChange<'a> {
    Remove,
    Password { hash: &'a str, at: &'a str },
    Enabled(bool),
    Locked(bool),
    DailyTime(DailyTime),
}

/// A throttle row as the room keeps it: each moment as (wall time, boot id, ms since boot).
#[derive(Debug, Clone)]
pub struct ThrottleRow {
    pub failures: i32,
    pub last_failure: (String, String, i64),
    pub last_attempt: (String, String, i64),
}

/// A fieldless enum's serde name (`time_limit`, `guest`): how the room's rows spell it, as
/// the terminal's file does.
fn words(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn role_text(role: Role) -> &'static str {
    match role {
        Role::User => "user",
        Role::Admin => "admin",
    }
}

fn account(r: &postgres::Row) -> Result<Account, StoreError> {
    let role: String = r.get(3);
    let role = match role.as_str() {
        "user" => Role::User,
        "admin" => Role::Admin,
        other => {
            return Err(StoreError::Room(format!(
                "the room holds an account of an unknown role \"{other}\""
            )))
        }
    };
    Ok(Account {
        id: r.get(0),
        username: r.get(1),
        display_name: r.get(2),
        role,
        enabled: r.get(4),
        locked: r.get(5),
        password_hash: r.get(6),
        created_at: r.get(7),
        daily_time: DailyTime::from_column(r.get(8)),
    })
}
