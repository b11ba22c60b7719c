//! The kiosk on an empty data folder: it opens on first-run setup, speaks through typed IPC, and
//! its page can reach nothing it was not granted.

use std::os::unix::fs::PermissionsExt;

use serde_json::json;
use slate_e2e::{artifacts_dir, with_kiosk, workspace_root};

#[tokio::test]
async fn an_empty_data_folder_opens_on_the_first_run_screen() {
    with_kiosk("first_run_screen", async |k| {
        k.by_role("heading", "Set up this kiosk").await;
        k.by_label("Username").await;
        k.by_label("Password").await;
        k.by_label("Confirm password").await;
        k.by_role("button", "Create administrator").await;

        // The data folder and database were created private.
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(k.data_dir()), 0o700);
        assert_eq!(mode(&k.data_dir().join("slate.db")), 0o600);

        // The README's screenshot comes from here (`make screenshots` keeps it in docs/).
        let shot = artifacts_dir().join("first-run.png");
        k.screenshot(&shot).await;
        if std::env::var_os("SLATE_UPDATE_DOCS").is_some() {
            std::fs::copy(&shot, workspace_root().join("docs/first-run.png")).unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn the_page_gets_typed_answers_and_nothing_it_was_not_granted() {
    with_kiosk("typed_ipc", async |k| {
        k.by_role("heading", "Set up this kiosk").await;
        let status = k
            .invoke("app_status", json!({}))
            .await
            .expect("app_status answers");
        assert_eq!(status["screen"], json!({ "kind": "first_run" }));
        assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));

        // A command Slate does not have, and a plugin command no capability grants.
        let err = k.invoke("no_such_command", json!({})).await.unwrap_err();
        assert!(err.as_str().is_some_and(|s| !s.is_empty()), "{err}");
        let err = k
            .invoke("plugin:fs|read_text_file", json!({ "path": "/etc/passwd" }))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("not allowed") || err.to_string().contains("not found"),
            "{err}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_content_security_policy_blocks_injected_scripts() {
    with_kiosk("csp", async |k| {
        k.by_role("heading", "Set up this kiosk").await;
        // An inline script added to the page must not run, and eval must be refused.
        let outcome = k
            .eval(
                r"
                window.__injected = false;
                const s = document.createElement('script');
                s.textContent = 'window.__injected = true';
                document.body.appendChild(s);
                let evalBlocked = false;
                try { window.eval('1 + 1'); } catch (e) { evalBlocked = true; }
                return { injected: window.__injected, evalBlocked };
                ",
            )
            .await;
        assert_eq!(
            outcome["injected"], false,
            "an inline script ran: {outcome}"
        );
        assert_eq!(outcome["evalBlocked"], true, "eval ran: {outcome}");
    })
    .await;
}
