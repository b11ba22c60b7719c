//! `slated`, Slate's session service: opens the core on the data folder (the database, the audit
//! key, the session folders), runs the session manager, and serves the kiosk's screen and the
//! administrators on a local socket (`slated::serve`). Anything that stops start-up is one
//! sentence on stderr and a non-zero exit.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use slate_core::exit;
use slated::cli::Args;
use slated::Failure;

fn main() -> ExitCode {
    slate_core::hardening::panic_ends_the_process("slated");
    if let Err(e) = slate_core::hardening::no_core_dumps() {
        eprintln!("slated: cannot turn core dumps off: {e}.");
        return ExitCode::FAILURE;
    }
    let args = Args::parse();
    slated::logging::init();
    match start(args) {
        Ok(code) => code,
        Err((message, code)) => {
            eprintln!("slated: {message}");
            ExitCode::from(code)
        }
    }
}

fn default_socket() -> PathBuf {
    if slated::current_uid() == 0 {
        PathBuf::from(slate_core::wire::SYSTEM_SOCKET)
    } else {
        std::env::var_os("XDG_RUNTIME_DIR")
            .map_or_else(std::env::temp_dir, PathBuf::from)
            .join("slate.sock")
    }
}

/// Binds the socket at `path`: its folder is created (0755) if missing; an old socket there
/// (from a service that stopped) is replaced, anything else is refused. Anyone may connect:
/// who may do what is decided per connection from the kernel's peer credentials.
fn bind(path: &Path) -> Result<tokio::net::UnixListener, Failure> {
    use std::os::unix::fs::{DirBuilderExt, FileTypeExt, PermissionsExt};
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        (
            format!("Cannot {what} {}: {e}.", path.display()),
            exit::DATA_DIR,
        )
    };
    if let Some(folder) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(folder)
            .map_err(|e| fail("create the folder of", &e))?;
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {
            std::fs::remove_file(path).map_err(|e| fail("replace the old socket", &e))?;
        }
        Ok(_) => {
            return Err((
                format!(
                    "{} exists and is not a socket; Slate will not replace it.",
                    path.display()
                ),
                exit::DATA_DIR,
            ))
        }
        Err(_) => {}
    }
    let listener = tokio::net::UnixListener::bind(path).map_err(|e| fail("listen on", &e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))
        .map_err(|e| fail("open", &e))?;
    Ok(listener)
}

fn start(args: Args) -> Result<ExitCode, Failure> {
    let screen = slated::screen_account(args.screen_user.as_deref())?;
    let sessions = slated::Sessions::choose(screen.clone(), args.sessions_dir);
    let admission = slated::admission(screen);
    let prepared = slated::prepare(args.data_dir.as_deref(), args.policy, sessions)?;
    let socket = args.socket.unwrap_or_else(default_socket);
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| (format!("Cannot start: {e}."), exit::FAILURE))?;
    runtime.block_on(async move {
        let listener = bind(&socket)?;
        tracing::info!(socket = %socket.display(),
            data_dir = %prepared.kiosk.data_dir().path().display(),
            screen = %admission.screen_name, "serving");
        let (session, server) = prepared.start(listener, admission)?;
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| (format!("Cannot watch for SIGTERM: {e}."), exit::FAILURE))?;
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        // An orderly stop ends and wipes the live session first.
        tracing::info!("stopping");
        server.abort();
        session.shutdown().await;
        let _ = std::fs::remove_file(&socket);
        Ok(ExitCode::SUCCESS)
    })
}
