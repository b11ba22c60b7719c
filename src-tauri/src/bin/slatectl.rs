//! `slatectl`, the administrator CLI: the same core as the kiosk, driven from a shell.
//! Errors are one sentence on stderr with a distinct exit code (see `slate::cli::exit`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use slate::cli::exit_code_for;
use slate::core::{datadir::DataDir, Kiosk};

/// Administer a Slate kiosk: its accounts, settings and audit log.
#[derive(Debug, Parser)]
#[command(name = "slatectl", version, about)]
struct Cli {
    /// The kiosk's data folder [default: the XDG data folder, e.g. ~/.local/share/slate]
    #[arg(long, global = true, value_name = "DIR", env = "SLATE_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the data folder and its database (integrity, schema) and say whether the kiosk is
    /// set up.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let kiosk = match DataDir::prepare(cli.data_dir.as_deref())
        .map_err(Into::into)
        .and_then(Kiosk::open)
    {
        Ok(k) => k,
        Err(e) => {
            eprintln!("slatectl: {e}");
            return exit_code_for(&e);
        }
    };
    match cli.command {
        Command::Check => check(&kiosk, cli.json),
    }
}

fn check(kiosk: &Kiosk, json: bool) -> ExitCode {
    let report = match kiosk.check() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("slatectl: {e}");
            return exit_code_for(&e);
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string(&report).expect("a report always serialises")
        );
    } else {
        println!("Data folder: {}", report.data_dir);
        println!("Database: ok (schema {})", report.schema_version);
        println!(
            "Set up: {}",
            if report.set_up {
                "yes"
            } else {
                "no (no administrator yet)"
            }
        );
    }
    ExitCode::SUCCESS
}
