//! A real PostgreSQL server from Debian (`postgresql-15`, which `scripts/install-deps.sh test`
//! installs) for the room's tests: a cluster made with `initdb` in a temporary folder, started
//! on a free local port with TLS (a test CA, as for slapd), as the unprivileged `nobody` when the
//! tests run as root (PostgreSQL refuses to run as root). Its Unix socket lives in the same
//! folder, never in `/var/run/postgresql`. The superuser `postgres` has the password
//! [`Postgres::SUPERUSER_PASSWORD`] over TCP and needs none over the socket.
//!
//! [`Postgres::stop`] is a fast shutdown (SIGINT), [`Postgres::crash`] a `kill -9` of the
//! postmaster, and [`Postgres::start`] starts the same cluster again; dropping it stops it.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::slapd::{free_port, make_certificates};

/// Where Debian's PostgreSQL 15 puts its programs.
pub const BIN: &str = "/usr/lib/postgresql/15/bin";

/// `nobody`'s uid and gid on Debian.
const NOBODY: u32 = 65534;

/// A running (or stopped) test server.
#[derive(Debug)]
pub struct Postgres {
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

fn as_server_account(cmd: &mut Command) -> &mut Command {
    if rustix::process::geteuid().is_root() {
        cmd.uid(NOBODY).gid(NOBODY);
    }
    cmd
}

fn give_to_server(path: &Path) {
    if rustix::process::geteuid().is_root() {
        std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).expect("chown for the server");
    }
}

impl Postgres {
    /// The superuser's password over TCP.
    pub const SUPERUSER_PASSWORD: &'static str = "superuser secret";

    /// Makes a cluster (and its certificates) and starts it.
    pub fn start_new() -> Self {
        let bin = Path::new(BIN);
        assert!(
            bin.join("postgres").exists(),
            "PostgreSQL 15 is not installed: run scripts/install-deps.sh test"
        );
        // Under /tmp, which `nobody` can reach (a folder under /root it could not).
        let dir = tempfile::Builder::new()
            .prefix("slate-pg")
            .tempdir_in("/tmp")
            .expect("a temporary folder");
        let d = dir.path();
        make_certificates(d);
        for file in ["server.key", "server.pem", "ca.pem"] {
            std::fs::set_permissions(d.join(file), std::fs::Permissions::from_mode(0o600))
                .expect("the certificate's mode");
            give_to_server(&d.join(file));
        }
        std::fs::write(d.join("pw"), Self::SUPERUSER_PASSWORD).expect("the password file");
        give_to_server(&d.join("pw"));
        give_to_server(d);
        let out = as_server_account(
            Command::new(bin.join("initdb"))
                .arg("-D")
                .arg(d.join("data")),
        )
        .args([
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-N",
        ])
        .arg(format!("--pwfile={}", d.join("pw").display()))
        .output()
        .expect("initdb");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut pg = Self {
            dir,
            port: free_port(),
            child: None,
        };
        pg.start();
        pg
    }

    /// Starts the server (again) on its port, and waits until it takes connections. After a
    /// crash the old backends may still hold the shared memory for a moment: the start is then
    /// tried again.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "already running");
        let started = Instant::now();
        loop {
            let mut child = self.spawn();
            loop {
                if self.ready() {
                    self.child = Some(child);
                    return;
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "PostgreSQL did not start: {}",
                    self.log()
                );
                std::thread::sleep(Duration::from_millis(30));
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "PostgreSQL did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn spawn(&self) -> Child {
        let d = self.dir.path();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(d.join("server.log"))
            .expect("the server's log");
        give_to_server(&d.join("server.log"));
        as_server_account(&mut Command::new(Path::new(BIN).join("postgres")))
            .arg("-D")
            .arg(d.join("data"))
            .args(["-p", &self.port.to_string()])
            .arg("-k")
            .arg(d)
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            // Two connections a terminal (its calls, its listener): room for the 50-terminal
            // bench and the administrator's (the default, 100, is one short of it).
            .args(["-c", "max_connections=150"])
            .args(["-c", "ssl=on"])
            .arg("-c")
            .arg(format!("ssl_cert_file={}", d.join("server.pem").display()))
            .arg("-c")
            .arg(format!("ssl_key_file={}", d.join("server.key").display()))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("postgres")
    }

    fn ready(&self) -> bool {
        Command::new(Path::new(BIN).join("pg_isready"))
            .arg("-q")
            .arg("-h")
            .arg(self.dir.path())
            .args(["-p", &self.port.to_string()])
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Stops the server, the way an administrator does (fast shutdown: connections are ended).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = rustix::process::Pid::from_child(&child);
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::INT);
            let _ = child.wait();
        }
    }

    /// Kills the postmaster (`kill -9`); its backends end when they notice. [`Postgres::start`]
    /// then runs crash recovery.
    pub fn crash(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The test CA's certificate, which signed the server's (for 127.0.0.1 and localhost).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A superuser's URL over TCP and TLS, for `database` (without the password).
    pub fn superuser_url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{database}?sslmode=require",
            self.port
        )
    }

    /// Runs SQL as the superuser over the socket (`psql`), and returns what it printed.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let out = Command::new(Path::new("/usr/bin/psql"))
            .arg("-h")
            .arg(self.dir.path())
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                database,
            ])
            .args(["-v", "ON_ERROR_STOP=1", "-Atc", sql])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Makes an empty database.
    pub fn create_database(&self, name: &str) {
        self.psql("postgres", &format!("CREATE DATABASE \"{name}\""));
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
