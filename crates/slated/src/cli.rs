//! Command-line arguments of `slated`, with the environment variables its `--help` and man page
//! list. This file needs only clap and the core: `slate-docgen` includes it to write
//! `slated(1)`.

use std::path::PathBuf;

use clap::Parser;

/// Slate's session service: the only process that reads the database and the audit key.
///
/// It runs the sessions (sign-in, the idle and time limits, the wipe, the audit) and serves the
/// kiosk's screen, slate(1) run as the kiosk account, and the administrators' slatectl(1) on a
/// local socket; who may do what is decided from the kernel's peer credentials. Installed, it
/// runs as root under systemd (slated.service), for the account that "slatectl kiosk enable"
/// names in /etc/default/slate. SIGTERM ends and wipes a live session, then stops it.
#[derive(Debug, Parser)]
#[command(name = "slated", version, after_long_help = slate_core::exit::help_tail(ENVIRONMENT))]
pub struct Args {
    /// The data folder, created 0700 if missing [default: /var/lib/slate for root, else the XDG
    /// data folder, e.g. ~/.local/share/slate]
    #[arg(long, env = "SLATE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The policy file whose keys override and lock settings [default: /etc/slate/policy.toml]
    #[arg(long, env = "SLATE_POLICY", value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Where to listen [default: /run/slate/slate.sock for root, else slate.sock in the
    /// account's runtime folder]
    #[arg(long, env = "SLATE_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// The kiosk account, whose screen drives the session [default: the account running this]
    #[arg(long, env = "SLATE_SCREEN_USER", value_name = "NAME")]
    pub screen_user: Option<String>,
    /// Where the sessions' folders go when the screen runs as another account: each live one
    /// is given to it [default: beside the data folder, its name and -sessions]
    #[arg(long, env = "SLATE_SESSIONS_DIR", value_name = "DIR")]
    pub sessions_dir: Option<PathBuf>,
}

/// The environment variables `slated` reads, and what for (the man page's ENVIRONMENT).
pub const ENVIRONMENT: &[(&str, &str)] = &[
    ("SLATE_DATA_DIR", "The data folder, when --data-dir is not given."),
    ("SLATE_POLICY", "The policy file, when --policy is not given."),
    ("SLATE_SOCKET", "Where to listen, when --socket is not given."),
    (
        "SLATE_SCREEN_USER",
        "The kiosk account, when --screen-user is not given (the unit reads it from /etc/default/slate).",
    ),
    (
        "SLATE_SESSIONS_DIR",
        "The sessions' folders, when --sessions-dir is not given.",
    ),
    (
        "SLATE_LOG",
        "What to log on standard error (tracing's filter syntax, e.g. debug) [default: info].",
    ),
];
