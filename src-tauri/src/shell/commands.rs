//! The IPC commands: thin functions that call the core and translate its errors into
//! [`IpcError`]s (a stable code plus a sentence). Each name is listed in
//! [`super::command_names::COMMANDS`] and granted in `capabilities/main.json`.

use tauri::State;

use crate::core::api::{AppStatus, IpcError};
use crate::core::Kiosk;

/// What the UI should show now.
#[tauri::command]
pub fn app_status(kiosk: State<'_, Kiosk>) -> Result<AppStatus, IpcError> {
    kiosk.status().map_err(Into::into)
}
