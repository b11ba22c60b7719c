//! Checks of the harness itself, so a broken observer cannot make later tests pass vacuously.

use std::time::Duration;

use slate_e2e::notifications::observer;

#[tokio::test]
async fn the_notification_observer_records_real_dbus_calls() {
    let observer = observer();
    let handle = notify_rust::Notification::new()
        .appname("harness-self-test")
        .summary("Observer check")
        .body("sent over the session bus")
        .show_async()
        .await
        .expect("the observer accepts a notification");
    let got = observer
        .wait_for(Duration::from_secs(5), |n| {
            n.app_name == "harness-self-test"
        })
        .await;
    assert_eq!(got.summary, "Observer check");
    assert_eq!(got.body, "sent over the session bus");
    assert_eq!(got.sender_pid, Some(std::process::id()));
    // notify-rust's close() blocks on D-Bus: keep it off the async thread.
    tokio::task::spawn_blocking(move || handle.close())
        .await
        .unwrap();
    observer
        .wait_for(Duration::from_secs(5), |n| {
            n.app_name == "harness-self-test" && n.closed
        })
        .await;
}
