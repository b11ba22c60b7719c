//! The release build locked down as a kiosk: a fullscreen window that shows only Slate's own
//! pages, opens no other window, and whose administrator commands refuse anyone but an
//! administrator. Runs `target/release/slate` (built by `make test`).

use std::time::Duration;

use serde_json::json;
use slate_e2e::{prepared_data_dir, release_slate_bin, with_kiosk_launched, Launch};

fn release_on(dir: &tempfile::TempDir) -> Launch {
    Launch {
        binary: Some(release_slate_bin()),
        ..Launch::on(dir)
    }
}

#[tokio::test]
async fn the_release_window_is_fullscreen_and_never_leaves_slate() {
    let dir = prepared_data_dir(&[]);
    with_kiosk_launched("release_lockdown", release_on(&dir), async |k| {
        k.by_role("heading", "Sign in").await;
        // Fullscreen: the page fills the whole (1280×800) screen, with no decorations.
        k.wait_until(
            "return window.innerWidth === screen.width && window.innerHeight === screen.height",
            "the window to fill the screen",
        )
        .await;
        let start = k.eval("return location.href").await;

        // A navigation elsewhere is refused: the page stays, the app says why in its log.
        k.eval("location.href = 'https://example.org/'; return null").await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(k.eval("return location.href").await, start);
        k.by_role("heading", "Sign in").await;
        assert!(
            k.log().contains("refused a navigation away from Slate's pages"),
            "{}",
            k.log()
        );

        // So is a link (one the page might be tricked into showing).
        k.eval(
            "const a = document.createElement('a'); a.href = 'http://127.0.0.1:9/'; a.textContent = 'away';
             document.body.append(a); a.click(); return null",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(k.eval("return location.href").await, start);

        // window.open opens nothing.
        let opened = k
            .eval("return window.open('https://example.org/') === null")
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(opened, json!(true), "window.open gives no window");
        assert_eq!(k.client().windows().await.unwrap().len(), 1);
        // (WebKit's own popup blocking answers a script's window.open before the shell's
        // new-window handler is asked.) With a real click behind it, the handler refuses it.
        k.eval(
            "const b = document.createElement('button'); b.textContent = 'Open a popup';
             b.addEventListener('click', () => { window.__popup = window.open('https://example.org/'); });
             document.body.append(b); return null",
        )
        .await;
        k.click("Open a popup").await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(k.eval("return window.__popup === null").await, json!(true));
        assert_eq!(k.client().windows().await.unwrap().len(), 1);
        assert!(k.log().contains("refused to open a new window"), "{}", k.log());

        // The administrator's command refuses a person who is not one.
        k.sign_in_ana().await;
        k.assert_admin_command_refused().await;
        // No context menu.
        let prevented = k
            .eval(
                "const e = new MouseEvent('contextmenu', { bubbles: true, cancelable: true });
                 return !document.body.dispatchEvent(e)",
            )
            .await;
        assert_eq!(prevented, json!(true), "the context menu is refused");
        // Nor reload, zoom or close shortcuts.
        for (key, ctrl) in [("r", true), ("F5", false), ("+", true), ("w", true), ("q", true)] {
            let prevented = k
                .eval(&format!(
                    "const e = new KeyboardEvent('keydown', {{ key: '{key}', ctrlKey: {ctrl}, bubbles: true, cancelable: true }});
                     return !document.body.dispatchEvent(e)"
                ))
                .await;
            assert_eq!(prevented, json!(true), "{key} (ctrl {ctrl}) is refused");
        }
    })
    .await;
}

/// Sends `WM_DELETE_WINDOW` to the app's windows, as a window manager does for Alt+F4.
fn ask_to_close(display: &str, pid: u32) {
    let out = std::process::Command::new("/usr/bin/python3")
        .env("DISPLAY", display)
        .arg(slate_e2e::workspace_root().join("tests/tools/close-window.py"))
        .arg(pid.to_string())
        .output()
        .expect("python3 with python3-xlib (`make test` installs it)");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).trim() != "0",
        "no window was asked to close: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn closing_the_window_does_nothing_unless_an_administrator_is_signed_in() {
    let dir = prepared_data_dir(&[]);
    with_kiosk_launched("release_close", release_on(&dir), async |k| {
        k.by_role("heading", "Sign in").await;
        let pid = k.app_pid().expect("the app runs");
        let alive = || std::path::Path::new(&format!("/proc/{pid}")).exists();
        ask_to_close(k.display(), pid);
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(alive(), "the kiosk is still running at the sign-in screen");
        assert!(
            k.log().contains("refused to close the kiosk window"),
            "{}",
            k.log()
        );
        k.sign_in_ana().await;
        ask_to_close(k.display(), pid);
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(alive(), "and in a person's session");
        k.by_role("heading", "Welcome, Ana").await;
        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.by_role("heading", "You are signed out").await;
        k.keyboard(slate_e2e::keys::ENTER).await;
        // An administrator may close it: the session ends (wiped, recorded), then the app exits.
        k.sign_in("admin", "admin passphrase", "The Librarian")
            .await;
        ask_to_close(k.display(), pid);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while alive() && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(!alive(), "an administrator closed the kiosk");
        let sessions = slate_e2e::recent_sessions(dir.path());
        assert_eq!(sessions[0]["end_reason"], "shutdown");
        assert_eq!(sessions[0]["erased"], true);
    })
    .await;
}
