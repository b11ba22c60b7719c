//! Command-line arguments of the `slate` kiosk binary, with the environment variables and exit
//! codes its `--help` and man page list. (The exit codes it shares with `slatectl` are the
//! core's: [`slate_core::exit`].)
//!
//! This file needs only clap and the core: `slate-docgen` includes it to write `slate(1)`
//! without linking Tauri.

use std::path::PathBuf;

use clap::{Parser, ValueHint};

/// A kiosk for shared public machines: every session ends wiped and audited.
///
/// A person signs in with a local account (or as a guest, where allowed), uses the terminal and
/// walks away. The session ends on request, after inactivity or at a time limit; everything it
/// left behind is wiped and re-checked, and a tamper-evident audit record says who, when, for how
/// long and why it ended. On an empty data folder Slate opens on the setup screen, which creates
/// the first administrator. Administer it with slatectl(1).
///
/// On a kiosk, the kiosk account's display-manager session runs it alone, through
/// /usr/lib/slate/slate-session (which "slatectl kiosk enable" sets up), as the screen of the
/// session service slated(1) on /run/slate/slate.sock, and starts it again whenever it stops.
#[derive(Debug, Parser)]
#[command(name = "slate", version, after_long_help = after_long_help())]
pub struct SlateArgs {
    /// Where Slate keeps its database and session folders [default: the XDG data folder, e.g.
    /// ~/.local/share/slate]
    #[arg(long, value_name = "DIR", env = "SLATE_DATA_DIR", value_hint = ValueHint::DirPath)]
    pub data_dir: Option<PathBuf>,

    /// The policy file (TOML) whose keys override and lock the administrator's settings; the
    /// drop-ins in the folder beside it named like it with .d (policy.d/*.toml) are read after
    /// it [default: /etc/slate/policy.toml]
    #[arg(long, value_name = "FILE", env = "SLATE_POLICY", value_hint = ValueHint::FilePath)]
    pub policy: Option<PathBuf>,

    /// The socket of a running session service (slated(1)); the kiosk account's screen then
    /// holds no secret, and --data-dir and --policy are the service's own business (ignored
    /// here). Without it, Slate runs the service itself, in this process, on the data folder,
    /// for this account alone [default: none]
    #[arg(long, value_name = "PATH", env = "SLATE_SOCKET", value_hint = ValueHint::FilePath)]
    pub socket: Option<PathBuf>,

    /// Passed by WebKitWebDriver when it launches the app for automated tests; ignored.
    #[arg(long, hide = true)]
    pub automation: bool,
}

/// The environment variables `slate` reads, and what for (the man page's ENVIRONMENT).
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
    (
        "SLATE_LOG",
        "What is logged on standard error, as a tracing filter: error, warn, info (the \
         default), debug or trace, also per module (slate_core=debug). No password is ever \
         logged.",
    ),
];

/// The end of `slate --help`: the environment and the exit codes.
fn after_long_help() -> String {
    slate_core::exit::help_tail(ENVIRONMENT)
}
