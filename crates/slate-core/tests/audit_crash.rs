//! SIGKILL during audit appends, in a loop: the chain always verifies and no acknowledged record
//! is lost.
//!
//! The test re-runs its own binary as a child (`append_until_killed`, which does nothing unless
//! `SLATE_CRASH_CHILD` names a data folder). The child appends records, each committed on its
//! own, and prints `ack SEQ` only after the commit returns. The parent kills it with SIGKILL at a
//! random moment, then opens the database as the kiosk would after a power cut: the file passes
//! `integrity_check`, the chain verifies, and every acknowledged sequence number is there.
//!
//! `SLATE_CRASH_KILLS` sets the number of kills (default 12, so `make test` stays quick; the
//! long loop is `SLATE_CRASH_KILLS=200 cargo test -p slate --test audit_crash`).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use chrono::{FixedOffset, Utc};
use serde_json::json;
use slate_core::audit::{AuditEvent, AuditKey, Event, Stamp};
use slate_core::store::Store;

const CHILD_ENV: &str = "SLATE_CRASH_CHILD";

fn open(dir: &Path) -> (Store, AuditKey) {
    let store = Store::open(&dir.join("slate.db")).expect("the store opens after a kill");
    let empty = store.audit_is_empty().expect("the log can be read");
    let key = AuditKey::load(dir, empty).expect("the audit key");
    (store, key)
}

/// The child: append until killed. A no-op in a normal test run.
#[test]
fn append_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let (store, key) = open(Path::new(&dir));
    let stamp = Stamp {
        at: Utc::now(),
        offset: FixedOffset::east_opt(0).unwrap(),
        terminal: "crash-test".into(),
    };
    let mut out = std::io::stdout().lock();
    for i in 0_u64.. {
        let e = AuditEvent::new(
            Event::SignOut,
            json!({ "reason": "user", "erased": true, "i": i, "pad": "x".repeat((i % 7) as usize * 300) }),
        )
        .user(Some("ana"))
        .session("0123456789abcdef")
        .duration_ms(Some(1000));
        let seq = store.audit_append(&key, &stamp, &e).expect("appended");
        writeln!(out, "ack {seq}").unwrap();
        out.flush().unwrap();
    }
}

fn kills() -> u32 {
    std::env::var("SLATE_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

#[test]
fn sigkill_during_appends_never_breaks_the_chain_or_loses_an_acknowledged_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let exe = std::env::current_exe().unwrap();
    let mut acknowledged = 0_i64;
    let mut mid_write = 0_u32;
    for round in 0..kills() {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "append_until_killed",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(seq) = line.strip_prefix("ack ") {
                    let _ = tx.send(seq.parse::<i64>().unwrap());
                }
            }
        });
        // Wait for the first acknowledgement of this round, then kill at a random moment.
        let first = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the child appends");
        std::thread::sleep(Duration::from_micros(rand::random_range(0..40_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        let last_acked = rx.try_iter().last().unwrap_or(first).max(first);
        assert!(last_acked > acknowledged, "round {round} made progress");
        acknowledged = last_acked;

        let (store, key) = open(dir);
        store.check_integrity().expect("integrity_check is ok");
        let report = store
            .audit_verify(&key, None)
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let head = i64::try_from(report.records).unwrap();
        assert!(
            head >= acknowledged,
            "round {round}: record {acknowledged} was acknowledged but the log ends at {head}"
        );
        if head > acknowledged {
            // Committed but killed before it could say so: allowed, and counted.
            mid_write += 1;
        }
    }
    let figures = format!(
        "**{} kills: every kill left a database that passed `integrity_check` and a chain that \
         verified; all {acknowledged} acknowledged records were present.** {mid_write} of the kills \
         fell after a record reached the file but before its acknowledgement was printed (mostly \
         inside the fsync, since SIGKILL is not a power cut); such records are present and verify, \
         which is allowed.\n",
        kills()
    );
    if kills() >= 100 {
        common::write_figures("crash-loop-audit", &figures);
    } else {
        eprintln!("{figures}");
    }
}
