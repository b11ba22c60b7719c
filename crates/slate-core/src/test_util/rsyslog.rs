//! A real rsyslog from Debian (`rsyslogd` with its `GnuTLS` driver), started by a test on a local
//! port as a syslog collector over TLS (RFC 5425), with a certificate from a test CA made with
//! `openssl` (as for slapd): what it receives is written one message a line, with the parts it
//! parsed (the message id and the structured data), so a test reads what a real collector kept.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::slapd::{free_port, make_certificates};

/// A running (or stopped) rsyslogd and its folder.
pub struct Rsyslog {
    dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

impl Rsyslog {
    /// Makes the certificates and the configuration, and starts rsyslogd.
    pub fn start_new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let d = dir.path();
        make_certificates(d);
        let port = free_port();
        let at = |name: &str| d.join(name).display().to_string();
        let config = format!(
            "global(workDirectory=\"{work}\"\n\
             \x20      DefaultNetstreamDriver=\"gtls\"\n\
             \x20      DefaultNetstreamDriverCAFile=\"{ca}\"\n\
             \x20      DefaultNetstreamDriverCertFile=\"{cert}\"\n\
             \x20      DefaultNetstreamDriverKeyFile=\"{key}\")\n\
             module(load=\"imtcp\" StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\"\n\
             \x20      StreamDriver.AuthMode=\"anon\")\n\
             input(type=\"imtcp\" port=\"{port}\" address=\"127.0.0.1\")\n\
             template(name=\"parts\" type=\"string\"\n\
             \x20        string=\"%hostname% %app-name% %msgid% %structured-data% %msg%\\n\")\n\
             action(type=\"omfile\" file=\"{out}\" template=\"parts\")\n",
            work = d.display(),
            ca = at("ca.pem"),
            cert = at("server.pem"),
            key = at("server.key"),
            out = at("received.log"),
        );
        std::fs::write(d.join("rsyslog.conf"), config).expect("rsyslog's configuration");
        let mut server = Self {
            dir,
            port,
            child: None,
        };
        server.start();
        server
    }

    /// Starts rsyslogd (again) in the foreground, and waits until it takes connections.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "already running");
        let d = self.dir.path();
        let child = Command::new("rsyslogd")
            .arg("-n")
            .arg("-f")
            .arg(d.join("rsyslog.conf"))
            .arg("-i")
            .arg(d.join("rsyslogd.pid"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rsyslogd (scripts/install-deps.sh test installs rsyslog and rsyslog-gnutls)");
        self.child = Some(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "rsyslogd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops rsyslogd as an administrator would (SIGTERM), and waits for it to end.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let _ = child.wait();
        }
    }

    /// The test CA's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// `tls://127.0.0.1:PORT`, as the `audit_forward_url` setting takes it.
    pub fn url(&self) -> String {
        format!("tls://127.0.0.1:{}", self.port)
    }

    /// The lines received so far (one message each), waiting up to 10 s for at least `n`.
    pub fn received(&self, n: usize) -> Vec<String> {
        let started = Instant::now();
        loop {
            let lines: Vec<String> = std::fs::read_to_string(self.dir.path().join("received.log"))
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect();
            if lines.len() >= n || started.elapsed() > Duration::from_secs(10) {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        self.stop();
    }
}
