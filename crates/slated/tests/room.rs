//! A room of terminals as it runs in a library: a real PostgreSQL 15 (started by the test as an
//! unprivileged account, over TLS with a test CA; see `slate_core::test_util::postgres`) holds
//! the room, and each terminal is a real `slated` process (the real binary, each on a data folder
//! and a socket of its own, its membership file written there before it starts: three in the
//! first test, two in the others), driven through its socket the way the kiosk's screen and
//! `slatectl` drive it. Nothing is mocked.
//!
//! What is checked across processes: an account made at one terminal signs in at another; the
//! desk (`slatectl fleet status`, `end`, `end-user`, `message`) at a third sees the person there
//! and ends their sessions within 2 s, audited where they ended; a name slowed by a wrong
//! password at one terminal is slowed at another; `one_terminal_per_person` (`refuse`, then
//! `end_other`); and the database stopped, then killed (`kill -9`), while a session ends: the
//! session ends and is wiped anyway, and once the database is back the terminal's records reach
//! the room exactly once and `slatectl audit verify --room` says the copy is intact.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use slate_core::auth::{hash_password, Password, Username};
use slate_core::room::fleet::{FirstAdmin, Fleet};
use slate_core::room::{Endpoint, Membership, TerminalName};
use slate_core::test_util::postgres::Postgres;
use slate_core::test_util::{ADMIN, ANA};

/// How soon a request from the desk must end a session at another terminal.
const PROMPTLY: Duration = Duration::from_secs(2);

/// A room made as `fleet init` makes it, on a server of its own, with [`ADMIN`] as its first
/// administrator.
struct Room {
    pg: Postgres,
}

impl Room {
    fn new() -> Self {
        let pg = Postgres::start_new();
        pg.create_database("slate");
        let room = Self { pg };
        room.fleet()
            .init(&FirstAdmin {
                username: &Username::parse(ADMIN.0).unwrap(),
                display_name: "The Librarian",
                password_hash: &hash_password(&Password::from(ADMIN.1.to_owned())),
            })
            .unwrap();
        room
    }

    /// The room's database, as its administrator reaches it.
    fn admin(&self) -> Endpoint {
        Endpoint::parse(&self.pg.superuser_url("slate"), Some(self.pg.ca_file())).unwrap()
    }

    fn fleet(&self) -> Fleet {
        Fleet::connect(&self.admin(), Postgres::SUPERUSER_PASSWORD).unwrap()
    }

    /// A terminal added to the room (`fleet add`) and its service started on a new data folder
    /// holding its membership (as `fleet join` leaves it).
    fn terminal(&self, name: &str) -> Service {
        let name = TerminalName::parse(name).unwrap();
        let password = self.fleet().add_terminal(&name, Some("adults")).unwrap();
        let endpoint = self.admin().as_user(&name.role()).unwrap();
        Service::start(name.as_str(), |data| {
            Membership::new(name.clone(), endpoint, password)
                .save(data)
                .unwrap();
        })
    }

    /// What `sql` prints, run by the database's superuser.
    fn sql(&self, sql: &str) -> String {
        self.pg.psql("slate", sql)
    }

    /// Waits (up to 10 s) until the room holds `n` open sessions of `username` (a terminal sends
    /// its sessions with its audit records, as they are written).
    fn until_open_sessions(&self, username: &str, n: usize) {
        let sql = format!(
            "SELECT count(*) FROM slate.sessions WHERE username = '{username}' AND ended_at IS NULL"
        );
        until(
            &format!("{n} open sessions of {username} in the room"),
            Duration::from_secs(10),
            || (self.sql(&sql) == n.to_string()).then_some(()),
        );
    }
}

/// Calls `f` every 50 ms until it says something, for up to `within`.
fn until<T>(what: &str, within: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(t) = f() {
            return t;
        }
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running `slated` on a data folder of its own (its log in a file beside it), stopped
/// (SIGTERM) when dropped.
struct Service {
    name: String,
    child: Child,
    socket: PathBuf,
    tmp: tempfile::TempDir,
}

impl Service {
    /// Starts the service on a data folder that `prepare` has filled first.
    fn start(name: &str, prepare: impl FnOnce(&Path)) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
        prepare(&data);
        let policy = tmp.path().join("policy.toml");
        std::fs::write(&policy, "").unwrap();
        let socket = tmp.path().join("run").join("slate.sock");
        let log = std::fs::File::create(tmp.path().join("slated.log")).unwrap();
        // As the unit runs it: no new privileges, and only the capabilities it keeps.
        let child = Command::new("setpriv")
            .args([
                "--no-new-privs",
                "--bounding-set=-all,+chown,+fowner,+dac_override",
                "--",
            ])
            .arg(assert_cmd::cargo::cargo_bin("slated"))
            .arg("--data-dir")
            .arg(&data)
            .arg("--policy")
            .arg(&policy)
            .arg("--socket")
            .arg(&socket)
            .env("SLATE_LOG", "warn")
            .stderr(log)
            .spawn()
            .expect("slated starts");
        let service = Self {
            name: name.to_owned(),
            child,
            socket,
            tmp,
        };
        until(
            &format!("{name}'s service listening"),
            Duration::from_secs(30),
            || service.socket.exists().then_some(()),
        );
        service
    }

    /// What the service has logged (warnings and errors).
    fn log(&self) -> String {
        std::fs::read_to_string(self.tmp.path().join("slated.log")).unwrap_or_default()
    }

    /// The kiosk's screen, connected and subscribed.
    fn screen(&self) -> Screen {
        let mut screen = Screen::connect(&self.socket);
        screen.ok("subscribe", None);
        screen
    }

    /// `slatectl` (the real binary, as root) through this service's socket, with `stdin`: its
    /// exit code, standard output and standard error.
    fn slatectl(&self, args: &[&str], stdin: &str) -> (i32, String, String) {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("slatectl"))
            .arg("--socket")
            .arg(&self.socket)
            .args(args)
            .env_remove("SLATE_DATA_DIR")
            .env_remove("SLATE_SOCKET")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// [`Service::slatectl`] that must succeed: what it printed.
    fn ctl(&self, args: &[&str], stdin: &str) -> String {
        let (code, out, err) = self.slatectl(args, stdin);
        assert_eq!(
            code,
            0,
            "{} {args:?}: {out}{err}\n{}",
            self.name,
            self.log()
        );
        out
    }

    /// This terminal's audit records of `event`, newest first, each with its details parsed.
    fn audit(&self, event: &str) -> Vec<Value> {
        let out = self.ctl(&["--json", "audit", "list", "--event", event], "");
        let mut records: Vec<Value> = serde_json::from_str(&out).unwrap();
        for r in &mut records {
            r["details"] = serde_json::from_str(r["details"].as_str().unwrap()).unwrap();
        }
        records
    }

    /// The desk's view of `terminal` from this one (`fleet status`), once `ready` says yes (up
    /// to 10 s: a terminal tells the room its state just after the status changes).
    fn desk_until(&self, terminal: &str, ready: impl Fn(&Value) -> bool) -> Value {
        until(
            &format!("{terminal} as the desk at {} sees it", self.name),
            Duration::from_secs(10),
            || {
                let all: Vec<Value> =
                    serde_json::from_str(&self.ctl(&["--json", "fleet", "status"], "")).unwrap();
                all.into_iter().find(|t| t["name"] == terminal && ready(t))
            },
        )
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        slate_core::test_util::stop_service(&mut self.child);
    }
}

/// Writes one frame: a 4-byte big-endian length, then JSON.
fn write_frame(stream: &Mutex<UnixStream>, message: &Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(message).unwrap();
    let mut stream = stream.lock().unwrap();
    stream.write_all(&u32::try_from(body.len()).unwrap().to_be_bytes())?;
    stream.write_all(&body)
}

fn read_frame(stream: &mut UnixStream) -> Option<Value> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).ok()?;
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the service sends JSON"))
}

/// The kiosk's screen on a service's socket. A thread reads everything the service sends and
/// answers each wipe order at once (nothing removed), as the screen does, so that a session
/// ended from elsewhere is wiped while the test does something else; replies and statuses come
/// to the test through a channel.
struct Screen {
    writer: Arc<Mutex<UnixStream>>,
    inbox: mpsc::Receiver<Value>,
    next_id: u64,
    /// Statuses heard and not yet looked for, oldest first.
    statuses: Vec<Value>,
}

impl Screen {
    fn connect(socket: &Path) -> Self {
        let mut reader = UnixStream::connect(socket).expect("the socket accepts");
        let writer = Arc::new(Mutex::new(reader.try_clone().unwrap()));
        let (tx, inbox) = mpsc::channel();
        let answers = Arc::clone(&writer);
        std::thread::spawn(move || {
            while let Some(m) = read_frame(&mut reader) {
                if m["kind"] == "order" {
                    let answer = json!({ "v": 1, "id": 0, "call": "wiped", "args": {
                        "job": m["job"], "outcome": { "Ok": { "items": 0, "bytes": 0 } } } });
                    let _ = write_frame(&answers, &answer);
                } else if tx.send(m).is_err() {
                    return;
                }
            }
        });
        Self {
            writer,
            inbox,
            next_id: 1,
            statuses: Vec::new(),
        }
    }

    /// The reply to `call` (statuses on the way are kept).
    fn call(&mut self, call: &str, args: Option<Value>) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut request = json!({ "v": 1, "id": id, "call": call });
        if let Some(args) = args {
            request["args"] = args;
        }
        write_frame(&self.writer, &request).unwrap();
        loop {
            let m = self
                .inbox
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|e| panic!("no reply to {call}: {e}"));
            if m["kind"] == "reply" && m["id"] == json!(id) {
                return m;
            }
            if m["kind"] == "status" {
                self.statuses.push(m["status"].clone());
            }
        }
    }

    fn ok(&mut self, call: &str, args: Option<Value>) -> Value {
        let reply = self.call(call, args);
        assert!(reply.get("ok").is_some(), "{call}: {reply}");
        reply["ok"].clone()
    }

    /// The reply to signing `username` in with `password`, from the sign-in screen (a
    /// signed-out screen before it is dismissed).
    fn sign_in(&mut self, username: &str, password: &str) -> Value {
        let _ = self.call("dismiss_signed_out", None);
        self.call(
            "sign_in",
            Some(json!({ "username": username, "password": password })),
        )
    }

    /// Signs `who` in; the session's screen.
    fn sign_in_ok(&mut self, who: (&str, &str)) -> Value {
        let reply = self.sign_in(who.0, who.1);
        let screen = &reply["ok"]["value"]["screen"];
        assert_eq!(screen["kind"], "session", "{}: {reply}", who.0);
        screen.clone()
    }

    /// Forgets the statuses heard so far.
    fn forget(&mut self) {
        while self.inbox.try_recv().is_ok() {}
        self.statuses.clear();
    }

    /// The first status heard (already or within `within`) whose screen `wanted` accepts; the
    /// statuses before it are forgotten.
    fn status_where(&mut self, within: Duration, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + within;
        loop {
            if let Some(i) = self.statuses.iter().position(|s| wanted(&s["screen"])) {
                let status = self.statuses.remove(i);
                self.statuses.drain(..i);
                return status;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.inbox.recv_timeout(left) {
                Ok(m) if m["kind"] == "status" => self.statuses.push(m["status"].clone()),
                // (A reply nobody waits for: a request sent with `write_frame` alone.)
                Ok(_) => {}
                Err(e) => panic!(
                    "no such status within {within:?} ({e}): {:#?}",
                    self.statuses
                ),
            }
        }
    }

    /// Waits (up to 10 s) for the session to end, wiped, as `reason`; how long it took from
    /// `asked`.
    fn ended(&mut self, reason: &str, asked: Instant) -> Duration {
        let status = self.status_where(Duration::from_secs(10), |s| s["kind"] == "signed_out");
        let took = asked.elapsed();
        assert_eq!(status["screen"]["reason"], reason, "{status}");
        assert_eq!(status["screen"]["erased"], true, "{status}");
        took
    }
}

/// The code of a refused reply, and its sentence.
fn refusal(reply: &Value) -> (String, String) {
    let e = &reply["error"];
    assert!(e.is_object(), "not refused: {reply}");
    (
        e["code"].as_str().unwrap().to_owned(),
        e["message"].as_str().unwrap().to_owned(),
    )
}

/// Adds [`ANA`] with `slatectl user add` through `service`.
fn add_ana(service: &Service) {
    service.ctl(
        &[
            "user",
            "add",
            ANA.0,
            "--display-name",
            "Ana",
            "--password-stdin",
        ],
        &format!("{}\n", ANA.1),
    );
}

#[test]
fn an_account_made_at_one_terminal_is_served_and_ended_at_others_by_the_desk() {
    let room = Room::new();
    let [a, b, c] = ["desk-1", "desk-2", "desk-3"].map(|name| room.terminal(name));
    let (mut at_a, mut at_b) = (a.screen(), b.screen());

    // Ana's account made with the panel at A (the room's administrator signed in there), Ben's
    // with slatectl through A's service; C lists both.
    at_a.sign_in_ok(ADMIN);
    at_a.ok(
        "admin",
        Some(
            json!({ "action": "add_user", "username": ANA.0, "display_name": "Ana",
            "password": ANA.1, "admin": false }),
        ),
    );
    at_a.ok("sign_out", None);
    a.ctl(
        &[
            "user",
            "add",
            "ben",
            "--display-name",
            "Ben",
            "--password-stdin",
        ],
        "ben's passphrase\n",
    );
    let users: Value = serde_json::from_str(&c.ctl(&["--json", "user", "list"], "")).unwrap();
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "ana", "ben"]);

    // Ana signs in at B; the desk at C sees her there.
    at_b.sign_in_ok(ANA);
    let seen = c.desk_until("desk-2", |t| t["state"] == "in_use");
    assert_eq!(
        (&seen["who"], &seen["username"], &seen["online"]),
        (&json!("Ana"), &json!("ana"), &json!(true)),
        "{seen}"
    );

    // `fleet end desk-2` at C: B's session ends, wiped, and B's audit says who asked from where.
    at_b.forget();
    let asked = Instant::now();
    let said = c.ctl(&["fleet", "end", "desk-2"], "");
    assert!(said.contains("Asked desk-2 to end its session"), "{said}");
    let took = at_b.ended("admin", asked);
    eprintln!("fleet end at desk-3: desk-2's session ended {took:?} after the command started");
    assert!(took <= PROMPTLY, "{took:?}\n{}", b.log());
    let ended = b.audit("session_ended_by_admin");
    assert_eq!(ended.len(), 1, "{ended:#?}");
    assert_eq!(
        ended[0]["details"],
        json!({ "by": "slatectl (uid 0)", "from_terminal": "desk-3" })
    );
    assert_eq!(ended[0]["username"], "ana");

    log_out_everywhere(&room, &c, &mut at_a, &mut at_b);
    a_message_reaches_b(&b, &c, &mut at_b);

    // The audit as a whole: each service checked its own chain in the room without being
    // asked (at its first send), and told the room; nothing is missing anywhere.
    let whole = until(
        "every terminal's own check in the room",
        Duration::from_secs(30),
        || {
            let chains = room.fleet().room_audit().ok()?;
            let checked = chains
                .iter()
                .all(|c| c.check.as_ref().is_some_and(|k| k.ok));
            (chains.len() == 3 && checked).then_some(chains)
        },
    );
    assert!(
        whole
            .iter()
            .all(slate_core::room::checks::ChainInRoom::sound),
        "{whole:#?}"
    );
}

/// Ana at A and at B; `fleet end-user ana` at C ends both sessions.
fn log_out_everywhere(room: &Room, c: &Service, at_a: &mut Screen, at_b: &mut Screen) {
    at_a.sign_in_ok(ANA);
    at_b.sign_in_ok(ANA);
    room.until_open_sessions(ANA.0, 2);
    at_a.forget();
    at_b.forget();
    let asked = Instant::now();
    let said = c.ctl(&["fleet", "end-user", ANA.0], "");
    assert!(
        said.contains("Asked 2 terminals to end ana's session."),
        "{said}"
    );
    for (name, screen) in [("desk-1", at_a), ("desk-2", at_b)] {
        let took = screen.ended("admin", asked);
        eprintln!("fleet end-user at desk-3: {name}'s session ended {took:?} after the command");
        assert!(took <= PROMPTLY, "{name}: {took:?}");
    }
    room.until_open_sessions(ANA.0, 0);
}

/// `fleet message desk-2 …` at C: shown in B's session (from desk-3), audited at B by its
/// length, never its words.
fn a_message_reaches_b(b: &Service, c: &Service, at_b: &mut Screen) {
    const TEXT: &str = "Your print is ready at the desk.";
    at_b.sign_in_ok(ANA);
    c.desk_until("desk-2", |t| t["state"] == "in_use");
    at_b.forget();
    let said = c.ctl(&["fleet", "message", "desk-2", TEXT], "");
    assert!(said.contains("Sent the message to desk-2."), "{said}");
    let shown = at_b.status_where(PROMPTLY, |s| !s["staff_message"].is_null());
    let message = &shown["screen"]["staff_message"];
    assert_eq!(
        (&message["text"], &message["from"]),
        (&json!(TEXT), &json!("desk-3"))
    );
    assert_eq!(shown["screen"]["kind"], "session", "{shown}");
    let audited = b.audit("staff_message");
    assert_eq!(audited.len(), 1, "{audited:#?}");
    assert_eq!(audited[0]["details"]["chars"], 32);
    assert_eq!(audited[0]["details"]["from_terminal"], "desk-3");
    assert!(!audited[0].to_string().contains("print"), "never the words");
    at_b.ok("sign_out", None);
}

#[test]
fn a_name_slowed_by_a_wrong_password_at_one_terminal_is_slowed_at_another() {
    let room = Room::new();
    let [a, b] = ["desk-1", "desk-2"].map(|name| room.terminal(name));
    add_ana(&a);
    let (mut at_a, mut at_b) = (a.screen(), b.screen());

    // A wrong password at A: at B, right away, even the right one waits its second.
    let (code, _) = refusal(&at_a.sign_in(ANA.0, "not her passphrase"));
    assert_eq!(code, "bad_credentials");
    let slowed = at_b.sign_in(ANA.0, ANA.1);
    assert_eq!(refusal(&slowed).0, "throttled", "{slowed}");
    assert_eq!(slowed["error"]["retry_after_secs"], 1, "{slowed}");
    let failed = b.audit("sign_in_failed");
    assert_eq!(failed[0]["details"]["reason"], "throttled", "{failed:#?}");
    // The name alone: another signs in at B meanwhile.
    at_b.sign_in_ok(ADMIN);
    at_b.ok("sign_out", None);

    // Its wait over, a second wrong password, at B: A now makes her wait two seconds (the
    // count is the room's), then lets her in.
    std::thread::sleep(Duration::from_millis(1100));
    let (code, _) = refusal(&at_b.sign_in(ANA.0, "still not it"));
    assert_eq!(code, "bad_credentials");
    let slowed = at_a.sign_in(ANA.0, ANA.1);
    assert_eq!(refusal(&slowed).0, "throttled", "{slowed}");
    assert_eq!(slowed["error"]["retry_after_secs"], 2, "{slowed}");
    std::thread::sleep(Duration::from_millis(2100));
    at_a.sign_in_ok(ANA);
}

#[test]
fn a_person_signed_in_at_one_terminal_is_refused_at_another_when_the_room_says_so() {
    let room = Room::new();
    let [a, b] = ["desk-1", "desk-2"].map(|name| room.terminal(name));
    add_ana(&a);
    b.ctl(&["config", "set", "one_terminal_per_person", "refuse"], "");
    let (mut at_a, mut at_b) = (a.screen(), b.screen());

    // refuse: one sentence naming where she is; A's session goes on.
    at_a.sign_in_ok(ANA);
    room.until_open_sessions(ANA.0, 1);
    let (code, message) = refusal(&at_b.sign_in(ANA.0, ANA.1));
    assert_eq!(code, "not_now");
    assert_eq!(
        message,
        "You are signed in at desk-1. Sign out there first, or ask staff."
    );
    assert_eq!(
        at_a.ok("app_status", None)["value"]["screen"]["kind"],
        "session"
    );
    let refused = b.ctl(
        &["--json", "audit", "list", "--reason", "signed_in_elsewhere"],
        "",
    );
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&refused).unwrap().len(),
        1
    );
    // Signed out at A: let in at B.
    at_a.ok("sign_out", None);
    room.until_open_sessions(ANA.0, 0);
    at_b.sign_in_ok(ANA);
    at_b.ok("sign_out", None);

    // end_other: let in at B, and A's session ends, audited at A as her own request from B.
    b.ctl(
        &["config", "set", "one_terminal_per_person", "end_other"],
        "",
    );
    at_a.sign_in_ok(ANA);
    room.until_open_sessions(ANA.0, 1);
    at_a.forget();
    let asked = Instant::now();
    at_b.sign_in_ok(ANA);
    let took = at_a.ended("admin", asked);
    eprintln!("end_other: desk-1's session ended {took:?} after the sign-in at desk-2 began");
    assert!(took <= PROMPTLY, "{took:?}");
    let ended = a.audit("session_ended_by_admin");
    assert_eq!(
        ended[0]["details"]["by"], "ana, signing in at desk-2",
        "{ended:#?}"
    );
}

/// Waits (up to 60 s: the service tries a room that was away again after a wait that doubles)
/// until the room holds every record of `service`'s (terminal `name`), then checks it holds
/// each once and in order, that `audit verify --room` says the copy is intact, and that every
/// session the room holds of the terminal has ended.
fn records_in_the_room_once(room: &Room, service: &Service, name: &str) {
    let started = Instant::now();
    let verified = until(
        &format!("{name}'s records in the room"),
        Duration::from_secs(60),
        || {
            let (code, out, _) = service.slatectl(&["--json", "audit", "verify", "--room"], "");
            let report: Value = serde_json::from_str(&out).ok()?;
            (code == 0 && report["behind"] == 0).then_some(report)
        },
    );
    eprintln!(
        "{name}'s records reached the room {:?} after it was back",
        started.elapsed()
    );
    let records = verified["records"].as_u64().unwrap();
    let held = room.sql(&format!(
        "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq)
         FROM slate.audit WHERE terminal = '{name}'"
    ));
    let held: Vec<u64> = held.split(' ').map(|n| n.parse().unwrap()).collect();
    assert_eq!(
        held,
        [records, records, 1, records],
        "count, distinct, first, last"
    );
    let said = service.ctl(&["audit", "verify", "--room"], "");
    assert!(
        said.contains(&format!(
            "The room's copy of this terminal's audit log is intact: {records} records."
        )),
        "{said}"
    );
    let open = room.sql(&format!(
        "SELECT count(*) FROM slate.sessions
         WHERE terminal = '{name}' AND (ended_at IS NULL OR erased IS NOT TRUE)"
    ));
    assert_eq!(
        open, "0",
        "every session the room holds of {name} ended, wiped"
    );
}

/// The desk at `desk` sees `terminal` ready and online again, once the room is back (the
/// terminal tells it again when it reconnects).
fn back_at_the_desk(desk: &Service, terminal: &str) {
    let started = Instant::now();
    desk.desk_until(terminal, |t| t["state"] == "ready" && t["online"] == true);
    eprintln!(
        "{terminal} ready at the desk {:?} after its records were in",
        started.elapsed()
    );
}

#[test]
fn with_the_database_stopped_or_killed_a_session_ends_and_its_records_follow_once() {
    let mut room = Room::new();
    let [a, b] = ["desk-1", "desk-2"].map(|name| room.terminal(name));
    add_ana(&a);
    let (mut at_a, mut at_b) = (a.screen(), b.screen());

    // Stopped (a fast shutdown) during Ana's session at A: ended from the socket, wiped as
    // usual; meanwhile B cannot sign a room account in, and says so.
    at_a.sign_in_ok(ANA);
    room.until_open_sessions(ANA.0, 1);
    room.pg.stop();
    at_a.forget();
    let asked = Instant::now();
    at_a.ok("end_session", None);
    let took = at_a.ended("admin", asked);
    eprintln!("the database stopped: the session at desk-1 ended in {took:?}");
    assert!(took <= PROMPTLY, "{took:?}\n{}", a.log());
    let (code, message) = refusal(&at_b.sign_in(ANA.0, ANA.1));
    assert_eq!(code, "source_unavailable");
    assert_eq!(
        message,
        "Sign-in is not available right now; please ask staff."
    );
    room.pg.start();
    records_in_the_room_once(&room, &a, "desk-1");
    back_at_the_desk(&b, "desk-1");
    at_b.sign_in_ok(ANA);
    at_b.ok("sign_out", None);

    // Killed (kill -9) while Ana's next session at A is ending: the same.
    at_a.sign_in_ok(ANA);
    room.until_open_sessions(ANA.0, 1);
    at_a.forget();
    let asked = Instant::now();
    write_frame(
        &at_a.writer,
        &json!({ "v": 1, "id": 999, "call": "sign_out" }),
    )
    .unwrap();
    room.pg.crash();
    let took = at_a.ended("user", asked);
    eprintln!("the database killed: the session at desk-1 ended in {took:?}");
    assert!(took <= PROMPTLY, "{took:?}\n{}", a.log());
    room.pg.start();
    records_in_the_room_once(&room, &a, "desk-1");
    back_at_the_desk(&b, "desk-1");
}
