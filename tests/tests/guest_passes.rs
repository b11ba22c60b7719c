//! Guest passes on the real app: a batch made with `slatectl guest-pass create` (its codes
//! printed once, and a printable sheet), the sign-in screen's "Guest pass code" offered while a
//! pass can be used (guests otherwise not allowed), a wrong code refused in one sentence, a
//! good one typed loosely signing in as a guest with the pass's minutes, the same code refused
//! the second time; the audit names the pass by number, never a code. And an administrator
//! makes a batch in the panel (cards to print) and revokes it.

use slate_e2e::{
    artifacts_dir, audit_records, keys, prepared_data_dir, recent_sessions, slatectl,
    with_kiosk_launched, Launch,
};

/// Two passes of 25 minutes, through `slatectl --json`: their codes. And a printable sheet of ten
/// more, kept with the test's artifacts.
fn make_batch(dir: &tempfile::TempDir, today: &str) -> Vec<String> {
    let made: serde_json::Value = serde_json::from_str(&slatectl(
        dir.path(),
        &[
            "--json",
            "guest-pass",
            "create",
            "--count",
            "2",
            "--minutes",
            "25",
            "--valid-until",
            today,
        ],
        "",
    ))
    .unwrap();
    let codes: Vec<String> = made
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 2);
    let sheet = slatectl(
        dir.path(),
        &[
            "guest-pass",
            "create",
            "--count",
            "10",
            "--minutes",
            "60",
            "--valid-until",
            today,
            "--html",
            "--title",
            "Riverside Library",
        ],
        "",
    );
    assert_eq!(sheet.matches("class=\"code\"").count(), 10);
    std::fs::write(artifacts_dir().join("guest-pass-sheet.html"), &sheet).unwrap();
    codes
}

#[tokio::test]
async fn a_guest_pass_works_once_with_its_minutes_and_the_audit_names_it_by_number() {
    let dir = prepared_data_dir(&[("signed_out_screen", "0"), ("idle_timeout", "1h")]);
    let today = chrono::Local::now().date_naive().to_string();
    let codes = make_batch(&dir, &today);

    with_kiosk_launched("guest-passes", Launch::on(&dir), async |k| {
        k.by_role("heading", "Sign in").await;
        let guest_hidden = k
            .eval("return document.getElementById('guest').hidden")
            .await;
        assert_eq!(guest_hidden, true, "guests are not allowed");
        k.screenshot(&artifacts_dir().join("signin-guest-pass.png"))
            .await;

        // A wrong code: one sentence.
        k.type_into("Guest pass code", "AAAAA-AAAAA").await;
        k.click("Use pass").await;
        k.wait_for_text(
            "This guest pass cannot be used: check the code, or ask staff for a new pass.",
        )
        .await;

        // A good one, typed in lower case without its dash (after the wrong code's wait).
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let loose = codes[0].to_lowercase().replace('-', "");
        k.type_into("Guest pass code", &loose).await;
        k.keyboard(keys::ENTER).await;
        k.by_role("heading", "Welcome, guest").await;
        let line = k
            .eval("return document.getElementById('signs-out').textContent")
            .await;
        assert!(
            line.as_str()
                .unwrap_or_default()
                .starts_with("You will be signed out at "),
            "{line}"
        );
        let left = k
            .eval("return document.getElementById('time-left').textContent")
            .await;
        // (A no-break space between the number and its unit.)
        let left = left.as_str().unwrap_or_default().replace('\u{a0}', " ");
        assert!(left.contains("25 min"), "{left}");
        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.by_role("heading", "Sign in").await;
        let sessions = recent_sessions(k.data_dir());
        assert_eq!(sessions[0]["kind"], "guest");

        // Once only.
        k.type_into("Guest pass code", &codes[0]).await;
        k.click("Use pass").await;
        k.wait_for_text("This guest pass cannot be used").await;

        let listed: serde_json::Value = serde_json::from_str(&slatectl(
            k.data_dir(),
            &["--json", "guest-pass", "list"],
            "",
        ))
        .unwrap();
        let used: Vec<_> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["state"] == "used")
            .collect();
        assert_eq!(used.len(), 1);
        let sign_in = &audit_records(k.data_dir(), "sign_in")[0];
        assert!(
            sign_in["details"]
                .as_str()
                .unwrap_or_default()
                .contains(&format!("\"pass\":{}", used[0]["id"])),
            "{sign_in}"
        );
        let everything = slatectl(k.data_dir(), &["audit", "export"], "");
        for code in &codes {
            assert!(
                !everything.contains(code.as_str()) && !everything.contains(&code.replace('-', ""))
            );
        }
    })
    .await;
}

#[tokio::test]
async fn staff_make_a_batch_in_the_panel_see_its_cards_and_revoke_it() {
    let dir = prepared_data_dir(&[]);
    let today = chrono::Local::now().date_naive().to_string();
    with_kiosk_launched("guest-passes-panel", Launch::on(&dir), async |k| {
        // Staff make a batch in the panel, see its cards, and revoke it.
        k.sign_in("admin", "admin passphrase", "The Librarian")
            .await;
        k.by_role("tab", "Guest passes")
            .await
            .click()
            .await
            .unwrap();
        k.type_into("How many", "4").await;
        k.type_into("Minutes each", "45").await;
        k.type_into("Last day (date)", &today).await;
        k.click("Make passes").await;
        k.wait_until(
            "return document.querySelectorAll('#passes-cards .pass-card').length === 4",
            "four cards",
        )
        .await;
        k.wait_for_text("Made 4 guest passes: print them now, they are not shown again.")
            .await;
        k.screenshot(&artifacts_dir().join("admin-guest-passes.png"))
            .await;
        k.click("Revoke unused").await;
        k.confirm_admin().await;
        k.wait_for_text("Revoked 4 unused guest passes.").await;
        assert_eq!(audit_records(k.data_dir(), "guest_passes_revoked").len(), 1);
        assert_eq!(audit_records(k.data_dir(), "guest_passes_created").len(), 1);
    })
    .await;
}
