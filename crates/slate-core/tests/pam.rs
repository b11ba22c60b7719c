//! Sign-in with the machine's own accounts through PAM, on real accounts made here with
//! `useradd` and `chpasswd` (as root; skipped otherwise), through the PAM service file the
//! package installs: a member of the allowed group in, a wrong password, someone in no group, an
//! expired account, an administrator, and a system account that is never let in.

use std::sync::Arc;

use slate_core::accounts::Source;
use slate_core::api::SessionKind;
use slate_core::audit::Actor;
use slate_core::auth::Password;
use slate_core::datadir::DataDir;
use slate_core::kiosk::KioskError;
use slate_core::test_util::machine_accounts::{is_root, MachineAccounts};
use slate_core::test_util::{add_admin_and_ana, FakeClock};
use slate_core::Kiosk;

fn pw(s: &str) -> Password {
    Password::from(s.to_owned())
}

#[test]
fn the_machine_s_accounts_sign_in_through_pam_when_their_group_allows() {
    if !is_root() {
        eprintln!("skipped: making accounts with useradd needs root (CI runs as root)");
        return;
    }
    let accounts = MachineAccounts::create("c");
    let tmp = slate_core::test_util::private_tempdir();
    let clock = Arc::new(FakeClock::new());
    let kiosk =
        Kiosk::open_with_clock(DataDir::prepare(Some(tmp.path())).unwrap(), clock.clone()).unwrap();
    add_admin_and_ana(&kiosk, "The Librarian");
    for (key, value) in [
        ("signin_sources", "pam, local"),
        ("pam_service", accounts.service.as_str()),
        ("pam_group", accounts.group.as_str()),
        ("pam_admin_group", accounts.admin_group.as_str()),
    ] {
        kiosk.set_setting(&Actor::System, key, value).unwrap();
    }
    let pia = accounts.name("p");
    let who = kiosk.authenticate(&pia, &pw("pia's passphrase")).unwrap();
    assert_eq!(who.display_name, "Pia Person");
    assert_eq!(who.username.as_deref(), Some(pia.as_str()));
    assert_eq!(who.source, Some(Source::Pam));
    assert_eq!(who.kind, SessionKind::User);
    let refused = |name: &str, password: &str| {
        let answer = kiosk.authenticate(name, &pw(password));
        assert!(
            matches!(answer, Err(KioskError::BadCredentials)),
            "{name}: {answer:?}"
        );
    };
    // Each refusal on a name of its own (the names' waits stay out of the way).
    refused(&accounts.name("s"), "not his passphrase");
    refused(&accounts.name("o"), "otto's passphrase");
    refused(&accounts.name("y"), "sys passphrase");
    refused("no-such-account-here", "whatever it is");
    let err = kiosk
        .authenticate(&accounts.name("e"), &pw("emma's passphrase"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "This account has expired. Please ask staff."
    );
    // The administrators' group: an administrator of Slate (past the second's wait after his
    // name's failure above).
    clock.advance(std::time::Duration::from_secs(2));
    let sol = kiosk
        .authenticate(&accounts.name("s"), &pw("sol's passphrase"))
        .unwrap();
    assert_eq!(sol.kind, SessionKind::Admin);
    assert_eq!(sol.display_name, "Sol Staff");
    // Slate's own accounts still work after PAM in the order.
    assert_eq!(
        kiosk
            .authenticate("ana", &pw("ana's passphrase"))
            .unwrap()
            .source,
        Some(Source::Local)
    );
    // An administrator's test, step by step: PAM's answer, then the groups.
    let admin = Actor::Admin {
        username: "admin".into(),
    };
    let said = |name: &str, password: &str| {
        let test = kiosk
            .test_source(&admin, Source::Pam, name, &pw(password))
            .unwrap();
        let steps: Vec<String> = test
            .steps
            .iter()
            .map(|s| format!("{} {}", if s.ok { "ok" } else { "FAIL" }, s.said))
            .collect();
        (test.verdict, steps)
    };
    let (verdict, steps) = said(&pia, "pia's passphrase");
    assert_eq!(verdict, slate_core::api::SourceVerdict::Accepted);
    assert_eq!(
        steps,
        [
            format!(
                "ok PAM's service {} accepted the password and the account.",
                accounts.service
            ),
            format!("ok {pia} is not in the group {}.", accounts.admin_group),
            format!("ok {pia} is in the group {}.", accounts.group),
        ]
    );
    let otto = accounts.name("o");
    let (verdict, steps) = said(&otto, "otto's passphrase");
    assert_eq!(verdict, slate_core::api::SourceVerdict::Refused);
    assert_eq!(
        steps.last().unwrap(),
        &format!("FAIL {otto} is not in the group {}.", accounts.group)
    );
    let (_, steps) = said(&pia, "not her passphrase");
    assert_eq!(
        steps,
        [format!(
            "FAIL PAM's service {} answered AUTH_ERR (7).",
            accounts.service
        )]
    );
}
