//! `slatectl`, the administrator CLI, driven from a shell. Passwords come from a no-echo prompt
//! or from standard input (`--password-stdin`), never from the command line. Errors are one
//! sentence on stderr with a distinct exit code (see `slate_core::exit`).
//!
//! Where a command runs: with the session service running (its socket, `--socket`, is there),
//! the service runs it ([`slate_core::wire::Call::Ctl`]), so a change acts at once and an
//! administrator needs no access to the data folder; else, or with `--data-dir`, slatectl opens
//! the data folder itself (root with the service stopped, for recovery; or someone's own Slate).
//! `kiosk` and `policy` never open a database and always run here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use slate_core::audit::Actor;
use slate_core::exit;
use slate_core::kiosk::KioskError;
use slate_core::policy::PolicySource;
use slate_core::wire::blocking::{self, CtlError};
use slate_core::wire::{CtlCall, Stream, ADMIN_GROUP};
use slate_core::{datadir::DataDir, Kiosk};
use slatectl::cli::{AuditCommand, Cli, Command, DataDirUse};
use slatectl::output::{self, Failure};
use slatectl::{current_uid, kiosk, policy, Ctx, ServiceLink};

fn main() -> ExitCode {
    // slatectl reads passwords: no core dump of it, and no other process may read its memory.
    if let Err(e) = slate_core::hardening::no_core_dumps() {
        eprintln!("slatectl: cannot turn core dumps off: {e}.");
        return ExitCode::FAILURE;
    }
    let cli = Cli::parse();
    let check = matches!(cli.command, Command::Status { check: true, .. });
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        // A monitoring check that cannot read the terminal still answers in its convention:
        // CRITICAL when the session service is not running (the only "not found" a status can
        // meet), else UNKNOWN.
        Err(failure) if check && !failure.sentence().is_empty() => {
            let code = if failure.code() == exit::NOT_FOUND {
                slatectl::nagios::CRITICAL
            } else {
                slatectl::nagios::UNKNOWN
            };
            println!("{}", slatectl::check_words(code, failure.sentence()));
            ExitCode::from(code)
        }
        Err(failure) => failure.report(),
    }
}

fn run(cli: Cli) -> Result<u8, Failure> {
    let json = cli.json;
    let mut command = match cli.command {
        // The OS setup and the policy check open no database.
        Command::Kiosk(cmd) => return kiosk::run(cmd, json).map(|()| 0),
        Command::Policy(cmd) => return policy::run(cmd, cli.policy, json).map(|()| 0),
        // A room's database, or this terminal's membership of one: never through the service.
        Command::Fleet(cmd) if !cmd.on_this_terminal() => {
            return slatectl::fleet::run(cmd, cli.data_dir, json).map(|()| 0)
        }
        command => command,
    };
    // `config set KEY -`: the value from standard input, read here (the service has no input of
    // its own), before the command goes anywhere.
    slatectl::read_value_from_stdin(&mut command)?;
    slatectl::read_anchor_file(&mut command)?;
    if cli.data_dir.is_none() {
        if let Some((socket, named)) = service_socket(cli.socket) {
            if cli.policy.is_some() {
                output::warn(
                    &"--policy is not used through the session service: it reads its own.",
                );
            }
            match through_service(&socket, command, json) {
                Through::Ran(code) => return code,
                Through::NoService(_) if named => {
                    return Err(Failure::new(
                        format!(
                            "Slate's session service is not running at {}.",
                            socket.display()
                        ),
                        exit::NOT_FOUND,
                    ))
                }
                // Nothing listens there (an old socket of a service that stopped): the data
                // folder, directly (root's, for recovery).
                Through::NoService(given) => command = *given,
            }
        }
        if current_uid() != 0 && Path::new(slate_core::datadir::SYSTEM_DATA_DIR).exists() {
            // An installed terminal whose service is not running: its data folder is root's
            // alone, and this account's own would be the wrong one.
            return Err(service_stopped_or_not_an_administrator());
        }
    }
    let named_dir = cli.data_dir.is_some();
    let installed = Path::new(slate_core::datadir::SYSTEM_DATA_DIR).exists();
    let kiosk = open_kiosk(cli.data_dir, cli.policy, command.data_dir_use())?;
    let service = if named_dir {
        ServiceLink::Direct
    } else if installed {
        // An installed terminal, its service not running (root, for recovery).
        ServiceLink::Down
    } else {
        ServiceLink::Direct
    };
    let ctx = Ctx {
        kiosk: &kiosk,
        json,
        actor: Actor::Cli { uid: current_uid() },
        password: None,
        service,
    };
    slatectl::run_on_kiosk(&ctx, command).map(|()| 0)
}

/// For an account that is not root, on an installed terminal whose service is not running.
fn service_stopped_or_not_an_administrator() -> Failure {
    if slate_core::local_accounts::group_members(ADMIN_GROUP).contains(&current_uid()) {
        Failure::new(
            "Slate's session service is not running: start it (systemctl start slated), or run \
             this as root to work on its data folder directly.",
            exit::NOT_FOUND,
        )
    } else {
        not_an_administrator()
    }
}

fn not_an_administrator() -> Failure {
    Failure::new(
        format!("Run this as root or as a member of {ADMIN_GROUP}."),
        exit::REFUSED,
    )
}

/// The session service's socket: the one named (`--socket`, `SLATE_SOCKET`; `true`), else the
/// installed service's, else one in this account's runtime folder (`make run`'s), if there.
fn service_socket(named: Option<PathBuf>) -> Option<(PathBuf, bool)> {
    if let Some(socket) = named {
        return Some((socket, true));
    }
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(|d| PathBuf::from(d).join("slate.sock"));
    [
        Some(PathBuf::from(slate_core::wire::SYSTEM_SOCKET)),
        runtime,
    ]
    .into_iter()
    .flatten()
    .find(|p| std::fs::symlink_metadata(p).is_ok())
    .map(|p| (p, false))
}

/// What came of asking the service.
enum Through {
    /// It ran the command: its exit code, or why it could not be asked.
    Ran(Result<u8, Failure>),
    /// No service listens on the socket; the command, to run here instead.
    NoService(Box<Command>),
}

/// Has the service run `command`, printing what it prints. A new password is read here first;
/// `audit export --output FILE` is written here, by this account, from what the service sends.
fn through_service(socket: &Path, mut command: Command, json: bool) -> Through {
    let ran = |r: Result<u8, Failure>| Through::Ran(r);
    // Is anyone there? (Asked before a password is read, so a stopped service asks for none.)
    if let Err(e) = std::os::unix::net::UnixStream::connect(socket) {
        return match e.kind() {
            std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound => {
                Through::NoService(Box::new(command))
            }
            std::io::ErrorKind::PermissionDenied => ran(Err(not_an_administrator())),
            _ => ran(Err(Failure::new(
                format!(
                    "Cannot reach the session service at {}: {e}.",
                    socket.display()
                ),
                exit::FAILURE,
            ))),
        };
    }
    let password = match slatectl::password_for(&command) {
        Some(ask) => match slatectl::read_password(ask) {
            Ok(p) => Some(p),
            Err(e) => return ran(Err(e)),
        },
        None => None,
    };
    let mut file = match export_file(&mut command) {
        Ok(file) => file,
        Err(e) => return ran(Err(e)),
    };
    let call = CtlCall {
        command: match serde_json::to_value(&command) {
            Ok(v) => v,
            Err(e) => {
                return ran(Err(output::failed(format!(
                    "Cannot send the command: {e}."
                ))))
            }
        },
        json,
        password,
    };
    let mut write_failed = None;
    let outcome = blocking::ctl(socket, call, |stream, text| match (&mut file, stream) {
        (Some((f, _, _, lines)), Stream::Stdout) => {
            use std::io::Write as _;
            *lines += text.matches('\n').count() as u64;
            if let Err(e) = f.write_all(text.as_bytes()) {
                write_failed.get_or_insert(e.to_string());
            }
        }
        _ => output::emit(stream, text),
    });
    let part = file.as_ref().map(|(_, _, part, _)| part.clone());
    let result = match outcome {
        Ok(code) => match (write_failed, file) {
            (Some(e), _) => Err(output::failed(format!("The export failed: {e}."))),
            (None, Some((f, path, part, lines))) if code == 0 => f
                .sync_all()
                .and_then(|()| std::fs::rename(&part, &path))
                .map(|()| {
                    output::note(&format!(
                        "Exported to {} ({} lines).",
                        path.display(),
                        lines
                    ));
                    0
                })
                .map_err(|e| output::failed(format!("The export failed: {e}."))),
            (None, _) => Ok(code),
        },
        Err(CtlError::Unreachable(e)) => Err(Failure::new(
            format!(
                "Cannot reach the session service at {}: {e}.",
                socket.display()
            ),
            exit::FAILURE,
        )),
        Err(CtlError::Refused(e)) if e.code == slate_core::api::ErrorCode::Refused => {
            Err(not_an_administrator())
        }
        Err(CtlError::Refused(e)) => Err(Failure::new(e.message, exit::FAILURE)),
        Err(CtlError::Lost(why)) => Err(Failure::new(
            format!("The session service stopped answering ({why}); the command may not have run."),
            exit::FAILURE,
        )),
    };
    // Whatever did not become FILE goes (once renamed, there is nothing left to remove).
    if let Some(part) = part {
        let _ = std::fs::remove_file(part);
    }
    ran(result)
}

/// For `audit export --output FILE` through the service: takes FILE out of the command (the
/// service sends the export back) and opens a new file beside it, which replaces FILE only once
/// it is complete, so a refusal or a failure leaves FILE as it was. The file, FILE, the new
/// file's path, and a count of lines.
fn export_file(
    command: &mut Command,
) -> Result<Option<(std::fs::File, PathBuf, PathBuf, u64)>, Failure> {
    let Command::Audit(AuditCommand::Export { output, .. }) = command else {
        return Ok(None);
    };
    let Some(path) = output.take() else {
        return Ok(None);
    };
    let mut part = path.clone().into_os_string();
    part.push(".part");
    let part = PathBuf::from(part);
    let file = std::fs::File::create(&part)
        .map_err(|e| output::failed(format!("Cannot write {}: {e}.", part.display())))?;
    Ok(Some((file, path, part, 0)))
}

/// The one place slatectl opens the kiosk itself: the data folder (created only for a command
/// that changes something, see [`DataDirUse`]), and the policy files, whose problems are warned
/// about before any command runs.
fn open_kiosk(
    data_dir: Option<PathBuf>,
    policy: Option<PathBuf>,
    data_dir_use: DataDirUse,
) -> Result<Kiosk, Failure> {
    let folder = match data_dir_use {
        DataDirUse::Reads => DataDir::open_existing(data_dir.as_deref()),
        DataDirUse::Changes | DataDirUse::Unused => DataDir::prepare(data_dir.as_deref()),
    };
    let kiosk = folder.map_err(KioskError::from).and_then(Kiosk::open)?;
    kiosk.use_policy(PolicySource::choose(policy))?;
    for problem in &kiosk.policy()?.problems {
        output::warn(problem);
    }
    Ok(kiosk)
}
