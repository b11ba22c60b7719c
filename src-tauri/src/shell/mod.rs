//! The Tauri shell: opens the kiosk window, registers the commands in [`commands`] and hands
//! every decision to the core. It draws nothing and decides nothing.

pub mod command_names;
pub mod commands;

use std::process::ExitCode;

use tauri::{WebviewUrl, WebviewWindowBuilder};

use crate::cli::exit;
use crate::core::Kiosk;

/// Logs go to stderr, filtered by `SLATE_LOG` (default `info`). Nothing secret is ever logged.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SLATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Opens the kiosk window and runs until it closes.
pub fn run(kiosk: Kiosk) -> ExitCode {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!(
            "slate: there is no display to open the kiosk on (neither DISPLAY nor WAYLAND_DISPLAY is set)."
        );
        return ExitCode::from(exit::RUNTIME);
    }
    let result = tauri::Builder::default()
        .manage(std::sync::Arc::new(kiosk))
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::create_first_admin,
            commands::sign_in,
            commands::sign_in_guest,
            commands::sign_out,
        ])
        .setup(|app| {
            open_main_window(app.handle())?;
            Ok(())
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slate: the kiosk window failed: {e}.");
            ExitCode::from(exit::RUNTIME)
        }
    }
}

/// The one window: fullscreen in release builds, an ordinary window (with developer tools) in
/// debug builds so that developers and the end-to-end tests can see around it.
fn open_main_window(app: &tauri::AppHandle) -> tauri::Result<()> {
    let release = !cfg!(debug_assertions);
    WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
        .title("Slate")
        .inner_size(1280.0, 800.0)
        .min_inner_size(800.0, 600.0)
        .fullscreen(release)
        .devtools(!release)
        .build()?;
    Ok(())
}
