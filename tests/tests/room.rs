//! A room of terminals on the real app. A real PostgreSQL 15 (started by the test as an
//! unprivileged account, over TLS with a test CA) holds the room. desk-2 is the real app with its
//! session service, joined to the room; desk-1 is a terminal's core run in this test the way its
//! session service runs it (the session manager, the listener for the room's requests, the
//! state it reports and the records it sends). An administrator at desk-2 opens Terminals, sees
//! Ana in use at desk-1, ends her session there, then ends every session of hers ("log out
//! everywhere"); desk-1's sessions end, audited with who asked from which terminal. Messages go
//! both ways: from the panel to Ana at desk-1, and from desk-1 to this screen, where it shows as
//! a dialog. Then a setting saved at desk-2's panel for every terminal of the room is in force
//! at desk-1. axe-core finds no WCAG A or AA problem in the sections or the message (the
//! Terminals and Settings sections in English, French and Spanish). How long
//! each took is printed (the figure is for the note, not an assertion).

use std::sync::Arc;
use std::time::{Duration, Instant};

use slate_core::api::Screen;
use slate_core::audit::Actor;
use slate_core::auth::{hash_password, Password, Username};
use slate_core::datadir::DataDir;
use slate_core::room::fleet::{FirstAdmin, Fleet};
use slate_core::room::{Endpoint, Membership, TerminalName};
use slate_core::session::{SessionHandle, SessionManager};
use slate_core::test_util::postgres::Postgres;
use slate_core::Kiosk;
use slate_e2e::{artifacts_dir, audit_records, prepared_data_dir, with_kiosk_launched, Launch};

fn pw(s: &str) -> Password {
    Password::from(s.to_owned())
}

/// The room, made as `fleet init` makes it; desk-1 joined (its data folder and kiosk), and
/// desk-2's membership written into `desk2` (the app's data folder).
fn room(desk2: &std::path::Path) -> (Postgres, tempfile::TempDir, Kiosk) {
    let pg = Postgres::start_new();
    pg.create_database("slate");
    let admin = Endpoint::parse(&pg.superuser_url("slate"), Some(pg.ca_file())).unwrap();
    let mut fleet = Fleet::connect(&admin, Postgres::SUPERUSER_PASSWORD).unwrap();
    fleet
        .init(&FirstAdmin {
            username: &Username::parse("admin").unwrap(),
            display_name: "The Librarian",
            password_hash: &hash_password(&pw("admin passphrase")),
        })
        .unwrap();
    let mut join = |name: &str, dir: &std::path::Path| {
        let name = TerminalName::parse(name).unwrap();
        let password = fleet.add_terminal(&name, Some("adults")).unwrap();
        let endpoint = admin.as_user(&name.role()).unwrap();
        Membership::new(name, endpoint, password).save(dir).unwrap();
    };
    let desk1 = slate_e2e::private_tempdir();
    join("desk-1", desk1.path());
    join("desk-2", desk2);
    let kiosk = Kiosk::open(DataDir::prepare(Some(desk1.path())).unwrap()).unwrap();
    kiosk
        .add_user(
            &Actor::System,
            "ana",
            "Ana",
            slate_core::accounts::Role::User,
            &pw("ana's passphrase"),
        )
        .unwrap();
    (pg, desk1, kiosk)
}

/// Ana signs in at desk-1, which tells the room (as its session service does at once).
async fn ana_at_desk_1(kiosk: &Arc<Kiosk>, handle: &SessionHandle) {
    let _ = handle.dismiss().await;
    let status = handle
        .sign_in("ana".into(), pw("ana's passphrase"))
        .await
        .unwrap();
    report(kiosk, status).await;
}

/// desk-1 tells the room its state and sends its records, as its session service does.
async fn report(kiosk: &Arc<Kiosk>, status: slate_core::api::AppStatus) {
    let kiosk = Arc::clone(kiosk);
    tokio::task::spawn_blocking(move || {
        kiosk.room_report(&status);
        while matches!(
            kiosk.room_once().unwrap(),
            slate_core::forward::Forwarded::Sent(_)
        ) {}
    })
    .await
    .unwrap();
}

/// How long after `asked` (just before the confirming click) desk-1's session ended (waiting up
/// to 10 s).
async fn ended_after(handle: &SessionHandle, asked: Instant) -> Duration {
    while matches!(handle.status().screen, Screen::Session { .. }) {
        assert!(asked.elapsed() < Duration::from_secs(10), "not ended");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    asked.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_at_one_terminal_end_a_session_at_another_from_the_panel() {
    let desk2 = prepared_data_dir(&[]);
    let at = desk2.path().to_owned();
    let (_pg, desk1_dir, kiosk) = tokio::task::spawn_blocking(move || room(&at))
        .await
        .unwrap();
    let kiosk = Arc::new(kiosk);
    let (manager, handle) = SessionManager::new(
        Arc::clone(&kiosk),
        slate_core::kiosk::wipers::core_wipers(&kiosk),
    )
    .unwrap();
    tokio::spawn(manager.run());
    let _listener = kiosk.listen_to_room().expect("desk-1 is in a room");
    ana_at_desk_1(&kiosk, &handle).await;

    with_kiosk_launched("room", Launch::on(&desk2), async |k| {
        // The room's administrator, at desk-2.
        k.sign_in("admin", "admin passphrase", "The Librarian")
            .await;
        k.by_role("tab", "Terminals").await.click().await.unwrap();
        k.wait_for_text("In use by Ana (ana)").await;
        k.screenshot(&artifacts_dir().join("admin-terminals.png"))
            .await;
        let problems = k.axe_violations().await;
        assert!(problems.is_empty(), "axe-core on Terminals: {problems:#?}");
        k.click("End session at desk-1").await;
        let asked = Instant::now();
        k.confirm_admin().await;
        let took = ended_after(&handle, asked).await;
        eprintln!("the desk's End session: desk-1's session ended {took:?} after the click");
        k.wait_for_text("Asked desk-1 to end its session.").await;
        handle.settled().await;
        report(&kiosk, handle.status()).await;
        k.click("Refresh").await;
        k.wait_for_text("Ready").await;

        // Log out everywhere.
        ana_at_desk_1(&kiosk, &handle).await;
        k.type_into("Person's username", "ana").await;
        k.click("End all sessions of this person").await;
        let asked = Instant::now();
        k.confirm_admin().await;
        let took = ended_after(&handle, asked).await;
        eprintln!("log out everywhere: desk-1's session ended {took:?} after the click");
        k.wait_for_text("Sessions of ana asked to end: 1.").await;
        handle.settled().await;

        messages_both_ways(k, &kiosk, &handle).await;
        a_setting_for_the_room(k, &kiosk).await;
        for lang in ["fr", "es"] {
            the_room_in(k, lang).await;
        }
    })
    .await;
    handle.settled().await;
    let ended = audit_records(desk1_dir.path(), "session_ended_by_admin");
    assert_eq!(ended.len(), 2, "{ended:?}");
    for record in &ended {
        let details = record["details"].to_string();
        assert!(details.contains("desk-2"), "{details}");
        assert!(details.contains("admin"), "{details}");
    }
    handle.shutdown().await;
}

/// A message from the desk (this app's panel) to Ana at desk-1, and one from desk-1's staff to
/// this screen, where it shows as a dialog closed with OK.
async fn messages_both_ways(k: &slate_e2e::Kiosk, kiosk: &Arc<Kiosk>, handle: &SessionHandle) {
    // A message from the desk to Ana at desk-1, and one from desk-1's staff to this screen.
    ana_at_desk_1(kiosk, handle).await;
    k.click("Refresh").await;
    k.wait_for_text("In use by Ana (ana)").await;
    k.type_into("Message to send", "Your print is ready at the desk.")
        .await;
    k.click("Send message").await;
    k.wait_for_text("Sent your message to desk-1.").await;
    let asked = Instant::now();
    while !matches!(
        handle.status().screen,
        Screen::Session {
            staff_message: Some(_),
            ..
        }
    ) {
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "no message at desk-1"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (from_desk_1, staff) = (
        Arc::clone(kiosk),
        Actor::Admin {
            username: "admin".into(),
        },
    );
    tokio::task::spawn_blocking(move || {
        assert!(from_desk_1
            .room_message(&staff, "desk-2", "Please come to the desk when you can.")
            .unwrap());
    })
    .await
    .unwrap();
    k.wait_for_text("Please come to the desk when you can.")
        .await;
    k.wait_for_text("From the staff at desk-1").await;
    k.screenshot(&artifacts_dir().join("staff-message.png"))
        .await;
    let problems = k.axe_violations().await;
    assert!(
        problems.is_empty(),
        "axe-core on the message: {problems:#?}"
    );
    k.click("OK").await;
    k.wait_until(
        "return !document.getElementById('staff-message-dialog').open",
        "the message closed",
    )
    .await;
}

/// At desk-2's panel, a setting saved for every terminal in the room: the section says so, and
/// desk-1 has it in force within 2 s (told by the room), audited there as the room's change.
async fn a_setting_for_the_room(k: &slate_e2e::Kiosk, kiosk: &Arc<Kiosk>) {
    k.by_role("tab", "Settings").await.click().await.unwrap();
    k.wait_for_text("Save changes for").await;
    k.wait_for_text("This terminal (desk-2)").await;
    k.eval(
        "const c = document.getElementById('settings-scope-choice');
         c.value = 'room'; c.dispatchEvent(new Event('change')); return null",
    )
    .await;
    k.type_into("Idle timeout", "12m").await;
    k.click("Save for every terminal in the room: Idle timeout")
        .await;
    let asked = Instant::now();
    k.wait_for_text("Saved Idle timeout: 12m.").await;
    k.wait_for_text("Set for every terminal in the room (default: 5m)")
        .await;
    let settings = Arc::clone(kiosk);
    let took = tokio::task::spawn_blocking(move || {
        while settings.settings().unwrap().idle_timeout != Duration::from_secs(720) {
            assert!(asked.elapsed() < Duration::from_secs(10), "not at desk-1");
            std::thread::sleep(Duration::from_millis(20));
        }
        asked.elapsed()
    })
    .await
    .unwrap();
    eprintln!("a setting saved for the room at desk-2 was in force at desk-1 {took:?} later");
    k.eval("document.getElementById('set-idle_timeout').scrollIntoView({block: 'center'}); return null")
        .await;
    k.screenshot(&artifacts_dir().join("admin-settings-room.png"))
        .await;
    let problems = k.axe_violations().await;
    assert!(
        problems.is_empty(),
        "axe-core on Settings in a room: {problems:#?}"
    );
}

/// `english` in the UI's catalogue of `lang`.
fn tr(lang: &str, english: &str) -> String {
    let path = slate_e2e::workspace_root().join(format!("ui/src/locales/{lang}.json"));
    let catalogue: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    catalogue[english]
        .as_str()
        .unwrap_or_else(|| panic!("{english:?} is not in the {lang} catalogue"))
        .to_owned()
}

/// The administrator signs out, chooses `lang` at the sign-in screen and signs in again: the
/// Terminals and Settings sections in that language pass axe-core too.
async fn the_room_in(k: &slate_e2e::Kiosk, lang: &str) {
    // From the session, in whatever language it is in.
    let now_in = k.eval("return document.documentElement.lang").await;
    let (out, now) = match now_in.as_str().unwrap_or("en") {
        "en" => ("Sign out".to_owned(), "Sign out now".to_owned()),
        l => (tr(l, "Sign out"), tr(l, "Sign out now")),
    };
    k.click(&out).await;
    k.click(&now).await;
    k.wait_until(
        "return !!document.getElementById('signedout-title')",
        "the signed-out screen",
    )
    .await;
    k.keyboard(slate_e2e::keys::ENTER).await;
    k.by_role("heading", "Sign in").await;
    k.by_label("Language")
        .await
        .select_by_value(lang)
        .await
        .expect("the language is offered");
    k.type_into(&tr(lang, "Username"), "admin").await;
    k.type_into(&tr(lang, "Password"), "admin passphrase").await;
    k.click(&tr(lang, "Sign in")).await;
    k.by_role("tab", &tr(lang, "Terminals"))
        .await
        .click()
        .await
        .unwrap();
    k.wait_for_text("desk-1").await;
    let problems = k.axe_violations().await;
    assert!(
        problems.is_empty(),
        "axe-core on Terminals in {lang}: {problems:#?}"
    );
    k.by_role("tab", &tr(lang, "Settings"))
        .await
        .click()
        .await
        .unwrap();
    k.wait_for_text(&tr(lang, "Save changes for")).await;
    k.screenshot(&artifacts_dir().join(format!("admin-settings-room-{lang}.png")))
        .await;
    let problems = k.axe_violations().await;
    assert!(
        problems.is_empty(),
        "axe-core on Settings in {lang}: {problems:#?}"
    );
}
