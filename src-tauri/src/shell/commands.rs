//! The IPC commands: thin functions that call the core and translate its errors into
//! [`IpcError`]s (a stable code plus a sentence). Each name is listed in
//! [`super::command_names::COMMANDS`] and granted in `capabilities/main.json`. Work that hashes a
//! password runs on a blocking thread, off the async runtime.

use std::sync::Arc;

use tauri::State;

use crate::core::api::{AppStatus, IpcError, SetupRequest, SignInRequest};
use crate::core::kiosk::KioskError;
use crate::core::Kiosk;

type Core<'a> = State<'a, Arc<Kiosk>>;

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, KioskError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|_| {
            IpcError::internal("Slate's core stopped while answering. Please tell staff.")
        })?
        .map_err(Into::into)
}

/// What the UI should show now.
#[tauri::command]
pub fn app_status(kiosk: Core<'_>) -> Result<AppStatus, IpcError> {
    kiosk.status().map_err(Into::into)
}

/// First-run setup: creates the first administrator, then shows the sign-in screen.
#[tauri::command]
pub async fn create_first_admin(
    kiosk: Core<'_>,
    request: SetupRequest,
) -> Result<AppStatus, IpcError> {
    let kiosk = Arc::clone(&kiosk);
    blocking(move || {
        kiosk.create_first_admin(&request.username, &request.display_name, &request.password)?;
        tracing::info!("first administrator created");
        kiosk.status()
    })
    .await
}

/// Signs in with an account.
#[tauri::command]
pub async fn sign_in(kiosk: Core<'_>, request: SignInRequest) -> Result<AppStatus, IpcError> {
    let kiosk = Arc::clone(&kiosk);
    blocking(move || kiosk.sign_in(&request.username, &request.password)).await
}

/// Starts a guest session, where allowed.
#[tauri::command]
pub fn sign_in_guest(kiosk: Core<'_>) -> Result<AppStatus, IpcError> {
    kiosk.sign_in_guest().map_err(Into::into)
}

/// Ends the session at the person's request.
#[tauri::command]
pub fn sign_out(kiosk: Core<'_>) -> Result<AppStatus, IpcError> {
    kiosk.sign_out().map_err(Into::into)
}
