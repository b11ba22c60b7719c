//! End-to-end harness: the real `slate` binary, driven through `tauri-driver` and
//! `WebKitWebDriver` (under the Xvfb display and private D-Bus session that `make test` provides).
//!
//! Each test gets its own driver on free ports and its own temporary data folder, so tests run in
//! parallel safely. [`with_kiosk`] launches the app, runs the test body, and when the body panics
//! saves a screenshot and the app's log under `target/e2e-artifacts/<test>/` before re-raising.
//!
//! ```no_run
//! # async fn demo() {
//! slate_e2e::with_kiosk("first_run", async |k| {
//!     k.wait_for_text("Set up this kiosk").await;
//!     k.type_into("Username", "ana").await;
//! })
//! .await;
//! # }
//! ```

pub mod logind;
pub mod notifications;
pub mod procfs;
pub mod report;
pub mod service;
pub mod site;

use std::net::TcpListener;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt;
use serde_json::{json, Value};

/// How long finders and waits try before failing the test.
pub const WAIT: Duration = Duration::from_secs(15);

/// The longest one attempt to open a WebDriver session may take (it starts the app, usually in
/// about a second).
const SESSION_WAIT: Duration = Duration::from_secs(60);

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The target folder (`CARGO_TARGET_DIR`, or `target/` in the workspace).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// The `slate` binary under test: `SLATE_BIN`, or the debug build in the target folder.
pub fn slate_bin() -> PathBuf {
    let bin = std::env::var_os("SLATE_BIN")
        .map_or_else(|| target_dir().join("debug/slate"), PathBuf::from);
    assert!(
        bin.exists(),
        "{} does not exist: build it first (`make test` does)",
        bin.display()
    );
    bin
}

/// The release build of `slate` (`make test` builds it; the packages are made from it).
pub fn release_slate_bin() -> PathBuf {
    let bin = target_dir().join("release/slate");
    assert!(
        bin.exists(),
        "{} does not exist: build it with `cargo build --release -p slate --bins` (`make test` does)",
        bin.display()
    );
    bin
}

/// The `slatectl` binary beside [`slate_bin`].
pub fn slatectl_bin() -> PathBuf {
    slate_bin().with_file_name("slatectl")
}

/// A temporary folder with mode 0700, to be a data folder as it is: Slate refuses an existing
/// folder other accounts can read or write (tempfile's own follow the umask, usually 0755).
pub fn private_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
        .expect("a temporary folder")
}

/// The policy file the kiosk and `slatectl` use in tests of `data_dir`: `test-policy.toml`
/// inside it, created empty (no keys) when missing, so the machine's `/etc/slate/policy.toml`
/// never leaks in. Tests write keys into it to lock settings.
pub fn policy_file(data_dir: &Path) -> PathBuf {
    use std::os::unix::fs::DirBuilderExt;
    let path = data_dir.join("test-policy.toml");
    if !path.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(data_dir)
            .expect("the data folder");
        std::fs::write(&path, "# No policy: the test's own settings apply.\n")
            .expect("an empty policy file");
    }
    path
}

/// Runs `slatectl --data-dir DIR ARGS…` with `stdin` (and, like the kiosk under test, the
/// debug-only short session bounds), and panics with its stderr if it fails:
/// tests use it to prepare a data folder (accounts, settings) before launching the kiosk.
pub fn slatectl(data_dir: &Path, args: &[&str], stdin: &str) -> String {
    let (code, stdout, stderr) = slatectl_status(data_dir, args, stdin);
    assert!(code == 0, "slatectl {args:?} failed: {stderr}");
    stdout
}

/// Runs `slatectl` as [`slatectl`] does, whatever its exit: the exit code, standard output and
/// standard error.
pub fn slatectl_status(data_dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(slatectl_bin())
        .env("SLATE_TEST_SHORT_BOUNDS", "1")
        .env("SLATE_POLICY", policy_file(data_dir))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("slatectl runs");
    child
        .stdin
        .take()
        .expect("a stdin pipe")
        .write_all(stdin.as_bytes())
        .expect("stdin accepted");
    let out = child.wait_with_output().expect("slatectl finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The last ten sessions of `data_dir`, newest first, as `slatectl --json session list` gives them.
pub fn recent_sessions(data_dir: &Path) -> Value {
    serde_json::from_str(&slatectl(
        data_dir,
        &["--json", "session", "list", "--recent", "10"],
        "",
    ))
    .expect("slatectl prints JSON")
}

/// The audit records of one event (newest first, up to 100), as `slatectl --json audit list`
/// gives them.
pub fn audit_records(data_dir: &Path, event: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(&slatectl(
        data_dir,
        &[
            "--json", "audit", "list", "--event", event, "--limit", "100",
        ],
        "",
    ))
    .expect("slatectl prints JSON");
    v.as_array().expect("a list").clone()
}

/// A data folder set up through `slatectl` as an administrator would: an administrator
/// (`admin` / "admin passphrase"), the user `ana` ("Ana" / "ana's passphrase"), and `settings`
/// applied in order.
pub fn prepared_data_dir(settings: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = private_tempdir();
    slatectl(
        dir.path(),
        &[
            "init",
            "--admin",
            "admin",
            "--display-name",
            "The Librarian",
            "--password-stdin",
        ],
        "admin passphrase\n",
    );
    slatectl(
        dir.path(),
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
    for (key, value) in settings {
        slatectl(dir.path(), &["config", "set", key, value], "");
    }
    dir
}

/// WebDriver key codes, for typing with the keyboard alone.
pub mod keys {
    pub const TAB: &str = "\u{e004}";
    pub const ENTER: &str = "\u{e007}";
    pub const SHIFT_TAB: &str = "\u{e008}\u{e004}\u{e008}";
    pub const ARROW_RIGHT: &str = "\u{e014}";
    /// Press (and, sent again, release) Control.
    pub const CONTROL: &str = "\u{e009}";
}

/// `tauri-driver`: `TAURI_DRIVER`, or the pinned copy `make` installs in `.tools/bin`, or PATH.
pub fn tauri_driver_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let pinned = workspace_root().join(".tools/bin/tauri-driver");
    if pinned.exists() {
        pinned
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// Where failing tests leave their screenshot and log.
pub fn artifacts_dir() -> PathBuf {
    target_dir().join("e2e-artifacts")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Fails early, in one sentence, when the test is not inside a display and a D-Bus session.
fn require_session() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "end-to-end tests need an X display: run them through `make test` (Xvfb)"
    );
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "end-to-end tests need a D-Bus session: run them through `make test` (dbus-run-session)"
    );
}

/// How to launch the kiosk for one test.
#[derive(Debug, Default, Clone)]
pub struct Launch {
    /// Use this data folder instead of a fresh empty one.
    pub data_dir: Option<PathBuf>,
    /// Extra command-line arguments for `slate`.
    pub args: Vec<String>,
    /// Extra environment for the driver and the app it starts.
    pub env: Vec<(String, String)>,
    /// Another `slate` binary (the release build) instead of [`slate_bin`].
    pub binary: Option<PathBuf>,
    /// The size of the kiosk's display (default 1280×800); the window is sized to fit it.
    pub screen: Option<(u32, u32)>,
    /// Connect to this running session service's socket ([`service::Service`], on
    /// `data_dir`) instead of letting the app start one in its own process.
    pub socket: Option<PathBuf>,
    /// Where that service makes the sessions' folders, when not in `data_dir`
    /// ([`service::Service::sessions_dir`]).
    pub sessions_dir: Option<PathBuf>,
    /// Run the app (and its WebDriver, in a D-Bus session of its own) as this local account,
    /// as the installed kiosk does, instead of the account running the tests.
    pub account: Option<String>,
}

impl Launch {
    /// Launch on an existing data folder.
    pub fn on(dir: &tempfile::TempDir) -> Self {
        Self {
            data_dir: Some(dir.path().to_owned()),
            ..Self::default()
        }
    }
}

/// An X display of one kiosk's own: a real kiosk has its display to itself, and the clipboard
/// is per display, so kiosks of tests running side by side must not share one (one's clipboard
/// wipe would wait on another's selection, and fail).
pub struct OwnDisplay {
    server: Child,
    name: String,
}

impl OwnDisplay {
    /// A new Xvfb display of `width`×`height`, on a free number, stopped when dropped.
    pub fn start(width: u32, height: u32) -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let base = 400 + (std::process::id() % 100) * 50;
        loop {
            let n = base + NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst) % 5000;
            if Path::new(&format!("/tmp/.X{n}-lock")).exists()
                || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            {
                continue;
            }
            let mut server = Command::new("Xvfb")
                .args([
                    &format!(":{n}"),
                    "-screen",
                    "0",
                    &format!("{width}x{height}x24"),
                    "-nolisten",
                    "tcp",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb runs (`make test` installs it)");
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                    return Self {
                        server,
                        name: format!(":{n}"),
                    };
                }
                if server.try_wait().ok().flatten().is_some() || Instant::now() > deadline {
                    let _ = server.kill();
                    let _ = server.wait();
                    break; // taken meanwhile: try the next number
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl OwnDisplay {
    /// Its name, for `DISPLAY` (`:N`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The names of the windows shown on it, sorted (`xdotool search --onlyvisible`).
    pub fn shown_windows(&self) -> Vec<String> {
        let xdotool = |args: &[&str]| {
            Command::new("xdotool")
                .env("DISPLAY", &self.name)
                .args(args)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default()
        };
        let mut names: Vec<String> = xdotool(&["search", "--onlyvisible", "--name", ""])
            .lines()
            .map(|id| xdotool(&["getwindowname", id]).trim().to_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for OwnDisplay {
    fn drop(&mut self) {
        // SIGTERM, so the server removes its socket and lock file.
        let _ = Command::new("kill")
            .args(["-TERM", &self.server.id().to_string()])
            .status();
        let _ = self.server.wait();
    }
}

/// `tauri-driver`, to run as the account running the tests, or as `account` (whose files go in
/// `folder`, given to it).
fn driver_command(account: Option<&str>, folder: &Path) -> Command {
    match account {
        None => Command::new(tauri_driver_bin()),
        Some(name) => {
            // As the installed kiosk runs it: the account's own ids and groups, and a D-Bus
            // session of its own (the tests' bus is root's). Its files go in the test's
            // folder, given to it.
            let (uid, gid, home) = account_ids(name);
            std::os::unix::fs::chown(folder, Some(uid), Some(gid)).unwrap();
            // The checkout may be in a folder only its owner can enter (a CI runner's): the
            // account runs copies, in the test's own folder.
            let driver = copy_for_account(&tauri_driver_bin(), folder, uid, gid);
            let mut c = Command::new("setpriv");
            c.args([
                &format!("--reuid={uid}"),
                &format!("--regid={gid}"),
                "--init-groups",
                "--",
                "dbus-run-session",
                "--",
            ])
            .arg(driver)
            .env("HOME", home)
            .env("USER", name)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("XDG_RUNTIME_DIR")
            // cargo's (root's toolchain): WebKit's sandbox would bind it, and cannot.
            .env_remove("LD_LIBRARY_PATH")
            // The outer xvfb-run's, root's alone; the kiosk's own display needs none.
            .env_remove("XAUTHORITY");
            std::os::unix::process::CommandExt::process_group(&mut c, 0);
            c
        }
    }
}

/// A copy of the program `binary` in `folder`, the account `uid`'s to run (0755).
fn copy_for_account(binary: &Path, folder: &Path, uid: u32, gid: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let copy = folder.join(binary.file_name().expect("a program's name"));
    std::fs::copy(binary, &copy)
        .unwrap_or_else(|e| panic!("cannot copy {}: {e}", binary.display()));
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::chown(&copy, Some(uid), Some(gid)).unwrap();
    copy
}

/// One running kiosk and the WebDriver session attached to it.
pub struct Kiosk {
    name: String,
    client: Client,
    driver: Child,
    data_dir: PathBuf,
    log_path: PathBuf,
    display: OwnDisplay,
    binary: PathBuf,
    /// What on the app's command line tells it from other tests' (its data folder or socket).
    marker: String,
    /// The folder the sessions' folders are in.
    sessions_dir: PathBuf,
    /// Whether the driver leads a process group of its own (run as another account).
    own_group: bool,
    _tmp: tempfile::TempDir,
}

/// The uid, gid and home of the local account `name` (from `getent passwd`).
pub fn account_ids(name: &str) -> (u32, u32, PathBuf) {
    let out = Command::new("getent")
        .args(["passwd", name])
        .output()
        .expect("getent runs");
    let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let fields: Vec<&str> = line.split(':').collect();
    assert!(fields.len() >= 6, "no account {name}: {line:?}");
    (
        fields[2].parse().unwrap(),
        fields[3].parse().unwrap(),
        PathBuf::from(fields[5]),
    )
}

/// Launches a fresh kiosk, runs `body` against it and shuts it down. On a panic in `body`, saves
/// `screenshot.png` and `app.log` under `target/e2e-artifacts/<name>/`, then re-raises.
pub async fn with_kiosk(name: &str, body: impl AsyncFnOnce(&Kiosk)) {
    with_kiosk_launched(name, Launch::default(), body).await;
}

/// [`with_kiosk`] with launch options.
pub async fn with_kiosk_launched(name: &str, launch: Launch, body: impl AsyncFnOnce(&Kiosk)) {
    let kiosk = Kiosk::launch(name, launch).await;
    let outcome = AssertUnwindSafe(body(&kiosk)).catch_unwind().await;
    if let Err(panic) = outcome {
        kiosk.save_artifacts().await;
        kiosk.close().await;
        std::panic::resume_unwind(panic);
    }
    kiosk.close().await;
}

/// Opens the WebDriver session that starts the app: once the driver listens, one request. (A
/// second request after one that reached the driver finds the app already automated, and its
/// session never opens: seen under load when requests were retried.)
async fn open_session(
    url: &str,
    port: u16,
    caps: &serde_json::Map<String, Value>,
    log_path: &Path,
) -> fantoccini::Client {
    let log = || std::fs::read_to_string(log_path).unwrap_or_default();
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "tauri-driver did not listen within {WAIT:?}\n{}",
            log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A session that never comes fails the test instead of holding the whole suite.
    tokio::time::timeout(
        SESSION_WAIT,
        ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(url),
    )
    .await
    .unwrap_or_else(|_| {
        panic!(
            "the WebDriver session did not open within {SESSION_WAIT:?}\n{}",
            log()
        )
    })
    .unwrap_or_else(|e| panic!("no WebDriver session with the kiosk: {e}\n{}", log()))
}

impl Kiosk {
    /// Starts `tauri-driver` on free ports and opens a WebDriver session on the `slate` binary.
    pub async fn launch(name: &str, launch: Launch) -> Self {
        require_session();
        let tmp = tempfile::Builder::new()
            .prefix(&format!("slate-e2e-{name}-"))
            .tempdir()
            .expect("a temporary folder");
        let data_dir = launch
            .data_dir
            .clone()
            .unwrap_or_else(|| tmp.path().join("data"));
        let log_path = tmp.path().join("app.log");
        let log = std::fs::File::create(&log_path).expect("a log file");
        let (width, height) = launch.screen.unwrap_or((1280, 800));
        let display = OwnDisplay::start(width, height);
        let (port, native_port) = (free_port(), free_port());
        let mut driver = driver_command(launch.account.as_deref(), tmp.path());
        let driver = driver
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("SLATE_LOG", "debug")
            // Debug builds only: session timings in seconds, so idle endings can be watched.
            .env("SLATE_TEST_SHORT_BOUNDS", "1")
            // The app's desktop files (recently-used list, webview defaults) stay in the test's
            // own folder, never in the account running the tests.
            .env("XDG_DATA_HOME", tmp.path().join("xdg-data"))
            .env("XDG_CACHE_HOME", tmp.path().join("xdg-cache"))
            .env("SLATE_POLICY", policy_file(&data_dir))
            .env("DISPLAY", &display.name)
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e} (`make test` installs it)",
                    tauri_driver_bin().display()
                )
            });

        let mut args = match &launch.socket {
            Some(socket) => vec!["--socket".to_owned(), socket.display().to_string()],
            None => vec!["--data-dir".to_owned(), data_dir.display().to_string()],
        };
        let marker = args[1].clone();
        args.extend(launch.args);
        let mut binary = launch.binary.clone().unwrap_or_else(slate_bin);
        if let Some(name) = &launch.account {
            let (uid, gid, _) = account_ids(name);
            binary = copy_for_account(&binary, tmp.path(), uid, gid);
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({ "application": binary, "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let client = open_session(&url, port, &caps, &log_path).await;
        let sessions_dir = launch
            .sessions_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("sessions"));
        Self {
            name: name.to_owned(),
            client,
            driver,
            data_dir,
            log_path,
            display,
            binary,
            marker,
            sessions_dir,
            own_group: launch.account.is_some(),
            _tmp: tmp,
        }
    }

    /// The X display the kiosk runs on (its own), for tools that talk to it (`xclip`).
    pub fn display(&self) -> &str {
        &self.display.name
    }

    /// The kiosk's data folder.
    /// Runs `xdotool` on the kiosk's display with `args` (real X input: it reaches the browsing
    /// view, which WebDriver cannot). Panics when it fails.
    pub fn xdotool(&self, args: &[&str]) -> String {
        let out = Command::new("xdotool")
            .env("DISPLAY", &self.display.name)
            .args(args)
            .output()
            .expect("xdotool runs (`make test` installs it)");
        assert!(
            out.status.success(),
            "xdotool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The names of the named windows shown on the kiosk's display, sorted: a dialog a page
    /// opened (printing, a file chooser) would be one more.
    pub fn visible_windows(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .xdotool(&["search", "--onlyvisible", "--name", ""])
            .lines()
            .map(|id| self.xdotool(&["getwindowname", id]).trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect();
        names.sort();
        names
    }

    /// Where the session's browsing view starts, in window coordinates: the bottom of the bar's
    /// line, as Slate's page measures it (it tells the shell the same).
    pub async fn browser_view_top(&self) -> u32 {
        let top = self
            .eval("return Math.round(document.getElementById('browser-area').getBoundingClientRect().bottom)")
            .await;
        u32::try_from(top.as_u64().expect("a number")).expect("a small number")
    }

    /// Moves the pointer to (`x`, `y`) of the kiosk's window (window coordinates) and, with
    /// `click`, presses the first button there.
    pub fn pointer_at(&self, x: u32, y: u32, click: bool) {
        let found = self.xdotool(&["search", "--name", "^Slate$"]);
        let window = found.lines().next().expect("the kiosk's window").to_owned();
        let (x, y) = (x.to_string(), y.to_string());
        self.xdotool(&["mousemove", "--window", &window, &x, &y]);
        if click {
            self.xdotool(&["click", "1"]);
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The folder (My files) of the live session.
    pub fn session_folder(&self) -> PathBuf {
        std::fs::read_dir(&self.sessions_dir)
            .expect("the sessions folder")
            .flatten()
            .next()
            .expect("the session has a folder")
            .path()
    }

    /// The WebDriver client, for anything the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Everything the app and the drivers wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The process id of this test's app (`slate`, or the binary of [`Launch::binary`]), found by
    /// its data folder (or its service's socket) on the command line.
    pub fn app_pid(&self) -> Option<u32> {
        let needle = &self.marker;
        std::fs::read_dir("/proc")
            .ok()?
            .flatten()
            .find_map(|entry| {
                let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
                let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
                let mut parts = cmdline.split(|b| *b == 0);
                let exe = parts.next()?;
                let is_slate = Path::new(std::str::from_utf8(exe).ok()?).file_name()?
                    == self.binary.file_name()?;
                let has_dir = parts.any(|p| p == needle.as_bytes());
                (is_slate && has_dir).then_some(pid)
            })
    }

    /// Milliseconds from the start of the app's process to the frame that shows the sign-in
    /// screen: the page marks the frame that draws each screen (`ui/src/draw.ts`) on the wall
    /// clock; the process's start comes from `/proc` (a clock tick, 10 ms, of resolution).
    pub async fn start_to_sign_in_ms(&self) -> f64 {
        let shown_wall_ms = loop {
            let v = self
                .eval(
                    "const m = performance.getEntriesByName('slate:shown:sign_in');
                     return m.length ? performance.timeOrigin + m[0].startTime : null;",
                )
                .await;
            if let Some(ms) = v.as_f64() {
                break ms;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let pid = self.app_pid().expect("the kiosk runs");
        let started = procfs::started_since_boot(pid).expect("its start time");
        let (up, wall_ms) = procfs::uptime_and_wall_ms();
        shown_wall_ms - (wall_ms - (up - started) * 1000.0)
    }

    /// Sends a signal to this test's `slate` process (e.g. `"KILL"`, `"TERM"`) and waits up to
    /// 10 s for it to exit.
    pub async fn signal_app(&self, signal: &str) {
        let pid = self.app_pid().expect("the app is running");
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} {pid}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Path::new(&format!("/proc/{pid}")).exists() {
            // A zombie has no cmdline left; it has exited.
            if std::fs::read(format!("/proc/{pid}/cmdline")).map_or(true, |c| c.is_empty()) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "slate {pid} did not exit after SIG{signal}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Finds a form control or button by its accessible label: a `<label for>`, an
    /// `aria-label`, or a button's or link's text.
    pub async fn by_label(&self, label: &str) -> Element {
        let l = xpath_literal(label);
        let xpath = format!(
            "//*[@id = //label[normalize-space(.)={l}]/@for] | //*[@aria-label={l}] \
             | //button[normalize-space(.)={l}] | //a[normalize-space(.)={l}]"
        );
        self.wait_displayed(&xpath, &format!("an element labelled {label:?}"))
            .await
    }

    /// Finds an element by ARIA role (explicit, or implicit for buttons, headings, links, text
    /// boxes and forms) and accessible name (its text or `aria-label`; empty matches any).
    pub async fn by_role(&self, role: &str, name: &str) -> Element {
        let implicit = match role {
            "button" => "self::button",
            "heading" => "self::h1 or self::h2 or self::h3 or self::h4",
            "link" => "self::a[@href]",
            "textbox" => "self::input[not(@type) or @type='text' or @type='password']",
            "form" => "self::form",
            _ => "false()",
        };
        let name_test = if name.is_empty() {
            "true()".to_owned()
        } else {
            let n = xpath_literal(name);
            format!("normalize-space(.)={n} or @aria-label={n}")
        };
        let xpath = format!(
            "//*[(@role={} or {implicit}) and ({name_test})]",
            xpath_literal(role)
        );
        self.wait_displayed(&xpath, &format!("role {role} named {name:?}"))
            .await
    }

    /// Clicks the element with this label.
    pub async fn click(&self, label: &str) {
        let element = self.by_label(label).await;
        // Into view first, and settled: WebKitWebDriver scrolls and clicks in one step, and on a
        // long page just redrawn (the panel) its click can land where the element was before the
        // scroll.
        let arg = serde_json::to_value(&element).expect("an element reference");
        self.client
            .execute_async(
                "const [el, done] = arguments; el.scrollIntoView({ block: 'center' });
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![arg],
            )
            .await
            .unwrap_or_else(|e| panic!("cannot scroll to {label:?}: {e}"));
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {label:?}: {e}"));
    }

    /// Types into the field with this label (after clearing it).
    pub async fn type_into(&self, label: &str, text: &str) {
        let field = self.by_label(label).await;
        field.clear().await.ok();
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("cannot type into {label:?}: {e}"));
    }

    /// Presses the confirming button of the administrator panel's confirmation dialog.
    pub async fn confirm_admin(&self) {
        self.client
            .find(fantoccini::Locator::Id("admin-confirm-ok"))
            .await
            .expect("the confirmation dialog's button")
            .click()
            .await
            .expect("a click on it");
    }

    /// Signs in through the sign-in screen and waits for the session screen's "Welcome, NAME".
    pub async fn sign_in(&self, username: &str, password: &str, welcome: &str) {
        self.type_into("Username", username).await;
        self.type_into("Password", password).await;
        self.click("Sign in").await;
        self.by_role("heading", &format!("Welcome, {welcome}"))
            .await;
    }

    /// Asserts that the administrator command refuses whoever is signed in now (not an
    /// administrator), with its sentence.
    pub async fn assert_admin_command_refused(&self) {
        let err = self
            .invoke("admin", json!({ "request": { "action": "settings" } }))
            .await
            .expect_err("the administrator command refuses");
        assert_eq!(err["code"], "refused");
        assert_eq!(
            err["message"],
            "Only an administrator signed in at this terminal can do that."
        );
    }

    /// `times` wrong passwords for `username` through the sign-in command, each refused as
    /// wrong, with the 1 s back-off of a `signin_backoff_cap` of 1 s waited out after each.
    pub async fn wrong_passwords(&self, username: &str, times: usize) {
        for _ in 0..times {
            let err = self
                .invoke(
                    "sign_in",
                    json!({ "request": { "username": username, "password": "wrong guess" } }),
                )
                .await
                .expect_err("a wrong password is refused");
            assert_eq!(err["code"], "bad_credentials", "{err}");
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
    }

    /// Signs out (confirmed), and leaves the signed-out screen with a tap for the sign-in screen.
    pub async fn sign_out_to_sign_in(&self) {
        self.click("Sign out").await;
        self.click("Sign out now").await;
        self.by_role("heading", "You are signed out")
            .await
            .click()
            .await
            .expect("a tap on the signed-out screen");
        self.by_role("heading", "Sign in").await;
    }

    /// Signs in as `ana`, the user of [`prepared_data_dir`].
    pub async fn sign_in_ana(&self) {
        self.sign_in("ana", "ana's passphrase", "Ana").await;
    }

    /// Types into whatever has the keyboard focus (keys from [`keys`] included), as a person at
    /// a keyboard would: no pointer involved.
    pub async fn keyboard(&self, text: &str) {
        let focused = self
            .client
            .active_element()
            .await
            .expect("an element has the focus");
        focused
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("cannot type {text:?}: {e}"));
    }

    /// The accessible label of the focused element (its `<label>`'s text, `aria-label`, or text).
    pub async fn focused_label(&self) -> String {
        self.eval(
            r"const el = document.activeElement;
              if (!el) return '';
              const label = el.id && document.querySelector(`label[for='${el.id}']`);
              return (label && label.textContent.trim()) || el.getAttribute('aria-label') || el.textContent.trim();",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Waits until some visible element's text contains `text`.
    pub async fn wait_for_text(&self, text: &str) {
        let xpath = format!(
            "//body//*[contains(normalize-space(.), {})]",
            xpath_literal(text)
        );
        self.wait_displayed(&xpath, &format!("the text {text:?}"))
            .await;
    }

    /// The visible text of the whole page.
    pub async fn page_text(&self) -> String {
        let body = self
            .client
            .find(Locator::Css("body"))
            .await
            .expect("a body");
        body.text().await.unwrap_or_default()
    }

    /// Calls a Slate command through the page, as the UI does. `Ok` holds the result, `Err` the
    /// error value the command returned (an `IpcError` for Slate's own commands).
    pub async fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        let script = r"
            const [cmd, args, done] = arguments;
            window.__TAURI__.core.invoke(cmd, args).then(
                (v) => done({ ok: v === undefined ? null : v }),
                (e) => done({ err: e === undefined ? null : e }));
        ";
        let out = self
            .client
            .execute_async(script, vec![json!(command), args])
            .await
            .unwrap_or_else(|e| panic!("cannot run invoke({command}) in the page: {e}"));
        match out {
            Value::Object(mut m) if m.contains_key("ok") => Ok(m.remove("ok").unwrap_or_default()),
            Value::Object(mut m) => Err(m.remove("err").unwrap_or_default()),
            other => Err(other),
        }
    }

    /// Waits until `script` (which returns a boolean) returns true in the page.
    pub async fn wait_until(&self, script: &str, what: &str) {
        let deadline = Instant::now() + WAIT;
        while self.eval(script).await != Value::Bool(true) {
            assert!(Instant::now() < deadline, "waited {WAIT:?} for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The WCAG A and AA violations axe-core (pinned in `ui/package.json`) finds on the page as
    /// it is now: for each, its rule, impact and up to five of the elements it names.
    pub async fn axe_violations(&self) -> Vec<Value> {
        let loaded = self.eval("return typeof window.axe === 'object'").await;
        if loaded != json!(true) {
            let path = workspace_root().join("ui/node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (`make test` installs the UI's packages)",
                    path.display()
                )
            });
            self.client
                .execute(&format!("{source}\nreturn true;"), vec![])
                .await
                .expect("axe-core loads into the page");
        }
        let found = self
            .client
            .execute_async(
                // After any animation or transition in progress (a card rising, a tab's colour
                // changing after a click): axe reads colours as drawn at that moment.
                r"const done = arguments[0];
                  Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))
                  .then(() => axe.run(document, {
                    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
                  })).then(
                    (r) => done(r.violations.map((v) => ({
                      rule: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary),
                    }))),
                    (e) => done([{ rule: 'axe failed', help: String(e) }]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        found.as_array().cloned().unwrap_or_default()
    }

    /// Runs a script in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Saves a PNG screenshot of the kiosk's page, after two animation frames so that the
    /// picture shows the DOM as it is now (software rendering can lag a frame behind).
    pub async fn screenshot(&self, path: &Path) {
        let _ = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
                vec![],
            )
            .await;
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("cannot take a screenshot: {e}"));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("a folder for the screenshot");
        }
        std::fs::write(path, png).expect("a writable screenshot path");
    }

    async fn wait_displayed(&self, xpath: &str, what: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(found) = self.client.find_all(Locator::XPath(xpath)).await {
                for el in found {
                    if el.is_displayed().await.unwrap_or(false) {
                        return el;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "waited {WAIT:?} for {what}; the page says:\n{}",
                self.page_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn save_artifacts(&self) {
        let dir = artifacts_dir().join(&self.name);
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join("screenshot.png"), png);
        }
        let _ = std::fs::write(dir.join("app.log"), self.log());
        eprintln!("e2e artifacts saved in {}", dir.display());
    }

    /// Ends the WebDriver session (which closes the app) and stops the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        if self.own_group {
            // The driver runs under dbus-run-session: end the whole group, not just its head.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.driver.id())])
                .status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Every file below `root` whose bytes contain `needle` (symbolic links are not followed): the
/// canary scans of the wipe tests.
pub fn files_containing(root: &Path, needle: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let p = entry.path();
        let Ok(meta) = p.symlink_metadata() else {
            continue;
        };
        if meta.is_dir() {
            out.extend(files_containing(&p, needle));
        } else if meta.is_file() {
            if let Ok(bytes) = std::fs::read(&p) {
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// An XPath string literal for any text, quotes included.
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// The package `make package` built, of `kind` (`deb`, `rpm`): the file ending in `.ext` in
/// `target/release/bundle/KIND/`.
pub fn built_package(kind: &str, ext: &str) -> PathBuf {
    let dir = workspace_root().join("target/release/bundle").join(kind);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (run `make package`)", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == ext))
        .unwrap_or_else(|| panic!("no .{ext} in {} (run `make package`)", dir.display()))
}

/// Runs a machine's command (apt, dpkg, the installed programs) with `args`, and `stdin` if
/// any: whether it succeeded, and what it printed (stdout, then stderr). The installed slatectl
/// finds the machine's service, data and policy by itself: the tests' `SLATE_*` are removed.
pub fn run_on_machine(program: &str, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    use std::io::Write as _;
    let mut child = Command::new(program)
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .env_remove("SLATE_DATA_DIR")
        .env_remove("SLATE_SOCKET")
        .env_remove("SLATE_POLICY")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    if let Some(text) = stdin {
        let _ = child
            .stdin
            .take()
            .expect("a stdin pipe")
            .write_all(text.as_bytes());
    }
    let out = child.wait_with_output().expect("it finishes");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// [`run_on_machine`] without input, which must succeed: what it printed.
pub fn ok_on_machine(program: &str, args: &[&str]) -> String {
    let (success, text) = run_on_machine(program, args, None);
    assert!(success, "{program} {args:?} failed:\n{text}");
    text
}

/// The key combinations that open something on an ordinary desktop, or in a browser, which the
/// kiosk must ignore: tried by `escape_keys.rs` (on the app) and `kiosk_install.rs` (on the
/// installed kiosk under `LightDM`), as `xdotool key` names them.
pub const ESCAPE_KEYS: &[&str] = &[
    "alt+F2",
    "alt+F4",
    "ctrl+alt+t",
    "Super_L",
    "super+e",
    "super+d",
    "alt+Tab",
    "ctrl+alt+Delete",
    "ctrl+alt+BackSpace",
    "ctrl+alt+F2",
    "Print",
    "alt+Print",
    "XF86AudioPlay",
    "XF86AudioRaiseVolume",
    "XF86Mail",
    "XF86WWW",
    "XF86Explorer",
    "XF86Calculator",
    "ctrl+o",
    "ctrl+s",
    "ctrl+p",
    "ctrl+n",
    "ctrl+t",
    "ctrl+w",
    "ctrl+q",
    "ctrl+shift+n",
    "F11",
    "F12",
    "ctrl+shift+i",
    "ctrl+shift+j",
    "ctrl+u",
    "ctrl+plus",
    "F5",
    "ctrl+r",
    "ctrl+h",
    "ctrl+j",
    "Menu",
    "shift+F10",
];

#[cfg(test)]
mod tests {
    use super::xpath_literal;

    #[test]
    fn xpath_literals_survive_quotes() {
        assert_eq!(xpath_literal("Sign in"), "'Sign in'");
        assert_eq!(xpath_literal("kiosk's"), "\"kiosk's\"");
        assert_eq!(xpath_literal(r#"a'b"c"#), r#"concat('a', "'", 'b"c')"#);
    }
}
