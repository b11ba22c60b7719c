//! End-to-end: the session's browser, on two local test sites (one allowed, one not). Browse,
//! follow a link, be refused the other site and a redirect to it, open a "new window", download
//! a file into My files, upload it back, watch a page fail to reach Slate's commands, sign out,
//! sign in again: no cookie, storage, history or file of the previous session is visible, and
//! the canary is nowhere on disk. Input inside the browsing view counts as activity.

use std::time::Duration;

use slate_e2e::site::Site;
use slate_e2e::{
    artifacts_dir, files_containing, prepared_data_dir, with_kiosk_launched, Kiosk, Launch,
};

/// Signs in as Ana and waits for the browser's home page to report.
async fn sign_in_and_browse(k: &Kiosk, site: &Site) {
    k.sign_in_ana().await;
    site.wait_for("/report/stored").await;
    k.wait_until(
        "return document.getElementById('browser-address').textContent.includes('127.0.0.1')",
        "the address of the home page in Slate's bar",
    )
    .await;
}

async fn address(k: &Kiosk) -> String {
    k.eval("return document.getElementById('browser-address').textContent")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn browsing_stays_within_the_allowed_sites_and_leaves_nothing_behind() {
    let canary = format!("browsercanary{}", std::process::id());
    let other = Site::start(&canary, "http://127.0.0.1:9");
    let site = Site::start(&canary, &other.origin());
    let dir = prepared_data_dir(&[
        ("allowed_sites", &site.origin()),
        ("signed_out_screen", "0"),
    ]);
    with_kiosk_launched("browser", Launch::on(&dir), async |k| {
        // The home page (the first allowed site) stores the canary everywhere, then follows its
        // link: the bar follows the page.
        site.then("click:next");
        sign_in_and_browse(k, &site).await;
        // Every web engine (Slate's page and the session's browser) runs in WebKit's bubblewrap
        // sandbox: a mount namespace of its own, not the app's (which sees the data folder).
        let app = k.app_pid().expect("the app runs");
        let own = slate_e2e::procfs::mount_namespace(app).expect("the app's namespace");
        let web: Vec<u32> = slate_e2e::procfs::tree(app)
            .into_iter()
            .filter(|p| slate_e2e::procfs::name(*p).is_some_and(|n| n == "WebKitWebProces"))
            .collect();
        assert!(web.len() >= 2, "Slate's page and the browser: {web:?}");
        for pid in web {
            let ns = slate_e2e::procfs::mount_namespace(pid);
            assert!(
                ns.as_ref().is_some_and(|ns| *ns != own),
                "web process {pid} shares the app's mount namespace {own}: {ns:?}"
            );
            // Seen from inside its sandbox (its root, through /proc), the database and the
            // audit key are not there.
            for secret in ["slate.db", "keys/audit.key"] {
                let inside = std::path::Path::new(&format!("/proc/{pid}/root"))
                    .join(dir.path().strip_prefix("/").unwrap())
                    .join(secret);
                assert!(
                    !inside.exists(),
                    "web process {pid} sees {}",
                    inside.display()
                );
                assert!(
                    dir.path().join(secret).exists(),
                    "{secret} is where it should be"
                );
            }
        }
        let found = site.wait_for("/report/found").await;
        assert_eq!(found.body, "nothing", "a first visit finds nothing");
        assert_eq!(site.wait_for("/").await.cookie, "");
        // The cookie set by the home page comes back with the next request.
        assert!(site.wait_for("/page2").await.cookie.contains(&canary));
        k.wait_until(
            "return document.getElementById('browser-address').textContent.endsWith('/page2')",
            "the address of page two",
        )
        .await;
        k.screenshot(&artifacts_dir().join("browser-page2.png"))
            .await;
        assert_eq!(
            k.eval("return document.getElementById('browser-back').disabled")
                .await,
            false
        );
        // Larger text is larger in the page too (zoomed: fewer CSS pixels across), and back.
        let wide = k.eval("return window.innerWidth").await;
        // (The bar grows too, so the view also resizes: wait for the width that says so.)
        site.clear();
        k.click("Larger text").await;
        site.wait_for("/report/width?1024").await; // 1280 px at 125 %
        site.clear();
        k.click("Larger text").await;
        site.wait_for("/report/width?1280").await;
        assert_eq!(wide, 1280);

        // With the keyboard: Tab past the end of Slate's bar goes into the page.
        k.eval("document.getElementById('browser-files').focus(); return true")
            .await;
        k.keyboard(slate_e2e::keys::TAB).await;
        site.wait_for("/report/focus").await;
        other_sites_are_refused(k, &site, &other).await;
        files_go_through_my_files(k, &site, &canary).await;

        // A page that tries to call Slate's commands reaches none of them.
        site.then("click:probe");
        k.click("Home").await;
        let probe = site.wait_for("/report/probe").await.body;
        assert!(
            probe.contains("tauri=undefined") && probe.contains("internals=undefined"),
            "{probe}"
        );
        assert!(!probe.contains("status 200"), "{probe}");
        assert!(!probe.contains("invoke=reached"), "{probe}");
        k.by_role("heading", "Welcome, Ana").await;

        // Sign out: the canary is nowhere on disk.
        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.by_role("heading", "Sign in").await;
        let home = std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
        let mut left = files_containing(k.data_dir(), &canary);
        for default in [".local/share/webkitgtk", ".cache/webkitgtk"] {
            left.extend(files_containing(&home.join(default), &canary));
        }
        assert!(left.is_empty(), "the canary survived in {left:?}");
        nothing_of_the_last_session_is_visible(k, &site).await;
    })
    .await;
}

/// A link and a redirect to a site that is not allowed are refused with a clear page, a script
/// going there on its own is refused quietly; a new window opens in the same view.
async fn other_sites_are_refused(k: &Kiosk, site: &Site, other: &Site) {
    site.then("click:other");
    k.click("Back").await;
    k.by_role("heading", "This page is not available here")
        .await;
    k.wait_for_text(&format!(
        "This terminal only opens these sites: {}.",
        site.origin()
    ))
    .await;
    k.screenshot(&artifacts_dir().join("browser-refused.png"))
        .await;
    k.click("Go back").await;
    k.wait_until(
        "return document.getElementById('browser-refused').hidden",
        "the refusal page to go",
    )
    .await;
    site.then("click:redirect");
    k.click("Home").await;
    site.wait_for("/redirect").await;
    k.by_role("heading", "This page is not available here")
        .await;
    k.click("Go back").await;
    assert!(other.hits().is_empty(), "{:?}", other.hits());

    // A script going elsewhere on its own is refused quietly: the page stays, no refusal page.
    site.clear();
    site.then(&format!("go:{}/", other.origin()));
    k.click("Home").await;
    site.wait_for("/report/stored").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        k.eval("return document.getElementById('browser-refused').hidden")
            .await,
        true
    );
    assert!(other.hits().is_empty(), "{:?}", other.hits());
    assert_eq!(address(k).await, format!("{}/", site.origin()));
    assert!(
        k.log()
            .contains("refused a frame or script navigation outside the allowed sites"),
        "the script did try"
    );

    // A real click on a link to a new window: the page opens here.
    site.clear();
    site.then("cover:blank");
    k.click("Home").await;
    site.wait_for("/report/stored").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let top = k.browser_view_top().await;
    k.pointer_at(400, top + 100, true);
    site.wait_for("/page2?blank").await;
    k.wait_until(
        "return document.getElementById('browser-address').textContent.endsWith('/page2?blank')",
        "the new window's page in the same view",
    )
    .await;
}

/// A download lands in My files under a plain name, with a notice; an upload offers only My
/// files, and the page gets the file chosen there.
async fn files_go_through_my_files(k: &Kiosk, site: &Site, canary: &str) {
    site.then("click:download");
    k.click("Home").await;
    k.wait_for_text("Downloaded report.txt into My files.")
        .await;
    let file = k.session_folder().join("report.txt");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("the download {canary}\n")
    );
    site.then("click:upload");
    k.click("Home").await;
    site.wait_for("/upload").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let top = k.browser_view_top().await;
    k.pointer_at(400, top + 100, true);
    k.by_role("heading", "Choose a file to upload").await;
    k.screenshot(&artifacts_dir().join("browser-upload.png"))
        .await;
    k.click("Upload report.txt").await;
    let uploaded = site.wait_for("/report/uploaded").await.body;
    assert_eq!(uploaded, format!("report.txt:the download {canary}\n"));
}

/// The next session finds nothing of the last one: no cookie reaches the site, no storage, no
/// history, no file.
async fn nothing_of_the_last_session_is_visible(k: &Kiosk, site: &Site) {
    site.clear();
    sign_in_and_browse(k, site).await;
    let first = site
        .hits()
        .into_iter()
        .find(|h| h.path == "/")
        .expect("the home page");
    assert_eq!(first.cookie, "", "no cookie of the last session");
    assert_eq!(site.wait_for("/report/found").await.body, "nothing");
    assert_eq!(
        site.wait_for("/report/stored").await.body,
        "history=1",
        "no history of the last session"
    );
    assert_eq!(
        k.eval("return document.getElementById('browser-back').disabled")
            .await,
        true
    );
    assert!(!k.session_folder().join("report.txt").exists());
    assert!(address(k).await.starts_with(&site.origin()));
}

/// Every kind of request a page can make goes only to the allowed sites: the page at
/// `/kinds` tries images, scripts, modules, styles, fonts, frames, objects, media, icons,
/// prefetch, preload and preconnect, fetch (plain, no-cors, keepalive), XHR, WebSocket,
/// `EventSource`, beacons, a redirect of a subresource, workers (same- and cross-origin, and what a
/// worker fetches), a service worker, hyperlink pings, a form into a frame and WebRTC, against
/// another origin (127.0.0.2), 127.0.0.1 on another port, and `localhost` (an allowed name
/// whose address is private and not listed). Those servers see no connection at all, while the
/// same kinds reach the page's own site; the refusals are logged by host and port only.
#[tokio::test]
async fn every_kind_of_request_stays_within_the_allowed_sites() {
    use slate_e2e::site::Witness;
    let site = Site::start("kindscanary", "http://127.0.0.1:9");
    let other_origin = Witness::start("127.0.0.2");
    let other_port = Witness::start("127.0.0.1");
    let private_name = Witness::start("localhost");
    let allowed = format!("{}, {}", site.origin(), private_name.origin());
    let dir = prepared_data_dir(&[("allowed_sites", &allowed), ("signed_out_screen", "0")]);
    with_kiosk_launched("browser_kinds", Launch::on(&dir), async |k| {
        let targets = serde_json::json!([
            other_origin.origin(),
            other_port.origin(),
            private_name.origin()
        ])
        .to_string();
        let query: String = targets
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        site.then(&format!("go:/kinds?{query}"));
        sign_in_and_browse(k, &site).await;
        let report = site.wait_for("/report/kinds").await.body;
        eprintln!("what each kind of request gave:\n{report}");
        assert!(
            report.lines().count() >= 4 * 29,
            "every kind was tried: {report}"
        );
        // The control: each kind that can reach a site reached the page's own.
        let hits: Vec<String> = site.hits().into_iter().map(|h| h.path).collect();
        for path in [
            "/k/img.png",
            "/k/script.js",
            "/k/module.js",
            "/k/style.css",
            "/k/fetch",
            "/k/fetch-no-cors",
            "/k/xhr",
            "/k/events",
            "/k/beacon",
            "/k/redirected.png",
            "/k/worker-fetch",
            "/k/worker-import.js",
        ] {
            assert!(
                hits.iter().any(|h| h == path),
                "{path} reached the page's own site: {hits:?}"
            );
        }
        // Stragglers (beacons, pings, prefetches) have had their time.
        tokio::time::sleep(Duration::from_secs(3)).await;
        for (who, witness) in [
            ("another origin", &other_origin),
            ("127.0.0.1 on another port", &other_port),
            ("an allowed name with a private address", &private_name),
        ] {
            assert!(witness.seen().is_empty(), "{who} saw {:?}", witness.seen());
        }
        let log = k.log();
        assert!(
            log.contains("the browser's gate refused a connection"),
            "the gate did the refusing"
        );
        assert!(
            log.contains(&format!("127.0.0.2:{}", other_origin.port)),
            "logged by host and port"
        );
        assert!(!log.contains("/k/"), "no path in the log");
    })
    .await;
}

/// Downloads are bounded and their names safe, through real downloads: a 300-byte Japanese name
/// with a right-to-left override lands cut on a character boundary, its extension kept and the
/// override gone; a file larger than the session's quota is refused before it is written (its
/// size announced) or stopped on the way (not announced) and removed; with less free space than
/// the floor, nothing downloads.
#[tokio::test]
async fn downloads_are_bounded_and_their_names_are_safe() {
    use slate_e2e::site::{BIG, LONG_NAME};
    let site = Site::start("downloadcanary", "http://127.0.0.1:9");
    let dir = prepared_data_dir(&[
        ("allowed_sites", &site.origin()),
        ("download_quota", "1 MB"),
        ("signed_out_screen", "0"),
    ]);
    with_kiosk_launched("browser_downloads", Launch::on(&dir), async |k| {
        assert_eq!(LONG_NAME.split('\u{202E}').next().map(str::len), Some(300));
        site.then("click:long-name");
        sign_in_and_browse(k, &site).await;
        // Cut to 236 bytes (room left for " (99999)" and WebKit's ".wkdownload"): 77 whole
        // characters and the extension.
        let expected = "報告書".repeat(25) + "報告.exe";
        k.wait_for_text(&format!("Downloaded {expected} into My files."))
            .await;
        let names: Vec<String> = std::fs::read_dir(k.session_folder())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().into_string().expect("a UTF-8 name"))
            .collect();
        assert_eq!(names, std::slice::from_ref(&expected));
        assert!(expected.len() <= 255 && !expected.contains('\u{202E}'));

        // 2 MiB announced, against a quota of 1 MB: refused before anything is written.
        site.then("click:big");
        k.click("Home").await;
        k.wait_for_text("big.bin was not downloaded: a session may download 1 MB in all.")
            .await;
        // 2 MiB not announced: stopped on the way, and what it wrote removed.
        site.then("click:big-unsized");
        k.click("Home").await;
        k.wait_for_text("unsized.bin was not downloaded: a session may download 1 MB in all.")
            .await;
        let left: Vec<_> = std::fs::read_dir(k.session_folder())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "only the first download is kept: {left:?}");
        const { assert!(BIG > 1_000_000) };

        // With a floor above the disk's free space, nothing downloads.
        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.by_role("heading", "Sign in").await;
        slate_e2e::slatectl(
            k.data_dir(),
            &["config", "set", "download_free_space_floor", "1000 GB"],
            "",
        );
        site.clear();
        site.then("click:download");
        sign_in_and_browse(k, &site).await;
        k.wait_for_text("report.txt was not downloaded: this terminal is running out of space.")
            .await;
        assert!(!k.session_folder().join("report.txt").exists());
    })
    .await;
}

/// A page's print never shows a dialog (which could offer "Print to File" and a file chooser):
/// with printing off (the default) it is refused with a notice; with it on, it goes straight to
/// the default CUPS printer (none here, so it fails), still with no window and no file.
#[tokio::test]
async fn a_page_that_prints_gets_no_dialog_and_no_file_chooser() {
    let started = std::time::SystemTime::now();
    let site = Site::start("printcanary", "http://127.0.0.1:9");
    let dir = prepared_data_dir(&[
        ("allowed_sites", &site.origin()),
        ("signed_out_screen", "0"),
    ]);
    with_kiosk_launched("browser_print", Launch::on(&dir), async |k| {
        sign_in_and_browse(k, &site).await;
        let windows = k.visible_windows();
        assert_eq!(windows, ["Slate"], "one window before");
        site.then("click:print");
        k.click("Home").await;
        site.wait_for("/report/printed").await;
        k.wait_for_text("Printing is off at this terminal.").await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            k.visible_windows(),
            windows,
            "no print dialog, no file chooser"
        );

        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.by_role("heading", "Sign in").await;
        slate_e2e::slatectl(k.data_dir(), &["config", "set", "printing", "true"], "");
        site.clear();
        sign_in_and_browse(k, &site).await;
        site.then("click:print");
        k.click("Home").await;
        site.wait_for("/report/printed").await;
        // No CUPS printer here: nothing to print to, and nothing else is tried.
        k.wait_for_text("The page could not be printed.").await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            k.visible_windows(),
            windows,
            "no print dialog, no file chooser"
        );
        // Nothing printed to a file where GTK's "Print to File" writes (the home folder, the
        // working folder, the data folder).
        let home = std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
        for folder in [home.as_path(), std::path::Path::new("."), k.data_dir()] {
            let new: Vec<_> = std::fs::read_dir(folder)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("output."))
                .filter(|e| {
                    e.metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t >= started)
                })
                .map(|e| e.path())
                .collect();
            assert!(new.is_empty(), "printed to a file: {new:?}");
        }
    })
    .await;
}

/// Media is use: a muted video in view, then audio, keep a session past its idle timeout while
/// they play, and once paused the session ends for inactivity; a muted video out of view holds
/// nothing. (Debug builds' short bounds: idle 4 s, warning 2 s.)
#[tokio::test]
async fn playing_media_keeps_a_session_until_it_is_paused() {
    let site = Site::start("mediacanary", "http://127.0.0.1:9");
    let dir = prepared_data_dir(&[
        ("allowed_sites", &site.origin()),
        ("idle_warning", "2"),
        ("idle_timeout", "4"),
        ("signed_out_screen", "60"),
    ]);
    with_kiosk_launched("browser_media", Launch::on(&dir), async |k| {
        for kind in ["video", "audio"] {
            site.clear();
            // Twelve seconds of playing: three times the idle timeout.
            site.then(&format!("go:/media?{kind}&12"));
            sign_in_and_browse(k, &site).await;
            if kind == "audio" {
                // Sound starts only when the person asks: a real click on the page.
                site.wait_for("/media").await;
                tokio::time::sleep(Duration::from_millis(600)).await;
                let top = k.browser_view_top().await;
                k.pointer_at(400, top + 100, true);
            }
            let playing = site.wait_for("/report/playing").await;
            assert_eq!(playing.body, kind);
            site.wait_for("/report/paused").await;
            assert!(
                site.hits()
                    .iter()
                    .all(|h| !h.path.starts_with("/report/media-error")),
                "{:?}",
                site.hits()
            );
            // Still signed in when it paused, with no warning on the way.
            assert_eq!(
                k.eval("return document.getElementById('idle-dialog').open")
                    .await,
                false,
                "no idle warning while {kind} plays"
            );
            k.by_role("heading", "Welcome, Ana").await;
            // Paused: the session ends for inactivity.
            k.wait_for_text("You were signed out after 4 seconds without activity.")
                .await;
            k.keyboard(slate_e2e::keys::ENTER).await;
            k.by_role("heading", "Sign in").await;
        }
        // A muted video out of view holds nothing: the session ends while it plays.
        site.clear();
        site.then("go:/media?hidden-video&30");
        sign_in_and_browse(k, &site).await;
        site.wait_for("/report/playing").await;
        k.wait_for_text("You were signed out after 4 seconds without activity.")
            .await;
        assert!(
            site.hits()
                .iter()
                .all(|h| !h.path.starts_with("/report/paused")),
            "it ended while the video played"
        );
    })
    .await;
}

/// Pointer movement and keys inside the browsing view keep the session alive past its idle
/// timeout (the shell reports them; the page has no way to); when they stop, it ends.
#[tokio::test]
async fn input_in_the_browsing_view_counts_as_activity() {
    let site = Site::start("activitycanary", "http://127.0.0.1:9");
    let dir = prepared_data_dir(&[
        ("allowed_sites", &site.origin()),
        ("idle_warning", "2"),
        ("idle_timeout", "4"),
        ("signed_out_screen", "60"),
    ]);
    with_kiosk_launched("browser_activity", Launch::on(&dir), async |k| {
        sign_in_and_browse(k, &site).await;
        let top = k.browser_view_top().await;
        // Eight seconds of input in the view, twice the idle timeout.
        for i in 0..16 {
            k.pointer_at(300 + (i % 2) * 200, top + 150, false);
            if i % 4 == 0 {
                k.xdotool(&["key", "Down"]);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        k.by_role("heading", "Welcome, Ana").await;
        assert_eq!(
            k.eval("return document.getElementById('idle-dialog').open")
                .await,
            false,
            "no idle warning while the person uses the browser"
        );
        // Then nothing: the warning takes the whole window (the view steps aside for it), and
        // the session ends for inactivity.
        k.wait_until(
            "return document.getElementById('idle-dialog').open && !document.documentElement.classList.contains('view-shown')",
            "the idle warning over the whole window",
        )
        .await;
        k.wait_for_text("You were signed out after 4 seconds without activity.")
            .await;
    })
    .await;
}
