//! The library's time rules at the door, on a fake clock in Paris (summer time included): the
//! opening hours say when the terminal opens again in the words a person reads; the day's time
//! is counted across a person's sessions of the day (a session over the day's turn counts only
//! its part), starts afresh at the turn, and a guest has their own each session. The session
//! manager's part (the deadlines, the warnings, the endings) is tested with it, in
//! `session/tests.rs`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use slate_core::accounts::Source;
use slate_core::api::{EndReason, SessionKind};
use slate_core::audit::Actor;
use slate_core::clock::Clock;
use slate_core::datadir::DataDir;
use slate_core::kiosk::{Admission, Identity, KioskError};
use slate_core::records::ActiveSession;
use slate_core::store::Store;
use slate_core::test_util::{add_admin_and_ana, FakeClock};
use slate_core::wipe::WipeReceipt;
use slate_core::Kiosk;

/// A Paris time, `YYYY-MM-DDTHH:MM`, as UTC.
fn paris(text: &str) -> DateTime<Utc> {
    let dt: jiff::civil::DateTime = text.parse().unwrap();
    let z = dt
        .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap())
        .unwrap();
    slate_core::clock::from_timestamp(z.timestamp())
}

struct Terminal {
    kiosk: Kiosk,
    clock: Arc<FakeClock>,
    _tmp: tempfile::TempDir,
}

fn terminal(settings: &[(&str, &str)]) -> Terminal {
    let tmp = slate_core::test_util::private_tempdir();
    let clock = Arc::new(FakeClock::at(paris("2026-12-07T10:00")));
    clock.set_zone("Europe/Paris");
    let kiosk =
        Kiosk::open_with_clock(DataDir::prepare(Some(tmp.path())).unwrap(), clock.clone()).unwrap();
    add_admin_and_ana(&kiosk, "Boss");
    for (k, v) in settings {
        kiosk.set_setting(&Actor::System, k, v).unwrap();
    }
    Terminal {
        kiosk,
        clock,
        _tmp: tmp,
    }
}

fn ana() -> Identity {
    Identity {
        display_name: "Ana".into(),
        kind: SessionKind::User,
        username: Some("ana".into()),
        source: Some(Source::Local),
        group: None,
        pass: None,
    }
}

fn guest() -> Identity {
    Identity::guest(None)
}

impl Terminal {
    fn at(&self, when: &str) {
        self.clock.set(paris(when));
    }

    fn refused(&self, who: &Identity) -> String {
        match self.kiosk.admit(who) {
            Err(KioskError::NotNow(why)) => why.to_string(),
            other => panic!("not refused: {other:?}"),
        }
    }

    fn admitted(&self, who: &Identity) -> Admission {
        self.kiosk.admit(who).unwrap()
    }

    /// Ana used the terminal from `from` to `to` (Paris times).
    fn used(&self, id: &str, from: &str, to: &str) {
        let store = Store::open(&self.kiosk.data_dir().path().join("slate.db")).unwrap();
        let session = ActiveSession {
            id: id.into(),
            display_name: "Ana".into(),
            kind: SessionKind::User,
            username: Some("ana".into()),
            source: Some(Source::Local),
            group: None,
            started_at: paris(from),
        };
        store
            .record_session_open(&session, chrono::FixedOffset::east_opt(3600).unwrap())
            .unwrap();
        let receipt = WipeReceipt {
            session_id: id.into(),
            surfaces: Vec::new(),
        };
        let ms = (paris(to) - paris(from)).num_milliseconds();
        store
            .record_session_end(id, EndReason::User, paris(to), Some(ms), &receipt)
            .unwrap();
    }
}

/// A Paris wall time as an admission's deadline reads.
fn local(z: Option<&jiff::Zoned>) -> String {
    z.map(|z| z.strftime("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

#[test]
fn closed_hours_say_when_the_terminal_opens_again() {
    let t = terminal(&[
        ("opening_hours", "mon-fri 09:00-18:00, sat 10:00-13:00"),
        (
            "days_of_their_own",
            "2026-12-24 09:00-12:00, 2026-12-25, 2026-12-26",
        ),
    ]);
    // 2026-12-07 is a Monday.
    t.at("2026-12-07T08:00");
    assert_eq!(
        t.refused(&ana()),
        "This terminal is closed; it opens again at 09:00 today."
    );
    t.at("2026-12-07T18:30");
    assert_eq!(
        t.refused(&ana()),
        "This terminal is closed; it opens again tomorrow at 09:00."
    );
    t.at("2026-12-12T14:00");
    assert_eq!(
        t.refused(&guest()),
        "This terminal is closed; it opens again on Monday at 09:00."
    );
    // Open: the session carries the closing time (early closing on Christmas Eve).
    t.at("2026-12-24T10:00");
    assert_eq!(
        local(t.admitted(&ana()).closing.as_ref()),
        "2026-12-24T12:00"
    );
    // Christmas Eve afternoon, then Christmas and the day after closed: the Monday after.
    t.at("2026-12-24T13:00");
    assert_eq!(
        t.refused(&ana()),
        "This terminal is closed; it opens again on Monday at 09:00."
    );
    // Closed for longer than a week: the date itself.
    let winter: Vec<String> = (1..=10).map(|d| format!("2027-01-{d:02}")).collect();
    t.kiosk
        .set_setting(&Actor::System, "days_of_their_own", &winter.join(", "))
        .unwrap();
    t.at("2026-12-31T19:00");
    assert_eq!(
        t.refused(&ana()),
        "This terminal is closed until 2027-01-11T08:00:00Z."
    );
    // Administrators sign in at any hour, with no deadline of the library's.
    let boss = Identity {
        kind: SessionKind::Admin,
        username: Some(slate_core::test_util::ADMIN.0.into()),
        ..ana()
    };
    assert_eq!(t.admitted(&boss), Admission::default());
    // Each refusal is audited, with its reason; nothing counts against the name.
    let records = t
        .kiosk
        .audit_list(&slate_core::audit::AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    let closed = records
        .iter()
        .filter(|r| r.event == "sign_in_failed" && r.details.contains("\"closed\""))
        .count();
    assert_eq!(closed, 5);
}

#[test]
fn the_days_time_counts_every_session_of_the_day_and_starts_again_at_the_turn() {
    let t = terminal(&[("daily_allowance", "1h"), ("guest_daily_allowance", "30m")]);
    // Yesterday evening across midnight: only its 20 minutes after midnight count today.
    t.used("a", "2026-12-06T23:40", "2026-12-07T00:20");
    t.used("b", "2026-12-07T09:00", "2026-12-07T09:25");
    t.at("2026-12-07T10:00");
    assert_eq!(
        local(t.admitted(&ana()).allowance_end.as_ref()),
        "2026-12-07T10:15"
    );
    t.used("c", "2026-12-07T10:00", "2026-12-07T10:15");
    t.at("2026-12-07T10:30");
    assert_eq!(
        t.refused(&ana()),
        "Your time on this terminal for today is used up; you have more from 00:00 tomorrow."
    );
    // A guest has no day to count: each session has its own.
    assert_eq!(
        local(t.admitted(&guest()).allowance_end.as_ref()),
        "2026-12-07T11:00"
    );
    // The day turns: a full hour again.
    t.at("2026-12-08T00:05");
    assert_eq!(
        local(t.admitted(&ana()).allowance_end.as_ref()),
        "2026-12-08T01:05"
    );
    // A session begun before the turn runs on into the new day's time.
    t.at("2026-12-08T23:30");
    assert_eq!(
        local(t.admitted(&ana()).allowance_end.as_ref()),
        "2026-12-09T01:00"
    );
}

#[test]
fn the_day_turns_at_its_own_time_and_says_so() {
    let t = terminal(&[("daily_allowance", "30m"), ("day_turns_at", "04:00")]);
    t.used("a", "2026-12-07T01:00", "2026-12-07T01:40");
    t.at("2026-12-07T02:00");
    assert_eq!(
        t.refused(&ana()),
        "Your time on this terminal for today is used up; you have more from 04:00."
    );
    t.at("2026-12-07T04:00");
    assert!(t.admitted(&ana()).allowance_end.is_some());
    assert_eq!(t.clock.zone().iana_name(), Some("Europe/Paris"));
}

#[test]
fn a_person_may_have_a_daily_time_of_their_own() {
    let t = terminal(&[("daily_allowance", "1h")]);
    let boss = Actor::Admin {
        username: slate_core::test_util::ADMIN.0.into(),
    };
    t.kiosk.set_daily_time(&boss, "ana", "30m").unwrap();
    assert_eq!(
        local(t.admitted(&ana()).allowance_end.as_ref()),
        "2026-12-07T10:30"
    );
    t.kiosk.set_daily_time(&boss, "ana", "off").unwrap();
    assert_eq!(t.admitted(&ana()).allowance_end, None);
    t.kiosk.set_daily_time(&boss, "ANA", "default").unwrap();
    assert_eq!(
        local(t.admitted(&ana()).allowance_end.as_ref()),
        "2026-12-07T11:00"
    );
    // A value that is none of those: one sentence, nothing changed.
    let said = t
        .kiosk
        .set_daily_time(&boss, "ana", "2 weeks")
        .unwrap_err()
        .to_string();
    assert_eq!(
        said,
        "2 weeks is not a daily time: write a duration from 1 minute to 24 hours (90m), off for no daily limit, or default for this terminal's."
    );
    assert!(matches!(
        t.kiosk.set_daily_time(&boss, "nobody", "1h"),
        Err(KioskError::NoSuchUser(_))
    ));
    let changes: Vec<String> = t
        .kiosk
        .audit_list(&slate_core::audit::AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|r| r.event == "daily_time_changed")
        .map(|r| r.details)
        .collect();
    assert_eq!(changes.len(), 3);
    assert!(changes[2].contains(r#""daily":"30m""#), "{changes:?}");
}
