//! The `slate` kiosk binary: parse the arguments, open the core, hand it to the Tauri shell.
//! Anything that stops start-up is one sentence on stderr and a non-zero exit, before a window opens.

use std::process::ExitCode;

use clap::Parser;
use slate::cli::SlateArgs;
use slate_core::exit;
use slate_core::{datadir::DataDir, Kiosk};

/// Variables that let another program drive or inspect the window (WebDriver automation, the
/// remote web inspector). The installed program ignores them; a build run from a checkout (the
/// end-to-end tests drive one) keeps them.
const REMOTE_CONTROL: [&str; 3] = [
    "TAURI_WEBVIEW_AUTOMATION",
    "WEBKIT_INSPECTOR_SERVER",
    "WEBKIT_INSPECTOR_HTTP_SERVER",
];

/// Whether this is the installed program (the packages put it in /usr/bin).
fn installed() -> bool {
    std::env::current_exe().is_ok_and(|exe| exe.starts_with("/usr/"))
}

fn main() -> ExitCode {
    slate_core::hardening::panic_ends_the_process("slate");
    if let Err(e) = slate_core::hardening::no_core_dumps() {
        eprintln!("slate: cannot turn core dumps off: {e}.");
        return ExitCode::FAILURE;
    }
    let args = SlateArgs::parse();
    slate::shell::init_logging();
    // Every web engine in WebKit's bubblewrap sandbox, Slate's own page too (Tauri makes its
    // web context before Slate can reach it; WebKit reads this when it starts a web process).
    // The session's browser also asks for it itself (shell::browser).
    std::env::remove_var("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS");
    std::env::set_var("WEBKIT_FORCE_SANDBOX", "1");
    if installed() {
        for name in REMOTE_CONTROL {
            if std::env::var_os(name).is_some() {
                tracing::warn!(
                    "{name} is ignored: the installed Slate cannot be driven from outside"
                );
                // Before any thread starts (Tauri reads it when it makes the window).
                std::env::remove_var(name);
            }
        }
    }
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
