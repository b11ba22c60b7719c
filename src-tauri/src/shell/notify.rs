//! Desktop notifications: the shell watches what the core announces and tells the desktop when
//! the idle warning starts (withdrawn when the person stays) and when a time-limit warning is
//! passed. Open notifications are kept in a shared list that the wipe's `notifications` surface
//! closes at the end of the session; each also expires by itself, so even a crash leaves none
//! behind for long. No notification daemon is not an error: the failure is logged and the kiosk
//! carries on.

use std::time::Duration;

use notify_rust::{Notification, NotificationHandle, Timeout};

use super::wipers::OpenNotifications;
use slate_core::api::{AppStatus, Screen};
use slate_core::duration;

/// What has been shown for the live session.
pub struct Notifier {
    open: OpenNotifications,
    idle: Option<u32>,
    last_time_warning: Option<u32>,
}

impl Notifier {
    pub fn new(open: OpenNotifications) -> Self {
        Self {
            open,
            idle: None,
            last_time_warning: None,
        }
    }

    /// Brings the desktop in line with a new status.
    pub async fn update(&mut self, status: &AppStatus) {
        let Screen::Session {
            idle_warning,
            time_warning_secs,
            ..
        } = &status.screen
        else {
            // The session is over: the wipe closed its notifications.
            self.idle = None;
            self.last_time_warning = None;
            return;
        };
        match (idle_warning, self.idle) {
            (Some(w), None) => {
                let left = Duration::from_secs(u64::from(w.seconds_left));
                self.idle = self
                    .show(
                        "You will be signed out soon",
                        &format!(
                            "Nobody has used this terminal for a while. You will be signed out in {} unless you touch the screen or press a key.",
                            duration::spoken(left)
                        ),
                        left,
                    )
                    .await;
            }
            (None, Some(id)) => {
                self.idle = None;
                self.close(id).await;
            }
            _ => {}
        }
        if *time_warning_secs != self.last_time_warning {
            self.last_time_warning = *time_warning_secs;
            if let Some(secs) = time_warning_secs {
                let left = Duration::from_secs(u64::from(*secs));
                self.show(
                    "Your time is almost up",
                    &format!(
                        "This session ends in {}. Save what you need now.",
                        duration::spoken(left)
                    ),
                    left,
                )
                .await;
            }
        }
    }

    async fn show(&self, summary: &str, body: &str, lasts: Duration) -> Option<u32> {
        let millis = u32::try_from(lasts.as_millis())
            .unwrap_or(u32::MAX)
            .max(1000);
        match Notification::new()
            .appname("Slate")
            .summary(summary)
            .body(body)
            .timeout(Timeout::Milliseconds(millis))
            .show_async()
            .await
        {
            Ok(handle) => {
                let id = handle.id();
                if let Ok(mut open) = self.open.lock() {
                    open.push(handle);
                }
                Some(id)
            }
            Err(e) => {
                tracing::info!("no desktop notification ({e}); carrying on");
                None
            }
        }
    }

    async fn close(&self, id: u32) {
        let handle: Option<NotificationHandle> = self.open.lock().ok().and_then(|mut open| {
            let i = open.iter().position(|h| h.id() == id)?;
            Some(open.remove(i))
        });
        if let Some(h) = handle {
            // close() blocks on D-Bus: keep it off the async threads.
            let _ = tokio::task::spawn_blocking(move || h.close()).await;
        }
    }
}
