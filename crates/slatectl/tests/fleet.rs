//! `slatectl fleet` as a library's IT person uses it, the real binary against a real PostgreSQL
//! 15 (started here as an unprivileged account, over TLS with a test CA; see
//! `slate_core::test_util::postgres`): the room made, two terminals added and joined, an account
//! added at one and listed at the other, the room's settings for every terminal, a group and a
//! terminal, bad input refused in one sentence with nothing kept, a terminal revoked, and a
//! terminal leaving its room.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use slate_core::test_util::postgres::Postgres;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn slatectl(data_dir: Option<&Path>, args: &[&str], stdin: &str) -> Out {
    let mut cmd = Command::cargo_bin("slatectl").unwrap();
    cmd.env_remove("SLATE_SOCKET")
        .env_remove("SLATE_DATA_DIR")
        .env("PGPASSWORD", Postgres::SUPERUSER_PASSWORD);
    if let Some(d) = data_dir {
        cmd.arg("--data-dir").arg(d);
    }
    let out = cmd.args(args).write_stdin(stdin).output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(data_dir: Option<&Path>, args: &[&str], stdin: &str) -> String {
    let out = slatectl(data_dir, args, stdin);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout
}

fn private_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
        .unwrap()
}

/// A refusal: one sentence on standard error, nothing on standard output.
fn refused(out: &Out, words: &str) {
    assert_ne!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.contains(words), "{}", out.stderr);
}

#[test]
fn from_an_empty_database_to_two_terminals_sharing_accounts() {
    let pg = Postgres::start_new();
    pg.create_database("slate");
    let url = pg.superuser_url("slate");
    let ca = pg.ca_file();
    let ca = ca.to_str().unwrap();
    let db = ["--url", url.as_str(), "--ca", ca];
    let with = |head: &[&'static str], tail: &[&'static str]| -> Vec<&'static str> {
        head.iter().chain(tail).copied().collect()
    };
    let db: [&'static str; 4] = db.map(|s| &*s.to_owned().leak());
    let init = with(
        &with(&["fleet", "init"], &db),
        &[
            "--admin",
            "admin",
            "--display-name",
            "Head librarian",
            "--password-stdin",
        ],
    );
    let said = ok(None, &init, "admin passphrase\n");
    assert!(said.contains("first administrator is admin"), "{said}");
    // Again: up to date, nobody made twice.
    let said = ok(None, &init, "admin passphrase\n");
    assert!(said.contains("had an administrator already"), "{said}");

    let terminals: Vec<_> = ["desk-1", "desk-2"]
        .into_iter()
        .map(|name| add_and_join(&pg, &db, name))
        .collect();
    let (one, two) = (terminals[0].path(), terminals[1].path());

    // An account added at one terminal is listed at the other.
    ok(
        Some(one),
        &[
            "user",
            "add",
            "ana",
            "--display-name",
            "Ana",
            "--password-stdin",
        ],
        "ana's passphrase\n",
    );
    let users: Value =
        serde_json::from_str(&ok(Some(two), &["--json", "user", "list"], "")).unwrap();
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "ana"]);

    let listed = ok(None, &with(&["fleet", "terminals"], &db), "");
    assert!(
        listed.contains("desk-1") && listed.contains("desk-2"),
        "{listed}"
    );

    refuses_bad_input(&db);

    settings_for_the_room(&db, one, two);

    // The audit as a whole: desk-1 checks its chain in the room, and the room's administrator
    // sees every terminal's.
    ok(Some(one), &["audit", "verify", "--room"], "");
    let whole = ok(None, &with(&["fleet", "audit"], &db), "");
    assert!(
        whole.contains("desk-1: no records yet; checked by the terminal at")
            && whole.contains("desk-2: no records yet; not checked by the terminal yet.")
            && whole.contains("The room's audit is whole"),
        "{whole}"
    );

    desk_from_a_terminal(one);

    // Revoked: the terminal's next use of the room is refused, in one sentence.
    let said = ok(None, &with(&["fleet", "revoke", "desk-2"], &db), "");
    assert!(said.contains("Revoked terminal desk-2"), "{said}");
    refused(
        &slatectl(Some(two), &["user", "list"], ""),
        "not permitted to log in",
    );

    // Leaving: the terminal's own accounts again (none), its credential gone from the disk.
    let said = ok(Some(one), &["fleet", "leave"], "");
    assert!(said.contains("in no room now"), "{said}");
    assert!(!one.join("room.toml").exists());
    let users: Value =
        serde_json::from_str(&ok(Some(one), &["--json", "user", "list"], "")).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 0);
    refused(&slatectl(Some(one), &["fleet", "leave"], ""), "in no room");
    refused(
        &slatectl(Some(one), &["fleet", "status"], ""),
        "This terminal is in no room.",
    );
}

/// Bad input: one sentence each, nothing changed.
fn refuses_bad_input(db: &[&str]) {
    // Bad input: one sentence each, nothing changed.
    refused(
        &slatectl(None, &[&["fleet", "add", "Desk_1"], db].concat(), ""),
        "is not a terminal name",
    );
    refused(
        &slatectl(None, &[&["fleet", "add", "desk-1"], db].concat(), ""),
        "in the room already",
    );
    refused(
        &slatectl(
            None,
            &[
                "fleet",
                "terminals",
                "--url",
                "postgres://postgres:pw@127.0.0.1/slate",
            ],
            "",
        ),
        "holds a password",
    );
    refused(
        &slatectl(None, &["fleet", "terminals", "--url", "mysql://x/y"], ""),
        "not a PostgreSQL URL",
    );
    refused(
        &slatectl(None, &[&["fleet", "revoke", "desk-9"], db].concat(), ""),
        "no terminal desk-9",
    );
}

/// The desk's view from a terminal (its own connection makes it online; desk-2 has not
/// connected since it joined), and its requests.
fn desk_from_a_terminal(one: &Path) {
    let status = ok(Some(one), &["fleet", "status"], "");
    assert!(
        status.contains("desk-1") && status.contains("adults"),
        "{status}"
    );
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("desk-2") && l.contains("offline (last heard never)")),
        "{status}"
    );
    let said = ok(Some(one), &["fleet", "end", "desk-2"], "");
    assert!(said.contains("Nobody is signed in at desk-2."), "{said}");
    let said = ok(Some(one), &["fleet", "end-user", "ana"], "");
    assert!(
        said.contains("Asked 0 terminals to end ana's session."),
        "{said}"
    );
    refused(
        &slatectl(Some(one), &["fleet", "end", "desk-9"], ""),
        "no terminal desk-9",
    );
    let said = ok(Some(one), &["audit", "verify", "--room"], "");
    assert!(
        said.contains("The room's copy of this terminal's audit log is intact: 0 records.")
            && said.contains("more, not sent yet"),
        "{said}"
    );
    let said = ok(Some(one), &["fleet", "message", "desk-2", "Hello"], "");
    assert!(said.contains("Nobody is signed in at desk-2."), "{said}");
    refused(
        &slatectl(Some(one), &["fleet", "message", "desk-2", " "], ""),
        "A message has 1 to 500 characters.",
    );
}

/// The room's settings from the command line: for every terminal, a group, a terminal; what
/// each terminal has in force; bad input refused in one sentence with nothing kept.
fn settings_for_the_room(db: &[&'static str], one: &Path, two: &Path) {
    let fleet = |args: &[&'static str]| -> Vec<&'static str> { [&["fleet"], args, db].concat() };
    let said = ok(None, &fleet(&["set", "idle_timeout", "10 minutes"]), "");
    assert_eq!(said.trim(), "Set idle_timeout to 10m for every terminal.");
    let said = ok(None, &fleet(&["group", "desk-2", "children"]), "");
    assert_eq!(said.trim(), "Terminal desk-2 is in the group children now.");
    ok(
        None,
        &fleet(&["set", "idle_timeout", "3m", "--group", "children"]),
        "",
    );
    ok(
        None,
        &fleet(&["set", "guests_allowed", "true", "--terminal", "desk-1"]),
        "",
    );
    let get = |dir: &Path, key: &str| -> Value {
        serde_json::from_str(&ok(Some(dir), &["--json", "config", "get", key], "")).unwrap()
    };
    assert_eq!(get(one, "idle_timeout")["value"], "600");
    assert_eq!(get(one, "idle_timeout")["layer"], "room");
    assert_eq!(get(two, "idle_timeout")["value"], "180");
    assert_eq!(
        get(two, "idle_timeout")["file"],
        "the room, for the group children"
    );
    assert_eq!(get(one, "guests_allowed")["layer"], "terminal");
    assert_eq!(get(two, "guests_allowed")["layer"], "default");
    let listed = ok(None, &fleet(&["settings"]), "");
    assert!(
        listed.contains("every terminal: idle_timeout = 10m")
            && listed.contains("group children: idle_timeout = 3m")
            && listed.contains("terminal desk-1: guests_allowed = true"),
        "{listed}"
    );
    bad_room_settings(&fleet);
    let listed = ok(None, &[&["--json", "fleet", "settings"], db].concat(), "");
    let rows: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(rows["settings"].as_array().unwrap().len(), 3, "{listed}");
    // Removed for the group: the room's value applies there again.
    let unset = fleet(&["unset", "idle_timeout", "--group", "children"]);
    let said = ok(None, &unset, "");
    assert!(said.contains("Removed"), "{said}");
    assert_eq!(get(two, "idle_timeout")["value"], "600");
    let said = ok(None, &unset, "");
    assert!(said.contains("nothing changed"), "{said}");
}

/// `fleet set` and `fleet group` refuse bad input in one sentence, keeping nothing.
fn bad_room_settings(fleet: &dyn Fn(&[&'static str]) -> Vec<&'static str>) {
    refused(
        &slatectl(None, &fleet(&["set", "idle_timeout", "forever"]), ""),
        "idle_timeout",
    );
    refused(
        &slatectl(None, &fleet(&["set", "no_such_key", "1"]), ""),
        "There is no setting called",
    );
    refused(
        &slatectl(
            None,
            &fleet(&["set", "idle_timeout", "5m", "--terminal", "Desk 9"]),
            "",
        ),
        "terminal",
    );
    refused(
        &slatectl(None, &fleet(&["group", "desk-9", "children"]), ""),
        "The room has no terminal desk-9.",
    );
    refused(
        &slatectl(
            None,
            &fleet(&["set", "idle_timeout", "5m", "--terminal", "desk-9"]),
            "",
        ),
        "the room has no terminal desk-9",
    );
    refused(
        &slatectl(None, &fleet(&["group", "desk-1", " padded "]), ""),
        "A group's name is 1 to 40 characters",
    );
    // A group no terminal is in yet: kept, with a warning.
    let out = slatectl(
        None,
        &fleet(&["set", "idle_timeout", "4m", "--group", "later"]),
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("No terminal is in the group later yet"),
        "{}",
        out.stderr
    );
    ok(
        None,
        &fleet(&["unset", "idle_timeout", "--group", "later"]),
        "",
    );
    let both = fleet(&[
        "set",
        "idle_timeout",
        "5m",
        "--group",
        "a",
        "--terminal",
        "desk-1",
    ]);
    let out = slatectl(None, &both, "");
    assert_eq!(out.code, 2, "{}", out.stderr);
}

/// `fleet add NAME` with the administrator's URL, then `fleet join` on a new data folder (a
/// wrong password first); the folder.
fn add_and_join(pg: &Postgres, db: &[&str], name: &str) -> tempfile::TempDir {
    let ca = db[3];
    let add = [&["--json", "fleet", "add", name, "--group", "adults"], db].concat();
    let added: Value = serde_json::from_str(&ok(None, &add, "")).unwrap();
    assert_eq!(added["role"], format!("slate_t_{}", name.replace('-', "_")));
    let password = added["password"].as_str().unwrap().to_owned();
    let dir = private_dir();
    // Joined by the URL without a user (the terminal's role is filled in).
    let room_url = format!("postgres://127.0.0.1:{}/slate", pg.port());
    let join = [
        "fleet",
        "join",
        name,
        "--url",
        &room_url,
        "--ca",
        ca,
        "--password-stdin",
    ];
    // A wrong password first: one sentence, and the terminal is in no room.
    refused(
        &slatectl(Some(dir.path()), &join, "not the password\n"),
        "password authentication failed",
    );
    assert!(!dir.path().join("room.toml").exists());
    let said = ok(Some(dir.path()), &join, &format!("{password}\n"));
    assert!(
        said.contains(&format!("This terminal is {name} in the room")),
        "{said}"
    );
    let mode = std::fs::metadata(dir.path().join("room.toml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    dir
}
