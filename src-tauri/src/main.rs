//! The `slate` kiosk binary: parse the arguments, open the core, hand it to the Tauri shell.
//! Anything that stops start-up is one sentence on stderr and a non-zero exit, before a window opens.

use std::process::ExitCode;

use clap::Parser;
use slate::cli::SlateArgs;
use slate_core::exit;
use slate_core::{datadir::DataDir, Kiosk};

fn main() -> ExitCode {
    let args = SlateArgs::parse();
    slate::shell::init_logging();
    let kiosk = match DataDir::prepare(args.data_dir.as_deref())
        .map_err(Into::into)
        .and_then(Kiosk::open)
    {
        Ok(kiosk) => kiosk,
        Err(e) => {
            eprintln!("slate: {e}");
            return exit::code_for(&e);
        }
    };
    // A policy file with problems still starts the kiosk: each bad key is logged, audited and
    // ignored, and the layers below apply.
    if let Err(e) = kiosk.use_policy(slate_core::policy::PolicySource::choose(args.policy)) {
        eprintln!("slate: {e}");
        return exit::code_for(&e);
    }
    tracing::info!(data_dir = %kiosk.data_dir().path().display(), "starting");
    slate::shell::run(kiosk)
}
