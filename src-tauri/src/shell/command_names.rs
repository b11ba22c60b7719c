//! The names of Slate's IPC commands: one list shared by the build script (which turns each into
//! an `allow-…` permission) and the shell (which registers the handlers).

/// Every command the UI may call. Adding a command here without granting it in
/// `capabilities/main.json` leaves it uncallable, which is the point.
pub const COMMANDS: &[&str] = &[
    "app_status",
    "create_first_admin",
    "sign_in",
    "sign_in_guest",
    "report_activity",
    "stay",
    "sign_out",
    "dismiss_signed_out",
    "list_files",
    "delete_file",
    "set_preference",
    "admin",
    "browser",
];
