//! Wipe cost, measured with criterion (`make bench`).
//!
//! - `end_session_200_files_20mb`: a guest session with 200 files of 100 KiB in My files, ended
//!   through the real session manager: every core surface wiped and re-checked, the ending and
//!   its receipt committed to SQLite (WAL, `synchronous=FULL`). Only the ending is timed.
//! - `wipe_10k_files` against `rm_rf_10k_files`: the session-files wiper and `rm -rf` on the same
//!   tree of 10,000 small files in 100 folders, built afresh (untimed) before each run.
//!
//! After criterion's report the bench prints the medians and the ratio, and writes them to
//! `target/bench-results/wipe.md`.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use slate_core::audit::Actor;
use slate_core::datadir::DataDir;
use slate_core::test_util::FakeClock;
use slate_core::wipe::{SessionFiles, WipeTarget, Wiper};
use slate_core::Kiosk;

fn tree(root: &Path, folders: usize, files: usize, size: usize) {
    let data = vec![0x5a_u8; size];
    for d in 0..folders {
        let dir = root.join(format!("d{d:03}"));
        std::fs::create_dir_all(&dir).expect("a folder");
        for f in 0..files {
            std::fs::write(dir.join(format!("f{f:03}.bin")), &data).expect("a file");
        }
    }
}

fn end_of_session(c: &mut Criterion) {
    let tmp = slate_core::test_util::private_tempdir();
    let kiosk = Arc::new(
        Kiosk::open_with_clock(
            DataDir::prepare(Some(tmp.path())).expect("a data folder"),
            Arc::new(FakeClock::new()),
        )
        .expect("a kiosk"),
    );
    kiosk
        .set_setting(&Actor::System, "guests_allowed", "true")
        .expect("a setting");
    kiosk
        .set_setting(&Actor::System, "signed_out_screen", "0")
        .expect("a setting");
    let (session, rt) = common::manager(&kiosk);

    let mut g = c.benchmark_group("wipe");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("end_session_200_files_20mb", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                rt.block_on(session.sign_in_guest())
                    .expect("a guest session");
                let folder = std::fs::read_dir(tmp.path().join("sessions"))
                    .expect("sessions")
                    .flatten()
                    .next()
                    .expect("the session folder")
                    .path();
                tree(&folder, 10, 20, 100 * 1024);
                let started = Instant::now();
                rt.block_on(session.sign_out()).expect("signed out");
                timed += started.elapsed();
                assert!(!folder.exists());
            }
            timed
        });
    });
    g.finish();

    let mut g = c.benchmark_group("wipe10k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let work = tempfile::tempdir().expect("a temporary folder");
    let target = WipeTarget {
        session_id: "bench".into(),
        folder: work.path().join("session"),
        started_at: chrono::Utc::now(),
    };
    g.bench_function("wipe_10k_files", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                tree(&target.folder, 100, 100, 64);
                let started = Instant::now();
                let removed = SessionFiles.wipe(&target).expect("wiped");
                SessionFiles.check(&target).expect("checked");
                timed += started.elapsed();
                assert_eq!(removed.items, 10_000);
            }
            timed
        });
    });
    g.bench_function("rm_rf_10k_files", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                tree(&target.folder, 100, 100, 64);
                let started = Instant::now();
                let ok = std::process::Command::new("rm")
                    .arg("-rf")
                    .arg(&target.folder)
                    .status()
                    .expect("rm runs")
                    .success();
                timed += started.elapsed();
                assert!(ok && !target.folder.exists());
            }
            timed
        });
    });
    g.finish();
}

criterion_group!(benches, end_of_session);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let (Some(end), Some(wipe), Some(rm)) = (
        common::median_ms("wipe", "end_session_200_files_20mb"),
        common::median_ms("wipe10k", "wipe_10k_files"),
        common::median_ms("wipe10k", "rm_rf_10k_files"),
    ) else {
        eprintln!("(no estimates to summarise: run without a filter)");
        return;
    };
    let summary = format!(
        "| measure | median |\n|---|---|\n\
         | end of a session with 200 files / 20 MB (wiped, re-checked, ending committed) | {end:.1} ms |\n\
         | wipe of 10,000 files (re-checked) | {wipe:.1} ms |\n\
         | `rm -rf` of the same tree | {rm:.1} ms |\n\n\
         end of session: **{end:.1} ms** (target ≤ 150 ms)\n\
         wipe / rm -rf = **{:.3}×** (target ≤ 1.2×)\n",
        wipe / rm
    );
    common::write_summary("wipe", &summary);
}
