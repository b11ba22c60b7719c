//! The exit codes both binaries (`slate` and `slatectl`) use, and the one for each core error
//! that stops them. Scripts may rely on them; they are listed in the README.

use std::process::ExitCode;

use crate::audit::AuditError;
use crate::kiosk::KioskError;
use crate::settings::SettingError;

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
/// A value is not acceptable (username, password, setting), or `slatectl policy check` found
/// problems in a policy file (the same bad values, before they are deployed).
pub const INVALID: u8 = 8;
/// Refused to protect the kiosk (e.g. the last administrator).
pub const REFUSED: u8 = 9;
/// The audit log does not verify.
pub const AUDIT_BROKEN: u8 = 10;
/// Anything else.
pub const FAILURE: u8 = 1;

/// The exit code for a core error that stops a binary.
pub fn code_for(e: &KioskError) -> ExitCode {
    ExitCode::from(match e {
        KioskError::DataDir(_) | KioskError::Audit(AuditError::Key { .. }) => DATA_DIR,
        KioskError::Store(_) => DATABASE,
        KioskError::NoSuchUser(_) => NOT_FOUND,
        KioskError::UserExists(_) | KioskError::AlreadySetUp => CONFLICT,
        KioskError::Setting(SettingError::SetByPolicy { .. }) | KioskError::LastAdmin(_) => REFUSED,
        KioskError::Setting(_) | KioskError::Credential(_) => INVALID,
        KioskError::Audit(AuditError::Broken { .. }) => AUDIT_BROKEN,
        _ => FAILURE,
    })
}
