//! The session service on its real socket: the real `slated` binary on a real data folder,
//! driven the way the kiosk's screen and an administrator's tool will drive it. Who may connect
//! (the kernel's peer credentials: a third account is refused), what each may ask for, and bad
//! messages (garbage, an unknown call, another version, 10 MB, a frame cut short, a client gone
//! mid-call): one sentence each, nothing changed, and the service goes on serving.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A running `slated` on a data folder of its own, stopped (SIGTERM) when dropped.
struct Service {
    child: Child,
    socket: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Service {
    fn start(screen_user: Option<&str>) -> Self {
        Self::start_on(screen_user, |_| {})
    }

    /// [`Service::start`], on a data folder that `prepare` has filled first.
    fn start_on(screen_user: Option<&str>, prepare: impl FnOnce(&Path)) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        // Other accounts must reach the socket (the service decides who may use it), never
        // the data folder.
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
        prepare(&data);
        let policy = tmp.path().join("policy.toml");
        std::fs::write(&policy, "").unwrap();
        std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o644)).unwrap();
        let socket = tmp.path().join("run").join("slate.sock");
        // As the unit runs it, where the test can: no new privileges and only the three
        // capabilities packaging/slated.service keeps (setpriv, from util-linux).
        let mut cmd = Command::new("setpriv");
        cmd.args([
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
        // The database check waits a second, not twenty, for a screen (most of these tests
        // have none).
        .env("SLATE_TEST_SHORT_BOUNDS", "1");
        if let Some(user) = screen_user {
            cmd.args(["--screen-user", user]);
        }
        let child = cmd.spawn().expect("slated starts");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "slated never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            socket,
            _tmp: tmp,
        }
    }

    fn connect(&self) -> Client {
        Client::new(&self.socket)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        slate_core::test_util::stop_service(&mut self.child);
    }
}

/// One connection, speaking frames: a 4-byte big-endian length, then JSON.
struct Client {
    stream: UnixStream,
    next_id: u64,
    /// The statuses received while waiting for replies, oldest first.
    statuses: Vec<Value>,
    /// The wipe orders received and answered (as the screen does), as "step surface".
    orders: Vec<String>,
}

impl Client {
    fn new(socket: &Path) -> Self {
        let stream = UnixStream::connect(socket).expect("the socket accepts");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        Self {
            stream,
            next_id: 1,
            statuses: Vec::new(),
            orders: Vec::new(),
        }
    }

    fn send_raw(&mut self, body: &[u8]) {
        let len = u32::try_from(body.len()).unwrap().to_be_bytes();
        self.stream.write_all(&len).unwrap();
        self.stream.write_all(body).unwrap();
    }

    /// The next message, or `None` once the service has closed the connection. A wipe order is
    /// answered at once (nothing removed), as the screen would, and noted.
    fn receive(&mut self) -> Option<Value> {
        loop {
            let m = self.receive_any()?;
            if m["kind"] != "order" {
                return Some(m);
            }
            self.orders.push(format!(
                "{} {}",
                m["step"].as_str().unwrap(),
                m["surface"].as_str().unwrap()
            ));
            let answer = json!({ "v": 1, "id": 0, "call": "wiped",
                "args": { "job": m["job"], "outcome": { "Ok": { "items": 0, "bytes": 0 } } } });
            self.send_raw(&serde_json::to_vec(&answer).unwrap());
        }
    }

    fn receive_any(&mut self) -> Option<Value> {
        let mut len = [0u8; 4];
        match self.stream.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return None,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return None,
            Err(e) => panic!("reading a message: {e}"),
        }
        let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
        self.stream.read_exact(&mut body).unwrap();
        Some(serde_json::from_slice(&body).expect("the service sends JSON"))
    }

    /// The reply to request `id` (statuses on the way are kept for [`Client::status_of_kind`]).
    fn reply_to(&mut self, id: Option<u64>) -> Value {
        loop {
            let m = self
                .receive()
                .expect("a reply before the connection closes");
            if m["kind"] == "reply" && (id.is_none() || m["id"] == json!(id)) {
                return m;
            }
            if m["kind"] == "status" {
                self.statuses.push(m["status"].clone());
            }
        }
    }

    /// The first status announced (already or from now on) whose screen is `kind`.
    fn status_of_kind(&mut self, kind: &str) -> Value {
        loop {
            if let Some(i) = self
                .statuses
                .iter()
                .position(|s| s["screen"]["kind"] == kind)
            {
                return self.statuses.remove(i);
            }
            let m = self
                .receive()
                .expect("statuses until the connection closes");
            if m["kind"] == "status" {
                self.statuses.push(m["status"].clone());
            }
        }
    }

    fn call(&mut self, call: &str, args: Option<Value>) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut request = json!({ "v": 1, "id": id, "call": call });
        if let Some(args) = args {
            request["args"] = args;
        }
        self.send_raw(&serde_json::to_vec(&request).unwrap());
        self.reply_to(Some(id))
    }

    fn ok(&mut self, call: &str, args: Option<Value>) -> Value {
        let reply = self.call(call, args);
        assert!(reply.get("ok").is_some(), "{call}: {reply}");
        reply["ok"].clone()
    }

    fn screen(&mut self) -> Value {
        self.ok("app_status", None)["value"]["screen"].clone()
    }
}

/// The one sentence of a refused reply, with its code.
fn refused(reply: &Value, code: &str) -> String {
    assert_eq!(reply["error"]["code"], code, "{reply}");
    let message = reply["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.ends_with('.') && !message.contains('\n'),
        "{message}"
    );
    message
}

/// Sets the kiosk up and signs the administrator in, through the socket.
fn set_up_and_sign_in(c: &mut Client) -> Value {
    c.ok(
        "create_first_admin",
        Some(json!({ "username": "admin", "displayName": "The Librarian", "password": "admin passphrase" })),
    );
    let status = c.ok(
        "sign_in",
        Some(json!({ "username": "admin", "password": "admin passphrase" })),
    );
    assert_eq!(status["value"]["screen"]["kind"], "session", "{status}");
    status["value"]["screen"].clone()
}

#[test]
fn the_screen_drives_a_session_through_the_socket_and_hears_every_status() {
    let service = Service::start(None);
    let mut c = service.connect();
    assert_eq!(c.ok("subscribe", None)["type"], "done");
    // The current status at once.
    c.status_of_kind("first_run");
    set_up_and_sign_in(&mut c);
    // The subscription hears the session start.
    let heard = c.status_of_kind("session");
    assert_eq!(heard["screen"]["account"], "admin", "{heard}");
    assert_eq!(c.ok("report_activity", None)["type"], "done");
    let status = c.ok("sign_out", None);
    assert_eq!(status["value"]["screen"]["kind"], "signed_out", "{status}");
    // The surfaces only the screen reaches were wiped and checked through it, in order: the
    // browser before the core's, the rest after.
    assert_eq!(
        c.orders,
        [
            "wipe browser",
            "check browser",
            "wipe recently_used",
            "check recently_used",
            "wipe webview_data",
            "check webview_data",
            "wipe clipboard",
            "check clipboard",
            "wipe notifications",
            "check notifications",
        ]
    );
    assert_eq!(status["value"]["screen"]["erased"], true, "{status}");
    c.ok("dismiss_signed_out", None);
    let refusal = c.call(
        "sign_in",
        Some(json!({ "username": "nobody", "password": "not a password" })),
    )["error"]
        .clone();
    assert_eq!(refusal["code"], "bad_credentials", "{refusal}");
}

#[test]
fn a_screen_that_goes_away_ends_its_session_and_a_screen_back_wipes_it() {
    let service = Service::start(None);
    let mut first = service.connect();
    first.ok("subscribe", None);
    set_up_and_sign_in(&mut first);
    // The screen is killed in the session: the session ends at once (fail closed), and its
    // ending waits a little for a screen to wipe the screen's surfaces.
    drop(first);
    let mut next = service.connect();
    next.ok("subscribe", None);
    let ended = next.status_of_kind("signed_out");
    assert_eq!(ended["screen"]["reason"], "recovered", "{ended}");
    assert_eq!(ended["screen"]["erased"], true, "{ended}");
    assert_eq!(next.orders.len(), 10, "{:?}", next.orders);

    // No screen comes back: the ending is not fully erased, and the terminal needs attention
    // until a screen is back to wipe what is left.
    next.ok("dismiss_signed_out", None);
    let live = next.ok(
        "sign_in",
        Some(json!({ "username": "admin", "password": "admin passphrase" })),
    );
    assert_eq!(live["value"]["screen"]["kind"], "session", "{live}");
    drop(next);
    let mut watcher = service.connect();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let screen = watcher.screen();
        if screen["kind"] == "needs_attention" {
            assert!(
                screen["message"]
                    .as_str()
                    .unwrap()
                    .contains("could not be fully erased"),
                "{screen}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never needed attention: {screen}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut back = service.connect();
    back.ok("subscribe", None);
    back.status_of_kind("sign_in");
    assert_eq!(back.orders.len(), 10, "retried: {:?}", back.orders);
}

#[test]
fn bad_messages_get_one_sentence_and_change_nothing() {
    let service = Service::start(None);
    let mut c = service.connect();
    let live = set_up_and_sign_in(&mut c);

    // Garbage, an unknown call, another version, a field too many: a sentence each, and the
    // same connection still works.
    c.send_raw(b"\xff\xfe not json at all");
    let m = refused(&c.reply_to(None), "invalid_input");
    assert!(m.contains("not a request Slate understands"), "{m}");
    let m = refused(&c.call("format_disk", None), "invalid_input");
    assert!(m.contains("unknown variant `format_disk`"), "{m}");
    c.send_raw(br#"{"v":2,"id":99,"call":"sign_out"}"#);
    let m = refused(&c.reply_to(Some(99)), "invalid_input");
    assert!(m.contains("protocol version 2"), "{m}");
    let m = refused(
        &c.call(
            "ctl",
            Some(json!({ "command": { "FormatDisk": null }, "json": false, "password": null })),
        ),
        "invalid_input",
    );
    assert!(
        m.contains("not a slatectl command this service knows"),
        "{m}"
    );
    assert_eq!(c.screen(), live, "nothing changed");

    // 10 MB: refused by its length alone, then the connection is closed (what follows could
    // not be told from a next message).
    let mut big = service.connect();
    let ten_mb = 10 * 1024 * 1024_u32;
    big.stream.write_all(&ten_mb.to_be_bytes()).unwrap();
    let _ = big.stream.write_all(&vec![b'x'; 64 * 1024]);
    let m = refused(&big.reply_to(None), "invalid_input");
    assert!(m.contains("larger than 1048576 bytes"), "{m}");
    assert!(big.receive().is_none(), "closed after a message too large");

    // A frame cut short, then the client goes: nothing happens.
    let mut cut = service.connect();
    cut.stream.write_all(&100u32.to_be_bytes()).unwrap();
    cut.stream
        .write_all(br#"{"v":1,"id":1,"call":"sign_"#)
        .unwrap();
    drop(cut);

    // A client that asks to sign out and goes before the answer: the service goes on serving,
    // and the session is either still live or properly ended, never half done.
    let mut gone = service.connect();
    gone.send_raw(br#"{"v":1,"id":1,"call":"sign_out"}"#);
    drop(gone);
    // (With no screen connected, an ending waits a while for one to wipe the screen's
    // surfaces, then says they were not wiped.)
    let mut after = service.connect();
    let deadline = Instant::now() + Duration::from_secs(60);
    let screen = loop {
        std::thread::sleep(Duration::from_millis(200));
        let screen = after.screen();
        if screen["kind"] != "ending" || Instant::now() > deadline {
            break screen;
        }
    };
    assert!(
        screen == live
            || ["signed_out", "needs_attention"].contains(&screen["kind"].as_str().unwrap()),
        "the session is live or ended: {screen}"
    );
    // And the first connection, which sent every bad message, still works.
    let _ = c.screen();
}

/// A local account made for a test and removed after it.
struct Account(String);

impl Account {
    fn make(prefix: &str) -> Option<Self> {
        let name = format!("{prefix}{}", std::process::id() % 100_000);
        Command::new("useradd")
            .args(["--no-create-home", "--shell", "/usr/sbin/nologin", &name])
            .status()
            .is_ok_and(|s| s.success())
            .then_some(Self(name))
    }

    fn uid(&self) -> u32 {
        let out = Command::new("id").args(["-u", &self.0]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.0).status();
    }
}

/// Runs this test binary again as `uid`, as the child test below, connecting to `socket` and
/// sending `request`; returns what the service answered (one line of JSON, or "closed").
fn as_account(uid: u32, socket: &Path, request: &Value) -> String {
    // A copy anyone may run: the target folder may be in a home only its owner can enter.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let exe = dir.path().join("socket-test");
    std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::os::unix::process::CommandExt::uid(
        Command::new(&exe)
            .args([
                "--exact",
                "child_connects_and_says_what_it_heard",
                "--nocapture",
            ])
            .env("SLATED_TEST_SOCKET", socket)
            .env("SLATED_TEST_REQUEST", request.to_string()),
        uid,
    )
    .output()
    .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    said.lines()
        .find_map(|l| l.strip_prefix("heard: "))
        .unwrap_or_else(|| panic!("the child said nothing: {said}"))
        .to_owned()
}

/// Only as the child of [`as_account`]; otherwise it does nothing.
#[test]
fn child_connects_and_says_what_it_heard() {
    let Some(socket) = std::env::var_os("SLATED_TEST_SOCKET") else {
        return;
    };
    let request = std::env::var("SLATED_TEST_REQUEST").unwrap();
    let mut c = Client::new(Path::new(&socket));
    // The service may have closed before this is written (a refused peer): that is an answer.
    let _ = c
        .stream
        .write_all(&u32::try_from(request.len()).unwrap().to_be_bytes())
        .and_then(|()| c.stream.write_all(request.as_bytes()));
    match c.receive() {
        Some(m) => println!("heard: {m}"),
        None => println!("heard: closed"),
    }
}

#[test]
fn only_the_kiosk_account_and_administrators_may_use_the_socket() {
    let (Some(kiosk), Some(stranger)) = (Account::make("slk"), Account::make("sls")) else {
        eprintln!("skipped: making accounts needs root and useradd");
        return;
    };
    let service = Service::start(Some(&kiosk.0));
    let status = json!({ "v": 1, "id": 1, "call": "app_status" });

    // The kiosk account is the screen.
    let heard: Value =
        serde_json::from_str(&as_account(kiosk.uid(), &service.socket, &status)).expect("a reply");
    assert_eq!(
        heard["ok"]["value"]["screen"]["kind"], "first_run",
        "{heard}"
    );

    // The screen drives the session; it does not administer the terminal.
    for call in ["end_session", "ctl"] {
        let request = json!({ "v": 1, "id": 2, "call": call, "args":
            (call == "ctl").then(|| json!({ "command": "Status", "json": false, "password": null })) });
        let heard: Value =
            serde_json::from_str(&as_account(kiosk.uid(), &service.socket, &request)).unwrap();
        let m = refused(&heard, "refused");
        assert!(m.contains(&format!("may not ask for {call}")), "{m}");
    }

    // Anyone else is refused at once, with one sentence naming who may.
    let heard: Value = serde_json::from_str(&as_account(stranger.uid(), &service.socket, &status))
        .expect("a refusal");
    let m = refused(&heard, "refused");
    assert!(
        m.contains(&format!("(the account {})", kiosk.0))
            && m.contains(&format!("uid {} is neither", stranger.uid())),
        "{m}"
    );

    // Root is an administrator: it may look and end the session, not drive it.
    let mut root = service.connect();
    assert_eq!(root.screen()["kind"], "first_run");
    let m = refused(&root.call("sign_in_guest", None), "refused");
    assert!(
        m.contains("An administrator's tool may not ask for sign_in_guest"),
        "{m}"
    );
    let ended = root.call("end_session", None);
    assert!(ended.get("error").is_some(), "nobody is signed in: {ended}");
}

/// Runs `slatectl` (a copy anyone may run) with `args`, as `uid` (`None`: as this test), on the
/// service's socket, with `stdin`: its exit code, standard output and standard error.
fn slatectl(uid: Option<u32>, socket: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let exe = dir.path().join("slatectl");
    std::fs::copy(assert_cmd::cargo::cargo_bin("slatectl"), &exe).unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = Command::new(&exe);
    cmd.arg("--socket")
        .arg(socket)
        .args(args)
        .env_remove("SLATE_DATA_DIR")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if let Some(uid) = uid {
        std::os::unix::process::CommandExt::uid(&mut cmd, uid);
    }
    let mut child = cmd.spawn().unwrap();
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

/// The group `slate-admin` for the test, with `member` in it; removed after if the test made it.
struct AdminGroup(bool);

impl AdminGroup {
    fn with(member: &Account) -> Self {
        let made = Command::new("groupadd")
            .arg("slate-admin")
            .status()
            .is_ok_and(|s| s.success());
        let added = Command::new("usermod")
            .args(["--append", "--groups", "slate-admin", &member.0])
            .status()
            .is_ok_and(|s| s.success());
        assert!(added, "usermod adds {} to slate-admin", member.0);
        Self(made)
    }
}

impl Drop for AdminGroup {
    fn drop(&mut self) {
        if self.0 {
            let _ = Command::new("groupdel").arg("slate-admin").status();
        }
    }
}

#[test]
fn slatectl_runs_in_the_service_for_administrators_alone_and_acts_at_once() {
    let (Some(admin), Some(stranger)) = (Account::make("sla"), Account::make("slx")) else {
        eprintln!("skipped: making accounts needs root and useradd");
        return;
    };
    // Who is an administrator is read when the service starts.
    let _group = AdminGroup::with(&admin);
    let service = Service::start(None);
    let socket = &service.socket;

    // Root sets the terminal up through the service; the password comes on standard input.
    let (code, out, err) = slatectl(
        None,
        socket,
        &["init", "--admin", "boss", "--password-stdin"],
        "a long passphrase\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.trim(), "Created administrator boss.");

    // A member of slate-admin, who cannot open the data folder, changes a setting; the audit
    // names that account.
    let (code, out, err) = slatectl(
        Some(admin.uid()),
        socket,
        &["config", "set", "guests_allowed", "true"],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = slatectl(None, socket, &["audit", "list", "--json"], "");
    assert_eq!(code, 0);
    let records: Vec<Value> = serde_json::from_str(&out).unwrap();
    let change = records
        .iter()
        .filter(|r| r["event"] == "setting_changed")
        .map(|r| serde_json::from_str::<Value>(r["details"].as_str().unwrap()).unwrap())
        .find(|d| d["key"] == "guests_allowed")
        .expect("the change is in the audit log");
    assert_eq!(
        change["by"],
        format!("slatectl (uid {})", admin.uid()),
        "{change}"
    );

    // Anyone else hears one sentence and changes nothing, with the refusal's exit code.
    for args in [
        &["status"][..],
        &["config", "set", "guests_allowed", "false"],
    ] {
        let (code, out, err) = slatectl(Some(stranger.uid()), socket, args, "");
        assert_eq!(code, 9, "{out}{err}");
        assert_eq!(
            err.trim(),
            "slatectl: Run this as root or as a member of slate-admin.",
            "{args:?}"
        );
        assert!(out.is_empty(), "{out}");
    }
    let (_, out, _) = slatectl(None, socket, &["config", "get", "guests_allowed"], "");
    assert_eq!(out.trim(), "true", "the stranger changed nothing");

    // A secret from standard input, read by slatectl (the service has no input of its own):
    // set, and never shown back.
    let (code, out, err) = slatectl(
        Some(admin.uid()),
        socket,
        &["config", "set", "ldap_bind_password", "-"],
        "hunter2 hunter2\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !out.contains("hunter2") && !err.contains("hunter2"),
        "{out}{err}"
    );
    let (_, out, _) = slatectl(None, socket, &["config", "get", "ldap_bind_password"], "");
    assert_eq!(out.trim(), "(set)");

    // An error is the command's own sentence and exit code, as on the data folder.
    let (code, _, err) = slatectl(None, socket, &["user", "remove", "boss"], "");
    assert_eq!(code, 9, "{err}");
    assert!(err.contains("boss is the last administrator"), "{err}");

    // The export is written by slatectl, as the account that ran it, from what the service
    // sends back.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.csv");
    let (code, _, err) = slatectl(
        None,
        socket,
        &[
            "audit",
            "export",
            "--format",
            "csv",
            "--output",
            file.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(csv.starts_with("seq,at,"), "{csv}");
    assert!(csv.contains("guests_allowed"), "{csv}");

    // `session end` through the service ends the live session now, not at the next poll.
    let mut screen = service.connect();
    screen.ok("subscribe", None);
    screen.ok("sign_in_guest", None);
    screen.status_of_kind("session");
    let (code, out, err) = slatectl(None, socket, &["session", "end"], "");
    assert_eq!(code, 0, "{out}{err}");
    let ended = screen.status_of_kind("signed_out");
    assert_eq!(ended["screen"]["reason"], "admin", "{ended}");

    monitored_through_the_service(socket, admin.uid());
}

/// `status` through the service: it says the service runs and for how long, the check says OK,
/// and the metrics count the session `session end` ended.
fn monitored_through_the_service(socket: &Path, admin: u32) {
    let (code, out, err) = slatectl(None, socket, &["--json", "status"], "");
    assert_eq!(code, 0, "{out}{err}");
    let status: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["service"], "running", "{status}");
    assert!(status["uptime_secs"].as_u64().is_some(), "{status}");
    let (code, out, err) = slatectl(Some(admin), socket, &["status", "--check"], "");
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.starts_with("SLATE OK - "), "{out}");
    let (code, out, _) = slatectl(None, socket, &["status", "--metrics"], "");
    assert_eq!(code, 0);
    assert!(out.contains("\nslate_service_uptime_seconds "), "{out}");
    assert!(
        out.contains("slate_session_endings_total{reason=\"admin\"} 1"),
        "{out}"
    );
}

/// A kiosk set up in `data` through the core, with `records` more audit records, the file then
/// closed (its write-ahead log folded in).
fn kiosk_with_records(data: &Path, records: usize) {
    use slate_core::audit::Actor;
    let kiosk = slate_core::Kiosk::open(slate_core::datadir::DataDir::prepare(Some(data)).unwrap())
        .unwrap();
    kiosk
        .create_first_admin(
            &Actor::System,
            "admin",
            "The Librarian",
            &"admin passphrase".to_owned().into(),
        )
        .unwrap();
    for _ in 0..records {
        kiosk.record_kiosk_left("admin").unwrap();
    }
}

#[test]
fn a_damaged_page_found_after_the_start_puts_the_terminal_on_needs_attention() {
    let service = Service::start_on(None, |data| {
        kiosk_with_records(data, 800);
        // A page in the middle of the file (audit records, far from anything the start reads):
        // its cells scribbled over, as a bad disk would.
        let path = data.join("slate.db");
        let mut bytes = std::fs::read(&path).unwrap();
        let page = 4096;
        let middle = bytes.len() / page / 2;
        for b in &mut bytes[middle * page + 8..middle * page + 600] {
            *b = 0xff;
        }
        std::fs::write(&path, &bytes).unwrap();
    });
    // The service starts without reading the whole file, then its check finds the damage.
    let mut c = service.connect();
    let deadline = Instant::now() + Duration::from_secs(30);
    let screen = loop {
        let screen = c.screen();
        if screen["kind"] == "needs_attention" {
            break screen;
        }
        assert!(
            Instant::now() < deadline,
            "never needed attention: {screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let message = screen["message"].as_str().unwrap();
    assert!(message.contains("is damaged"), "{message}");
    // Nobody can sign in on it.
    let reply = c.call(
        "sign_in",
        Some(json!({ "username": "admin", "password": "admin passphrase" })),
    );
    assert!(
        refused(&reply, "needs_attention").contains("is damaged"),
        "{reply}"
    );
}

#[test]
fn an_undamaged_file_is_checked_after_the_start_and_the_terminal_stays_open() {
    let service = Service::start_on(None, |data| kiosk_with_records(data, 50));
    let mut c = service.connect();
    // The check runs once the service serves (after a second without a screen, then two for
    // a screen's page to draw); give it time to finish.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(c.screen()["kind"], "sign_in");
    let status = c.ok(
        "sign_in",
        Some(json!({ "username": "admin", "password": "admin passphrase" })),
    );
    assert_eq!(status["value"]["screen"]["kind"], "session", "{status}");
}

/// The service sends each audit record to a real rsyslog over TLS as it is written (it wakes on
/// the database's writes); the collector stopped, the records wait and `audit forward status`
/// says why; started again, they arrive, once each, in order.
#[test]
fn the_service_forwards_the_audit_to_rsyslog_as_it_is_written() {
    use slate_core::test_util::rsyslog::Rsyslog;
    let mut collector = Rsyslog::start_new();
    let service = Service::start(None);
    let socket = &service.socket;
    let ctl = |args: &[&str], stdin: &str| {
        let (code, out, err) = slatectl(None, socket, args, stdin);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        out
    };
    ctl(
        &["init", "--admin", "boss", "--password-stdin"],
        "a long passphrase\n",
    );
    let ca = collector.ca_file().display().to_string();
    ctl(&["config", "set", "audit_forward_ca_file", &ca], "");
    ctl(
        &["config", "set", "audit_forward_url", &collector.url()],
        "",
    );
    let status = |ctl: &dyn Fn(&[&str], &str) -> String| -> Value {
        serde_json::from_str(&ctl(&["--json", "audit", "forward", "status"], "")).unwrap()
    };
    let seqs = |lines: &[String]| -> Vec<i64> {
        slate_core::audit::anchors_in(&lines.join("\n"))
            .into_iter()
            .map(|(seq, _)| seq)
            .collect()
    };
    let head = status(&ctl)["head_seq"].as_i64().unwrap();
    assert_eq!(
        seqs(&collector.received(usize::try_from(head).unwrap())),
        (1..=head).collect::<Vec<_>>()
    );
    // Gone: the next record waits, and status says why.
    collector.stop();
    ctl(&["config", "set", "guests_allowed", "true"], "");
    let deadline = Instant::now() + Duration::from_secs(20);
    let waiting = loop {
        let s = status(&ctl);
        if s["error"].is_string() {
            break s;
        }
        assert!(Instant::now() < deadline, "no failed try: {s}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(waiting["behind"], 1, "{waiting}");
    // Back: it arrives at the next try, once.
    collector.start();
    let all = head + 1;
    let lines = collector.received(usize::try_from(all).unwrap());
    assert_eq!(seqs(&lines), (1..=all).collect::<Vec<_>>(), "{lines:#?}");
}
