//! The per-session surfaces only the shell can reach, as [`Wiper`]s for the core's wipe:
//! the webview's browsing data, the clipboard and Slate's desktop notifications.
//!
//! The clipboard is always cleared at the end of a session (both CLIPBOARD and PRIMARY), whoever
//! put what there: at a public terminal nothing copied during a session should outlive it.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify_rust::NotificationHandle;
use tauri::Manager;

use slate_core::phrase;
use slate_core::wipe::{Removed, WipeTarget, Wiper};

/// Runs `f` on the GTK main thread and waits (at most 5 s) for its answer.
pub(super) fn on_main<T: Send + 'static>(
    app: &tauri::AppHandle,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    app.run_on_main_thread(move || {
        let _ = tx.send(f());
    })
    .map_err(|e| e.to_string())?;
    rx.recv_timeout(Duration::from_secs(5))
        .map_err(|_| "the window did not answer".to_owned())
}

/// The webview's browsing data: cookies, localStorage, IndexedDB, cache and history. They live
/// in the webview's own folder inside Slate's data folder (emptied at every start). At the end
/// Slate asks the web engine to clear every kind of website data, waits until it says it has, checks
/// the folder for storage files, and reloads the page, so no state of the session survives on
/// disk or in memory or can be navigated back to.
pub struct WebviewData {
    pub app: tauri::AppHandle,
    /// The webview's own data folder (inside Slate's data folder).
    pub folder: std::path::PathBuf,
}

impl Wiper for WebviewData {
    fn name(&self) -> &'static str {
        "webview_data"
    }

    fn wipe(&self, _: &WipeTarget) -> Result<Removed, String> {
        let Some(window) = self.app.get_webview_window("main") else {
            return Ok(Removed::default()); // no window yet (start-up recovery)
        };
        // WebKit clears asynchronously (and wry's clear_all_browsing_data does not wait): the
        // files are gone only when the callback runs, on the main loop. Wait for it here.
        let (tx, rx) = mpsc::channel();
        window
            .with_webview(move |webview| {
                use webkit2gtk::{WebViewExt, WebsiteDataManagerExtManual};
                match webview.inner().website_data_manager() {
                    Some(manager) => manager.clear(
                        webkit2gtk::WebsiteDataTypes::ALL,
                        gtk::glib::TimeSpan::from_seconds(0),
                        None::<&gtk::gio::Cancellable>,
                        move |done| {
                            let _ = tx.send(done.map_err(|e| e.to_string()));
                        },
                    ),
                    None => {
                        let _ = tx.send(Err("the webview has no data manager".to_owned()));
                    }
                }
            })
            .map_err(|e| format!("cannot clear the browsing data: {e}"))?;
        rx.recv_timeout(Duration::from_secs(5))
            .map_err(|_| "WebKit did not finish clearing the browsing data".to_owned())?
            .map_err(|e| format!("cannot clear the browsing data: {e}"))?;
        // A fresh page: no script state, and replace() leaves no history entry to go back to.
        window
            .eval("location.replace('index.html')")
            .map_err(|e| format!("cannot reload the page: {e}"))?;
        Ok(Removed { items: 1, bytes: 0 })
    }

    fn check(&self, _: &WipeTarget) -> Result<(), String> {
        // WebKit has cleared its data: confirm that no storage file is left in the folder.
        let dir = &self.folder;
        let storage = ["localstorage", "indexeddb", "cookies", "databases"];
        let found: Vec<String> = walk(dir)
            .into_iter()
            .filter(|p| storage.iter().any(|s| p.to_lowercase().contains(s)))
            .collect();
        if found.is_empty() {
            Ok(())
        } else {
            Err(format!("web storage on disk: {}", found.join(", ")))
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

/// The clipboard (CLIPBOARD and PRIMARY selections), always emptied.
pub struct Clipboard {
    pub app: tauri::AppHandle,
}

fn selections() -> [gtk::gdk::Atom; 2] {
    [gtk::gdk::SELECTION_CLIPBOARD, gtk::gdk::SELECTION_PRIMARY]
}

impl Wiper for Clipboard {
    fn name(&self) -> &'static str {
        "clipboard"
    }

    fn wipe(&self, _: &WipeTarget) -> Result<Removed, String> {
        on_main(&self.app, || {
            let mut items = 0;
            for atom in selections() {
                let clipboard = gtk::Clipboard::get(&atom);
                if clipboard.wait_for_text().is_some_and(|t| !t.is_empty()) {
                    items += 1;
                }
                // Owning the selection with nothing in it: the old contents are gone for good.
                clipboard.set_text("");
                clipboard.clear();
                clipboard.set_text("");
            }
            Removed { items, bytes: 0 }
        })
    }

    fn check(&self, _: &WipeTarget) -> Result<(), String> {
        let left = on_main(&self.app, || {
            selections()
                .into_iter()
                .filter(|atom| {
                    gtk::Clipboard::get(atom)
                        .wait_for_text()
                        .is_some_and(|t| !t.is_empty())
                })
                .count()
        })?;
        if left == 0 {
            Ok(())
        } else {
            Err("the clipboard still holds text".into())
        }
    }
}

/// Notifications Slate showed during the session and has not withdrawn yet.
pub type OpenNotifications = Arc<Mutex<Vec<NotificationHandle>>>;

/// Slate's desktop notifications of the session, closed.
pub struct Notifications {
    pub open: OpenNotifications,
}

impl Wiper for Notifications {
    fn name(&self) -> &'static str {
        "notifications"
    }

    fn wipe(&self, _: &WipeTarget) -> Result<Removed, String> {
        let handles: Vec<NotificationHandle> = self
            .open
            .lock()
            .map_err(|_| "the notification list is unusable".to_owned())?
            .drain(..)
            .collect();
        let items = handles.len() as u64;
        for h in handles {
            h.close();
        }
        Ok(Removed { items, bytes: 0 })
    }

    fn check(&self, _: &WipeTarget) -> Result<(), String> {
        match self.open.lock() {
            Ok(open) if open.is_empty() => Ok(()),
            Ok(open) => Err(format!(
                "{} still open",
                phrase::count(open.len() as u64, "notification is", "notifications are")
            )),
            Err(_) => Err("the notification list is unusable".into()),
        }
    }
}

/// A surface this screen does not have (an account without a home has no recently-used
/// list): there is nothing to wipe, and nothing is left.
pub struct Nothing(pub &'static str);

impl Wiper for Nothing {
    fn name(&self) -> &'static str {
        self.0
    }

    fn wipe(&self, _: &WipeTarget) -> Result<Removed, String> {
        Ok(Removed::default())
    }

    fn check(&self, _: &WipeTarget) -> Result<(), String> {
        Ok(())
    }
}
