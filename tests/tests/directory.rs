//! Directory sign-in on the real app: people from a real OpenLDAP server (`slapd` from Debian,
//! started here with a test CA, `slate_core::test_util::slapd`) sign in through the sign-in
//! screen over LDAPS: a patron to a session, a member of staff to the panel, someone outside the
//! patrons' group refused like a wrong password; then the directory stops mid-test and the
//! screen says sign-in is not available while Slate's own accounts keep working. Staff test the
//! directory from the panel and with `slatectl source test`, step by step.

use slate_core::test_util::slapd::Slapd;
use slate_e2e::{
    artifacts_dir, prepared_data_dir, slatectl, slatectl_status, with_kiosk_launched, Launch,
};

#[tokio::test]
async fn directory_people_sign_in_through_the_screen_and_a_stopped_directory_is_said() {
    let mut server = Slapd::start_new();
    let mut settings: Vec<(&str, String)> = server.setting_values();
    settings.push(("signin_sources", "ldap, local".into()));
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let dir = prepared_data_dir(&settings);
    let shown = slatectl(dir.path(), &["config", "get", "ldap_bind_password"], "");
    assert_eq!(shown.trim(), "(set)", "the secret is never shown");

    with_kiosk_launched("directory", Launch::on(&dir), async |k| {
        k.sign_in("lena", "lena's passphrase", "Lena Ortiz").await;
        k.screenshot(&artifacts_dir().join("directory-session.png"))
            .await;
        k.sign_out_to_sign_in().await;

        // Outside the patrons' group: the same sentence as a wrong password.
        k.type_into("Username", "omar").await;
        k.type_into("Password", "omar's passphrase").await;
        k.click("Sign in").await;
        k.wait_for_text("Wrong username or password.").await;

        // A member of staff is an administrator of Slate.
        k.sign_in("sam", "sam's passphrase", "Sam Reyes").await;
        k.wait_for_text("Administrator").await;
        let sessions = slatectl(k.data_dir(), &["session", "list", "--json"], "");
        assert!(sessions.contains(r#""source":"ldap""#), "{sessions}");
        // Lena's session counts under her directory group (employeeType) in the statistics.
        let stats = slatectl(k.data_dir(), &["stats", "--csv"], "");
        assert!(stats.lines().any(|l| l.starts_with("group,Adult,1,")), "{stats}");

        // Staff test the directory from the panel's Settings: each step, then the outcome.
        k.type_into("Name or card number", "lena").await;
        k.type_into("Password or PIN", "lena's passphrase").await;
        k.click("Test this source").await;
        k.wait_for_text("lena may sign in here.").await;
        let page = k.page_text().await;
        for step in [
            "The service account cn=slate,",
            "Found lena as uid=lena,",
            "The directory accepted the password of uid=lena,",
            "lena is in the group cn=patrons,",
            "The entry's employeeType is Adult",
        ] {
            assert!(page.contains(step), "{step}: {page}");
        }
        k.screenshot(&artifacts_dir().join("admin-source-test.png"))
            .await;
        let password = k.eval("return document.getElementById('source-test-password').value").await;
        assert_eq!(password, "", "the password is not kept in the form");
        // The same from slatectl: omar is found, his password right, his group not.
        let (code, out, err) = slatectl_status(
            k.data_dir(),
            &["source", "test", "ldap", "omar", "--password-stdin"],
            "omar's passphrase\n",
        );
        assert_eq!(code, 9, "{out}{err}");
        assert!(out.contains("ok   The directory accepted the password of uid=omar,"), "{out}");
        assert!(out.contains("FAIL omar is not in the group cn=patrons,"), "{out}");
        assert!(
            err.contains("omar may not sign in: the sign-in screen would say the name or the password is wrong."),
            "{err}"
        );
        k.sign_out_to_sign_in().await;

        // The directory goes away.
        server.stop();
        k.type_into("Username", "lena").await;
        k.type_into("Password", "lena's passphrase").await;
        k.click("Sign in").await;
        k.wait_for_text("Sign-in is not available right now; please ask staff.")
            .await;
        k.screenshot(&artifacts_dir().join("directory-unavailable.png"))
            .await;
        let audit = slatectl(
            k.data_dir(),
            &["audit", "list", "--event", "source_unavailable", "--json"],
            "",
        );
        let records: serde_json::Value = serde_json::from_str(&audit).unwrap();
        let details = records[0]["details"].as_str().unwrap_or_default();
        assert!(details.contains(r#""source":"ldap""#), "{audit}");
        assert!(!audit.contains("passphrase"), "{audit}");
        // Slate's own accounts keep working.
        k.sign_in("ana", "ana's passphrase", "Ana").await;
    })
    .await;
}
