//! `slatectl` as a library: the command line's clap types ([`cli`], which `slate-docgen` also
//! writes the man pages and shell completions from), and each command's work on an open kiosk
//! ([`run_on_kiosk`]), which the binary runs on the data folder itself or asks the session
//! service to run (`slated` calls the same function, its output sent back through the socket).

pub mod cli;
#[macro_use]
pub mod output;
mod audit;
mod config;
pub mod fleet;
mod guest_pass;
pub mod kiosk;
pub mod policy;
mod session;
mod source;
mod stats;
mod status;

pub use status::{check_words, nagios};
mod user;

use slate_core::audit::Actor;
use slate_core::auth::Password;
use slate_core::Kiosk;

use cli::Command;
use output::Failure;

/// What a command runs with.
pub struct Ctx<'a> {
    pub kiosk: &'a Kiosk,
    /// `--json`: machine-readable output.
    pub json: bool,
    /// Who the audit names for a change: `slatectl (uid N)`, the account that ran `slatectl`.
    pub actor: Actor,
    /// The password read before the command ran (the service has no terminal to ask on).
    pub password: Option<Password>,
    /// Who runs the command: the session service, or slatectl on the data folder itself.
    pub service: ServiceLink,
}

/// Whether the session service runs a command, for `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceLink {
    /// The service runs it; it started this long ago.
    Running { uptime: std::time::Duration },
    /// An installed terminal whose service is not running: slatectl (as root) opened the data
    /// folder itself.
    Down,
    /// slatectl opened a data folder of someone's choosing (`--data-dir`, an account's own).
    Direct,
}

/// A password a command needs, and how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordAsk<'a> {
    /// Whose password.
    pub name: &'a str,
    /// From standard input (`--password-stdin`) rather than a prompt.
    pub from_stdin: bool,
    /// A new password (`init`, `user add`, `user passwd`: asked twice), or one to check
    /// (`source test`: asked once).
    pub new: bool,
}

/// The password `command` needs, if it needs one.
pub fn password_for(command: &Command) -> Option<PasswordAsk<'_>> {
    use cli::{SourceCommand, UserCommand};
    let (name, from_stdin, new) = match command {
        Command::Init { admin, new } => (admin, new.password_stdin, true),
        Command::User(UserCommand::Add { name, new, .. }) => (name, new.password_stdin, true),
        Command::User(UserCommand::Passwd {
            name,
            password_stdin,
        }) => (name, *password_stdin, true),
        Command::Source(SourceCommand::Test {
            name,
            password_stdin,
            ..
        }) => (name, *password_stdin, false),
        _ => return None,
    };
    Some(PasswordAsk {
        name,
        from_stdin,
        new,
    })
}

/// `config set KEY -`: replaces the `-` with the first line of standard input (for a secret such
/// as `ldap_bind_password`, which then never shows in the process list or the shell's history),
/// or, for a text of several lines (the acceptable-use page), the whole of it.
pub fn read_value_from_stdin(command: &mut Command) -> Result<(), Failure> {
    if let Command::Config(cli::ConfigCommand::Set { key, value }) = command {
        if value == "-" {
            let long = slate_core::settings::definition(key)
                .is_some_and(|d| d.kind == slate_core::settings::Kind::Notice);
            if long {
                *value = text_from_stdin()?;
                return Ok(());
            }
            let line = user::password_from_stdin()?;
            *value = String::from_utf8_lossy(line.as_bytes()).into_owned();
        }
    }
    Ok(())
}

/// A long text from standard input (the acceptable-use page): UTF-8, within the page's limit
/// (its bytes at most four times its characters; the setting counts the characters).
fn text_from_stdin() -> Result<String, Failure> {
    use std::io::Read as _;
    let limit = 4 * slate_core::notice::MAX_CHARS as u64;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| output::invalid(&format!("Cannot read the text from standard input: {e}.")))?;
    if bytes.len() as u64 > limit {
        return Err(output::invalid(&format!(
            "The text can have at most {} characters.",
            slate_core::notice::MAX_CHARS
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| output::invalid("The text on standard input is not valid UTF-8."))
}

/// How many of a collector's anchors `audit verify --anchors-from` checks: the newest.
pub const ANCHORS_SENT: usize = 1000;

/// `audit verify --anchors-from FILE`: the anchors read from FILE here, by the account that runs
/// slatectl (the service never opens a file an administrator names), before the command goes
/// anywhere.
pub fn read_anchor_file(command: &mut Command) -> Result<(), Failure> {
    if let Command::Audit(cli::AuditCommand::Verify {
        anchors_from: Some(path),
        anchors,
        ..
    }) = command
    {
        let text = std::fs::read(&*path).map_err(|e| {
            output::invalid(&format!(
                "Cannot read {}: {}.",
                path.display(),
                slate_core::io_words::reason(&e)
            ))
        })?;
        let mut found = slate_core::audit::anchors_in(&String::from_utf8_lossy(&text));
        // The newest anchors are the ones that matter (each MAC covers the record before it, so
        // the newest one the log still holds vouches for all before it): the newest thousand go.
        found.sort_unstable();
        found.dedup();
        let keep = found.len().saturating_sub(ANCHORS_SENT);
        *anchors = found.split_off(keep);
    }
    Ok(())
}

/// The command as the service's log may show it: a secret setting's value hidden.
pub fn loggable(command: &Command) -> String {
    match command {
        Command::Config(cli::ConfigCommand::Set { key, .. })
            if slate_core::settings::public_value(key, "x") != "x" =>
        {
            format!("Config(Set {{ key: {key:?}, value: \"(secret)\" }})")
        }
        other => format!("{other:?}"),
    }
}

/// Reads the password `ask` says, from standard input or a no-echo prompt.
pub fn read_password(ask: PasswordAsk) -> Result<Password, Failure> {
    user::read_password(ask)
}

/// Runs a command that works on the kiosk's database (everything but `kiosk` and `policy`).
pub fn run_on_kiosk(ctx: &Ctx, command: Command) -> Result<(), Failure> {
    let (kiosk, json) = (ctx.kiosk, ctx.json);
    match command {
        Command::Check => status::check(kiosk, json),
        Command::Status { check, metrics } => status::status(ctx, check, metrics),
        Command::Init { admin, new } => user::init(ctx, &admin, &new),
        Command::User(cmd) => user::run(ctx, cmd),
        Command::Config(cmd) => config::run(ctx, cmd),
        Command::Session(cmd) => session::run(ctx, cmd),
        Command::Audit(cmd) => audit::run(kiosk, cmd, json),
        Command::Source(cmd) => source::run(ctx, cmd),
        Command::GuestPass(cmd) => guest_pass::run(ctx, cmd),
        Command::Stats { since, until, csv } => stats::run(
            ctx,
            since.as_deref().unwrap_or_default(),
            until.as_deref().unwrap_or_default(),
            csv,
        ),
        Command::Fleet(cmd) if cmd.on_this_terminal() => fleet::on_this_terminal(ctx, cmd),
        Command::Kiosk(_) | Command::Policy(_) | Command::Fleet(_) => Err(output::invalid(
            "That command sets up this machine and is not run on a kiosk's database.",
        )),
    }
}

/// The uid this process runs as.
pub fn current_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_setting_s_value_never_reaches_the_log() {
        let set = |key: &str| {
            Command::Config(cli::ConfigCommand::Set {
                key: key.into(),
                value: "hunter2 hunter2".into(),
            })
        };
        let shown = loggable(&set("ldap_bind_password"));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("ldap_bind_password"), "{shown}");
        assert!(loggable(&set("guests_allowed")).contains("hunter2"));
    }
}
