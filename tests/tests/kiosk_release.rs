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
        let err = k
            .invoke("admin", json!({ "request": { "action": "settings" } }))
            .await
            .unwrap_err();
        assert_eq!(err["code"], "refused");
        assert_eq!(
            err["message"],
            "Only an administrator signed in at this terminal can do that."
        );
        // No context menu.
        let prevented = k
            .eval(
                "const e = new MouseEvent('contextmenu', { bubbles: true, cancelable: true });
                 return !document.body.dispatchEvent(e)",
            )
            .await;
        assert_eq!(prevented, json!(true), "the context menu is refused");
    })
    .await;
}
