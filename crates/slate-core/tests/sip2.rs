//! Library card sign-in over SIP2, against a stand-in catalogue system: no ILS (Koha,
//! Evergreen) installs on this machine, so `slate_core::test_util::sip2_server` answers the
//! specification's messages (93/94, 63/64, 35/36, with sequence numbers and checksums). Each
//! refusal, the terminal's own login refused, the system gone or silent, and message 35 at the
//! end of a session.

use std::sync::Arc;
use std::time::{Duration, Instant};

use slate_core::accounts::Source;
use slate_core::api::SessionKind;
use slate_core::audit::{Actor, AuditFilter};
use slate_core::auth::Password;
use slate_core::datadir::DataDir;
use slate_core::kiosk::KioskError;
use slate_core::settings::{SecretText, Sip2Settings};
use slate_core::sources::{sip2, Answer, Person, Steps};
use slate_core::test_util::sip2_server::{self, Sip2Server};
use slate_core::test_util::{add_admin_and_ana, FakeClock, ADMIN};
use slate_core::Kiosk;

fn pw(s: &str) -> Password {
    Password::from(s.to_owned())
}

fn ask(s: &Sip2Settings, card: &str, pin: &str) -> Answer {
    sip2::check(
        s,
        Duration::from_secs(5),
        card,
        &pw(pin),
        chrono::Local::now(),
        &mut Steps::off(),
    )
}

fn barred(a: Answer) -> String {
    match a {
        Answer::Barred(why) => why.to_string(),
        other => panic!("not barred: {other:?}"),
    }
}

fn unavailable(a: Answer) -> String {
    match a {
        Answer::Unavailable(why) => why.to_string(),
        other => panic!("not unavailable: {other:?}"),
    }
}

#[test]
fn a_card_and_its_pin_sign_in_and_each_refusal_has_its_sentence() {
    let server = Sip2Server::start();
    let s = server.settings();
    assert_eq!(
        ask(&s, " 21234000 ", "1234"),
        Answer::Accepted(Person {
            username: "21234000".into(),
            display_name: "Ada Lovelace".into(),
            admin: false,
            group: Some("ADULT".into()),
        })
    );
    // A wrong PIN and a card that does not exist read the same.
    assert_eq!(ask(&s, "21234000", "9999"), Answer::Refused);
    assert_eq!(ask(&s, "29999999", "1234"), Answer::Refused);
    // No PIN: nothing is even asked.
    let before = server.requests("63").len();
    assert_eq!(ask(&s, "21234000", ""), Answer::Refused);
    assert_eq!(server.requests("63").len(), before);
    // The right PIN, then the card's own state, each in its own sentence.
    assert_eq!(
        barred(ask(&s, "21234001", "1111")),
        "This library card has expired. Please ask staff to renew it."
    );
    assert_eq!(
        barred(ask(&s, "21234002", "2222")),
        "This library card is blocked. Please ask staff."
    );
    assert_eq!(
        barred(ask(&s, "21234003", "3333")),
        "This library card has fines of 12.50, more than this terminal allows. Please ask staff."
    );
    // The same fines under a higher limit, or with no limit: in.
    for limit in [Some(1250), None] {
        let lenient = Sip2Settings {
            fine_limit_cents: limit,
            ..s.clone()
        };
        assert!(matches!(
            ask(&lenient, "21234003", "3333"),
            Answer::Accepted(_)
        ));
    }
    // A separator in what was typed never reaches the system as one.
    assert_eq!(ask(&s, "21234000|AD1234", "0000"), Answer::Refused);
    // What went over the wire: the terminal's login, and checksummed requests.
    let login = &server.requests("93")[0];
    assert!(
        login.starts_with("9300CNslate-terminal|COsip secret|CPmain|AY0AZ"),
        "{login}"
    );
    let info = &server.requests("63")[0];
    assert!(info.contains("|AA21234000|"), "{info}");
    assert_eq!(
        sip2::checksum(&info.as_bytes()[..info.len() - 4]),
        info[info.len() - 4..]
    );
}

#[test]
fn a_refused_login_or_a_system_gone_or_silent_is_unavailable() {
    let mut server = Sip2Server::start();
    let wrong = Sip2Settings {
        password: SecretText::from_plain("not the secret"),
        ..server.settings()
    };
    let why = unavailable(ask(&wrong, "21234000", "1234"));
    assert_eq!(
        why,
        "The library's catalogue system cannot be used: it refused the terminal's login (sip2_login)."
    );
    assert!(!why.contains("not the secret"));
    let s = server.settings();
    server.stop();
    unavailable(ask(&s, "21234000", "1234"));
    // A system that takes the connection and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hung = Sip2Settings {
        url: format!("sip://127.0.0.1:{}", silent.local_addr().unwrap().port()),
        ..s
    };
    let started = Instant::now();
    let answer = sip2::check(
        &hung,
        Duration::from_secs(1),
        "21234000",
        &pw("1234"),
        chrono::Local::now(),
        &mut Steps::off(),
    );
    assert!(matches!(answer, Answer::Unavailable(_)), "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
    // TLS where the system speaks plain TCP: unavailable, never a plain fallback.
    let server = Sip2Server::start();
    let tls = Sip2Settings {
        url: format!("sips://127.0.0.1:{}", server.port),
        ..server.settings()
    };
    let why = unavailable(ask(&tls, "21234000", "1234"));
    assert!(why.contains("TLS"), "{why}");
    assert!(
        server.requests("93").is_empty(),
        "no login sent in the clear"
    );
}

/// A kiosk whose sign-in asks the stand-in catalogue system first, then Slate's own accounts.
fn library_terminal(server: &Sip2Server) -> (Kiosk, tempfile::TempDir) {
    let tmp = slate_core::test_util::private_tempdir();
    let kiosk = Kiosk::open_with_clock(
        DataDir::prepare(Some(tmp.path())).unwrap(),
        Arc::new(FakeClock::new()),
    )
    .unwrap();
    add_admin_and_ana(&kiosk, "The Librarian");
    let s = server.settings();
    for (key, value) in [
        ("signin_sources", "sip2, local"),
        ("sip2_url", s.url.as_str()),
        ("sip2_login", sip2_server::LOGIN),
        ("sip2_password", sip2_server::PASSWORD),
        ("sip2_location", "main"),
        ("sip2_institution", "main"),
        ("sip2_fine_limit", "5.00"),
    ] {
        kiosk.set_setting(&Actor::System, key, value).unwrap();
    }
    (kiosk, tmp)
}

#[test]
fn a_library_card_signs_in_like_anyone_and_its_session_end_is_told_to_the_system() {
    let server = Sip2Server::start();
    let (kiosk, _tmp) = library_terminal(&server);
    let ada = kiosk.authenticate("21234000", &pw("1234")).unwrap();
    assert_eq!(ada.display_name, "Ada Lovelace");
    assert_eq!(ada.kind, SessionKind::User);
    assert_eq!(ada.source, Some(Source::Sip2));
    assert!(matches!(
        kiosk.authenticate("21234000", &pw("0000")),
        Err(KioskError::BadCredentials)
    ));
    let err = kiosk.authenticate("21234001", &pw("1111")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "This library card has expired. Please ask staff to renew it."
    );
    // Slate's own accounts after the catalogue system.
    assert_eq!(
        kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).unwrap().kind,
        SessionKind::Admin
    );
    let failed = kiosk
        .audit_list(&AuditFilter {
            event: Some("sign_in_failed".into()),
            reason: Some("barred".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].username.as_deref(), Some("21234001"));
    assert!(
        failed[0].details.contains(r#""source":"sip2""#),
        "{failed:?}"
    );
    for r in kiosk
        .audit_list(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
    {
        assert!(!r.details.contains("1234"), "never a PIN: {r:?}");
        assert!(!r.details.contains(sip2_server::PASSWORD), "{r:?}");
    }

    // The session's end, told to the system: 35 for the card, without any PIN.
    kiosk.end_patron_session("21234000");
    let ends = server.requests("35");
    assert_eq!(ends.len(), 1, "{ends:?}");
    assert!(ends[0].contains("|AA21234000|"), "{ends:?}");
    assert!(!ends[0].contains("|AD"), "no PIN is kept to send: {ends:?}");
}

#[test]
fn testing_the_catalogue_system_says_each_step() {
    let server = Sip2Server::start();
    let (kiosk, _tmp) = library_terminal(&server);
    let s = server.settings();
    // An administrator's test of a card: each step, the bar in its own words.
    let admin = Actor::Admin {
        username: ADMIN.0.into(),
    };
    let test = kiosk
        .test_source(&admin, Source::Sip2, "21234001", &pw("1111"))
        .unwrap();
    assert_eq!(test.verdict, slate_core::api::SourceVerdict::Barred);
    let said: Vec<String> = test
        .steps
        .iter()
        .map(|s| format!("{} {}", if s.ok { "ok" } else { "FAIL" }, s.said))
        .collect();
    let address = s.url.split("://").nth(1).unwrap().to_owned();
    assert_eq!(
        said,
        [
            format!("ok Connected to {address}, without encryption (sip://)."),
            format!(
                "ok The catalogue system accepted the terminal's login {}.",
                sip2_server::LOGIN
            ),
            "ok The card 21234001 is valid and its PIN is right.".to_owned(),
            "FAIL This library card has expired. Please ask staff to renew it.".to_owned(),
        ]
    );
    assert_eq!(
        test.outcome.to_string(),
        "The password is right, but the sign-in screen would say: This library card has expired. Please ask staff to renew it."
    );
    let wrong_pin = kiosk
        .test_source(&admin, Source::Sip2, "21234000", &pw("0000"))
        .unwrap();
    assert_eq!(
        wrong_pin.steps.last().unwrap().said.to_string(),
        "The catalogue system refused the PIN of the card 21234000 (CQ is not Y)."
    );
    let ada = kiosk
        .test_source(&admin, Source::Sip2, "21234000", &pw("1234"))
        .unwrap();
    assert_eq!(ada.outcome.to_string(), "21234000 may sign in here.");

    assert!(server.requests("35").is_empty(), "a test ends no session");
}
