//! `slatectl kiosk enable|disable --user USER`: the OS setup that makes a desktop account boot
//! straight into Slate (a data folder it owns, and an autostart entry in its home). It does not
//! open the database.

use std::os::unix::fs::{chown, DirBuilderExt};
use std::path::PathBuf;

use serde_json::json;
use slate_core::exit;

use crate::cli::KioskCommand;
use crate::output::{self, failed, Failure};

/// Where a kiosk install keeps its data: one system folder, owned by the kiosk account.
const KIOSK_DATA_DIR: &str = "/var/lib/slate";
const AUTOSTART_FILE: &str = ".config/autostart/slate-kiosk.desktop";

/// A local account from `/etc/passwd`: uid, gid and home folder.
fn local_account(name: &str) -> Option<(u32, u32, PathBuf)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() >= 7 && f[0] == name)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?, PathBuf::from(f[5]))))?
    })
}

pub fn run(cmd: KioskCommand, data_dir: Option<PathBuf>, json: bool) -> Result<(), Failure> {
    let (user, enable) = match &cmd {
        KioskCommand::Enable { user } => (user.clone(), true),
        KioskCommand::Disable { user } => (user.clone(), false),
    };
    let Some((uid, gid, home)) = local_account(&user) else {
        return Err(Failure::new(
            format!("There is no local account called {user:?} in /etc/passwd."),
            exit::NOT_FOUND,
        ));
    };
    let me = crate::current_uid();
    if me != 0 && me != uid {
        return Err(Failure::new(
            format!("Setting up {user}'s kiosk needs root; run it with sudo."),
            exit::REFUSED,
        ));
    }
    let entry = home.join(AUTOSTART_FILE);
    if !enable {
        match std::fs::remove_file(&entry) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(failed(format!("Cannot remove {}: {e}.", entry.display()))),
        }
        output::answer(
            json,
            &json!({ "user": user, "kiosk": false }),
            &format!("{user}'s desktop no longer starts Slate. The data folder is kept."),
        );
        return Ok(());
    }
    let data = data_dir.unwrap_or_else(|| PathBuf::from(KIOSK_DATA_DIR));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&data)
        .map_err(|e| failed(format!("Cannot create {}: {e}.", data.display())))?;
    chown(&data, Some(uid), Some(gid))
        .map_err(|e| failed(format!("Cannot give {} to {user}: {e}.", data.display())))?;
    // The folders up to the entry, each owned by the account if this creates it.
    let mut dir = home.clone();
    for part in [".config", "autostart"] {
        dir.push(part);
        if !dir.exists() {
            std::fs::create_dir(&dir)
                .and_then(|()| chown(&dir, Some(uid), Some(gid)))
                .map_err(|e| failed(format!("Cannot create {}: {e}.", dir.display())))?;
        }
    }
    let text = format!(
        "[Desktop Entry]\nType=Application\nName=Slate kiosk\n\
         Comment=Start Slate at login and again if it stops\n\
         Exec=env SLATE_DATA_DIR={} /usr/lib/slate/slate-kiosk\n\
         X-GNOME-Autostart-enabled=true\nNoDisplay=true\n",
        data.display()
    );
    std::fs::write(&entry, text)
        .and_then(|()| chown(&entry, Some(uid), Some(gid)))
        .map_err(|e| failed(format!("Cannot write {}: {e}.", entry.display())))?;
    output::answer(
        json,
        &json!({ "user": user, "kiosk": true, "data_dir": data, "autostart": entry }),
        &format!(
            "{user}'s desktop now starts Slate at login, on {} (owned by {user}).\n\
             To log {user} in automatically with LightDM, put these lines in /etc/lightdm/lightdm.conf:\n\
             \n    [Seat:*]\n    autologin-user={user}\n    autologin-user-timeout=0\n\n\
             Administer it as that account: sudo -u {user} slatectl --data-dir {} status",
            data.display(),
            data.display()
        ),
    );
    Ok(())
}
