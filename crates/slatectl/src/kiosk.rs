//! `slatectl kiosk enable|disable --user USER`: the OS setup that makes a desktop account the
//! kiosk's. The session service (`slated.service`, root's) is told which account's screen it
//! serves (`SLATE_SCREEN_USER` in `/etc/default/slate`) and started; the account gets an
//! autostart entry in its home that starts the screen. It does not open the database.
//!
//! Run as root, it writes into a home the kiosk account controls, so it never follows a link
//! there: each folder from the home down to `autostart` is opened with `O_NOFOLLOW` (a link is
//! refused), must belong to the account or root, and the entry is written to a new file in that
//! folder and renamed over the old name, which replaces a link (or a hard link) planted there
//! instead of writing through it. Otherwise `slate-kiosk.desktop` made a symlink to any root file
//! would have root write that file and give it to the account. `/etc/default/slate` is written
//! the same way (a new file renamed over the old).

use std::io::Write as _;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Gid, Mode, OFlags, Uid, CWD};
use rustix::io::Errno;

use serde_json::json;
use slate_core::exit;

use crate::cli::KioskCommand;
use crate::output::{self, failed, Failure};

/// The session service's settings file (its unit reads it): which account's screen it serves.
/// `SLATE_DEFAULTS_FILE` names another (the tests', which must not change this machine's).
const DEFAULTS_FILE: &str = "/etc/default/slate";
/// The folders from the home to the autostart entry, and the entry's name.
const AUTOSTART_DIRS: [&str; 2] = [".config", "autostart"];
const AUTOSTART_NAME: &str = "slate-kiosk.desktop";
/// The new entry is written under this name first, then renamed over [`AUTOSTART_NAME`].
const AUTOSTART_NEW: &str = ".slate-kiosk.desktop.new";

/// The account a folder is walked for: a folder there must belong to it or to root.
#[derive(Clone, Copy)]
struct Owner {
    uid: u32,
    gid: u32,
}

/// Opens `name` in `dir` as a folder without following a link, creating it (0755, given to
/// `owner`) when `create` and it is missing. `None`: missing and not created.
fn open_folder(
    dir: &OwnedFd,
    name: &Path,
    shown: &Path,
    owner: Owner,
    create: bool,
) -> Result<Option<OwnedFd>, Failure> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let opened = match rustix::fs::openat(dir, name, flags, Mode::empty()) {
        Err(Errno::NOENT) if create => {
            rustix::fs::mkdirat(dir, name, Mode::from_raw_mode(0o755))
                .map_err(|e| failed(format!("Cannot create {}: {e}.", shown.display())))?;
            let fd = rustix::fs::openat(dir, name, flags, Mode::empty())
                .map_err(|e| failed(format!("Cannot open {}: {e}.", shown.display())))?;
            owner.give(&fd).map_err(|e| {
                failed(format!(
                    "Cannot give {} to its account: {e}.",
                    shown.display()
                ))
            })?;
            fd
        }
        Err(Errno::NOENT) => return Ok(None),
        Err(Errno::LOOP | Errno::NOTDIR) => {
            return Err(failed(format!(
                "{} is a link or not a folder; Slate does not write through links in the kiosk \
                 account's home. Remove it and run this again.",
                shown.display()
            )))
        }
        Err(e) => return Err(failed(format!("Cannot open {}: {e}.", shown.display()))),
        Ok(fd) => fd,
    };
    let st = rustix::fs::fstat(&opened)
        .map_err(|e| failed(format!("Cannot look at {}: {e}.", shown.display())))?;
    if st.st_uid != owner.uid && st.st_uid != 0 {
        return Err(failed(format!(
            "{} belongs to another account (uid {}); Slate writes there only for its owner. \
             Check who made it.",
            shown.display(),
            st.st_uid
        )));
    }
    Ok(Some(opened))
}

impl Owner {
    /// Gives the file or folder open as `fd` to this account.
    fn give(self, fd: &OwnedFd) -> Result<(), Errno> {
        rustix::fs::fchown(
            fd,
            Some(Uid::from_raw(self.uid)),
            Some(Gid::from_raw(self.gid)),
        )
    }
}

/// The account's autostart folder, walked from its home without following links; `None` when
/// a folder on the way is missing and `create` is false.
fn autostart_folder(
    home: &Path,
    owner: Owner,
    create: bool,
) -> Result<Option<(OwnedFd, PathBuf)>, Failure> {
    // The home itself: its parent (/home) is root's, so only its last step can be a link.
    let Some(mut dir) = open_folder(
        &rustix::fs::openat(CWD, "/", OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty())
            .map_err(|e| failed(format!("Cannot open /: {e}.")))?,
        home.strip_prefix("/").unwrap_or(home),
        home,
        owner,
        false,
    )?
    else {
        return Err(failed(format!(
            "The account's home {} does not exist; create it first.",
            home.display()
        )));
    };
    let mut shown = home.to_path_buf();
    for part in AUTOSTART_DIRS {
        shown.push(part);
        match open_folder(&dir, Path::new(part), &shown, owner, create)? {
            Some(next) => dir = next,
            None => return Ok(None),
        }
    }
    Ok(Some((dir, shown)))
}

/// Writes the entry as a new file in `dir` (given to `owner`) and renames it over the old name.
fn write_entry(dir: &OwnedFd, shown: &Path, owner: Owner, text: &str) -> Result<(), Failure> {
    let entry = shown.join(AUTOSTART_NAME);
    let cannot =
        |e: &dyn std::fmt::Display| failed(format!("Cannot write {}: {e}.", entry.display()));
    // A file left by an earlier run (or planted) under the new name goes first; unlinking never
    // follows a link.
    match rustix::fs::unlinkat(dir, AUTOSTART_NEW, AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => {}
        Err(e) => return Err(cannot(&e)),
    }
    let fd = rustix::fs::openat(
        dir,
        AUTOSTART_NEW,
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o644),
    )
    .map_err(|e| cannot(&e))?;
    owner.give(&fd).map_err(|e| cannot(&e))?;
    let mut file = std::fs::File::from(fd);
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| cannot(&e))?;
    rustix::fs::renameat(dir, AUTOSTART_NEW, dir, AUTOSTART_NAME).map_err(|e| cannot(&e))
}

/// Writes `text` to `path` as a new file beside it, renamed over it (a link there is replaced,
/// never written through): root's, 0644.
fn write_defaults(path: &Path, text: &str) -> Result<(), Failure> {
    let cannot =
        |e: &dyn std::fmt::Display| failed(format!("Cannot write {}: {e}.", path.display()));
    let folder = path.parent().unwrap_or(Path::new("/"));
    let mut new = tempfile_in(folder).map_err(|e| cannot(&e))?;
    new.1
        .write_all(text.as_bytes())
        .and_then(|()| new.1.sync_all())
        .map_err(|e| cannot(&e))?;
    std::fs::rename(&new.0, path).map_err(|e| {
        let _ = std::fs::remove_file(&new.0);
        cannot(&e)
    })
}

/// A new file (0644, created exclusively, never through a link) in `folder`.
fn tempfile_in(folder: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
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

pub fn run(cmd: KioskCommand, json: bool) -> Result<(), Failure> {
    let (user, enable) = match &cmd {
        KioskCommand::Enable { user } => (user.clone(), true),
        KioskCommand::Disable { user } => (user.clone(), false),
    };
    let Some(slate_core::local_accounts::LocalAccount { uid, gid, home, .. }) =
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
    let owner = Owner { uid, gid };
    if !enable {
        if let Some((dir, shown)) = autostart_folder(&home, owner, false)? {
            match rustix::fs::unlinkat(&dir, AUTOSTART_NAME, AtFlags::empty()) {
                Ok(()) | Err(Errno::NOENT) => {}
                Err(e) => {
                    return Err(failed(format!(
                        "Cannot remove {}: {e}.",
                        shown.join(AUTOSTART_NAME).display()
                    )))
                }
            }
        }
        output::answer(
            json,
            &json!({ "user": user, "kiosk": false }),
            &format!(
                "{user}'s desktop no longer starts Slate. The session service and its data are \
                 kept; stop it with: systemctl disable --now slated"
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
    let defaults = std::env::var_os("SLATE_DEFAULTS_FILE")
        .map_or_else(|| PathBuf::from(DEFAULTS_FILE), PathBuf::from);
    write_defaults(
        &defaults,
        &format!(
            "# Written by `slatectl kiosk enable --user {user}`: the account whose screen the \
             session service (slated.service) serves.\nSLATE_SCREEN_USER={user}\n"
        ),
    )?;
    let (dir, shown) =
        autostart_folder(&home, owner, true)?.expect("the folders are created when missing");
    let entry = shown.join(AUTOSTART_NAME);
    let text = "[Desktop Entry]\nType=Application\nName=Slate kiosk\n\
         Comment=Start Slate at login and again if it stops\n\
         Exec=/usr/lib/slate/slate-kiosk\n\
         X-GNOME-Autostart-enabled=true\nNoDisplay=true\n";
    write_entry(&dir, &shown, owner, text)?;
    if let Some(warning) = old_data_folder_warning() {
        output::warn(&warning);
    }
    let service = start_service();
    output::answer(
        json,
        &json!({ "user": user, "kiosk": true, "defaults": defaults, "autostart": entry, "service": service }),
        &format!(
            "{user}'s desktop now starts Slate's screen at login; the session service serves it \
             ({}).\n{service}\n\
             To log {user} in automatically with LightDM, put these lines in /etc/lightdm/lightdm.conf:\n\
             \n    [Seat:*]\n    autologin-user={user}\n    autologin-user-timeout=0\n\n\
             Administer it as root or as a member of slate-admin: slatectl status",
            defaults.display()
        ),
    );
    Ok(())
}
