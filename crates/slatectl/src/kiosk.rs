//! `slatectl kiosk enable|disable --user USER`: the OS setup that makes a desktop account boot
//! straight into Slate (a data folder it owns, and an autostart entry in its home). It does not
//! open the database.
//!
//! Run as root, it writes into a home the kiosk account controls, so it never follows a link
//! there: each folder from the home down to `autostart` is opened with `O_NOFOLLOW` (a link is
//! refused), must belong to the account or root, and the entry is written to a new file in that
//! folder and renamed over the old name, which replaces a link (or a hard link) planted there
//! instead of writing through it. Otherwise `slate-kiosk.desktop` made a symlink to any root file
//! would have root write that file and give it to the account.

use std::io::Write as _;
use std::os::fd::OwnedFd;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Gid, Mode, OFlags, Uid, CWD};
use rustix::io::Errno;

use serde_json::json;
use slate_core::exit;

use crate::cli::KioskCommand;
use crate::output::{self, failed, Failure};

/// Where a kiosk install keeps its data: one system folder, owned by the kiosk account.
const KIOSK_DATA_DIR: &str = "/var/lib/slate";
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

pub fn run(cmd: KioskCommand, data_dir: Option<PathBuf>, json: bool) -> Result<(), Failure> {
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
    let me = crate::current_uid();
    if me != 0 && me != uid {
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
    // Given by its descriptor, opened without following a link: a data folder named inside a
    // folder the account controls cannot be swapped for a link to a root folder.
    let data_fd = rustix::fs::openat(
        CWD,
        &data,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| match e {
        Errno::LOOP | Errno::NOTDIR => failed(format!(
            "{} is a link or not a folder; name the data folder itself.",
            data.display()
        )),
        e => failed(format!("Cannot open {}: {e}.", data.display())),
    })?;
    owner
        .give(&data_fd)
        .map_err(|e| failed(format!("Cannot give {} to {user}: {e}.", data.display())))?;
    let (dir, shown) =
        autostart_folder(&home, owner, true)?.expect("the folders are created when missing");
    let entry = shown.join(AUTOSTART_NAME);
    let text = format!(
        "[Desktop Entry]\nType=Application\nName=Slate kiosk\n\
         Comment=Start Slate at login and again if it stops\n\
         Exec=env SLATE_DATA_DIR={} /usr/lib/slate/slate-kiosk\n\
         X-GNOME-Autostart-enabled=true\nNoDisplay=true\n",
        data.display()
    );
    write_entry(&dir, &shown, owner, &text)?;
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
