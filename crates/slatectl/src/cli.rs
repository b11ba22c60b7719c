//! The command line's shape: the clap types for every subcommand and their help text, with the
//! environment variables and exit codes `--help` and the man pages list. Nothing here runs a
//! command; `main` parses these and hands each group to its module. It is the crate's library
//! so that `slate-docgen` can write the man pages and shell completions from the same types.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueHint};
use serde::{Deserialize, Serialize};
use slate_core::audit::{self, Event};

/// Administer a Slate kiosk: its accounts, settings, sessions and audit log.
///
/// slatectl works on the same database as the kiosk and may run while the kiosk runs. Passwords
/// come from a no-echo prompt, or from standard input with --password-stdin; never from the
/// command line. --json prints machine-readable output. An error is one sentence on standard
/// error, with an exit code a script can rely on.
#[derive(Debug, Parser)]
#[command(name = "slatectl", version, after_long_help = after_long_help())]
pub struct Cli {
    /// The kiosk's data folder, opened directly [default: /var/lib/slate for root, else the XDG
    /// data folder, e.g. ~/.local/share/slate]
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "SLATE_DATA_DIR",
        value_hint = ValueHint::DirPath
    )]
    pub data_dir: Option<PathBuf>,

    /// The policy file whose keys override and lock settings [default: /etc/slate/policy.toml]
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "SLATE_POLICY",
        value_hint = ValueHint::FilePath
    )]
    pub policy: Option<PathBuf>,

    /// The session service's socket; with the service running there, it runs the command
    /// [default: /run/slate/slate.sock, else slate.sock in the runtime folder, if either is there]
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        env = "SLATE_SOCKET",
        value_hint = ValueHint::FilePath
    )]
    pub socket: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The environment variables slatectl reads, and what for (the man page's ENVIRONMENT).
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "SLATE_DATA_DIR",
        "The data folder, when --data-dir is not given.",
    ),
    (
        "SLATE_POLICY",
        "The policy file, when --policy is not given.",
    ),
    (
        "SLATE_SOCKET",
        "The session service's socket, when --socket is not given.",
    ),
];

/// The end of `slatectl --help`: the environment and the exit codes.
fn after_long_help() -> String {
    slate_core::exit::help_tail(ENVIRONMENT)
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum Command {
    /// Check the data folder and its database (integrity, schema) and say whether the kiosk is
    /// set up.
    Check,
    /// Whether the terminal is ready, in use, or needs attention; the last wipe, the audit
    /// head and the policy file. --json adds the state in one word, the version, the terminal's
    /// name and the service's uptime, for monitoring.
    Status {
        /// A monitoring check (Nagios, Icinga, Zabbix): one line, and exit 0 (ready or in use),
        /// 1 (not set up), 2 (needs attention, or the session service is not running) or 3
        /// (the terminal cannot be read).
        #[arg(long, conflicts_with = "metrics")]
        check: bool,
        /// Prometheus's text format (for the textfile collector of node-exporter): the state,
        /// sessions and their lengths, endings by reason, failed sign-ins, failed wipes.
        #[arg(long)]
        metrics: bool,
    },
    /// Set up the kiosk from a shell: create the first administrator.
    Init {
        /// The administrator's username.
        #[arg(long, value_name = "NAME")]
        admin: String,
        #[command(flatten)]
        new: NewAccount,
    },
    /// Manage local accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Read and change settings (defaults < administrator < policy file).
    #[command(subcommand, after_help = settings_help())]
    Config(ConfigCommand),
    /// See and end sessions.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Read and check the tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Usage statistics over local days: sessions and time in use per day, per hour of the
    /// week, by ending and by source; members, guests and staff; average and median length.
    Stats {
        /// The first day, e.g. 2026-11-01 [default: 29 days before --until]
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// The last day, included [default: today]
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Print CSV (measure,key,sessions,minutes: one row per figure) instead of text.
        #[arg(long)]
        csv: bool,
    },
    /// Try the account sources (a directory, the machine's accounts, a library's catalogue).
    #[command(subcommand)]
    Source(SourceCommand),
    /// One-time guest passes: make a batch to print, list them, revoke unused ones.
    #[command(subcommand, name = "guest-pass")]
    GuestPass(GuestPassCommand),
    /// A room of terminals sharing one PostgreSQL database: make the room, add and revoke
    /// terminals (with a PostgreSQL administrator's --url), join this terminal to a room.
    #[command(subcommand)]
    Fleet(FleetCommand),
    /// Make a desktop account boot straight into Slate (run as root).
    #[command(subcommand)]
    Kiosk(KioskCommand),
    /// Check policy files before deploying them (needs no data folder or root).
    #[command(subcommand)]
    Policy(PolicyCommand),
}

/// What a command does with the data folder: the one list `main` opens it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataDirUse {
    /// Opens no database (`kiosk`, `policy`).
    Unused,
    /// Only reads: the folder must exist already and is never created, so a mistyped
    /// `--data-dir` leaves nothing behind.
    Reads,
    /// Sets Slate up or changes it: a missing folder is created (mode 0700).
    Changes,
}

impl Command {
    /// How this command uses the data folder. Every subcommand is named (no catch-all), so a
    /// new one must say whether it only reads.
    pub fn data_dir_use(&self) -> DataDirUse {
        use DataDirUse::{Changes, Reads, Unused};
        match self {
            // `fleet` works on the room's database or the membership file, except the
            // commands on this terminal's place in its room.
            Self::Fleet(cmd) => match cmd {
                FleetCommand::Status => Reads,
                FleetCommand::End { .. }
                | FleetCommand::EndUser { .. }
                | FleetCommand::Message { .. } => Changes,
                _ => Unused,
            },
            Self::Kiosk(_) | Self::Policy(_) => Unused,
            // `source test` only reads the settings (the test is audited).
            Self::Check | Self::Status { .. } | Self::Stats { .. } | Self::Source(_) => Reads,
            Self::GuestPass(cmd) => match cmd {
                GuestPassCommand::List => Reads,
                GuestPassCommand::Create { .. } | GuestPassCommand::Revoke { .. } => Changes,
            },
            Self::Init { .. } => Changes,
            Self::User(cmd) => match cmd {
                UserCommand::List => Reads,
                UserCommand::Add { .. }
                | UserCommand::Remove { .. }
                | UserCommand::Passwd { .. }
                | UserCommand::Disable { .. }
                | UserCommand::Enable { .. }
                | UserCommand::Unlock { .. }
                | UserCommand::Set { .. } => Changes,
            },
            Self::Config(cmd) => match cmd {
                ConfigCommand::Show | ConfigCommand::Get { .. } => Reads,
                ConfigCommand::Set { .. } | ConfigCommand::Unset { .. } => Changes,
            },
            Self::Session(cmd) => match cmd {
                SessionCommand::List { .. } => Reads,
                SessionCommand::End { .. } => Changes,
            },
            Self::Audit(cmd) => match cmd {
                AuditCommand::Verify { .. }
                | AuditCommand::Forward(_)
                | AuditCommand::Anchor
                | AuditCommand::List { .. }
                | AuditCommand::Export { .. } => Reads,
                AuditCommand::Prune => Changes,
            },
        }
    }
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum GuestPassCommand {
    /// Make COUNT passes, each good for MINUTES on one terminal, once, until the end of DATE
    /// (this terminal's time zone). The codes are printed this once (--html: a sheet to print,
    /// two columns of cards: `slatectl guest-pass create … --html > passes.html`), and only their
    /// digests are kept.
    Create {
        #[arg(long, value_name = "COUNT")]
        count: u32,
        #[arg(long, value_name = "MINUTES")]
        minutes: u32,
        /// The last day the passes work, e.g. 2026-12-31.
        #[arg(long, value_name = "DATE")]
        valid_until: String,
        /// Print a printable HTML sheet instead of a list.
        #[arg(long)]
        html: bool,
        /// A heading for each pass on the sheet, e.g. the library's name.
        #[arg(long, value_name = "TEXT", default_value = "")]
        title: String,
    },
    /// Every pass: its number, batch, minutes, last day and whether it is unused, used (when),
    /// out of date or revoked. Never a code.
    List,
    /// Revoke an unused pass by its number, or every unused pass of a batch.
    Revoke {
        #[arg(
            value_name = "NUMBER",
            required_unless_present = "batch",
            conflicts_with = "batch"
        )]
        id: Option<i64>,
        #[arg(long, value_name = "BATCH")]
        batch: Option<String>,
    },
}

/// Where a room's database is, as its PostgreSQL administrator reaches it.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
pub struct RoomDatabase {
    /// The database, as a PostgreSQL administrator (a superuser, or a role that may create
    /// roles and owns the database): `postgres://USER@HOST[:PORT]/DATABASE`. No password in it:
    /// it is read from PGPASSWORD, else asked for.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// The CA certificate (PEM) that signed the server's certificate [default: the system's CAs]
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub ca: Option<PathBuf>,
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum FleetCommand {
    /// Make the room in an empty PostgreSQL database: its roles (`slate_owner`, `slate_terminal`),
    /// its schema and the first Slate administrator. Run again, it brings the schema up to date
    /// and changes nothing else.
    Init {
        #[command(flatten)]
        db: RoomDatabase,
        /// The first administrator's username.
        #[arg(long, value_name = "NAME")]
        admin: String,
        #[command(flatten)]
        new: NewAccount,
    },
    /// Bring the room's schema up to this Slate's version (after upgrading Slate).
    Upgrade {
        #[command(flatten)]
        db: RoomDatabase,
    },
    /// Add a terminal: its own database role. Prints the password to give `fleet join` on
    /// that terminal, this once.
    Add {
        /// The terminal's name: lower-case letters, digits and hyphens (desk-1, kids-3).
        terminal: String,
        /// The group of terminals it is in (e.g. children).
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        #[command(flatten)]
        db: RoomDatabase,
    },
    /// Revoke a terminal: its credential stops working at once (its open connections are
    /// ended); its sessions and records stay in the room.
    Revoke {
        terminal: String,
        #[command(flatten)]
        db: RoomDatabase,
    },
    /// Every terminal the room has had: its group, when it was added, whether it is revoked.
    Terminals {
        #[command(flatten)]
        db: RoomDatabase,
    },
    /// Put TERMINAL in GROUP (e.g. children), or in no group without GROUP. The group's
    /// settings apply to it from then on.
    Group {
        terminal: String,
        group: Option<String>,
        #[command(flatten)]
        db: RoomDatabase,
    },
    /// Set the room's value of a setting: for every terminal, for one group (--group), or for
    /// one terminal (--terminal). At a terminal the most particular applies; its policy file
    /// is above them all.
    Set {
        key: String,
        value: String,
        #[command(flatten)]
        scope: RoomScopeArgs,
        #[command(flatten)]
        db: RoomDatabase,
    },
    /// Remove the room's value of a setting for every terminal, a group or a terminal (the
    /// next one applies: the group's, the room's, or the default).
    Unset {
        key: String,
        #[command(flatten)]
        scope: RoomScopeArgs,
        #[command(flatten)]
        db: RoomDatabase,
    },
    /// Every value of a setting the room holds: for whom, when it was set, and by whom.
    Settings {
        #[command(flatten)]
        db: RoomDatabase,
    },
    /// The audit of the whole room: for every terminal, the records the room holds, any missing
    /// between its first and its last, and the terminal's own last check of its chain there
    /// (with its key). Exits 10 if a record is missing or a check failed.
    Audit {
        #[command(flatten)]
        db: RoomDatabase,
    },
    /// Join this terminal to a room (run as root on the terminal): checks the terminal's
    /// credential, then keeps it in room.toml in the data folder, readable by root only.
    /// Restart the session service afterwards.
    Join {
        terminal: String,
        /// The room's database: `postgres://HOST[:PORT]/DATABASE` (the user is the terminal's
        /// role, filled in).
        #[arg(long, value_name = "URL")]
        url: String,
        /// The CA certificate (PEM) that signed the server's certificate.
        #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
        ca: Option<PathBuf>,
        /// Read the terminal's password from standard input (one line) instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Take this terminal out of its room (removes room.toml). Restart the session service
    /// afterwards: it uses its own accounts again.
    Leave,
    /// Every terminal of this terminal's room: its group and state (ready, in use by whom and
    /// until when, needs attention and why, offline since when).
    Status,
    /// End the session at TERMINAL now (it is wiped and audited there, with who asked from
    /// where).
    End { terminal: String },
    /// End every session USERNAME has open in the room, at every terminal ("log out
    /// everywhere").
    EndUser { username: String },
    /// Show the person signed in at TERMINAL a message (1 to 500 characters), as a dialog.
    Message { terminal: String, text: String },
}

impl FleetCommand {
    /// Whether the command works through this terminal's own place in its room (the session
    /// service runs it), rather than on the room's database with its administrator's URL or
    /// on the terminal's membership file.
    pub fn on_this_terminal(&self) -> bool {
        matches!(
            self,
            Self::Status | Self::End { .. } | Self::EndUser { .. } | Self::Message { .. }
        )
    }
}

/// Whom a room's value of a setting is for: the whole room unless one of these is given.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
#[group(multiple = false)]
pub struct RoomScopeArgs {
    /// For the terminals of this group.
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
    /// For this terminal alone.
    #[arg(long, value_name = "TERMINAL")]
    pub terminal: Option<String>,
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum PolicyCommand {
    /// Check FILE alone (a policy file or one drop-in): each problem with its file and line,
    /// and exit 8 if there is any. Without FILE, check what the kiosk reads: the policy file
    /// (--policy, or /etc/slate/policy.toml), then its drop-in folder.
    Check {
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum KioskCommand {
    /// Make USER the kiosk account: its desktop starts Slate's screen at login (restarted if
    /// it stops unexpectedly), and the session service (slated) serves it. The service keeps
    /// the data folder (/var/lib/slate), which USER cannot open. Run as root.
    Enable {
        /// The desktop account (a local user) that runs the kiosk.
        #[arg(long, value_name = "USER")]
        user: String,
    },
    /// Stop starting Slate at USER's login (the data folder is kept).
    Disable {
        /// The desktop account that ran the kiosk.
        #[arg(long, value_name = "USER")]
        user: String,
    },
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum AuditCommand {
    /// Walk the whole chain: exit 0 and the count when intact, otherwise exit 10 and the first
    /// bad record.
    Verify {
        /// Also check against an anchor printed earlier by `audit anchor` (finds a cut tail).
        #[arg(long, value_name = "SEQ:MAC")]
        anchor: Option<String>,
        /// Also check against every record a syslog collector kept (its log file: each line
        /// with a forwarded record's seq and mac), the journal's entries (`journalctl -t slate
        /// -o json`), or a file of SEQ:MAC lines. Read by slatectl.
        #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, conflicts_with = "anchor")]
        anchors_from: Option<PathBuf>,
        /// The anchors read from --anchors-from (filled in by slatectl before the command runs).
        #[arg(skip)]
        #[serde(default)]
        anchors: Vec<(i64, String)>,
        /// Verify the copy this terminal's room keeps of its log instead, with this terminal's
        /// key (a terminal in a room).
        #[arg(long, conflicts_with_all = ["anchor", "anchors_from"])]
        #[serde(default)]
        room: bool,
    },
    /// Print the head of the chain (SEQ:MAC) to keep somewhere off this machine.
    Anchor,
    /// Remove records (and wiped sessions' rows) older than `audit_retention_days` now (the
    /// kiosk also does it at start).
    Prune,
    /// The syslog collector the audit is sent to (`audit_forward_url`).
    #[command(subcommand)]
    Forward(ForwardCommand),
    /// Records, newest first.
    List {
        /// Only this user's records.
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// Only records of this event.
        #[arg(long, value_name = "EVENT", value_parser = event_parser())]
        event: Option<Event>,
        #[arg(
            long,
            value_name = "REASON",
            value_parser = PossibleValuesParser::new(audit::reason_names()),
            help = "Only records with this reason: why a session ended (sign_out) or a sign-in \
                    failed (sign_in_failed)"
        )]
        reason: Option<String>,
        /// From this UTC time on (RFC 3339, or a date: 2026-11-21).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Before this UTC time.
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// At most this many records.
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: u32,
    },
    /// Every record, oldest first.
    Export {
        /// How to write them.
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        /// Only the records after this one (for incremental pulls: the last seq you have).
        #[arg(long, value_name = "SEQ", default_value_t = 0)]
        after_seq: i64,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum ForwardCommand {
    /// How far the collector is behind: the last record it has, the log's head, when the last
    /// batch went, and why the last try failed, if it did.
    Status,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum, Serialize, Deserialize)]
pub enum ExportFormat {
    /// One JSON object a line.
    Jsonl,
    /// Comma-separated values with a header line.
    Csv,
}

/// `--event`: one of the core's events by its stored name; a typo is refused with the possible
/// values (and the shells complete them).
fn event_parser() -> impl TypedValueParser<Value = Event> {
    PossibleValuesParser::new(Event::ALL.iter().map(|e| e.as_str()))
        .map(|name| Event::from_name(&name).expect("one of the possible values"))
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum SourceCommand {
    /// Sign NAME in at SOURCE by the settings in force (whether or not the sign-in sources list
    /// it yet) and say what happened step by step: connected, TLS verified, found, password
    /// accepted, groups. Nothing is counted and no session starts; the test is audited (the name,
    /// never the password). Exit 0 when NAME may sign in, 9 when the source refuses or bars
    /// NAME, 1 when the source cannot be used.
    Test {
        /// The source to try.
        #[arg(value_name = "SOURCE", value_parser = PossibleValuesParser::new(["ldap", "pam", "sip2"]))]
        source: String,
        /// The name to sign in (a library card's number, for sip2).
        name: String,
        /// Read the password (or PIN) from standard input (one line) instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum SessionCommand {
    /// The live session (or, with --recent N, the last N sessions).
    List {
        /// Show the last N sessions, ended ones included.
        #[arg(long, value_name = "N")]
        recent: Option<u32>,
    },
    /// End the live session; the running kiosk acts within 2 seconds.
    End {
        /// Only if it is this user's.
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
    },
}

#[derive(Debug, Clone, Args, Serialize, Deserialize)]
pub struct NewAccount {
    /// The name shown on screen [default: the username]
    #[arg(
        long,
        value_name = "TEXT",
        default_value = "",
        hide_default_value = true
    )]
    pub display_name: String,
    /// Read the password from standard input (one line) instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum UserCommand {
    /// Add an account.
    Add {
        /// The new account's username.
        name: String,
        /// Make it an administrator.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        new: NewAccount,
    },
    /// List the accounts.
    List,
    /// Remove an account.
    Remove {
        /// The account's username.
        name: String,
    },
    /// Set a new password.
    Passwd {
        /// The account's username.
        name: String,
        /// Read the password from standard input (one line) instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account (it can no longer sign in).
    Disable {
        /// The account's username.
        name: String,
    },
    /// Enable a disabled account.
    Enable {
        /// The account's username.
        name: String,
    },
    /// Let a name sign in again at once: forget its failed sign-ins (ending a wait or a
    /// cool-down) and unlock the account if it is locked.
    Unlock {
        /// The account's username.
        name: String,
    },
    /// Set an account's own rules: `--daily 90m` (its time in a day, all sessions together),
    /// `--daily off` (no daily limit), `--daily default` (the terminal's `daily_allowance`).
    Set {
        /// The account's username.
        name: String,
        /// Its own daily time: a duration from 1 minute to 24 hours, off, or default.
        #[arg(long, value_name = "DURATION|off|default")]
        daily: String,
    },
}

#[derive(Debug, Clone, Subcommand, Serialize, Deserialize)]
pub enum ConfigCommand {
    /// Every setting: its value in force, which layer set it, its bounds and description.
    #[command(alias = "list")]
    Show,
    /// One setting's value in force.
    Get {
        /// The setting's key (slatectl config --help lists them).
        key: String,
    },
    /// Set an administrator value (durations as "90s", "5m", "1h30m"); refused for a key the
    /// policy file sets.
    #[command(after_help = settings_help())]
    Set {
        /// The setting's key (listed below).
        key: String,
        /// The new value, within the key's bounds; `-` reads it from the first line of standard
        /// input (for a secret, such as the directory's service password: never on the command
        /// line), or for the acceptable-use page the whole of it (`- < rules.md`).
        value: String,
    },
    /// Remove the administrator value, so the default applies.
    Unset {
        /// The setting's key (slatectl config --help lists them).
        key: String,
    },
}

/// Every key with its bounds and description, from the core's one list.
pub fn settings_help() -> String {
    let mut out = String::from("Settings:\n");
    for def in slate_core::settings::SETTINGS {
        let _ = writeln!(
            out,
            "  {:<22} {} [{}; default {:?}]",
            def.key,
            def.description,
            slate_core::settings::bounds_text(slate_core::settings::kind_of(def)),
            def.default
        );
    }
    out
}
