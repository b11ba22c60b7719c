//! Signing in on the real app: first-run setup, sign in and out, the same sentence for a wrong
//! username and a wrong password, the wait after failures, the lock, guests, and the whole flow
//! with the keyboard alone.

use serde_json::json;
use slate_e2e::{
    artifacts_dir, keys, prepared_data_dir, slatectl, with_kiosk, with_kiosk_launched, Kiosk,
    Launch,
};

async fn sign_in(k: &Kiosk, username: &str, password: &str) {
    k.type_into("Username", username).await;
    k.type_into("Password", password).await;
    k.click("Sign in").await;
}

/// Signs out with confirmation and leaves the signed-out screen with a tap.
async fn sign_out(k: &Kiosk) {
    k.click("Sign out").await;
    k.click("Sign out now").await;
    k.wait_for_text("You signed out.").await;
    k.by_role("heading", "You are signed out")
        .await
        .click()
        .await
        .unwrap();
    k.by_role("heading", "Sign in").await;
}

#[tokio::test]
async fn first_run_setup_then_sign_in_and_out() {
    with_kiosk("setup_sign_in_out", async |k| {
        k.type_into("Username", "librarian").await;
        k.type_into("Display name", "The Librarian").await;
        k.type_into("Password", "short").await;
        k.type_into("Confirm password", "short").await;
        k.click("Create administrator").await;
        k.wait_for_text("The password needs at least 8 characters.")
            .await;

        k.type_into("Password", "password123").await;
        k.type_into("Confirm password", "password123").await;
        k.click("Create administrator").await;
        k.wait_for_text("That password is too common").await;

        k.type_into("Password", "shelf of quiet books").await;
        k.type_into("Confirm password", "shelf of quiet books")
            .await;
        k.click("Create administrator").await;
        k.by_role("heading", "Sign in").await;
        k.wait_for_text("The administrator account is ready").await;
        k.screenshot(&artifacts_dir().join("sign-in.png")).await;
        assert!(slatectl(k.data_dir(), &["user", "list"], "").contains("librarian"));

        sign_in(k, "LIBRARIAN", "shelf of quiet books").await;
        k.by_role("heading", "Welcome, The Librarian").await;
        k.wait_for_text("Administrator").await;
        k.screenshot(&artifacts_dir().join("session.png")).await;
        sign_out(k).await;
        // The password typed before is gone with the screen.
        let leftover = k
            .eval("return [...document.querySelectorAll('input')].map(i => i.value).join('')")
            .await;
        assert_eq!(leftover, "");
    })
    .await;
}

#[tokio::test]
async fn wrong_username_and_wrong_password_read_the_same_then_the_wait_shows() {
    let dir = prepared_data_dir(&[]);
    with_kiosk_launched("wrong_credentials", Launch::on(&dir), async |k| {
        sign_in(k, "ana", "not her passphrase").await;
        k.wait_for_text("Wrong username or password.").await;
        let after_wrong_password = k.page_text().await;

        sign_in(k, "nobody-here", "whatever it is").await;
        k.wait_for_text("Wrong username or password.").await;
        assert_eq!(
            k.page_text().await,
            after_wrong_password,
            "no difference to see"
        );

        // Straight away again with the same name: the wait is shown, the sign-in is not checked.
        // (The button stays disabled while waiting; submit with Enter from the field.)
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        sign_in(k, "ana", "another wrong one").await;
        k.wait_for_text("Wrong username or password.").await;
        k.type_into("Password", "ana's passphrase").await;
        k.keyboard(keys::ENTER).await;
        // 2 s after the second failure, minus the time it took to type: "1 second" or "2 seconds".
        k.wait_for_text("Too many attempts. Try again in ").await;
        let text = k.page_text().await;
        assert!(
            text.contains("Try again in 2 seconds.") || text.contains("Try again in 1 second."),
            "{text}"
        );

        let err = k
            .invoke(
                "sign_in",
                json!({ "request": { "username": "ana", "password": "x" } }),
            )
            .await
            .unwrap_err();
        assert_eq!(err["code"], "throttled");
        assert!(
            err["retry_after_secs"]
                .as_u64()
                .is_some_and(|s| (1..=2).contains(&s)),
            "{err}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_name_that_cools_down_tells_the_right_password_what_it_tells_a_wrong_one() {
    let dir = prepared_data_dir(&[("signin_lock_after", "3"), ("signin_backoff_cap", "1")]);
    with_kiosk_launched("cooling_down", Launch::on(&dir), async |k| {
        k.wrong_passwords("ana", 3).await;
        // Three failures: the name cools down for 15 minutes. Wrong or right, the screen says
        // the same, and nothing in it says whether the password was right.
        sign_in(k, "ana", "wrong again").await;
        k.wait_for_text("Too many attempts. Try again in 15 minutes.")
            .await;
        let password = k
            .eval("return document.getElementById('signin-password').value")
            .await;
        assert_eq!(
            password, "",
            "a refused password does not stay in the field"
        );
        k.screenshot(&artifacts_dir().join("cooling-down.png"))
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let err = k
            .invoke(
                "sign_in",
                json!({ "request": { "username": "ana", "password": "ana's passphrase" } }),
            )
            .await
            .unwrap_err();
        assert_eq!(err["code"], "throttled", "{err}");
        assert_eq!(
            err["message"],
            "Too many attempts. Try again in 15 minutes."
        );
        let list = slatectl(k.data_dir(), &["user", "list"], "");
        assert!(
            list.contains("paused") && list.contains("3 failed sign-ins in a row; waits until"),
            "{list}"
        );

        // The button rests a few seconds, not the 15 minutes: the next person, with another
        // name, can sign in at once.
        let started = std::time::Instant::now();
        while k
            .eval("return document.querySelector('#signin-form button[type=submit]').disabled")
            .await
            == true
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "the sign-in button still rests"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        // Staff let her in at once.
        slatectl(k.data_dir(), &["user", "unlock", "ana"], "");
        sign_in(k, "ana", "ana's passphrase").await;
        k.by_role("heading", "Welcome, Ana").await;
    })
    .await;
}

#[tokio::test]
async fn guests_are_refused_by_default() {
    let dir = prepared_data_dir(&[]);
    with_kiosk_launched("guest_refused", Launch::on(&dir), async |k| {
        k.by_role("heading", "Sign in").await;
        let offered = k
            .eval("return !document.getElementById('guest').hidden")
            .await;
        assert_eq!(offered, false, "no guest button");
        assert!(!k.page_text().await.contains("Continue as guest"));
        let err = k.invoke("sign_in_guest", json!({})).await.unwrap_err();
        assert_eq!(err["code"], "guests_not_allowed");
        assert_eq!(
            err["message"],
            "Guest sign-in is not available on this kiosk."
        );
    })
    .await;
}

#[tokio::test]
async fn guests_sign_in_when_allowed() {
    let dir = prepared_data_dir(&[("guests_allowed", "true")]);
    with_kiosk_launched("guest_allowed", Launch::on(&dir), async |k| {
        k.click("Continue as guest").await;
        k.by_role("heading", "Welcome, guest").await;
        sign_out(k).await;
    })
    .await;
}

#[tokio::test]
async fn the_whole_flow_works_with_the_keyboard_alone() {
    // An administrator's session that warns soon (the policy file, read from the first start),
    // so the warning and "Stay signed in" are part of the walk.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::write(
        slate_e2e::policy_file(&data),
        "admin_idle_timeout = \"15s\"\n",
    )
    .unwrap();
    let launch = Launch {
        data_dir: Some(data),
        ..Launch::default()
    };
    with_kiosk_launched("keyboard_only", launch, async |k| {
        k.by_role("heading", "Set up this kiosk").await;
        assert_eq!(
            k.focused_label().await,
            "Username",
            "focus starts in the first field"
        );
        let t = keys::TAB;
        k.keyboard(&format!(
            "keys{t}Key Holder{t}turn the key slowly{t}turn the key slowly{}",
            keys::ENTER
        ))
        .await;
        k.by_role("heading", "Sign in").await;
        assert_eq!(k.focused_label().await, "Username");
        k.keyboard(&format!("keys{t}turn the key slowly{}", keys::ENTER))
            .await;
        k.by_role("heading", "Welcome, Key Holder").await;
        assert_eq!(
            k.focused_label().await,
            "Settings",
            "an administrator's focus starts on the panel's first tab"
        );
        // Left alone, the session warns; the focus is on "Stay signed in", and Enter stays.
        k.wait_until(
            "return document.getElementById('idle-dialog').open",
            "the idle warning",
        )
        .await;
        assert_eq!(k.focused_label().await, "Stay signed in");
        k.keyboard(keys::ENTER).await;
        k.wait_until(
            "return !document.getElementById('idle-dialog').open",
            "the warning closes",
        )
        .await;
        assert_eq!(
            k.focused_label().await,
            "Settings",
            "the focus returns to where it was before the warning"
        );
        // The tabs follow the arrow keys; in the Terminal section, Tab reaches Leave kiosk mode
        // (its one control), then Sign out.
        let right = keys::ARROW_RIGHT;
        k.keyboard(&format!("{right}{right}{right}{right}{right}"))
            .await;
        assert_eq!(k.focused_label().await, "Terminal");
        k.wait_for_text("Terminal name").await;
        k.keyboard(t).await;
        assert_eq!(k.focused_label().await, "Leave kiosk mode");
        k.keyboard(t).await;
        assert_eq!(k.focused_label().await, "Sign out");
        k.keyboard(keys::ENTER).await;
        k.wait_for_text("Sign out now?").await;
        assert_eq!(k.focused_label().await, "Cancel");
        k.keyboard(keys::TAB).await;
        assert_eq!(k.focused_label().await, "Sign out now");
        k.keyboard(keys::ENTER).await;
        k.wait_for_text("You signed out.").await;
        k.keyboard(keys::ENTER).await;
        k.by_role("heading", "Sign in").await;
    })
    .await;
}
