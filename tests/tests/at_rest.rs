//! Nothing wakes at rest (issue 25's regression tests, in `make test`): the real app, on its
//! sign-in screen exactly as a person finds it (the username field focused, its caret drawn) and
//! in a session with a time limit, is watched for a few seconds thread by thread, counting how
//! often each thread was switched out (`/proc/PID/task/TID/status`). Counts, not timings: a
//! thread asleep until something is due does not move at all. Two bugs this keeps fixed:
//!
//! - the caret: with GTK's cursor blink off, `WebKitGTK` 2.50 re-arms its caret timer on every
//!   rendering update, a repaint per frame (about 60 wakes a second on the app's frame clock and
//!   120 in the web process);
//! - the session's once-a-second wake: the session manager looked at its settings every second
//!   and the bar counted the time left by the second; it now sleeps on a boot-clock timer until
//!   a deadline or a change of the shown minute, and hears of changes from the kernel.

use std::time::Duration;

use slate_e2e::{prepared_data_dir, procfs, with_kiosk_launched, Kiosk, Launch};

/// How long each look lasts, after as long to settle.
const LOOK_SECS: u64 = 5;

/// The most wakes a look allows across all the app's threads and its web engine's: the caret
/// bug gave about 900; at rest about 10-20 remain, from GTK, `WebKit`'s own memory monitors
/// and the accessibility bus, which a bare Tauri window has too.
const MOST_WAKES: u64 = 60;

/// The most wakes a look allows on the async runtime's threads (`tokio-rt-worker`), where
/// the session service runs: its once-a-second beat gave 5 or more.
const MOST_RUNTIME_WAKES: u64 = 2;

async fn look(k: &Kiosk, what: &str) -> Vec<(u32, String, u64)> {
    tokio::time::sleep(Duration::from_secs(LOOK_SECS)).await;
    let pids = procfs::tree(k.app_pid().expect("the app runs"));
    let wakes = tokio::task::spawn_blocking(move || procfs::wakes_over(&pids, LOOK_SECS))
        .await
        .unwrap();
    eprintln!("{what}: wakes over {LOOK_SECS} s by thread: {wakes:?}");
    wakes
}

fn total(wakes: &[(u32, String, u64)]) -> u64 {
    wakes.iter().map(|w| w.2).sum()
}

fn runtime(wakes: &[(u32, String, u64)]) -> u64 {
    wakes
        .iter()
        .filter(|w| w.1.starts_with("tokio-r"))
        .map(|w| w.2)
        .sum()
}

#[tokio::test]
async fn nothing_wakes_at_rest_on_the_sign_in_screen_or_in_a_session() {
    let dir = prepared_data_dir(&[
        ("idle_timeout", "30m"),
        ("idle_warning", "1m"),
        ("time_limit", "2h"),
    ]);
    with_kiosk_launched("at_rest", Launch::on(&dir), async |k| {
        k.by_role("heading", "Sign in").await;
        assert_eq!(k.focused_label().await, "Username", "as a person finds it");
        let signin = look(k, "sign-in screen").await;
        assert!(
            total(&signin) <= MOST_WAKES,
            "the sign-in screen woke {} times in {LOOK_SECS} s: {signin:?}",
            total(&signin)
        );
        assert!(runtime(&signin) <= MOST_RUNTIME_WAKES, "{signin:?}");

        k.sign_in_ana().await;
        k.wait_for_text("Time left 2 hr").await;
        // To look at: the bar's time left, by the minute.
        k.screenshot(&slate_e2e::artifacts_dir().join("session-time-left.png"))
            .await;
        let session = look(k, "session").await;
        assert!(
            total(&session) <= MOST_WAKES,
            "the session woke {} times in {LOOK_SECS} s: {session:?}",
            total(&session)
        );
        assert!(
            runtime(&session) <= MOST_RUNTIME_WAKES,
            "the session service woke {} times in {LOOK_SECS} s: {session:?}",
            runtime(&session)
        );
    })
    .await;
}
