//! Library card sign-in on the real app, against a stand-in catalogue system speaking SIP2 (no
//! ILS installs on this machine: `slate_core::test_util::sip2_server` answers the specification's
//! messages): a patron signs in with card number and PIN, an expired card hears its own
//! sentence, and at sign-out the catalogue system is told the patron session ended (message 35).

use std::time::{Duration, Instant};

use slate_core::test_util::sip2_server::{self, Sip2Server};
use slate_e2e::{artifacts_dir, prepared_data_dir, with_kiosk_launched, Launch};

#[tokio::test]
async fn a_patron_signs_in_with_card_and_pin_and_the_catalogue_hears_the_end() {
    let server = Sip2Server::start();
    let url = server.settings().url;
    let dir = prepared_data_dir(&[
        ("signin_sources", "sip2, local"),
        ("sip2_url", &url),
        ("sip2_login", sip2_server::LOGIN),
        ("sip2_password", sip2_server::PASSWORD),
        ("sip2_institution", "main"),
        ("sip2_fine_limit", "5"),
    ]);
    with_kiosk_launched("library_card", Launch::on(&dir), async |k| {
        k.type_into("Username", "21234001").await;
        k.type_into("Password", "1111").await;
        k.click("Sign in").await;
        k.wait_for_text("This library card has expired. Please ask staff to renew it.")
            .await;
        k.screenshot(&artifacts_dir().join("library-card-expired.png"))
            .await;

        k.sign_in("21234000", "1234", "Ada Lovelace").await;
        k.sign_out_to_sign_in().await;
        let started = Instant::now();
        while server.requests("35").is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the catalogue system never heard the end"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let end = &server.requests("35")[0];
        assert!(end.contains("|AA21234000|"), "{end}");
    })
    .await;
}
