//! The session manager on a real database, a fake clock and tokio's paused time.
#![allow(clippy::unchecked_time_subtraction)]

use std::sync::Arc;
use std::time::Duration;

use super::farewell::why;
use super::*;
use crate::api::{BrowserPlan, EndReason, Screen, SessionKind, TimeLeft};
use crate::audit::Actor;
use crate::clock::Clock;
use crate::datadir::DataDir;
use crate::kiosk::{Kiosk, KioskError};
use crate::phrase::{Arg, Phrase};
use crate::settings::Settings;
use crate::test_util::{add_admin_and_ana, pw, FakeClock};
use manager::RETRY_WIPE;

struct Rig {
    handle: SessionHandle,
    clock: Arc<FakeClock>,
    kiosk: Arc<Kiosk>,
    _tmp: tempfile::TempDir,
}

/// A kiosk with an administrator and "ana", idle 300 s / warning 60 s, 5 s signed-out screen.
fn rig(settings: &[(&str, &str)]) -> Rig {
    let tmp = crate::test_util::private_tempdir();
    let clock = Arc::new(FakeClock::following_tokio());
    let kiosk = Arc::new(
        Kiosk::open_with_clock(DataDir::prepare(Some(tmp.path())).unwrap(), clock.clone()).unwrap(),
    );
    add_admin_and_ana(&kiosk, "");
    kiosk
        .set_setting(&Actor::System, "signed_out_screen", "5")
        .unwrap();
    for (k, v) in settings {
        kiosk.set_setting(&Actor::System, k, v).unwrap();
    }
    let wipers = crate::kiosk::wipers::core_wipers(&kiosk);
    let (manager, handle) = SessionManager::new(kiosk.clone(), wipers).unwrap();
    tokio::spawn(manager.run());
    Rig {
        handle,
        clock,
        kiosk,
        _tmp: tmp,
    }
}

impl Rig {
    async fn sign_in(&self) -> ActiveSession {
        self.handle
            .sign_in("ana".into(), pw("ana's passphrase"))
            .await
            .unwrap();
        self.kiosk.open_sessions().unwrap().pop().map_or_else(
            || panic!("no open session recorded"),
            |r| ActiveSession {
                id: r.id,
                display_name: r.display_name,
                kind: r.kind,
                username: r.username,
                source: r.source,
                group: None,
                started_at: chrono::Utc::now(),
            },
        )
    }

    /// Lets the manager run until tokio's (paused) time reaches `by` from now.
    async fn pass(&self, by: Duration) {
        tokio::time::sleep(by).await;
        // Let the manager handle whatever became due at this instant.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        self.handle.settled().await;
    }

    fn screen(&self) -> Screen {
        self.handle.status().screen
    }

    fn warning(&self) -> Option<u32> {
        match self.screen() {
            Screen::Session { idle_warning, .. } => idle_warning.map(|w| w.seconds_left),
            other => panic!("not in a session: {other:?}"),
        }
    }

    fn ended(&self, id: &str) -> Option<EndReason> {
        self.kiosk.session_record(id).unwrap().unwrap().end_reason
    }
}

/// Gives the kernel's report of a file just written (read by a real thread, in real time) the
/// moment it takes to reach the manager's queue, while tokio's paused time stands still.
fn kernel_reports() {
    std::thread::sleep(Duration::from_millis(300));
}

const MS: Duration = Duration::from_millis(1);

#[tokio::test(start_paused = true)]
async fn idle_warning_then_ending_at_the_exact_deadline() {
    let r = rig(&[]);
    let s = r.sign_in().await;
    assert!(
        r.kiosk
            .session_record(&s.id)
            .unwrap()
            .unwrap()
            .ended_at
            .is_none(),
        "open"
    );
    r.pass(Duration::from_secs(240) - MS).await;
    assert_eq!(r.warning(), None);
    r.pass(2 * MS).await;
    assert_eq!(r.warning(), Some(60));
    r.pass(Duration::from_secs(30)).await;
    assert_eq!(r.warning(), Some(30), "the countdown moves");
    r.pass(Duration::from_secs(30) - 2 * MS).await;
    assert_eq!(r.warning(), Some(1));
    assert_eq!(r.ended(&s.id), None, "never early");
    r.pass(2 * MS).await;
    assert_eq!(r.ended(&s.id), Some(EndReason::Idle));
    let rec = r.kiosk.session_record(&s.id).unwrap().unwrap();
    assert_eq!(
        rec.duration_ms,
        Some(300_000),
        "ended exactly at the deadline"
    );
    match r.screen() {
        Screen::SignedOut {
            reason,
            why,
            erased,
            message,
            ..
        } => {
            assert!(erased, "the wipe receipt is complete");
            assert_eq!(reason, EndReason::Idle);
            assert_eq!(
                why,
                Phrase::new("You were signed out after {duration} without activity.")
                    .seconds("duration", 300)
            );
            assert_eq!(message, "Thank you for using this terminal.");
        }
        other => panic!("{other:?}"),
    }
    r.pass(Duration::from_secs(5)).await;
    assert!(matches!(r.screen(), Screen::SignIn { .. }));
}

#[tokio::test(start_paused = true)]
async fn playing_media_holds_the_idle_ending_while_it_plays_and_never_the_time_limit() {
    let r = rig(&[("time_limit", "20m")]);
    let s = r.sign_in().await;
    // Ten minutes of a lecture, twice the idle timeout: reported every second, no warning.
    for _ in 0..600 {
        r.handle.media_playing();
        r.pass(Duration::from_secs(1)).await;
        assert_eq!(r.warning(), None);
    }
    assert_eq!(r.ended(&s.id), None, "still signed in after ten minutes");
    // Paused: the idle timeout counts from the end of the hold (3 s after the last report).
    r.pass(Duration::from_secs(240 + 2) - MS).await;
    assert_eq!(r.warning(), None);
    r.pass(2 * MS).await;
    assert_eq!(r.warning(), Some(60));
    // It plays again during the warning: the warning goes.
    r.handle.media_playing();
    r.pass(MS).await;
    assert_eq!(r.warning(), None);
    // The time limit is not moved by it.
    for _ in 0..600 {
        r.handle.media_playing();
        r.pass(Duration::from_secs(1)).await;
        if r.ended(&s.id).is_some() {
            break;
        }
    }
    assert_eq!(r.ended(&s.id), Some(EndReason::TimeLimit));
    let rec = r.kiosk.session_record(&s.id).unwrap().unwrap();
    assert_eq!(
        rec.duration_ms,
        Some(1_200_000),
        "ended at the limit, not later"
    );
}

#[tokio::test(start_paused = true)]
async fn playing_media_is_not_use_when_the_setting_says_so() {
    let r = rig(&[("media_counts_as_use", "false")]);
    let s = r.sign_in().await;
    for _ in 0..300 {
        r.handle.media_playing();
        r.pass(Duration::from_secs(1)).await;
    }
    assert_eq!(r.ended(&s.id), Some(EndReason::Idle));
}

#[tokio::test(start_paused = true)]
async fn activity_and_stay_push_the_deadline_and_the_warning_comes_again() {
    let r = rig(&[]);
    let s = r.sign_in().await;
    r.pass(Duration::from_secs(100)).await;
    r.handle.activity();
    r.pass(Duration::from_secs(239)).await;
    assert_eq!(r.warning(), None, "activity moved the warning");
    r.pass(Duration::from_secs(2)).await;
    assert!(r.warning().is_some());
    let status = r.handle.stay().await.unwrap();
    assert!(matches!(
        status.screen,
        Screen::Session {
            idle_warning: None,
            ..
        }
    ));
    r.pass(Duration::from_secs(241)).await;
    assert!(
        r.warning().is_some(),
        "warning again after another quiet spell"
    );
    r.handle.activity();
    r.pass(MS).await;
    assert_eq!(r.warning(), None, "any activity counts as staying");
    assert_eq!(r.ended(&s.id), None);
}

#[tokio::test(start_paused = true)]
async fn a_suspend_past_the_deadline_ends_the_session_within_a_second() {
    let r = rig(&[]);
    let s = r.sign_in().await;
    r.pass(Duration::from_secs(10)).await;
    r.clock.suspend(Duration::from_secs(3600));
    r.pass(Duration::from_secs(1)).await;
    assert_eq!(r.ended(&s.id), Some(EndReason::Idle));
}

#[tokio::test(start_paused = true)]
async fn wall_clock_jumps_neither_extend_nor_shorten_a_session() {
    let r = rig(&[]);
    let s = r.sign_in().await;
    let now = r.clock.now_utc();
    r.clock.set(now + chrono::Duration::days(2));
    r.pass(Duration::from_secs(2)).await;
    assert_eq!(r.ended(&s.id), None, "jump forward: not shortened");
    r.clock.set(now - chrono::Duration::days(2));
    r.pass(Duration::from_secs(298) - MS).await;
    assert_eq!(r.ended(&s.id), None);
    r.pass(2 * MS).await;
    assert_eq!(
        r.ended(&s.id),
        Some(EndReason::Idle),
        "jump back: not extended"
    );
}

/// The session bar's line, the rule the countdown is for, and the warning passed.
fn bar(r: &Rig) -> (Option<String>, Option<EndReason>, Option<u32>) {
    match r.screen() {
        Screen::Session {
            signs_out,
            ends_for,
            time_warning_secs,
            ..
        } => (
            signs_out.map(|p| p.to_string()),
            ends_for,
            time_warning_secs,
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn closing_time_ends_the_session_with_its_own_warnings_and_says_so_from_the_start() {
    // The fake clock starts on a Monday at 15:13:20 (UTC+1): closing at 15:30, in 1000 s.
    let r = rig(&[
        ("opening_hours", "mon-sun 08:00-15:30"),
        ("time_limit", "2h"),
    ]);
    let s = r.sign_in().await;
    assert_eq!(
        bar(&r),
        (
            Some("You will be signed out at 15:30: the library closes.".into()),
            Some(EndReason::ClosingTime),
            None
        )
    );
    for _ in 0..10 {
        r.pass(Duration::from_secs(100)).await;
        r.handle.activity();
    }
    r.pass(MS).await;
    assert_eq!(r.ended(&s.id), Some(EndReason::ClosingTime));
    assert_eq!(
        r.kiosk.session_record(&s.id).unwrap().unwrap().duration_ms,
        Some(1_000_000)
    );
    // Closed now: ana is told when it opens again; an administrator may still sign in.
    r.pass(Duration::from_secs(5)).await;
    let refused = r
        .handle
        .sign_in("ana".into(), pw("ana's passphrase"))
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "This terminal is closed; it opens again tomorrow at 08:00."
    );
    r.handle
        .sign_in(
            crate::test_util::ADMIN.0.into(),
            pw(crate::test_util::ADMIN.1),
        )
        .await
        .unwrap();
    assert_eq!(bar(&r), (None, None, None), "no cutoff for staff");
}

#[tokio::test(start_paused = true)]
async fn one_extension_from_the_warning_lengthens_the_session_up_to_closing() {
    // Signed in at 15:13:20: a 10 min limit (15:23:20), closing at 15:25, 5 min to add.
    let r = rig(&[
        ("time_limit", "10m"),
        ("time_limit_warnings", "2m"),
        ("opening_hours", "mon-sun 08:00-15:25"),
        ("extension", "5m"),
    ]);
    let s = r.sign_in().await;
    let offered = || match r.screen() {
        Screen::Session { can_extend, .. } => can_extend,
        other => panic!("{other:?}"),
    };
    assert_eq!(offered(), None, "only with the warning");
    assert!(matches!(
        r.handle.extend().await,
        Err(KioskError::InvalidRequest(_))
    ));
    for _ in 0..8 {
        r.pass(Duration::from_secs(60)).await;
        r.handle.activity();
    }
    r.pass(MS).await;
    // The warning shows: up to closing, 100 s can be added (not the whole 5 minutes).
    assert_eq!(offered(), Some(100));
    r.handle.extend().await.unwrap();
    assert_eq!(
        bar(&r),
        (
            Some("You will be signed out at 15:25: the library closes.".into()),
            Some(EndReason::ClosingTime),
            // Closing's own warnings now: 220 s left, within its 5 minutes.
            Some(300)
        )
    );
    assert_eq!(offered(), None, "once a session");
    let audit = r
        .kiosk
        .audit_list(&crate::audit::AuditFilter {
            limit: 1,
            ..crate::audit::AuditFilter::default()
        })
        .unwrap();
    assert_eq!(audit[0].event, "session_extended");
    assert_eq!(audit[0].details, r#"{"minutes":2}"#);
    r.pass(Duration::from_secs(221)).await;
    assert_eq!(r.ended(&s.id), Some(EndReason::ClosingTime));
}

#[tokio::test(start_paused = true)]
async fn the_days_time_runs_across_sessions_and_then_says_when_it_returns() {
    let r = rig(&[("daily_allowance", "10m"), ("time_limit_warnings", "60")]);
    let first = r.sign_in().await;
    assert_eq!(
        bar(&r).0.as_deref(),
        Some("You will be signed out at 15:23: your time for today ends.")
    );
    r.pass(Duration::from_secs(240)).await;
    r.handle.sign_out().await.unwrap();
    r.pass(Duration::from_secs(10)).await;
    // Six minutes left of the day's ten, and the warning before the end is the time limit's.
    let second = r.sign_in().await;
    assert_eq!(
        bar(&r).0.as_deref(),
        Some("You will be signed out at 15:23: your time for today ends.")
    );
    for _ in 0..6 {
        r.pass(Duration::from_secs(60) - MS).await;
        r.handle.activity();
    }
    assert_eq!(bar(&r).2, Some(60));
    r.pass(Duration::from_secs(1)).await;
    assert_eq!(r.ended(&first.id), Some(EndReason::User));
    assert_eq!(r.ended(&second.id), Some(EndReason::DailyAllowance));
    r.pass(Duration::from_secs(5)).await;
    let refused = r
        .handle
        .sign_in("ana".into(), pw("ana's passphrase"))
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "Your time on this terminal for today is used up; you have more from 00:00 tomorrow."
    );
    let audit = r
        .kiosk
        .audit_list(&crate::audit::AuditFilter {
            limit: 1,
            ..crate::audit::AuditFilter::default()
        })
        .unwrap();
    assert_eq!(audit[0].event, "sign_in_failed");
    assert!(
        audit[0].details.contains("allowance_spent"),
        "{}",
        audit[0].details
    );
}

#[tokio::test(start_paused = true)]
async fn the_time_limit_is_not_extended_by_activity_and_warns_first() {
    let r = rig(&[("time_limit", "600"), ("time_limit_warnings", "300,60")]);
    let s = r.sign_in().await;
    let left = || match r.screen() {
        Screen::Session {
            time_left,
            time_warning_secs,
            ..
        } => (time_left, time_warning_secs),
        other => panic!("{other:?}"),
    };
    assert_eq!(left(), (Some(TimeLeft::Minutes(10)), None));
    for _ in 0..5 {
        r.pass(Duration::from_secs(60)).await;
        r.handle.activity();
    }
    r.pass(MS).await;
    assert_eq!(left(), (Some(TimeLeft::Minutes(5)), Some(300)));
    for _ in 0..4 {
        r.pass(Duration::from_secs(60)).await;
        r.handle.activity();
    }
    r.pass(MS).await;
    assert_eq!(left(), (Some(TimeLeft::Seconds(60)), Some(60)));
    r.handle.activity();
    r.pass(Duration::from_secs(60) - 4 * MS).await;
    assert_eq!(r.ended(&s.id), None);
    r.pass(2 * MS).await;
    assert_eq!(r.ended(&s.id), Some(EndReason::TimeLimit));
    assert_eq!(
        r.kiosk.session_record(&s.id).unwrap().unwrap().duration_ms,
        Some(600_000)
    );
}

#[tokio::test(start_paused = true)]
async fn an_administrator_can_end_a_session_during_its_warning() {
    let r = rig(&[]);
    let s = r.sign_in().await;
    r.pass(Duration::from_secs(250)).await;
    assert!(r.warning().is_some());
    assert_eq!(r.kiosk.request_end(&Actor::System, None).unwrap(), 1);
    // As the service does after every administrator's request.
    r.handle.refresh();
    r.pass(Duration::from_secs(2)).await;
    assert_eq!(r.ended(&s.id), Some(EndReason::Admin));
    assert!(matches!(
        r.screen(),
        Screen::SignedOut {
            reason: EndReason::Admin,
            ..
        }
    ));
}

#[tokio::test(start_paused = true)]
async fn sign_out_dismiss_and_the_rules_of_one_session() {
    let r = rig(&[]);
    assert!(matches!(
        r.handle.sign_out().await,
        Err(KioskError::NoSession)
    ));
    let s = r.sign_in().await;
    assert!(matches!(
        r.handle
            .sign_in("admin".into(), pw("admin passphrase"))
            .await,
        Err(KioskError::SessionActive)
    ));
    let status = r.handle.sign_out().await.unwrap();
    assert!(matches!(
        status.screen,
        Screen::SignedOut {
            reason: EndReason::User,
            ..
        }
    ));
    assert_eq!(r.ended(&s.id), Some(EndReason::User));
    let status = r.handle.dismiss().await.unwrap();
    assert!(matches!(status.screen, Screen::SignIn { .. }));
    assert!(matches!(r.handle.stay().await, Err(KioskError::NoSession)));
}

#[tokio::test(start_paused = true)]
async fn a_session_speaks_the_language_it_chose_and_the_next_starts_in_the_terminals() {
    let r = rig(&[("language", "es")]);
    assert_eq!(r.handle.status().language, "es");
    r.sign_in().await;
    assert_eq!(
        r.handle.status().language,
        "es",
        "no choice made: the setting"
    );
    let status = r
        .handle
        .set_preference("language".into(), "fr".into())
        .await
        .unwrap();
    assert_eq!(status.language, "fr");
    assert!(r
        .handle
        .set_preference("language".into(), "de".into())
        .await
        .is_err());
    assert_eq!(
        r.handle.status().language,
        "fr",
        "a refused choice changes nothing"
    );
    let status = r.handle.sign_out().await.unwrap();
    assert_eq!(status.language, "es", "the choice goes with the session");
}

#[tokio::test(start_paused = true)]
async fn shutdown_ends_the_live_session() {
    let r = rig(&[]);
    let s = r.sign_in().await;
    r.handle.shutdown().await;
    assert_eq!(r.ended(&s.id), Some(EndReason::Shutdown));
    assert!(matches!(
        r.handle.sign_out().await,
        Err(KioskError::Stopped)
    ));
}

#[tokio::test(start_paused = true)]
async fn guests_follow_the_setting() {
    let r = rig(&[]);
    assert!(matches!(
        r.handle.sign_in_guest().await,
        Err(KioskError::GuestsNotAllowed)
    ));
    r.kiosk
        .set_setting(&Actor::System, "guests_allowed", "true")
        .unwrap();
    let status = r.handle.sign_in_guest().await.unwrap();
    assert!(matches!(
        status.screen,
        Screen::Session {
            account: SessionKind::Guest,
            ..
        }
    ));
    let open = r.kiosk.open_sessions().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].username, None);
}

#[tokio::test(start_paused = true)]
async fn a_session_gets_a_browser_when_sites_are_allowed_and_an_administrator_never() {
    let r = rig(&[]);
    let s = r.sign_in().await;
    assert!(matches!(r.screen(), Screen::Session { browser: None, .. }));
    assert_eq!(r.handle.browsing().await.unwrap(), None);
    r.handle.sign_out().await.unwrap();
    r.handle.dismiss().await.unwrap();
    assert_eq!(r.ended(&s.id), Some(EndReason::User));

    r.kiosk
        .set_setting(
            &Actor::System,
            "allowed_sites",
            "https://catalogue.example.org, *.gov.example",
        )
        .unwrap();
    let s = r.sign_in().await;
    let plan = BrowserPlan {
        home: "https://catalogue.example.org/".into(),
        sites: vec![
            "https://catalogue.example.org".into(),
            "*.gov.example".into(),
        ],
    };
    assert!(matches!(r.screen(), Screen::Session { browser: Some(p), .. } if p == plan));
    let browsing = r.handle.browsing().await.unwrap().expect("a browser");
    assert_eq!(browsing.session_id, s.id);
    assert_eq!(browsing.plan, plan);
    assert_eq!(browsing.folder, r.kiosk.session_folder(&s.id));
    r.handle.sign_out().await.unwrap();
    assert_eq!(r.handle.browsing().await.unwrap(), None);
    r.handle.dismiss().await.unwrap();

    // The administrator's session is the panel, with no browser.
    r.handle
        .sign_in("admin".into(), pw("admin passphrase"))
        .await
        .unwrap();
    assert!(matches!(r.screen(), Screen::Session { browser: None, .. }));
    assert_eq!(r.handle.browsing().await.unwrap(), None);
}

#[tokio::test(start_paused = true)]
async fn a_settings_change_applies_to_the_live_session_at_once() {
    let r = rig(&[]);
    let s = r.sign_in().await;
    r.pass(Duration::from_secs(40)).await;
    r.kiosk
        .set_setting(&Actor::System, "idle_warning", "20")
        .unwrap();
    r.kiosk
        .set_setting(&Actor::System, "idle_timeout", "30")
        .unwrap();
    r.handle.refresh();
    r.pass(Duration::from_secs(2)).await;
    assert_eq!(
        r.ended(&s.id),
        Some(EndReason::Idle),
        "already overdue under the new timeout"
    );
}

/// Changes made by another process (here another connection to the database: `slatectl` on the
/// data folder, a second program) reach the live session through the kernel's report of the
/// database's write, with nothing polled. Real time: the watch is a real inotify watch.
#[tokio::test]
async fn another_process_s_changes_reach_the_live_session_without_polling() {
    let r = rig(&[]);
    let s = r.sign_in().await;
    let other = Kiosk::open(DataDir::prepare(Some(r.kiosk.data_dir().path())).unwrap()).unwrap();
    other
        .set_setting(&Actor::System, "signed_out_screen", "7")
        .unwrap();
    assert_eq!(other.request_end(&Actor::System, None).unwrap(), 1);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while r.ended(&s.id).is_none() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(r.ended(&s.id), Some(EndReason::Admin));
}

/// At rest, a live session wakes the manager only for a real step: with the idle warning four
/// minutes away and no time limit, four minutes pass with at most a wake or two (before the
/// change, one a second: 240).
#[tokio::test(start_paused = true)]
async fn a_session_at_rest_wakes_nobody_until_its_next_deadline() {
    let r = rig(&[]);
    let _s = r.sign_in().await;
    r.pass(MS).await;
    let before = r.clock.sleeps();
    r.pass(Duration::from_secs(239)).await;
    assert!(r.warning().is_none());
    let wakes = r.clock.sleeps() - before;
    assert!(wakes <= 2, "{wakes} wakes in 239 s at rest");
    // The warning still comes on time, and its countdown steps each second.
    r.pass(Duration::from_secs(1)).await;
    assert!(r.warning().is_some());
    let before = r.clock.sleeps();
    r.pass(Duration::from_secs(10)).await;
    assert!(r.clock.sleeps() - before >= 10);
}

/// With a time limit the bar's figure changes once a minute, and so does the manager's wake,
/// until the last two minutes.
#[tokio::test(start_paused = true)]
async fn a_time_limit_wakes_the_manager_once_a_minute_until_its_last_minutes() {
    let r = rig(&[("time_limit", "3600"), ("idle_timeout", "7200")]);
    let _s = r.sign_in().await;
    r.pass(MS).await;
    let before = r.clock.sleeps();
    r.pass(Duration::from_secs(600)).await;
    let wakes = r.clock.sleeps() - before;
    assert!((10..=12).contains(&wakes), "{wakes} wakes in 10 minutes");
}

#[tokio::test(start_paused = true)]
async fn an_administrator_session_times_out_after_its_own_shorter_timeout() {
    let r = rig(&[("time_limit", "120")]);
    r.handle
        .sign_in("admin".into(), pw("admin passphrase"))
        .await
        .unwrap();
    let id = r.kiosk.open_sessions().unwrap().pop().unwrap().id;
    r.pass(Duration::from_secs(59)).await;
    assert_eq!(r.warning(), None);
    r.pass(Duration::from_secs(1)).await;
    assert_eq!(r.warning(), Some(60), "warned half-way through 2 min");
    r.pass(Duration::from_secs(59)).await;
    assert_eq!(
        r.ended(&id),
        None,
        "the users' time limit (2 min) does not apply"
    );
    r.pass(Duration::from_secs(1)).await;
    assert_eq!(r.ended(&id), Some(EndReason::Idle), "ended at 120 s");
    match r.screen() {
        Screen::SignedOut { why, .. } => {
            assert_eq!(
                why.args.get("duration"),
                Some(&Arg::Seconds(120)),
                "{why:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_policy_file_change_applies_to_the_live_session_at_once() {
    let r = rig(&[]);
    let policy = r.kiosk.data_dir().path().join("policy.toml");
    std::fs::write(&policy, "# nothing yet\n").unwrap();
    r.kiosk
        .use_policy(crate::policy::PolicySource {
            path: policy.clone(),
            explicit: true,
        })
        .unwrap();
    let s = r.sign_in().await;
    r.pass(Duration::from_secs(40)).await;
    std::fs::write(&policy, "idle_timeout = \"30s\"\nidle_warning = \"10s\"\n").unwrap();
    kernel_reports();
    r.pass(Duration::from_secs(2)).await;
    assert_eq!(
        r.ended(&s.id),
        Some(EndReason::Idle),
        "already overdue under the policy's timeout"
    );
    let changed = r
        .kiosk
        .audit_list(&crate::audit::AuditFilter {
            event: Some("setting_changed".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert!(
        changed
            .iter()
            .any(|c| c.details.contains("\"key\":\"idle_timeout\"")
                && c.details.contains("policy file")),
        "{changed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_wipe_closes_the_terminal_until_a_retry_succeeds() {
    use crate::wipe::{Removed, WipeTarget, Wiper};
    use std::sync::atomic::{AtomicBool, Ordering};
    struct Flaky(Arc<AtomicBool>);
    impl Wiper for Flaky {
        fn name(&self) -> &'static str {
            "flaky"
        }
        fn wipe(&self, _: &WipeTarget) -> Result<Removed, String> {
            if self.0.load(Ordering::SeqCst) {
                Ok(Removed::default())
            } else {
                Err("disk full".into())
            }
        }
        fn check(&self, _: &WipeTarget) -> Result<(), String> {
            Ok(())
        }
    }
    let tmp = crate::test_util::private_tempdir();
    let clock = Arc::new(FakeClock::following_tokio());
    let kiosk = Arc::new(
        Kiosk::open_with_clock(DataDir::prepare(Some(tmp.path())).unwrap(), clock).unwrap(),
    );
    kiosk
        .create_first_admin(&Actor::System, "admin", "", &pw("admin passphrase"))
        .unwrap();
    kiosk
        .set_setting(&Actor::System, "signed_out_screen", "0")
        .unwrap();
    let healthy = Arc::new(AtomicBool::new(false));
    let mut wipers = crate::kiosk::wipers::core_wipers(&kiosk);
    wipers.push(Arc::new(Flaky(Arc::clone(&healthy))));
    let (manager, handle) = SessionManager::new(kiosk.clone(), wipers).unwrap();
    tokio::spawn(manager.run());
    handle
        .sign_in("admin".into(), pw("admin passphrase"))
        .await
        .unwrap();
    let status = handle.sign_out().await.unwrap();
    match status.screen {
        Screen::NeedsAttention { message, .. } => assert_eq!(
            message,
            "The last session could not be fully erased: flaky (disk full)."
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        handle.sign_in("admin".into(), pw("admin passphrase")).await,
        Err(KioskError::NeedsAttention(_))
    ));
    healthy.store(true, Ordering::SeqCst);
    tokio::time::sleep(RETRY_WIPE + Duration::from_secs(1)).await;
    handle.settled().await;
    handle.settled().await;
    assert!(matches!(handle.status().screen, Screen::SignIn { .. }));
}

#[tokio::test(start_paused = true)]
async fn a_lost_audit_key_closes_the_terminal_until_it_is_restored() {
    let tmp = crate::test_util::private_tempdir();
    let dir = DataDir::prepare(Some(tmp.path())).unwrap();
    let clock = Arc::new(FakeClock::following_tokio());
    let first = Kiosk::open_with_clock(dir.clone(), clock.clone()).unwrap();
    add_admin_and_ana(&first, "");
    drop(first);
    let key_file = crate::audit::key_path(dir.path());
    let backup = std::fs::read(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();

    let kiosk = Arc::new(Kiosk::open_with_clock(dir, clock).unwrap());
    let wipers = crate::kiosk::wipers::core_wipers(&kiosk);
    let (manager, handle) = SessionManager::new(kiosk.clone(), wipers).unwrap();
    tokio::spawn(manager.run());
    handle.settled().await;
    match handle.status().screen {
        Screen::NeedsAttention { message, .. } => assert!(
            message.starts_with("The audit key ")
                && message.contains("restore the key from a backup"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    // Nobody signs in, not even with the right password; nor as a guest.
    for attempt in [
        handle.sign_in("ana".into(), pw("ana's passphrase")).await,
        handle.sign_in_guest().await,
    ] {
        assert!(
            matches!(attempt, Err(KioskError::NeedsAttention(_))),
            "{attempt:?}"
        );
    }
    assert!(kiosk.open_sessions().unwrap().is_empty());
    // Put back from a backup: the next retry opens the terminal again.
    std::fs::write(&key_file, &backup).unwrap();
    tokio::time::sleep(RETRY_WIPE + Duration::from_secs(1)).await;
    handle.settled().await;
    handle.settled().await;
    assert!(matches!(handle.status().screen, Screen::SignIn { .. }));
    handle
        .sign_in("ana".into(), pw("ana's passphrase"))
        .await
        .unwrap();
    assert_eq!(kiosk.audit_verify(None).unwrap().records, 3);
}

#[test]
fn reasons_read_naturally() {
    let s = Settings::default();
    assert_eq!(why(EndReason::User, &s).to_string(), "You signed out.");
    assert_eq!(
        why(EndReason::Idle, &s),
        Phrase::new("You were signed out after {duration} without activity.")
            .seconds("duration", 300)
    );
    assert_eq!(
        why(EndReason::Idle, &s).to_string(),
        "You were signed out after 5m without activity."
    );
}

/// The number of changes to My files the status reports (0 outside a session).
fn files_changed(r: &Rig) -> u32 {
    match r.screen() {
        Screen::Session { files_changed, .. } => files_changed,
        _ => 0,
    }
}

/// Waits (in real time: the kernel's watch runs on a thread of its own) until the status
/// reports `n` changes to My files.
async fn wait_for_files_changed(r: &Rig, n: u32) {
    let mut statuses = r.handle.subscribe();
    let waited = tokio::time::timeout(Duration::from_secs(10), async {
        while files_changed(r) < n {
            let _ = statuses.changed().await;
        }
    });
    assert!(
        waited.await.is_ok(),
        "My files changes seen: {}",
        files_changed(r)
    );
}

#[tokio::test]
async fn the_kernel_says_when_my_files_changes() {
    let r = rig(&[]);
    let s = r.sign_in().await;
    let folder = r.kiosk.session_folder(&s.id);
    assert_eq!(files_changed(&r), 0);
    // A download as WebKit does it: written under another name, then renamed.
    std::fs::write(folder.join("map.pdf.wkdownload"), b"%PDF").unwrap();
    std::fs::rename(folder.join("map.pdf.wkdownload"), folder.join("map.pdf")).unwrap();
    wait_for_files_changed(&r, 1).await;
    let after_download = files_changed(&r);
    std::fs::remove_file(folder.join("map.pdf")).unwrap();
    wait_for_files_changed(&r, after_download + 1).await;
    // Once the session has ended, its watch is gone (and with it the thread).
    r.handle.sign_out().await.unwrap();
    assert_eq!(files_changed(&r), 0);
}

/// The newest audit record of `event`: its user, session and details.
fn last_record(r: &Rig, event: &str) -> crate::audit::AuditRecord {
    r.kiosk
        .audit_list(&crate::audit::AuditFilter {
            event: Some(event.into()),
            limit: 1,
            ..crate::audit::AuditFilter::default()
        })
        .unwrap()
        .pop()
        .unwrap_or_else(|| panic!("no {event} record"))
}

const PAGE: &str = "# Using this computer\nBe kind.\n\n[es]\n# Uso\nSea amable.";

#[tokio::test(start_paused = true)]
async fn the_acceptable_use_page_comes_before_the_session_and_declining_starts_none() {
    let r = rig(&[("acceptable_use", PAGE)]);
    r.handle
        .sign_in("ana".into(), pw("ana's passphrase"))
        .await
        .unwrap();
    let version = match r.screen() {
        Screen::AcceptableUse {
            display_name,
            account,
            texts,
            version,
        } => {
            assert_eq!((display_name.as_str(), account), ("Ana", SessionKind::User));
            assert_eq!(texts.len(), 2);
            assert_eq!(texts[1].language.as_deref(), Some("es"));
            version
        }
        other => panic!("{other:?}"),
    };
    assert!(
        r.kiosk.open_sessions().unwrap().is_empty(),
        "no session yet"
    );
    // Nobody else signs in over the page, and nothing is there to extend or end.
    assert!(matches!(
        r.handle.sign_in_guest().await,
        Err(KioskError::SessionActive)
    ));
    assert!(r.handle.extend().await.is_err());
    r.handle
        .answer_acceptable_use(false, Some("es".into()))
        .await
        .unwrap();
    assert!(matches!(r.screen(), Screen::SignIn { .. }));
    assert!(r.kiosk.open_sessions().unwrap().is_empty());
    let declined = last_record(&r, "acceptable_use_declined");
    assert_eq!(declined.username.as_deref(), Some("ana"));
    assert_eq!(
        declined.details,
        format!(r#"{{"answer":"declined","language":"es","version":"{version}"}}"#)
    );
    // A second answer has no page to answer.
    assert!(matches!(
        r.handle.answer_acceptable_use(true, None).await,
        Err(KioskError::InvalidRequest(_))
    ));

    // Accepted: the session starts, and the record names it and the text's version.
    r.handle
        .sign_in("ana".into(), pw("ana's passphrase"))
        .await
        .unwrap();
    // A language the page does not have is not recorded as read.
    r.handle
        .answer_acceptable_use(true, Some("<b>x</b>".into()))
        .await
        .unwrap();
    assert!(matches!(r.screen(), Screen::Session { .. }));
    let open = r.kiosk.open_sessions().unwrap();
    assert_eq!(open.len(), 1);
    let accepted = last_record(&r, "acceptable_use_accepted");
    assert_eq!(accepted.session_id.as_deref(), Some(open[0].id.as_str()));
    assert_eq!(
        accepted.details,
        format!(r#"{{"language":"all","version":"{version}"}}"#)
    );
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_page_goes_after_the_idle_timeout_and_administrators_never_see_it() {
    let r = rig(&[("acceptable_use", PAGE), ("guests_allowed", "true")]);
    r.handle.sign_in_guest().await.unwrap();
    assert!(matches!(r.screen(), Screen::AcceptableUse { .. }));
    // Reading (input) keeps it; 300 s without any returns to the sign-in screen.
    r.pass(Duration::from_secs(200)).await;
    r.handle.activity();
    r.pass(Duration::from_secs(299)).await;
    assert!(matches!(r.screen(), Screen::AcceptableUse { .. }));
    r.pass(Duration::from_secs(2)).await;
    assert!(matches!(r.screen(), Screen::SignIn { .. }));
    let left = last_record(&r, "acceptable_use_declined");
    assert!(
        left.details.contains(r#""answer":"no_answer""#),
        "{}",
        left.details
    );
    assert_eq!(left.username, None, "a guest has no name");
    assert!(r.kiosk.open_sessions().unwrap().is_empty());

    let (name, password) = crate::test_util::ADMIN;
    r.handle.sign_in(name.into(), pw(password)).await.unwrap();
    assert!(
        matches!(
            r.screen(),
            Screen::Session {
                account: SessionKind::Admin,
                ..
            }
        ),
        "{:?}",
        r.screen()
    );
}

#[tokio::test(start_paused = true)]
async fn a_page_changed_while_read_is_shown_again_and_the_door_holds_after_reading() {
    let r = rig(&[
        ("acceptable_use", PAGE),
        ("guests_allowed", "true"),
        ("opening_hours", "mon-sun 08:00-15:20"),
    ]);
    r.handle.sign_in_guest().await.unwrap();
    let first = match r.screen() {
        Screen::AcceptableUse { version, .. } => version,
        other => panic!("{other:?}"),
    };
    r.kiosk
        .set_setting(&Actor::System, "acceptable_use", "Be very kind.")
        .unwrap();
    r.handle.answer_acceptable_use(true, None).await.unwrap();
    let second = match r.screen() {
        Screen::AcceptableUse { version, texts, .. } => {
            assert_eq!(texts.len(), 1);
            version
        }
        other => panic!("the new page: {other:?}"),
    };
    assert_ne!(first, second);
    assert!(r.kiosk.open_sessions().unwrap().is_empty());
    // Read until after closing (input all along): accepting then is refused at the door.
    for _ in 0..8 {
        r.pass(Duration::from_secs(60)).await;
        r.handle.activity();
    }
    assert!(matches!(
        r.handle.answer_acceptable_use(true, None).await,
        Err(KioskError::NotNow(_))
    ));
    assert!(matches!(r.screen(), Screen::SignIn { .. }));
    assert!(r.kiosk.open_sessions().unwrap().is_empty());
}

/// Makes `n` passes of `minutes` valid until `until`; their codes.
fn passes(r: &Rig, n: u32, minutes: u32, until: &str) -> Vec<String> {
    let (_, issued) = r
        .kiosk
        .create_guest_passes(&Actor::System, n, minutes, until)
        .unwrap();
    issued.iter().map(|p| p.code.shown()).collect()
}

fn pass_code(s: &str) -> crate::auth::Password {
    crate::auth::Password::from(s.to_owned())
}

#[tokio::test(start_paused = true)]
async fn a_guest_pass_signs_in_once_with_its_own_minutes_and_is_audited_by_number() {
    // Guests are not allowed: a pass still lets its holder in.
    let r = rig(&[("guest_daily_allowance", "2h"), ("idle_timeout", "1h")]);
    let today = r.clock.now_zoned().date().to_string();
    let codes = passes(&r, 2, 20, &today);
    // (The service asks the manager to look again after slatectl's or the panel's change.)
    r.handle.refresh();
    r.pass(MS).await;
    assert!(matches!(
        r.screen(),
        Screen::SignIn {
            guests_allowed: false,
            passes: true
        }
    ));
    // Typed loosely: lower case, no dash.
    let typed = codes[0].to_lowercase().replace('-', "");
    r.handle.sign_in_pass(pass_code(&typed)).await.unwrap();
    let s = r.kiosk.open_sessions().unwrap().pop().unwrap();
    assert_eq!(s.kind, SessionKind::Guest);
    match r.screen() {
        Screen::Session {
            ends_for,
            time_left: Some(TimeLeft::Minutes(m)),
            ..
        } => {
            assert_eq!(ends_for, Some(EndReason::DailyAllowance));
            assert_eq!(
                m, 20,
                "the pass's minutes, not the guest setting's two hours"
            );
        }
        other => panic!("{other:?}"),
    }
    let sign_in = last_record(&r, "sign_in");
    assert!(
        sign_in.details.contains(r#""pass":"#),
        "{}",
        sign_in.details
    );
    let listed = r.kiosk.guest_passes().unwrap();
    let used = listed
        .iter()
        .find(|p| p.state == crate::api::PassState::Used)
        .unwrap();
    assert!(sign_in.details.contains(&format!(r#""pass":{}"#, used.id)));
    // No code anywhere in the audit.
    let all = r
        .kiosk
        .audit_list(&crate::audit::AuditFilter {
            limit: 1000,
            ..crate::audit::AuditFilter::default()
        })
        .unwrap();
    for code in &codes {
        let bare = code.replace('-', "");
        assert!(
            all.iter()
                .all(|a| !a.details.contains(code) && !a.details.contains(&bare)),
            "a code in the audit"
        );
    }
    r.pass(Duration::from_secs(20 * 60) + MS).await;
    assert_eq!(r.ended(&s.id), Some(EndReason::DailyAllowance));
    r.handle.dismiss().await.unwrap();

    // The same code again: refused, in the one sentence, audited with the pass's number.
    let err = r
        .handle
        .sign_in_pass(pass_code(&codes[0]))
        .await
        .unwrap_err();
    assert!(matches!(err, KioskError::PassRefused), "{err:?}");
    let refused = last_record(&r, "sign_in_failed");
    assert!(
        refused.details.contains(r#""why":"used""#)
            && refused.details.contains(&format!(r#""pass":{}"#, used.id)),
        "{}",
        refused.details
    );
}

#[tokio::test(start_paused = true)]
async fn wrong_revoked_and_old_passes_are_refused_alike_and_slowed_never_shut_out() {
    let r = rig(&[("signin_lock_after", "3"), ("signin_backoff_cap", "2s")]);
    let today = r.clock.now_zoned().date();
    let codes = passes(&r, 2, 30, &today.to_string());
    let said = |e: KioskError| e.to_string();
    let first = said(
        r.handle
            .sign_in_pass(pass_code("AAAAA-AAAAA"))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        first,
        "This guest pass cannot be used: check the code, or ask staff for a new pass. A pass works once, until its last day."
    );
    // Slowed: the next try at once waits.
    assert!(matches!(
        r.handle.sign_in_pass(pass_code("AAAAA-AAAAC")).await,
        Err(KioskError::Throttled(_))
    ));
    // More wrong codes past the cool-down's count…
    for guess in ["AAAAA-AAAAE", "AAAAA-AAAAF", "not a code"] {
        r.pass(Duration::from_secs(3)).await;
        assert!(matches!(
            r.handle.sign_in_pass(pass_code(guess)).await,
            Err(KioskError::PassRefused)
        ));
    }
    // …and a revoked pass says the same.
    let id = r.kiosk.guest_passes().unwrap()[0].id;
    assert_eq!(
        r.kiosk
            .revoke_guest_passes(&Actor::System, Some(id), None)
            .unwrap(),
        1
    );
    r.pass(Duration::from_secs(3)).await;
    let revoked = if r.kiosk.guest_passes().unwrap()[0].id == id {
        &codes[1]
    } else {
        &codes[0]
    };
    assert_eq!(
        said(r.handle.sign_in_pass(pass_code(revoked)).await.unwrap_err()),
        first
    );
    // A good pass still works after the wait: never cooled down for hours.
    r.pass(Duration::from_secs(3)).await;
    let good = if revoked == &codes[0] {
        &codes[1]
    } else {
        &codes[0]
    };
    r.handle.sign_in_pass(pass_code(good)).await.unwrap();
    assert!(matches!(r.screen(), Screen::Session { .. }));
}

#[tokio::test(start_paused = true)]
async fn a_pass_declined_at_the_rules_page_still_works_and_one_past_its_day_does_not() {
    let r = rig(&[("acceptable_use", "Be kind.")]);
    let today = r.clock.now_zoned().date();
    let codes = passes(&r, 1, 30, &today.to_string());
    r.handle.sign_in_pass(pass_code(&codes[0])).await.unwrap();
    assert!(matches!(r.screen(), Screen::AcceptableUse { .. }));
    r.handle.answer_acceptable_use(false, None).await.unwrap();
    assert_eq!(
        r.kiosk.guest_passes().unwrap()[0].state,
        crate::api::PassState::Unused
    );
    // Past its last day (the next day has come): refused, and no longer offered.
    r.clock.advance(Duration::from_secs(24 * 3600));
    r.pass(Duration::from_secs(3)).await;
    assert!(matches!(
        r.handle.sign_in_pass(pass_code(&codes[0])).await,
        Err(KioskError::PassRefused)
    ));
    assert!(last_record(&r, "sign_in_failed")
        .details
        .contains(r#""why":"expired""#));
    assert_eq!(
        r.kiosk.guest_passes().unwrap()[0].state,
        crate::api::PassState::Expired
    );
    assert!(!r.kiosk.passes_offered().unwrap());
    // Listed for its days after, then pruned.
    assert_eq!(r.kiosk.prune_guest_passes(1).unwrap(), 0);
    r.clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(r.kiosk.prune_guest_passes(1).unwrap(), 1);
    assert!(r.kiosk.guest_passes().unwrap().is_empty());
}

#[test]
fn a_batch_is_made_as_asked_or_refused_in_one_sentence() {
    let tmp = crate::test_util::private_tempdir();
    let kiosk = Kiosk::open_with_clock(
        DataDir::prepare(Some(tmp.path())).unwrap(),
        Arc::new(FakeClock::new()),
    )
    .unwrap();
    let err = kiosk
        .create_guest_passes(&Actor::System, 0, 30, "2099-01-01")
        .unwrap_err();
    assert_eq!(err.to_string(), "Make from 1 to 500 passes at a time.");
    assert!(kiosk.guest_passes().unwrap().is_empty(), "nothing made");
    assert!(matches!(
        kiosk.revoke_guest_passes(&Actor::System, None, None),
        Err(KioskError::InvalidRequest(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn a_guest_s_time_can_start_at_their_first_input() {
    let r = rig(&[
        ("guests_allowed", "true"),
        ("guest_time_from_first_input", "true"),
        ("time_limit", "10m"),
        ("idle_timeout", "1h"),
    ]);
    r.handle.sign_in_guest().await.unwrap();
    let s = r.kiosk.open_sessions().unwrap().pop().unwrap();
    // Untouched for 20 minutes: the 10-minute limit has not started.
    r.pass(Duration::from_secs(20 * 60)).await;
    assert_eq!(r.ended(&s.id), None);
    assert!(
        matches!(
            r.screen(),
            Screen::Session {
                time_left: None,
                ..
            }
        ),
        "{:?}",
        r.screen()
    );
    // The first input starts it: ten minutes from now, not from the start.
    r.handle.activity();
    r.pass(MS).await;
    assert!(matches!(
        r.screen(),
        Screen::Session {
            time_left: Some(TimeLeft::Minutes(10)),
            ..
        }
    ));
    r.pass(Duration::from_secs(10 * 60) - 2 * MS).await;
    assert_eq!(r.ended(&s.id), None);
    r.pass(2 * MS).await;
    assert_eq!(r.ended(&s.id), Some(EndReason::TimeLimit));
    // A member's time runs from the start as ever.
    r.handle.dismiss().await.unwrap();
    let ana = r.sign_in().await;
    r.pass(Duration::from_secs(10 * 60) + MS).await;
    assert_eq!(r.ended(&ana.id), Some(EndReason::TimeLimit));
}
