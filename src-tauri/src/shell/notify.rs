//! Desktop notifications: the shell watches what the core announces and tells the desktop when
//! the idle warning starts (withdrawn when the person stays) and when a time-limit warning is
//! passed, in the session's language (`AppStatus::language`, said through [`Words`]). Open
//! notifications are kept in a shared list that the wipe's `notifications` surface closes at
//! the end of the session; each also expires by itself, so even a crash leaves none behind for
//! long. No notification daemon is not an error: the failure is logged and the kiosk carries on.

use std::time::Duration;

use notify_rust::{Notification, NotificationHandle, Timeout};

use super::wipers::OpenNotifications;
use super::words::Words;
use slate_core::api::{AppStatus, Screen};

/// A notification's title and text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Notice {
    summary: String,
    body: String,
}

/// The idle warning's notification: signed out in `left` unless the person does something.
fn idle_notice(words: Words, left: Duration) -> Notice {
    let duration = words.duration(left);
    Notice {
        summary: words.t("You will be signed out soon", &[]),
        body: words.t(
            "Nobody has used this terminal for a while. You will be signed out in {duration} unless you touch the screen or press a key.",
            &[("duration", &duration)],
        ),
    }
}

/// A time-limit warning's notification: the session ends in `left`.
fn time_notice(words: Words, left: Duration) -> Notice {
    let duration = words.duration(left);
    Notice {
        summary: words.t("Your time is almost up", &[]),
        body: words.t(
            "This session ends in {duration}. Save what you need now.",
            &[("duration", &duration)],
        ),
    }
}

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
        let words = Words::new(&status.language);
        match (idle_warning, self.idle) {
            (Some(w), None) => {
                let left = Duration::from_secs(u64::from(w.seconds_left));
                self.idle = self.show(idle_notice(words, left), left).await;
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
                self.show(time_notice(words, left), left).await;
            }
        }
    }

    async fn show(&self, notice: Notice, lasts: Duration) -> Option<u32> {
        let millis = u32::try_from(lasts.as_millis())
            .unwrap_or(u32::MAX)
            .max(1000);
        match Notification::new()
            .appname("Slate")
            .summary(&notice.summary)
            .body(&notice.body)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notices_read_as_before_in_english() {
        let en = Words::new("en");
        assert_eq!(
            idle_notice(en, Duration::from_secs(60)),
            Notice {
                summary: "You will be signed out soon".into(),
                body: "Nobody has used this terminal for a while. You will be signed out in 1 minute unless you touch the screen or press a key.".into(),
            }
        );
        assert_eq!(
            time_notice(en, Duration::from_secs(300)).body,
            "This session ends in 5 minutes. Save what you need now."
        );
    }

    #[test]
    fn the_notices_speak_the_sessions_language() {
        let fr = Words::new("fr");
        assert_eq!(
            idle_notice(fr, Duration::from_secs(45)),
            Notice {
                summary: "Votre session va bientôt se fermer".into(),
                body: "Personne n'a utilisé ce poste depuis un moment. Votre session se fermera dans 45 secondes, sauf si vous touchez l'écran ou appuyez sur une touche.".into(),
            }
        );
        assert_eq!(
            time_notice(fr, Duration::from_secs(60)).body,
            "Cette session se termine dans 1 minute. Enregistrez maintenant ce dont vous avez besoin."
        );
        let es = Words::new("es");
        assert_eq!(
            time_notice(es, Duration::from_secs(60)).summary,
            "Su tiempo casi se ha acabado"
        );
        assert_eq!(
            time_notice(es, Duration::from_secs(600)).body,
            "Esta sesión termina dentro de 10 minutos. Guarde ahora lo que necesite."
        );
        // A language Slate does not ship: English.
        assert_eq!(
            time_notice(Words::new("de"), Duration::from_secs(60)).summary,
            "Your time is almost up"
        );
    }
}
