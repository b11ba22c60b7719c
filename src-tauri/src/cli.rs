//! Command-line arguments of the `slate` kiosk binary. (The exit codes it shares with `slatectl`
//! are the core's: [`slate_core::exit`].)

use std::path::PathBuf;

use clap::Parser;

/// Slate: a kiosk for shared public machines. Every session ends wiped and audited.
#[derive(Debug, Parser)]
#[command(name = "slate", version, about)]
pub struct SlateArgs {
    /// Where Slate keeps its database and session folders [default: the XDG data folder, e.g.
    /// ~/.local/share/slate]
    #[arg(long, value_name = "DIR", env = "SLATE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// The policy file (TOML) whose keys override and lock the administrator's settings; the
    /// drop-ins in the folder beside it named like it with .d (policy.d/*.toml) are read after
    /// it [default: /etc/slate/policy.toml]
    #[arg(long, value_name = "FILE", env = "SLATE_POLICY")]
    pub policy: Option<PathBuf>,

    /// Passed by WebKitWebDriver when it launches the app for automated tests; ignored.
    #[arg(long, hide = true)]
    pub automation: bool,
}
