//! The command line's shape: the clap types for every subcommand and their help text. Nothing
//! here runs a command; `main` parses these and hands each group to its module.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Administer a Slate kiosk: its accounts and settings.
#[derive(Debug, Parser)]
#[command(name = "slatectl", version, about)]
pub struct Cli {
    /// The kiosk's data folder [default: the XDG data folder, e.g. ~/.local/share/slate]
    #[arg(long, global = true, value_name = "DIR", env = "SLATE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// The policy file whose keys override and lock settings [default: /etc/slate/policy.toml]
    #[arg(long, global = true, value_name = "FILE", env = "SLATE_POLICY")]
    pub policy: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the data folder and its database (integrity, schema) and say whether the kiosk is
    /// set up.
    Check,
    /// Whether the terminal is ready, in use, or needs attention; the last wipe, the audit
    /// head and the policy file.
    Status,
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
    /// Make a desktop account boot straight into Slate (run as root).
    #[command(subcommand)]
    Kiosk(KioskCommand),
    /// Check policy files before deploying them (needs no data folder or root).
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check FILE alone (a policy file or one drop-in): each problem with its file and line,
    /// and exit 8 if there is any. Without FILE, check what the kiosk reads: the policy file
    /// (--policy, or /etc/slate/policy.toml), then its drop-in folder.
    Check {
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KioskCommand {
    /// Start Slate whenever USER logs in to the desktop (restarted if it stops unexpectedly),
    /// on a data folder owned by USER [default with this command: /var/lib/slate].
    Enable {
        #[arg(long, value_name = "USER")]
        user: String,
    },
    /// Stop starting Slate at USER's login (the data folder is kept).
    Disable {
        #[arg(long, value_name = "USER")]
        user: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the whole chain: exit 0 and the count when intact, otherwise exit 10 and the first
    /// bad record.
    Verify {
        /// Also check against an anchor printed earlier by `audit anchor` (finds a cut tail).
        #[arg(long, value_name = "SEQ:MAC")]
        anchor: Option<String>,
    },
    /// Print the head of the chain (SEQ:MAC) to keep somewhere off this machine.
    Anchor,
    /// Remove records (and wiped sessions' rows) older than `audit_retention_days` now (the
    /// kiosk also does it at start).
    Prune,
    /// Records, newest first.
    List {
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        #[arg(long, value_name = "EVENT")]
        event: Option<String>,
        #[arg(long, value_name = "REASON")]
        reason: Option<String>,
        /// From this UTC time on (RFC 3339, or a date: 2026-11-21).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Before this UTC time.
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Every record, oldest first.
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, Subcommand)]
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

#[derive(Debug, Args)]
pub struct NewAccount {
    /// The name shown on screen [default: the username]
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub display_name: String,
    /// Read the password from standard input (one line) instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account.
    Add {
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
    Remove { name: String },
    /// Set a new password.
    Passwd {
        name: String,
        /// Read the password from standard input (one line) instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account (it can no longer sign in).
    Disable { name: String },
    /// Enable a disabled account.
    Enable { name: String },
    /// Unlock an account locked by failed sign-ins, and forget the failures.
    Unlock { name: String },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Every setting: its value in force, which layer set it, its bounds and description.
    #[command(alias = "list")]
    Show,
    /// One setting's value in force.
    Get { key: String },
    /// Set an administrator value (durations as "90s", "5m", "1h30m"); refused for a key the
    /// policy file sets.
    #[command(after_help = settings_help())]
    Set { key: String, value: String },
    /// Remove the administrator value, so the default applies.
    Unset { key: String },
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
