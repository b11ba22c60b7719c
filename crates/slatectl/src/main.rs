//! `slatectl`, the administrator CLI: the same core as the kiosk, driven from a shell. It may run
//! while the kiosk runs (they share the database). Passwords come from a no-echo prompt or from
//! standard input (`--password-stdin`), never from the command line. Errors are one sentence on
//! stderr with a distinct exit code (see `slate_core::exit`).
//!
//! This file parses the command line, opens the kiosk and hands each subcommand group to its
//! module; [`output`] prints every answer and turns a [`output::Failure`] into the exit code.

mod audit;
mod config;
mod kiosk;
mod output;
mod policy;
mod session;
mod status;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use slate_core::audit::Actor;
use slate_core::kiosk::KioskError;
use slate_core::policy::PolicySource;
use slate_core::{datadir::DataDir, Kiosk};
use slatectl::cli;

use cli::{Cli, Command, DataDirUse};
use output::Failure;

fn main() -> ExitCode {
    // slatectl reads passwords: no core dump of it, and no other process may read its memory.
    if let Err(e) = slate_core::hardening::no_core_dumps() {
        eprintln!("slatectl: cannot turn core dumps off: {e}.");
        return ExitCode::FAILURE;
    }
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let json = cli.json;
    let command = match cli.command {
        // The OS setup and the policy check open no database.
        Command::Kiosk(cmd) => return kiosk::run(cmd, cli.data_dir, json),
        Command::Policy(cmd) => return policy::run(cmd, cli.policy, json),
        command => command,
    };
    let kiosk = open_kiosk(cli.data_dir, cli.policy, command.data_dir_use())?;
    match command {
        Command::Check => status::check(&kiosk, json),
        Command::Status => status::status(&kiosk, json),
        Command::Init { admin, new } => user::init(&kiosk, &admin, &new, json),
        Command::User(cmd) => user::run(&kiosk, cmd, json),
        Command::Config(cmd) => config::run(&kiosk, cmd, json),
        Command::Session(cmd) => session::run(&kiosk, cmd, json),
        Command::Audit(cmd) => audit::run(&kiosk, cmd, json),
        Command::Kiosk(_) | Command::Policy(_) => {
            unreachable!("handled before the database is opened")
        }
    }
}

/// The one place slatectl opens the kiosk: the data folder (created only for a command that
/// changes something, see [`DataDirUse`]), and the policy files, whose problems are warned
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

/// The uid this process runs as (`u32::MAX` if it cannot be read).
/// Who the audit names for changes made from this shell: `slatectl (uid N)`.
fn me() -> Actor {
    Actor::Cli { uid: current_uid() }
}

fn current_uid() -> u32 {
    rustix::process::getuid().as_raw()
}
