//! The Tauri shell: opens the kiosk window, registers the commands in [`commands`], forwards the
//! core's announcements to the UI (event `slate://status`) and the desktop ([`notify`], in the
//! session's language through [`words`]), and turns a window close, SIGTERM or the machine going
//! to sleep ([`sleep`]) into an orderly `Shutdown` ending. It adds the wipe surfaces only it can
//! reach ([`wipers`]), and hosts the session's browser ([`browser`]) behind its gate ([`gate`]). It draws nothing and
//! decides nothing.

pub mod browser;
pub mod commands;
pub mod gate;
pub mod notify;
pub mod sleep;
pub mod wipers;
pub mod words;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tauri::{Emitter, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder, WindowEvent};

use slate_core::exit;
use slate_core::ipc_names::STATUS_EVENT;
use slate_core::kiosk::wipers::core_wipers;
use slate_core::session::{SessionHandle, SessionManager};
use slate_core::Kiosk;

/// What the commands reach: the core and the session manager's handle.
pub struct Slate {
    pub kiosk: Arc<Kiosk>,
    pub session: SessionHandle,
}

/// Logs go to stderr, filtered by `SLATE_LOG` (default `info`). Nothing secret is ever logged.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SLATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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
    let kiosk = Arc::new(kiosk);
    // A session left open by a crash or SIGKILL is wiped and ended before anyone can sign in.
    // (Its clipboard and window died with the old process; its notifications expire by
    // themselves.)
    if let Err(e) = kiosk.recover_open_sessions(&desktop_wipers(&kiosk)) {
        eprintln!("slate: {e}");
        return exit::code_for(&e);
    }
    match kiosk.prune_audit() {
        Ok((0, 0)) => {}
        Ok((records, sessions)) => {
            tracing::info!(
                records,
                sessions,
                "pruned audit records and sessions past their retention"
            );
        }
        Err(e) => tracing::error!("cannot prune the audit log: {e}"),
    }
    // The webview's own folder starts empty at every start: whatever the pages of a crashed
    // session stored (cookies, localStorage, IndexedDB, cache) goes before any window opens.
    let webview_folder = kiosk.data_dir().path().join("webview");
    if let Err(e) = slate_core::wipe::remove_folder(&webview_folder) {
        eprintln!("slate: cannot clear the webview folder: {e}.");
        return ExitCode::from(exit::DATA_DIR);
    }
    let notifications = wipers::OpenNotifications::default();
    let setup_kiosk = Arc::clone(&kiosk);
    let setup_notifications = Arc::clone(&notifications);
    let app = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::create_first_admin,
            commands::sign_in,
            commands::sign_in_guest,
            commands::report_activity,
            commands::stay,
            commands::sign_out,
            commands::dismiss_signed_out,
            commands::list_files,
            commands::delete_file,
            commands::set_preference,
            commands::admin,
            commands::browser,
        ])
        .setup(move |app| {
            // A steady text caret: WebKit blinks it for as long as a field has the focus, which
            // at a sign-in screen left alone for hours is a repaint twice a second (about 4 % of
            // a core in software rendering, `make bench-e2e`). Steady carets are easier to find.
            if let Some(settings) = gtk::Settings::default() {
                use gtk::prelude::GtkSettingsExt;
                settings.set_gtk_cursor_blink(false);
            }
            let handle = app.handle().clone();
            let all = session_wipers(&handle, &setup_kiosk, &setup_notifications);
            let (manager, session) = SessionManager::new(Arc::clone(&setup_kiosk), all)?;
            app.manage(Slate {
                kiosk: Arc::clone(&setup_kiosk),
                session: session.clone(),
            });
            tauri::async_runtime::spawn(manager.run());
            forward_status(handle.clone(), &session, Arc::clone(&setup_notifications));
            end_on_signals(handle.clone());
            sleep::watch(session);
            open_main_window(&handle, setup_kiosk.data_dir().path())?;
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("slate: the kiosk window failed: {e}.");
            return ExitCode::from(exit::RUNTIME);
        }
    };
    // Closing the window or the app ends the session first; the app exits when that is done.
    app.run(move |handle, event| match event {
        RunEvent::ExitRequested { api, .. } if begin_shutdown(handle) => {
            api.prevent_exit();
        }
        RunEvent::WindowEvent {
            event: WindowEvent::CloseRequested { api, .. },
            ..
        } if kiosk_locked(handle) => {
            // Alt+F4 and the like do nothing unless an administrator is signed in.
            tracing::info!("refused to close the kiosk window: no administrator is signed in");
            api.prevent_close();
        }
        RunEvent::WindowEvent {
            event: WindowEvent::CloseRequested { api, .. },
            ..
        } if begin_shutdown(handle) => api.prevent_close(),
        _ => {}
    });
    ExitCode::SUCCESS
}

/// Every surface a session's ending wipes: the browser first (its downloads stop before My
/// files is emptied), the core's and the desktop's, then the main page's web data, the clipboard
/// and Slate's notifications.
fn session_wipers(
    handle: &tauri::AppHandle,
    kiosk: &Arc<Kiosk>,
    notifications: &wipers::OpenNotifications,
) -> Vec<Arc<dyn slate_core::wipe::Wiper>> {
    let mut all: Vec<Arc<dyn slate_core::wipe::Wiper>> = vec![Arc::new(browser::BrowserView {
        app: handle.clone(),
    })];
    all.extend(desktop_wipers(kiosk));
    all.push(Arc::new(wipers::WebviewData {
        app: handle.clone(),
        folder: kiosk.data_dir().path().join("webview"),
    }));
    all.push(Arc::new(wipers::Clipboard {
        app: handle.clone(),
    }));
    all.push(Arc::new(wipers::Notifications {
        open: Arc::clone(notifications),
    }));
    all
}

/// The core's surfaces plus the account's recently-used list: everything that outlives the
/// process, so also what start-up recovery wipes after a crash.
fn desktop_wipers(kiosk: &Arc<Kiosk>) -> Vec<Arc<dyn slate_core::wipe::Wiper>> {
    let mut all = core_wipers(kiosk);
    if let Some(recent) = slate_core::wipe::RecentlyUsed::for_this_account() {
        all.push(Arc::new(recent));
    }
    all
}

static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);

/// Whether the window must stay open: in release builds, unless an administrator's session is
/// live. (Debug builds close normally, for developers and the end-to-end tests. SIGTERM still
/// ends the session and the app in every build.)
fn kiosk_locked(app: &tauri::AppHandle) -> bool {
    if cfg!(debug_assertions) {
        return false;
    }
    let Some(slate) = app.try_state::<Slate>() else {
        return true;
    };
    !matches!(
        slate.session.status().screen,
        slate_core::api::Screen::Session {
            account: slate_core::api::SessionKind::Admin,
            ..
        }
    )
}

/// Whether the window may show `url`: only Slate's own pages, never anywhere else.
fn own_page(url: &tauri::Url) -> bool {
    url.scheme() == "tauri" || (url.scheme() == "http" && url.host_str() == Some("tauri.localhost"))
}

/// Starts an orderly shutdown (the live session ends with `Shutdown`, then the app exits).
/// Returns whether the caller should hold the exit until then (false once it is under way).
fn begin_shutdown(app: &tauri::AppHandle) -> bool {
    let Some(slate) = app.try_state::<Slate>() else {
        return false; // not started: nothing to end
    };
    if SHUTTING_DOWN.swap(true, Ordering::SeqCst) {
        return false;
    }
    let (app, session) = (app.clone(), slate.session.clone());
    tauri::async_runtime::spawn(async move {
        session.shutdown().await;
        tracing::info!("shut down");
        app.exit(0);
    });
    true
}

/// SIGTERM, SIGINT and SIGHUP end the session as `Shutdown` before the app exits.
fn end_on_signals(app: tauri::AppHandle) {
    use tokio::signal::unix::{signal, SignalKind};
    tauri::async_runtime::spawn(async move {
        let kinds = [
            SignalKind::terminate(),
            SignalKind::interrupt(),
            SignalKind::hangup(),
        ];
        let mut streams = Vec::new();
        for kind in kinds {
            match signal(kind) {
                Ok(s) => streams.push(s),
                Err(e) => tracing::warn!("cannot watch a signal: {e}"),
            }
        }
        let waits = streams.iter_mut().map(|s| Box::pin(s.recv()));
        futures_select_all(waits).await;
        tracing::info!("signal received: ending the session");
        begin_shutdown(&app);
    });
}

/// Waits for the first of several futures.
async fn futures_select_all<F: std::future::Future + Unpin>(futures: impl Iterator<Item = F>) {
    let all: Vec<F> = futures.collect();
    if all.is_empty() {
        std::future::pending::<()>().await;
    }
    let _ = futures::future::select_all(all).await;
}

/// Every status change goes to the UI as an event and to the desktop as notifications.
fn forward_status(
    app: tauri::AppHandle,
    session: &SessionHandle,
    notifications: wipers::OpenNotifications,
) {
    let mut rx = session.subscribe();
    let session = session.clone();
    tauri::async_runtime::spawn(async move {
        let mut notifier = notify::Notifier::new(notifications);
        let mut was_browsing = false;
        let mut zoom = 1.0;
        loop {
            let status = rx.borrow_and_update().clone();
            if let Err(e) = app.emit(STATUS_EVENT, &status) {
                tracing::warn!("cannot send the status to the UI: {e}");
            }
            notifier.update(&status).await;
            // A session with a browser gets its view (once; the wipe destroys it at the end),
            // its pages zoomed with the session's text size.
            let wanted = match &status.screen {
                slate_core::api::Screen::Session { preferences, .. } => {
                    browser::zoom_for(preferences.text_size)
                }
                _ => 1.0,
            };
            if (wanted - zoom).abs() > f64::EPSILON {
                zoom = wanted;
                browser::set_zoom(&app, zoom);
            }
            // Asked once, on entering the session (its status changes every second or so).
            let browsing = matches!(
                &status.screen,
                slate_core::api::Screen::Session {
                    browser: Some(_),
                    ..
                }
            );
            if browsing && !was_browsing {
                match session.browsing().await {
                    Ok(Some(b)) => browser::open(&app, session.clone(), b),
                    Ok(None) => {}
                    Err(e) => tracing::error!("cannot read the session's browser: {e}"),
                }
            }
            was_browsing = browsing;
            if rx.changed().await.is_err() {
                return;
            }
        }
    });
}

/// The one window: in release builds fullscreen, undecorated and always on top; in debug builds
/// an ordinary window (with developer tools) so that developers can see around it. In every
/// build it shows only Slate's own pages (any other navigation is refused) and opens no other
/// window; zoom shortcuts are off. (The page itself refuses the context menu, reload and close
/// shortcuts and dropped files: `ui/src/lockdown.ts`.)
fn open_main_window(app: &tauri::AppHandle, data_dir: &std::path::Path) -> tauri::Result<()> {
    let release = !cfg!(debug_assertions);
    WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
        .title("Slate")
        // The page's web data lives inside Slate's data folder and is cleared at every ending
        // (see wipers::WebviewData). (Incognito would keep it off the disk altogether, but
        // WebKitWebDriver cannot attach to an ephemeral context, and the wipe is tested end to end
        // through WebDriver.)
        .data_directory(data_dir.join("webview"))
        .inner_size(1280.0, 800.0)
        .min_inner_size(800.0, 600.0)
        .fullscreen(release)
        .decorations(!release)
        .always_on_top(release)
        .devtools(!release)
        .zoom_hotkeys_enabled(false)
        .on_navigation(|url| {
            let ok = own_page(url);
            if !ok {
                tracing::warn!(%url, "refused a navigation away from Slate's pages");
            }
            ok
        })
        .on_new_window(|url, _| {
            tracing::warn!(%url, "refused to open a new window");
            tauri::webview::NewWindowResponse::Deny
        })
        .build()?;
    Ok(())
}
