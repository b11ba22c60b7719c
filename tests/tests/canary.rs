//! Canary tests of the wipe on the real app: during a session a unique marker goes into every
//! surface that can hold free text (a file in My files; localStorage, IndexedDB and a cookie
//! through the page; the clipboard; and through the session's browser, on a local test site: a
//! cookie, localStorage, sessionStorage, IndexedDB, the Cache API, history and a download into
//! My files); after the ending the whole data folder (database, `-wal`, `-shm`, webview
//! folder), Tauri's and `WebKit`'s default data folders and the clipboard are scanned for the
//! marker: zero hits. The same after a SIGKILL mid-session and a restart.
//!
//! Preferences only take fixed values (text size, contrast), so they cannot carry the marker;
//! their rows are checked to be gone instead. The clipboard is shared by everything on the X
//! display, so this file holds a single test that runs alone.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use slate_e2e::site::Site;
use slate_e2e::{files_containing, keys, prepared_data_dir, with_kiosk_launched, Kiosk, Launch};

/// A test site holding `marker`, allowed in the next sessions, whose home page downloads a file.
fn site_for(dir: &Path, marker: &str) -> Site {
    let site = Site::start(marker, "http://127.0.0.1:1");
    slate_e2e::slatectl(dir, &["config", "set", "allowed_sites", &site.origin()], "");
    site.then("click:download");
    site
}

fn marker() -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("slate-canary-{n:x}-{}", std::process::id())
}

/// The clipboard of the kiosk's display.
fn clipboard(k: &Kiosk) -> String {
    let out = Command::new("xclip")
        .env("DISPLAY", k.display())
        .args(["-o", "-selection", "clipboard"])
        .output()
        .expect("xclip runs (make test installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn everywhere(data: &Path, needle: &str) -> Vec<PathBuf> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let mut found = files_containing(data, needle);
    for default in [
        ".local/share/org.slatekiosk.slate",
        ".cache/org.slatekiosk.slate",
        ".cache/slate",
        // Where a WebKit context that is not ephemeral would keep its data.
        ".local/share/webkitgtk",
        ".cache/webkitgtk",
    ] {
        found.extend(files_containing(&home.join(default), needle));
    }
    found
}

/// Puts the marker into every surface of the live session and checks that it landed. The
/// browser's home page (the site, started with the marker) stores it in every storage of the
/// page and downloads a file holding it.
async fn plant(k: &Kiosk, marker: &str, site: &Site) {
    let folder = k.session_folder();
    std::fs::write(folder.join("canary.txt"), format!("my notes: {marker}")).unwrap();
    let files = k.invoke("list_files", json!({})).await.unwrap();
    assert_eq!(files[0]["name"], "canary.txt", "{files}");
    site.wait_for("/report/stored").await;
    k.wait_for_text("Downloaded report.txt into My files.")
        .await;
    assert!(std::fs::read_to_string(folder.join("report.txt"))
        .unwrap()
        .contains(marker));
    k.invoke(
        "set_preference",
        json!({ "request": { "key": "text_size", "value": "large" } }),
    )
    .await
    .unwrap();

    let stored = k
        .client()
        .execute_async(
            r"const [marker, done] = arguments;
              localStorage.setItem('canary', marker);
              document.cookie = 'canary=' + marker;
              const open = indexedDB.open('canary-' + marker, 1);
              open.onupgradeneeded = () => open.result.createObjectStore('s');
              open.onblocked = () => done('indexeddb blocked');
              open.onsuccess = () => {
                const tx = open.result.transaction('s', 'readwrite');
                tx.objectStore('s').put(marker, 'k');
                tx.oncomplete = () => done(localStorage.getItem('canary'));
                tx.onerror = () => done('indexeddb failed');
              };
              open.onerror = () => done('indexeddb refused');",
            vec![json!(marker)],
        )
        .await
        .unwrap();
    assert_eq!(stored, json!(marker));

    // The clipboard, the way a person fills it: select text and press Ctrl+C.
    k.eval(&format!(
        "const t = document.createElement('textarea'); t.id = 'canary-box'; t.value = {marker:?};
         document.body.append(t); t.focus(); t.select(); return true;"
    ))
    .await;
    k.keyboard(&format!("{}c{}", keys::CONTROL, keys::CONTROL))
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while clipboard(k) != marker {
        assert!(
            std::time::Instant::now() < deadline,
            "the marker never reached the clipboard"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn nothing_of_a_session_survives_its_ending_or_a_crash() {
    let dir = prepared_data_dir(&[("signed_out_screen", "60")]);

    // 1. An ordinary sign-out.
    let first = marker();
    let site = site_for(dir.path(), &first);
    with_kiosk_launched("canary_sign_out", Launch::on(&dir), async |k| {
        k.sign_in_ana().await;
        plant(k, &first, &site).await;
        assert!(
            !everywhere(k.data_dir(), &first).is_empty(),
            "the file canary is on disk"
        );
        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.wait_for_text("Your files and browsing data on this terminal were erased.")
            .await;
        assert_eq!(everywhere(k.data_dir(), &first), Vec::<PathBuf>::new());
        assert_ne!(clipboard(k), first, "the clipboard was emptied");
        let left = k
            .eval("return [localStorage.getItem('canary'), document.cookie].join('|')")
            .await;
        assert!(
            !left.to_string().contains(&first),
            "page storage cleared: {left}"
        );
        let idb = k
            .client()
            .execute_async(
                r"const [marker, done] = arguments;
                  const open = indexedDB.open('canary-' + marker);
                  open.onsuccess = () => {
                    const names = [...open.result.objectStoreNames];
                    if (!names.includes('s')) return done(null);
                    const get = open.result.transaction('s').objectStore('s').get('k');
                    get.onsuccess = () => done(get.result ?? null);
                  };
                  open.onerror = () => done(null);",
                vec![json!(first)],
            )
            .await
            .unwrap();
        assert!(
            !idb.to_string().contains(&first),
            "IndexedDB cleared: {idb}"
        );
    })
    .await;

    // 2. Killed mid-session: the next start wipes before the sign-in screen.
    let second = marker();
    let site = site_for(dir.path(), &second);
    with_kiosk_launched("canary_crash", Launch::on(&dir), async |k| {
        k.by_role("heading", "Sign in").await;
        k.sign_in_ana().await;
        plant(k, &second, &site).await;
        k.signal_app("KILL").await;
    })
    .await;
    assert!(
        !everywhere(dir.path(), &second).is_empty(),
        "left behind by the crash"
    );
    with_kiosk_launched("canary_restart", Launch::on(&dir), async |k| {
        k.by_role("heading", "Sign in").await;
        assert_eq!(everywhere(k.data_dir(), &second), Vec::<PathBuf>::new());
        let rows = slate_e2e::recent_sessions(k.data_dir());
        assert_eq!(rows[0]["end_reason"], "recovered");
    })
    .await;
}
