//! `slatectl fleet …`: a room of terminals. `init`, `upgrade`, `add`, `revoke` and `terminals`
//! work on the room's PostgreSQL database with its administrator's URL (the password from
//! `PGPASSWORD` or a prompt, never the command line); `join` and `leave` change which room this
//! terminal is in (its data folder's `room.toml`, root's alone). None of them goes through the
//! session service: it is restarted to take a new room.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::PathBuf;

use slate_core::auth::hash_password;
use slate_core::datadir::DataDir;
use slate_core::exit;
use slate_core::room::fleet::{check_group, FirstAdmin, Fleet};
use slate_core::room::{Endpoint, Membership, TerminalName, CONFIG_FILE};
use slate_core::store_error::StoreError;
use zeroize::Zeroizing;

use crate::cli::{FleetCommand, RoomDatabase, RoomScopeArgs};
use crate::output::{self, invalid, Failure};
use crate::PasswordAsk;
use slate_core::api::RoomScope;

/// The room's database could not be used: one sentence, its exit code.
fn room_failure(e: StoreError) -> Failure {
    let code = match e {
        StoreError::RoomAway(_) => exit::RUNTIME,
        _ => exit::DATABASE,
    };
    Failure::new(e.to_string(), code)
}

/// The PostgreSQL administrator's password: `PGPASSWORD`, else a no-echo prompt.
fn database_password(user: &str) -> Result<Zeroizing<String>, Failure> {
    if let Ok(p) = std::env::var("PGPASSWORD") {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(invalid(
            "There is no terminal to ask for the database password on; set PGPASSWORD.",
        ));
    }
    rpassword::prompt_password(format!("PostgreSQL password of {user}: "))
        .map(Zeroizing::new)
        .map_err(|e| invalid(&format!("Cannot read the password: {e}.")))
}

fn connect(db: &RoomDatabase) -> Result<Fleet, Failure> {
    let endpoint = Endpoint::parse(&db.url, db.ca.clone()).map_err(|e| invalid(&e))?;
    let password = database_password(&endpoint.user())?;
    Fleet::connect(&endpoint, &password).map_err(room_failure)
}

/// A room's refusal as a sentence of its own (without "the room's database says").
fn sentence(e: &StoreError) -> String {
    match e {
        StoreError::Room(why) => {
            let mut why = why.clone();
            if let Some(first) = why.get(..1) {
                why.replace_range(..1, &first.to_uppercase());
            }
            format!("{why}.")
        }
        other => other.to_string(),
    }
}

fn terminal_name(text: &str) -> Result<TerminalName, Failure> {
    TerminalName::parse(text).map_err(|e| invalid(&e))
}

pub fn run(cmd: FleetCommand, data_dir: Option<PathBuf>, json: bool) -> Result<(), Failure> {
    match cmd {
        FleetCommand::Init { db, admin, new } => init(&db, &admin, &new, json)?,
        FleetCommand::Upgrade { db } => {
            let version = connect(&db)?.upgrade().map_err(room_failure)?;
            output::answer(
                json,
                &serde_json::json!({ "schema_version": version }),
                &format!("The room's schema is at version {version}."),
            );
        }
        FleetCommand::Add {
            terminal,
            group,
            db,
        } => add(&terminal, group, &db, json)?,
        FleetCommand::Revoke { terminal, db } => {
            let name = terminal_name(&terminal)?;
            if !connect(&db)?.revoke(&name).map_err(room_failure)? {
                return Err(Failure::new(
                    format!("The room has no terminal {name}."),
                    exit::NOT_FOUND,
                ));
            }
            output::answer(
                json,
                &serde_json::json!({ "terminal": name.as_str(), "done": "revoked" }),
                &format!(
                    "Revoked terminal {name}: its credential no longer works, and its connections were ended."
                ),
            );
        }
        FleetCommand::Terminals { db } => terminals(&db, json)?,
        FleetCommand::Group {
            terminal,
            group,
            db,
        } => {
            let name = terminal_name(&terminal)?;
            let group = group.as_deref();
            if let Some(g) = group {
                check_group(g).map_err(|e| invalid(&sentence(&e)))?;
            }
            if !connect(&db)?
                .set_group(&name, group)
                .map_err(room_failure)?
            {
                return Err(Failure::new(
                    format!("The room has no terminal {name}."),
                    exit::NOT_FOUND,
                ));
            }
            let said = match group {
                Some(g) => format!("Terminal {name} is in the group {g} now."),
                None => format!("Terminal {name} is in no group now."),
            };
            output::answer(
                json,
                &serde_json::json!({ "terminal": name.as_str(), "group": group }),
                &said,
            );
        }
        FleetCommand::Set {
            key,
            value,
            scope,
            db,
        } => put_setting(&key, Some(&value), &scope, &db, json)?,
        FleetCommand::Unset { key, scope, db } => put_setting(&key, None, &scope, &db, json)?,
        FleetCommand::Settings { db } => room_settings(&db, json)?,
        FleetCommand::Audit { db } => room_audit(&db, json)?,
        FleetCommand::Join {
            terminal,
            url,
            ca,
            password_stdin,
        } => join(data_dir, &terminal, &url, ca, password_stdin, json)?,
        FleetCommand::Leave => leave(data_dir, json)?,
        FleetCommand::Status
        | FleetCommand::End { .. }
        | FleetCommand::EndUser { .. }
        | FleetCommand::Message { .. } => {
            return Err(invalid(
                "That command runs on a terminal in a room, through its session service.",
            ))
        }
    }
    Ok(())
}

/// `fleet set` and `fleet unset`.
fn put_setting(
    key: &str,
    value: Option<&str>,
    scope: &RoomScopeArgs,
    db: &RoomDatabase,
    json: bool,
) -> Result<(), Failure> {
    let (room_scope, target, whom) = match (&scope.group, &scope.terminal) {
        (Some(g), _) => (RoomScope::Group, Some(g.as_str()), format!("the group {g}")),
        (None, Some(t)) => (
            RoomScope::Terminal,
            Some(t.as_str()),
            format!("terminal {t}"),
        ),
        (None, None) => (RoomScope::Room, None, "every terminal".to_owned()),
    };
    // Checked before connecting: a typo costs no password prompt.
    if let Some(g) = &scope.group {
        check_group(g).map_err(|e| invalid(&sentence(&e)))?;
    }
    if let Some(t) = &scope.terminal {
        terminal_name(t)?;
    }
    let def = slate_core::settings::definition(key).ok_or_else(|| {
        Failure::from(slate_core::kiosk::KioskError::Setting(
            slate_core::settings::SettingError::Unknown(key.to_owned()),
        ))
    })?;
    let value = value
        .map(|v| slate_core::settings::validate(def, v))
        .transpose()
        .map_err(|e| Failure::from(slate_core::kiosk::KioskError::Setting(e)))?;
    let put = connect(db)?
        .put_setting(room_scope, target, key, value.as_deref())
        .map_err(room_failure)?;
    let done = put.changed;
    if put.reaches == 0 && value.is_some() {
        output::warn(&format!(
            "No terminal is in the group {} yet (slatectl fleet group TERMINAL GROUP).",
            target.unwrap_or_default()
        ));
    }
    let shown = value
        .as_deref()
        .map(|v| slate_core::settings::public_value(key, v));
    let said = match (&shown, done) {
        (Some(v), _) => format!(
            "Set {key} to {} for {whom}.",
            slate_core::settings::human_value(key, v)
        ),
        (None, true) => format!("Removed the room's value of {key} for {whom}."),
        (None, false) => format!("The room had no value of {key} for {whom}; nothing changed."),
    };
    output::answer(
        json,
        &serde_json::json!({
            "key": key, "value": shown, "scope": room_scope.text(), "target": target, "changed": done,
        }),
        &said,
    );
    Ok(())
}

/// `fleet audit`: every terminal's chain in the room; a failure when one is not sound.
fn room_audit(db: &RoomDatabase, json: bool) -> Result<(), Failure> {
    let chains = connect(db)?.room_audit().map_err(room_failure)?;
    let mut text = String::new();
    for c in &chains {
        let held = match (c.first_seq, c.last_seq) {
            (Some(first), Some(last)) => format!(
                "{} records ({first} to {last}), {}, the last received {}",
                c.records,
                match c.missing {
                    0 => "none missing".to_owned(),
                    n => format!("{n} MISSING"),
                },
                c.last_received.as_deref().unwrap_or("?")
            ),
            _ => "no records yet".to_owned(),
        };
        let checked = match &c.check {
            None => "not checked by the terminal yet".to_owned(),
            Some(k) if k.ok => format!(
                "checked by the terminal at {}: intact through record {}",
                k.checked_at,
                k.through_seq
                    .map_or_else(|| "0".to_owned(), |s| s.to_string())
            ),
            Some(k) => format!(
                "checked by the terminal at {}: BROKEN: {}",
                k.checked_at,
                k.problem.as_deref().unwrap_or("?")
            ),
        };
        let revoked = if c.revoked { " (revoked)" } else { "" };
        let _ = writeln!(text, "{}{revoked}: {held}; {checked}.", c.terminal);
    }
    let broken: Vec<&str> = chains
        .iter()
        .filter(|c| !c.sound())
        .map(|c| c.terminal.as_str())
        .collect();
    if broken.is_empty() {
        let _ = write!(
            text,
            "The room's audit is whole: nothing missing at any of its {} terminals.",
            chains.len()
        );
    }
    output::answer(
        json,
        &serde_json::json!({ "terminals": chains, "sound": broken.is_empty() }),
        text.trim_end(),
    );
    if broken.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(
            format!("The room's audit is not whole at: {}.", broken.join(", ")),
            exit::AUDIT_BROKEN,
        ))
    }
}

/// `fleet settings`.
fn room_settings(db: &RoomDatabase, json: bool) -> Result<(), Failure> {
    let rows = connect(db)?.settings().map_err(room_failure)?;
    let mut text = String::new();
    if rows.is_empty() {
        text.push_str(
            "The room holds no settings: each terminal uses its defaults and its policy file.",
        );
    }
    for r in &rows {
        let whom = match (r.scope, &r.target) {
            (RoomScope::Group, Some(g)) => format!("group {g}"),
            (RoomScope::Terminal, Some(t)) => format!("terminal {t}"),
            _ => "every terminal".to_owned(),
        };
        let _ = writeln!(
            text,
            "{whom}: {} = {} (set {} by {})",
            r.key,
            slate_core::settings::human_value(&r.key, &r.value),
            r.changed_at,
            r.changed_by.as_deref().unwrap_or("?")
        );
    }
    output::answer(
        json,
        &serde_json::json!({ "settings": rows }),
        text.trim_end(),
    );
    Ok(())
}

fn join(
    data_dir: Option<PathBuf>,
    terminal: &str,
    url: &str,
    ca: Option<PathBuf>,
    password_stdin: bool,
    json: bool,
) -> Result<(), Failure> {
    let name = terminal_name(terminal)?;
    // The user is the terminal's role whatever the URL said.
    let endpoint = Endpoint::for_terminal(url, ca, &name).map_err(|e| invalid(&e))?;
    let dir = DataDir::prepare(data_dir.as_deref())
        .map_err(|e| Failure::from(slate_core::kiosk::KioskError::from(e)))?;
    let password = crate::user::read_password(PasswordAsk {
        name: name.as_str(),
        from_stdin: password_stdin,
        new: false,
    })?;
    let password = Zeroizing::new(String::from_utf8_lossy(password.as_bytes()).into_owned());
    let membership = Membership::new(name.clone(), endpoint, password);
    // Checked before it is kept: the credential works and the room's schema is this Slate's.
    let room = slate_core::room::Room::new(membership);
    room.reachable().map_err(room_failure)?;
    room.membership().save(dir.path()).map_err(|e| {
        output::failed(format!(
            "Cannot write {}: {}.",
            dir.path().join(CONFIG_FILE).display(),
            slate_core::io_words::reason(&e)
        ))
    })?;
    output::answer(
        json,
        &serde_json::json!({ "terminal": name.as_str(), "done": "joined" }),
        &format!(
            "This terminal is {name} in the room now. Restart the session service (systemctl restart slated) to use the room's accounts."
        ),
    );
    Ok(())
}

fn init(
    db: &RoomDatabase,
    admin: &str,
    new: &crate::cli::NewAccount,
    json: bool,
) -> Result<(), Failure> {
    let mut fleet = connect(db)?;
    let password = crate::user::read_password(PasswordAsk {
        name: admin.trim(),
        from_stdin: new.password_stdin,
        new: true,
    })?;
    let (username, display_name) =
        slate_core::kiosk::checked_new_account(admin, &new.display_name, &password)?;
    let hash = hash_password(&password);
    let report = fleet
        .init(&FirstAdmin {
            username: &username,
            display_name: &display_name,
            password_hash: &hash,
        })
        .map_err(room_failure)?;
    let text = if report.admin_created {
        format!(
            "The room is ready (schema {}); its first administrator is {}.",
            report.schema_version,
            username.as_str()
        )
    } else {
        format!(
            "The room is ready (schema {}); it had an administrator already, so {} was not made.",
            report.schema_version,
            username.as_str()
        )
    };
    output::answer(json, &report, &text);
    Ok(())
}

fn add(
    terminal: &str,
    group: Option<String>,
    db: &RoomDatabase,
    json: bool,
) -> Result<(), Failure> {
    let name = terminal_name(terminal)?;
    let group = group.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty());
    let endpoint = Endpoint::parse(&db.url, db.ca.clone()).map_err(|e| invalid(&e))?;
    // Made before the role is, so a URL that cannot hold the terminal's user changes nothing.
    let join_url = endpoint.as_user(&name.role()).map_err(|e| invalid(&e))?.url;
    let password = connect(db)?
        .add_terminal(&name, group.as_deref())
        .map_err(room_failure)?;
    if json {
        output::answer(
            true,
            &serde_json::json!({
                "terminal": name.as_str(),
                "role": name.role(),
                "url": join_url,
                "password": password.as_str(),
            }),
            "",
        );
    } else {
        outln!(
            "Added terminal {name}. On it, as root, run:\n  slatectl fleet join {name} --url '{join_url}'{}\nand give this password when asked (it is not shown again):\n  {}",
            db.ca
                .as_ref()
                .map(|ca| format!(" --ca {}", ca.display()))
                .unwrap_or_default(),
            password.as_str()
        );
    }
    Ok(())
}

fn terminals(db: &RoomDatabase, json: bool) -> Result<(), Failure> {
    let rows = connect(db)?.terminals().map_err(room_failure)?;
    if json {
        output::answer(true, &rows, "");
    } else if rows.is_empty() {
        outln!("The room has no terminals yet (slatectl fleet add NAME).");
    } else {
        outln!("terminal             group        added                 state");
        for t in &rows {
            outln!(
                "{:<20} {:<12} {:<21} {}",
                t.name,
                t.group.as_deref().unwrap_or("-"),
                t.added_at,
                t.revoked_at
                    .as_deref()
                    .map_or_else(|| "member".to_owned(), |at| format!("revoked {at}"))
            );
        }
    }
    Ok(())
}

fn leave(data_dir: Option<PathBuf>, json: bool) -> Result<(), Failure> {
    let dir = DataDir::open_existing(data_dir.as_deref())
        .map_err(|e| Failure::from(slate_core::kiosk::KioskError::from(e)))?;
    let path = dir.path().join(CONFIG_FILE);
    match std::fs::remove_file(&path) {
        Ok(()) => output::answer(
            json,
            &serde_json::json!({ "done": "left" }),
            "This terminal is in no room now. Restart the session service (systemctl restart slated) to use its own accounts again.",
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::new(
                "This terminal is in no room.",
                exit::NOT_FOUND,
            ))
        }
        Err(e) => {
            return Err(output::failed(format!(
                "Cannot remove {}: {}.",
                path.display(),
                slate_core::io_words::reason(&e)
            )))
        }
    }
    Ok(())
}

/// `fleet status`, `fleet end`, `fleet end-user`: through this terminal's place in its room.
pub fn on_this_terminal(ctx: &crate::Ctx, cmd: FleetCommand) -> Result<(), Failure> {
    let (kiosk, json) = (ctx.kiosk, ctx.json);
    match cmd {
        FleetCommand::Status => {
            let terminals = kiosk.room_status()?;
            if json {
                output::answer(true, &terminals, "");
                return Ok(());
            }
            outln!("terminal             group        state");
            for t in &terminals {
                outln!(
                    "{:<20} {:<12} {}",
                    t.name,
                    t.group.as_deref().unwrap_or("-"),
                    desk_words(t)
                );
            }
        }
        FleetCommand::End { terminal } => {
            let terminal = terminal_name(&terminal)?;
            let asked = kiosk.room_end_session(&ctx.actor, terminal.as_str())?;
            let text = if asked {
                format!("Asked {terminal} to end its session; it ends there within seconds, wiped and audited.")
            } else {
                format!("Nobody is signed in at {terminal}.")
            };
            output::answer(
                json,
                &serde_json::json!({ "terminal": terminal.as_str(), "asked": asked }),
                &text,
            );
        }
        FleetCommand::EndUser { username } => {
            let n = kiosk.room_end_everywhere(&ctx.actor, &username)?;
            output::answer(
                json,
                &serde_json::json!({ "username": username.trim(), "sessions": n }),
                &format!(
                    "Asked {n} terminal{} to end {}'s session.",
                    if n == 1 { "" } else { "s" },
                    username.trim()
                ),
            );
        }
        FleetCommand::Message { terminal, text } => {
            let terminal = terminal_name(&terminal)?;
            let sent = kiosk.room_message(&ctx.actor, terminal.as_str(), &text)?;
            let said = if sent {
                format!("Sent the message to {terminal}.")
            } else {
                format!("Nobody is signed in at {terminal}.")
            };
            output::answer(
                json,
                &serde_json::json!({ "terminal": terminal.as_str(), "sent": sent }),
                &said,
            );
        }
        _ => unreachable!("only the commands on this terminal come here"),
    }
    Ok(())
}

/// A terminal's state in words, as the desk view says it.
fn desk_words(t: &slate_core::room::desk::DeskTerminal) -> String {
    use slate_core::room::desk::DeskState;
    if t.revoked {
        return "revoked".into();
    }
    let since = t.changed_at.as_deref().unwrap_or("never");
    if !t.online {
        return format!("offline (last heard {since})");
    }
    match t.state {
        None => "online, has not said its state yet".into(),
        Some(DeskState::Ready) => "ready".into(),
        Some(DeskState::Setup) => "not set up".into(),
        Some(DeskState::Attention) => format!(
            "needs attention: {}",
            t.why.as_deref().unwrap_or("(no reason given)")
        ),
        Some(DeskState::InUse) => {
            let mut words = format!("in use by {}", t.who.as_deref().unwrap_or("someone"));
            if let Some(u) = &t.username {
                let _ = write!(words, " ({u})");
            }
            if let Some(until) = &t.until {
                let _ = write!(words, " until {until}");
            }
            words
        }
    }
}
