//! Soak through the real app: consecutive sessions on one running release kiosk, each signed in
//! through the sign-in screen, given a file in My files and a value in the page's storage, and
//! signed out through the confirmation. After a warm-up tenth, the kiosk's memory (PSS of the app
//! and its `WebKit` processes together), its open file descriptors and the database's size are
//! read, and again at the end: descriptors must not grow (the kernel status files the web engine's memory
//! monitor opens once, some time after start, left out), and every session must have been wiped.
//!
//! The PSS is read after every measured session too, and its slope (a least-squares line through
//! those readings, KiB a session) is the figure: the two ends alone swing with the garbage
//! collector. Each ending ends the page's web process and starts a new one (the wipe), so the
//! page's memory should not grow at all.
//!
//! `make test` runs 5 sessions; `SLATE_APP_SESSIONS=1000` is the long run (`make bench`), which
//! also keeps the figures for BENCHMARKS.md. `SLATE_SOAK_TRACE=1` prints the PSS of each process
//! after every session. `SLATE_SOAK_BROWSER=1` gives every session the browser, on the local test
//! site (which stores its canary in every storage of the page).

#![allow(clippy::cast_precision_loss)] // KiB and byte counts far below 2^52

use slate_e2e::procfs;
use slate_e2e::{prepared_data_dir, recent_sessions, with_kiosk_launched, Kiosk, Launch};

struct Sample {
    pss_kib: u64,
    /// Open descriptors of the app, except the kernel's status files (`/proc`, `/sys`): the web engine's
    /// memory-pressure monitor opens a fixed set of them (meminfo, zoneinfo, the cgroup's memory
    /// files) at some moment after start, once.
    fds: usize,
    fd_targets: Vec<String>,
    db_bytes: u64,
}

fn sample(k: &Kiosk) -> Sample {
    let pid = k.app_pid().expect("the kiosk runs");
    Sample {
        pss_kib: procfs::pss_kib(&procfs::tree(pid)),
        fds: procfs::fd_targets(pid)
            .iter()
            .filter(|t| !t.starts_with("/proc/") && !t.starts_with("/sys/"))
            .count(),
        fd_targets: procfs::fd_targets(pid),
        db_bytes: procfs::db_bytes(&k.data_dir().join("slate.db")),
    }
}

async fn one_session(k: &Kiosk, n: usize, site: Option<&slate_e2e::site::Site>) {
    if let Some(site) = site {
        site.clear();
    }
    k.sign_in_ana().await;
    if let Some(site) = site {
        site.wait_for("/report/stored").await;
    }
    std::fs::write(k.session_folder().join("letter.txt"), vec![b'x'; 4096]).unwrap();
    k.eval(&format!(
        "localStorage.setItem('draft', 'session {n}'); return 1"
    ))
    .await;
    k.click("Sign out").await;
    k.wait_for_text("Sign out now?").await;
    k.click("Sign out now").await;
    k.by_role("heading", "Sign in").await;
}

#[tokio::test]
async fn sessions_through_the_app_leave_nothing_growing() {
    let sessions: usize = std::env::var("SLATE_APP_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let site = std::env::var_os("SLATE_SOAK_BROWSER")
        .map(|_| slate_e2e::site::Site::start("soakcanary", "http://127.0.0.1:1"));
    let origin = site.as_ref().map(slate_e2e::site::Site::origin);
    let mut settings = vec![("signed_out_screen", "0")];
    if let Some(origin) = &origin {
        settings.push(("allowed_sites", origin));
    }
    let dir = prepared_data_dir(&settings);
    let launch = Launch {
        binary: Some(slate_e2e::release_slate_bin()),
        ..Launch::on(&dir)
    };
    with_kiosk_launched("app_soak", launch, async |k| {
        k.by_role("heading", "Sign in").await;
        let warm_up = (sessions / 10).max(1);
        let started = std::time::Instant::now();
        for n in 0..warm_up {
            one_session(k, n, site.as_ref()).await;
        }
        let before = sample(k);
        let base_processes = procfs::tree(k.app_pid().expect("the kiosk runs")).len();
        let measured_from = std::time::Instant::now();
        let mut readings = Vec::new();
        let mut most_processes = 0;
        for n in warm_up..sessions {
            one_session(k, n, site.as_ref()).await;
            let pids = procfs::tree(k.app_pid().expect("the kiosk runs"));
            most_processes = most_processes.max(pids.len());
            readings.push(procfs::pss_kib(&pids) as f64);
            if std::env::var_os("SLATE_SOAK_TRACE").is_some() {
                let each: Vec<u64> = pids.iter().map(|p| procfs::pss_kib(&[*p])).collect();
                eprintln!("session {n}: PSS KiB by process {each:?}");
            }
        }
        let slope = slope_per_session(&readings);
        let (low, high) = readings
            .iter()
            .fold((f64::MAX, 0.0_f64), |(l, h), r| (l.min(*r), h.max(*r)));
        let per_session_ms =
            measured_from.elapsed().as_secs_f64() * 1000.0 / (sessions - warm_up).max(1) as f64;
        let after = sample(k);

        every_session_wiped(k, sessions);
        assert!(
            after.fds <= before.fds + 4,
            "open descriptors grew from {} to {}: {:?} then {:?}",
            before.fds,
            after.fds,
            before.fd_targets,
            after.fd_targets
        );

        let measured = sessions - warm_up;
        let growth = after.pss_kib as f64 - before.pss_kib as f64;
        let figures = format!(
            "| measure | value |\n|---|---|\n\
             | sessions through the app (release build, Xvfb) | {sessions} ({warm_up} warm-up, {measured} measured) |\n\
             | time per session (sign-in typed, file and page storage written, sign-out confirmed, wipe re-checked, sign-in screen back) | {per_session_ms:.0} ms |\n\
             | PSS of the app and its WebKit processes | {} → {} KiB ({:+.1} MiB, {:+.1} KiB a session between the two) |\n\
             | PSS after each measured session: least-squares slope | {slope:+.1} KiB a session ({:+.3} MiB; target ≤ 0.05 MiB) |\n\
             | PSS after each measured session: lowest, highest | {low:.0}, {high:.0} KiB |\n\
             | processes (the app and its web engine's), most seen after a session | {most_processes} |\n\
             | open file descriptors of the app (the kernel's status files WebKit's memory monitor opens once left out) | {} → {} |\n\
             | database with its WAL | {} → {} bytes ({:+.0} bytes a session) |\n\
             | wall time | {:.0} s |\n\n\
             Every session ended by its user was recorded as wiped and re-checked.\n",
            before.pss_kib,
            after.pss_kib,
            growth / 1024.0,
            growth / measured.max(1) as f64,
            slope / 1024.0,
            before.fds,
            after.fds,
            before.db_bytes,
            after.db_bytes,
            (after.db_bytes as f64 - before.db_bytes as f64) / measured.max(1) as f64,
            started.elapsed().as_secs_f64()
        );
        assert!(
            most_processes <= base_processes + 1,
            "web processes pile up: {most_processes} processes, {base_processes} after the warm-up"
        );
        if sessions >= 100 {
            slate_e2e::report::write_figures("soak-app", &figures);
        } else {
            println!("{figures}");
        }
    })
    .await;
}

/// The slope of the least-squares line through `ys` taken at 0, 1, 2…: growth a session.
fn slope_per_session(ys: &[f64]) -> f64 {
    let n = ys.len() as f64;
    if ys.len() < 2 {
        return 0.0;
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mean_x;
        num += dx * (y - mean_y);
        den += dx * dx;
    }
    num / den
}

#[test]
fn the_slope_is_the_growth_a_session() {
    assert!((slope_per_session(&[10.0, 12.0, 14.0, 16.0]) - 2.0).abs() < 1e-9);
    assert!(slope_per_session(&[5.0, 9.0, 5.0, 9.0, 5.0, 9.0]).abs() < 1.0);
    assert!(slope_per_session(&[7.0]).abs() < 1e-9);
}

/// One row per session, each ended by its user and wiped.
fn every_session_wiped(k: &Kiosk, sessions: usize) {
    let rows = slate_e2e::slatectl(
        k.data_dir(),
        &["--json", "session", "list", "--recent", "100000"],
        "",
    );
    let rows: serde_json::Value = serde_json::from_str(&rows).expect("JSON");
    let rows = rows.as_array().expect("a list");
    assert_eq!(rows.len(), sessions, "one row per session");
    assert!(
        rows.iter()
            .all(|r| r["erased"] == true && r["end_reason"] == "user"),
        "every session ended by its user and was wiped"
    );
    assert_eq!(recent_sessions(k.data_dir())[0]["erased"], true);
}
