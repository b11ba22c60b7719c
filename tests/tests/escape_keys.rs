//! No key opens anything but Slate: with a patron's session open, in Slate's own page and in
//! the session's browser, each key combination a patron might try to leave the kiosk with is
//! pressed as real X input (`xdotool key`); after each, the display shows the same windows as
//! before (the X server's own list of shown windows), the app still runs and the session is
//! still the patron's.
//!
//! What this can show here: Slate itself opens nothing (no dialog, no save or print window, no
//! developer tools, no second window) and does not close. The test's display has no desktop
//! behind Slate (as Slate's own X session has none), so a desktop's own shortcuts (Alt+F2's run
//! dialog, Ctrl+Alt+T's terminal) have nothing to open; the X server's own Ctrl+Alt+Backspace
//! and VT switching are Xorg's, not Xvfb's, and are off in the kiosk session's Xorg settings.

use std::time::Duration;

use slate_e2e::site::Site;
use slate_e2e::{prepared_data_dir, with_kiosk_launched, Kiosk, Launch, ESCAPE_KEYS};

/// Presses every key of [`ESCAPE_KEYS`] where the focus is now; after each, nothing new is shown and
/// the patron's session goes on.
async fn press_every_key(k: &Kiosk, where_: &str) {
    let before = k.visible_windows();
    assert!(!before.is_empty(), "Slate's window is shown");
    let pid = k.app_pid().expect("the app runs");
    for key in ESCAPE_KEYS {
        k.xdotool(&["key", "--clearmodifiers", key]);
        tokio::time::sleep(Duration::from_millis(400)).await;
        let now = k.visible_windows();
        assert_eq!(now, before, "{key} in {where_} changed the windows shown");
        assert_eq!(k.app_pid(), Some(pid), "{key} in {where_} ended the app");
    }
    let text = k.page_text().await;
    assert!(
        text.contains("Welcome, Ana") && text.contains("Sign out"),
        "the session is still Ana's after the keys in {where_}: {text}"
    );
}

#[tokio::test]
async fn no_key_opens_anything_but_slate() {
    let canary = format!("keyscanary{}", std::process::id());
    let other = Site::start(&canary, "http://127.0.0.1:9");
    let site = Site::start(&canary, &other.origin());
    let dir = prepared_data_dir(&[
        ("allowed_sites", &site.origin()),
        ("idle_timeout", "10m"),
        ("printing", "true"),
    ]);
    with_kiosk_launched("escape_keys", Launch::on(&dir), async |k| {
        k.sign_in_ana().await;
        site.wait_for("/report/stored").await;
        // In Slate's own page (the bar): the pointer on it, the focus on its Sign out button.
        k.pointer_at(20, 20, false);
        k.eval(
            "for (const b of document.querySelectorAll('button')) \
             if (b.textContent.trim() === 'Sign out') b.focus(); return true",
        )
        .await;
        press_every_key(k, "Slate's page").await;
        // In the session's browser: a click in the page gives it the keyboard.
        let top = k.browser_view_top().await;
        k.pointer_at(640, top + 200, true);
        press_every_key(k, "the browser").await;
    })
    .await;
}
