//! Slate's own X session (`packaging/slate-session`, what the display manager runs for the
//! kiosk account), on a display with nothing else on it, as the real `slated` and app: the
//! screen comes up; a patron signs in with the keyboard alone (real X input); the screen is
//! killed (SIGKILL) mid-session, and until the session has started it again no named window
//! is shown (no desktop to fall back to); the new screen is back, and the session was ended
//! and wiped as `recovered`. (The display manager itself is not run here: the session's
//! command is run directly in a D-Bus session of its own, as the display manager would.)

use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use slate_e2e::service::Service;
use slate_e2e::{prepared_data_dir, recent_sessions, slate_bin, workspace_root, OwnDisplay};

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The names of the named windows shown (GTK also maps unnamed helper windows of its own).
fn named(display: &OwnDisplay) -> Vec<String> {
    display
        .shown_windows()
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect()
}

/// The pid of the screen run by the session on `socket` (its command line names it).
fn screen_pid(socket: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let args: Vec<&[u8]> = cmd.split(|b| *b == 0).collect();
        (args.first()?.ends_with(b"/slate") && args.contains(&socket.as_bytes())).then_some(pid)
    })
}

#[test]
fn the_kiosk_session_shows_slate_alone_and_nothing_between_restarts() {
    let dir = prepared_data_dir(&[("idle_timeout", "10m")]);
    let service = Service::start(dir.path());
    let socket = service.socket().to_str().unwrap().to_owned();
    let display = OwnDisplay::start(1280, 800);
    let tmp = tempfile::tempdir().unwrap();
    let log = std::fs::File::create(tmp.path().join("session.log")).unwrap();
    let mut session = Command::new("dbus-run-session")
        .arg("--")
        .arg(workspace_root().join("packaging/slate-session"))
        .env("SLATE_BIN", slate_bin())
        .env("SLATE_SOCKET", &socket)
        .env("DISPLAY", display.name())
        .env("XDG_DATA_HOME", tmp.path().join("xdg-data"))
        .env("XDG_CACHE_HOME", tmp.path().join("xdg-cache"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .spawn()
        .unwrap();
    let outcome = std::panic::catch_unwind(|| {
        wait_for("Slate's window", || named(&display) == ["Slate"]);
        // The patron signs in with the keyboard alone: the username field has the focus.
        std::thread::sleep(Duration::from_secs(2));
        let key = |args: &[&str]| {
            let ok = Command::new("xdotool")
                .env("DISPLAY", display.name())
                .args(args)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "xdotool {args:?}");
        };
        key(&["type", "--delay", "20", "ana"]);
        key(&["key", "Tab"]);
        key(&["type", "--delay", "20", "ana's passphrase"]);
        key(&["key", "Return"]);
        wait_for("Ana's session", || {
            let newest = &recent_sessions(dir.path())[0];
            newest.is_object() && newest["ended_at"].is_null()
        });

        // The screen is killed: until the session has started it again, nothing is shown.
        let pid = screen_pid(&socket).expect("the screen runs");
        let killed = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let mut seen_between = Vec::new();
        wait_for("a new screen", || {
            let now = screen_pid(&socket);
            if now.is_none() || now == Some(pid) {
                seen_between.extend(named(&display));
                false
            } else {
                true
            }
        });
        assert!(
            seen_between.iter().all(|w| w == "Slate"),
            "only Slate's own window ever shows: {seen_between:?}"
        );
        wait_for("Slate's window again", || named(&display) == ["Slate"]);
        // The service ended the patron's session at once, and the new screen wiped its part.
        wait_for("the session ended, wiped", || {
            let row = &recent_sessions(dir.path())[0];
            row["end_reason"] == "recovered" && row["erased"] == true
        });
    });
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{}", session.id())])
        .status();
    let _ = session.wait();
    if let Err(panic) = outcome {
        eprintln!(
            "the session's log:\n{}",
            std::fs::read_to_string(tmp.path().join("session.log")).unwrap_or_default()
        );
        std::panic::resume_unwind(panic);
    }
}
