//! The panel's Usage section on the real app, over 60 generated days of sessions written into
//! the terminal's database before it starts (`slate_core::test_util::sessions`): the figures
//! are the ones `slatectl stats` gives (patron types included), each chart has its table for
//! screen readers, and the section reads in Spanish too. Its screenshot is the one in docs/ (`make screenshots`).

use chrono::{Duration, Local};
use serde_json::Value;
use slate_core::store::Store;
use slate_core::test_util::sessions::{generate, record};
use slate_e2e::{artifacts_dir, prepared_data_dir, slatectl, with_kiosk_launched, Launch};

#[tokio::test]
async fn the_usage_section_shows_what_slatectl_stats_counts_in_both_languages() {
    let dir = prepared_data_dir(&[("signed_out_screen", "0")]);
    let today = Local::now().date_naive();
    let made = generate(today - Duration::days(60), 60);
    record(&Store::open(&dir.path().join("slate.db")).unwrap(), &made).unwrap();
    let stats: Value =
        serde_json::from_str(&slatectl(dir.path(), &["--json", "stats"], "")).unwrap();
    let sessions = stats["sessions"].as_u64().unwrap();
    assert!(sessions > 200, "{sessions}");

    with_kiosk_launched("usage", Launch::on(&dir), async |k| {
        k.sign_in("admin", "admin passphrase", "The Librarian")
            .await;
        k.by_role("tab", "Usage").await.click().await.unwrap();
        k.wait_for_text("Sessions per day").await;
        let shown = k
            .eval("return document.querySelector('.usage-figures dd').textContent")
            .await;
        let formatted = sessions
            .to_string()
            .as_bytes()
            .rchunks(3)
            .rev()
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(shown, formatted.as_str(), "the panel's count is slatectl's");
        // Each chart is said as a table: 30 days, 7 weekdays, the endings and sources there were.
        let rows = |id: &str| format!("return document.querySelectorAll('#{id} tbody tr').length");
        assert_eq!(k.eval(&rows("usage-days")).await, 30);
        assert_eq!(k.eval(&rows("usage-week")).await, 7);
        assert_eq!(
            k.eval(&rows("usage-endings")).await,
            slate_core::api::EndReason::ALL.len()
        );
        assert_eq!(k.eval(&rows("usage-sources")).await, 5);
        // Cards and the directory gave patron types (Adult, Child); the rest none.
        assert_eq!(k.eval(&rows("usage-groups")).await, 3);
        assert_eq!(
            k.eval("return document.querySelector('#usage-days svg').getAttribute('aria-hidden')")
                .await,
            "true",
            "the chart itself is not read twice"
        );
        assert_eq!(
            k.eval("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
                .await,
            true,
            "nothing wider than the screen (the tables for screen readers included)"
        );
        // The report from its heading: the figures and the days at a glance.
        k.eval("document.getElementById('usage-report').scrollIntoView(); return null")
            .await;
        let shot = artifacts_dir().join("admin-usage.png");
        k.screenshot(&shot).await;
        if std::env::var_os("SLATE_UPDATE_DOCS").is_some() {
            std::fs::copy(&shot, slate_e2e::workspace_root().join("docs/admin-usage.png")).unwrap();
        }
        k.eval("document.getElementById('usage-week').scrollIntoView(); return null")
            .await;
        k.screenshot(&artifacts_dir().join("admin-usage-week.png"))
            .await;
        k.eval("document.getElementById('usage-groups').scrollIntoView(); return null")
            .await;
        k.screenshot(&artifacts_dir().join("admin-usage-groups.png"))
            .await;
        // A range that is not one: one sentence, nothing drawn over.
        k.type_into("From (date)", "last week").await;
        k.click("Show").await;
        k.wait_for_text("last week is not a date; write it as 2026-11-30.")
            .await;

        // In Spanish, chosen at the sign-in screen.
        k.eval("window.scrollTo(0, 0); return null").await;
        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.by_role("heading", "Sign in").await;
        k.by_label("Language")
            .await
            .select_by_value("es")
            .await
            .unwrap();
        k.by_role("heading", "Iniciar sesión").await;
        k.type_into("Nombre de usuario", "admin").await;
        k.type_into("Contraseña", "admin passphrase").await;
        k.click("Iniciar sesión").await;
        k.by_role("tab", "Uso").await.click().await.unwrap();
        k.wait_for_text("Sesiones por día").await;
        let page = k.page_text().await;
        for words in ["Tiempo de uso", "Duración mediana", "Cómo terminaron las sesiones"] {
            assert!(page.contains(words), "{words}: {page}");
        }
        k.screenshot(&artifacts_dir().join("admin-usage-es.png"))
            .await;
    })
    .await;
}
