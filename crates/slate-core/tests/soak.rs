//! Soak: many consecutive sessions through the core (the real session manager, wipers and
//! SQLite file), each with a file in My files and a preference, signed out and wiped. Afterwards
//! no file descriptor has leaked, memory has not grown with the sessions, every ending is
//! recorded and erased, the audit chain verifies, and the database grows by a bounded amount per
//! session (retention prunes it over time; see BENCHMARKS.md).
//!
//! `SLATE_SOAK_SESSIONS` sets the count: 100 in `make test`; the long run is
//! `SLATE_SOAK_SESSIONS=10000 cargo test --release -p slate --test soak -- --nocapture`.

mod common;

use std::sync::Arc;

use slate_core::api::Screen;
use slate_core::datadir::DataDir;
use slate_core::session::SessionManager;
use slate_core::test_util::set_up_for_guests;
use slate_core::Kiosk;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Resident memory in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap()
}

#[allow(clippy::cast_precision_loss)] // figures for people
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_sessions_leak_nothing() {
    let sessions: usize = std::env::var("SLATE_SOAK_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let tmp = slate_core::test_util::private_tempdir();
    let kiosk = Arc::new(Kiosk::open(DataDir::prepare(Some(tmp.path())).unwrap()).unwrap());
    set_up_for_guests(&kiosk);
    let wipers = slate_core::kiosk::wipers::core_wipers(&kiosk);
    let (manager, session) = SessionManager::new(Arc::clone(&kiosk), wipers).unwrap();
    tokio::spawn(manager.run());

    let one = async |i: usize| {
        session.sign_in_guest().await.unwrap();
        let id = kiosk.open_sessions().unwrap()[0].id.clone();
        std::fs::write(
            kiosk.session_folder(&id).join(format!("letter-{i}.txt")),
            vec![b'x'; 4096],
        )
        .unwrap();
        session
            .set_preference("contrast".into(), "high".into())
            .await
            .unwrap();
        let status = session.sign_out().await.unwrap();
        assert!(matches!(status.screen, Screen::SignIn { .. }), "{status:?}");
        assert!(kiosk.wipe_receipt(&id).unwrap().unwrap().complete());
    };
    // Warm up (first allocations, SQLite's page cache), then measure.
    let warm = (sessions / 10).max(10);
    for i in 0..warm {
        one(i).await;
    }
    let (fds, rss) = (open_fds(), rss_kib());
    let db = tmp.path().join("slate.db");
    let db_before = std::fs::metadata(&db).unwrap().len();
    let started = std::time::Instant::now();
    for i in warm..sessions {
        one(i).await;
    }
    let elapsed = started.elapsed();
    let (fds_after, rss_after) = (open_fds(), rss_kib());
    let db_after = std::fs::metadata(&db).unwrap().len();
    let measured = (sessions - warm).max(1);
    let figures = format!(
        "| measure | value |\n|---|---|\n\
         | sessions measured | {measured} (after {warm} warm-up) |\n\
         | time per session (sign-in, file, preference, sign-out, wipe re-checked, ending and audit durable) | {:.1} ms |\n\
         | open file descriptors | {fds} → {fds_after} |\n\
         | resident memory | {rss} → {rss_after} KiB ({:+.1} MiB) |\n\
         | database growth | {:.0} bytes per session |\n",
        elapsed.as_secs_f64() * 1000.0 / measured as f64,
        (rss_after as f64 - rss as f64) / 1024.0,
        (db_after.saturating_sub(db_before)) as f64 / measured as f64
    );
    if sessions >= 1000 {
        common::write_figures("soak-core", &figures);
    } else {
        eprintln!("{figures}");
    }
    assert!(
        fds_after <= fds + 2,
        "file descriptors leak: {fds} -> {fds_after}"
    );
    assert!(
        rss_after < rss + 32 * 1024,
        "memory grows with sessions: {rss} -> {rss_after} KiB"
    );
    let recent = kiosk
        .recent_sessions(u32::try_from(sessions).unwrap())
        .unwrap();
    assert_eq!(recent.len(), sessions);
    assert!(recent.iter().all(|s| s.erased == Some(true)));
    assert_eq!(
        std::fs::read_dir(tmp.path().join("sessions")).map_or(0, Iterator::count),
        0,
        "no session folder is left"
    );
    let report = kiosk.audit_verify(None).unwrap();
    assert!(report.records >= u64::try_from(sessions * 2).unwrap());
    session.shutdown().await;
}
