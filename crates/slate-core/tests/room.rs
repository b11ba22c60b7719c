//! A room of terminals against a real PostgreSQL 15 from Debian (started here in a temporary
//! folder as an unprivileged account, on a local port, over TLS with a test CA; see
//! `slate_core::test_util::postgres`): the room made by `fleet init`, terminals added and
//! revoked, accounts and the throttle of names shared between terminals, what a terminal's
//! role may not do, the schema migrated from each earlier version, and sign-in while the
//! database is away.

use std::path::Path;

use slate_core::accounts::Role;
use slate_core::api::{Layer, RoomScope};
use slate_core::audit::Actor;
use slate_core::auth::{hash_password, Password, Username};
use slate_core::datadir::DataDir;
use slate_core::kiosk::KioskError;
use slate_core::room::fleet::{FirstAdmin, Fleet};
use slate_core::room::{schema, Endpoint, Membership, TerminalName};
use slate_core::test_util::postgres::Postgres;
use slate_core::test_util::{private_tempdir, running_manager, ADMIN, ANA};
use slate_core::Kiosk;
use zeroize::Zeroizing;

fn pw(s: &str) -> Password {
    Password::from(s.to_owned())
}

/// The room's database, as its administrator reaches it.
fn admin_endpoint(pg: &Postgres) -> Endpoint {
    Endpoint::parse(&pg.superuser_url("slate"), Some(pg.ca_file())).unwrap()
}

fn fleet(pg: &Postgres) -> Fleet {
    Fleet::connect(&admin_endpoint(pg), Postgres::SUPERUSER_PASSWORD).unwrap()
}

/// A server with the database `slate` made into a room whose first administrator is
/// [`ADMIN`].
fn room() -> Postgres {
    let pg = Postgres::start_new();
    pg.create_database("slate");
    let admin = Username::parse(ADMIN.0).unwrap();
    let hash = hash_password(&pw(ADMIN.1));
    let report = fleet(&pg)
        .init(&FirstAdmin {
            username: &admin,
            display_name: "Admin",
            password_hash: &hash,
        })
        .unwrap();
    assert!(report.admin_created);
    assert_eq!(report.schema_version, schema::known());
    pg
}

/// A terminal added to the room and joined to it: its data folder and its kiosk.
struct Terminal {
    dir: tempfile::TempDir,
    kiosk: Kiosk,
    password: Zeroizing<String>,
    name: TerminalName,
}

fn terminal(pg: &Postgres, name: &str) -> Terminal {
    let name = TerminalName::parse(name).unwrap();
    let password = fleet(pg).add_terminal(&name, Some("adults")).unwrap();
    let dir = private_tempdir();
    let endpoint = admin_endpoint(pg).as_user(&name.role()).unwrap();
    Membership::new(name.clone(), endpoint, password.clone())
        .save(dir.path())
        .unwrap();
    let kiosk = Kiosk::open(DataDir::prepare(Some(dir.path())).unwrap()).unwrap();
    Terminal {
        dir,
        kiosk,
        password,
        name,
    }
}

/// A terminal's own connection, as its credential allows (what a thief of it could do).
fn as_terminal(pg: &Postgres, t: &Terminal) -> postgres::Client {
    connect_as(pg, &t.name, &t.password)
}

fn connect_as(pg: &Postgres, name: &TerminalName, password: &str) -> postgres::Client {
    admin_endpoint(pg)
        .as_user(&name.role())
        .unwrap()
        .connect(password)
        .unwrap()
}

#[test]
fn accounts_are_the_rooms_and_a_name_slowed_at_one_terminal_is_slowed_at_all() {
    let pg = room();
    let a = terminal(&pg, "desk-1");
    let b = terminal(&pg, "desk-2");
    // The first administrator from `fleet init` signs in anywhere.
    assert!(a.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).is_ok());
    assert!(b.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).is_ok());
    // An account added at one terminal signs in at the other.
    a.kiosk
        .add_user(&Actor::System, ANA.0, "Ana", Role::User, &pw(ANA.1))
        .unwrap();
    let ana = b.kiosk.authenticate(ANA.0, &pw(ANA.1)).unwrap();
    assert_eq!(ana.display_name, "Ana");
    assert_eq!(b.kiosk.list_users().unwrap().len(), 2);
    // Added at a terminal: the room records which one did it.
    let changes = fleet(&pg)
        .client()
        .query(
            "SELECT by_role::text, action, username FROM slate.admin_changes ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect::<Vec<(String, String, String)>>();
    assert_eq!(
        changes,
        [
            ("postgres".into(), "account_created".into(), "admin".into()),
            (
                "slate_t_desk_1".into(),
                "account_created".into(),
                "ana".into()
            ),
        ]
    );
    // A wrong password at A: at B, right away, even the right one waits.
    assert!(matches!(
        a.kiosk.authenticate(ANA.0, &pw("wrong")),
        Err(KioskError::BadCredentials)
    ));
    assert!(matches!(
        b.kiosk.authenticate(ANA.0, &pw(ANA.1)),
        Err(KioskError::Throttled(_))
    ));
    // So is a name nobody has: the room counts names, known or not.
    assert!(matches!(
        b.kiosk.authenticate("nobody-here", &pw("guess")),
        Err(KioskError::BadCredentials)
    ));
    assert!(matches!(
        a.kiosk.authenticate("nobody-here", &pw("guess")),
        Err(KioskError::Throttled(_))
    ));
    // Names quiet for a day are forgotten by the database's clock, whatever a terminal's says.
    fleet(&pg)
        .client()
        .batch_execute(
            "UPDATE slate.signin_throttle SET last_failure_at = '2020-01-01T00:00:00.000000Z'
             WHERE failures = 1 AND name_digest = (SELECT min(name_digest) FROM slate.signin_throttle)",
        )
        .unwrap();
    let _ = b.kiosk.authenticate("someone-else", &pw("guess"));
    let left: i64 = fleet(&pg)
        .client()
        .query_one("SELECT count(*) FROM slate.signin_throttle", &[])
        .unwrap()
        .get(0);
    assert_eq!(left, 2, "the old name is gone, the two recent ones stay");
    // Disabled at B, refused at A (after the right password, as on one terminal).
    std::thread::sleep(std::time::Duration::from_millis(1500));
    b.kiosk
        .set_user_enabled(&Actor::System, ANA.0, false)
        .unwrap();
    assert!(matches!(
        a.kiosk.authenticate(ANA.0, &pw(ANA.1)),
        Err(KioskError::Disabled)
    ));
}

#[test]
fn a_terminals_role_cannot_list_hashes_nor_touch_a_table() {
    let pg = room();
    let a = terminal(&pg, "desk-1");
    a.kiosk
        .add_user(&Actor::System, ANA.0, "Ana", Role::User, &pw(ANA.1))
        .unwrap();
    let mut c = as_terminal(&pg, &a);
    for sql in [
        "SELECT password_hash FROM slate.users",
        "SELECT * FROM slate.users",
        "SELECT * FROM slate.signin_throttle",
        "SELECT * FROM slate.meta",
        "SELECT * FROM slate.admin_changes",
        "INSERT INTO slate.admin_changes (action, username) VALUES ('x', 'y')",
        "UPDATE slate.users SET role = 'admin'",
        "DELETE FROM slate.terminals",
        "CREATE TABLE slate.mine (x int)",
        "CREATE TABLE public.mine (x int)",
    ] {
        let e = c.batch_execute(sql).expect_err(sql);
        let message = e.as_db_error().map(|d| d.message().to_owned());
        assert!(
            message
                .as_deref()
                .is_some_and(|m| m.starts_with("permission denied")),
            "{sql}: {e}"
        );
    }
    // One account's hash per call, by its exact key; the list has none.
    let one = c
        .query("SELECT password_hash FROM slate.account('ana')", &[])
        .unwrap();
    assert_eq!(one.len(), 1);
    let columns: Vec<String> = c.query("SELECT * FROM slate.accounts()", &[]).unwrap()[0]
        .columns()
        .iter()
        .map(|col| col.name().to_owned())
        .collect();
    assert!(!columns.iter().any(|c| c.contains("hash")), "{columns:?}");
    // No role of its own to make, no way into the owner's role.
    for sql in ["CREATE ROLE thief LOGIN", "SET ROLE slate_owner"] {
        assert!(c.batch_execute(sql).is_err(), "{sql}");
    }
}

#[test]
fn a_revoked_terminal_is_cut_off_at_once_and_says_so_in_one_sentence() {
    let pg = room();
    let a = terminal(&pg, "desk-1");
    let b = terminal(&pg, "desk-2");
    assert!(a.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).is_ok());
    assert!(fleet(&pg).revoke(&a.name).unwrap());
    assert!(!fleet(&pg)
        .revoke(&TerminalName::parse("never-added").unwrap())
        .unwrap());
    assert!(matches!(
        a.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)),
        Err(KioskError::SourceUnavailable)
    ));
    let e = admin_endpoint(&pg)
        .as_user(&a.name.role())
        .unwrap()
        .connect(&a.password)
        .err()
        .expect("refused");
    assert!(e.to_string().contains("not permitted to log in"), "{e}");
    // The others are untouched.
    assert!(b.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).is_ok());
    let listed = fleet(&pg).terminals().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed[0].revoked_at.is_some() && listed[1].revoked_at.is_none());
    // The same name again is refused while its role exists.
    let again = fleet(&pg).add_terminal(&a.name, None).unwrap_err();
    assert!(again.to_string().contains("in the room already"), "{again}");
}

#[test]
fn with_the_database_away_sign_in_is_not_available_and_comes_back_with_it() {
    let mut pg = room();
    let a = terminal(&pg, "desk-1");
    assert!(a.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).is_ok());
    // (Settings are the room's: changed while it is there, kept while it is away.)
    a.kiosk
        .set_setting(&Actor::System, "guests_allowed", "true")
        .unwrap();
    let today = chrono::Local::now().date_naive().to_string();
    let (_, issued) = a
        .kiosk
        .create_guest_passes(&Actor::System, 1, 30, &today)
        .unwrap();
    pg.stop();
    let refused = a.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).unwrap_err();
    assert!(matches!(refused, KioskError::SourceUnavailable));
    assert_eq!(
        refused.to_string(),
        "Sign-in is not available right now; please ask staff."
    );
    // Said in the terminal's own audit, which does not need the room.
    let unavailable = a
        .kiosk
        .audit_list(&slate_core::audit::AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|r| r.event == "source_unavailable")
        .count();
    assert_eq!(unavailable, 1);
    // A setting cannot be changed while the room is away: one sentence, nothing changed.
    let e = a
        .kiosk
        .set_setting(&Actor::System, "guests_allowed", "false")
        .unwrap_err();
    assert!(e.to_string().contains("room"), "{e}");
    assert!(a.kiosk.settings().unwrap().guests_allowed);
    // Guests go on without the room, unless the setting says otherwise; a guest pass, the
    // room's, cannot be checked nor spent.
    assert!(a.kiosk.guest().is_ok());
    assert!(matches!(
        a.kiosk.redeem_guest_pass(&issued[0].code.shown()),
        Err(KioskError::SourceUnavailable)
    ));
    pg.start();
    a.kiosk
        .set_setting(&Actor::System, "guests_when_room_away", "false")
        .unwrap();
    pg.stop();
    assert!(matches!(
        a.kiosk.guest(),
        Err(KioskError::SourceUnavailable)
    ));
    pg.start();
    assert!(a.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).is_ok());
    assert!(a.kiosk.guest().is_ok());
    // A crash of the server, then its recovery: the same.
    pg.crash();
    assert!(matches!(
        a.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)),
        Err(KioskError::SourceUnavailable)
    ));
    pg.start();
    assert!(a.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).is_ok());
}

#[test]
fn the_rooms_schema_migrates_from_empty_and_from_each_earlier_version() {
    let pg = Postgres::start_new();
    let admin = Username::parse(ADMIN.0).unwrap();
    let hash = hash_password(&pw(ADMIN.1));
    for from in 0..schema::MIGRATIONS.len() {
        let db = format!("from_{from}");
        pg.create_database(&db);
        let endpoint = Endpoint::parse(&pg.superuser_url(&db), Some(pg.ca_file())).unwrap();
        let mut f = Fleet::connect(&endpoint, Postgres::SUPERUSER_PASSWORD).unwrap();
        if from > 0 {
            // The room as an earlier Slate left it, then made current by `fleet init`.
            f.client()
                .batch_execute(
                    "DO $$ BEGIN
                        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slate_owner')
                        THEN CREATE ROLE slate_owner NOLOGIN; END IF;
                        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slate_terminal')
                        THEN CREATE ROLE slate_terminal NOLOGIN; END IF;
                     END $$;
                     CREATE SCHEMA slate AUTHORIZATION slate_owner;",
                )
                .unwrap();
            assert_eq!(f.upgrade_to(from).unwrap(), i64::try_from(from).unwrap());
        }
        let report = f
            .init(&FirstAdmin {
                username: &admin,
                display_name: "Admin",
                password_hash: &hash,
            })
            .unwrap();
        assert_eq!(report.schema_version, schema::known(), "from {from}");
        // Again: nothing to do, and the administrator is not made twice.
        let again = f
            .init(&FirstAdmin {
                username: &admin,
                display_name: "Admin",
                password_hash: &hash,
            })
            .unwrap();
        assert!(!again.admin_created);
    }
}

#[test]
fn a_terminal_refuses_a_room_newer_than_it_knows() {
    let pg = room();
    let a = terminal(&pg, "desk-1");
    fleet(&pg)
        .client()
        .batch_execute("UPDATE slate.schema_version SET version = version + 1")
        .unwrap();
    assert!(matches!(
        a.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)),
        Err(KioskError::SourceUnavailable)
    ));
    // The sign-in screen still shows (no guest pass field: none can be checked).
    assert!(matches!(
        a.kiosk.signed_out_screen().unwrap(),
        slate_core::api::Screen::SignIn { passes: false, .. }
    ));
    let e = fleet(&pg).upgrade().unwrap_err();
    assert!(e.to_string().contains("newer Slate"), "{e}");
}

#[test]
fn the_membership_file_is_the_services_alone() {
    use std::os::unix::fs::PermissionsExt;
    let pg = room();
    let a = terminal(&pg, "desk-1");
    let path = a
        .kiosk
        .data_dir()
        .path()
        .join(slate_core::room::CONFIG_FILE);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // A damaged file is one sentence, and the terminal does not start in a room it cannot read.
    std::fs::write(
        &path,
        "terminal = \"desk-1\"\nurl = \"http://x\"\npassword = \"p\"\n",
    )
    .unwrap();
    let e = Kiosk::open(DataDir::prepare(Some(a.kiosk.data_dir().path())).unwrap()).unwrap_err();
    assert!(e.to_string().contains("room.toml is not valid"), "{e}");
    assert!(!Path::new(&path).with_extension("toml.new").exists());
}

/// The session service's own path: the session manager (a tokio task) signing in a room's
/// account, a session, its end; the database stopped: accounts refused, a guest still served.
#[test]
fn the_session_manager_signs_in_the_rooms_accounts_and_goes_on_without_the_room() {
    use slate_core::api::Screen;
    use slate_core::session::SessionManager;
    let mut pg = room();
    let a = terminal(&pg, "desk-1");
    a.kiosk
        .add_user(&Actor::System, ANA.0, "Ana", Role::User, &pw(ANA.1))
        .unwrap();
    a.kiosk
        .set_setting(&Actor::System, "guests_allowed", "true")
        .unwrap();
    let kiosk = std::sync::Arc::new(a.kiosk);
    let (handle, runtime) = running_manager(&kiosk);
    runtime.block_on(async {
        let status = handle
            .sign_in(ANA.0.into(), pw(ANA.1))
            .await
            .expect("a room account signs in through the manager");
        assert!(
            matches!(status.screen, Screen::Session { .. }),
            "{status:?}"
        );
        let status = handle.sign_out().await.unwrap();
        assert!(!matches!(status.screen, Screen::Session { .. }));
        handle.settled().await;
    });
    pg.stop();
    runtime.block_on(async {
        // The sign-in screen as usual, "Continue as guest" on it (the reply: the status watch
        // may not have it yet).
        let status = handle.dismiss().await.unwrap();
        assert!(
            matches!(
                status.screen,
                Screen::SignIn {
                    guests_allowed: true,
                    ..
                }
            ),
            "{status:?}"
        );
        let refused = handle.sign_in(ANA.0.into(), pw(ANA.1)).await.unwrap_err();
        assert!(
            matches!(refused, KioskError::SourceUnavailable),
            "{refused:?}"
        );
        let status = handle.sign_in_guest().await.unwrap();
        assert!(
            matches!(status.screen, Screen::Session { .. }),
            "{status:?}"
        );
        handle.sign_out().await.unwrap();
        handle.settled().await;
        handle.shutdown().await;
    });
    // A terminal that starts while its room is away starts on its sign-in screen.
    let kiosk = std::sync::Arc::new(
        Kiosk::open(DataDir::prepare(Some(kiosk.data_dir().path())).unwrap()).unwrap(),
    );
    runtime.block_on(async {
        let (_manager, handle) = SessionManager::new(
            kiosk.clone(),
            slate_core::kiosk::wipers::core_wipers(&kiosk),
        )
        .unwrap();
        assert!(matches!(handle.status().screen, Screen::SignIn { .. }));
    });
}

/// What the database said.
fn said(e: &postgres::Error) -> String {
    e.as_db_error()
        .map_or_else(|| e.to_string(), |d| d.message().to_owned())
}

/// Sends the room every record it lacks, as the session service's forwarder does.
fn send_all(kiosk: &Kiosk) -> usize {
    use slate_core::forward::Forwarded;
    let mut sent = 0;
    loop {
        match kiosk.room_once().unwrap() {
            Forwarded::Sent(n) => sent += n,
            Forwarded::UpToDate => return sent,
            other => panic!("{other:?}"),
        }
    }
}

/// How many of `terminal`'s records the room holds, and how many distinct sequence numbers.
fn held(pg: &Postgres, terminal: &str) -> (i64, i64) {
    let row = fleet(pg)
        .client()
        .query_one(
            "SELECT count(*), count(DISTINCT seq) FROM slate.audit WHERE terminal = $1",
            &[&terminal],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

#[test]
fn the_audit_and_the_sessions_reach_the_room_once_across_a_stop_and_a_crash() {
    use slate_core::api::Screen;
    use slate_core::forward::Forwarded;
    let mut pg = room();
    let a = terminal(&pg, "desk-1");
    a.kiosk
        .add_user(&Actor::System, ANA.0, "Ana", Role::User, &pw(ANA.1))
        .unwrap();
    a.kiosk
        .set_setting(&Actor::System, "guests_allowed", "true")
        .unwrap();
    let database = a.kiosk.data_dir().database();
    let kiosk = std::sync::Arc::new(a.kiosk);
    let (handle, runtime) = running_manager(&kiosk);
    let head = |k: &Kiosk| k.audit_head().unwrap().map_or(0, |r| r.seq);
    runtime.block_on(async {
        handle.sign_in(ANA.0.into(), pw(ANA.1)).await.unwrap();
        handle.sign_out().await.unwrap();
        handle.settled().await;
    });
    assert!(send_all(&kiosk) > 0);
    assert_eq!(held(&pg, "desk-1"), (head(&kiosk), head(&kiosk)));
    let ended: (String, Option<String>, Option<bool>) = {
        let row = fleet(&pg)
            .client()
            .query_one(
                "SELECT username, end_reason, erased FROM slate.sessions WHERE terminal = 'desk-1'",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1), row.get(2))
    };
    assert_eq!(ended, ("ana".into(), Some("user".into()), Some(true)));

    // The database stopped: a guest's session starts, ends and is wiped; its records wait.
    pg.stop();
    runtime.block_on(async {
        let _ = handle.dismiss().await;
        let status = handle.sign_in_guest().await.unwrap();
        assert!(matches!(status.screen, Screen::Session { .. }));
        handle.sign_out().await.unwrap();
        handle.settled().await;
    });
    assert!(matches!(kiosk.room_once().unwrap(), Forwarded::Failed(_)));
    pg.start();
    send_all(&kiosk);
    assert_eq!(held(&pg, "desk-1"), (head(&kiosk), head(&kiosk)));

    // PostgreSQL killed (kill -9) while a session ends: the ending does not wait for it.
    runtime.block_on(async {
        let _ = handle.dismiss().await;
        handle.sign_in_guest().await.unwrap();
    });
    pg.crash();
    runtime.block_on(async {
        let status = handle.sign_out().await.unwrap();
        assert!(!matches!(status.screen, Screen::Session { .. }));
        handle.settled().await;
    });
    pg.start();
    send_all(&kiosk);
    assert_eq!(held(&pg, "desk-1"), (head(&kiosk), head(&kiosk)));

    // Sent again from the start (as after a crash between the room's commit and the
    // terminal's note of it): nothing is stored twice, and nothing refused.
    rusqlite::Connection::open(&database)
        .unwrap()
        .execute(
            "UPDATE forward_cursor SET sent_seq = 0 WHERE destination LIKE 'room %'",
            [],
        )
        .unwrap();
    assert_eq!(send_all(&kiosk), usize::try_from(head(&kiosk)).unwrap());
    assert_eq!(held(&pg, "desk-1"), (head(&kiosk), head(&kiosk)));
    // The room's copy verifies with the terminal's key, across the gaps.
    let report = kiosk.room_audit_verify().unwrap();
    assert_eq!(report.records, u64::try_from(head(&kiosk)).unwrap());
    tampering_is_found(&pg, &kiosk, &a.name, &a.password);
    let open: i64 = fleet(&pg)
        .client()
        .query_one(
            "SELECT count(*) FROM slate.sessions WHERE terminal = 'desk-1' AND ended_at IS NULL",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(open, 0, "every session the room holds has ended");
    runtime.block_on(handle.shutdown());
}

#[test]
fn a_terminal_writes_only_its_own_rows_and_reads_only_its_own_chain() {
    let pg = room();
    let a = terminal(&pg, "desk-1");
    let b = terminal(&pg, "desk-2");
    a.kiosk.authenticate(ADMIN.0, &pw(ADMIN.1)).unwrap();
    let _ = a.kiosk.authenticate(ADMIN.0, &pw("wrong"));
    send_all(&a.kiosk);
    let mut c = as_terminal(&pg, &b);
    let e = c
        .batch_execute(
            "INSERT INTO slate.audit (terminal, seq, at, utc_offset_secs, label, event, details, mac)
             VALUES ('desk-1', 1, 'x', 0, 'x', 'x', '{}', 'x')",
        )
        .unwrap_err();
    assert!(
        e.as_db_error()
            .is_some_and(|d| d.message().contains("row-level security")),
        "{e}"
    );
    let seen: i64 = c
        .query_one("SELECT count(*) FROM slate.audit", &[])
        .unwrap()
        .get(0);
    assert_eq!(seen, 0, "B reads none of A's chain");
    for sql in [
        "UPDATE slate.audit SET mac = 'x'",
        "DELETE FROM slate.audit",
        "DELETE FROM slate.sessions",
    ] {
        let e = c.batch_execute(sql).expect_err(sql);
        assert!(said(&e).starts_with("permission denied"), "{sql}: {e}");
    }
    let changed = c
        .execute(
            "UPDATE slate.sessions SET end_reason = 'admin' WHERE terminal = 'desk-1'",
            &[],
        )
        .unwrap();
    assert_eq!(changed, 0, "another terminal's sessions are out of reach");
    // A's own connection cannot rewrite its sent records either.
    let mut own = as_terminal(&pg, &a);
    let e = own
        .batch_execute("UPDATE slate.audit SET details = '{}'")
        .unwrap_err();
    assert!(said(&e).starts_with("permission denied"), "{e}");
    assert!(held(&pg, "desk-1").0 >= 1);
}

/// Waits (up to 10 s) until the terminal's screen is no longer a session; how long it took.
async fn until_ended(handle: &slate_core::session::SessionHandle) -> std::time::Duration {
    let asked = std::time::Instant::now();
    while matches!(
        handle.status().screen,
        slate_core::api::Screen::Session { .. }
    ) {
        assert!(
            asked.elapsed() < std::time::Duration::from_secs(10),
            "the session was not ended"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    asked.elapsed()
}

/// desk-1 running as its session service runs it: its core, its data folder (kept while the
/// test runs), the session manager, and the listener for the room's requests.
struct Desk1 {
    kiosk: std::sync::Arc<Kiosk>,
    _dir: tempfile::TempDir,
    handle: slate_core::session::SessionHandle,
    runtime: tokio::runtime::Runtime,
    _listener: slate_core::room::desk::Listener,
}

/// desk-1 (running) and desk-2 in the room, Ana's account made at desk-1.
fn desks_with_ana(pg: &Postgres) -> (Desk1, Terminal) {
    let a = terminal(pg, "desk-1");
    let b = terminal(pg, "desk-2");
    a.kiosk
        .add_user(&Actor::System, ANA.0, "Ana", Role::User, &pw(ANA.1))
        .unwrap();
    let kiosk = std::sync::Arc::new(a.kiosk);
    let (handle, runtime) = running_manager(&kiosk);
    let listener = kiosk.listen_to_room().expect("in a room");
    let desk1 = Desk1 {
        kiosk,
        _dir: a.dir,
        handle,
        runtime,
        _listener: listener,
    };
    (desk1, b)
}

#[test]
fn staff_at_one_terminal_see_the_room_and_end_a_session_at_another() {
    use slate_core::room::desk::DeskState;
    let pg = room();
    let (desk1, b) = desks_with_ana(&pg);
    let Desk1 {
        kiosk,
        handle,
        runtime,
        ..
    } = &desk1;
    let staff = Actor::Admin {
        username: ADMIN.0.into(),
    };
    for round in ["the desk's button", "log out everywhere"] {
        let status = runtime.block_on(async {
            let _ = handle.dismiss().await;
            handle.sign_in(ANA.0.into(), pw(ANA.1)).await.unwrap()
        });
        kiosk.room_report(&status);
        send_all(kiosk);
        let seen = b.kiosk.room_status().unwrap();
        let desk1 = seen.iter().find(|t| t.name == "desk-1").unwrap();
        assert_eq!(desk1.state, Some(DeskState::InUse), "{round}: {seen:?}");
        assert_eq!(desk1.who.as_deref(), Some("Ana"));
        assert_eq!(desk1.username.as_deref(), Some("ana"));
        assert!(desk1.online, "desk-1 listens to the room");
        assert_eq!(desk1.group.as_deref(), Some("adults"));
        let took = if round == "the desk's button" {
            assert!(b.kiosk.room_end_session(&staff, "desk-1").unwrap());
            runtime.block_on(until_ended(handle))
        } else {
            assert_eq!(b.kiosk.room_end_everywhere(&staff, "ANA").unwrap(), 1);
            runtime.block_on(until_ended(handle))
        };
        eprintln!("{round}: the session at desk-1 ended {took:?} after the request");
        runtime.block_on(handle.settled());
        kiosk.room_report(&handle.status());
        let ended = kiosk
            .audit_list(&slate_core::audit::AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|r| (r.event, r.details))
            .collect::<Vec<_>>();
        let ended = ended
            .iter()
            .find(|(event, _)| event == "session_ended_by_admin")
            .unwrap_or_else(|| panic!("not audited: {ended:?}"));
        assert!(
            ended.1.contains("\"from_terminal\":\"desk-2\""),
            "{}",
            ended.1
        );
    }
    a_message_reaches_desk_1(runtime, handle, kiosk, &b.kiosk, &staff);
    // Nobody there now: nothing to end, and the desk says so.
    assert!(!b.kiosk.room_end_session(&staff, "desk-1").unwrap());
    assert!(!b.kiosk.room_message(&staff, "desk-1", "Hello").unwrap());
    let seen = b.kiosk.room_status().unwrap();
    assert_eq!(seen[0].state, Some(DeskState::Ready));
    assert!(b.kiosk.room_end_session(&staff, "desk-9").is_err());
    runtime.block_on(handle.shutdown());
}

/// A record slipped in far ahead is refused; a room's copy missing its first records (removed
/// by the database's owner) no longer verifies.
fn tampering_is_found(pg: &Postgres, kiosk: &Kiosk, name: &TerminalName, password: &str) {
    // Nobody can slip a record in far ahead of the terminal's own.
    let e = connect_as(pg, name, password)
        .batch_execute(
            "INSERT INTO slate.audit (terminal, seq, at, utc_offset_secs, label, event, details, mac)
             VALUES ('desk-1', 1000000, 'x', 0, 'x', 'x', '{}', 'x')",
        )
        .unwrap_err();
    assert!(said(&e).contains("does not follow"), "{e}");
    // The audit as a whole: whole, and checked by the terminal (which told the room).
    let whole = fleet(pg).room_audit().unwrap();
    let desk1 = whole.iter().find(|c| c.terminal == "desk-1").unwrap();
    assert!(desk1.sound() && desk1.missing == 0, "{desk1:?}");
    let check = desk1
        .check
        .as_ref()
        .expect("desk-1 told the room its check");
    assert!(check.ok && check.through_seq == desk1.last_seq, "{desk1:?}");
    // A record taken out of the middle (by the database's owner): missing, seen without any
    // key; and the terminal's next check fails, and says so in the room.
    let middle = desk1.last_seq.unwrap() / 2;
    fleet(pg)
        .client()
        .execute(
            "DELETE FROM slate.audit WHERE terminal = 'desk-1' AND seq = $1",
            &[&middle],
        )
        .unwrap();
    let whole = fleet(pg).room_audit().unwrap();
    let desk1 = whole.iter().find(|c| c.terminal == "desk-1").unwrap();
    assert_eq!(desk1.missing, 1);
    assert!(!desk1.sound());
    let e = kiosk.room_audit_verify().unwrap_err();
    assert!(e.to_string().contains("broken at record"), "{e}");
    let whole = fleet(pg).room_audit().unwrap();
    let check = whole[0].check.as_ref().unwrap();
    assert!(!check.ok && check.problem.as_deref().unwrap_or("").contains("broken"));
    // The newest records taken out (by the database's owner): the terminal's check still
    // verifies what is left, but the room holds less than it took: missing.
    let last = whole[0].last_seq.unwrap();
    fleet(pg)
        .client()
        .execute(
            "DELETE FROM slate.audit WHERE terminal = 'desk-1' AND seq >= $1",
            &[&(last - 1)],
        )
        .unwrap();
    let _ = kiosk.room_audit_verify();
    let whole = fleet(pg).room_audit().unwrap();
    assert!(whole[0].missing >= 3, "{:?}", whole[0]);
    // A terminal cannot date its check itself.
    let e = connect_as(pg, name, password)
        .batch_execute("UPDATE slate.audit_checks SET checked_at = now() + interval '1 day'")
        .unwrap_err();
    assert!(said(&e).contains("permission denied"), "{}", said(&e));
    // A copy whose first records were removed (by the database's owner) no longer verifies.
    fleet(pg)
        .client()
        .batch_execute("DELETE FROM slate.audit WHERE terminal = 'desk-1' AND seq <= 2")
        .unwrap();
    let e = kiosk.room_audit_verify().unwrap_err();
    assert!(e.to_string().contains("broken at record 3"), "{e}");
}

#[test]
fn a_persons_daily_time_is_counted_across_the_room() {
    use slate_core::kiosk::Identity;
    let pg = room();
    let a = terminal(&pg, "desk-1");
    let b = terminal(&pg, "desk-2");
    a.kiosk
        .add_user(&Actor::System, ANA.0, "Ana", Role::User, &pw(ANA.1))
        .unwrap();
    b.kiosk
        .set_setting(&Actor::System, "daily_allowance", "1h")
        .unwrap();
    // The day turns half a day from now, so "earlier today" is today whenever this runs.
    let turn = (chrono::Timelike::hour(&chrono::Local::now()) + 12) % 24;
    b.kiosk
        .set_setting(&Actor::System, "day_turns_at", &format!("{turn:02}:00"))
        .unwrap();
    // 35 minutes at desk-1 earlier today.
    let now = chrono::Utc::now();
    let at = |m: i64| slate_core::clock::to_db(now - chrono::Duration::minutes(m));
    fleet(&pg)
        .client()
        .execute(
            "INSERT INTO slate.sessions (terminal, id, username, source, display_name, kind,
                                         started_at, ended_at, end_reason, duration_ms, erased)
             VALUES ('desk-1', 's1', 'ana', 'local', 'Ana', 'user', $1, $2, 'user', 2100000, true)",
            &[&at(40), &at(5)],
        )
        .unwrap();
    let ana = Identity {
        display_name: "Ana".into(),
        kind: slate_core::api::SessionKind::User,
        username: Some("ana".into()),
        source: Some(slate_core::accounts::Source::Local),
        group: None,
        pass: None,
    };
    let ends = b
        .kiosk
        .admit(&ana)
        .unwrap()
        .allowance_end
        .expect("a daily time");
    let left = (ends.timestamp().as_second() - chrono::Utc::now().timestamp()) / 60;
    assert!(
        (24..=26).contains(&left),
        "an hour a day, 35 minutes used at desk-1: {left} minutes left at desk-2"
    );
}

#[test]
fn a_person_is_at_one_terminal_at_a_time_when_the_room_says_so() {
    use slate_core::api::Screen;
    let pg = room();
    let (desk1, b) = desks_with_ana(&pg);
    let Desk1 {
        kiosk,
        handle,
        runtime,
        ..
    } = &desk1;
    let ana_at_desk_1 = || {
        let status = runtime.block_on(async {
            let _ = handle.dismiss().await;
            handle.sign_in(ANA.0.into(), pw(ANA.1)).await.unwrap()
        });
        kiosk.room_report(&status);
        send_all(kiosk);
    };
    ana_at_desk_1();
    // Off (the default): a second sign-in is let in.
    assert!(b.kiosk.authenticate(ANA.0, &pw(ANA.1)).is_ok());
    let ana = b.kiosk.authenticate(ANA.0, &pw(ANA.1)).unwrap();
    assert!(b.kiosk.admit(&ana).is_ok());
    // refuse: one sentence saying where, audited; desk-1's session goes on.
    b.kiosk
        .set_setting(&Actor::System, "one_terminal_per_person", "refuse")
        .unwrap();
    let refused = b.kiosk.admit(&ana).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "You are signed in at desk-1. Sign out there first, or ask staff."
    );
    assert!(matches!(handle.status().screen, Screen::Session { .. }));
    let audited = b
        .kiosk
        .audit_list(&slate_core::audit::AuditFilter {
            reason: Some("signed_in_elsewhere".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(audited.len(), 1);
    // end_other: let in here, and the session at desk-1 ends, audited there.
    b.kiosk
        .set_setting(&Actor::System, "one_terminal_per_person", "end_other")
        .unwrap();
    assert!(b.kiosk.admit(&ana).is_ok());
    runtime.block_on(until_ended(handle));
    runtime.block_on(handle.settled());
    let ended = kiosk
        .audit_list(&slate_core::audit::AuditFilter {
            event: Some("session_ended_by_admin".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert!(
        ended[0].details.contains("ana, signing in at desk-2"),
        "{}",
        ended[0].details
    );
    runtime.block_on(handle.shutdown());
}

/// A message to the person at desk-1: shown with the next status, audited by its length; bad
/// messages refused.
fn a_message_reaches_desk_1(
    runtime: &tokio::runtime::Runtime,
    handle: &slate_core::session::SessionHandle,
    kiosk: &Kiosk,
    desk2: &Kiosk,
    staff: &Actor,
) {
    // A message to the person at desk-1: shown with the next status, audited by its length.
    let status = runtime.block_on(async {
        let _ = handle.dismiss().await;
        handle.sign_in(ANA.0.into(), pw(ANA.1)).await.unwrap()
    });
    kiosk.room_report(&status);
    send_all(kiosk);
    for bad in ["", "   ", &"x".repeat(501)] {
        assert!(desk2.room_message(staff, "desk-1", bad).is_err());
    }
    assert!(desk2
        .room_message(staff, "desk-1", "Your print is ready at the desk.")
        .unwrap());
    let shown = runtime.block_on(async {
        let asked = std::time::Instant::now();
        loop {
            if let slate_core::api::Screen::Session {
                staff_message: Some(m),
                ..
            } = handle.status().screen
            {
                return m;
            }
            assert!(
                asked.elapsed() < std::time::Duration::from_secs(10),
                "no message"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    });
    assert_eq!(shown.text, "Your print is ready at the desk.");
    assert_eq!(shown.from, "desk-2");
    let audited = kiosk
        .audit_list(&slate_core::audit::AuditFilter {
            event: Some("staff_message".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert!(
        audited[0].details.contains("\"chars\":32"),
        "{}",
        audited[0].details
    );
    assert!(!audited[0].details.contains("print"), "never the words");
    runtime.block_on(async {
        handle.sign_out().await.unwrap();
        handle.settled().await;
    });
    kiosk.room_report(&handle.status());
}

/// The value in force of `key` at `kiosk`, and the layer (and group) it comes from.
fn in_force(kiosk: &Kiosk, key: &str) -> (String, Layer, Option<String>) {
    let e = kiosk
        .settings_in_force()
        .unwrap()
        .into_iter()
        .find(|e| e.def.key == key)
        .unwrap();
    (e.value, e.layer, e.group)
}

#[test]
fn settings_are_the_rooms_by_group_and_by_terminal() {
    let mut pg = room();
    let a = terminal(&pg, "desk-1");
    let b = terminal(&pg, "kids-1");
    let mut f = fleet(&pg);
    assert!(f.set_group(&b.name, Some("children")).unwrap());
    assert!(
        f.put_setting(RoomScope::Room, None, "idle_timeout", Some("10m"))
            .unwrap()
            .changed
    );
    assert!(
        f.put_setting(
            RoomScope::Group,
            Some("children"),
            "idle_timeout",
            Some("3m")
        )
        .unwrap()
        .changed
    );
    // A bad value, or a key Slate does not know: one sentence, nothing stored.
    let bad = f
        .put_setting(RoomScope::Room, None, "idle_timeout", Some("forever"))
        .unwrap_err()
        .to_string();
    assert!(bad.contains("idle_timeout"), "{bad}");
    assert!(f
        .put_setting(RoomScope::Room, None, "no_such_key", Some("1"))
        .is_err());
    assert!(f
        .put_setting(RoomScope::Group, Some(" "), "idle_timeout", Some("5m"))
        .is_err());
    assert_eq!(f.settings().unwrap().len(), 2);
    for t in [&a, &b] {
        t.kiosk.refresh_room_settings().unwrap();
    }
    assert_eq!(
        in_force(&a.kiosk, "idle_timeout"),
        ("600".into(), Layer::Room, None)
    );
    assert_eq!(
        in_force(&b.kiosk, "idle_timeout"),
        ("180".into(), Layer::Group, Some("children".into()))
    );
    // From a terminal's panel: for itself (the default), for its group, for the room.
    let staff = Actor::Admin {
        username: ADMIN.0.into(),
    };
    let (old, new) = a
        .kiosk
        .change_setting_for(&staff, "idle_timeout", Some("20m"), None)
        .unwrap();
    assert_eq!((old.as_str(), new.as_str()), ("600", "1200"));
    assert_eq!(in_force(&a.kiosk, "idle_timeout").1, Layer::Terminal);
    b.kiosk
        .change_setting_for(
            &staff,
            "guests_allowed",
            Some("true"),
            Some(RoomScope::Group),
        )
        .unwrap();
    a.kiosk.refresh_room_settings().unwrap();
    assert_eq!(in_force(&a.kiosk, "guests_allowed").1, Layer::Default);
    // Removing this terminal's own value: the room's applies again.
    let (_, now) = a
        .kiosk
        .change_setting_for(&staff, "idle_timeout", None, None)
        .unwrap();
    assert_eq!(now, "600");
    // Recorded in the room with who did it, from which terminal's role.
    let changes: Vec<(String, Option<String>, Option<String>)> = f
        .client()
        .query(
            "SELECT action, by_user, detail FROM slate.admin_changes
             WHERE action LIKE 'setting%' ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(changes.len(), 5, "{changes:?}");
    assert_eq!(changes[4].0, "setting_removed");
    assert_eq!(
        changes[4].2.as_deref(),
        Some("terminal desk-1: idle_timeout")
    );
    // A terminal in no group cannot save for its group: one sentence, nothing changed.
    assert!(f.set_group(&a.name, None).unwrap());
    let e = a
        .kiosk
        .change_setting_for(&staff, "idle_timeout", Some("7m"), Some(RoomScope::Group))
        .unwrap_err();
    assert!(e.to_string().contains("no group"), "{e}");
    what_a_terminal_may_not_set(&pg, &a, &b, &mut f);
    settings_follow_the_room(&mut pg, a.kiosk, &mut f);
}

/// What a terminal's role may not do with the room's settings, and a value it cannot use.
fn what_a_terminal_may_not_set(pg: &Postgres, a: &Terminal, b: &Terminal, f: &mut Fleet) {
    let staff = Actor::Admin {
        username: ADMIN.0.into(),
    };
    // A terminal's role cannot write the table, read every value (other terminals' secrets),
    // nor set a value for another terminal; where sign-in asks and where the audit goes it may
    // set for itself alone.
    let mut own = as_terminal(pg, a);
    for sql in [
        "INSERT INTO slate.settings (scope, target, key, value) VALUES ('room', '', 'idle_timeout', '30')",
        "SELECT * FROM slate.settings",
        "SELECT * FROM slate.room_settings()",
        "SELECT slate.put_setting('terminal', 'kids-1', 'idle_timeout', '30', 'thief')",
    ] {
        let e = own.batch_execute(sql).unwrap_err();
        assert!(said(&e).contains("permission denied"), "{sql}: {}", said(&e));
    }
    for key in [
        "ldap_url",
        "audit_forward_url",
        "sip2_password",
        "signin_sources",
    ] {
        let sql = format!("SELECT slate.set_setting('room', '{key}', 'x', 'thief')");
        let e = own.batch_execute(&sql).unwrap_err();
        assert!(
            said(&e).contains("room's administrator"),
            "{key}: {}",
            said(&e)
        );
    }
    let e = a
        .kiosk
        .change_setting_for(
            &staff,
            "audit_journal",
            Some("false"),
            Some(RoomScope::Room),
        )
        .unwrap_err();
    assert!(e.to_string().contains("fleet set"), "{e}");
    a.kiosk
        .change_setting_for(&staff, "audit_journal", Some("false"), None)
        .unwrap();
    // A value this Slate cannot use (written by hand) gives way to the next one, not to the
    // default.
    f.client()
        .batch_execute(
            "INSERT INTO slate.settings (scope, target, key, value)
             VALUES ('terminal', 'kids-1', 'idle_timeout', 'forever')",
        )
        .unwrap();
    b.kiosk.refresh_room_settings().unwrap();
    assert_eq!(in_force(&b.kiosk, "idle_timeout").0, "180");
}

/// A terminal listening to the room takes a change at once, keeps the values it has while the
/// room is away, and records what the room changed.
fn settings_follow_the_room(pg: &mut Postgres, kiosk: Kiosk, f: &mut Fleet) {
    let kiosk = std::sync::Arc::new(kiosk);
    let _listener = kiosk.listen_to_room().expect("in a room");
    f.put_setting(RoomScope::Room, None, "idle_timeout", Some("15m"))
        .unwrap();
    let asked = std::time::Instant::now();
    while in_force(&kiosk, "idle_timeout").0 != "900" {
        assert!(
            asked.elapsed() < std::time::Duration::from_secs(10),
            "not heard"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    eprintln!(
        "a room-wide change was in force at desk-1 {:?} after it was made",
        asked.elapsed()
    );
    let recorded = kiosk
        .audit_list(&slate_core::audit::AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|r| r.event == "setting_changed" && r.details.contains("\"by\":\"the room\""))
        .count();
    assert!(recorded >= 1);
    pg.stop();
    let e = kiosk.refresh_room_settings().unwrap_err();
    assert!(matches!(e, KioskError::Store(_)), "{e}");
    assert_eq!(in_force(&kiosk, "idle_timeout").0, "900", "kept while away");
    assert_eq!(kiosk.settings().unwrap().idle_timeout.as_secs(), 900);
    pg.start();
}

#[test]
fn a_guest_pass_made_at_one_terminal_works_once_at_any() {
    let mut pg = room();
    let a = terminal(&pg, "desk-1");
    let b = terminal(&pg, "desk-2");
    let staff = Actor::Admin {
        username: ADMIN.0.into(),
    };
    let until = chrono::Local::now().date_naive().to_string();
    let (_, issued) = a.kiosk.create_guest_passes(&staff, 3, 20, &until).unwrap();
    let codes: Vec<String> = issued.iter().map(|p| p.code.shown()).collect();
    // The other terminal lists them, offers the field, and takes a code (typed loosely).
    assert!(b.kiosk.passes_offered().unwrap());
    assert_eq!(b.kiosk.guest_passes().unwrap().len(), 3);
    let kiosk_b = std::sync::Arc::new(b.kiosk);
    let (handle, runtime) = running_manager(&kiosk_b);
    runtime.block_on(async {
        let _ = handle.dismiss().await;
        handle
            .sign_in_pass(pw(&codes[0].to_lowercase().replace('-', "")))
            .await
            .unwrap();
        handle.sign_out().await.unwrap();
        handle.settled().await;
    });
    // Spent in the room: refused at the terminal that made it, as used.
    let e = a.kiosk.redeem_guest_pass(&codes[0]).unwrap_err();
    assert!(matches!(e, KioskError::PassRefused), "{e}");
    let listed = a.kiosk.guest_passes().unwrap();
    let spent = listed.iter().find(|p| p.id == issued[0].id).unwrap();
    assert_eq!(spent.state, slate_core::api::PassState::Used);
    let used_at: String = fleet(&pg)
        .client()
        .query_one(
            "SELECT used_at_terminal FROM slate.guest_passes WHERE id = $1",
            &[&issued[0].id],
        )
        .unwrap()
        .get(0);
    assert_eq!(used_at, "desk-2");
    // Revoked at desk-2: refused at desk-1.
    assert_eq!(
        kiosk_b
            .revoke_guest_passes(&staff, Some(issued[1].id), None)
            .unwrap(),
        1
    );
    // (desk-1 slows wrong codes after the used one: a second later it answers.)
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let e = a.kiosk.redeem_guest_pass(&codes[1]).unwrap_err();
    assert!(matches!(e, KioskError::PassRefused), "{e:?}");
    // The room keeps digests, never a code, and a terminal cannot read them.
    let digests: Vec<String> = fleet(&pg)
        .client()
        .query("SELECT code_digest FROM slate.guest_passes", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for code in &codes {
        let plain = code.replace('-', "");
        assert!(digests.iter().all(|d| !d.contains(&plain)));
    }
    let e = as_terminal(&pg, &a)
        .batch_execute("SELECT code_digest FROM slate.guest_passes")
        .unwrap_err();
    assert!(said(&e).contains("permission denied"), "{}", said(&e));
    // With the room away a pass cannot be spent: "not available", not "wrong code", and the
    // field is not offered.
    // (desk-1's wait after two wrong codes: two seconds.)
    std::thread::sleep(std::time::Duration::from_millis(2100));
    pg.stop();
    assert!(!a.kiosk.passes_offered().unwrap());
    let e = a.kiosk.redeem_guest_pass(&codes[2]).unwrap_err();
    assert!(matches!(e, KioskError::SourceUnavailable), "{e:?}");
    pg.start();
    let ok = a.kiosk.redeem_guest_pass(&codes[2]);
    assert!(ok.is_ok(), "{:?}", ok.err());
    runtime.block_on(handle.shutdown());
}

#[test]
fn a_terminals_own_settings_come_with_it_into_the_room() {
    let pg = room();
    let name = TerminalName::parse("desk-7").unwrap();
    let password = fleet(&pg).add_terminal(&name, None).unwrap();
    let dir = private_tempdir();
    // Before it joins: its own values.
    {
        let alone = Kiosk::open(DataDir::prepare(Some(dir.path())).unwrap()).unwrap();
        alone
            .set_setting(&Actor::System, "idle_timeout", "7m")
            .unwrap();
        alone
            .set_setting(&Actor::System, "guests_allowed", "true")
            .unwrap();
    }
    // The room has its own value for one of them already: the room's stays.
    fleet(&pg)
        .put_setting(
            RoomScope::Terminal,
            Some("desk-7"),
            "guests_allowed",
            Some("false"),
        )
        .unwrap();
    let endpoint = admin_endpoint(&pg).as_user(&name.role()).unwrap();
    Membership::new(name, endpoint, password)
        .save(dir.path())
        .unwrap();
    let kiosk = Kiosk::open(DataDir::prepare(Some(dir.path())).unwrap()).unwrap();
    kiosk.refresh_room_settings().unwrap();
    assert_eq!(
        in_force(&kiosk, "idle_timeout"),
        ("420".into(), Layer::Terminal, None)
    );
    assert_eq!(in_force(&kiosk, "guests_allowed").0, "false");
    // Once: removed from the room, it does not come back at the next read.
    fleet(&pg)
        .put_setting(RoomScope::Terminal, Some("desk-7"), "idle_timeout", None)
        .unwrap();
    kiosk.refresh_room_settings().unwrap();
    assert_eq!(in_force(&kiosk, "idle_timeout").1, Layer::Default);
    let brought: i64 = fleet(&pg)
        .client()
        .query_one(
            "SELECT count(*) FROM slate.admin_changes WHERE by_user LIKE 'desk-7 (its own%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(brought, 1, "idle_timeout alone");
}

#[test]
fn a_terminals_retention_reaches_the_room_and_what_is_left_verifies() {
    use slate_core::test_util::FakeClock;
    let pg = room();
    let name = TerminalName::parse("desk-1").unwrap();
    let password = fleet(&pg).add_terminal(&name, None).unwrap();
    let dir = private_tempdir();
    let endpoint = admin_endpoint(&pg).as_user(&name.role()).unwrap();
    Membership::new(name, endpoint, password)
        .save(dir.path())
        .unwrap();
    // Five days ago: a session, its records, all in the room.
    let clock = std::sync::Arc::new(FakeClock::at(
        chrono::Utc::now() - chrono::Duration::days(5),
    ));
    let kiosk = std::sync::Arc::new(
        Kiosk::open_with_clock(DataDir::prepare(Some(dir.path())).unwrap(), clock.clone()).unwrap(),
    );
    kiosk
        .set_setting(&Actor::System, "audit_retention_days", "2")
        .unwrap();
    let (handle, runtime) = running_manager(&kiosk);
    runtime.block_on(async {
        let _ = handle.dismiss().await;
        handle.sign_in(ADMIN.0.into(), pw(ADMIN.1)).await.unwrap();
        handle.sign_out().await.unwrap();
        handle.settled().await;
    });
    send_all(&kiosk);
    let (before, _) = held(&pg, "desk-1");
    let sessions = |pg: &Postgres| -> i64 {
        fleet(pg)
            .client()
            .query_one(
                "SELECT count(*) FROM slate.sessions WHERE terminal = 'desk-1'",
                &[],
            )
            .unwrap()
            .get(0)
    };
    assert_eq!(sessions(&pg), 1);
    // Today: the terminal's retention removes them here, then from the room once the room has
    // the record of that prune.
    clock.set(chrono::Utc::now());
    let (records, rows) = kiosk.prune_audit().unwrap();
    assert!(records > 0 && rows == 1, "{records} {rows}");
    assert_eq!(
        kiosk.room_prune().unwrap(),
        1,
        "the session alone: the prune is not there yet"
    );
    send_all(&kiosk);
    let gone = kiosk.room_prune().unwrap();
    assert_eq!(gone, i64::try_from(records).unwrap());
    let (after, _) = held(&pg, "desk-1");
    assert!(after < before, "{after} of {before}");
    assert_eq!(sessions(&pg), 0);
    // What is left verifies with the terminal's key, and the room sees nothing missing.
    kiosk.room_audit_verify().unwrap();
    let whole = fleet(&pg).room_audit().unwrap();
    assert!(whole[0].sound() && whole[0].missing == 0, "{:?}", whole[0]);
    assert_eq!(kiosk.room_prune().unwrap(), 0, "nothing more");
    runtime.block_on(handle.shutdown());
}
