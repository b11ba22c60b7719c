//! The `slate` kiosk binary: parse the arguments, find the session service (a running one's
//! socket, or one started in this process on the data folder), hand it to the Tauri shell.
//! Anything that stops start-up is one sentence on stderr and a non-zero exit, before a window opens.

use std::process::ExitCode;

use clap::Parser;
use slate::cli::SlateArgs;
use slate::shell::{Embedded, ServiceAt};

/// Variables that let another program drive or inspect the window (WebDriver automation, the
/// remote web inspector). The installed program ignores them; a build run from a checkout (the
/// end-to-end tests drive one) keeps them.
const REMOTE_CONTROL: [&str; 3] = [
    "TAURI_WEBVIEW_AUTOMATION",
    "WEBKIT_INSPECTOR_SERVER",
    "WEBKIT_INSPECTOR_HTTP_SERVER",
];

/// WebKitGTK's switch between painting on the CPU and through GL (Skia, WebKitGTK 2.46 and later).
const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

fn main() -> ExitCode {
    slate_core::hardening::panic_ends_the_process("slate");
    if let Err(e) = slate_core::hardening::no_core_dumps() {
        eprintln!("slate: cannot turn core dumps off: {e}.");
        return ExitCode::FAILURE;
    }
    let args = SlateArgs::parse();
    slated::logging::init();
    // Every web engine in WebKit's bubblewrap sandbox, Slate's own page too (Tauri makes its
    // web context before Slate can reach it; WebKit reads this when it starts a web process).
    // The session's browser also asks for it itself (shell::browser).
    std::env::remove_var("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS");
    std::env::set_var("WEBKIT_FORCE_SANDBOX", "1");
    // Pages painted on the CPU (Skia's raster back end), not through GL. Slate's own page is
    // text and forms; painting it through GL kept about 40 MiB of driver and shader state in its
    // web process for nothing (software GL, llvmpipe, on the machines measured; BENCHMARKS.md,
    // "CPU and memory at rest"). Compositing stays on. A value the environment already gives
    // (an administrator's `0` on a machine whose GPU they want used) is kept.
    if std::env::var_os(CPU_RENDERING).is_none() {
        std::env::set_var(CPU_RENDERING, "1");
    }
    if slate_core::hardening::installed() {
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
    let service = match args.socket {
        Some(socket) => {
            if args.data_dir.is_some() || args.policy.is_some() {
                tracing::info!(
                    "the data folder and the policy are the session service's: ignored here"
                );
            }
            ServiceAt::Socket(socket)
        }
        // A policy file with problems still starts the kiosk: each bad key is logged, audited
        // and ignored, and the layers below apply.
        None => match Embedded::open(args.data_dir.as_deref(), args.policy) {
            Ok(embedded) => ServiceAt::Embedded(embedded),
            Err((message, code)) => {
                eprintln!("slate: {message}");
                return ExitCode::from(code);
            }
        },
    };
    tracing::info!("starting");
    slate::shell::run(service)
}
