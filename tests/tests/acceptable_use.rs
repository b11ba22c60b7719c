//! The acceptable-use page on the real app: set from a file with `slatectl config set
//! acceptable_use -` (Markdown, with a Spanish text), shown after a correct sign-in and before
//! any session; "Decline" goes back to the sign-in screen with no session; "I accept" starts
//! it; each answer is audited with the text's version and the language read; in Spanish the
//! Spanish text shows; the page's Markdown never becomes a link or markup.

use slate_e2e::{
    artifacts_dir, audit_records, prepared_data_dir, recent_sessions, slatectl,
    with_kiosk_launched, Launch,
};

const PAGE: &str = "# Using this computer\n\n\
    Please be kind to the next person.\n\n\
    - Save your work on a USB stick: **everything is erased** when you sign out.\n\
    - No food or drink at the terminals.\n\
    - See [the rules](https://evil.example/?a=1) at the desk.\n\n\
    [es]\n\
    # Uso de este ordenador\n\n\
    Sea amable con la próxima persona.\n\n\
    - Guarde su trabajo en una memoria USB: **todo se borra** al cerrar la sesión.\n";

#[tokio::test]
async fn a_person_accepts_the_rules_before_the_session_and_declining_starts_none() {
    let dir = prepared_data_dir(&[("guests_allowed", "true")]);
    slatectl(dir.path(), &["config", "set", "acceptable_use", "-"], PAGE);
    with_kiosk_launched("acceptable-use", Launch::on(&dir), async |k| {
        k.type_into("Username", "ana").await;
        k.type_into("Password", "ana's passphrase").await;
        k.click("Sign in").await;
        k.by_role("heading", "Before you start").await;
        k.by_role("heading", "Using this computer").await;
        k.wait_for_text("Welcome, Ana. Please read the rules").await;
        // Markdown's list and bold, never its link or any markup.
        let drawn = k
            .eval(
                "const t = document.getElementById('terms-text');
                 return [t.querySelectorAll('li').length, t.querySelectorAll('strong').length,
                         t.querySelectorAll('a, script, img').length, t.textContent,
                         document.activeElement === t];",
            )
            .await;
        assert_eq!(drawn[0], 3, "{drawn}");
        assert_eq!(drawn[1], 1, "{drawn}");
        assert_eq!(drawn[2], 0, "{drawn}");
        let text = drawn[3].as_str().unwrap_or_default();
        assert!(
            text.contains("See the rules at the desk.") && !text.contains("evil"),
            "{text}"
        );
        assert_eq!(drawn[4], true, "the text has the focus first: {drawn}");
        k.screenshot(&artifacts_dir().join("acceptable-use.png"))
            .await;

        // Declined: the sign-in screen, and no session.
        k.click("Decline").await;
        k.by_role("heading", "Sign in").await;
        assert_eq!(
            recent_sessions(k.data_dir()).as_array().map(Vec::len),
            Some(0)
        );
        let declined = audit_records(k.data_dir(), "acceptable_use_declined");
        assert_eq!(declined.len(), 1);
        assert_eq!(declined[0]["username"], "ana");
        let details: serde_json::Value =
            serde_json::from_str(declined[0]["details"].as_str().unwrap_or("{}")).unwrap();
        assert_eq!(details["answer"], "declined");
        let version = details["version"].as_str().unwrap_or_default().to_owned();
        assert_eq!(version.len(), 12, "{details}");

        // Accepted: the session starts, and the record names it.
        k.type_into("Username", "ana").await;
        k.type_into("Password", "ana's passphrase").await;
        k.click("Sign in").await;
        k.click("I accept").await;
        k.by_role("heading", "Welcome, Ana").await;
        let accepted = audit_records(k.data_dir(), "acceptable_use_accepted");
        assert_eq!(accepted.len(), 1);
        assert!(
            accepted[0]["session_id"]
                .as_str()
                .is_some_and(|s| s.len() == 32),
            "{}",
            accepted[0]
        );
        assert!(accepted[0]["details"]
            .as_str()
            .unwrap_or_default()
            .contains(&version));
        k.sign_out_to_sign_in().await;

        // In Spanish, as a guest: the Spanish text, and the record says so.
        k.by_label("Language")
            .await
            .select_by_value("es")
            .await
            .unwrap();
        k.click("Continuar como invitado").await;
        k.by_role("heading", "Antes de empezar").await;
        k.by_role("heading", "Uso de este ordenador").await;
        k.wait_for_text("Le damos la bienvenida. Lea las normas")
            .await;
        let lang = k
            .eval("return document.getElementById('terms-text').lang")
            .await;
        assert_eq!(lang, "es");
        k.screenshot(&artifacts_dir().join("acceptable-use-es.png"))
            .await;
        k.click("Acepto").await;
        k.wait_for_text("Cerrar sesión").await;
        let accepted = audit_records(k.data_dir(), "acceptable_use_accepted");
        assert_eq!(accepted.len(), 2);
        assert!(
            accepted[0]["details"]
                .as_str()
                .unwrap_or_default()
                .contains(r#""language":"es""#),
            "{}",
            accepted[0]
        );
    })
    .await;
}

/// An administrator writes the page in the panel's box: lines and paragraphs (Enter is a new
/// line there, not a save), saved with Save, read back by slatectl; a text that cannot be used
/// says why before it is saved.
#[tokio::test]
async fn staff_write_the_page_in_the_panel() {
    let dir = prepared_data_dir(&[]);
    with_kiosk_launched("acceptable-use-panel", Launch::on(&dir), async |k| {
        k.sign_in("admin", "admin passphrase", "The Librarian").await;
        k.by_role("tab", "Settings").await;
        let field = k.by_label("Acceptable-use page").await;
        field
            .send_keys("# Rules\u{E007}\u{E007}Be kind.\u{E007}[es]\u{E007}")
            .await
            .unwrap();
        k.wait_for_text("Acceptable-use page: The language [es] has no text.").await;
        field.send_keys("Sea amable.").await.unwrap();
        k.wait_until(
            "return document.getElementById('set-acceptable_use').getAttribute('aria-invalid') === 'false'",
            "the live check to accept the text",
        )
        .await;
        k.eval("document.getElementById('set-acceptable_use').scrollIntoView({block: 'center'}); return null")
            .await;
        k.screenshot(&artifacts_dir().join("admin-acceptable-use.png")).await;
        k.click("Save Acceptable-use page").await;
        k.wait_for_text("Saved Acceptable-use page").await;
        let saved = slatectl(k.data_dir(), &["config", "get", "acceptable_use"], "");
        assert_eq!(saved.trim_end(), "# Rules\n\nBe kind.\n[es]\nSea amable.");
    })
    .await;
}
