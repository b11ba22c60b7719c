//! Command-line arguments of the `slate` kiosk binary, and the exit codes both binaries share.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use crate::core::kiosk::KioskError;

/// Exit codes. Scripts may rely on them; they are listed in the README.
pub mod exit {
    /// Bad arguments (clap's own code).
    pub const USAGE: u8 = 2;
    /// The data folder cannot be used.
    pub const DATA_DIR: u8 = 3;
    /// The database is damaged or cannot be opened.
    pub const DATABASE: u8 = 4;
    /// The window system or webview failed.
    pub const RUNTIME: u8 = 5;
    /// No such user.
    pub const NOT_FOUND: u8 = 6;
    /// The name is taken, or the kiosk is already set up.
    pub const CONFLICT: u8 = 7;
    /// A value is not acceptable (username, password, setting).
    pub const INVALID: u8 = 8;
    /// Refused to protect the kiosk (e.g. the last administrator).
    pub const REFUSED: u8 = 9;
    /// The audit log does not verify.
    pub const AUDIT_BROKEN: u8 = 10;
    /// Anything else.
    pub const FAILURE: u8 = 1;
}

/// Slate: a kiosk for shared public machines. Every session ends wiped and audited.
#[derive(Debug, Parser)]
#[command(name = "slate", version, about)]
pub struct SlateArgs {
    /// Where Slate keeps its database and session folders [default: the XDG data folder, e.g.
    /// ~/.local/share/slate]
    #[arg(long, value_name = "DIR", env = "SLATE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// The policy file (TOML) whose keys override and lock the administrator's settings
    /// [default: /etc/slate/policy.toml]
    #[arg(long, value_name = "FILE", env = "SLATE_POLICY")]
    pub policy: Option<PathBuf>,

    /// Passed by WebKitWebDriver when it launches the app for automated tests; ignored.
    #[arg(long, hide = true)]
    pub automation: bool,
}

/// The exit code for a core error that stops start-up.
pub fn exit_code_for(e: &KioskError) -> ExitCode {
    ExitCode::from(match e {
        KioskError::DataDir(_) | KioskError::Audit(crate::core::audit::AuditError::Key { .. }) => {
            exit::DATA_DIR
        }
        KioskError::Store(_) => exit::DATABASE,
        KioskError::NoSuchUser(_) => exit::NOT_FOUND,
        KioskError::UserExists(_) | KioskError::AlreadySetUp => exit::CONFLICT,
        KioskError::Setting(crate::core::settings::SettingError::SetByPolicy { .. })
        | KioskError::LastAdmin(_) => exit::REFUSED,
        KioskError::Setting(_) | KioskError::Credential(_) => exit::INVALID,
        KioskError::Audit(crate::core::audit::AuditError::Broken { .. }) => exit::AUDIT_BROKEN,
        _ => exit::FAILURE,
    })
}
