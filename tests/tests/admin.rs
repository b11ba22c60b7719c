//! Administration on the real app: the panel inside an administrator's session (settings with
//! live validation, users, audit, terminal), the policy file's locked keys, a broken policy
//! file, and an administrator's session timing out.
//!
//! Session timings are in seconds here through the debug-only `SLATE_TEST_SHORT_BOUNDS`.

use std::process::Command;
use std::time::Duration;

use serde_json::json;
use slate_e2e::{
    artifacts_dir, audit_records, keys, policy_file, prepared_data_dir, recent_sessions, slatectl,
    slatectl_bin, with_kiosk_launched, Kiosk, Launch,
};

async fn sign_in_admin(k: &Kiosk) {
    k.sign_in("admin", "admin passphrase", "The Librarian")
        .await;
    k.by_role("tab", "Settings").await;
}

/// Waits until the panel's live check has accepted what was typed into `set-KEY` (its refusal,
/// if one showed, is gone, and the layout with it): a click before that can land where the
/// button was.
async fn accepted(k: &Kiosk, key: &str) {
    k.wait_until(
        &format!(
            "return document.getElementById('set-{key}').getAttribute('aria-invalid') === 'false'"
        ),
        "the live check to accept the value",
    )
    .await;
}

async fn field_value(k: &Kiosk, id: &str) -> String {
    k.eval(&format!("return document.getElementById('{id}').value"))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn an_administrator_changes_the_idle_timeout_and_the_next_session_uses_it() {
    let dir = prepared_data_dir(&[("idle_warning", "2"), ("signed_out_screen", "60")]);
    with_kiosk_launched("admin_idle_timeout", Launch::on(&dir), async |k| {
        sign_in_admin(k).await;
        assert_eq!(field_value(k, "set-idle_timeout").await, "5m");
        // Live validation by the core's rules, before saving.
        k.type_into("Idle timeout", "1s").await;
        k.wait_for_text("Idle timeout must be a duration from 2 seconds to 1 day, not \"1s\".")
            .await;
        assert_eq!(
            k.eval(
                "return document.getElementById('set-idle_timeout').getAttribute('aria-invalid')"
            )
            .await,
            json!("true")
        );
        k.screenshot(&artifacts_dir().join("admin-settings-invalid.png"))
            .await;
        k.type_into("Idle timeout", "5s").await;
        accepted(k, "idle_timeout").await;
        k.click("Save Idle timeout").await;
        k.wait_for_text("Saved Idle timeout: 5s.").await;
        assert!(k.page_text().await.contains("Set here (default: 5m)"));
        if std::env::var_os("SLATE_UPDATE_DOCS").is_some() {
            k.screenshot(&slate_e2e::workspace_root().join("docs/admin-settings.png"))
                .await;
        }
        // The directory's settings, the service password a field that shows nothing, to look at.
        k.eval("document.getElementById('set-ldap_bind_password').scrollIntoView({block: 'center'}); return null")
            .await;
        k.screenshot(&artifacts_dir().join("admin-settings-directory.png"))
            .await;
        k.eval("window.scrollTo(0, 0); return null").await;
        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.by_role("heading", "You are signed out").await;
        k.keyboard(keys::ENTER).await;
        k.by_role("heading", "Sign in").await;

        k.sign_in_ana().await;
        k.by_role("heading", "You are signed out").await;
        let newest = &recent_sessions(k.data_dir())[0];
        assert_eq!(newest["username"], "ana");
        assert_eq!(newest["end_reason"], "idle");
        let ms = newest["duration_ms"].as_i64().unwrap();
        // 5 s after the last activity (the sign-in itself may count as some): far from the old
        // 5 minutes, never before the new 5 seconds.
        assert!(
            (5000..30_000).contains(&ms),
            "ended under the new 5 s: {ms} ms"
        );
        let changed = audit_records(k.data_dir(), "setting_changed");
        let by_panel = changed
            .iter()
            .find(|r| {
                r["details"]
                    .as_str()
                    .unwrap()
                    .contains("\"key\":\"idle_timeout\"")
            })
            .expect("the change is audited");
        assert!(
            by_panel["details"]
                .as_str()
                .unwrap()
                .contains("admin (at the terminal)"),
            "{by_panel}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_key_locked_by_the_policy_file_is_read_only_in_the_panel_and_refused_by_the_cli() {
    let dir = prepared_data_dir(&[]);
    std::fs::write(
        policy_file(dir.path()),
        "guests_allowed = true\nidle_timeout = \"10m\"\n",
    )
    .unwrap();
    with_kiosk_launched("admin_policy_locked", Launch::on(&dir), async |k| {
        // The policy's value applies: guests are offered.
        k.by_label("Continue as guest").await;
        sign_in_admin(k).await;
        assert_eq!(field_value(k, "set-idle_timeout").await, "10m");
        assert_eq!(
            k.eval("return document.getElementById('set-idle_timeout').readOnly")
                .await,
            json!(true)
        );
        assert_eq!(
            k.eval("return document.getElementById('set-idle_timeout-state').textContent")
                .await,
            json!("Set by policy")
        );
        assert_eq!(
            k.eval("return document.querySelector('[aria-label=\"Save Idle timeout\"]') === null")
                .await,
            json!(true),
            "no Save button for a locked key"
        );
        k.screenshot(&artifacts_dir().join("admin-settings-policy.png"))
            .await;
        // Even asked directly, the core refuses.
        let err = k
            .invoke(
                "admin",
                json!({ "request": { "action": "set_setting", "key": "idle_timeout", "value": "5m" } }),
            )
            .await
            .unwrap_err();
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .contains("is set by the policy file"),
            "{err}"
        );
        // And so does slatectl, naming the file, with exit code 9.
        let out = Command::new(slatectl_bin())
            .env("SLATE_POLICY", policy_file(dir.path()))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["config", "set", "idle_timeout", "5m"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(9));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "idle_timeout is set by the policy file {}",
                policy_file(dir.path()).display()
            )),
            "{stderr}"
        );
    })
    .await;
}

/// In Spanish the panel says the core's sentences with their pieces in Spanish too: a setting's
/// label, its bounds with durations in words, the problems of the policy file, the last wipe.
#[tokio::test]
async fn the_panel_says_the_cores_sentences_in_spanish() {
    let dir = prepared_data_dir(&[]);
    std::fs::write(policy_file(dir.path()), "guests_allowed = \"perhaps\"\n").unwrap();
    with_kiosk_launched("admin_spanish", Launch::on(&dir), async |k| {
        k.by_label("Language")
            .await
            .select_by_value("es")
            .await
            .unwrap();
        k.type_into("Nombre de usuario", "admin").await;
        k.type_into("Contraseña", "admin passphrase").await;
        k.click("Iniciar sesión").await;
        k.by_role("tab", "Configuración").await;
        // The bounds under the field, the live check of a value out of them, and the refusal
        // of one that does not agree with another setting.
        k.wait_for_text("Permitido: una duración de 2 segundos a 1 día.")
            .await;
        k.type_into("Tiempo de inactividad", "1s").await;
        k.wait_for_text(
            "Tiempo de inactividad debe ser una duración de 2 segundos a 1 día, no \"1s\".",
        )
        .await;
        k.type_into("Tiempo de inactividad", "5s").await;
        accepted(k, "idle_timeout").await;
        k.click("Guardar Tiempo de inactividad").await;
        k.wait_for_text(
            "idle_warning (1 minuto) debe ser menor que idle_timeout (5 segundos).",
        )
        .await;
        k.type_into("Tiempo de inactividad", "10m").await;
        accepted(k, "idle_timeout").await;
        k.click("Guardar Tiempo de inactividad").await;
        k.wait_for_text("Se ha guardado Tiempo de inactividad: 10m.")
            .await;
        // The policy file's problem, with its line and the setting's refusal inside it.
        k.click("Terminal").await;
        k.wait_for_text("línea 1: guests_allowed debe ser true o false, no \"perhaps\". guests_allowed queda en su valor más estricto, false,")
            .await;
        k.wait_for_text("Todavía no ha terminado ninguna sesión.").await;
        k.screenshot(&artifacts_dir().join("admin-terminal-es.png"))
            .await;
    })
    .await;
}

/// A broken policy fails closed: its keys stay locked at their strictest, never at the
/// administrator's looser values. (Was: the kiosk worked on the lower layers under the bad keys.)
#[tokio::test]
async fn a_broken_policy_file_holds_its_keys_at_the_strictest_and_is_audited() {
    let dir = prepared_data_dir(&[("guests_allowed", "true")]);
    std::fs::write(
        policy_file(dir.path()),
        "# fleet policy\nidle_timeout = \"1s\"\nguests_allowed = \"perhaps\"\n",
    )
    .unwrap();
    with_kiosk_launched("admin_policy_broken", Launch::on(&dir), async |k| {
        // The administrator's value (guests on) does not apply under the bad key: held at false.
        k.by_role("heading", "Sign in").await;
        let offered = k
            .eval("return !document.getElementById('guest').hidden")
            .await;
        assert_eq!(offered, false, "no guest button");
        let problems = audit_records(k.data_dir(), "policy_problem");
        assert_eq!(problems.len(), 2, "{problems:?}");
        let all = format!("{problems:?}");
        assert!(
            all.contains("line 2: idle_timeout must be a duration"),
            "{all}"
        );
        assert!(
            all.contains("idle_timeout is held at its strictest, 30s"),
            "{all}"
        );
        assert!(
            all.contains("line 3: guests_allowed must be true or false"),
            "{all}"
        );
        sign_in_admin(k).await;
        assert_eq!(
            field_value(k, "set-idle_timeout").await,
            "30s",
            "the strictest, not the default"
        );
        k.click("Terminal").await;
        k.wait_for_text("guests_allowed is held at its strictest, false, until the file is fixed.")
            .await;
        assert!(k
            .page_text()
            .await
            .contains(&policy_file(dir.path()).display().to_string()));
        k.screenshot(&artifacts_dir().join("admin-terminal.png"))
            .await;
        slatectl(k.data_dir(), &["audit", "verify"], "");
    })
    .await;
}

#[tokio::test]
async fn users_and_the_audit_are_managed_from_the_panel() {
    let dir = prepared_data_dir(&[("signin_lock_after", "3"), ("signin_backoff_cap", "1")]);
    with_kiosk_launched("admin_users_audit", Launch::on(&dir), async |k| {
        // Someone tried three wrong passwords for ana: her name cools down.
        k.wrong_passwords("ana", 3).await;
        sign_in_admin(k).await;
        // To the Users tab with the arrow key, as on a keyboard.
        k.by_role("tab", "Settings").await.click().await.unwrap();
        k.keyboard(keys::ARROW_RIGHT).await;
        k.by_role("tab", "Users").await;
        assert_eq!(k.focused_label().await, "Users");
        k.wait_for_text("Last sign-in").await;
        k.type_into("Username", "bob").await;
        k.type_into("Display name", "Bob").await;
        k.type_into("Password", "short").await;
        k.click("Add user").await;
        k.wait_for_text("The password needs at least 8 characters.").await;
        k.type_into("Password", "bob's passphrase").await;
        k.keyboard(keys::ENTER).await;
        k.wait_for_text("Added bob.").await;
        // Disabling and removing ask first.
        k.click("Disable bob").await;
        k.by_role("alertdialog", "").await;
        k.wait_for_text("Disable bob?").await;
        k.click("Cancel").await;
        k.click("Disable bob").await;
        k.confirm_admin().await;
        k.wait_for_text("Disabled bob.").await;
        k.click("Enable bob").await;
        k.wait_for_text("Enabled bob.").await;
        k.click("Reset password for bob").await;
        k.type_into("New password", "a new passphrase").await;
        k.click("Change password").await;
        k.wait_for_text("Changed the password of bob.").await;
        // Bob's own daily time: a value that is not one is refused in the dialog, then 45
        // minutes, shown in his row.
        k.click("Daily time for bob").await;
        k.type_into("Time in a day", "all day").await;
        k.click("Save").await;
        k.wait_for_text("all day is not a daily time").await;
        k.screenshot(&artifacts_dir().join("admin-daily-time.png"))
            .await;
        k.type_into("Time in a day", "45m").await;
        k.click("Save").await;
        k.wait_for_text("bob has 45 minutes a day.").await;
        k.wait_for_text("45 minutes a day").await;
        // The panel shows ana's wait and failures; Unlock ends the wait.
        k.wait_for_text("3 failed sign-ins in a row").await;
        assert!(k.page_text().await.contains("Paused until"));
        k.screenshot(&artifacts_dir().join("admin-users-paused.png"))
            .await;
        if std::env::var_os("SLATE_UPDATE_DOCS").is_some() {
            k.screenshot(&slate_e2e::workspace_root().join("docs/admin-users.png"))
                .await;
        }
        k.click("Unlock ana").await;
        k.wait_for_text("Unlocked ana.").await;
        assert!(!k.page_text().await.contains("Paused until"));
        assert!(!k.page_text().await.contains("failed sign-ins in a row"));
        k.click("Remove bob").await;
        k.confirm_admin().await;
        k.wait_for_text("Removed bob.").await;
        assert!(!k.page_text().await.contains("Bob"));

        k.click("Audit").await;
        k.wait_for_text("user_removed").await;
        k.eval("document.getElementById('audit-event').value = 'user_created'; return null")
            .await;
        k.click("Show").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let rows = k
            .eval("return [...document.querySelectorAll('#audit-body tr td:nth-child(3)')].map(t => t.textContent)")
            .await;
        let rows = rows.as_array().unwrap();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|e| e == "user_created"), "{rows:?}");
        k.click("Verify the chain").await;
        k.wait_for_text("The audit log is intact").await;
        k.screenshot(&artifacts_dir().join("admin-audit.png")).await;
        let removed = audit_records(k.data_dir(), "user_removed");
        assert!(removed[0]["details"].as_str().unwrap().contains("admin (at the terminal)"));
    })
    .await;
}

#[tokio::test]
async fn an_administrator_session_times_out_and_others_cannot_use_the_panel() {
    let dir = prepared_data_dir(&[
        ("admin_idle_timeout", "4"),
        ("idle_warning", "2"),
        ("signed_out_screen", "60"),
    ]);
    with_kiosk_launched("admin_times_out", Launch::on(&dir), async |k| {
        sign_in_admin(k).await;
        k.by_role("heading", "You are signed out").await;
        let newest = &recent_sessions(k.data_dir())[0];
        assert_eq!(newest["kind"], "admin");
        assert_eq!(newest["end_reason"], "idle");
        k.keyboard(keys::ENTER).await;
        k.sign_in_ana().await;
        k.assert_admin_command_refused().await;
    })
    .await;
}

#[tokio::test]
async fn leaving_kiosk_mode_asks_first_is_audited_and_closes_the_screen_once_wiped() {
    let dir = prepared_data_dir(&[]);
    with_kiosk_launched("admin_leave_kiosk", Launch::on(&dir), async |k| {
        sign_in_admin(k).await;
        k.click("Terminal").await;
        k.wait_for_text("Maintenance").await;
        k.screenshot(&artifacts_dir().join("admin-terminal.png"))
            .await;
        // Asked first; Cancel changes nothing.
        k.click("Leave kiosk mode").await;
        k.by_role("alertdialog", "").await;
        k.wait_for_text("Leave kiosk mode?").await;
        k.screenshot(&artifacts_dir().join("admin-leave-kiosk.png"))
            .await;
        k.click("Cancel").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(audit_records(k.data_dir(), "kiosk_left").is_empty());
        let pid = k.app_pid().expect("the app runs");

        k.click("Leave kiosk mode").await;
        k.confirm_admin().await;
        // The screen exits (with code 11, which ends the kiosk's session script: tested in
        // package.rs) once the administrator's session has ended and been wiped.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| !c.is_empty()) {
            assert!(
                std::time::Instant::now() < deadline,
                "the screen did not exit"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let left = audit_records(k.data_dir(), "kiosk_left");
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0]["username"], "admin", "{left:?}");
        let session = &recent_sessions(k.data_dir())[0];
        assert_eq!(session["username"], "admin", "{session}");
        assert_eq!(session["end_reason"], "admin", "{session}");
        assert_eq!(session["erased"], true, "{session}");
        assert!(
            k.log()
                .contains("an administrator left kiosk mode: the screen exits"),
            "{}",
            k.log()
        );
    })
    .await;
}
