//! Crash loop of the real app: the release kiosk is started, driven through sessions and killed
//! with SIGKILL at random moments, over and over, on one data folder. The kills take turns over
//! four moments: during sign-in (just after the click), in a session (with a canary in My files
//! and in the page's storage), during the sign-out (the wipe and the ending's audit append), and
//! just after an ending the screen acknowledged. After every restart, once the sign-in screen is
//! back: `slatectl check` (the full `integrity_check`) and `slatectl audit verify` pass, every
//! acknowledged ending has its `sign_out` record, no session is open or unwiped, and the killed
//! session's canary is nowhere in the data folder.
//!
//! `make test` runs 4 kills (one of each); `SLATE_APP_KILLS=200` is the long run (`make bench`).
//! `SLATE_CRASH_SEED` repeats a run's random delays.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use slate_e2e::{
    files_containing, prepared_data_dir, recent_sessions, slatectl, with_kiosk_launched, Kiosk,
    Launch,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Moment {
    SigningIn,
    InSession,
    SigningOut,
    AfterEnding,
}

const MOMENTS: [Moment; 4] = [
    Moment::SigningIn,
    Moment::InSession,
    Moment::SigningOut,
    Moment::AfterEnding,
];

/// xorshift64: enough for random delays, and repeatable from the printed seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Puts `marker` into My files and the page's localStorage of the live session.
async fn plant(k: &Kiosk, marker: &str) {
    let folder = k.session_folder();
    std::fs::write(folder.join("notes.txt"), format!("my notes: {marker}")).unwrap();
    let stored = k
        .eval(&format!(
            "localStorage.setItem('canary', {marker:?}); return localStorage.getItem('canary');"
        ))
        .await;
    assert_eq!(stored, json!(marker));
}

/// The ids of every `sign_out` record.
fn signed_out_sessions(dir: &Path) -> Vec<String> {
    let v: Value = serde_json::from_str(&slatectl(
        dir,
        &[
            "--json", "audit", "list", "--event", "sign_out", "--limit", "1000",
        ],
        "",
    ))
    .expect("slatectl prints JSON");
    v.as_array()
        .expect("a list")
        .iter()
        .filter_map(|r| r["session_id"].as_str().map(str::to_owned))
        .collect()
}

/// What must hold after each restart.
fn check_after_restart(dir: &Path, acknowledged: &[String], canary: Option<&str>) {
    // slatectl exits non-zero (and `slatectl()` panics with its sentence) on any failure.
    let check = slatectl(dir, &["check"], "");
    assert!(check.contains("Database: ok"), "integrity_check: {check}");
    let verify: Value =
        serde_json::from_str(&slatectl(dir, &["--json", "audit", "verify"], "")).expect("JSON");
    assert!(
        verify["records"].as_u64() > Some(0),
        "the chain verifies: {verify}"
    );
    let recorded = signed_out_sessions(dir);
    for id in acknowledged {
        assert!(
            recorded.contains(id),
            "the acknowledged ending of {id} has its sign_out record"
        );
    }
    let sessions = recent_sessions(dir);
    for s in sessions.as_array().expect("a list") {
        assert!(!s["ended_at"].is_null(), "no session is left open: {s}");
        assert_eq!(s["erased"], true, "every session was wiped: {s}");
    }
    if let Some(marker) = canary {
        assert_eq!(
            files_containing(dir, marker),
            Vec::<PathBuf>::new(),
            "the killed session's canary is gone"
        );
    }
}

/// Drives the kiosk to `moment` (the kill follows); returns whether the canary was planted and
/// the id of a session whose ending the screen acknowledged.
async fn drive_to(k: &Kiosk, moment: Moment, marker: &str) -> (bool, Option<String>) {
    if moment == Moment::SigningIn {
        k.type_into("Username", "ana").await;
        k.type_into("Password", "ana's passphrase").await;
        k.click("Sign in").await;
        return (false, None);
    }
    k.sign_in_ana().await;
    plant(k, marker).await;
    if moment == Moment::InSession {
        return (true, None);
    }
    k.click("Sign out").await;
    k.wait_for_text("Sign out now?").await;
    k.click("Sign out now").await;
    if moment == Moment::SigningOut {
        return (true, None);
    }
    k.by_role("heading", "Sign in").await;
    let newest = recent_sessions(k.data_dir())[0].clone();
    assert_eq!(newest["end_reason"], "user", "{newest}");
    (true, newest["id"].as_str().map(str::to_owned))
}

fn sigkill(pid: u32) {
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "the kiosk was killed");
}

#[tokio::test]
async fn the_kiosk_survives_sigkill_at_any_moment() {
    let kills: usize = std::env::var("SLATE_APP_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let seed: u64 = std::env::var("SLATE_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            (now.as_secs() << 20) ^ u64::from(now.subsec_nanos()) | 1
        });
    println!("crash loop: {kills} kills, SLATE_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = prepared_data_dir(&[("signed_out_screen", "0")]);
    let binary = slate_e2e::release_slate_bin();
    let mut acknowledged: Vec<String> = Vec::new();
    let mut canary: Option<String> = None;
    let mut killed = [0_usize; 4];
    let started = std::time::Instant::now();

    for i in 0..=kills {
        let launch = Launch {
            binary: Some(binary.clone()),
            ..Launch::on(&dir)
        };
        let moment = MOMENTS[i % MOMENTS.len()];
        let delay = Duration::from_millis(match moment {
            Moment::SigningIn => rng.below(150),
            Moment::InSession => rng.below(500),
            Moment::SigningOut => rng.below(200),
            Moment::AfterEnding => 0,
        });
        let marker = format!("slate-crash-canary-{seed:x}-{i}");
        let mut planted = false;
        let mut ended: Option<String> = None;
        with_kiosk_launched("crash_loop", launch, async |k| {
            k.by_role("heading", "Sign in").await;
            if i > 0 {
                check_after_restart(k.data_dir(), &acknowledged, canary.as_deref());
            }
            if i == kills {
                return; // the last start only checks
            }
            let pid = k.app_pid().expect("the kiosk runs");
            (planted, ended) = drive_to(k, moment, &marker).await;
            tokio::time::sleep(delay).await;
            sigkill(pid);
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while k.app_pid().is_some() {
                assert!(std::time::Instant::now() < deadline, "the kiosk exited");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        if i == kills {
            break;
        }
        killed[i % MOMENTS.len()] += 1;
        acknowledged.extend(ended);
        canary = planted.then(|| marker.clone());
        if moment == Moment::InSession {
            // The check can fail: the killed session's canary is on disk until the restart.
            assert!(
                !files_containing(dir.path(), &marker).is_empty(),
                "left by the kill"
            );
        }
    }

    let figures = format!(
        "| measure | value |\n|---|---|\n\
         | SIGKILLs (release build) | {kills} |\n\
         | killed during sign-in / in a session / during the sign-out / after an acknowledged ending | {} / {} / {} / {} |\n\
         | acknowledged endings, each found after the restarts | {} |\n\
         | restarts with `integrity_check` ok, the chain verified, no session open or unwiped, the canary gone | {kills} of {kills} |\n\
         | wall time | {:.0} s |\n\n\
         seed {seed} (`SLATE_CRASH_SEED` repeats it)\n",
        killed[0],
        killed[1],
        killed[2],
        killed[3],
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
    if kills >= 100 {
        slate_e2e::report::write_figures("crash-loop-app", &figures);
    } else {
        println!("{figures}");
    }
}
