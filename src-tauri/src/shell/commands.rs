//! The IPC commands: thin functions that hand the person's actions to the session service
//! through the screen's [`Link`] and give back its answers (or an [`IpcError`]: a stable code
//! plus a sentence). Each name is listed in [`slate_core::ipc_names::COMMANDS`] and granted in
//! `capabilities/main.json`.

use tauri::State;

use super::link::Link;
use slate_core::api::{
    AdminReply, AdminRequest, AppStatus, BrowserRequest, ErrorCode, IpcError, PassRequest,
    PreferenceRequest, SessionFile, SetupRequest, SignInRequest,
};
use slate_core::phrase::Phrase;
use slate_core::wire::Call;

type Service<'a> = State<'a, Link>;

async fn status(link: &Link, call: Call) -> Result<AppStatus, IpcError> {
    link.call(call).await?.into_status()
}

/// What the UI should show now.
#[tauri::command]
pub fn app_status(link: Service<'_>) -> AppStatus {
    link.status()
}

/// First-run setup: creates the first administrator, then shows the sign-in screen.
#[tauri::command]
pub async fn create_first_admin(
    link: Service<'_>,
    request: SetupRequest,
) -> Result<AppStatus, IpcError> {
    status(&link, Call::CreateFirstAdmin(request)).await
}

/// Signs in with an account.
#[tauri::command]
pub async fn sign_in(link: Service<'_>, request: SignInRequest) -> Result<AppStatus, IpcError> {
    status(&link, Call::SignIn(request)).await
}

/// Starts a guest session with a guest pass's code.
#[tauri::command]
pub async fn sign_in_pass(link: Service<'_>, request: PassRequest) -> Result<AppStatus, IpcError> {
    status(&link, Call::SignInPass(request)).await
}

/// Starts a guest session, where allowed.
#[tauri::command]
pub async fn sign_in_guest(link: Service<'_>) -> Result<AppStatus, IpcError> {
    status(&link, Call::SignInGuest).await
}

/// The person did something: pointer, key, touch, wheel or text input (the UI sends at most one
/// report a second).
#[tauri::command]
pub fn report_activity(link: Service<'_>) {
    link.activity();
}

/// "Stay signed in" in the idle warning.
#[tauri::command]
pub async fn stay(link: Service<'_>) -> Result<AppStatus, IpcError> {
    status(&link, Call::Stay).await
}

/// "Add N more minutes" in the warning before the session ends: its one extension.
#[tauri::command]
pub async fn extend_session(link: Service<'_>) -> Result<AppStatus, IpcError> {
    status(&link, Call::Extend).await
}

/// "I accept" or "Decline" on the acceptable-use page (`language`: the text's, as shown).
#[tauri::command]
pub async fn answer_acceptable_use(
    link: Service<'_>,
    accept: bool,
    language: Option<String>,
) -> Result<AppStatus, IpcError> {
    status(&link, Call::AnswerAcceptableUse { accept, language }).await
}

/// Ends the session at the person's request (the UI has asked them to confirm).
#[tauri::command]
pub async fn sign_out(link: Service<'_>) -> Result<AppStatus, IpcError> {
    status(&link, Call::SignOut).await
}

/// Leaves the signed-out screen for the sign-in screen (any key or tap).
#[tauri::command]
pub async fn dismiss_signed_out(link: Service<'_>) -> Result<AppStatus, IpcError> {
    status(&link, Call::DismissSignedOut).await
}

/// The live session's files ("My files").
#[tauri::command]
pub async fn list_files(link: Service<'_>) -> Result<Vec<SessionFile>, IpcError> {
    link.call(Call::ListFiles).await?.into_files()
}

/// Deletes one of the live session's files; answers with the files left.
#[tauri::command]
pub async fn delete_file(link: Service<'_>, name: String) -> Result<Vec<SessionFile>, IpcError> {
    link.call(Call::DeleteFile { name }).await?.into_files()
}

/// Sets a display preference of the live session (text size, contrast).
#[tauri::command]
pub async fn set_preference(
    link: Service<'_>,
    request: PreferenceRequest,
) -> Result<AppStatus, IpcError> {
    status(&link, Call::SetPreference(request)).await
}

/// The administrator panel: refused unless the live session is an administrator's (the session
/// service decides, and counts the request as activity).
#[tauri::command]
pub async fn admin(link: Service<'_>, request: AdminRequest) -> Result<AdminReply, IpcError> {
    link.call(Call::Admin(request)).await?.into_admin()
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
