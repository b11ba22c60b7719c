//! The real install test: the built .deb installed on this machine with apt-get, kiosk mode
//! enabled for a new account with the installed `slatectl kiosk enable` on the real `/etc`, the
//! installed session service started as its unit starts it, and the display manager that
//! `kiosk enable` configures (`LightDM`) run as root from the machine's own `/etc/lightdm`, so that
//! it logs the kiosk account in to Slate's X session (`/usr/share/xsessions/slate.desktop`,
//! through Debian's `/etc/X11/Xsession`) as it would at boot. Then, with real X input (xdotool:
//! the installed `slate` cannot be driven through WebDriver):
//!
//! - the sign-in screen comes up, Slate's window alone on `LightDM`'s display;
//! - a patron signs in with the keyboard, and the service has their session live;
//! - no key of the escape list (as `escape_keys.rs`) opens a window or ends the screen;
//! - after kill -9 of the screen, nothing but Slate's window shows until the session script has
//!   started it again, and the patron's session ended `recovered` and wiped;
//! - an administrator leaves kiosk mode from the panel with the keyboard alone (Terminal, Leave
//!   kiosk mode, confirmed): `kiosk_left` is audited, the X session ends, and `LightDM` shows its
//!   greeter, with no new autologin of the kiosk account;
//! - `apt-get purge` leaves no new path at all in `/etc`, `/usr`, `/var/lib`, `/var/cache`,
//!   `/run` and `/opt` (other than the package managers' own records, listed in [`NOT_LISTED`]).
//!
//! Stand-ins, only where the real thing cannot run on a test machine (no systemd as PID 1, no
//! system bus, no logind, no graphics hardware):
//! - the session service is started by the test from the unit's `ExecStart` line, as root, with
//!   `SLATE_SCREEN_USER` from the unit's `EnvironmentFile` (`/etc/default/slate`); when it has
//!   stopped, the test removes its `RuntimeDirectory` (`/run/slate`), as systemd would;
//! - `LightDM` runs under `dbus-run-session`, whose private bus stands in for the system bus (its
//!   session child needs one); no logind registers the sessions;
//! - the X server is Xvfb (1280×800) instead of Xorg: a test-only drop-in,
//!   `/etc/lightdm/lightdm.conf.d/99-slate-test.conf`, names a wrapper that drops the VT
//!   arguments Xvfb refuses, and a display number free here; `LightDM`'s log, run and cache folders
//!   are the test's own (command-line options, so the configuration stays the machine's).
//!
//! Everything else is the machine's: PAM (`lightdm-autologin`), Xsession and its scripts, the
//! package's session script and session entry, the greeter (`lightdm-gtk-greeter`).
//!
//! Needs root and `LightDM` with its GTK greeter, and a machine that is not a Slate terminal
//! already (no `/var/lib/slate`, no installed slate): otherwise it says why and skips. It changes
//! the machine while it runs and undoes it all, whatever happens: `LightDM` and the service are
//! stopped, kiosk mode disabled, the package purged, the account removed, the drop-in deleted.

use std::collections::BTreeSet;
use std::os::unix::fs::MetadataExt as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use slate_e2e::{ok_on_machine as ok, run_on_machine as run, ESCAPE_KEYS};

/// Where the installed service listens (`slate_core::wire::SYSTEM_SOCKET`).
const SOCKET: &str = "/run/slate/slate.sock";
/// The unit's `RuntimeDirectory`.
const RUNTIME_DIR: &str = "/run/slate";
/// The test's own `LightDM` settings, beside the machine's and `kiosk enable`'s.
const DROP_IN: &str = "/etc/lightdm/lightdm.conf.d/99-slate-test.conf";

/// The folders listed before the install and after the purge.
const LISTED: [&str; 6] = ["/etc", "/usr", "/var/lib", "/var/cache", "/run", "/opt"];

/// Left out of the listings: other programs' records, which the test's steps change whatever
/// package is installed and which Debian policy leaves to those programs.
const NOT_LISTED: [&str; 7] = [
    // LightDM's own home: the greeter's state and caches, written at each start of the greeter.
    "/var/lib/lightdm",
    // LightDM's per-account data folders: it makes one for each account it starts a session of
    // (the kiosk account's is removed with the account, at the end).
    "/var/lib/lightdm-data",
    // apt's package lists and state (extended_states records the local .deb's install).
    "/var/lib/apt",
    // dpkg's database: the package's record and its maintainer scripts until the purge, then
    // the log of what was done.
    "/var/lib/dpkg",
    // apt's caches (pkgcache.bin, srcpkgcache.bin), rebuilt when a .deb is installed from a file.
    "/var/cache/apt",
    // man-db's index of the manual pages, which its trigger updates after each install and purge.
    "/var/cache/man",
    // debconf's database and its backups, rewritten by each apt-get run.
    "/var/cache/debconf",
];

/// The test's account names and password phrases.
const PATRON: (&str, &str) = ("ana", "ana's long passphrase");
const ADMIN: (&str, &str) = ("boss", "the boss's long passphrase");

/// The .deb `make package` builds.
fn deb() -> PathBuf {
    slate_e2e::built_package("deb", "deb")
}

/// The installed `slatectl --json ARGS`, through the service, as root.
fn slatectl_json(args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let text = ok("/usr/bin/slatectl", &all);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("slatectl {args:?}: {e}: {text}"))
}

/// The last five sessions, newest first.
fn recent_sessions() -> Vec<Value> {
    slatectl_json(&["session", "list", "--recent", "5"])
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Whether the newest session is `username`'s and still open.
fn live_session_of(username: &str) -> bool {
    recent_sessions()
        .first()
        .is_some_and(|s| s["username"] == username && s["ended_at"].is_null())
}

fn wait_for(what: &str, secs: u64, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ready() {
        assert!(Instant::now() < deadline, "waited {secs} s for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The process ids now running.
fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

/// A process's command line, split at its NULs (empty for a zombie or a gone process).
fn cmdline(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// The uid owning a process (its effective uid), if it runs.
fn owner(pid: u32) -> Option<u32> {
    std::fs::metadata(format!("/proc/{pid}"))
        .ok()
        .map(|m| m.uid())
}

/// A process's group id (the fifth field of `/proc/PID/stat`, after the command's parentheses).
fn process_group(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(2)?
        .parse()
        .ok()
}

/// Whether a process's environment holds `entry` (`NAME=value`).
fn environ_has(pid: u32, entry: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/environ"))
        .unwrap_or_default()
        .split(|b| *b == 0)
        .any(|e| e == entry.as_bytes())
}

/// Sends `signal` to a process (or, given `-PGID`, to a group).
fn kill(signal: &str, target: &str) -> bool {
    Command::new("kill")
        .args([&format!("-{signal}"), "--", target])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The paths below the [`LISTED`] folders, links not followed, [`NOT_LISTED`] left out.
fn listing() -> BTreeSet<PathBuf> {
    fn walk(dir: &Path, out: &mut BTreeSet<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if NOT_LISTED.iter().any(|n| path == Path::new(n)) {
                continue;
            }
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            out.insert(path.clone());
            if is_dir {
                walk(&path, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    for root in LISTED {
        walk(Path::new(root), &mut out);
    }
    out
}

/// One run of the test: what it set up, so that it can all be undone.
struct Rig {
    /// `LightDM`'s log, run and cache folders, the X server wrapper, slated's log.
    dir: tempfile::TempDir,
    kiosk: String,
    kiosk_uid: u32,
    slated: Option<Child>,
    lightdm: Option<Child>,
    /// The display `LightDM` uses, once known (`:N`).
    display: Option<String>,
}

impl Rig {
    fn log_dir(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    /// The X server's authority file `LightDM` writes for the display (`run/root/:N`).
    fn xauthority(&self) -> PathBuf {
        let display = self.display.as_deref().expect("LightDM's display is known");
        self.dir.path().join("run/root").join(display)
    }

    /// `xdotool ARGS` on `LightDM`'s display, with its authority, as root.
    fn xdotool(&self, args: &[&str]) -> (bool, String) {
        let Some(display) = &self.display else {
            return (false, String::new());
        };
        let out = Command::new("xdotool")
            .env("DISPLAY", display)
            .env("XAUTHORITY", self.xauthority())
            .args(args)
            .output()
            .expect("xdotool runs (`make test` installs it)");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// A key press or typing on the display; it must succeed.
    fn key(&self, args: &[&str]) {
        let (done, said) = self.xdotool(args);
        assert!(done, "xdotool {args:?}: {said}");
    }

    /// The names of the named windows shown on the display, sorted (GTK maps unnamed helper
    /// windows of its own too); empty while no X server answers.
    fn named_windows(&self) -> Vec<String> {
        let (_, names) = self.xdotool(&[
            "search",
            "--onlyvisible",
            "--name",
            "",
            "getwindowname",
            "%@",
        ]);
        let mut names: Vec<String> = names
            .lines()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        names.sort();
        names
    }

    /// The kiosk account's screen: `/usr/bin/slate --socket /run/slate/slate.sock` run as it.
    fn screen_pid(&self) -> Option<u32> {
        pids().into_iter().find(|&pid| {
            let args = cmdline(pid);
            owner(pid) == Some(self.kiosk_uid)
                && args.first().is_some_and(|a| a == "/usr/bin/slate")
                && args.iter().any(|a| a == SOCKET)
        })
    }

    /// The kiosk account's processes that are Slate's: the screen and the session script.
    fn slate_processes(&self) -> Vec<(u32, String)> {
        pids()
            .into_iter()
            .filter(|&pid| owner(pid) == Some(self.kiosk_uid))
            .map(|pid| (pid, cmdline(pid).join(" ")))
            .filter(|(_, cmd)| cmd.contains("slate"))
            .collect()
    }

    /// `LightDM`'s own log so far.
    fn lightdm_log(&self) -> String {
        std::fs::read_to_string(self.log_dir().join("lightdm.log")).unwrap_or_default()
    }

    /// Everything the programs under test logged, for a failure's report.
    fn logs(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let mut add = |name: &str, path: PathBuf| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| format!("({e})"));
            let _ = write!(out, "\n===== {name} ({}) =====\n{text}", path.display());
        };
        for entry in std::fs::read_dir(self.log_dir())
            .into_iter()
            .flatten()
            .flatten()
        {
            add("LightDM", entry.path());
        }
        add("LightDM's stdout", self.dir.path().join("lightdm.stdout"));
        add(
            "the kiosk session (~/.xsession-errors)",
            PathBuf::from(format!("/home/{}/.xsession-errors", self.kiosk)),
        );
        add("slated", self.dir.path().join("slated.log"));
        out
    }
}

/// Starts the installed service as its unit does: the `ExecStart` line, as root, with the
/// unit's environment file's `SLATE_SCREEN_USER`, in a clean environment.
fn start_service(rig: &mut Rig) {
    let unit = std::fs::read_to_string("/usr/lib/systemd/system/slated.service").unwrap();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("the unit has an ExecStart line");
    assert!(
        unit.lines()
            .any(|l| l == "EnvironmentFile=-/etc/default/slate"),
        "the unit reads /etc/default/slate:\n{unit}"
    );
    let screen_user = std::fs::read_to_string("/etc/default/slate")
        .expect("kiosk enable wrote /etc/default/slate")
        .lines()
        .find_map(|l| l.strip_prefix("SLATE_SCREEN_USER=").map(str::to_owned));
    assert_eq!(screen_user.as_deref(), Some(rig.kiosk.as_str()));
    let words: Vec<&str> = exec.split_whitespace().collect();
    let log = std::fs::File::create(rig.dir.path().join("slated.log")).unwrap();
    rig.slated = Some(
        Command::new(words[0])
            .args(&words[1..])
            .env_clear()
            .env(
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            )
            .env("SLATE_SCREEN_USER", screen_user.unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the installed slated starts"),
    );
    wait_for("the service's socket", 30, || Path::new(SOCKET).exists());
}

/// A display number with no X server (nor its lock file) here, from `from` up.
fn free_display(from: u32) -> u32 {
    (from..from + 100)
        .find(|n| {
            !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        })
        .expect("a free display number")
}

/// Writes the test's drop-in and the X server wrapper it names, and starts `LightDM` as root, as
/// its init script would but in a private D-Bus bus standing in for the system bus.
fn start_lightdm(rig: &mut Rig) {
    use std::os::unix::fs::PermissionsExt as _;
    let number = free_display(70);
    let wrapper = rig.dir.path().join("xvfb-for-lightdm");
    std::fs::write(
        &wrapper,
        "#!/bin/sh\n\
         # LightDM, as root, gives a local X server \"vtN -novtswitch\", which Xvfb refuses:\n\
         # drop them. exec keeps the pid, so LightDM still gets the server's ready signal.\n\
         for a in \"$@\"; do\n  shift\n  case $a in vt[0-9]*|-novtswitch) ;; *) set -- \"$@\" \"$a\" ;; esac\ndone\n\
         exec Xvfb -screen 0 1280x800x24 \"$@\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        DROP_IN,
        format!(
            "# Written by slate-e2e's kiosk_install test while it runs; it removes it.\n\
             [LightDM]\n\
             minimum-display-number={number}\n\
             minimum-vt=7\n\n\
             [Seat:*]\n\
             xserver-command={}\n",
            wrapper.display()
        ),
    )
    .unwrap();
    for sub in ["log", "run", "cache"] {
        std::fs::create_dir_all(rig.dir.path().join(sub)).unwrap();
    }
    let out = std::fs::File::create(rig.dir.path().join("lightdm.stdout")).unwrap();
    let dir = rig.dir.path();
    let arg = |flag: &str, sub: &str| format!("--{flag}={}", dir.join(sub).display());
    // A session of its own (as a daemon has), a clean environment, no session bus of root's
    // passed on to the sessions it starts: the private bus is the "system" bus.
    rig.lightdm = Some(
        Command::new("setsid")
            .args([
                "dbus-run-session",
                "--",
                "sh",
                "-c",
                "DBUS_SYSTEM_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS; export DBUS_SYSTEM_BUS_ADDRESS; \
                 unset DBUS_SESSION_BUS_ADDRESS; exec \"$@\"",
                "sh",
                "/usr/sbin/lightdm",
                "--debug",
                &arg("log-dir", "log"),
                &arg("run-dir", "run"),
                &arg("cache-dir", "cache"),
                &arg("pid-file", "lightdm.pid"),
            ])
            .env_clear()
            .env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .env("HOME", "/root")
            .env("LANG", "C.UTF-8")
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("LightDM starts"),
    );
    // No client of the test's may touch the X server before LightDM holds its own connection:
    // Xvfb resets when its last client leaves, and LightDM's connection during a reset fails
    // (it then waits for ever).
    wait_for("LightDM's X server", 30, || {
        rig.lightdm_log().contains("Display server ready")
    });
    // Its X server's authority file names the display it took.
    let auth_dir = rig.dir.path().join("run/root");
    wait_for("LightDM's X server's authority", 10, || {
        rig.display = std::fs::read_dir(&auth_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .find(|n| n.starts_with(':'));
        rig.display.is_some()
    });
}

/// Types `username`, Tab, `password`, Enter where the focus is (the username field of the
/// sign-in screen), as a person at the keyboard.
fn sign_in(rig: &Rig, (username, password): (&str, &str)) {
    rig.key(&["type", "--delay", "30", username]);
    rig.key(&["key", "Tab"]);
    rig.key(&["type", "--delay", "30", password]);
    rig.key(&["key", "Return"]);
}

/// The test's steps on the installed package (see the top of the file).
fn exercise(rig: &mut Rig, timings: &mut Vec<(&'static str, Duration)>) {
    enable_kiosk_mode_and_serve(rig);
    let screen = boot_to_the_sign_in_screen(rig, timings);
    a_patron_signs_in_and_tries_every_key(rig, screen, timings);
    kill_the_screen(rig, screen, timings);
    leave_kiosk_mode(rig, timings);
}

/// `slatectl kiosk enable` on the real `/etc`, the service started, an administrator and a
/// patron made through it.
fn enable_kiosk_mode_and_serve(rig: &mut Rig) {
    let said = ok(
        "/usr/bin/slatectl",
        &["kiosk", "enable", "--user", &rig.kiosk],
    );
    assert!(said.contains("is the kiosk account"), "{said}");
    let lightdm_conf =
        std::fs::read_to_string("/etc/lightdm/lightdm.conf.d/50-slate.conf").unwrap();
    for line in [
        format!("autologin-user={}", rig.kiosk),
        "autologin-user-timeout=0".to_owned(),
        "autologin-session=slate".to_owned(),
    ] {
        assert!(lightdm_conf.lines().any(|l| l == line), "{lightdm_conf}");
    }

    start_service(rig);
    let (made, said) = run(
        "/usr/bin/slatectl",
        &["init", "--admin", ADMIN.0, "--password-stdin"],
        Some(&format!("{}\n", ADMIN.1)),
    );
    assert!(
        made && said.contains("Created administrator boss."),
        "{said}"
    );
    let (made, said) = run(
        "/usr/bin/slatectl",
        &[
            "user",
            "add",
            PATRON.0,
            "--display-name",
            "Ana",
            "--password-stdin",
        ],
        Some(&format!("{}\n", PATRON.1)),
    );
    assert!(made, "{said}");
}

/// The display manager, as at boot: it logs the kiosk account in to Slate's session, whose
/// screen shows alone. Returns the screen's process id.
fn boot_to_the_sign_in_screen(rig: &mut Rig, timings: &mut Vec<(&'static str, Duration)>) -> u32 {
    let started = Instant::now();
    start_lightdm(rig);
    wait_for("Slate's window on LightDM's display", 60, || {
        rig.named_windows() == ["Slate"]
    });
    timings.push(("LightDM start to Slate's window", started.elapsed()));
    let log = rig.lightdm_log();
    assert!(
        log.contains(&format!(
            "Started with service 'lightdm-autologin', username '{}'",
            rig.kiosk
        )),
        "LightDM logged the kiosk account in:\n{log}"
    );
    assert!(
        log.contains("/usr/lib/slate/slate-session"),
        "LightDM ran Slate's session:\n{log}"
    );
    let screen = rig.screen_pid().expect("the kiosk account's screen runs");
    eprintln!(
        "kiosk_install: the screen is pid {screen}, {:?}",
        cmdline(screen)
    );
    screen
}

/// A patron signs in with the keyboard (the username field has the focus); then no key of the
/// escape list opens anything, nor ends the screen.
fn a_patron_signs_in_and_tries_every_key(
    rig: &Rig,
    screen: u32,
    timings: &mut Vec<(&'static str, Duration)>,
) {
    std::thread::sleep(Duration::from_secs(2));
    let signing_in = Instant::now();
    sign_in(rig, PATRON);
    wait_for("the patron's session", 30, || live_session_of(PATRON.0));
    timings.push(("patron's keys to a live session", signing_in.elapsed()));
    assert_eq!(rig.named_windows(), ["Slate"]);

    for key in ESCAPE_KEYS {
        rig.key(&["key", "--clearmodifiers", key]);
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(rig.named_windows(), ["Slate"], "after {key}");
        assert_eq!(rig.screen_pid(), Some(screen), "{key} ended the screen");
    }
    assert!(
        live_session_of(PATRON.0),
        "the session is still the patron's"
    );
}

/// kill -9 of the screen: until the session script has started it again, nothing but Slate;
/// the patron's session ended `recovered` and wiped.
fn kill_the_screen(rig: &Rig, screen: u32, timings: &mut Vec<(&'static str, Duration)>) {
    assert!(kill("KILL", &screen.to_string()));
    let killed = Instant::now();
    let mut seen_between = Vec::new();
    wait_for("a new screen", 30, || match rig.screen_pid() {
        Some(pid) if pid != screen => true,
        _ => {
            seen_between.extend(rig.named_windows());
            false
        }
    });
    assert!(
        seen_between.iter().all(|w| w == "Slate"),
        "only Slate's own window ever shows: {seen_between:?}"
    );
    wait_for("Slate's window again", 60, || {
        rig.named_windows() == ["Slate"]
    });
    wait_for("the patron's session ended, wiped", 30, || {
        let newest = recent_sessions();
        newest.first().is_some_and(|s| {
            s["username"] == PATRON.0 && s["end_reason"] == "recovered" && s["erased"] == true
        })
    });
    timings.push(("kill -9 to the new screen's window", killed.elapsed()));
}

/// An administrator leaves kiosk mode with the keyboard: audited, the X session ends, and
/// `LightDM` shows its greeter, not the kiosk account again.
fn leave_kiosk_mode(rig: &Rig, timings: &mut Vec<(&'static str, Duration)>) {
    // Any key first, in case the new screen says the session ended (a key dismisses that); on
    // the sign-in screen a Shift does nothing.
    std::thread::sleep(Duration::from_secs(2));
    rig.key(&["key", "shift"]);
    std::thread::sleep(Duration::from_secs(1));
    sign_in(rig, ADMIN);
    wait_for("the administrator's session", 30, || {
        live_session_of(ADMIN.0)
    });
    // The panel opens with the focus on its first tab (Settings). End: the last tab, Terminal
    // (the tabs are a tablist); Tab: its first control, "Leave kiosk mode"; Enter opens the
    // confirmation, whose Cancel has the focus; Tab, Enter: "Leave kiosk mode".
    std::thread::sleep(Duration::from_millis(1500));
    rig.key(&["key", "End"]);
    std::thread::sleep(Duration::from_millis(700));
    rig.key(&["key", "Tab"]);
    rig.key(&["key", "Return"]);
    std::thread::sleep(Duration::from_millis(700));
    rig.key(&["key", "Tab"]);
    let leaving = Instant::now();
    rig.key(&["key", "Return"]);
    wait_for("the audit record kiosk_left", 20, || {
        slatectl_json(&["audit", "list", "--event", "kiosk_left"])
            .as_array()
            .is_some_and(|records| records.iter().any(|r| r["username"] == ADMIN.0))
    });
    // Recorded first; then the service ends and wipes the session, then tells the screen.
    wait_for("the administrator's session ended, wiped", 20, || {
        recent_sessions().first().is_some_and(|s| {
            s["username"] == ADMIN.0 && s["end_reason"] == "admin" && s["erased"] == true
        })
    });
    wait_for("the kiosk session to end", 30, || {
        rig.slate_processes().is_empty()
    });
    // The greeter's own X server (LightDM starts a new one): untouched until LightDM is
    // connected to it, as above.
    wait_for("LightDM's greeter to connect", 60, || {
        rig.lightdm_log().contains("Greeter connected")
    });
    wait_for("LightDM's greeter's window", 60, || {
        rig.named_windows()
            .iter()
            .any(|w| w == "lightdm-gtk-greeter")
    });
    timings.push(("Leave kiosk mode to the greeter", leaving.elapsed()));
    // No new autologin: for 8 s, nothing of Slate's runs as the kiosk account, and the greeter
    // stays.
    let watch = Instant::now() + Duration::from_secs(8);
    while Instant::now() < watch {
        let running = rig.slate_processes();
        assert!(running.is_empty(), "Slate started again: {running:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let windows = rig.named_windows();
    assert!(
        windows.iter().any(|w| w == "lightdm-gtk-greeter") && !windows.iter().any(|w| w == "Slate"),
        "the greeter alone: {windows:?}"
    );
    let log = rig.lightdm_log();
    let autologins = log
        .matches("Started with service 'lightdm-autologin'")
        .count();
    assert_eq!(autologins, 1, "one autologin, at the start:\n{log}");
    assert!(log.contains("Greeter connected"), "{log}");
}

/// Stops `LightDM` as `stop-lightdm.sh` of the lab does (`LightDM` first: it ends its sessions and X
/// server, which left its process group; then the group; then what is left by pid), and removes
/// the drop-in.
fn stop_lightdm(rig: &mut Rig, problems: &mut Vec<String>) {
    if let Some(mut group) = rig.lightdm.take() {
        let pid_file = rig.dir.path().join("lightdm.pid");
        if let Ok(pid) = std::fs::read_to_string(&pid_file) {
            let pid = pid.trim().to_owned();
            if kill("TERM", &pid) {
                let deadline = Instant::now() + Duration::from_secs(10);
                while Path::new(&format!("/proc/{pid}")).exists()
                    && !cmdline(pid.parse().unwrap_or(0)).is_empty()
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        let pgid = format!("-{}", group.id());
        kill("TERM", &pgid);
        let deadline = Instant::now() + Duration::from_secs(2);
        while group.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        // What still runs in the group (a zombie, such as the group's exited head, has no
        // command line).
        let members: Vec<(u32, String)> = pids()
            .into_iter()
            .filter(|&pid| process_group(pid) == Some(group.id()))
            .map(|pid| (pid, cmdline(pid).join(" ")))
            .filter(|(_, cmd)| !cmd.is_empty())
            .collect();
        if !members.is_empty() {
            eprintln!(
                "kiosk_install: SIGKILL to what outlived SIGTERM in LightDM's group: {members:?}"
            );
            kill("KILL", &pgid);
        }
        let _ = group.wait();
    }
    // What left the group and the session: the kiosk account's (this test's own account), and
    // the greeter account's helpers on this test's display.
    if let Some(display) = &rig.display {
        let on_display = format!("DISPLAY={display}");
        let greeter_uid = account_ids("lightdm").map(|(uid, _)| uid);
        let left: Vec<u32> = pids()
            .into_iter()
            .filter(|&pid| {
                let uid = owner(pid);
                (uid == Some(rig.kiosk_uid)
                    || (uid.is_some() && uid == greeter_uid && environ_has(pid, &on_display)))
                    // Not a zombie, nor gone meanwhile.
                    && !cmdline(pid).is_empty()
            })
            .collect();
        for pid in &left {
            eprintln!("kiosk_install: ending leftover {pid} {:?}", cmdline(*pid));
            kill("KILL", &pid.to_string());
        }
    }
    if let Err(e) = std::fs::remove_file(DROP_IN) {
        if e.kind() != std::io::ErrorKind::NotFound {
            problems.push(format!("cannot remove {DROP_IN}: {e}"));
        }
    }
}

/// An account's uid and gid, from the passwd database.
fn account_ids(name: &str) -> Option<(u32, u32)> {
    let (found, line) = run("getent", &["passwd", name], None);
    let mut fields = line.trim().split(':').skip(2);
    let uid = fields.next()?.parse().ok()?;
    let gid = fields.next()?.parse().ok()?;
    found.then_some((uid, gid))
}

/// Undoes everything, whatever happened; says what could not be undone.
fn tear_down(rig: &mut Rig) -> Vec<String> {
    let mut problems = Vec::new();
    stop_lightdm(rig, &mut problems);
    if let Some(mut service) = rig.slated.take() {
        kill("TERM", &service.id().to_string());
        let deadline = Instant::now() + Duration::from_secs(10);
        while service.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        if service.try_wait().ok().flatten().is_none() {
            problems.push("slated did not stop on SIGTERM".to_owned());
            let _ = service.kill();
        }
        let _ = service.wait();
        if Path::new(SOCKET).exists() {
            problems.push(format!("slated left its socket {SOCKET}"));
        }
    }
    // systemd removes a unit's RuntimeDirectory when it stops.
    let _ = std::fs::remove_dir_all(RUNTIME_DIR);
    for (program, args) in [
        (
            "/usr/bin/slatectl",
            vec!["kiosk", "disable", "--user", rig.kiosk.as_str()],
        ),
        ("apt-get", vec!["purge", "-y", "-qq", "slate"]),
        ("userdel", vec!["--remove", rig.kiosk.as_str()]),
    ] {
        if program.starts_with('/') && !Path::new(program).exists() {
            continue;
        }
        let (done, said) = run(program, &args, None);
        // userdel says the account had no mail spool: not a failure.
        if !done {
            problems.push(format!("{program} {args:?} failed: {said}"));
        }
    }
    // LightDM's data folder for the account it logged in, gone with the account.
    let _ = std::fs::remove_dir_all(format!("/var/lib/lightdm-data/{}", rig.kiosk));
    problems
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Why this machine cannot run the test, if it cannot.
fn cannot_run() -> Option<String> {
    if !is_root() {
        return Some("installing a package and running a display manager need root".to_owned());
    }
    for program in ["/usr/sbin/lightdm", "/usr/sbin/lightdm-gtk-greeter"] {
        if !Path::new(program).exists() {
            return Some(format!(
                "{program} is not installed (lightdm, lightdm-gtk-greeter: scripts/install-deps.sh test)"
            ));
        }
    }
    if Path::new("/var/lib/slate").exists() {
        return Some("/var/lib/slate exists: this machine has a Slate terminal's data".to_owned());
    }
    let (_, status) = run("dpkg-query", &["-W", "-f=${Status}", "slate"], None);
    if status.trim() == "install ok installed" {
        return Some("slate is installed here: the test installs and purges it".to_owned());
    }
    if Path::new(DROP_IN).exists() {
        return Some(format!(
            "{DROP_IN} exists: another run of this test is going on"
        ));
    }
    None
}

#[test]
fn the_installed_kiosk_runs_under_lightdm_and_purges_clean() {
    if let Some(why) = cannot_run() {
        eprintln!("skipped: {why}");
        return;
    }
    let begun = Instant::now();
    let mut timings: Vec<(&'static str, Duration)> = Vec::new();
    let before = listing();
    timings.push(("listing before", begun.elapsed()));

    let installing = Instant::now();
    ok(
        "apt-get",
        &[
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            deb().to_str().unwrap(),
        ],
    );
    timings.push(("apt-get install", installing.elapsed()));

    let kiosk = format!("slki{}", std::process::id());
    ok(
        "useradd",
        &["--create-home", "--shell", "/bin/bash", &kiosk],
    );
    let (kiosk_uid, _) = account_ids(&kiosk).expect("the new account");
    let dir = tempfile::Builder::new()
        .prefix("kiosk-install-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .tempdir()
        .unwrap();
    let mut rig = Rig {
        dir,
        kiosk,
        kiosk_uid,
        slated: None,
        lightdm: None,
        display: None,
    };
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        exercise(&mut rig, &mut timings);
    }));
    if outcome.is_err() {
        if rig.display.is_some() {
            let shot = slate_e2e::artifacts_dir().join("kiosk_install/screen.png");
            let _ = std::fs::create_dir_all(shot.parent().unwrap());
            let _ = Command::new("import")
                .env("DISPLAY", rig.display.as_deref().unwrap_or_default())
                .env("XAUTHORITY", rig.xauthority())
                .args(["-window", "root"])
                .arg(&shot)
                .status();
            eprintln!(
                "kiosk_install: the screen at the failure: {}",
                shot.display()
            );
            eprintln!("kiosk_install: windows shown: {:?}", rig.named_windows());
        }
        eprintln!("kiosk_install: the logs:{}", rig.logs());
    }
    let tearing_down = Instant::now();
    let problems = tear_down(&mut rig);
    timings.push((
        "tear-down (stop, disable, purge, userdel)",
        tearing_down.elapsed(),
    ));
    drop(rig);

    let after = listing();
    let new: Vec<&PathBuf> = after.difference(&before).collect();
    // Nothing new at all: no file of Slate's, and not the drop-in folders `kiosk enable` made
    // where they were missing (`kiosk disable` and the purge remove them once empty).
    let slates = new;
    timings.push(("whole test", begun.elapsed()));
    for (what, took) in &timings {
        eprintln!("kiosk_install: {what}: {:.1} s", took.as_secs_f64());
    }
    if let Err(panic) = outcome {
        if !problems.is_empty() || !slates.is_empty() {
            eprintln!("kiosk_install: also, tear-down: {problems:?}; new after purge: {slates:?}");
        }
        std::panic::resume_unwind(panic);
    }
    assert!(problems.is_empty(), "tear-down: {problems:#?}");
    assert!(
        slates.is_empty(),
        "apt-get purge left new paths: {slates:#?}"
    );
}
