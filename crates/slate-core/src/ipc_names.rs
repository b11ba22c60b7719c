//! The names that cross IPC, listed once: every command the UI may call and every event the shell
//! announces. The build script of the kiosk app turns each command into an `allow-…` permission
//! (it includes this file by path, so it must stay free of imports); the TypeScript bindings
//! carry both lists to the UI (`ui/src/bindings.ts`); tests check that the shell registers
//! exactly these commands, that `capabilities/main.json` grants exactly these, and that the UI
//! calls each of them.

/// Every command the UI may call. Adding a command here without granting it in
/// `capabilities/main.json` leaves it uncallable, which is the point.
pub const COMMANDS: &[&str] = &[
    "app_status",
    "create_first_admin",
    "sign_in",
    "sign_in_guest",
    "sign_in_pass",
    "report_activity",
    "stay",
    "extend_session",
    "answer_acceptable_use",
    "sign_out",
    "dismiss_signed_out",
    "list_files",
    "delete_file",
    "set_preference",
    "admin",
    "browser",
];

/// Every new `AppStatus`, from the core through the shell to the UI.
pub const STATUS_EVENT: &str = "slate://status";

/// Every new state of the session's browser, from the shell to the UI.
pub const BROWSER_EVENT: &str = "slate://browser";

/// Every event the shell announces.
pub const EVENTS: &[&str] = &[STATUS_EVENT, BROWSER_EVENT];
