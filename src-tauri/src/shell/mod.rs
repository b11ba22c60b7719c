//! The Tauri shell: opens the kiosk window, registers the commands in [`commands`], forwards the
//! core's announcements to the UI (event `slate://status`) and the desktop ([`notify`], in the
//! session's language through [`words`]), and turns a window close, SIGTERM or the machine going
//! to sleep ([`sleep`]) into an orderly `Shutdown` ending. It adds the wipe surfaces only it can
//! reach ([`wipers`]), and hosts the session's browser ([`browser`]) behind its gate ([`gate`]). It draws nothing and
//! decides nothing.

pub mod browser;
pub mod commands;
pub mod gate;
pub mod link;
pub mod notify;
pub mod sleep;
pub mod wipers;
pub mod words;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tauri::{Emitter, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder, WindowEvent};

use slate_core::exit;
use slate_core::ipc_names::STATUS_EVENT;
use slate_core::wire::Call;

use link::Link;

/// Where the session service is.
pub enum ServiceAt {
    /// Started in this process on a data folder, for this account alone (someone trying Slate
    /// out, the end-to-end tests): the screen still reaches it only through its socket, in a
    /// folder of its own (0700).
    Embedded(Embedded),
    /// A running `slated`'s socket (the installed kiosk).
    Socket(PathBuf),
}

/// A session service to start in this process.
pub struct Embedded {
    pub prepared: slated::Prepared,
    pub listener: std::os::unix::net::UnixListener,
    pub socket: PathBuf,
    /// The socket's folder, removed when the app ends.
    pub folder: tempfile::TempDir,
}

impl Embedded {
    /// Opens the core on `data_dir` with `policy` and binds its socket in a new private folder.
    pub fn open(
        data_dir: Option<&std::path::Path>,
        policy: Option<PathBuf>,
    ) -> Result<Self, slated::Failure> {
        let prepared = slated::prepare(data_dir, policy, slated::Sessions::Inside)?;
        let runtime =
            std::env::var_os("XDG_RUNTIME_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
        let folder = tempfile::Builder::new()
            .prefix("slate-")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir_in(&runtime)
            .or_else(|_| {
                tempfile::Builder::new()
                    .prefix("slate-")
                    .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
                    .tempdir()
            })
            .map_err(|e| {
                (
                    format!("Cannot make a folder for the session service's socket: {e}."),
                    exit::DATA_DIR,
                )
            })?;
        let socket = folder.path().join("slate.sock");
        let listener = std::os::unix::net::UnixListener::bind(&socket)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| {
                (
                    format!("Cannot listen on {}: {e}.", socket.display()),
                    exit::DATA_DIR,
                )
            })?;
        Ok(Self {
            prepared,
            listener,
            socket,
            folder,
        })
    }
}

/// Opens the kiosk window and runs until it closes.
pub fn run(service: ServiceAt) -> ExitCode {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!(
            "slate: there is no display to open the kiosk on (neither DISPLAY nor WAYLAND_DISPLAY is set)."
        );
        return ExitCode::from(exit::RUNTIME);
    }
    let (socket, webview_folder, mut embedded) = match service {
        ServiceAt::Embedded(e) => (
            e.socket.clone(),
            e.prepared.kiosk.data_dir().path().join("webview"),
            Some(e),
        ),
        ServiceAt::Socket(socket) => (socket, own_folder().join("webview"), None),
    };
    // The webview's own folder starts empty at every start: whatever the pages of a crashed
    // session stored (cookies, localStorage, IndexedDB, cache) goes before any window opens.
    if let Err(e) = slate_core::wipe::remove_folder(&webview_folder) {
        eprintln!("slate: cannot clear the webview folder: {e}.");
        return ExitCode::from(exit::DATA_DIR);
    }
    let notifications = wipers::OpenNotifications::default();
    let link = Link::new(socket);
    let setup_link = link.clone();
    let app = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::create_first_admin,
            commands::sign_in,
            commands::sign_in_guest,
            commands::sign_in_pass,
            commands::report_activity,
            commands::stay,
            commands::extend_session,
            commands::answer_acceptable_use,
            commands::sign_out,
            commands::dismiss_signed_out,
            commands::list_files,
            commands::delete_file,
            commands::set_preference,
            commands::admin,
            commands::browser,
        ])
        .setup(move |app| {
            // A steady text caret that costs nothing at rest. Not `gtk-cursor-blink = false`:
            // WebKitGTK (2.50) then has no blink interval, and SimpleCaretAnimator re-arms its
            // blink timer at 0 ms on every rendering update, which schedules the next one: a
            // rendering update per frame (about 60 a second, 3-5 % of a core in software
            // rendering) for as long as a field has the focus. Blinking stays "on" with the
            // longest period GTK takes instead: the caret's first toggle (half a period,
            // RenderThemeAdwaita::caretBlinkInterval) is 2^31 ms / 2, about 12 days away, and
            // any focus change or keystroke starts it over. Set at the application's priority,
            // above settings.ini and XSettings (a desktop's "no blinking" would bring the loop back).
            if let Some(settings) = gtk::Settings::default() {
                use gtk::prelude::GtkSettingsExt;
                settings.set_gtk_cursor_blink_time(i32::MAX);
                settings.set_gtk_cursor_blink(true);
            }
            let handle = app.handle().clone();
            if let Some(e) = embedded.take() {
                start_embedded(e)?;
            }
            let surfaces = screen_surfaces(&handle, webview_folder.clone(), &notifications);
            app.manage(setup_link.clone());
            tauri::async_runtime::spawn(setup_link.clone().keep_up(surfaces));
            forward_status(handle.clone(), &setup_link, Arc::clone(&notifications));
            end_on_signals(handle.clone());
            exit_when_kiosk_left(handle.clone(), setup_link.clone());
            sleep::watch(setup_link.clone());
            open_main_window(&handle, &webview_folder)?;
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

/// Starts the embedded session service on the app's runtime, serving this account alone.
fn start_embedded(e: Embedded) -> Result<(), Box<dyn std::error::Error>> {
    let Embedded {
        prepared,
        listener,
        socket,
        folder,
    } = e;
    let admission = slated::admission(slated::screen_account(None).map_err(|(why, _)| why)?);
    tracing::info!(socket = %socket.display(),
        data_dir = %prepared.kiosk.data_dir().path().display(), "the session service runs in this process");
    tauri::async_runtime::block_on(async move {
        let listener = tokio::net::UnixListener::from_std(listener)?;
        let (_session, _server) = prepared
            .start(listener, admission)
            .map_err(|(why, _)| why)?;
        // The socket's folder lives as long as the app; an orderly shutdown removes it.
        let _ = SOCKET_FOLDER.set(folder.keep());
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}

/// The screen's own folder, for its web data when the service runs on its own: in the
/// account's runtime folder (memory, never the disk) when it has one.
fn own_folder() -> PathBuf {
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(|d| PathBuf::from(d).join("slate-screen"))
        .or_else(|| {
            directories::ProjectDirs::from("", "", "slate-screen")
                .map(|d| d.data_local_dir().to_path_buf())
        })
        .unwrap_or_else(|| std::env::temp_dir().join("slate-screen"))
}

/// The surfaces only the screen can reach, wiped on the session service's orders
/// ([`slate_core::wire::SCREEN_SURFACES`]): the browser (its downloads stop before My files is
/// emptied), the account's recently-used list, the main page's web data, the clipboard and
/// Slate's notifications.
fn screen_surfaces(
    handle: &tauri::AppHandle,
    webview_folder: PathBuf,
    notifications: &wipers::OpenNotifications,
) -> Arc<link::Surfaces> {
    let mut all: Vec<Arc<dyn slate_core::wipe::Wiper>> = vec![
        Arc::new(browser::BrowserView {
            app: handle.clone(),
        }),
        Arc::new(wipers::WebviewData {
            app: handle.clone(),
            folder: webview_folder,
        }),
        Arc::new(wipers::Clipboard {
            app: handle.clone(),
        }),
        Arc::new(wipers::Notifications {
            open: Arc::clone(notifications),
        }),
    ];
    match slate_core::wipe::RecentlyUsed::for_this_account() {
        Some(recent) => all.push(Arc::new(recent)),
        None => all.push(Arc::new(wipers::Nothing("recently_used"))),
    }
    Arc::new(all.into_iter().map(|w| (w.name(), w)).collect())
}

static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);

/// The private folder of the embedded service's socket, if this process runs one.
static SOCKET_FOLDER: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Whether the window must stay open: in release builds, unless an administrator's session is
/// live. (Debug builds close normally, for developers and the end-to-end tests. SIGTERM still
/// ends the session and the app in every build.)
fn kiosk_locked(app: &tauri::AppHandle) -> bool {
    if cfg!(debug_assertions) {
        return false;
    }
    let Some(link) = app.try_state::<Link>() else {
        return true;
    };
    !matches!(
        link.status().screen,
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
    let Some(link) = app.try_state::<Link>() else {
        return false; // not started: nothing to end
    };
    if SHUTTING_DOWN.swap(true, Ordering::SeqCst) {
        return false;
    }
    let (app, link) = (app.clone(), link.inner().clone());
    tauri::async_runtime::spawn(async move {
        // Nothing to end is fine; a service that cannot be reached ends the session itself
        // when it sees the screen go.
        if let Err(e) = link.call(Call::EndForShutdown).await {
            tracing::debug!("no session ended at shutdown: {}", e.message);
        }
        if let Some(folder) = SOCKET_FOLDER.get() {
            let _ = std::fs::remove_dir_all(folder);
        }
        tracing::info!("shut down");
        app.exit(0);
    });
    true
}

/// Exits with [`exit::LEFT_KIOSK`] once the service says an administrator left kiosk mode (the
/// session has ended already), so that the kiosk's session script ends too.
fn exit_when_kiosk_left(app: tauri::AppHandle, link: Link) {
    tauri::async_runtime::spawn(async move {
        link.kiosk_left().await;
        // Nothing left to end: the exit goes ahead at once.
        SHUTTING_DOWN.store(true, Ordering::SeqCst);
        app.exit(i32::from(exit::LEFT_KIOSK));
    });
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
fn forward_status(app: tauri::AppHandle, link: &Link, notifications: wipers::OpenNotifications) {
    let mut rx = link.subscribe();
    let session = link.clone();
    tauri::async_runtime::spawn(async move {
        let mut notifier = notify::Notifier::new(notifications);
        let mut was_browsing = false;
        let mut was_ending = false;
        let mut zoom = 1.0;
        loop {
            let status = rx.borrow_and_update().clone();
            // A session's ending is over: what this process freed for it (the page's and the
            // browser's data, the screen's side of the wipe) goes back to the system. (The
            // session service gives its own back once its hashing thread is idle: a trim at
            // each ending there made the next sign-in's hash fault its 19 MiB back in.)
            let ending = matches!(status.screen, slate_core::api::Screen::Ending);
            if was_ending && !ending {
                tauri::async_runtime::spawn_blocking(slate_core::hardening::give_back_free_memory);
            }
            was_ending = ending;
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
                match session
                    .call(Call::Browsing)
                    .await
                    .and_then(slate_core::wire::Answer::into_browsing)
                {
                    Ok(Some(b)) => browser::open(&app, session.clone(), b),
                    Ok(None) => {}
                    Err(e) => tracing::error!("cannot read the session's browser: {}", e.message),
                }
            }
            was_browsing = browsing;
            if rx.changed().await.is_err() {
                return;
            }
        }
    });
}

/// If the page's web process dies (a crash, or the kernel's out-of-memory killer), the page is
/// loaded again in a new one: `WebKitGTK` leaves the window blank otherwise, and a kiosk with a
/// blank screen helps nobody. The session, if one is live, goes on: the service keeps it, and the
/// new page asks what to show.
fn reload_after_a_crash(window: &tauri::WebviewWindow) {
    let _ = window.with_webview(|webview| {
        use webkit2gtk::WebViewExt;
        webview
            .inner()
            .connect_web_process_terminated(|view, reason| {
                if reason == webkit2gtk::WebProcessTerminationReason::TerminatedByApi {
                    return;
                }
                tracing::error!(
                    ?reason,
                    "the page's web process ended: loading the page again"
                );
                view.reload();
            });
    });
}

/// The one window: in release builds fullscreen, undecorated and always on top; in debug builds
/// an ordinary window (with developer tools) so that developers can see around it. In every
/// build it shows only Slate's own pages (any other navigation is refused) and opens no other
/// window; zoom shortcuts are off. (The page itself refuses the context menu, reload and close
/// shortcuts and dropped files: `ui/src/lockdown.ts`.)
fn open_main_window(app: &tauri::AppHandle, data_dir: &std::path::Path) -> tauri::Result<()> {
    let release = !cfg!(debug_assertions);
    let window = WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
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
    reload_after_a_crash(&window);
    if release {
        // Fullscreen is a request to a window manager, and Slate's own X session has none: the
        // window covers its monitor itself (with a window manager, this changes nothing).
        let monitor = window
            .current_monitor()
            .ok()
            .flatten()
            .or_else(|| app.primary_monitor().ok().flatten());
        if let Some(monitor) = monitor {
            let _ = window.set_position(*monitor.position());
            let _ = window.set_size(*monitor.size());
        }
    }
    Ok(())
}
