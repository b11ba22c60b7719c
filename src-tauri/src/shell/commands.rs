//! The IPC commands: thin functions that hand the person's actions to the core and translate its
//! errors into [`IpcError`]s (a stable code plus a sentence). Each name is listed in
//! [`slate_core::ipc_names::COMMANDS`] and granted in `capabilities/main.json`. Password hashing
//! runs on a blocking thread, off the async runtime.

use tauri::State;

use super::Slate;
use slate_core::api::{
    AdminReply, AdminRequest, AppStatus, BrowserRequest, ErrorCode, IpcError, PreferenceRequest,
    SessionFile, SetupRequest, SignInRequest,
};
use slate_core::phrase::Phrase;

type Core<'a> = State<'a, Slate>;

fn ipc<T>(r: Result<T, slate_core::kiosk::KioskError>) -> Result<T, IpcError> {
    r.map_err(Into::into)
}

/// What the UI should show now.
#[tauri::command]
pub fn app_status(slate: Core<'_>) -> AppStatus {
    slate.session.status()
}

/// First-run setup: creates the first administrator, then shows the sign-in screen. (The
/// session manager does it, on a blocking thread: it hashes.)
#[tauri::command]
pub async fn create_first_admin(
    slate: Core<'_>,
    request: SetupRequest,
) -> Result<AppStatus, IpcError> {
    ipc(slate.session.create_first_admin(request).await)
}

/// Signs in with an account.
#[tauri::command]
pub async fn sign_in(slate: Core<'_>, request: SignInRequest) -> Result<AppStatus, IpcError> {
    ipc(slate
        .session
        .sign_in(request.username, request.password)
        .await)
}

/// Starts a guest session, where allowed.
#[tauri::command]
pub async fn sign_in_guest(slate: Core<'_>) -> Result<AppStatus, IpcError> {
    ipc(slate.session.sign_in_guest().await)
}

/// The person did something: pointer, key, touch, wheel or text input (the UI sends at most one
/// report a second).
#[tauri::command]
pub fn report_activity(slate: Core<'_>) {
    slate.session.activity();
}

/// "Stay signed in" in the idle warning.
#[tauri::command]
pub async fn stay(slate: Core<'_>) -> Result<AppStatus, IpcError> {
    ipc(slate.session.stay().await)
}

/// Ends the session at the person's request (the UI has asked them to confirm).
#[tauri::command]
pub async fn sign_out(slate: Core<'_>) -> Result<AppStatus, IpcError> {
    ipc(slate.session.sign_out().await)
}

/// Leaves the signed-out screen for the sign-in screen (any key or tap).
#[tauri::command]
pub async fn dismiss_signed_out(slate: Core<'_>) -> Result<AppStatus, IpcError> {
    ipc(slate.session.dismiss().await)
}

/// The live session's files ("My files").
#[tauri::command]
pub async fn list_files(slate: Core<'_>) -> Result<Vec<SessionFile>, IpcError> {
    ipc(slate.session.files().await)
}

/// Deletes one of the live session's files; answers with the files left.
#[tauri::command]
pub async fn delete_file(slate: Core<'_>, name: String) -> Result<Vec<SessionFile>, IpcError> {
    ipc(slate.session.delete_file(name).await)
}

/// Sets a display preference of the live session (text size, contrast).
#[tauri::command]
pub async fn set_preference(
    slate: Core<'_>,
    request: PreferenceRequest,
) -> Result<AppStatus, IpcError> {
    ipc(slate
        .session
        .set_preference(request.key, request.value)
        .await)
}

/// The administrator panel: refused unless the live session is an administrator's (the core's
/// session manager decides, and counts the request as activity). Runs off the async runtime:
/// adding a user or resetting a password hashes, verifying walks the whole audit chain.
#[tauri::command]
pub async fn admin(slate: Core<'_>, request: AdminRequest) -> Result<AdminReply, IpcError> {
    let grant = ipc(slate.session.admin().await)?;
    let kiosk = std::sync::Arc::clone(&slate.kiosk);
    let reply = tauri::async_runtime::spawn_blocking(move || {
        slate_core::admin::handle(&kiosk, &grant, request)
    })
    .await
    .map_err(|_| IpcError::internal("Slate stopped while doing that. Please try again."))?;
    // A settings change applies to the live session at once.
    slate.session.refresh();
    ipc(reply)
}

/// The session's browser: Back, Forward, Reload, Home, where it goes on the screen, and the file
/// of My files a page asked for. Pages in the browser cannot call this (or any) command.
#[tauri::command]
pub fn browser(app: tauri::AppHandle, request: BrowserRequest) -> Result<(), IpcError> {
    super::browser::request(&app, request).map_err(|why| {
        let phrase = Phrase::new("The browser cannot do that: {why}").text("why", why);
        IpcError {
            code: ErrorCode::SessionState,
            message: phrase.to_string(),
            phrase,
            retry_after_secs: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use slate_core::ipc_names::COMMANDS;

    /// The names in `source` that follow `prefix` (up to the next character that cannot be in a
    /// name).
    fn names_after<'a>(source: &'a str, prefix: &str) -> Vec<&'a str> {
        source
            .split(prefix)
            .skip(1)
            .map(|rest| {
                let end = rest
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect()
    }

    #[test]
    fn the_shell_defines_and_registers_exactly_the_cores_commands() {
        let mut wanted: Vec<&str> = COMMANDS.to_vec();
        wanted.sort_unstable();
        let this = include_str!("commands.rs");
        let code = &this[..this.find("#[cfg(test)]").unwrap_or(this.len())];
        let mut defined: Vec<&str> = code
            .split("#[tauri::command]")
            .skip(1)
            .filter_map(|rest| names_after(rest, "fn ").into_iter().next())
            .collect();
        defined.sort_unstable();
        assert_eq!(defined, wanted, "the #[tauri::command] functions");
        let shell = include_str!("mod.rs");
        let handler = &shell[shell.find("generate_handler![").expect("the handler list")..];
        let handler = &handler[..handler.find(']').expect("its end")];
        let mut registered = names_after(handler, "commands::");
        registered.sort_unstable();
        assert_eq!(registered, wanted, "the handler list");
    }
}
