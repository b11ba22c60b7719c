//! The types that cross the IPC boundary between the UI and the core, and their TypeScript twins.
//!
//! Every command's arguments, results and errors, and every event the core announces, is a type
//! here deriving [`ts_rs::TS`]. [`typescript_bindings`] renders them all into one TypeScript file,
//! checked in as `ui/src/bindings.ts`; a test fails when the two differ (run `make bindings` to
//! regenerate after changing a type).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which screen the kiosk shows. The core decides; the UI draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Screen {
    /// No administrator exists yet: "Set up this kiosk".
    FirstRun,
    /// The terminal is free: the sign-in screen.
    SignIn,
}

/// What the UI needs to draw its first screen. Result of the `app_status` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppStatus {
    /// Slate's version, shown in the corner of the sign-in screen.
    pub version: String,
    /// The screen to show.
    pub screen: Screen,
}

/// A stable, machine-readable error code. The UI may branch on it; people read the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The database could not be read or written.
    Storage,
    /// Something Slate did not expect; the message says what.
    Internal,
}

/// How every failed command reaches the UI: a stable code plus one sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

/// The TypeScript declarations of every IPC type, as checked in at `ui/src/bindings.ts`.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::default();
    let decls = [
        Screen::decl(&cfg),
        AppStatus::decl(&cfg),
        ErrorCode::decl(&cfg),
        IpcError::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types in src-tauri/src/core/api.rs by `make bindings`.\n\
         // Do not edit: a test fails when this file and the Rust types differ.\n",
    );
    for decl in decls {
        out.push_str("\nexport ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn checked_in_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts")
    }

    /// Fails when `ui/src/bindings.ts` is not what the Rust types generate.
    /// `SLATE_BLESS=1 cargo test -p slate bindings` rewrites it.
    #[test]
    fn checked_in_typescript_bindings_match_the_rust_types() {
        let generated = typescript_bindings();
        let path = checked_in_path();
        if std::env::var_os("SLATE_BLESS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "ui/src/bindings.ts is out of date with the Rust IPC types; run `make bindings`"
        );
    }

    #[test]
    fn errors_serialise_as_code_and_sentence() {
        let e = IpcError {
            code: ErrorCode::Storage,
            message: "The database failed.".into(),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":"storage","message":"The database failed."}"#
        );
    }
}
