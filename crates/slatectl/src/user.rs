//! `slatectl user …` and `slatectl init`: the local accounts, and reading a new password from a
//! no-echo prompt or from standard input (never from the command line).

use std::io::{IsTerminal, Read};

use slate_core::accounts::{DailyTime, Role};
use slate_core::auth::Password;
use slate_core::duration;
use slate_core::kiosk::KioskError;
use zeroize::Zeroizing;

use crate::cli::{NewAccount, UserCommand};
use crate::output::{self, invalid, Failure};
use crate::{Ctx, PasswordAsk};

/// `slatectl init --admin NAME`: the first administrator, once.
pub fn init(ctx: &Ctx, admin: &str, new: &NewAccount) -> Result<(), Failure> {
    let (kiosk, json) = (ctx.kiosk, ctx.json);
    if kiosk.check()?.set_up {
        return Err(KioskError::AlreadySetUp.into());
    }
    let password = new_password(ctx, admin, new.password_stdin)?;
    let a = kiosk.create_first_admin(&ctx.actor, admin, &new.display_name, &password)?;
    output::answer(json, &a, &format!("Created administrator {}.", a.username));
    Ok(())
}

pub fn run(ctx: &Ctx, cmd: UserCommand) -> Result<(), Failure> {
    let (kiosk, json) = (ctx.kiosk, ctx.json);
    match cmd {
        UserCommand::Add { name, admin, new } => {
            let role = if admin { Role::Admin } else { Role::User };
            let password = new_password(ctx, &name, new.password_stdin)?;
            let a = kiosk.add_user(&ctx.actor, &name, &new.display_name, role, &password)?;
            output::answer(json, &a, &format!("Added {}.", a.username));
        }
        UserCommand::List => output::users(json, &kiosk.list_users()?),
        UserCommand::Remove { name } => {
            kiosk.remove_user(&ctx.actor, &name)?;
            done(json, &name, "removed", "Removed");
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            // Fail on an unknown name before asking for a password.
            if !kiosk
                .list_users()?
                .iter()
                .any(|u| same_name(&u.username, &name))
            {
                return Err(KioskError::NoSuchUser(name.trim().to_owned()).into());
            }
            let password = new_password(ctx, &name, password_stdin)?;
            kiosk.set_password(&ctx.actor, &name, &password)?;
            done(json, &name, "password_changed", "Changed the password of");
        }
        UserCommand::Disable { name } => {
            kiosk.set_user_enabled(&ctx.actor, &name, false)?;
            done(json, &name, "disabled", "Disabled");
        }
        UserCommand::Enable { name } => {
            kiosk.set_user_enabled(&ctx.actor, &name, true)?;
            done(json, &name, "enabled", "Enabled");
        }
        UserCommand::Unlock { name } => {
            kiosk.unlock_user(&ctx.actor, &name)?;
            done(json, &name, "unlocked", "Unlocked");
        }
        UserCommand::Set { name, daily } => {
            let set = kiosk.set_daily_time(&ctx.actor, &name, &daily)?;
            let said = match set {
                DailyTime::AsSet => "this terminal's daily time".to_owned(),
                DailyTime::Unlimited => "no daily limit".to_owned(),
                DailyTime::Limit { secs } => format!("{} a day", duration::compact(secs)),
            };
            output::done(
                json,
                &name,
                "daily_time_set",
                &format!("{} has {said}.", name.trim()),
            );
        }
    }
    Ok(())
}

/// A change to the account `name`, said as "`verb` NAME.".
fn done(json: bool, name: &str, what: &str, verb: &str) {
    output::done(json, name, what, &format!("{verb} {}.", name.trim()));
}

fn same_name(a: &str, b: &str) -> bool {
    match (
        slate_core::auth::Username::parse(a),
        slate_core::auth::Username::parse(b),
    ) {
        (Ok(a), Ok(b)) => a.key() == b.key(),
        _ => false,
    }
}

/// Longest input accepted on standard input: far more than a 256-character password in any
/// script, small enough that a runaway pipe cannot exhaust memory.
const STDIN_LIMIT: u64 = 4096;

/// The password the command came with, or one read now (a new one asked twice).
pub(crate) fn given_password(ctx: &Ctx, ask: PasswordAsk) -> Result<Password, Failure> {
    match &ctx.password {
        Some(given) => Ok(given.clone()),
        None => read_password(ask),
    }
}

fn new_password(ctx: &Ctx, name: &str, from_stdin: bool) -> Result<Password, Failure> {
    given_password(
        ctx,
        PasswordAsk {
            name,
            from_stdin,
            new: true,
        },
    )
}

/// Reads a password from standard input (one line) or a no-echo prompt (a new one asked twice).
pub fn read_password(ask: PasswordAsk) -> Result<Password, Failure> {
    if ask.from_stdin {
        return password_from_stdin();
    }
    if !std::io::stdin().is_terminal() {
        return Err(invalid(
            "There is no terminal to ask for the password on; pass --password-stdin and send it on standard input.",
        ));
    }
    let (name, new) = (ask.name.trim(), ask.new);
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(Password::from)
            .map_err(|e| invalid(&format!("Cannot read the password: {e}.")))
    };
    if !new {
        return ask(&format!("Password of {name}: "));
    }
    let first = ask(&format!("New password for {name}: "))?;
    let second = ask("Type it again: ")?;
    if first.as_bytes() != second.as_bytes() {
        return Err(invalid("The two passwords are not the same."));
    }
    Ok(first)
}

/// One line of standard input, without its line ending.
pub(crate) fn password_from_stdin() -> Result<Password, Failure> {
    let mut buf = Zeroizing::new(Vec::new());
    std::io::stdin()
        .take(STDIN_LIMIT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| {
            invalid(&format!(
                "Cannot read the password from standard input: {e}."
            ))
        })?;
    if buf.len() as u64 > STDIN_LIMIT {
        return Err(invalid("The password can have at most 256 characters."));
    }
    let mut text = Zeroizing::new(
        String::from_utf8(std::mem::take(&mut *buf))
            .map_err(|_| invalid("The password is not valid UTF-8 text."))?,
    );
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    if text.contains('\n') {
        return Err(invalid(
            "Send the password as a single line on standard input.",
        ));
    }
    Ok(Password::from(std::mem::take(&mut *text)))
}
