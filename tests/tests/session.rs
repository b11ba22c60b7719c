//! The session manager on the real app: the idle warning and its countdown, staying signed in,
//! the desktop notification, signing out with confirmation, the signed-out screen, an
//! administrator's end, and endings by SIGTERM and by a crash.
//!
//! Session timings are in seconds here through the debug-only `SLATE_TEST_SHORT_BOUNDS`.

use std::time::{Duration, Instant};

use serde_json::Value;
use slate_e2e::notifications::observer;
use slate_e2e::{
    artifacts_dir, keys, prepared_data_dir, recent_sessions, slatectl, with_kiosk_launched, Kiosk,
    Launch,
};

/// The newest session has ended with `reason`, and the audit log has exactly one `sign_out`
/// record for it, with that reason, and still verifies.
fn assert_ended_and_audited(dir: &std::path::Path, reason: &str) {
    let newest = &recent_sessions(dir)[0];
    assert_eq!(newest["end_reason"], reason, "{newest}");
    let id = newest["id"].as_str().unwrap();
    let records: Value = serde_json::from_str(&slatectl(
        dir,
        &[
            "--json", "audit", "list", "--event", "sign_out", "--limit", "1000",
        ],
        "",
    ))
    .unwrap();
    let mine: Vec<&Value> = records
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["session_id"] == id)
        .collect();
    assert_eq!(mine.len(), 1, "exactly one sign_out record: {records}");
    let details: Value = serde_json::from_str(mine[0]["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["reason"], reason);
    assert_eq!(details["erased"], true);
    slatectl(dir, &["audit", "verify"], "");
}

async fn idle_seconds(k: &Kiosk) -> String {
    k.eval("return document.getElementById('idle-seconds').textContent")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn an_idle_session_warns_counts_down_notifies_and_ends() {
    let dir = prepared_data_dir(&[
        ("idle_warning", "4"),
        ("idle_timeout", "6"),
        ("signed_out_screen", "60"),
    ]);
    let notifications = observer();
    with_kiosk_launched("idle_ending", Launch::on(&dir), async |k| {
        k.sign_in_ana().await;
        let dialog = k.by_role("alertdialog", "").await;
        assert!(dialog
            .text()
            .await
            .unwrap()
            .contains("because nobody has used this terminal"));
        assert_eq!(
            k.focused_label().await,
            "Stay signed in",
            "the safe choice has the focus"
        );
        let first = idle_seconds(k).await;
        k.screenshot(&artifacts_dir().join("idle-warning.png"))
            .await;
        let pid = k.app_pid().unwrap();
        let shown = notifications
            .wait_for(Duration::from_secs(5), |n| {
                n.sender_pid == Some(pid) && n.summary == "You will be signed out soon"
            })
            .await;
        assert_eq!(shown.app_name, "Slate");
        // The countdown moves on its own (polled: a loaded machine may paint late).
        let deadline = Instant::now() + Duration::from_millis(3500);
        let mut later = idle_seconds(k).await;
        while later == first && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
            later = idle_seconds(k).await;
        }
        assert_ne!(first, later, "the countdown moves ({first} → {later})");

        k.wait_for_text("You were signed out after 6 seconds without activity.")
            .await;
        k.wait_for_text("Thank you for using this terminal.").await;
        k.screenshot(&artifacts_dir().join("signed-out.png")).await;
        assert_ended_and_audited(k.data_dir(), "idle");
        // The notification was withdrawn with the session.
        notifications
            .wait_for(Duration::from_secs(5), |n| n.id == shown.id && n.closed)
            .await;
        // Any key goes straight to the sign-in screen.
        k.keyboard("x").await;
        k.by_role("heading", "Sign in").await;
        let log = k.log();
        let late: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("idle ending fired"))
            .collect();
        eprintln!("{}", late.join("\n"));
        assert_eq!(late.len(), 1, "one idle ending in the log");
    })
    .await;
}

#[tokio::test]
async fn staying_signed_in_keeps_the_session_and_withdraws_the_notification() {
    let dir = prepared_data_dir(&[("idle_warning", "4"), ("idle_timeout", "5")]);
    let notifications = observer();
    with_kiosk_launched("stay", Launch::on(&dir), async |k| {
        k.sign_in_ana().await;
        k.by_role("alertdialog", "").await;
        let pid = k.app_pid().unwrap();
        let shown = notifications
            .wait_for(Duration::from_secs(5), |n| n.sender_pid == Some(pid))
            .await;
        k.click("Stay signed in").await;
        notifications
            .wait_for(Duration::from_secs(5), |n| n.id == shown.id && n.closed)
            .await;
        k.wait_until(
            "return !document.getElementById('idle-dialog').open",
            "the warning to close after Stay",
        )
        .await;
        // The warning comes back after another quiet spell; Escape also means "stay".
        k.by_role("alertdialog", "").await;
        k.keyboard("\u{e00c}").await;
        k.wait_until(
            "return !document.getElementById('idle-dialog').open",
            "the warning to close after Escape",
        )
        .await;
        assert!(k.page_text().await.contains("Welcome, Ana"));
        assert_eq!(
            recent_sessions(k.data_dir())[0]["ended_at"],
            Value::Null,
            "still open"
        );
    })
    .await;
}

#[tokio::test]
async fn signing_out_asks_first_with_cancel_focused() {
    let dir = prepared_data_dir(&[("signed_out_screen", "60")]);
    with_kiosk_launched("sign_out_confirm", Launch::on(&dir), async |k| {
        k.sign_in_ana().await;
        k.click("Sign out").await;
        k.wait_for_text("Sign out now?").await;
        k.wait_for_text("Your files on this terminal will be erased.")
            .await;
        assert_eq!(k.focused_label().await, "Cancel");
        k.screenshot(&artifacts_dir().join("confirm-sign-out.png"))
            .await;
        k.keyboard(keys::ENTER).await; // Enter on the default: Cancel
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            k.page_text().await.contains("Welcome, Ana"),
            "still signed in"
        );

        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.wait_for_text("You signed out.").await;
        assert_ended_and_audited(k.data_dir(), "user");
        k.by_role("heading", "You are signed out")
            .await
            .click()
            .await
            .unwrap();
        k.by_role("heading", "Sign in").await;
        // Nothing of the session is left in the page.
        assert!(!k.page_text().await.contains("Ana"));
    })
    .await;
}

#[tokio::test]
async fn an_administrator_ends_the_live_session_from_slatectl() {
    let dir = prepared_data_dir(&[("signed_out_screen", "60")]);
    with_kiosk_launched("admin_end", Launch::on(&dir), async |k| {
        k.sign_in_ana().await;
        let listed = slatectl(k.data_dir(), &["session", "list"], "");
        assert!(
            listed.contains("ana") && listed.contains("open"),
            "{listed}"
        );
        // The kiosk polls for the request every second; the wait is not a timing assertion.
        slatectl(k.data_dir(), &["session", "end", "--user", "ANA"], "");
        k.wait_for_text("A member of staff ended your session.")
            .await;
        assert_ended_and_audited(k.data_dir(), "admin");
    })
    .await;
}

#[tokio::test]
async fn sigterm_ends_the_session_as_shutdown() {
    let dir = prepared_data_dir(&[]);
    with_kiosk_launched("sigterm", Launch::on(&dir), async |k| {
        k.sign_in_ana().await;
        k.signal_app("TERM").await;
    })
    .await;
    assert_ended_and_audited(dir.path(), "shutdown");
}

#[tokio::test]
async fn a_crash_mid_session_is_ended_as_recovered_at_the_next_start() {
    let dir = prepared_data_dir(&[]);
    with_kiosk_launched("crash", Launch::on(&dir), async |k| {
        k.sign_in_ana().await;
        k.signal_app("KILL").await;
    })
    .await;
    assert_eq!(
        recent_sessions(dir.path())[0]["ended_at"],
        Value::Null,
        "left open by the crash"
    );
    with_kiosk_launched("crash_restart", Launch::on(&dir), async |k| {
        k.by_role("heading", "Sign in").await;
        let rows = recent_sessions(k.data_dir());
        assert!(rows[0]["duration_ms"].as_i64().is_some());
        assert_ended_and_audited(k.data_dir(), "recovered");
    })
    .await;
}

#[tokio::test]
async fn the_session_ends_before_the_machine_sleeps() {
    use slate_e2e::logind::FakeLogind;
    let dir = prepared_data_dir(&[("signed_out_screen", "60")]);
    let logind = FakeLogind::start().await;
    let mut launch = Launch::on(&dir);
    launch.env.push(FakeLogind::env());
    with_kiosk_launched("sleep", launch, async |k| {
        logind.wait("a delay inhibitor", |l| l.taken() == 1).await;
        // And the screen must never blank or lock while Slate runs: an idle inhibitor too.
        logind
            .wait("an idle inhibitor", FakeLogind::idle_held)
            .await;
        k.sign_in_ana().await;
        logind.prepare_for_sleep(true).await;
        k.wait_for_text("the machine went to sleep").await;
        assert_ended_and_audited(k.data_dir(), "shutdown");
        logind
            .wait("the inhibitor released", |l| l.released(0))
            .await;
        logind.prepare_for_sleep(false).await;
        logind
            .wait("a new inhibitor after the resume", |l| l.taken() == 2)
            .await;
        assert!(!logind.released(1));
        assert!(logind.idle_held(), "held across sleep and resume");
    })
    .await;
}
