//! The kiosk's unit tests: sign-in, throttling, accounts and session rows on a real database
//! and a fake clock.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::accounts::Role;
use crate::api::{EndReason, Screen, SessionKind};
use crate::audit::Actor;
use crate::auth::{verify_password, Username};
use crate::clock::Clock;
use crate::datadir::DataDir;
use crate::records::ActiveSession;
use crate::test_util::{add_admin_and_ana, pw, FakeClock};

struct Fixture {
    kiosk: Kiosk,
    clock: Arc<FakeClock>,
    _tmp: tempfile::TempDir,
}

fn kiosk() -> Fixture {
    let tmp = crate::test_util::private_tempdir();
    let clock = Arc::new(FakeClock::new());
    let kiosk =
        Kiosk::open_with_clock(DataDir::prepare(Some(tmp.path())).unwrap(), clock.clone()).unwrap();
    Fixture {
        kiosk,
        clock,
        _tmp: tmp,
    }
}

/// The administrator ("admin", "The Librarian") and ana.
fn set_up(k: &Kiosk) {
    add_admin_and_ana(k, "The Librarian");
}

#[test]
fn an_empty_data_folder_opens_on_first_run_then_sign_in() {
    let f = kiosk();
    assert_eq!(f.kiosk.signed_out_screen().unwrap(), Screen::FirstRun);
    set_up(&f.kiosk);
    assert_eq!(
        f.kiosk.signed_out_screen().unwrap(),
        Screen::SignIn {
            guests_allowed: false,
            passes: false
        }
    );
    assert!(matches!(
        f.kiosk
            .create_first_admin(&Actor::System, "mallory", "", &pw("another passphrase")),
        Err(KioskError::AlreadySetUp)
    ));
}

#[test]
fn a_right_password_gives_the_identity() {
    let f = kiosk();
    set_up(&f.kiosk);
    let who = f
        .kiosk
        .authenticate("ANA", &pw("ana's passphrase"))
        .unwrap();
    assert_eq!(
        who,
        Identity {
            display_name: "Ana".into(),
            kind: SessionKind::User,
            username: Some("ana".into()),
            source: Some(crate::accounts::Source::Local),
            group: None,
            pass: None,
        }
    );
    let admin = f
        .kiosk
        .authenticate(" Admin ", &pw("admin passphrase"))
        .unwrap();
    assert_eq!(admin.kind, SessionKind::Admin);
}

#[test]
fn wrong_username_and_wrong_password_are_the_same_error() {
    let f = kiosk();
    set_up(&f.kiosk);
    let unknown = f
        .kiosk
        .authenticate("nobody", &pw("whatever it is"))
        .unwrap_err();
    let wrong = f
        .kiosk
        .authenticate("ana", &pw("not her passphrase"))
        .unwrap_err();
    assert_eq!(unknown.to_string(), "Wrong username or password.");
    assert_eq!(unknown.to_string(), wrong.to_string());
    assert_eq!(unknown.code(), wrong.code());
    let bad_name = f
        .kiosk
        .authenticate("a\0b", &pw("whatever it is"))
        .unwrap_err();
    assert_eq!(bad_name.to_string(), "Wrong username or password.");
}

#[test]
fn failures_back_off_exponentially_for_known_and_unknown_names_alike() {
    let f = kiosk();
    set_up(&f.kiosk);
    for name in ["ana", "nobody"] {
        assert!(matches!(
            f.kiosk.authenticate(name, &pw("wrong guess 1")),
            Err(KioskError::BadCredentials)
        ));
        // Immediately again: throttled for 1 s, and the password is not even checked.
        match f.kiosk.authenticate(name, &pw("ana's passphrase")) {
            Err(KioskError::Throttled(wait)) => assert_eq!(wait, Duration::from_secs(1)),
            other => panic!("{name}: {other:?}"),
        }
        f.clock.advance(Duration::from_secs(1));
        assert!(matches!(
            f.kiosk.authenticate(name, &pw("wrong guess 2")),
            Err(KioskError::BadCredentials)
        ));
        f.clock.advance(Duration::from_millis(500));
        match f.kiosk.authenticate(name, &pw("wrong guess 3")) {
            Err(KioskError::Throttled(wait)) => {
                assert_eq!(wait, Duration::from_millis(1500));
                assert_eq!(
                    KioskError::Throttled(wait).to_string(),
                    "Too many attempts. Try again in 2 seconds."
                );
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // A success resets the count.
    f.clock.advance(Duration::from_secs(2));
    f.kiosk
        .authenticate("ana", &pw("ana's passphrase"))
        .unwrap();
    assert!(matches!(
        f.kiosk.authenticate("ana", &pw("wrong again")),
        Err(KioskError::BadCredentials)
    ));
    match f.kiosk.authenticate("ana", &pw("wrong again")) {
        Err(KioskError::Throttled(wait)) => assert_eq!(wait, Duration::from_secs(1)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_wall_clock_set_back_does_not_shorten_the_wait() {
    let f = kiosk();
    set_up(&f.kiosk);
    let _ = f.kiosk.authenticate("ana", &pw("wrong guess"));
    let now = f.clock.now_utc();
    f.clock.set(now - chrono::Duration::hours(1));
    assert!(matches!(
        f.kiosk.authenticate("ana", &pw("ana's passphrase")),
        Err(KioskError::Throttled(_))
    ));
}

fn records(k: &Kiosk, event: &str) -> Vec<crate::audit::AuditRecord> {
    k.audit_list(&crate::audit::AuditFilter {
        event: Some(event.into()),
        limit: 1000,
        ..Default::default()
    })
    .unwrap()
}

fn throttled(r: Result<Identity, KioskError>) -> Duration {
    match r {
        Err(KioskError::Throttled(wait)) => wait,
        other => panic!("not throttled: {other:?}"),
    }
}

fn user<'a>(
    users: &'a [crate::accounts::AccountSummary],
    name: &str,
) -> &'a crate::accounts::AccountSummary {
    users.iter().find(|u| u.username == name).unwrap()
}

#[test]
fn a_name_cools_down_after_the_limit_and_its_right_password_hears_what_a_wrong_one_does() {
    let f = kiosk();
    set_up(&f.kiosk);
    f.kiosk
        .set_setting(&Actor::System, "signin_lock_after", "3")
        .unwrap();
    let three_failures = |name: &str| {
        for _ in 0..3 {
            assert!(matches!(
                f.kiosk.authenticate(name, &pw("wrong guess")),
                Err(KioskError::BadCredentials)
            ));
            f.clock.advance(Duration::from_secs(4));
        }
    };
    three_failures("ana");
    // ana's last failure was 4 s ago: its cool-down of 15 minutes has 896 s to run. The
    // back-off (4 s) has passed, so the attempt is checked: right or wrong, the same answer.
    let right = throttled(f.kiosk.authenticate("ana", &pw("ana's passphrase")));
    assert_eq!(right, Duration::from_secs(900 - 4));
    f.clock.advance(Duration::from_secs(4));
    let wrong = throttled(f.kiosk.authenticate("ana", &pw("another guess")));
    assert_eq!(
        wrong,
        right.checked_sub(Duration::from_secs(4)).unwrap(),
        "a wrong one does not extend it either"
    );
    // A made-up name cools down just the same (nobody learns which names exist).
    three_failures("nobody");
    let unknown = throttled(f.kiosk.authenticate("nobody", &pw("another guess")));
    assert_eq!(unknown, Duration::from_secs(900 - 4));
    assert_eq!(
        KioskError::Throttled(right).to_string(),
        "Too many attempts. Try again in 15 minutes."
    );

    // Administrators see it, and the audit says it once per name.
    let users = f.kiosk.list_users().unwrap();
    let ana = user(&users, "ana");
    assert_eq!(
        ana.failed_sign_ins, 3,
        "attempts during a cool-down are no more failures"
    );
    let until = ana.paused_until.expect("paused");
    assert_eq!(
        until - f.clock.now_utc(),
        chrono::Duration::seconds(900 - 20),
        "ana's last failure was 20 s ago"
    );
    let cooldowns = records(&f.kiosk, "sign_in_cooldown");
    assert_eq!(cooldowns.len(), 2, "{cooldowns:?}");
    assert_eq!(cooldowns[1].username.as_deref(), Some("ana"));
    assert!(
        cooldowns[1].details.contains(r#""minutes":15"#),
        "{cooldowns:?}"
    );
    assert!(
        cooldowns[0].details.contains(r#""unknown_user":true"#),
        "{cooldowns:?}"
    );
    assert!(
        !cooldowns[0].details.contains("nobody"),
        "never the typed name"
    );
    let checked = records(&f.kiosk, "sign_in_failed")
        .into_iter()
        .filter(|r| r.details.contains("cooling_down"))
        .count();
    assert_eq!(checked, 3);

    // After the cool-down, the right password works: nothing is locked for good.
    f.clock.advance(Duration::from_secs(900));
    f.kiosk
        .authenticate("ana", &pw("ana's passphrase"))
        .unwrap();
    assert_eq!(
        user(&f.kiosk.list_users().unwrap(), "ana").failed_sign_ins,
        0
    );
}

#[test]
fn further_failures_after_a_cool_down_cool_down_longer() {
    let f = kiosk();
    set_up(&f.kiosk);
    f.kiosk
        .set_setting(&Actor::System, "signin_lock_after", "3")
        .unwrap();
    for _ in 0..12 {
        assert!(matches!(
            f.kiosk.authenticate("ana", &pw("wrong guess")),
            Err(KioskError::BadCredentials)
        ));
        // Past every back-off and cool-down (4 hours at most).
        f.clock.advance(Duration::from_secs(4 * 3600));
    }
    let cooldowns: Vec<String> = records(&f.kiosk, "sign_in_cooldown")
        .into_iter()
        .map(|r| r.details)
        .collect();
    assert_eq!(cooldowns.len(), 4, "{cooldowns:?}");
    for (record, minutes) in cooldowns.iter().rev().zip([15, 60, 240, 240]) {
        assert!(
            record.contains(&format!(r#""minutes":{minutes}"#)),
            "{cooldowns:?}"
        );
    }
}

#[test]
fn an_administrator_is_slowed_by_failures_but_never_shut_out() {
    let f = kiosk();
    set_up(&f.kiosk);
    // Someone at the terminal tries thirty wrong passwords for the administrator, each as
    // soon as the back-off allows (the terminal's own limit set out of the way).
    f.kiosk
        .set_setting(&Actor::System, "signin_terminal_limit", "1000")
        .unwrap();
    let mut tried = 0;
    while tried < 30 {
        match f.kiosk.authenticate("admin", &pw("a wrong guess")) {
            Err(KioskError::BadCredentials | KioskError::Throttled(_)) => {}
            other => panic!("{other:?}"),
        }
        tried = user(&f.kiosk.list_users().unwrap(), "admin").failed_sign_ins;
        let wait = user(&f.kiosk.list_users().unwrap(), "admin")
            .paused_until
            .map_or(Duration::ZERO, |t| {
                (t - f.clock.now_utc()).to_std().unwrap()
            });
        f.clock.advance(wait);
    }
    // Thirty failures: a person's name would now cool down for four hours. The
    // administrator's waits only for the back-off, at most signin_backoff_cap (15 min).
    let admin = user(&f.kiosk.list_users().unwrap(), "admin").clone();
    assert!(admin.paused_until.is_none(), "{admin:?}");
    let wait = throttled(f.kiosk.authenticate("admin", &pw("one more wrong guess")));
    assert_eq!(
        wait,
        Duration::from_secs(4 * 3600 - 900),
        "the screen says what anyone's says"
    );
    let backoff = user(&f.kiosk.list_users().unwrap(), "admin")
        .paused_until
        .map(|t| (t - f.clock.now_utc()).to_std().unwrap())
        .unwrap();
    assert_eq!(backoff, Duration::from_secs(15 * 60));
    // The administrator arrives after the back-off, still inside the cool-down: signed in.
    f.clock.advance(backoff);
    let who = f
        .kiosk
        .authenticate("admin", &pw(crate::test_util::ADMIN.1))
        .unwrap();
    assert_eq!(who.kind, SessionKind::Admin);
    assert_eq!(
        user(&f.kiosk.list_users().unwrap(), "admin").failed_sign_ins,
        0
    );
}

#[test]
fn one_password_tried_across_many_names_makes_the_whole_terminal_wait() {
    let f = kiosk();
    set_up(&f.kiosk);
    let mut refused = 0;
    for i in 0..40 {
        match f
            .kiosk
            .authenticate(&format!("reader{i}"), &pw("Summer2026!"))
        {
            Err(KioskError::BadCredentials) => assert!(i < 30, "attempt {i} was checked"),
            Err(KioskError::Throttled(wait)) => {
                assert!(i >= 30);
                assert_eq!(wait, Duration::from_secs(600 - 10));
                refused += 1;
            }
            other => panic!("{other:?}"),
        }
        if i == 0 {
            f.clock.advance(Duration::from_secs(10));
        }
    }
    assert_eq!(refused, 10);
    assert_eq!(records(&f.kiosk, "sign_in_rate_limited").len(), 1);
    // Every name waits, administrators' too (slowed, not shut out: the window is 10 minutes).
    throttled(
        f.kiosk
            .authenticate("admin", &pw(crate::test_util::ADMIN.1)),
    );
    f.clock.advance(Duration::from_secs(600 - 10));
    // The first failure has left the window: one more attempt may be made.
    f.kiosk
        .authenticate("admin", &pw(crate::test_util::ADMIN.1))
        .unwrap();
    assert!(matches!(
        f.kiosk.authenticate("reader41", &pw("Summer2026!")),
        Err(KioskError::BadCredentials)
    ));
    throttled(f.kiosk.authenticate("reader42", &pw("Summer2026!")));
    // After the window, a success did not reset it: only time does.
    f.clock.advance(Duration::from_secs(600));
    assert!(matches!(
        f.kiosk.authenticate("reader42", &pw("Summer2026!")),
        Err(KioskError::BadCredentials)
    ));
}

#[test]
fn a_locked_account_says_so_only_with_the_right_password() {
    let f = kiosk();
    set_up(&f.kiosk);
    // Failures no longer lock; an account locked before (or by hand in the database) still is.
    lock(&f.kiosk.store)
        .set_locked(&Username::parse("ana").unwrap(), true)
        .unwrap();
    assert!(matches!(
        f.kiosk.authenticate("ana", &pw("wrong guess")),
        Err(KioskError::BadCredentials)
    ));
    f.clock.advance(Duration::from_secs(1));
    assert!(matches!(
        f.kiosk.authenticate("ana", &pw("ana's passphrase")),
        Err(KioskError::Locked)
    ));
    f.kiosk.unlock_user(&Actor::System, "ana").unwrap();
    f.kiosk
        .authenticate("ana", &pw("ana's passphrase"))
        .unwrap();
}

#[test]
fn throttling_survives_a_restart() {
    let tmp = crate::test_util::private_tempdir();
    let clock = Arc::new(FakeClock::new());
    let open = || {
        Kiosk::open_with_clock(DataDir::prepare(Some(tmp.path())).unwrap(), clock.clone()).unwrap()
    };
    let k = open();
    set_up(&k);
    k.set_setting(&Actor::System, "signin_lock_after", "3")
        .unwrap();
    for _ in 0..3 {
        let _ = k.authenticate("ana", &pw("wrong guess"));
        clock.advance(Duration::from_secs(4));
    }
    drop(k);
    assert_eq!(
        throttled(open().authenticate("ana", &pw("ana's passphrase"))),
        Duration::from_secs(900 - 4)
    );
    // A reboot of a minute: the boot clock starts again, the wall clock still counts.
    clock.reboot(Duration::from_secs(60));
    assert_eq!(
        throttled(open().authenticate("ana", &pw("ana's passphrase"))),
        Duration::from_secs(900 - 64)
    );
    // Someone sets the system time back an hour: a failure of the boot before can only be
    // measured on the wall clock, which now says it has not happened yet. The wait does not
    // shrink: it counts from now.
    clock.set(clock.now_utc() - chrono::Duration::hours(1));
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        throttled(open().authenticate("ana", &pw("ana's passphrase"))),
        Duration::from_secs(900)
    );
}

#[test]
fn disabled_accounts_say_so_only_with_the_right_password() {
    let f = kiosk();
    set_up(&f.kiosk);
    f.kiosk
        .set_user_enabled(&Actor::System, "ana", false)
        .unwrap();
    assert!(matches!(
        f.kiosk.authenticate("ana", &pw("wrong guess")),
        Err(KioskError::BadCredentials)
    ));
    f.clock.advance(Duration::from_secs(5));
    assert!(matches!(
        f.kiosk.authenticate("ana", &pw("ana's passphrase")),
        Err(KioskError::Disabled)
    ));
}

#[test]
fn a_weaker_stored_hash_is_replaced_at_the_next_sign_in() {
    use argon2::password_hash::PasswordHasher;
    let f = kiosk();
    set_up(&f.kiosk);
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8192, 1, 1, None).unwrap(),
    )
    .hash_password(b"ana's passphrase")
    .unwrap()
    .to_string();
    let ana = Username::parse("ana").unwrap();
    lock(&f.kiosk.store)
        .set_password_hash(&ana, &weak, f.clock.now_utc())
        .unwrap();
    f.kiosk
        .authenticate("ana", &pw("ana's passphrase"))
        .unwrap();
    let stored = lock(&f.kiosk.store).find_account(&ana).unwrap().unwrap();
    assert!(stored
        .password_hash
        .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(verify_password(
        &pw("ana's passphrase"),
        &stored.password_hash
    ));
}

#[test]
fn guests_only_when_allowed() {
    let f = kiosk();
    set_up(&f.kiosk);
    assert!(matches!(f.kiosk.guest(), Err(KioskError::GuestsNotAllowed)));
    f.kiosk
        .set_setting(&Actor::System, "guests_allowed", "true")
        .unwrap();
    assert_eq!(f.kiosk.guest().unwrap().username, None);
}

#[test]
fn sessions_left_open_are_recovered_and_admins_can_ask_to_end_one() {
    let f = kiosk();
    set_up(&f.kiosk);
    let open = |id: &str, user: Option<&str>| ActiveSession {
        id: id.into(),
        display_name: "x".into(),
        kind: SessionKind::User,
        username: user.map(Into::into),
        source: user.map(|_| crate::accounts::Source::Local),
        group: None,
        started_at: f.clock.now_utc(),
    };
    f.kiosk
        .record_session_open(&open("s1", Some("ana")), Opening::default())
        .unwrap();
    f.kiosk
        .record_session_open(&open("s2", None), Opening::default())
        .unwrap();
    assert_eq!(f.kiosk.request_end(&Actor::System, Some("ANA")).unwrap(), 1);
    assert!(f.kiosk.end_requested("s1").unwrap());
    assert!(!f.kiosk.end_requested("s2").unwrap());
    f.clock.advance(Duration::from_secs(90));
    assert_eq!(f.kiosk.recover_open_sessions(&[]).unwrap(), 2);
    let rec = f.kiosk.session_record("s1").unwrap().unwrap();
    assert_eq!(rec.end_reason, Some(EndReason::Recovered));
    assert_eq!(rec.duration_ms, Some(90_000));
    assert!(f.kiosk.open_sessions().unwrap().is_empty());
    assert_eq!(f.kiosk.recover_open_sessions(&[]).unwrap(), 0);
}

#[test]
fn a_password_change_asks_to_end_that_users_session() {
    let f = kiosk();
    set_up(&f.kiosk);
    let s = ActiveSession {
        id: "s1".into(),
        display_name: "Ana".into(),
        kind: SessionKind::User,
        username: Some("ana".into()),
        source: Some(crate::accounts::Source::Local),
        group: None,
        started_at: f.clock.now_utc(),
    };
    f.kiosk.record_session_open(&s, Opening::default()).unwrap();
    f.kiosk
        .set_password(&Actor::System, "ana", &pw("a new passphrase"))
        .unwrap();
    assert!(f.kiosk.end_requested("s1").unwrap());
}

#[test]
fn the_last_administrator_cannot_be_removed_or_disabled() {
    let f = kiosk();
    set_up(&f.kiosk);
    assert!(matches!(
        f.kiosk.remove_user(&Actor::System, "admin"),
        Err(KioskError::LastAdmin(_))
    ));
    assert!(matches!(
        f.kiosk.set_user_enabled(&Actor::System, "admin", false),
        Err(KioskError::LastAdmin(_))
    ));
    f.kiosk
        .add_user(
            &Actor::System,
            "root2",
            "",
            Role::Admin,
            &pw("second admin pass"),
        )
        .unwrap();
    f.kiosk.remove_user(&Actor::System, "admin").unwrap();
    assert!(matches!(
        f.kiosk.remove_user(&Actor::System, "admin"),
        Err(KioskError::NoSuchUser(_))
    ));
}

/// Two administrators taken away at once, from two connections (the kiosk's panel and
/// `slatectl`, or two `slatectl`s): one of them must be refused, every time, or the terminal
/// would be left with nobody who can sign in as an administrator and offer first-run setup.
#[test]
fn two_administrators_taken_away_at_once_never_leave_none() {
    let f = kiosk();
    set_up(&f.kiosk);
    let other = Kiosk::open(f.kiosk.data_dir().clone()).unwrap();
    let name = |n: &str| Username::parse(n).unwrap();
    // Only the racing pair can sign in: the first administrator steps aside (behind the rule's
    // back, as the test's own set-up).
    lock(&f.kiosk.store)
        .set_enabled(&name("admin"), false)
        .unwrap();
    for round in 0..100 {
        let (a, b) = (format!("a{round}"), format!("b{round}"));
        {
            let store = lock(&f.kiosk.store);
            for n in [&a, &b] {
                store
                    .create_account(&name(n), n, Role::Admin, "not a hash", f.clock.now_utc())
                    .unwrap()
                    .unwrap();
            }
            assert_eq!(store.count_enabled_admins().unwrap(), 2);
        }
        let remove = round % 2 == 0;
        let take_away = |k: &Kiosk, n: &str| {
            if remove {
                k.remove_user(&Actor::System, n)
            } else {
                k.set_user_enabled(&Actor::System, n, false)
            }
        };
        let start = std::sync::Barrier::new(2);
        let (first, second) = std::thread::scope(|s| {
            let one = s.spawn(|| {
                start.wait();
                take_away(&f.kiosk, &a)
            });
            let two = s.spawn(|| {
                start.wait();
                take_away(&other, &b)
            });
            (one.join().unwrap(), two.join().unwrap())
        });
        let both = [&first, &second];
        let done = both.iter().filter(|r| r.is_ok()).count();
        let refused = both
            .iter()
            .filter(|r| matches!(r, Err(KioskError::LastAdmin(_))))
            .count();
        assert_eq!(
            (done, refused),
            (1, 1),
            "round {round} (remove: {remove}): {first:?}, {second:?}"
        );
        let store = lock(&f.kiosk.store);
        assert_eq!(store.count_enabled_admins().unwrap(), 1, "round {round}");
        // The survivor steps aside for the next round.
        let survivor = if first.is_ok() { &b } else { &a };
        store.set_enabled(&name(survivor), false).unwrap();
    }
    assert!(f.kiosk.audit_verify(None).is_ok(), "every change audited");
}

#[test]
fn usernames_are_unique_case_insensitively() {
    let f = kiosk();
    set_up(&f.kiosk);
    assert!(matches!(
        f.kiosk.add_user(
            &Actor::System,
            "ANA",
            "",
            Role::User,
            &pw("another passphrase")
        ),
        Err(KioskError::UserExists(_))
    ));
}

#[test]
fn a_broken_policy_holds_its_keys_at_the_strictest_never_at_the_databases_looser_values() {
    use crate::policy::PolicySource;
    use std::os::unix::fs::PermissionsExt;
    let f = kiosk();
    set_up(&f.kiosk);
    let policy = f.kiosk.data_dir().path().join("policy.toml");
    let write = |text: &str, mode: u32| {
        std::fs::write(&policy, text).unwrap();
        std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    // Looser values in the database, as a local administrator (or whoever got at the database)
    // would set them.
    for (key, value) in [
        ("idle_timeout", "1d"),
        ("guests_allowed", "true"),
        ("signin_lock_after", "50"),
        ("audit_retention_days", "1"),
    ] {
        f.kiosk.set_setting(&Actor::System, key, value).unwrap();
    }
    let good = "idle_timeout = \"10m\"\nguests_allowed = false\n";
    write(good, 0o644);
    f.kiosk
        .use_policy(PolicySource {
            path: policy.clone(),
            explicit: true,
        })
        .unwrap();
    let s = f.kiosk.settings().unwrap();
    assert_eq!(s.idle_timeout, Duration::from_secs(600));
    assert!(!s.guests_allowed);
    assert_eq!(s.signin_lock_after, 50, "a key the policy leaves alone");
    // Broken values: held at the strictest, still locked, and said so.
    write(
        "idle_timeout = \"ten minutes\"\nguests_allowed = \"no way\"\n",
        0o644,
    );
    let s = f.kiosk.settings().unwrap();
    assert_eq!(s.idle_timeout, Duration::from_secs(30));
    assert!(!s.guests_allowed);
    assert_eq!(s.signin_lock_after, 50);
    assert!(matches!(
        f.kiosk.set_setting(&Actor::System, "idle_timeout", "5m"),
        Err(KioskError::Setting(
            crate::settings::SettingError::SetByPolicy { .. }
        ))
    ));
    let problems = |f: &Fixture| {
        f.kiosk
            .audit_list(&crate::audit::AuditFilter {
                event: Some("policy_problem".into()),
                limit: 50,
                ..Default::default()
            })
            .unwrap()
    };
    let recorded = problems(&f);
    assert_eq!(recorded.len(), 2, "{recorded:?}");
    assert!(
        recorded.iter().any(|r| r
            .details
            .contains("idle_timeout is held at its strictest, 30s")),
        "{recorded:?}"
    );
    f.kiosk.settings().unwrap();
    assert_eq!(problems(&f).len(), 2, "once per version of the file");
    // Not TOML: every key is held, also those the file did not mean to set.
    write("idle_timeout = \n", 0o644);
    let s = f.kiosk.settings().unwrap();
    assert_eq!(s.idle_timeout, Duration::from_secs(30));
    assert_eq!(s.signin_lock_after, 3);
    assert_eq!(s.audit_retention_days, None, "evidence is kept");
    assert!(!s.guests_allowed);
    // A good file others may write: refused, and every key held.
    write(good, 0o664);
    let s = f.kiosk.settings().unwrap();
    assert_eq!(s.idle_timeout, Duration::from_secs(30));
    assert!(f.kiosk.policy().unwrap().problems[0]
        .to_string()
        .contains("is writable by group"));
    // Fixed: the good values are back, and what the policy leaves alone is the database's again.
    write(good, 0o644);
    let s = f.kiosk.settings().unwrap();
    assert_eq!(s.idle_timeout, Duration::from_secs(600));
    assert!(!s.guests_allowed);
    assert_eq!(s.signin_lock_after, 50);
    assert_eq!(s.audit_retention_days, Some(1));
    let policy_now = f.kiosk.policy().unwrap();
    assert!(policy_now.problems.is_empty());
    assert!(policy_now.layer.held.is_empty());
    f.kiosk.audit_verify(None).unwrap();
}

#[test]
fn a_drop_in_added_or_removed_is_noticed_locks_its_keys_and_is_audited_by_its_name() {
    use crate::policy::PolicySource;
    let f = kiosk();
    set_up(&f.kiosk);
    let dir = f.kiosk.data_dir().path().to_owned();
    std::fs::write(dir.join("policy.toml"), "guests_allowed = true\n").unwrap();
    f.kiosk
        .use_policy(PolicySource {
            path: dir.join("policy.toml"),
            explicit: true,
        })
        .unwrap();
    let before = f.kiosk.change_stamp();
    assert_eq!(
        f.kiosk.settings().unwrap().idle_timeout,
        Duration::from_secs(300)
    );
    std::fs::create_dir(dir.join("policy.d")).unwrap();
    let room = dir.join("policy.d/room.toml");
    std::fs::write(&room, "idle_timeout = \"20m\"\n").unwrap();
    assert_ne!(
        f.kiosk.change_stamp(),
        before,
        "the live session looks again"
    );
    assert_eq!(
        f.kiosk.settings().unwrap().idle_timeout,
        Duration::from_secs(1200)
    );
    let refused = f
        .kiosk
        .set_setting(&Actor::System, "idle_timeout", "5m")
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        format!(
            "idle_timeout is set by the policy file {}; change it there.",
            room.display()
        )
    );
    std::fs::remove_file(&room).unwrap();
    assert_eq!(
        f.kiosk.settings().unwrap().idle_timeout,
        Duration::from_secs(300)
    );
    f.kiosk
        .set_setting(&Actor::System, "idle_timeout", "5m")
        .unwrap();
    let changed = f
        .kiosk
        .audit_list(&crate::audit::AuditFilter {
            event: Some("setting_changed".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    let by_room = format!("policy file {}", room.display());
    assert_eq!(
        changed
            .iter()
            .filter(
                |c| c.details.contains("\"key\":\"idle_timeout\"") && c.details.contains(&by_room)
            )
            .count(),
        2,
        "set by the drop-in, then no longer: {changed:?}"
    );
}

/// The audit key gone while the log has records: the kiosk opens, but needs attention with the
/// reason; nothing that would be audited happens, and no new key is made. The key restored from
/// a backup, all is as before.
#[test]
fn a_lost_audit_key_with_records_needs_attention_and_is_never_made_anew() {
    let f = kiosk();
    set_up(&f.kiosk);
    let dir = f.kiosk.data_dir().clone();
    let key_file = crate::audit::key_path(dir.path());
    let backup = std::fs::read(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();

    let k = Kiosk::open_with_clock(dir.clone(), f.clock.clone()).unwrap();
    let expected = format!(
        "The audit key {} is missing and the audit log has records: restore the key from a \
         backup (Slate makes a new key only for an empty log).",
        key_file.display()
    );
    let why = k.needs_attention().unwrap().expect("needs attention");
    assert_eq!(why.to_string(), expected);
    assert_eq!(
        k.signed_out_screen().unwrap(),
        Screen::needs_attention(why.clone())
    );
    let status = crate::status::Availability::read(&k).unwrap();
    assert_eq!(
        status.state(),
        crate::status::State::NeedsAttention(&why),
        "slatectl status and the panel say it"
    );
    // Verifying says why it cannot, in the same sentence.
    let err = k.audit_verify(None).unwrap_err();
    assert!(
        matches!(err, KioskError::Audit(crate::audit::AuditError::Key(_))),
        "{err}"
    );
    assert_eq!(err.to_string(), expected);
    // Nothing that would be audited is done: not a sign-in failure, not a change.
    assert_eq!(
        k.authenticate("ana", &pw("wrong passphrase"))
            .unwrap_err()
            .to_string(),
        expected
    );
    assert_eq!(
        k.set_user_enabled(&Actor::System, "ana", false)
            .unwrap_err()
            .to_string(),
        expected
    );
    assert!(k.list_users().unwrap()[1].enabled, "ana unchanged");
    assert!(k
        .set_setting(&Actor::System, "guests_allowed", "true")
        .is_err());
    assert!(!k.settings().unwrap().guests_allowed, "setting unchanged");
    assert!(!key_file.exists(), "no new key was made");

    // Restored from the backup: picked up without a restart, and the chain still verifies.
    std::fs::write(&key_file, &backup).unwrap();
    assert_eq!(k.needs_attention().unwrap(), None);
    assert_eq!(k.audit_verify(None).unwrap().records, 2);
    k.set_user_enabled(&Actor::System, "ana", false).unwrap();
    assert_eq!(k.audit_verify(None).unwrap().records, 3);
}

#[test]
fn an_unreadable_audit_key_needs_attention_and_is_left_as_it_is() {
    let f = kiosk();
    set_up(&f.kiosk);
    let dir = f.kiosk.data_dir().clone();
    let key_file = crate::audit::key_path(dir.path());
    std::fs::write(&key_file, b"not a key").unwrap();
    let k = Kiosk::open(dir).unwrap();
    let why = k.needs_attention().unwrap().expect("needs attention");
    assert!(
        why.to_string()
            .contains("cannot be used (it holds 9 bytes, not 32): restore it from a backup"),
        "{why}"
    );
    assert!(k.audit_verify(None).is_err());
    assert_eq!(std::fs::read(&key_file).unwrap(), b"not a key");
}

#[test]
fn an_empty_audit_log_gets_a_new_key() {
    let tmp = crate::test_util::private_tempdir();
    let dir = DataDir::prepare(Some(tmp.path())).unwrap();
    let key_file = crate::audit::key_path(dir.path());
    drop(Kiosk::open(dir.clone()).unwrap());
    std::fs::remove_file(&key_file).unwrap();
    // Nothing was ever recorded, so nothing can be hidden by a new key.
    let k = Kiosk::open(dir).unwrap();
    assert!(key_file.exists());
    assert_eq!(k.needs_attention().unwrap(), None);
    assert_eq!(k.signed_out_screen().unwrap(), Screen::FirstRun);
}

#[test]
fn the_settings_kept_between_reads_follow_every_change() {
    let f = kiosk();
    assert_eq!(
        f.kiosk.settings().unwrap().idle_timeout,
        Duration::from_secs(300)
    );
    // Through this instance.
    f.kiosk
        .set_setting(&Actor::System, "idle_timeout", "7m")
        .unwrap();
    assert_eq!(
        f.kiosk.settings().unwrap().idle_timeout,
        Duration::from_secs(420)
    );
    // By another process (slatectl on the same file): its commit moves `data_version`.
    let other = crate::store::Store::open(&f.kiosk.data_dir().database()).unwrap();
    other
        .set_setting(
            "idle_timeout",
            Some("9m"),
            chrono::Utc::now(),
            &crate::settings::PolicyLayer::default(),
        )
        .unwrap();
    assert_eq!(
        f.kiosk.settings().unwrap().idle_timeout,
        Duration::from_secs(540)
    );
    // And read again only then: unchanged, the same value.
    assert_eq!(
        f.kiosk.settings().unwrap().idle_timeout,
        Duration::from_secs(540)
    );
}

#[test]
fn a_prune_of_every_record_keeps_the_numbers_and_the_chain_going() {
    let f = kiosk();
    set_up(&f.kiosk);
    f.kiosk
        .set_setting(&Actor::System, "audit_retention_days", "1")
        .unwrap();
    let head = |k: &Kiosk| {
        k.audit_list(&crate::audit::AuditFilter {
            limit: 1,
            ..Default::default()
        })
        .unwrap()[0]
            .clone()
    };
    let last = head(&f.kiosk).seq;
    // Idle for longer than its retention (a library closed for the summer): every record goes.
    f.clock.advance(Duration::from_secs(3 * 86_400));
    let (removed, _) = f.kiosk.prune_audit().unwrap();
    assert_eq!(removed, u64::try_from(last).unwrap());
    let pruned = head(&f.kiosk);
    assert_eq!(pruned.event, "audit_pruned");
    assert_eq!(pruned.seq, last + 1, "the numbers go on, never back to 1");
    // The next record follows it, and the log verifies from the prune on.
    f.kiosk
        .set_setting(&Actor::System, "idle_timeout", "6m")
        .unwrap();
    assert_eq!(head(&f.kiosk).seq, last + 2);
    let report = f.kiosk.audit_verify(None).unwrap();
    assert_eq!(report.records, 2);
}
