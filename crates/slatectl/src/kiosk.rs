//! `slatectl kiosk enable|disable --user USER`: the OS setup that makes a machine a Slate
//! terminal for the desktop account USER, all of it in root's own files under `/etc`:
//!
//! - `/etc/default/slate`: `SLATE_SCREEN_USER`, the account whose screen the session service
//!   (`slated.service`) serves; the service is enabled and (re)started.
//! - `/etc/lightdm/lightdm.conf.d/50-slate.conf`: the display manager (`LightDM`) logs USER in at once into Slate's own
//!   X session (`/usr/share/xsessions/slate.desktop`: Slate's screen and nothing else).
//! - `/etc/X11/xorg.conf.d/50-slate.conf`: no VT switching and no Ctrl+Alt+Backspace.
//!
//! Nothing is written into USER's home, which USER controls. An autostart entry an older Slate
//! wrote there (`~/.config/autostart/slate-kiosk.desktop`) is removed, walking from the home
//! without following a link (each folder opened with `O_NOFOLLOW`, and it must belong to USER
//! or root): a link planted on the way is refused, never followed. Each file under `/etc` is
//! written as a new file beside it and renamed over the old, so a link there is replaced, not
//! written through. `disable` removes the display-manager and X settings and the old entry;
//! `/etc/default/slate` and the data stay. `SLATE_SYSCONF_DIR` names another folder for `/etc`
//! (the tests', which must not change this machine).

use std::io::Write as _;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Mode, OFlags, CWD};
use rustix::io::Errno;

use serde_json::json;
use slate_core::exit;

use crate::cli::KioskCommand;
use crate::output::{self, failed, Failure};

/// The files `enable` writes, under `/etc` (or `SLATE_SYSCONF_DIR`).
const DEFAULTS_FILE: &str = "default/slate";
const LIGHTDM_FILE: &str = "lightdm/lightdm.conf.d/50-slate.conf";
const XORG_FILE: &str = "X11/xorg.conf.d/50-slate.conf";
/// The X session's name (`/usr/share/xsessions/slate.desktop`).
const SESSION: &str = "slate";
/// Where an older Slate started the screen from: folders from the home, and the entry's name.
const AUTOSTART_DIRS: [&str; 2] = [".config", "autostart"];
const AUTOSTART_NAME: &str = "slate-kiosk.desktop";

/// The folder standing for `/etc`.
fn sysconf() -> PathBuf {
    std::env::var_os("SLATE_SYSCONF_DIR").map_or_else(|| PathBuf::from("/etc"), PathBuf::from)
}

/// Opens `name` in `dir` as a folder without following a link; it must belong to `uid` or
/// root. `None`: missing.
fn open_folder(
    dir: &OwnedFd,
    name: &Path,
    shown: &Path,
    uid: u32,
) -> Result<Option<OwnedFd>, Failure> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let opened = match rustix::fs::openat(dir, name, flags, Mode::empty()) {
        Err(Errno::NOENT) => return Ok(None),
        Err(Errno::LOOP | Errno::NOTDIR) => {
            return Err(failed(format!(
                "{} is a link or not a folder; Slate does not follow links in the kiosk \
                 account's home. Remove it and run this again.",
                shown.display()
            )))
        }
        Err(e) => return Err(failed(format!("Cannot open {}: {e}.", shown.display()))),
        Ok(fd) => fd,
    };
    let st = rustix::fs::fstat(&opened)
        .map_err(|e| failed(format!("Cannot look at {}: {e}.", shown.display())))?;
    if st.st_uid != uid && st.st_uid != 0 {
        return Err(failed(format!(
            "{} belongs to another account (uid {}); Slate changes nothing there. Check who \
             made it.",
            shown.display(),
            st.st_uid
        )));
    }
    Ok(Some(opened))
}

/// Removes the autostart entry an older Slate wrote into the account's home, if it is there,
/// walking from the home without following links.
fn remove_old_autostart(home: &Path, uid: u32) -> Result<(), Failure> {
    // The home itself: its parent (/home) is root's, so only its last step can be a link.
    let root = rustix::fs::openat(CWD, "/", OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty())
        .map_err(|e| failed(format!("Cannot open /: {e}.")))?;
    let Some(mut dir) = open_folder(&root, home.strip_prefix("/").unwrap_or(home), home, uid)?
    else {
        return Ok(());
    };
    let mut shown = home.to_path_buf();
    for part in AUTOSTART_DIRS {
        shown.push(part);
        match open_folder(&dir, Path::new(part), &shown, uid)? {
            Some(next) => dir = next,
            None => return Ok(()),
        }
    }
    // Unlinking never follows a link.
    match rustix::fs::unlinkat(&dir, AUTOSTART_NAME, AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(failed(format!(
            "Cannot remove {}: {e}.",
            shown.join(AUTOSTART_NAME).display()
        ))),
    }
}

/// Writes `text` to `path` (its folders made if missing) as a new file beside it, renamed over
/// it: a link there is replaced, never written through. Root's, 0644.
fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    let cannot =
        |e: &dyn std::fmt::Display| failed(format!("Cannot write {}: {e}.", path.display()));
    let folder = path.parent().unwrap_or(Path::new("/"));
    std::fs::create_dir_all(folder).map_err(|e| cannot(&e))?;
    let (new, mut file) = new_file_in(folder).map_err(|e| cannot(&e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| cannot(&e))?;
    std::fs::rename(&new, path).map_err(|e| {
        let _ = std::fs::remove_file(&new);
        cannot(&e)
    })
}

/// A new file (0644) in `folder`.
fn new_file_in(folder: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let path = folder.join(format!(".slate.{}.new", std::process::id()));
    let _ = std::fs::remove_file(&path);
    // create_new is O_CREAT|O_EXCL: it fails on anything already there, a link included.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(&path)?;
    Ok((path, file))
}

/// Removes `path` if it is there (a link itself, never what it points to).
fn remove_file(path: &Path) -> Result<(), Failure> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(failed(format!("Cannot remove {}: {e}.", path.display()))),
    }
}

/// Has systemd enable and (re)start the session service, so it serves the new kiosk account;
/// without systemd running (a container, this test machine), says how to start it instead.
fn start_service() -> String {
    if !Path::new("/run/systemd/system").exists() {
        return "systemd is not running here: start the session service yourself \
                (/usr/bin/slated, as root, with SLATE_SCREEN_USER from /etc/default/slate)."
            .to_owned();
    }
    let run = |args: &[&str]| {
        std::process::Command::new("systemctl")
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    };
    if run(&["enable", "--quiet", "slated.service"]) && run(&["restart", "slated.service"]) {
        "The session service (slated.service) is enabled and running.".to_owned()
    } else {
        "Could not start the session service: see `systemctl status slated`.".to_owned()
    }
}

/// A data folder from an older Slate, which gave it to the kiosk account: the service (root)
/// refuses it until it is root's again. Said, not changed: the kiosk account controlled it.
fn old_data_folder_warning() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let data = slate_core::datadir::SYSTEM_DATA_DIR;
    let meta = std::fs::symlink_metadata(data).ok()?;
    (meta.uid() != 0).then(|| {
        format!(
            "{data} belongs to uid {} (an older Slate gave it to the kiosk account); the session \
             service uses it once it is root's again: chown -R root:root {data} && chmod 700 {data}",
            meta.uid()
        )
    })
}

/// The display manager's (`LightDM`) settings: USER logged in at once, into Slate's session, and no other session
/// offered to it.
fn lightdm_text(user: &str) -> String {
    format!(
        "# Written by `slatectl kiosk enable --user {user}`; `slatectl kiosk disable` removes it.\n\
         [Seat:*]\n\
         autologin-user={user}\n\
         autologin-user-timeout=0\n\
         autologin-session={SESSION}\n\
         user-session={SESSION}\n"
    )
}

/// Xorg's settings: no switching to a text console, no killing the X server from the keyboard.
const XORG_TEXT: &str = "# Written by `slatectl kiosk enable`; `slatectl kiosk disable` removes it.\n\
Section \"ServerFlags\"\n    Option \"DontVTSwitch\" \"true\"\n    Option \"DontZap\" \"true\"\nEndSection\n";

pub fn run(cmd: KioskCommand, json: bool) -> Result<(), Failure> {
    let (user, enable) = match &cmd {
        KioskCommand::Enable { user } => (user.clone(), true),
        KioskCommand::Disable { user } => (user.clone(), false),
    };
    let Some(slate_core::local_accounts::LocalAccount { uid, home, .. }) =
        slate_core::local_accounts::by_name(&user)
    else {
        return Err(Failure::new(
            format!("There is no local account called {user:?} in /etc/passwd."),
            exit::NOT_FOUND,
        ));
    };
    if crate::current_uid() != 0 {
        return Err(Failure::new(
            format!("Setting up {user}'s kiosk needs root; run it with sudo."),
            exit::REFUSED,
        ));
    }
    let etc = sysconf();
    if !enable {
        remove_old_autostart(&home, uid)?;
        for file in [LIGHTDM_FILE, XORG_FILE] {
            let path = etc.join(file);
            remove_file(&path)?;
            // `enable` makes the drop-in folders where they are missing: gone again if empty
            // (a folder that holds anything else stays).
            if let Some(folder) = path.parent() {
                let _ = std::fs::remove_dir(folder);
            }
        }
        output::answer(
            json,
            &json!({ "user": user, "kiosk": false }),
            &format!(
                "{user} is no longer logged in to Slate's session; restart the display manager \
                 for its greeter. The session service and its data are kept; stop it with: \
                 systemctl disable --now slated"
            ),
        );
        return Ok(());
    }
    if uid == 0 {
        return Err(Failure::new(
            "The kiosk account must not be root: the screen runs web pages from the internet.",
            exit::REFUSED,
        ));
    }
    // First, so that a link planted in the home refuses the whole command before anything.
    remove_old_autostart(&home, uid)?;
    let defaults = etc.join(DEFAULTS_FILE);
    write_file(
        &defaults,
        &format!(
            "# Written by `slatectl kiosk enable --user {user}`: the account whose screen the \
             session service (slated.service) serves.\nSLATE_SCREEN_USER={user}\n"
        ),
    )?;
    let lightdm = etc.join(LIGHTDM_FILE);
    write_file(&lightdm, &lightdm_text(&user))?;
    let xorg = etc.join(XORG_FILE);
    write_file(&xorg, XORG_TEXT)?;
    if let Some(warning) = old_data_folder_warning() {
        output::warn(&warning);
    }
    let service = start_service();
    output::answer(
        json,
        &json!({ "user": user, "kiosk": true, "defaults": defaults, "lightdm": lightdm,
                 "xorg": xorg, "service": service }),
        &format!(
            "{user} is the kiosk account: the session service serves its screen ({}), and \
             LightDM logs it in at once to Slate's own session, with nothing behind it ({}); \
             no switching to a text console ({}).\n{service}\n\
             Restart the display manager (or the machine) to start the kiosk. With GDM or SDDM, \
             see the installing guide. Administer it as root or as a member of slate-admin: \
             slatectl status",
            defaults.display(),
            lightdm.display(),
            xorg.display()
        ),
    );
    Ok(())
}
