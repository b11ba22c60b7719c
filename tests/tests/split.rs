//! The screen and the session service as separate processes, as the installed kiosk runs them:
//! the real `slated` on a data folder and the real app connected to its socket, driven through
//! WebDriver. Either may be killed in a session; Slate fails closed both ways.
//!
//! (Both run as the account running the tests here; the kiosk account's own screen, which
//! cannot open the data folder, is shown by `kiosk_account.rs`.)

use std::time::{Duration, Instant};

use serde_json::Value;
use slate_e2e::service::Service;
use slate_e2e::{audit_records, prepared_data_dir, recent_sessions, with_kiosk_launched, Launch};

fn through(service: &Service, dir: &tempfile::TempDir) -> Launch {
    Launch {
        socket: Some(service.socket().to_owned()),
        ..Launch::on(dir)
    }
}

/// The newest session's row, once it has ended (waits up to 30 s).
fn ended_session(dir: &std::path::Path) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let newest = recent_sessions(dir)[0].clone();
        if !newest["ended_at"].is_null() {
            return newest;
        }
        assert!(
            Instant::now() < deadline,
            "the session never ended: {newest}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::test]
async fn the_screen_killed_in_a_session_ends_it_and_the_next_screen_wipes_what_is_left() {
    let dir = prepared_data_dir(&[("idle_timeout", "10m")]);
    let service = Service::start(dir.path());
    with_kiosk_launched("split_screen_killed", through(&service, &dir), async |k| {
        k.sign_in_ana().await;
        k.signal_app("KILL").await;
    })
    .await;
    // Ended at once, long before its idle timeout: nobody may be left with a session whose
    // screen is gone. Its folder (My files) is wiped by the service itself.
    let row = ended_session(dir.path());
    assert_eq!(row["end_reason"], "recovered", "{row}");
    assert!(
        std::fs::read_dir(dir.path().join("sessions")).map_or(true, |mut d| d.next().is_none()),
        "no session folder is left"
    );
    // The screen's own surfaces wait for a screen: the next one wipes them before anyone can
    // sign in, and the session's wipe is then complete.
    with_kiosk_launched("split_screen_back", through(&service, &dir), async |k| {
        k.by_role("heading", "Sign in").await;
        assert_eq!(recent_sessions(k.data_dir())[0]["erased"], true);
    })
    .await;
}

#[tokio::test]
async fn the_service_killed_in_a_session_leaves_the_screen_unusable_until_it_is_back() {
    let dir = prepared_data_dir(&[("idle_timeout", "10m")]);
    let mut service = Service::start(dir.path());
    with_kiosk_launched("split_service_killed", through(&service, &dir), async |k| {
        k.sign_in_ana().await;
        service.kill("KILL");
        // The screen says so at once and offers nothing to use.
        k.by_role("heading", "This terminal needs attention").await;
        k.wait_for_text("session service is not running").await;
        let text = k.page_text().await;
        assert!(!text.contains("Sign out"), "no session is shown: {text}");
        assert_eq!(
            recent_sessions(k.data_dir())[0]["ended_at"],
            Value::Null,
            "left open by the crash"
        );
        // The service is back: it ends the session as recovered, has the screen wipe its
        // surfaces, and the terminal is free again.
        service.restart();
        k.by_role("heading", "Sign in").await;
        let row = recent_sessions(k.data_dir())[0].clone();
        assert_eq!(row["end_reason"], "recovered", "{row}");
        assert_eq!(row["erased"], true, "{row}");
        let ended = audit_records(k.data_dir(), "sign_out");
        let details: Value = serde_json::from_str(ended[0]["details"].as_str().unwrap()).unwrap();
        assert_eq!(details["reason"], "recovered");
        assert_eq!(details["erased"], true, "{details}");
    })
    .await;
}
