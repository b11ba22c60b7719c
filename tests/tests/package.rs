//! The .deb and .rpm that `make package` builds (and `make test` builds first): their contents,
//! permissions, dependencies and maintainer scripts, the man pages and shell completions, lintian,
//! and a real install of the .deb on this machine: `slate` and `slatectl` from the PATH, `man
//! slatectl`, then remove (data kept) and purge (data gone). Installing needs root (CI runs as
//! root); elsewhere that part says so and is skipped.
//! Also the licence notices the packages ship: they name every crate in the programs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use slate_e2e::{ok_on_machine as ok, workspace_root};

fn bundle(kind: &str, ext: &str) -> PathBuf {
    slate_e2e::built_package(kind, ext)
}

fn run(program: &str, args: &[&str]) -> (bool, String) {
    slate_e2e::run_on_machine(program, args, None)
}

#[test]
fn the_deb_holds_what_a_kiosk_needs_and_lintian_finds_no_error() {
    let deb = bundle("deb", "deb");
    let deb = deb.to_str().unwrap();
    assert_eq!(ok("dpkg-deb", &["-f", deb, "Package"]).trim(), "slate");
    let depends = ok("dpkg-deb", &["-f", deb, "Depends"]);
    for needed in [
        "libwebkit2gtk-4.1-0",
        "libgtk-3-0",
        "libc6",
        // TLS to a directory (slated links OpenSSL's libssl).
        "libssl3",
        // The machine's own accounts, through PAM.
        "libpam0g",
        "dbus-user-session",
        // WebKit's sandbox for the web engines.
        "bubblewrap",
        "xdg-dbus-proxy",
    ] {
        assert!(
            depends.contains(needed),
            "Depends lacks {needed}: {depends}"
        );
    }
    let contents = ok("dpkg-deb", &["-c", deb]);
    let entry = |path: &str| {
        contents
            .lines()
            .find(|l| l.ends_with(&format!(" {}", &path[1..])) || l.ends_with(&format!(" .{path}")))
            .unwrap_or_else(|| panic!("{path} is not in the package:\n{contents}"))
            .to_owned()
    };
    for exe in [
        "/usr/bin/slate",
        "/usr/bin/slatectl",
        "/usr/bin/slated",
        "/usr/lib/slate/slate-session",
    ] {
        assert!(entry(exe).starts_with("-rwxr-xr-x 0/0"), "{}", entry(exe));
    }
    for file in [
        "/usr/share/applications/Slate.desktop",
        "/usr/share/icons/hicolor/128x128/apps/slate.png",
        "/usr/share/doc/slate/README.md",
        "/usr/share/doc/slate/copyright",
        "/usr/share/doc/slate/third-party-licenses.txt",
        "/usr/share/doc/slate/changelog.gz",
        "/usr/share/slate/policy.toml.example",
        "/usr/share/slate/pam.d/slate",
        "/usr/lib/systemd/system/slated.service",
        "/usr/lib/systemd/system/slate-metrics.service",
        "/usr/lib/systemd/system/slate-metrics.timer",
        "/usr/lib/sysusers.d/slate.conf",
        "/usr/lib/tmpfiles.d/slate.conf",
        "/usr/share/xsessions/slate.desktop",
    ]
    .into_iter()
    .chain(MAN_PAGES)
    .chain(DEB_COMPLETIONS)
    {
        assert!(entry(file).starts_with("-rw-r--r-- 0/0"), "{}", entry(file));
    }
    assert!(
        !contents.lines().any(|l| l.as_bytes().get(8) == Some(&b'w')),
        "nothing is world-writable:\n{contents}"
    );
    // The menu entry is hidden: a kiosk runs in its own session, and on an ordinary desktop
    // a fullscreen window that refuses to close is no application to offer.
    let (_, entry_text) = run(
        "sh",
        &[
            "-c",
            &format!(
                "dpkg-deb --fsys-tarfile {deb} | tar -xO usr/share/applications/Slate.desktop"
            ),
        ],
    );
    assert!(
        entry_text.lines().any(|l| l == "NoDisplay=true") && entry_text.contains("Exec=slate"),
        "{entry_text}"
    );
    // The maintainer scripts: the example policy in /etc, purge removes the data.
    let tmp = tempfile::tempdir().unwrap();
    ok("dpkg-deb", &["-e", deb, tmp.path().to_str().unwrap()]);
    let postinst = std::fs::read_to_string(tmp.path().join("postinst")).unwrap();
    assert!(postinst.contains("/etc/slate/policy.toml.example"));
    let postrm = std::fs::read_to_string(tmp.path().join("postrm")).unwrap();
    assert!(postrm.contains("purge)") && postrm.contains("rm -rf /var/lib/slate"));
    let (_, lint) = run("lintian", &["--tag-display-limit", "0", deb]);
    let errors: Vec<&str> = lint.lines().filter(|l| l.starts_with("E:")).collect();
    assert!(errors.is_empty(), "lintian errors:\n{lint}");
    // Nor a warning about the man pages (groff messages, whatis entries, compression) or their
    // absence.
    let about_docs: Vec<&str> = lint
        .lines()
        .filter(|l| l.starts_with("W:"))
        .filter(|l| {
            [
                "usr/share/man/",
                "manual-page",
                "manpage",
                "groff",
                "whatis",
                "completion",
            ]
            .iter()
            .any(|w| l.contains(w))
        })
        .collect();
    assert!(about_docs.is_empty(), "lintian warnings:\n{lint}");
}

/// The man pages the packages install (gzipped with -9n), a few of the subcommands' among them.
const MAN_PAGES: [&str; 6] = [
    "/usr/share/man/man1/slate.1.gz",
    "/usr/share/man/man1/slated.1.gz",
    "/usr/share/man/man1/slatectl.1.gz",
    "/usr/share/man/man1/slatectl-audit-list.1.gz",
    "/usr/share/man/man1/slatectl-config-set.1.gz",
    "/usr/share/man/man1/slatectl-kiosk-enable.1.gz",
];

/// slatectl's completions where Debian's bash, zsh and fish look for them.
const DEB_COMPLETIONS: [&str; 3] = [
    "/usr/share/bash-completion/completions/slatectl",
    "/usr/share/zsh/vendor-completions/_slatectl",
    "/usr/share/fish/vendor_completions.d/slatectl.fish",
];

/// `man` renders the page with what an administrator looks for: the synopsis, the exit codes and
/// the environment.
fn assert_slatectl_page(text: &str) {
    for heading in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "EXIT STATUS",
        "ENVIRONMENT",
        "SEE ALSO",
    ] {
        assert!(
            text.lines().any(|l| l == heading),
            "no {heading} section:\n{text}"
        );
    }
    // Justified lines have runs of spaces: compare words.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "slatectl - Administer a Slate kiosk",
        "SLATE_DATA_DIR",
        "slatectl-audit(1)",
    ] {
        assert!(words.contains(expected), "no {expected:?}:\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.trim() == "10" || l.trim_start().starts_with("10 ")),
        "exit code 10 is listed:\n{text}"
    );
}

/// `man` on a page file, rendered as plain text 80 columns wide.
fn man(args: &[&str]) -> String {
    let out = Command::new("man")
        .args(args)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("man (man-db) is installed (scripts/install-deps.sh test)");
    assert!(
        out.status.success(),
        "man {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_debs_man_pages_render_and_its_bash_completion_completes() {
    let deb = bundle("deb", "deb");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    ok(
        "dpkg-deb",
        &["-x", deb.to_str().unwrap(), root.to_str().unwrap()],
    );
    let page = |name: &str| root.join(format!("usr/share/man/man1/{name}.1.gz"));
    assert_slatectl_page(&man(&["-l", page("slatectl").to_str().unwrap()]));
    let kiosk = man(&["-l", page("slate").to_str().unwrap()]);
    assert!(kiosk.contains("SLATE_LOG"), "{kiosk}");
    let list = man(&["-l", page("slatectl-audit-list").to_str().unwrap()]);
    assert!(
        list.contains("Possible values") && list.contains("sign_in_failed"),
        "{list}"
    );
    // Bash completes an event's name from the core's list.
    let script = format!(
        "source {}; COMP_WORDS=(slatectl audit list --event sign_in_f); COMP_CWORD=4; \
         _slatectl slatectl sign_in_f --event; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        root.join("usr/share/bash-completion/completions/slatectl")
            .display()
    );
    assert_eq!(ok("bash", &["-c", &script]).trim(), "sign_in_failed");
}

#[test]
fn the_rpm_holds_the_same_files_and_requires_the_libraries() {
    let rpm = bundle("rpm", "rpm");
    let rpm = rpm.to_str().unwrap();
    let files = ok("rpm", &["-qpl", rpm]);
    for f in [
        "/usr/bin/slate",
        "/usr/bin/slatectl",
        "/usr/bin/slated",
        "/usr/lib/systemd/system/slated.service",
        "/usr/lib/systemd/system/slate-metrics.service",
        "/usr/lib/systemd/system/slate-metrics.timer",
        "/usr/lib/sysusers.d/slate.conf",
        "/usr/lib/tmpfiles.d/slate.conf",
        "/usr/lib/slate/slate-session",
        "/usr/share/xsessions/slate.desktop",
        "/usr/share/slate/policy.toml.example",
        "/usr/share/doc/slate/third-party-licenses.txt",
        "/usr/share/applications/Slate.desktop",
        "/usr/share/bash-completion/completions/slatectl",
        "/usr/share/zsh/site-functions/_slatectl",
        "/usr/share/fish/vendor_completions.d/slatectl.fish",
    ]
    .into_iter()
    .chain(MAN_PAGES)
    {
        assert!(
            files.lines().any(|l| l == f),
            "{f} is not in the rpm:\n{files}"
        );
    }
    let requires = ok("rpm", &["-qpR", rpm]);
    assert!(requires.contains("libwebkit2gtk-4.1.so.0"), "{requires}");
    for sandbox in ["bubblewrap", "xdg-dbus-proxy"] {
        assert!(requires.contains(sandbox), "{requires}");
    }
    let scripts = ok("rpm", &["-qp", "--scripts", rpm]);
    assert!(
        scripts.contains("postinstall") && scripts.contains("postuninstall"),
        "{scripts}"
    );
}

#[test]
fn the_deb_installs_runs_from_the_path_and_removes_keeping_data_until_purged() {
    let root =
        std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0);
    if !root {
        eprintln!("skipped: installing a package needs root");
        return;
    }
    let data = Path::new("/var/lib/slate");
    let keep_existing = data.exists();
    let pam_service = Path::new("/etc/pam.d/slate");
    let pam_existed = pam_service.exists();
    let deb = bundle("deb", "deb");
    ok(
        "apt-get",
        &[
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            deb.to_str().unwrap(),
        ],
    );
    let installed = std::panic::catch_unwind(|| {
        assert_eq!(
            ok("sh", &["-c", "command -v slate"]).trim(),
            "/usr/bin/slate"
        );
        let version = ok("slate", &["--version"]);
        assert_eq!(
            version.trim(),
            format!("slate {}", env!("CARGO_PKG_VERSION"))
        );
        let help = ok("slatectl", &["--help"]);
        assert!(
            help.contains("Usage: slatectl") && help.contains("audit"),
            "{help}"
        );
        assert!(Path::new("/etc/slate/policy.toml.example").exists());
        // The PAM service for the machine's own accounts, put in place by postinst.
        let pam = std::fs::read_to_string(pam_service).expect("/etc/pam.d/slate");
        assert!(
            pam.contains("auth     required  pam_unix.so nodelay"),
            "{pam}"
        );
        // `man slatectl` from the installed package, unless dpkg is told not to install man
        // pages (minimal Docker images do): then that is said, and the page itself is read in
        // the test above.
        match man_excluded() {
            Some(rule) => {
                assert!(!Path::new(MAN_PAGES[1]).exists());
                eprintln!("dpkg excludes man pages here ({rule}): `man slatectl` not tried");
            }
            None => assert_slatectl_page(&man(&["slatectl"])),
        }
        for file in DEB_COMPLETIONS {
            assert!(Path::new(file).exists(), "{file} installed");
        }
        // The installed program cannot be driven or inspected from outside: it ignores
        // WEBKIT_INSPECTOR_SERVER and TAURI_WEBVIEW_AUTOMATION. (The same release build run
        // from the checkout, as the end-to-end tests run it, honours them: the control.)
        let (open, log) = inspector_opens(Path::new("/usr/bin/slate"));
        assert!(
            !open,
            "the installed slate opened the remote inspector:\n{log}"
        );
        assert!(log.contains("WEBKIT_INSPECTOR_SERVER is ignored"), "{log}");
        let (open, log) = inspector_opens(&workspace_root().join("target/release/slate"));
        assert!(open, "the control never opened the inspector:\n{log}");
        if keep_existing {
            eprintln!("/var/lib/slate existed before the test: the installed service not run");
        } else {
            the_installed_service_serves_administrators_and_keeps_the_kiosk_account_out();
        }
    });
    if !keep_existing {
        std::fs::create_dir_all(data).unwrap();
        std::fs::write(data.join("slate.db"), b"a kiosk's data").unwrap();
    }
    ok("apt-get", &["remove", "-y", "-qq", "slate"]);
    assert!(!Path::new("/usr/bin/slate").exists(), "removed");
    assert!(
        data.join("slate.db").exists() || keep_existing,
        "remove keeps the data"
    );
    if keep_existing {
        eprintln!("/var/lib/slate existed before the test: not purging it");
    } else {
        ok("dpkg", &["--purge", "slate"]);
        assert!(!data.exists(), "purge removes the data");
        assert!(!Path::new("/etc/slate/policy.toml.example").exists());
        if !pam_existed {
            assert!(
                !pam_service.exists(),
                "purge removes the PAM service it put in place"
            );
        }
    }
    if let Err(panic) = installed {
        std::panic::resume_unwind(panic);
    }
}

/// The real systemd-journald, started for a test where none runs (this machine has no systemd
/// as PID 1, but journald itself runs), and stopped with what it made removed.
struct Journal {
    journald: Option<std::process::Child>,
    made: Vec<PathBuf>,
}

impl Journal {
    const SOCKET: &'static str = "/run/systemd/journal/socket";

    fn start() -> Self {
        if Path::new(Self::SOCKET).exists() {
            return Self {
                journald: None,
                made: Vec::new(),
            };
        }
        let machine = std::fs::read_to_string("/etc/machine-id").unwrap_or_default();
        let made: Vec<PathBuf> = [
            "/run/systemd/journal".to_owned(),
            "/run/log/journal".to_owned(),
            format!("/var/log/journal/{}", machine.trim()),
        ]
        .into_iter()
        .map(PathBuf::from)
        .filter(|p| !p.exists())
        .collect();
        let journald = Command::new("/lib/systemd/systemd-journald")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("systemd-journald starts");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !Path::new(Self::SOCKET).exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "journald never listened"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Self {
            journald: Some(journald),
            made,
        }
    }

    /// The audit's entries the process `pid` sent (`journalctl -o json`, one per line), once
    /// one for `event` is among them (they go as the records are written, a moment after).
    fn audit_entries(pid: u32, event: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let out = ok(
                "journalctl",
                &[&format!("_PID={pid}"), "-o", "json", "--no-pager"],
            );
            let entries = out
                .lines()
                .filter(|l| l.contains("\"SLATE_SEQ\""))
                .collect::<Vec<_>>()
                .join("\n");
            if entries.contains(&format!("\"SLATE_EVENT\":\"{event}\""))
                || std::time::Instant::now() > deadline
            {
                return entries;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    /// The messages with the identifier `tag`, as `_COMM: MESSAGE` lines.
    fn messages(tag: &str) -> Vec<String> {
        let out = ok("journalctl", &["-t", tag, "-o", "json", "--no-pager"]);
        out.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                format!(
                    "{}: {}",
                    v["_COMM"].as_str().unwrap_or("?"),
                    v["MESSAGE"].as_str().unwrap_or("")
                )
            })
            .collect()
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        if let Some(mut journald) = self.journald.take() {
            let _ = journald.kill();
            let _ = journald.wait();
            for path in &self.made {
                let _ = std::fs::remove_dir_all(path);
            }
        }
    }
}

/// Each audit record the installed service wrote (`pid`) also went to the journal as it was
/// written, with its fields; what the journal kept verifies the chain.
fn assert_audited_to_the_journal(pid: u32, dir: &Path) {
    let entries = Journal::audit_entries(pid, "user_created");
    let created = entries
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["SLATE_EVENT"] == "user_created")
        .unwrap_or_else(|| panic!("no user_created entry in the journal: {entries}"));
    assert_eq!(created["SLATE_USER"], "boss", "{created}");
    assert_eq!(created["SYSLOG_IDENTIFIER"], "slate", "{created}");
    assert_eq!(created["SLATE_MAC"].as_str().map(str::len), Some(64));
    let anchors = dir.join("anchors.json");
    std::fs::write(&anchors, &entries).unwrap();
    let verified = ok(
        "slatectl",
        &[
            "audit",
            "verify",
            "--anchors-from",
            anchors.to_str().unwrap(),
        ],
    );
    assert!(verified.contains("intact"), "{verified}");
}

/// The installed service's log is in the journal, as `slate` (`journalctl -t slate`), not on its
/// stderr (`stderr_log`).
fn assert_logged_to_the_journal(stderr_log: &Path) {
    let logged = Journal::messages("slate");
    assert!(
        logged.iter().any(|l| l.starts_with("slated: serving")),
        "{logged:?}"
    );
    assert!(
        logged
            .iter()
            .any(|l| l.starts_with("slated: running a slatectl command")),
        "{logged:?}"
    );
    let stderr = std::fs::read_to_string(stderr_log).unwrap_or_default();
    assert!(!stderr.contains("serving"), "{stderr}");
}

/// The installed session service, started as its unit starts it (this machine has no systemd
/// as PID 1: its `ExecStart` line is run directly, as root) for a kiosk account named by the
/// installed `slatectl kiosk enable`: root administers through its socket, the kiosk account
/// is refused and cannot open the data folder. It logs to the journal (the real journald), as
/// `slate`, and nothing to stderr.
fn the_installed_service_serves_administrators_and_keeps_the_kiosk_account_out() {
    let journal = Journal::start();
    assert!(
        run("getent", &["group", "slate-admin"]).0,
        "the package made the group slate-admin"
    );
    let kiosk = format!("slpkg{}", std::process::id() % 100_000);
    ok(
        "useradd",
        &["--create-home", "--shell", "/usr/sbin/nologin", &kiosk],
    );
    let tmp = tempfile::tempdir().unwrap();
    let etc = tmp.path().join("etc");
    let defaults = etc.join("default/slate");
    let enabled = Command::new("slatectl")
        .env("SLATE_SYSCONF_DIR", &etc)
        .args(["kiosk", "enable", "--user", &kiosk])
        .output()
        .unwrap();
    let unit = std::fs::read_to_string("/usr/lib/systemd/system/slated.service").unwrap();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("the unit has an ExecStart line");
    let words: Vec<&str> = exec.split_whitespace().collect();
    let screen_user = std::fs::read_to_string(&defaults)
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("SLATE_SCREEN_USER=").map(str::to_owned));
    let mut service = Command::new(words[0])
        .args(&words[1..])
        .env("SLATE_SCREEN_USER", screen_user.clone().unwrap_or_default())
        .stderr(std::fs::File::create(tmp.path().join("slated.log")).unwrap())
        .spawn()
        .unwrap();
    let service_pid = service.id();
    let socket = Path::new(SYSTEM_SOCKET);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !socket.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let checked = std::panic::catch_unwind(|| {
        assert!(enabled.status.success(), "{enabled:?}");
        assert_eq!(screen_user.as_deref(), Some(kiosk.as_str()));
        assert!(socket.exists(), "the installed slated listens");
        // Root administers through the service (no --data-dir: the socket is found).
        let said = ok("slatectl", &["status"]);
        assert!(said.starts_with("Not set up"), "{said}");
        let (made, said) = run(
            "sh",
            &[
                "-c",
                "echo 'a long passphrase' | slatectl init --admin boss --password-stdin",
            ],
        );
        assert!(
            made && said.contains("Created administrator boss."),
            "{said}"
        );
        assert_audited_to_the_journal(service_pid, tmp.path());
        // The data folders: the service's alone; the sessions' passable, not listable.
        let owner_and_mode = |p: &str| {
            let m = std::fs::metadata(p).unwrap();
            (
                std::os::unix::fs::MetadataExt::uid(&m),
                std::os::unix::fs::MetadataExt::mode(&m) & 0o777,
            )
        };
        assert_eq!(owner_and_mode("/var/lib/slate"), (0, 0o700));
        assert_eq!(owner_and_mode("/var/lib/slate-sessions"), (0, 0o711));
        // The kiosk account: refused by the service, shut out of the data folder.
        let as_kiosk = |args: &[&str]| {
            let mut all = vec!["--reuid", &kiosk, "--regid", &kiosk, "--init-groups", "--"];
            all.extend_from_slice(args);
            run("setpriv", &all)
        };
        let (done, said) = as_kiosk(&["slatectl", "status"]);
        assert!(
            !done && said.contains("Run this as root or as a member of slate-admin."),
            "{said}"
        );
        let (done, said) = as_kiosk(&["cat", "/var/lib/slate/slate.db"]);
        assert!(!done && said.contains("Permission denied"), "{said}");
        assert_logged_to_the_journal(&tmp.path().join("slated.log"));
    });
    let _ = Command::new("kill")
        .args(["-TERM", &service.id().to_string()])
        .status();
    let _ = service.wait();
    let _ = Command::new("userdel").args(["--remove", &kiosk]).status();
    if let Err(panic) = checked {
        eprintln!(
            "slated's log:\n{}",
            std::fs::read_to_string(tmp.path().join("slated.log")).unwrap_or_default()
        );
        std::panic::resume_unwind(panic);
    }
    assert!(!socket.exists(), "an orderly stop removes the socket");
    drop(journal);
}

/// Where the installed service listens (`slate_core::wire::SYSTEM_SOCKET`).
const SYSTEM_SOCKET: &str = "/run/slate/slate.sock";

/// Starts `binary` (on the test's display and session bus) asking `WebKit` for the remote web
/// inspector on a free port and for WebDriver automation; says whether the port opened once the
/// window's web process runs, and the app's log (its stderr, and what it sent the journal).
fn inspector_opens(binary: &Path) -> (bool, String) {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log_path = tmp.path().join("app.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut app = Command::new(binary)
        .arg("--data-dir")
        .arg(&data)
        .env("WEBKIT_INSPECTOR_SERVER", format!("127.0.0.1:{port}"))
        .env("TAURI_WEBVIEW_AUTOMATION", "true")
        .env("SLATE_LOG", "info")
        .env("SLATE_POLICY", tmp.path().join("no-policy.toml"))
        .env("XDG_DATA_HOME", tmp.path().join("xdg-data"))
        .env("XDG_CACHE_HOME", tmp.path().join("xdg-cache"))
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let listening = || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut open = false;
    while std::time::Instant::now() < deadline && !open {
        open = listening();
        let web = slate_e2e::procfs::tree(app.id())
            .into_iter()
            .any(|p| slate_e2e::procfs::name(p).is_some_and(|n| n == "WebKitWebProces"));
        if web {
            // The inspector server starts with WebKit, before the first web process.
            std::thread::sleep(std::time::Duration::from_secs(1));
            open = listening();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let _ = app.kill();
    let _ = app.wait();
    let mut log = std::fs::read_to_string(&log_path).unwrap_or_default();
    // The installed program logs to the journal where journald runs (on a desktop with systemd).
    if Path::new(Journal::SOCKET).exists() {
        let pid = format!("_PID={}", app.id());
        log.push_str(&run("journalctl", &["-o", "cat", "--no-pager", &pid]).1);
    }
    (open, log)
}

/// The `path-exclude` rule of dpkg's configuration that keeps `/usr/share/man` off this machine,
/// if there is one.
fn man_excluded() -> Option<String> {
    let dir = std::fs::read_dir("/etc/dpkg/dpkg.cfg.d").ok()?;
    let mut files: Vec<PathBuf> = dir.filter_map(Result::ok).map(|e| e.path()).collect();
    files.push(PathBuf::from("/etc/dpkg/dpkg.cfg"));
    files.iter().find_map(|f| {
        let text = std::fs::read_to_string(f).ok()?;
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("path-exclude"))
            .map(|p| p.trim_start_matches([' ', '=']).trim())
            .find(|p| p.starts_with("/usr/share/man"))
            .map(|p| format!("{}: path-exclude {p}", f.display()))
    })
}

#[test]
fn the_kiosk_session_starts_slate_again_whatever_its_exit() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    let stub = tmp.path().join("slate");
    // A stand-in for slate: it crashes (exit 101, as a panic does), then exits cleanly (an
    // administrator's Alt+F4), then is killed; the session starts it again each time. At its
    // fourth start it exits with 11, as the screen does once an administrator has left kiosk
    // mode: the only way out, and the session ends cleanly.
    std::fs::write(
        &stub,
        format!(
            "#!/bin/sh\necho \"$*\" >> {runs}\nn=$(wc -l < {runs})\n\
             [ $n = 1 ] && exit 101\n[ $n = 2 ] && exit 0\n[ $n = 3 ] && kill -KILL $$\n\
             exit 11\n",
            runs = runs.display()
        ),
    )
    .unwrap();
    ok("chmod", &["755", stub.to_str().unwrap()]);
    let out = Command::new(workspace_root().join("packaging/slate-session"))
        .env("SLATE_BIN", &stub)
        .env_remove("SLATE_SOCKET")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    let log = std::fs::read_to_string(&runs).unwrap();
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        ["--socket /run/slate/slate.sock"; 4],
        "started again after a crash, a clean exit and SIGKILL, as the service's screen ({:?})",
        out.status
    );
    assert!(out.status.success(), "ended cleanly after 11: {out:?}");
}

/// The crates in the programs, as "name version": what `cargo tree -e normal` of `slate` and
/// `slatectl` lists for the packages' platform (x86-64 Linux), the crates cargo compiles into
/// them with its own feature resolution; Slate's own (path) crates left out. Not the closure of
/// `cargo metadata`'s resolve: that also holds optional dependencies no feature turns on (the tray
/// icon's libappindicator, jiff and others, a dozen crates no program contains).
fn crates_in_the_programs() -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let args = [
        "tree",
        "--locked",
        "-p",
        "slate",
        "-p",
        "slatectl",
        "-p",
        "slated",
        "-e",
        "normal",
        "--target",
        "x86_64-unknown-linux-gnu",
        "--prefix",
        "none",
        "-f",
        "{p}",
    ];
    let out = Command::new(&cargo)
        .args(args)
        .current_dir(workspace_root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
    assert!(
        out.status.success(),
        "cargo tree failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let crates: BTreeSet<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.contains("(/"))
        .map(|l| {
            let mut words = l.split(' ');
            let name = words.next().unwrap();
            let version = words.next().unwrap().trim_start_matches('v');
            format!("{name} {version}")
        })
        .collect();
    assert!(crates.len() > 100, "too few crates: {crates:?}");
    crates
}

/// The crates the notices list, as "name version": the lines under "Crates (N)" and its rule.
fn crates_named_in(notices: &str) -> BTreeSet<String> {
    notices
        .lines()
        .skip_while(|l| !l.starts_with("Crates ("))
        .skip(2)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn the_licence_notices_name_every_crate_in_the_programs_and_no_other() {
    let path = workspace_root().join("packaging/third-party-licenses.txt");
    let notices = std::fs::read_to_string(&path).unwrap();
    let named = crates_named_in(&notices);
    let built = crates_in_the_programs();
    let missing: Vec<&String> = built.difference(&named).collect();
    assert!(
        missing.is_empty(),
        "{} does not name {missing:?}, which Cargo.lock puts in the programs: run `make licenses` \
         and commit the file",
        path.display()
    );
    let gone: Vec<&String> = named.difference(&built).collect();
    assert!(
        gone.is_empty(),
        "{} names {gone:?}, which the programs no longer have: run `make licenses` and commit \
         the file",
        path.display()
    );
    // Every licence the notices quote is named in the copyright file's summary of them.
    let copyright = std::fs::read_to_string(workspace_root().join("packaging/copyright")).unwrap();
    let summary: String = copyright
        .lines()
        .skip_while(|l| !l.starts_with("Comment:"))
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let quoted: BTreeSet<&str> = notices
        .lines()
        .filter(|l| l.starts_with("Licence text "))
        .filter_map(|l| l.rsplit_once(" (")?.1.strip_suffix(')'))
        .collect();
    assert!(!quoted.is_empty(), "no licence text in the notices");
    for id in quoted.iter().flat_map(|q| q.split(" AND ")) {
        assert!(
            summary.contains(id),
            "packaging/copyright's first Comment does not name {id}, which the notices quote"
        );
    }
}
