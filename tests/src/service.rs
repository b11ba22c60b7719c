//! The session service on its own: the real `slated` binary on a test's data folder, listening on
//! a socket in the test's own folder, as the installed kiosk runs it beside the screen (here as
//! the account running the tests). It can be killed and started again on the same folder.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{policy_file, slate_bin};

/// A running `slated`, stopped (SIGTERM) when dropped.
pub struct Service {
    binary: PathBuf,
    child: Option<Child>,
    data_dir: PathBuf,
    socket: PathBuf,
    log_path: PathBuf,
    /// The kiosk account whose screen drives the session (`None`: the account running this).
    screen_user: Option<String>,
    _tmp: tempfile::TempDir,
}

impl Service {
    /// Starts `slated` on `data_dir` (with its test policy file and the short session bounds
    /// of debug builds) and waits until it listens.
    pub fn start(data_dir: &Path) -> Self {
        Self::start_with(&slate_bin().with_file_name("slated"), data_dir)
    }

    /// [`Service::start`] with another `slated` binary (a release build, for timings).
    pub fn start_with(binary: &Path, data_dir: &Path) -> Self {
        Self::start_as(binary, data_dir, None)
    }

    /// [`Service::start`] for the kiosk account `screen_user`'s screen, as the installed kiosk
    /// runs: the service as this account (root), the sessions' folders in a folder of their
    /// own ([`Service::sessions_dir`]), the socket reachable by the kiosk account.
    pub fn start_for(data_dir: &Path, screen_user: &str) -> Self {
        Self::start_as(
            &slate_bin().with_file_name("slated"),
            data_dir,
            Some(screen_user.to_owned()),
        )
    }

    fn start_as(binary: &Path, data_dir: &Path, screen_user: Option<String>) -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("slated-e2e-")
            .tempdir()
            .expect("a temporary folder");
        if screen_user.is_some() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
                .expect("the socket's folder opened to the kiosk account");
        }
        let mut service = Self {
            binary: binary.to_owned(),
            child: None,
            data_dir: data_dir.to_owned(),
            socket: tmp.path().join("slate.sock"),
            log_path: tmp.path().join("slated.log"),
            screen_user,
            _tmp: tmp,
        };
        service.restart();
        service
    }

    /// The socket the screen connects to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Where the sessions' folders are, for a kiosk account's screen ([`Service::start_for`]).
    pub fn sessions_dir(&self) -> Option<PathBuf> {
        self.screen_user
            .as_ref()
            .map(|_| self.socket.with_file_name("sessions"))
    }

    /// What the service wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Starts it again on the same folder and socket (after [`Service::kill`]).
    pub fn restart(&mut self) {
        // A killed service leaves its socket behind; the new one replaces it.
        let _ = std::fs::remove_file(&self.socket);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .expect("a log file");
        let mut command = Command::new(&self.binary);
        if let (Some(user), Some(sessions)) = (&self.screen_user, self.sessions_dir()) {
            command
                .args(["--screen-user", user])
                .arg("--sessions-dir")
                .arg(sessions);
        }
        let child = command
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--policy")
            .arg(policy_file(&self.data_dir))
            .arg("--socket")
            .arg(&self.socket)
            .env("SLATE_TEST_SHORT_BOUNDS", "1")
            .env("SLATE_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log handle"))
            .stderr(log)
            .spawn()
            .expect("slated starts (`cargo build --workspace --bins` builds it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.socket.exists() {
            assert!(
                Instant::now() < deadline,
                "slated never listened:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends `signal` (`"KILL"`, `"TERM"`) and waits for the service to exit.
    pub fn kill(&mut self, signal: &str) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill("TERM");
        if std::thread::panicking() {
            eprintln!("slated's log:\n{}", self.log());
        }
    }
}
