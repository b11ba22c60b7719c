//! End-to-end timing harness (run by `make bench`, not by `make test`): figures of the real app.
//!
//! - `idle_ending_lateness`: how late idle endings fire against their deadlines. The kiosk
//!   measures each idle ending on its own boot clock (the clock deadlines are kept on) and logs
//!   `late_ms`; the harness drives ten idle sessions through the real UI and reads the figures
//!   from the app's log. Never early is checked by the core's tests (the ending fires at
//!   `deadline <= now`); here a negative figure fails.
//! - `sign_out_to_sign_in`: the sign-out click to the sign-in screen (release build).
//! - `cold_start`: a new release process to its sign-in screen drawn.
//! - `cold_start_with_a_large_log`: the same on a data folder with ten million audit records,
//!   in turns with one whose log is all but empty.
//! - `at_rest`: CPU over 60 s at rest and memory (PSS), Slate against a bare Tauri window.
//!
//! Each keeps its figures for BENCHMARKS.md (`slate_e2e::report`).

#![allow(clippy::cast_precision_loss)] // tick and KiB counts far below 2^52

use std::fmt::Write as _;
use std::time::Duration;

use slate_e2e::{prepared_data_dir, procfs, with_kiosk_launched, Kiosk, Launch};

const ROUNDS: usize = 10;

#[tokio::test]
#[ignore = "a timing harness: run it with `make bench`"]
async fn idle_ending_lateness() {
    let dir = prepared_data_dir(&[
        ("idle_warning", "1"),
        ("idle_timeout", "2"),
        ("signed_out_screen", "60"),
    ]);
    let launch = Launch::on(&dir);
    with_kiosk_launched("idle_lateness", launch, async |k| {
        for _ in 0..ROUNDS {
            k.type_into("Username", "ana").await;
            k.type_into("Password", "ana's passphrase").await;
            k.click("Sign in").await;
            k.wait_for_text("without activity").await;
            k.by_role("heading", "You are signed out").await.click().await.unwrap();
            k.by_role("heading", "Sign in").await;
            tokio::time::sleep(Duration::from_millis(1100)).await; // past any sign-in backoff
        }
        let mut late: Vec<f64> = k
            .log()
            .lines()
            .filter(|l| l.contains("idle ending fired"))
            .filter_map(|l| l.split("late_ms=").nth(1))
            .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
            .collect();
        assert_eq!(late.len(), ROUNDS, "one figure per ending");
        assert!(late.iter().all(|ms| *ms >= 0.0), "never early: {late:?}");
        late.sort_by(f64::total_cmp);
        let median = f64::midpoint(late[ROUNDS / 2 - 1], late[ROUNDS / 2]);
        let max = late[ROUNDS - 1];
        slate_e2e::report::write_figures(
            "idle-lateness",
            &format!(
                "idle endings over {ROUNDS} sessions (debug build, Xvfb, idle timeout 2 s): median \
                 **{median:.2} ms** late, max **{max:.2} ms** (target: never early, at most 250 ms)\n\n\
                 all: {late:.2?}\n"
            ),
        );
    })
    .await;
}

/// Sign-out click ("Sign out now" in the confirmation) → the sign-in screen in the page, on the
/// release build, with the signed-out screen off so the sign-in screen follows at once. The
/// session's whole ending (every surface wiped and re-checked, the page reloaded, the ending and
/// its audit record durable) is inside the figure. Timed from the harness (the reload clears
/// anything the page could keep), from just before the WebDriver click to the first poll that
/// finds the sign-in heading: an upper bound, by about one WebDriver round trip.
#[tokio::test]
#[ignore = "a timing harness: run it with `make bench`"]
async fn sign_out_to_sign_in() {
    let dir = prepared_data_dir(&[("signed_out_screen", "0")]);
    let launch = Launch {
        binary: Some(slate_e2e::release_slate_bin()),
        ..Launch::on(&dir)
    };
    with_kiosk_launched("signout_timing", launch, async |k| {
        let mut ms: Vec<f64> = Vec::new();
        let mut trip: Vec<f64> = Vec::new();
        for _ in 0..ROUNDS {
            k.sign_in_ana().await;
            k.click("Sign out").await;
            k.wait_for_text("Sign out now?").await;
            let button = k.by_label("Sign out now").await;
            // One round trip, for scale.
            let t = std::time::Instant::now();
            k.eval("return 1").await;
            trip.push(t.elapsed().as_secs_f64() * 1000.0);
            let t0 = std::time::Instant::now();
            button.click().await.unwrap();
            loop {
                let shown = k
                    .eval("return document.getElementById('signin-title') !== null")
                    .await;
                if shown == serde_json::Value::Bool(true) {
                    break;
                }
                assert!(t0.elapsed() < Duration::from_secs(15), "no sign-in screen");
            }
            ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        trip.sort_by(f64::total_cmp);
        let median = f64::midpoint(ms[ROUNDS / 2 - 1], ms[ROUNDS / 2]);
        slate_e2e::report::write_figures(
            "signout-to-signin",
            &format!(
                "over {ROUNDS} sign-outs (release build, Xvfb): median **{median:.1} ms**, max \
                 **{:.1} ms** (target ≤ 1 s); one WebDriver round trip in the same run: median \
                 {:.1} ms\n\nall: {ms:.1?}\n",
                ms[ROUNDS - 1],
                f64::midpoint(trip[ROUNDS / 2 - 1], trip[ROUNDS / 2])
            ),
        );
    })
    .await;
}

/// Drops the kernel's page cache, when this process may (root, outside a container that forbids
/// it): the next start then reads the binary and the libraries from disk.
fn drop_page_cache() -> bool {
    let _ = std::process::Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3\n").is_ok()
}

/// A new release process (started by WebKitWebDriver, as the harness must) to the frame that
/// draws the sign-in screen, ten times on a set-up data folder. The process's start time comes
/// from `/proc` (a clock tick, 10 ms, of resolution) and the frame's from the page's performance
/// mark; both are put on the wall clock. When the page cache can be dropped, the first start is
/// also made after dropping it (a truly cold start: binary and libraries read from disk).
#[tokio::test]
#[ignore = "a timing harness: run it with `make bench`"]
async fn cold_start() {
    let dir = prepared_data_dir(&[]);
    let mut ms = Vec::new();
    let mut from_disk = None;
    for round in 0..=ROUNDS {
        let dropped = round == 0 && drop_page_cache();
        let launch = Launch {
            binary: Some(slate_e2e::release_slate_bin()),
            ..Launch::on(&dir)
        };
        with_kiosk_launched("cold_start", launch, async |k| {
            let t = k.start_to_sign_in_ms().await;
            k.by_role("heading", "Sign in").await;
            if round == 0 {
                // The first start after a build also loads what no earlier start did.
                if dropped {
                    from_disk = Some(t);
                }
            } else {
                ms.push(t);
            }
        })
        .await;
    }
    let all = ms.clone();
    let max = ms.iter().copied().fold(0.0, f64::max);
    let med = slate_e2e::report::median(&ms);
    let disk = from_disk.map_or_else(
        || "the page cache could not be dropped here, so no start from disk was timed".to_owned(),
        |t| {
            format!(
                "after dropping the page cache (binary and libraries read from disk): {t:.0} ms"
            )
        },
    );
    slate_e2e::report::write_figures(
        "cold-start",
        &format!(
            "process start → sign-in screen drawn, release build, {ROUNDS} starts (Xvfb, started \
             by WebKitWebDriver): median **{med:.0} ms**, max **{max:.0} ms** (target ≤ 1.5 s); \
             {disk}\n\nall: {all:.0?}\n"
        ),
    );
}

/// Appends `count` audit records to the log of the data folder at `dir` through the real append
/// path, under its own key (so the chain verifies): a year of sign-ins, failed sign-ins and
/// sign-outs of 2,000 people, up to now.
fn fill_audit(dir: &std::path::Path, count: i64) {
    let key = slate_core::audit::AuditKey::load(dir, false).expect("the data folder's audit key");
    let store =
        slate_core::store::Store::open(&dir.join("slate.db")).expect("the data folder's database");
    let span = 365 * 24 * 3600;
    slate_core::test_util::append_year_of_records(
        &store,
        &key,
        (chrono::Utc::now().timestamp() - span, span),
        count,
        |done| eprint!("\rfilling the audit log: {done} of {count} records…"),
    );
    eprintln!();
}

/// Cold start (as `cold_start`) on a data folder whose audit log holds ten million records,
/// in turns with one whose log is all but empty (its set-up's few records), ten rounds after
/// one of warm-up. Retention is off in both, so no start prunes. Target: the large log's
/// start within 10 % of the empty one's (the service opens the database without reading it
/// whole; its check runs after the sign-in screen is up).
#[tokio::test]
#[ignore = "a timing harness: run it with `make bench`"]
async fn cold_start_with_a_large_log() {
    const RECORDS: i64 = 10_000_000;
    let empty = prepared_data_dir(&[("audit_retention_days", "0")]);
    let large = prepared_data_dir(&[("audit_retention_days", "0")]);
    let filling = std::time::Instant::now();
    fill_audit(large.path(), RECORDS);
    let fill_s = filling.elapsed().as_secs_f64();
    let db_bytes = std::fs::metadata(large.path().join("slate.db")).map_or(0, |m| m.len());
    let (mut small_ms, mut large_ms, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..=ROUNDS {
        let mut pair = [0.0; 2];
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let launch = Launch {
                binary: Some(slate_e2e::release_slate_bin()),
                ..Launch::on(if which == 0 { &empty } else { &large })
            };
            with_kiosk_launched("cold_start_large_log", launch, async |k| {
                pair[which] = k.start_to_sign_in_ms().await;
                k.by_role("heading", "Sign in").await;
            })
            .await;
        }
        // The first round is a warm-up (the page cache).
        if round > 0 {
            small_ms.push(pair[0]);
            large_ms.push(pair[1]);
            ratios.push(pair[1] / pair[0]);
        }
    }
    let median = slate_e2e::report::median;
    slate_e2e::report::write_figures(
        "cold-start-large-log",
        &format!(
            "process start → sign-in screen drawn, release build, {ROUNDS} rounds in turns \
             (Xvfb, started by WebKitWebDriver): with **{RECORDS}** audit records ({:.1} GB, \
             filled in {fill_s:.0} s) median **{:.0} ms**; with an all but empty log **{:.0} \
             ms**; the median of the per-round ratios **{:.3}** (target ≤ 1.10)\n\n\
             all (large): {large_ms:.0?}\nall (empty): {small_ms:.0?}\n",
            db_bytes as f64 / 1e9,
            median(&large_ms),
            median(&small_ms),
            median(&ratios),
        ),
    );
}

struct Rest {
    cpu_percent: f64,
    pss_kib: u64,
    processes: usize,
    /// PSS of the app, then of each process below it, in MiB.
    each_mib: Vec<f64>,
}

/// CPU (percent of one core) of the app's whole process tree over `secs` seconds after 5 s of
/// settling, and its PSS at the end.
async fn at_rest_for(k: &Kiosk, secs: u64) -> Rest {
    tokio::time::sleep(Duration::from_secs(5)).await;
    let pids = procfs::tree(k.app_pid().expect("the app runs"));
    let before = procfs::cpu_ticks(&pids);
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let pids = procfs::tree(k.app_pid().expect("the app runs"));
    let ticks = procfs::cpu_ticks(&pids).saturating_sub(before);
    Rest {
        cpu_percent: ticks as f64 / procfs::TICKS_PER_SECOND / secs as f64 * 100.0,
        pss_kib: procfs::pss_kib(&pids),
        processes: pids.len(),
        each_mib: pids
            .iter()
            .map(|p| procfs::pss_kib(&[*p]) as f64 / 1024.0)
            .collect(),
    }
}

/// At rest for 60 s: the release kiosk at its sign-in screen and in a session, and a bare Tauri
/// window built the same way (`tests/bare-window`, same Tauri, same release profile), each
/// started by WebKitWebDriver on its own Xvfb display. CPU is the user and system time of the
/// whole process tree (app, `WebKitWebProcess`, `WebKitNetworkProcess`) in clock ticks; memory is
/// their PSS summed, so pages they share count once.
#[tokio::test]
#[ignore = "a timing harness: run it with `make bench`"]
async fn at_rest() {
    const SECS: u64 = 60;
    let bare_bin = slate_e2e::target_dir().join("release/bare-window");
    assert!(
        bare_bin.exists(),
        "{} is missing: `make bench` builds it",
        bare_bin.display()
    );
    let bare_dir = tempfile::tempdir().unwrap();
    // The bare window as Tauri makes it (the baseline), then painting on the CPU as Slate's
    // page does (`WEBKIT_SKIA_ENABLE_CPU_RENDERING`, set by `slate`'s main): what is left of
    // the difference is Slate's own.
    let mut bares = Vec::new();
    for (name, env) in [
        ("at_rest_bare", vec![]),
        (
            "at_rest_bare_cpu",
            vec![(
                "WEBKIT_SKIA_ENABLE_CPU_RENDERING".to_owned(),
                "1".to_owned(),
            )],
        ),
    ] {
        let launch = Launch {
            binary: Some(bare_bin.clone()),
            env,
            ..Launch::on(&bare_dir)
        };
        with_kiosk_launched(name, launch, async |k| {
            k.by_role("heading", "Bare Tauri window").await;
            bares.push(at_rest_for(k, SECS).await);
        })
        .await;
    }
    let bare_cpu = bares.pop().expect("measured");
    let bare = bares.pop().expect("measured");

    // No warning or ending inside the minute in a session.
    let dir = prepared_data_dir(&[("idle_timeout", "30m"), ("idle_warning", "1m")]);
    let (mut signin, mut session) = (None, None);
    let launch = Launch {
        binary: Some(slate_e2e::release_slate_bin()),
        ..Launch::on(&dir)
    };
    with_kiosk_launched("at_rest_slate", launch, async |k| {
        k.by_role("heading", "Sign in").await;
        signin = Some(at_rest_for(k, SECS).await);
        // Signed in with the keyboard on the X display, as a person does: typing through
        // WebDriver leaves tens of MiB of automation state in the app and its web process
        // (the harness's, not Slate's; measured by hand: the app +0.0 MiB and the page +3 MiB
        // after a keyboard sign-in, +27 and +46 MiB after one through WebDriver).
        k.xdotool(&["type", "--delay", "20", "ana"]);
        k.xdotool(&["key", "Tab"]);
        k.xdotool(&["type", "--delay", "20", "ana's passphrase"]);
        k.xdotool(&["key", "Return"]);
        k.by_role("heading", "Welcome, Ana").await;
        session = Some(at_rest_for(k, SECS).await);
    })
    .await;
    let (signin, session) = (signin.expect("measured"), session.expect("measured"));
    let row = |what: &str, r: &Rest| {
        format!(
            "| {what} | {:.3} % | {} KiB ({:.0} MiB) | {} ({:.0?} MiB) |\n",
            r.cpu_percent,
            r.pss_kib,
            r.pss_kib as f64 / 1024.0,
            r.processes,
            r.each_mib
        )
    };
    let mut figures = String::from(
        "| at rest for 60 s (release builds, Xvfb) | CPU, % of one core | PSS of all processes | processes (PSS of the app, then the web engine's processes) |\n|---|---|---|---|\n",
    );
    figures += &row("bare Tauri window (baseline)", &bare);
    figures += &row(
        "bare Tauri window, painting on the CPU as Slate does",
        &bare_cpu,
    );
    figures += &row("Slate, sign-in screen", &signin);
    figures += &row("Slate, in a session", &session);
    let _ = write!(
        figures,
        "\n- CPU at rest: sign-in screen **{:.3} %**, in a session **{:.3} %** (target ≤ 0.1 %); \
         the bare window {:.3} %\n\
         - memory / bare Tauri window: sign-in screen **{:.3}×**, in a session **{:.3}×** (target ≤ 1.15×)\n\
         - memory / bare Tauri window painting on the CPU too: sign-in screen {:.3}×, in a session {:.3}×\n",
        signin.cpu_percent,
        session.cpu_percent,
        bare.cpu_percent,
        signin.pss_kib as f64 / bare.pss_kib as f64,
        session.pss_kib as f64 / bare.pss_kib as f64,
        signin.pss_kib as f64 / bare_cpu.pss_kib as f64,
        session.pss_kib as f64 / bare_cpu.pss_kib as f64,
    );
    slate_e2e::report::write_figures("at-rest", &figures);
}

/// A session with the browser at rest for 60 s (on a still page of the local test site) against
/// a session without, in the same run of the release build; and whether the browser's processes
/// are gone after the session ends (the process count and PSS back to the sign-in screen's).
#[tokio::test]
#[ignore = "a timing harness: run it with `make bench`"]
async fn browsing_at_rest() {
    const SECS: u64 = 60;
    let site = slate_e2e::site::Site::start("restcanary", "http://127.0.0.1:1");
    let dir = prepared_data_dir(&[
        ("idle_timeout", "30m"),
        ("idle_warning", "1m"),
        ("signed_out_screen", "0"),
    ]);
    let launch = Launch {
        binary: Some(slate_e2e::release_slate_bin()),
        ..Launch::on(&dir)
    };
    let mut rows = Vec::new();
    with_kiosk_launched("browsing_at_rest", launch, async |k| {
        k.by_role("heading", "Sign in").await;
        rows.push(("sign-in screen, before", at_rest_for(k, 10).await));
        k.sign_in_ana().await;
        rows.push(("session without the browser", at_rest_for(k, SECS).await));
        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.by_role("heading", "Sign in").await;
        slate_e2e::slatectl(
            k.data_dir(),
            &["config", "set", "allowed_sites", &site.origin()],
            "",
        );
        k.sign_in_ana().await;
        site.wait_for("/report/stored").await;
        rows.push(("session with the browser", at_rest_for(k, SECS).await));
        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.by_role("heading", "Sign in").await;
        rows.push(("sign-in screen, after", at_rest_for(k, 10).await));
    })
    .await;
    let mut figures = String::from(
        "| release build, Xvfb | CPU, % of one core | PSS of all processes | processes (PSS each, MiB) |\n|---|---|---|---|\n",
    );
    for (what, r) in &rows {
        let _ = writeln!(
            figures,
            "| {what} | {:.3} % | {:.0} MiB | {} ({:.0?}) |",
            r.cpu_percent,
            r.pss_kib as f64 / 1024.0,
            r.processes,
            r.each_mib
        );
    }
    let (plain, browsing) = (&rows[1].1, &rows[2].1);
    let (before, after) = (&rows[0].1, &rows[3].1);
    let _ = write!(
        figures,
        "\n- the browser costs **{:+.0} MiB** PSS and **{:+.3} %** CPU at rest ({} → {} processes)\n\
         - after its session: {} processes (before: {}), PSS {:+.1} MiB against the sign-in screen before\n",
        (browsing.pss_kib as f64 - plain.pss_kib as f64) / 1024.0,
        browsing.cpu_percent - plain.cpu_percent,
        plain.processes,
        browsing.processes,
        after.processes,
        before.processes,
        (after.pss_kib as f64 - before.pss_kib as f64) / 1024.0,
    );
    slate_e2e::report::write_figures("browser-at-rest", &figures);
}
