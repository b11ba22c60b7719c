//! Sleep: when logind announces that the machine is about to sleep (`PrepareForSleep(true)`),
//! the live session ends before it does. Slate holds a logind "delay" inhibitor so that the
//! machine waits for that ending, releases it once the session has ended, and takes a new one
//! after the resume. Where there is no logind (no system bus, a container), nothing is lost:
//! the session service still ends an overdue session within a second of the resume.
//!
//! For as long as Slate runs it also holds an "idle" block inhibitor: whatever would blank or
//! lock the screen when nobody touches it (a desktop's screensaver, logind's idle action) must
//! not, since a blank screen would hide a live session and a lock would ask for a password
//! nobody has. (Slate's own X session also turns the X server's blanking off.)

use futures::StreamExt;

use slate_core::wire::Call;

use super::link::Link;

#[zbus::proxy(
    interface = "org.freedesktop.login1.Manager",
    default_service = "org.freedesktop.login1",
    default_path = "/org/freedesktop/login1"
)]
trait LoginManager {
    fn inhibit(&self, what: &str, who: &str, why: &str, mode: &str) -> zbus::Result<zbus::OwnedFd>;

    #[zbus(signal)]
    fn prepare_for_sleep(&self, start: bool) -> zbus::Result<()>;
}

/// Watches logind on the system bus for as long as the app runs.
pub fn watch(session: Link) {
    tauri::async_runtime::spawn(async move {
        if let Err(e) = run(session).await {
            tracing::info!(
                "logind is not reachable ({e}); an overdue session still ends within a second of a resume"
            );
        }
    });
}

/// The two inhibitors Slate takes: what, why, and logind's mode.
const SLEEP: (&str, &str, &str) = (
    "sleep",
    "End the kiosk session before the machine sleeps",
    "delay",
);
const IDLE: (&str, &str, &str) = (
    "idle",
    "A kiosk's screen must not blank or lock: it may show a live session",
    "block",
);

/// Takes the inhibitor `(what, why, mode)`; held until the descriptor is dropped.
async fn inhibit(
    proxy: &LoginManagerProxy<'_>,
    (what, why, mode): (&str, &str, &str),
) -> Option<zbus::OwnedFd> {
    match proxy.inhibit(what, "Slate", why, mode).await {
        Ok(fd) => Some(fd),
        Err(e) => {
            tracing::warn!("cannot take logind's {what} inhibitor: {e}");
            None
        }
    }
}

async fn run(session: Link) -> zbus::Result<()> {
    let conn = zbus::Connection::system().await?;
    let proxy = LoginManagerProxy::new(&conn).await?;
    let mut signals = proxy.receive_prepare_for_sleep().await?;
    let mut inhibitor = inhibit(&proxy, SLEEP).await;
    // Held for as long as this loop runs, which is as long as the app.
    let _idle = inhibit(&proxy, IDLE).await;
    tracing::info!("watching logind for sleep");
    while let Some(signal) = signals.next().await {
        if signal.args()?.start {
            match session.call(Call::EndForShutdown).await {
                Ok(_) => tracing::info!("session ended before sleep"),
                Err(e) => tracing::debug!("nothing to end before sleep: {}", e.message),
            }
            // Let the machine sleep now.
            drop(inhibitor.take());
        } else if inhibitor.is_none() {
            inhibitor = inhibit(&proxy, SLEEP).await;
        }
    }
    Ok(())
}
