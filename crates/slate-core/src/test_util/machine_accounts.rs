//! Real accounts on this machine for the PAM tests, made with `useradd`, `chpasswd`, `groupadd`
//! and `chage` (so the test must run as root), with a PAM service file of their own in
//! `/etc/pam.d` holding what the package installs as `slate`; everything is removed when the
//! [`MachineAccounts`] is dropped.
//!
//! | account | password | |
//! |---|---|---|
//! | `<prefix>p` ("Pia Person") | `pia's passphrase` | in the allowed group |
//! | `<prefix>o` | `otto's passphrase` | in no group |
//! | `<prefix>e` | `emma's passphrase` | in the allowed group, expired |
//! | `<prefix>s` ("Sol Staff") | `sol's passphrase` | in the administrators' group |
//! | `<prefix>y` (a system account) | `sys passphrase` | in the allowed group |

use std::process::Command;

/// The accounts, groups and service file of one test.
#[derive(Debug)]
pub struct MachineAccounts {
    pub prefix: String,
    pub service: String,
    pub group: String,
    pub admin_group: String,
}

/// Whether this process is root (only root may make accounts).
pub fn is_root() -> bool {
    rustix::process::getuid().is_root()
}

fn run(args: &[&str], stdin: Option<&str>) {
    use std::io::Write;
    let mut cmd = Command::new(args[0]);
    cmd.args(&args[1..]);
    cmd.stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{args:?}: {e}"));
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("written");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("finished");
    assert!(out.status.success(), "{args:?} failed");
}

impl MachineAccounts {
    /// Makes them (as root), named after `tag` and this process.
    pub fn create(tag: &str) -> Self {
        let prefix = format!("sl{tag}{}", std::process::id() % 100_000);
        let me = Self {
            service: format!("{prefix}-pam"),
            group: format!("{prefix}g"),
            admin_group: format!("{prefix}a"),
            prefix,
        };
        let service_file = include_str!("../../../../packaging/pam.d/slate");
        std::fs::write(format!("/etc/pam.d/{}", me.service), service_file)
            .expect("a PAM service file (run as root)");
        run(&["groupadd", &me.group], None);
        run(&["groupadd", &me.admin_group], None);
        let person = |suffix: &str, name: &str, groups: &str, system: bool| {
            let login = me.name(suffix);
            let mut args = vec!["useradd", "--no-create-home", "--comment", name];
            if system {
                args.push("--system");
            }
            if !groups.is_empty() {
                args.extend(["--groups", groups]);
            }
            args.push(&login);
            run(&args, None);
            login
        };
        let pia = person("p", "Pia Person", &me.group, false);
        let otto = person("o", "", "", false);
        let emma = person("e", "", &me.group, false);
        let sol = person("s", "Sol Staff", &me.admin_group, false);
        let sys = person("y", "", &me.group, true);
        run(
            &["chpasswd"],
            Some(&format!(
                "{pia}:pia's passphrase\n{otto}:otto's passphrase\n{emma}:emma's passphrase\n\
                 {sol}:sol's passphrase\n{sys}:sys passphrase\n"
            )),
        );
        run(&["chage", "--expiredate", "1", &emma], None);
        me
    }

    /// The login of the account with this suffix.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.prefix)
    }
}

impl Drop for MachineAccounts {
    fn drop(&mut self) {
        for suffix in ["p", "o", "e", "s", "y"] {
            let _ = Command::new("userdel").arg(self.name(suffix)).output();
        }
        for group in [&self.group, &self.admin_group] {
            let _ = Command::new("groupdel").arg(group).output();
        }
        let _ = std::fs::remove_file(format!("/etc/pam.d/{}", self.service));
    }
}
