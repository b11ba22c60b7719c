//! Directory sign-in against a real OpenLDAP server (`slapd` from Debian, started here on local
//! ports with a test CA; see `slate_core::test_util::slapd`): search-then-bind over LDAPS and
//! direct bind over StartTLS, groups deciding who may sign in and who administers, certificate
//! checks, and the directory going away mid-test while Slate's own accounts keep working.

use std::sync::Arc;
use std::time::{Duration, Instant};

use slate_core::accounts::Source;
use slate_core::api::SessionKind;
use slate_core::api::SourceVerdict;
use slate_core::audit::{Actor, AuditFilter};
use slate_core::auth::Password;
use slate_core::datadir::DataDir;
use slate_core::kiosk::{Identity, KioskError};
use slate_core::settings::LdapSettings;
use slate_core::sources::{ldap, Answer, Person, Steps};
use slate_core::test_util::slapd::{self, Slapd};
use slate_core::test_util::{add_admin_and_ana, FakeClock, ADMIN};
use slate_core::Kiosk;

fn pw(s: &str) -> Password {
    Password::from(s.to_owned())
}

const TIMEOUT: Duration = Duration::from_secs(5);

fn ask(s: &LdapSettings, name: &str, password: &str) -> Answer {
    ldap::check(s, TIMEOUT, name, &pw(password), &mut Steps::off())
}

/// An accepted person; their group is the test directory's `employeeType` (omar has none).
fn person(username: &str, display_name: &str, admin: bool) -> Answer {
    Answer::Accepted(Person {
        username: username.into(),
        display_name: display_name.into(),
        admin,
        group: match username {
            "lena" => Some("Adult".into()),
            "sam" => Some("Librarian".into()),
            _ => None,
        },
    })
}

#[test]
fn search_then_bind_over_ldaps_lets_in_the_group_and_makes_staff_administrators() {
    let server = Slapd::start_new();
    let s = server.settings();
    assert_eq!(
        ask(&s, "lena", "lena's passphrase"),
        person("lena", "Lena Ortiz", false)
    );
    // The name as the directory spells it, whatever the case typed.
    assert_eq!(
        ask(&s, " LENA ", "lena's passphrase"),
        person("lena", "Lena Ortiz", false)
    );
    assert_eq!(
        ask(&s, "sam", "sam's passphrase"),
        person("sam", "Sam Reyes", true)
    );
    assert_eq!(ask(&s, "lena", "not her passphrase"), Answer::Refused);
    assert_eq!(ask(&s, "nobody", "lena's passphrase"), Answer::Refused);
    // Right password, not in the patrons group.
    assert_eq!(ask(&s, "omar", "omar's passphrase"), Answer::Refused);
    // No password: never an anonymous bind.
    assert_eq!(ask(&s, "lena", ""), Answer::Refused);
    // A filter injection is only a strange name.
    assert_eq!(ask(&s, "*", "lena's passphrase"), Answer::Refused);
    assert_eq!(ask(&s, "lena)(uid=*", "lena's passphrase"), Answer::Refused);
    // Without an allow group, everyone the directory finds; without an admin group, nobody
    // administers.
    let open = LdapSettings {
        allow_group: String::new(),
        admin_group: String::new(),
        ..s.clone()
    };
    assert_eq!(
        ask(&open, "omar", "omar's passphrase"),
        person("omar", "Omar Haddad", false)
    );
    assert_eq!(
        ask(&open, "sam", "sam's passphrase"),
        person("sam", "Sam Reyes", false)
    );
}

#[test]
fn direct_bind_over_starttls_needs_no_service_account() {
    let server = Slapd::start_new();
    let s = LdapSettings {
        url: format!("ldap://127.0.0.1:{}", server.ldap_port),
        bind_dn: String::new(),
        bind_password: slapd::secret(""),
        user_dn: format!("uid={{name}},{}", slapd::PEOPLE),
        ..server.settings()
    };
    assert_eq!(
        ask(&s, "lena", "lena's passphrase"),
        person("lena", "Lena Ortiz", false)
    );
    assert_eq!(
        ask(&s, "sam", "sam's passphrase"),
        person("sam", "Sam Reyes", true)
    );
    assert_eq!(ask(&s, "lena", "wrong"), Answer::Refused);
    assert_eq!(ask(&s, "nobody", "wrong"), Answer::Refused);
    // A name that would change the DN is escaped, not obeyed.
    assert_eq!(
        ask(&s, "lena,ou=people", "lena's passphrase"),
        Answer::Refused
    );
}

#[test]
fn a_directory_that_cannot_be_trusted_or_reached_is_unavailable_never_refused() {
    let mut server = Slapd::start_new();
    let unavailable = |a: Answer| match a {
        Answer::Unavailable(why) => why.to_string(),
        other => panic!("not unavailable: {other:?}"),
    };
    // The system's CAs do not know the test CA: the certificate is refused.
    let system_cas = LdapSettings {
        ca_file: String::new(),
        ..server.settings()
    };
    let why = unavailable(ask(&system_cas, "lena", "lena's passphrase"));
    assert!(why.starts_with("The directory cannot be used: "), "{why}");
    assert!(why.contains("certificate verify failed"), "{why}");
    // A CA file that is not there.
    let missing = LdapSettings {
        ca_file: "/nonexistent/ca.pem".into(),
        ..server.settings()
    };
    let why = unavailable(ask(&missing, "lena", "lena's passphrase"));
    assert!(
        why.contains("its CA file /nonexistent/ca.pem cannot be read"),
        "{why}"
    );
    // The service account's password wrong.
    let wrong_service = LdapSettings {
        bind_password: slapd::secret("not the secret"),
        ..server.settings()
    };
    let why = unavailable(ask(&wrong_service, "lena", "lena's passphrase"));
    assert!(why.contains("refused the service account"), "{why}");
    assert!(!why.contains("not the secret"), "never the secret: {why}");
    // Stopped: nobody answers at that port.
    server.stop();
    unavailable(ask(&server.settings(), "lena", "lena's passphrase"));
}

#[test]
fn a_directory_that_never_answers_is_given_up_on_at_the_timeout() {
    // A listener that takes the connection and says nothing (a hung server, a firewall).
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let s = LdapSettings {
        url: format!("ldaps://127.0.0.1:{}", silent.local_addr().unwrap().port()),
        ..Slapd::start_new().settings()
    };
    let started = Instant::now();
    let answer = ldap::check(
        &s,
        Duration::from_secs(1),
        "lena",
        &pw("lena's passphrase"),
        &mut Steps::off(),
    );
    assert!(matches!(answer, Answer::Unavailable(_)), "{answer:?}");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "gave up after {took:?}");
}

struct Terminal {
    kiosk: Kiosk,
    _tmp: tempfile::TempDir,
}

/// A kiosk whose sign-in tries `sources` with the test directory's settings.
fn terminal(server: &Slapd, sources: &str) -> Terminal {
    let tmp = slate_core::test_util::private_tempdir();
    let kiosk = Kiosk::open_with_clock(
        DataDir::prepare(Some(tmp.path())).unwrap(),
        Arc::new(FakeClock::new()),
    )
    .unwrap();
    add_admin_and_ana(&kiosk, "The Librarian");
    kiosk
        .set_setting(&Actor::System, "signin_sources", sources)
        .unwrap();
    for (key, value) in server.setting_values() {
        kiosk.set_setting(&Actor::System, key, &value).unwrap();
    }
    Terminal { kiosk, _tmp: tmp }
}

fn records(k: &Kiosk, event: &str) -> Vec<slate_core::audit::AuditRecord> {
    k.audit_list(&AuditFilter {
        event: Some(event.into()),
        limit: 100,
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn a_directory_person_signs_in_like_anyone_and_the_audit_names_the_source() {
    let mut server = Slapd::start_new();
    let t = terminal(&server, "ldap, local");
    let lena = t
        .kiosk
        .authenticate("lena", &pw("lena's passphrase"))
        .unwrap();
    assert_eq!(
        lena,
        Identity {
            display_name: "Lena Ortiz".into(),
            kind: SessionKind::User,
            username: Some("lena".into()),
            source: Some(Source::Ldap),
            group: Some("Adult".into()),
            pass: None,
        }
    );
    let sam = t
        .kiosk
        .authenticate("sam", &pw("sam's passphrase"))
        .unwrap();
    assert_eq!(sam.kind, SessionKind::Admin);
    // Slate's own accounts after the directory, in the order set.
    let ana = t
        .kiosk
        .authenticate("ana", &pw("ana's passphrase"))
        .unwrap();
    assert_eq!(ana.source, Some(Source::Local));
    assert!(matches!(
        t.kiosk.authenticate("omar", &pw("omar's passphrase")),
        Err(KioskError::BadCredentials)
    ));
    // The same throttle for a directory name.
    assert!(t
        .kiosk
        .authenticate("lena", &pw("lena's passphrase"))
        .is_ok());
    assert!(matches!(
        t.kiosk.authenticate("lena", &pw("wrong")),
        Err(KioskError::BadCredentials)
    ));
    assert!(matches!(
        t.kiosk.authenticate("lena", &pw("lena's passphrase")),
        Err(KioskError::Throttled(_))
    ));

    // The directory goes away: its people are told sign-in is not available (audited, no
    // failure counted); Slate's own accounts keep working.
    server.stop();
    let err = t
        .kiosk
        .authenticate("sam", &pw("sam's passphrase"))
        .unwrap_err();
    assert!(matches!(err, KioskError::SourceUnavailable), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Sign-in is not available right now; please ask staff."
    );
    let unavailable = records(&t.kiosk, "source_unavailable");
    assert_eq!(unavailable.len(), 1);
    assert!(unavailable[0].details.contains(r#""source":"ldap""#));
    assert!(!unavailable[0].details.contains("sam's passphrase"));
    t.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).unwrap();
    // Back: in again.
    server.start();
    assert_eq!(
        t.kiosk
            .authenticate("sam", &pw("sam's passphrase"))
            .unwrap()
            .kind,
        SessionKind::Admin
    );
    // Nothing of any password, and nothing typed as an unknown name, in the audit.
    let all = t
        .kiosk
        .audit_list(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    for r in &all {
        assert!(!r.details.contains("passphrase"), "{r:?}");
        assert!(!r.details.contains(slapd::SERVICE_PASSWORD), "{r:?}");
    }
    let setting = all
        .iter()
        .find(|r| r.details.contains("ldap_bind_password"))
        .unwrap();
    assert!(setting.details.contains("(set)"), "{setting:?}");
}

/// Each step of a source test, "ok" or "FAIL", in English.
fn steps(t: &slate_core::api::SourceTest) -> Vec<String> {
    t.steps
        .iter()
        .map(|s| format!("{} {}", if s.ok { "ok" } else { "FAIL" }, s.said))
        .collect()
}

/// The administrator at the terminal, who runs the source tests.
fn admin() -> Actor {
    Actor::Admin {
        username: ADMIN.0.into(),
    }
}

#[test]
fn testing_the_directory_says_each_step_and_counts_nothing() {
    let server = Slapd::start_new();
    // Not yet a sign-in source: an administrator tests before turning it on.
    let t = terminal(&server, "local");
    let admin = admin();
    let test = |name: &str, password: &str| {
        t.kiosk
            .test_source(&admin, Source::Ldap, name, &pw(password))
            .unwrap()
    };
    let s = server.settings();
    let lena = test("lena", "lena's passphrase");
    assert_eq!(lena.verdict, SourceVerdict::Accepted);
    assert_eq!(lena.outcome.to_string(), "lena may sign in here.");
    assert_eq!(
        steps(&lena),
        [
            format!(
                "ok Connected to {}; its TLS certificate is trusted by the CA file {}.",
                s.url, s.ca_file
            ),
            format!("ok The service account {} signed in.", s.bind_dn),
            format!("ok Found lena as uid=lena,{}.", slapd::PEOPLE),
            format!(
                "ok The directory accepted the password of uid=lena,{}.",
                slapd::PEOPLE
            ),
            format!(
                "ok lena is not in the administrators' group {}.",
                s.admin_group
            ),
            format!(
                "ok lena is in the group {}, who may sign in.",
                s.allow_group
            ),
            "ok The entry's employeeType is Adult: the usage statistics count the sessions under it."
                .to_owned(),
        ]
    );
    let sam = test("sam", "sam's passphrase");
    assert_eq!(
        sam.outcome.to_string(),
        "sam may sign in here, as an administrator."
    );
    // Right password, not in the group: the step that keeps him out says so.
    let omar = test("omar", "omar's passphrase");
    assert_eq!(omar.verdict, SourceVerdict::Refused);
    assert_eq!(
        steps(&omar).last().unwrap(),
        &format!(
            "FAIL omar is not in the group {}, who may sign in.",
            s.allow_group
        )
    );
    let wrong = test("lena", "not her passphrase");
    assert_eq!(wrong.verdict, SourceVerdict::Refused);
    assert!(steps(&wrong)
        .last()
        .unwrap()
        .starts_with("FAIL The directory refused the password of uid=lena,"));
    let nobody = test("nobody", "whatever");
    assert_eq!(
        steps(&nobody).last().unwrap(),
        &format!("FAIL No entry under {} matches (uid=nobody).", s.base_dn)
    );
    // Tests count no failure: lena, refused more often than a cool-down needs, signs in.
    for _ in 0..12 {
        test("lena", "not her passphrase");
    }
    t.kiosk
        .set_setting(&Actor::System, "signin_sources", "ldap, local")
        .unwrap();
    assert!(t
        .kiosk
        .authenticate("lena", &pw("lena's passphrase"))
        .is_ok());
    // Audited with the name tested and the verdict, never the password.
    let tested = records(&t.kiosk, "source_tested");
    assert_eq!(tested.len(), 17);
    assert!(
        tested[0].details.contains(r#""verdict":"refused""#),
        "{:?}",
        tested[0]
    );
    assert!(tested[0].details.contains(r#""tested":"lena""#));
    let by = format!(r#""by":"{} (at the terminal)""#, ADMIN.0);
    assert!(tested[0].details.contains(&by), "{:?}", tested[0]);
    for r in &tested {
        assert!(!r.details.contains("passphrase"), "{r:?}");
    }
}

#[test]
fn a_test_of_a_directory_gone_says_why_and_slate_s_own_accounts_need_none() {
    let mut server = Slapd::start_new();
    let t = terminal(&server, "local");
    let admin = admin();
    let test = |name: &str, password: &str| {
        t.kiosk
            .test_source(&admin, Source::Ldap, name, &pw(password))
            .unwrap()
    };
    // The directory gone: unavailable, the last step saying why.
    server.stop();
    let gone = test("lena", "lena's passphrase");
    assert_eq!(gone.verdict, SourceVerdict::Unavailable);
    assert!(steps(&gone)
        .last()
        .unwrap()
        .starts_with("FAIL The directory cannot be used: "));
    // Slate's own accounts need no test; an empty name or password is refused before asking.
    let local = t
        .kiosk
        .test_source(&admin, Source::Local, "ana", &pw("ana's passphrase"))
        .unwrap_err();
    assert_eq!(
        local.to_string(),
        "Slate's own accounts need no test: the Users section lists them."
    );
    assert!(t
        .kiosk
        .test_source(&admin, Source::Ldap, " ", &pw("x"))
        .is_err());
}
