//! The session's browser: a `WebKit` view of its own below Slate's bar, created when a session
//! with allowed sites starts and destroyed by the wipe at its end.
//!
//! - **Its own data, in memory only.** The view has an ephemeral web context: cookies,
//!   localStorage, IndexedDB, cache and history never touch the disk, and they are not shared
//!   with Slate's own page or with the next session's view. The wipe clears them, asks `WebKit`
//!   what is left (nothing may be), and destroys the view ([`BrowserView`]).
//! - **No door to Slate.** It is a plain `WebKit` view, not a Tauri webview: no Tauri script is
//!   injected and its context has no `ipc:` scheme, so a page cannot call Slate's commands, and
//!   the capability in `capabilities/main.json` grants them to local pages of the main window
//!   only.
//! - **Sandboxed.** Its web processes run in `WebKit`'s bubblewrap sandbox: a page that breaks
//!   the web engine finds itself in an empty mount namespace without Slate's data folder, the
//!   home folder or the network (pages are fetched by `WebKit`'s network process).
//! - **Only the allowed sites, for every request.** Every connection the browser makes (pages,
//!   subresources, fetch, `WebSockets`, beacons, workers, redirects…) goes through the session's
//!   [`Gate`], a proxy that lets through only the allowed sites, over their schemes, at public
//!   addresses or ones the administrator listed. On top, every navigation (links, scripts, forms,
//!   redirects, new windows) is checked against the session's [`BrowserPlan`]; a refused one
//!   leaves the page as it was, and Slate's page shows why when the person asked for it (a frame
//!   of the page, or a script on its own, is refused quietly). New windows open in the same view.
//!   `WebRTC` (which would not go through the gate), the camera and microphone, and DNS
//!   prefetching are off. Refusals are logged by origin, never by address.
//! - **Files only through My files.** Downloads land in the session's folder under a safe name
//!   (`my_files::safe_file_name`), with a notice; an upload asks Slate's page, which offers only
//!   the files of My files.
//! - **Downloads bounded.** A session's downloads stop at `download_quota` in all, and before the
//!   disk's free space falls under `download_free_space_floor`: checked when the size is
//!   announced and at every piece received; a stopped download is removed, with a notice.
//! - **Printing never reaches the file system.** A page's print goes, without any dialog, to the
//!   default CUPS printer when the `printing` setting allows it (GTK's print backends limited to
//!   CUPS, so "Print to File" does not exist), and nowhere when it does not; a notice says which.
//! - **Activity.** Keys, buttons, wheel, touch and pointer movement on the view count as
//!   activity for the idle timeout, reported by the shell (at most once a second), so pages need
//!   no access to Slate.
//! - **Media is use.** While the view plays audio (an audible media element, or `WebKit`'s own
//!   is-playing-audio where no muted media plays) or a video plays in view in a visible page
//!   (seen by a script in a world of its own, which pages cannot reach or imitate), the shell
//!   tells the session manager every second; where
//!   `media_counts_as_use` is on, that holds the idle deadline (never the time limit). A paused
//!   video, or a muted one out of sight, holds nothing.
//!
//! Everything here runs on the GTK main thread (`WebKit` objects live there); the state is a
//! thread-local, reached through [`tauri::AppHandle::run_on_main_thread`].

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use gtk::prelude::*;
use tauri::{Emitter, Manager};
use webkit2gtk::{
    DownloadExt, FileChooserRequestExt, NavigationPolicyDecisionExt, PolicyDecisionExt,
    PolicyDecisionType, PrintOperationExt, ResponsePolicyDecisionExt, SettingsExt, URIRequestExt,
    UserContentManagerExt, WebContextExt, WebViewExt, WebsiteDataManagerExtManual,
};

use slate_core::api::{
    BrowserPlan, BrowserRequest, BrowserState, DownloadNotice, DownloadOutcome, PrintNotice,
    PrintOutcome, Screen, TextSize,
};
use slate_core::ipc_names::BROWSER_EVENT;
use slate_core::my_files::{
    file_in, free_space, safe_file_name, unused_path, DownloadLimits, DownloadStop,
};
use slate_core::phrase;
use slate_core::session::Browsing;
use slate_core::sites::AllowedSites;

use super::link::Link;
use slate_core::wipe::{Removed, WipeTarget, Wiper};

use super::gate::Gate;
use super::wipers::on_main;

/// The live view, on the main thread.
struct View {
    session_id: String,
    webview: webkit2gtk::WebView,
    context: webkit2gtk::WebContext,
    plan: BrowserPlan,
    sites: AllowedSites,
    /// Every connection of the view goes through it; it closes with the view.
    gate: Gate,
    folder: PathBuf,
    state: BrowserState,
    /// A page's request for a file, waiting for the person's choice.
    upload: Option<webkit2gtk::FileChooserRequest>,
    downloads: Vec<webkit2gtk::Download>,
    limits: DownloadLimits,
    /// Bytes of the session's downloads kept or under way (a stopped or failed one is taken off).
    downloaded: u64,
    printing: bool,
    /// The print under way, kept alive until it ends.
    printing_now: Option<webkit2gtk::PrintOperation>,
    /// The window's resize handler that keeps the view below the bar.
    on_resize: Option<gtk::glib::SignalHandlerId>,
}

thread_local! {
    static VIEW: RefCell<Option<View>> = const { RefCell::new(None) };
    /// Where the UI last said the view goes (it may say so before the view exists).
    static LAYOUT: Cell<(u32, bool)> = const { Cell::new((0, false)) };
    /// The pages' zoom: larger text in the session is larger text in the browser too.
    static ZOOM: Cell<f64> = const { Cell::new(1.0) };
}

/// The zoom of the pages for the session's `text_size` preference.
pub fn zoom_for(text_size: TextSize) -> f64 {
    if text_size == TextSize::Large {
        1.25
    } else {
        1.0
    }
}

/// Sets the pages' zoom (now, and for a view opened later in the session).
pub fn set_zoom(app: &tauri::AppHandle, zoom: f64) {
    let _ = app.run_on_main_thread(move || {
        ZOOM.with(|z| z.set(zoom));
        VIEW.with(|v| {
            if let Some(view) = v.borrow().as_ref() {
                view.webview.set_zoom_level(zoom);
            }
        });
    });
}

/// Changes the view's state and announces it.
fn update(app: &tauri::AppHandle, change: impl FnOnce(&mut View)) {
    let state = VIEW.with(|v| {
        v.borrow_mut().as_mut().map(|view| {
            change(view);
            view.state.clone()
        })
    });
    if let Some(state) = state {
        if let Err(e) = app.emit(BROWSER_EVENT, &state) {
            tracing::warn!("cannot send the browser's state to the UI: {e}");
        }
    }
}

/// Whether the view may show `uri`: an allowed site, a `blob:` an allowed site made (a file it
/// builds for download), or the blank page. Never `data:`, `file:` or any other scheme.
fn allowed(sites: &AllowedSites, uri: &str) -> bool {
    let inner = uri.strip_prefix("blob:").unwrap_or(uri);
    uri == "about:blank" || sites.allows(inner)
}

/// What a log may say of an address: its origin (scheme, host and port), never its path or
/// query; the scheme alone for an address without one (`data:`).
fn origin_of(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(u) if u.has_host() => u.origin().ascii_serialization(),
        Ok(u) => format!("{}:", u.scheme()),
        Err(_) => "(not an address)".to_owned(),
    }
}

/// Opens the browser of `browsing`'s session below Slate's bar (hidden until the UI says where
/// the bar ends). Does nothing if that session's view is already open.
pub fn open(app: &tauri::AppHandle, session: Link, browsing: Browsing) {
    let handle = app.clone();
    let _ = app.run_on_main_thread(move || {
        let same = VIEW.with(|v| {
            v.borrow()
                .as_ref()
                .is_some_and(|view| view.session_id == browsing.session_id)
        });
        // The session may have ended meanwhile: its ending shows `Ending` before its wipe,
        // whose closing of the view runs on this thread after this check.
        let live = matches!(
            session.status().screen,
            Screen::Session {
                browser: Some(_),
                ..
            }
        );
        if same || !live {
            return;
        }
        close_view(&handle);
        if let Err(e) = build(&handle, session, browsing) {
            tracing::error!("cannot open the session's browser: {e}");
        }
    });
}

fn build(app: &tauri::AppHandle, session: Link, browsing: Browsing) -> Result<(), String> {
    let window = app
        .get_webview_window("main")
        .ok_or("there is no kiosk window")?;
    let vbox = window.default_vbox().map_err(|e| e.to_string())?;
    let context = webkit2gtk::WebContext::new_ephemeral();
    // Its web processes run in WebKit's bubblewrap sandbox (their own mount, user, PID and
    // network namespaces, a seccomp filter, D-Bus only through xdg-dbus-proxy): set before the
    // context starts any process.
    context.set_sandbox_enabled(true);
    // Every connection goes through the session's gate, for every scheme and host: without it,
    // no browser.
    let sites = AllowedSites::parse(&browsing.plan.sites);
    let gate = Gate::open(sites.clone()).map_err(|e| format!("its gate cannot open: {e}"))?;
    let manager = context
        .website_data_manager()
        .ok_or("its context has no data manager")?;
    webkit2gtk::WebsiteDataManagerExt::set_network_proxy_settings(
        &manager,
        webkit2gtk::NetworkProxyMode::Custom,
        Some(&mut webkit2gtk::NetworkProxySettings::new(
            Some(&gate.proxy_uri()),
            &[],
        )),
    );
    let scripts = webkit2gtk::UserContentManager::new();
    let webview = webkit2gtk::WebView::builder()
        .web_context(&context)
        .user_content_manager(&scripts)
        .build();
    if let Some(settings) = WebViewExt::settings(&webview) {
        settings.set_enable_developer_extras(false);
        settings.set_javascript_can_open_windows_automatically(false);
        settings.set_enable_write_console_messages_to_stdout(false);
        // Back and Forward load the page again rather than thawing a frozen copy kept in memory.
        settings.set_enable_page_cache(false);
        // WebRTC's connections would not go through the gate; no camera or microphone either.
        settings.set_enable_webrtc(false);
        settings.set_enable_media_stream(false);
        settings.set_enable_dns_prefetching(false);
    }
    // No context menu (open in new window, save, inspect).
    webview.connect_context_menu(|_, _, _, _| true);
    print_without_dialog(app, &webview);
    guard_navigation(app, &webview);
    follow_state(app, &webview);
    take_downloads(app, &context);
    webview.connect_run_file_chooser({
        let app = app.clone();
        move |_, request| {
            let request = request.clone();
            update(&app, |view| {
                if let Some(old) = view.upload.replace(request) {
                    old.cancel();
                }
                view.state.upload = true;
            });
            true
        }
    });
    follow_media(
        &webview,
        &scripts,
        session.clone(),
        browsing.session_id.clone(),
    );
    count_activity(&webview, session);
    vbox.pack_start(&webview, true, true, 0);
    // The window changed size: the view keeps to below the bar.
    let on_resize = vbox.connect_size_allocate({
        let browser: gtk::Widget = webview.clone().upcast();
        move |vbox, _| {
            let (top, shown) = LAYOUT.with(Cell::get);
            if shown && browser.parent().is_some() {
                place(vbox, &browser, top, shown);
            }
        }
    });
    webview.set_no_show_all(true);
    webview.hide();
    let home = browsing.plan.home.clone();
    VIEW.with(|v| {
        *v.borrow_mut() = Some(View {
            session_id: browsing.session_id,
            webview: webview.clone(),
            context,
            plan: browsing.plan,
            sites,
            gate,
            folder: browsing.folder,
            state: BrowserState::default(),
            upload: None,
            downloads: Vec::new(),
            limits: browsing.downloads,
            downloaded: 0,
            printing: browsing.printing,
            printing_now: None,
            on_resize: Some(on_resize),
        });
    });
    webview.set_zoom_level(ZOOM.with(Cell::get));
    let (top, shown) = LAYOUT.with(Cell::get);
    layout(app, top, shown)?;
    webview.load_uri(if home.is_empty() {
        "about:blank"
    } else {
        &home
    });
    tracing::info!("the session's browser is open");
    Ok(())
}

/// Every navigation is checked against the allowed sites; a new window opens in the same view.
fn guard_navigation(app: &tauri::AppHandle, webview: &webkit2gtk::WebView) {
    let refuse = {
        let app = app.clone();
        move |uri: String| {
            tracing::info!(to = %origin_of(&uri), "refused a navigation outside the allowed sites");
            update(&app, |view| view.state.refused = Some(uri));
        }
    };
    let plan_allows = |uri: &str| {
        VIEW.with(|v| {
            v.borrow()
                .as_ref()
                .is_some_and(|view| allowed(&view.sites, uri))
        })
    };
    let on_policy = refuse.clone();
    webview.connect_decide_policy(move |webview, decision, kind| match kind {
        PolicyDecisionType::NavigationAction | PolicyDecisionType::NewWindowAction => {
            let action = decision
                .downcast_ref::<webkit2gtk::NavigationPolicyDecision>()
                .and_then(NavigationPolicyDecisionExt::navigation_action);
            let uri = action
                .as_ref()
                .and_then(webkit2gtk::NavigationAction::request)
                .and_then(|r| r.uri())
                .map(|u| u.to_string())
                .unwrap_or_default();
            if !plan_allows(&uri) {
                decision.ignore();
                if action.is_some_and(|a| the_person_asked(kind, a)) {
                    on_policy(uri);
                } else {
                    // A frame inside an allowed page, or a script on its own: refused quietly,
                    // the page stays as it is.
                    tracing::info!(to = %origin_of(&uri), "refused a frame or script navigation outside the allowed sites");
                }
            } else if kind == PolicyDecisionType::NewWindowAction {
                person_asked_for(&uri);
                // No second window: the page opens here.
                decision.ignore();
                webview.load_uri(&uri);
            } else {
                if action.is_some_and(|a| the_person_asked(kind, a)) {
                    person_asked_for(&uri);
                }
                decision.use_();
            }
            true
        }
        PolicyDecisionType::Response => {
            let download = decision
                .downcast_ref::<webkit2gtk::ResponsePolicyDecision>()
                .is_some_and(|r| !r.is_mime_type_supported());
            if download {
                decision.download();
            }
            download
        }
        _ => false,
    });
    // A redirect the policy did not see is stopped here.
    webview.connect_load_changed(move |webview, event| {
        if event == webkit2gtk::LoadEvent::Redirected {
            let uri = webview.uri().map(|u| u.to_string()).unwrap_or_default();
            if !plan_allows(&uri) {
                webview.stop_loading();
                refuse(uri);
            }
        }
    });
    webview.connect_create(|_, _| None);
}

/// A page's print never shows a dialog (which could choose "Print to File" and browse the file
/// system): with `printing` on it goes straight to the default CUPS printer, otherwise nowhere.
fn print_without_dialog(app: &tauri::AppHandle, webview: &webkit2gtk::WebView) {
    // Only CUPS printers exist for GTK in this process: no "Print to File", no lpr.
    if let Some(settings) = gtk::Settings::default() {
        settings.set_gtk_print_backends(Some("cups"));
    }
    let app = app.clone();
    webview.connect_print(move |_, operation| {
        let allowed = VIEW.with(|v| v.borrow().as_ref().is_some_and(|view| view.printing));
        if !allowed {
            tracing::info!("refused a page's print: printing is off");
            print_notice(&app, PrintOutcome::Off);
            return true;
        }
        // Fresh settings: the default printer, and no output file.
        operation.set_print_settings(&gtk::PrintSettings::new());
        let failed = Rc::new(Cell::new(false));
        let (a, f) = (app.clone(), Rc::clone(&failed));
        operation.connect_failed(move |_, e| {
            tracing::warn!("a page could not be printed: {e}");
            f.set(true);
            print_notice(&a, PrintOutcome::Failed);
        });
        let a = app.clone();
        operation.connect_finished(move |_| {
            if !failed.get() {
                tracing::info!("printed a page");
                print_notice(&a, PrintOutcome::Sent);
            }
            VIEW.with(|v| {
                if let Some(view) = v.borrow_mut().as_mut() {
                    view.printing_now = None;
                }
            });
        });
        VIEW.with(|v| {
            if let Some(view) = v.borrow_mut().as_mut() {
                view.printing_now = Some(operation.clone());
            }
        });
        operation.print();
        true
    });
}

fn print_notice(app: &tauri::AppHandle, outcome: PrintOutcome) {
    update(app, |view| {
        let serial = view.state.print.as_ref().map_or(1, |p| p.serial + 1);
        view.state.print = Some(PrintNotice { outcome, serial });
    });
}

/// Tells the gate the person asked for `uri`: a plain-http page they asked for may load even
/// while an https page is shown.
fn person_asked_for(uri: &str) {
    VIEW.with(|v| {
        if let Some(view) = v.borrow().as_ref() {
            view.gate.person_asked_for(uri);
        }
    });
}

/// Whether a refused navigation is one the person made (a click, a form, Back or Forward, a
/// redirect of theirs, a new window), so the refusal page explains it; not a frame inside the
/// page or a script acting on its own.
fn the_person_asked(kind: PolicyDecisionType, mut action: webkit2gtk::NavigationAction) -> bool {
    use webkit2gtk::NavigationType as N;
    kind == PolicyDecisionType::NewWindowAction
        || action.is_user_gesture()
        || action.is_redirect()
        || matches!(
            action.navigation_type(),
            N::LinkClicked | N::FormSubmitted | N::FormResubmitted | N::BackForward | N::Reload
        )
}

/// The address, title and history buttons follow the page.
fn follow_state(app: &tauri::AppHandle, webview: &webkit2gtk::WebView) {
    let announce = {
        let app = app.clone();
        move |webview: &webkit2gtk::WebView| {
            let address = webview.uri().map(|u| u.to_string()).unwrap_or_default();
            let title = webview.title().map(|t| t.to_string()).unwrap_or_default();
            let (back, forward) = (webview.can_go_back(), webview.can_go_forward());
            update(&app, |view| {
                view.state.address = address;
                view.state.title = title;
                view.state.can_go_back = back;
                view.state.can_go_forward = forward;
            });
        }
    };
    let a = announce.clone();
    webview.connect_load_changed(move |w, _| a(w));
    let a = announce.clone();
    webview.connect_title_notify(move |w| a(w));
    webview.connect_uri_notify(move |w| {
        let address = w.uri().map(|u| u.to_string()).unwrap_or_default();
        VIEW.with(|v| {
            if let Some(view) = v.borrow().as_ref() {
                view.gate.page_shown(&address);
            }
        });
        announce(w);
    });
}

/// One download under way: its name and file in My files, what it has received, and why it was
/// stopped, if it was.
#[derive(Default)]
struct Transfer {
    name: String,
    path: Option<PathBuf>,
    received: u64,
    stopped: Option<DownloadStop>,
    failed: bool,
}

/// Downloads land in My files under a safe, unused name, within the session's limits, with a
/// notice when done or refused.
fn take_downloads(app: &tauri::AppHandle, context: &webkit2gtk::WebContext) {
    let app = app.clone();
    context.connect_download_started(move |_, download| {
        let folder = VIEW.with(|v| {
            v.borrow_mut().as_mut().map(|view| {
                view.downloads.push(download.clone());
                view.folder.clone()
            })
        });
        let Some(folder) = folder else {
            download.cancel();
            return;
        };
        let transfer = Rc::new(RefCell::new(Transfer::default()));
        let t = Rc::clone(&transfer);
        let dir = folder.clone();
        download.connect_decide_destination(move |download, suggested| {
            let path = unused_path(&dir, &safe_file_name(suggested));
            {
                let mut t = t.borrow_mut();
                t.name = file_name_of(&path);
                t.path = Some(path.clone());
            }
            // The size the site announces is checked before anything is written.
            if let Some(stop) = over_limits(&dir, 0, announced(download)) {
                t.borrow_mut().stopped = Some(stop);
                download.cancel();
                return true;
            }
            match url::Url::from_file_path(&path) {
                Ok(uri) => download.set_destination(uri.as_str()),
                Err(()) => download.cancel(),
            }
            true
        });
        let t = Rc::clone(&transfer);
        download.connect_received_data(move |download, length| {
            if t.borrow().stopped.is_some() {
                return;
            }
            t.borrow_mut().received += length;
            let more = announced(download).saturating_sub(t.borrow().received);
            if let Some(stop) = over_limits(&folder, length, more) {
                t.borrow_mut().stopped = Some(stop);
                download.cancel();
            }
        });
        let t = Rc::clone(&transfer);
        download.connect_failed(move |_, e| {
            if t.borrow().stopped.is_none() {
                // The error's own text can name the address or the file: only its kind.
                tracing::warn!(kind = %e.domain().as_str(), "a download failed");
            }
            t.borrow_mut().failed = true;
        });
        let app = app.clone();
        download.connect_finished(move |download| {
            let t = transfer.borrow();
            let outcome = match t.stopped {
                Some(DownloadStop::OverQuota) => DownloadOutcome::OverQuota {
                    quota_mb: VIEW.with(|v| {
                        v.borrow()
                            .as_ref()
                            .map_or(0, |view| view.limits.quota / 1_000_000)
                    }),
                },
                Some(DownloadStop::LowSpace) => DownloadOutcome::LowSpace,
                None if t.failed => DownloadOutcome::Failed,
                None => DownloadOutcome::Done,
            };
            if outcome != DownloadOutcome::Done {
                // What it wrote goes, and no longer counts against the quota.
                if let Some(path) = &t.path {
                    if let Err(e) = std::fs::remove_file(path) {
                        if e.kind() != std::io::ErrorKind::NotFound {
                            tracing::warn!("cannot remove a stopped download: {e}");
                        }
                    }
                }
            }
            tracing::info!(?outcome, "a download into My files ended");
            let (name, received) = (t.name.clone(), t.received);
            update(&app, |view| {
                view.downloads.retain(|d| d != download);
                if outcome != DownloadOutcome::Done {
                    view.downloaded = view.downloaded.saturating_sub(received);
                }
                let serial = view.state.download.as_ref().map_or(1, |d| d.serial + 1);
                view.state.download = Some(DownloadNotice {
                    name,
                    outcome,
                    serial,
                });
            });
        });
    });
}

/// The size the site announced for a download (0 when it did not say).
fn announced(download: &webkit2gtk::Download) -> u64 {
    download
        .response()
        .map_or(0, |r| webkit2gtk::URIResponseExt::content_length(&r))
}

/// Adds `received` bytes to the session's downloads and says whether the download must stop,
/// with `more` bytes still announced for it.
fn over_limits(folder: &Path, received: u64, more: u64) -> Option<DownloadStop> {
    let (limits, used) = VIEW.with(|v| {
        let mut v = v.borrow_mut();
        let view = v.as_mut()?;
        view.downloaded += received;
        Some((view.limits, view.downloaded))
    })?;
    // A disk whose free space cannot be read is treated as full: the download stops.
    let free = free_space(folder).unwrap_or(0);
    let verdict = limits.check(used, more, free).err();
    if let Some(stop) = verdict {
        tracing::info!(?stop, "stopped a download at the session's limits");
    }
    verdict
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The world the media script runs in: pages have no way into it, and its message handlers
/// exist only there.
const MEDIA_WORLD: &str = "slate-media";

/// What the media script says, one message handler each.
const MEDIA_SIGNALS: [&str; 3] = ["slateAudible", "slateMuted", "slateVideoInView"];

/// Every second, in each frame: which media elements are playing (not paused, not ended, with
/// data to play), and of those, is one audible (not muted, volume above 0), is one muted, and is
/// a video in view in a visible page? Each answer that is yes is said to the shell.
const MEDIA_SCRIPT: &str = r"
(() => {
  const say = (name) => window.webkit.messageHandlers[name].postMessage(1);
  const inView = (v) => {
    const r = v.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
      && r.top < innerHeight && r.left < innerWidth
      && getComputedStyle(v).visibility !== 'hidden';
  };
  setInterval(() => {
    const playing = [...document.querySelectorAll('video, audio')]
      .filter((m) => !m.paused && !m.ended && m.readyState > 2);
    if (playing.some((m) => !m.muted && m.volume > 0)) say('slateAudible');
    if (playing.some((m) => m.muted || m.volume === 0)) say('slateMuted');
    if (document.visibilityState === 'visible'
        && playing.some((m) => m.tagName === 'VIDEO' && inView(m))) say('slateVideoInView');
  }, 1000);
})();
";

/// Audio playing in the view, or a video in view, is use: reported to the session manager
/// every second while it lasts (the manager decides whether it counts). `WebKit`'s
/// is-playing-audio counts muted media too (with `GStreamer`), so it is believed only when the
/// script has seen no muted media playing (it then stands for Web Audio, or an audio element
/// outside the page's tree).
fn follow_media(
    webview: &webkit2gtk::WebView,
    scripts: &webkit2gtk::UserContentManager,
    session: Link,
    session_id: String,
) {
    scripts.add_script(&webkit2gtk::UserScript::for_world(
        MEDIA_SCRIPT,
        webkit2gtk::UserContentInjectedFrames::AllFrames,
        webkit2gtk::UserScriptInjectionTime::End,
        MEDIA_WORLD,
        &[],
        &[],
    ));
    let seen: Rc<[Cell<Option<Instant>>; 3]> = Rc::new(Default::default());
    for (i, name) in MEDIA_SIGNALS.iter().enumerate() {
        if !scripts.register_script_message_handler_in_world(name, MEDIA_WORLD) {
            tracing::warn!("cannot follow the media of the browser's pages");
        }
        let seen = Rc::clone(&seen);
        scripts.connect_script_message_received(Some(name), move |_, _| {
            seen[i].set(Some(Instant::now()));
        });
    }
    let webview = webview.downgrade();
    gtk::glib::timeout_add_local(Duration::from_secs(1), move || {
        let Some(webview) = webview.upgrade() else {
            return gtk::glib::ControlFlow::Break;
        };
        let ours = VIEW.with(|v| {
            v.borrow()
                .as_ref()
                .is_some_and(|view| view.session_id == session_id)
        });
        if !ours {
            return gtk::glib::ControlFlow::Break;
        }
        let recent = |i: usize| {
            seen[i]
                .get()
                .is_some_and(|t| t.elapsed() < Duration::from_secs(2))
        };
        let (audible, muted, video) = (recent(0), recent(1), recent(2));
        let other_audio = webview.is_playing_audio() && !muted;
        if audible || video || other_audio {
            tracing::debug!(
                audible,
                video,
                other_audio,
                "media is playing in the browser"
            );
            session.media_playing();
        }
        gtk::glib::ControlFlow::Continue
    });
}

/// Input on the view is the person's activity (a pointer resting in one place is not).
fn count_activity(webview: &webkit2gtk::WebView, session: Link) {
    let last_report: Cell<Option<Instant>> = Cell::new(None);
    let last_pointer: Cell<(f64, f64)> = Cell::new((f64::NAN, f64::NAN));
    webview.connect_event(move |_, event| {
        use gtk::gdk::EventType as E;
        let counts = match event.event_type() {
            E::KeyPress
            | E::ButtonPress
            | E::Scroll
            | E::TouchBegin
            | E::TouchUpdate
            | E::TouchpadSwipe
            | E::TouchpadPinch => true,
            E::MotionNotify => {
                let here = event.root_coords().unwrap_or((0.0, 0.0));
                let moved = last_pointer.get() != here;
                last_pointer.set(here);
                moved
            }
            _ => false,
        };
        if counts
            && last_report
                .get()
                .is_none_or(|t| t.elapsed() >= Duration::from_secs(1))
        {
            last_report.set(Some(Instant::now()));
            session.activity();
        }
        gtk::glib::Propagation::Proceed
    });
}

/// Carries out the UI's request. Fails when the session has no browser.
pub fn request(app: &tauri::AppHandle, request: BrowserRequest) -> Result<(), String> {
    let handle = app.clone();
    on_main(app, move || {
        if let BrowserRequest::Layout { top, shown } = request {
            LAYOUT.with(|l| l.set((top, shown)));
            return layout(&handle, top, shown);
        }
        let has_view = VIEW.with(|v| v.borrow().is_some());
        if !has_view {
            return Err("This session has no browser.".to_owned());
        }
        match request {
            BrowserRequest::Layout { .. } => Ok(()),
            BrowserRequest::Upload { name } => {
                answer_upload(&handle, name.as_deref());
                Ok(())
            }
            go => {
                navigate(&handle, &go);
                Ok(())
            }
        }
    })?
}

fn navigate(app: &tauri::AppHandle, go: &BrowserRequest) {
    let Some((webview, home)) = VIEW.with(|v| {
        v.borrow()
            .as_ref()
            .map(|view| (view.webview.clone(), view.plan.home.clone()))
    }) else {
        return;
    };
    // Any move leaves the refusal page.
    update(app, |view| view.state.refused = None);
    match go {
        BrowserRequest::Back => webview.go_back(),
        BrowserRequest::Forward => webview.go_forward(),
        BrowserRequest::Reload => webview.reload(),
        BrowserRequest::Home if !home.is_empty() => {
            person_asked_for(&home);
            webview.load_uri(&home);
        }
        BrowserRequest::Focus => webview.grab_focus(),
        _ => {} // Dismiss: the refusal is gone, the page stays
    }
}

/// Places the view below the bar (`top` pixels down) or hides it while Slate's page needs the
/// whole window. Slate's page asks for `top`, the view for the rest of the window's height: a
/// box that can give every child exactly its minimum gives nothing more.
fn layout(app: &tauri::AppHandle, top: u32, shown: bool) -> Result<(), String> {
    let Some(webview) = VIEW.with(|v| v.borrow().as_ref().map(|view| view.webview.clone())) else {
        return Ok(());
    };
    let window = app
        .get_webview_window("main")
        .ok_or("there is no kiosk window")?;
    let vbox = window.default_vbox().map_err(|e| e.to_string())?;
    place(&vbox, &webview.upcast(), top, shown);
    Ok(())
}

fn place(vbox: &gtk::Box, browser: &gtk::Widget, top: u32, shown: bool) {
    let height = vbox.allocated_height();
    let top = i32::try_from(top)
        .unwrap_or(i32::MAX)
        .clamp(1, (height - 1).max(1));
    let below = (height - top).max(1);
    for page in vbox.children().into_iter().filter(|c| c != browser) {
        let wanted = if shown { top } else { -1 };
        if page.height_request() != wanted {
            page.set_size_request(-1, wanted);
        }
    }
    if shown {
        if browser.height_request() != below {
            browser.set_size_request(-1, below);
        }
        browser.show();
    } else {
        browser.hide();
    }
}

/// Gives the page that asked for a file the chosen file of My files, or cancels.
fn answer_upload(app: &tauri::AppHandle, name: Option<&str>) {
    let Some((request, folder)) = VIEW.with(|v| {
        v.borrow_mut()
            .as_mut()
            .and_then(|view| view.upload.take().map(|r| (r, view.folder.clone())))
    }) else {
        return;
    };
    match name.and_then(|n| file_in(&folder, n)) {
        Some(path) => {
            tracing::info!("gave a page a file of My files");
            request.select_files(&[path.to_string_lossy().as_ref()]);
        }
        None => request.cancel(),
    }
    update(app, |view| view.state.upload = false);
}

/// Destroys the view (its downloads cancelled, its file request answered) and gives the window
/// back to Slate's page. Returns whether there was one.
fn close_view(app: &tauri::AppHandle) -> bool {
    let Some(view) = VIEW.with(|v| v.borrow_mut().take()) else {
        return false;
    };
    if let Some(request) = view.upload {
        request.cancel();
    }
    for d in &view.downloads {
        d.cancel();
    }
    view.webview.stop_loading();
    if let Some(window) = app.get_webview_window("main") {
        if let Ok(vbox) = window.default_vbox() {
            if let Some(id) = view.on_resize {
                vbox.disconnect(id);
            }
            vbox.remove(&view.webview);
            for page in vbox.children() {
                page.set_size_request(-1, -1);
            }
        }
    }
    view.webview.try_close();
    drop(view.context);
    LAYOUT.with(|l| l.set((0, false)));
    tracing::info!("the session's browser is closed");
    true
}

/// The session's browser as a surface of the wipe: its web data is cleared and `WebKit` is asked
/// what is left (nothing may be), then the view is destroyed.
pub struct BrowserView {
    pub app: tauri::AppHandle,
}

impl BrowserView {
    /// Asks the view's data manager for `what` and waits for the answer: the number of sites it
    /// holds data for (`fetch`), or that it has cleared everything (`clear`).
    fn ask_manager(&self, clear: bool) -> Result<usize, String> {
        let (tx, rx) = mpsc::channel();
        let asked = on_main(&self.app, move || {
            let manager = VIEW.with(|v| {
                v.borrow()
                    .as_ref()
                    .and_then(|view| view.context.website_data_manager())
            });
            let Some(manager) = manager else {
                return false;
            };
            let all = webkit2gtk::WebsiteDataTypes::ALL;
            if clear {
                manager.clear(
                    all,
                    gtk::glib::TimeSpan::from_seconds(0),
                    None::<&gtk::gio::Cancellable>,
                    move |done| {
                        let _ = tx.send(done.map(|()| 0).map_err(|e| e.to_string()));
                    },
                );
            } else {
                webkit2gtk::WebsiteDataManagerExt::fetch(
                    &manager,
                    all,
                    None::<&gtk::gio::Cancellable>,
                    move |found| {
                        let _ = tx.send(found.map(|f| f.len()).map_err(|e| e.to_string()));
                    },
                );
            }
            true
        })?;
        if !asked {
            return Ok(0);
        }
        rx.recv_timeout(Duration::from_secs(5))
            .map_err(|_| "WebKit did not answer about the browser's data".to_owned())?
    }
}

impl Wiper for BrowserView {
    fn name(&self) -> &'static str {
        "browser"
    }

    fn wipe(&self, _: &WipeTarget) -> Result<Removed, String> {
        let held = self.ask_manager(false)?;
        self.ask_manager(true)?;
        let left = self.ask_manager(false)?;
        let app = self.app.clone();
        let closed = on_main(&self.app, move || close_view(&app))?;
        if left > 0 {
            return Err(format!(
                "the browser still held data for {} after clearing",
                phrase::count(left as u64, "site", "sites")
            ));
        }
        Ok(Removed {
            items: u64::try_from(held).unwrap_or(u64::MAX) + u64::from(closed),
            bytes: 0,
        })
    }

    fn check(&self, _: &WipeTarget) -> Result<(), String> {
        let open = on_main(&self.app, || VIEW.with(|v| v.borrow().is_some()))?;
        if open {
            Err("the browser is still open".into())
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_opens_the_allowed_sites_and_nothing_else() {
        let plan = AllowedSites::parse(&[
            "https://catalogue.example.org".into(),
            "*.gov.example".into(),
        ]);
        for ok in [
            "https://catalogue.example.org/search?q=x",
            "https://forms.gov.example/apply",
            "blob:https://catalogue.example.org/4f6e1c2a",
            "about:blank",
        ] {
            assert!(allowed(&plan, ok), "{ok}");
        }
        for refused in [
            "http://catalogue.example.org/",
            "https://catalogue.example.org.evil.test/",
            "https://gov.example/",
            "blob:https://evil.test/4f6e1c2a",
            "data:text/html,<h1>hi</h1>",
            "file:///etc/passwd",
            "tauri://localhost/index.html",
            "http://ipc.localhost/sign_out",
            "javascript:alert(1)",
            "",
        ] {
            assert!(!allowed(&plan, refused), "{refused}");
        }
    }

    #[test]
    fn logs_say_an_origin_never_an_address() {
        assert_eq!(
            origin_of("https://catalogue.example.org/loans?card=12345#top"),
            "https://catalogue.example.org"
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080/a?b"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin_of("data:text/html,<h1>secret</h1>"), "data:");
        assert_eq!(
            origin_of("javascript:alert(document.cookie)"),
            "javascript:"
        );
        assert_eq!(origin_of("not an address"), "(not an address)");
    }
}
