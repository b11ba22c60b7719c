//! Desktop notifications: the shell watches what the core announces and tells the desktop when
//! the idle warning starts (withdrawn when the person stays) and when a time-limit warning is
//! passed. Every notification is closed when the session ends. No notification daemon is not an
//! error: the failure is logged and the kiosk carries on.

use notify_rust::{Notification, NotificationHandle, Timeout};

use crate::core::api::{AppStatus, Screen};
use crate::core::session::human_duration;

/// What has been shown for the live session.
#[derive(Default)]
pub struct Notifier {
    idle: Option<NotificationHandle>,
    time: Option<NotificationHandle>,
    last_time_warning: Option<u32>,
}

impl Notifier {
    /// Brings the desktop in line with a new status.
    pub async fn update(&mut self, status: &AppStatus) {
        match &status.screen {
            Screen::Session {
                idle_warning,
                time_warning_secs,
                ..
            } => {
                match (idle_warning, self.idle.is_some()) {
                    (Some(w), false) => {
                        self.idle = show(
                            "You will be signed out soon",
                            &format!(
                                "Nobody has used this terminal for a while. You will be signed out in {} unless you touch the screen or press a key.",
                                human_duration(std::time::Duration::from_secs(u64::from(w.seconds_left)))
                            ),
                        )
                        .await;
                    }
                    (None, true) => close(self.idle.take()).await,
                    _ => {}
                }
                if *time_warning_secs != self.last_time_warning {
                    self.last_time_warning = *time_warning_secs;
                    if let Some(secs) = time_warning_secs {
                        close(self.time.take()).await;
                        self.time = show(
                            "Your time is almost up",
                            &format!(
                                "This session ends in {}. Save what you need now.",
                                human_duration(std::time::Duration::from_secs(u64::from(*secs)))
                            ),
                        )
                        .await;
                    }
                }
            }
            _ => self.close_all().await,
        }
    }

    /// Withdraws everything shown for the session.
    pub async fn close_all(&mut self) {
        close(self.idle.take()).await;
        close(self.time.take()).await;
        self.last_time_warning = None;
    }
}

async fn show(summary: &str, body: &str) -> Option<NotificationHandle> {
    match Notification::new()
        .appname("Slate")
        .summary(summary)
        .body(body)
        .timeout(Timeout::Never)
        .show_async()
        .await
    {
        Ok(handle) => Some(handle),
        Err(e) => {
            tracing::info!("no desktop notification ({e}); carrying on");
            None
        }
    }
}

async fn close(handle: Option<NotificationHandle>) {
    if let Some(h) = handle {
        // close() blocks on D-Bus: keep it off the async threads.
        let _ = tokio::task::spawn_blocking(move || h.close()).await;
    }
}
