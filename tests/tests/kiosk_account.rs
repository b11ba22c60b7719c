//! The kiosk as it is installed: the session service as root on a closed data folder, and the
//! screen (the app, its web engines and its WebDriver) as a separate local account made here
//! with `useradd`, driven through WebDriver; its web process sandboxed (bubblewrap, as an
//! unprivileged account). As that account, the database, the audit key and
//! the sessions' folder list cannot be opened; the live session's My files is its own to write
//! in; an ended session's folder is gone. (The socket's refusal of a third account, and of
//! administration by the kiosk account, is shown by `crates/slated/tests/socket.rs`.)

use std::path::Path;
use std::process::Command;

use slate_e2e::service::Service;
use slate_e2e::{account_ids, prepared_data_dir, recent_sessions, with_kiosk_launched, Launch};

/// A local account with a home, made for the test and removed (with its home) after it.
struct KioskAccount(String);

impl KioskAccount {
    fn make() -> Option<Self> {
        let name = format!("slkiosk{}", std::process::id() % 100_000);
        Command::new("useradd")
            .args(["--create-home", "--shell", "/usr/sbin/nologin", &name])
            .status()
            .is_ok_and(|s| s.success())
            .then_some(Self(name))
    }
}

impl Drop for KioskAccount {
    fn drop(&mut self) {
        let _ = Command::new("userdel").args(["--remove", &self.0]).status();
    }
}

/// Runs `args` as the account `name`: whether it succeeded, and what it said on stderr.
fn as_account(name: &str, args: &[&str]) -> (bool, String) {
    let (uid, gid, _) = account_ids(name);
    let out = Command::new("setpriv")
        .args([
            &format!("--reuid={uid}"),
            &format!("--regid={gid}"),
            "--init-groups",
            "--",
        ])
        .args(args)
        .output()
        .expect("setpriv runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn owner_of(path: &Path) -> u32 {
    std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(path).unwrap())
}

#[tokio::test]
async fn the_kiosk_account_draws_the_screen_and_cannot_reach_the_secrets() {
    let Some(kiosk) = KioskAccount::make() else {
        eprintln!("skipped: making an account needs root and useradd");
        return;
    };
    let (kiosk_uid, _, _) = account_ids(&kiosk.0);
    let dir = prepared_data_dir(&[("idle_timeout", "10m")]);
    let service = Service::start_for(dir.path(), &kiosk.0);
    let sessions = service.sessions_dir().unwrap();
    let launch = Launch {
        socket: Some(service.socket().to_owned()),
        sessions_dir: Some(sessions.clone()),
        account: Some(kiosk.0.clone()),
        ..Launch::on(&dir)
    };
    let data = dir.path().to_owned();
    let mut first_folder = None;
    with_kiosk_launched("kiosk_account", launch, async |k| {
        k.sign_in_ana().await;
        // The screen is the kiosk account's: the app's process runs as it.
        let pid = k.app_pid().expect("the app runs");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
        assert!(
            uid_line
                .split_whitespace()
                .skip(1)
                .all(|u| u == kiosk_uid.to_string()),
            "{uid_line}"
        );

        // Its web engine runs as it too, in WebKit's sandbox (a mount namespace of its own).
        let app_ns = std::fs::read_link(format!("/proc/{pid}/ns/mnt")).unwrap();
        let web: Vec<u32> = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter(|p| {
                std::fs::read_to_string(format!("/proc/{p}/comm"))
                    .is_ok_and(|c| c.trim() == "WebKitWebProces")
                    && owner_of(Path::new(&format!("/proc/{p}"))) == kiosk_uid
            })
            .collect();
        assert!(!web.is_empty(), "the kiosk account's web process runs");
        for p in web {
            let ns = std::fs::read_link(format!("/proc/{p}/ns/mnt")).unwrap();
            assert_ne!(ns, app_ns, "web process {p} is sandboxed");
        }

        // The secrets are out of its reach.
        for secret in [
            data.join("slate.db"),
            data.join("keys").join("audit.key"),
            data.clone(),
            sessions.clone(),
        ] {
            assert!(secret.exists(), "{} is there", secret.display());
            let (opened, said) = as_account(&kiosk.0, &["ls", "-a", secret.to_str().unwrap()]);
            let (read, _) = as_account(&kiosk.0, &["cat", secret.to_str().unwrap()]);
            assert!(
                !opened && !read && said.contains("Permission denied"),
                "{} can be opened by the kiosk account: {said}",
                secret.display()
            );
        }

        // Its live session's folder (My files) is its own: the browser saves downloads there.
        let folder = k.session_folder();
        assert_eq!(owner_of(&folder), kiosk_uid);
        let letter = folder.join("letter.txt");
        let (wrote, said) = as_account(&kiosk.0, &["touch", letter.to_str().unwrap()]);
        assert!(wrote, "{said}");
        k.wait_for_text("letter.txt").await;
        first_folder = Some(folder);

        k.click("Sign out").await;
        k.click("Sign out now").await;
        k.wait_for_text("Thank you for using this terminal.").await;
    })
    .await;

    // The session ended wiped, and its folder is gone: nothing of it is left to open.
    let row = recent_sessions(&data)[0].clone();
    assert_eq!(row["end_reason"], "user", "{row}");
    assert_eq!(row["erased"], true, "{row}");
    let folder = first_folder.unwrap();
    assert!(!folder.exists(), "{} is gone", folder.display());
    let left: Vec<_> = std::fs::read_dir(&sessions).unwrap().flatten().collect();
    assert!(left.is_empty(), "nothing is left: {left:?}");
}
