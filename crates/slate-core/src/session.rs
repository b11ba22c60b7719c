//! The session manager: the one owner of session state.
//!
//! One task ([`SessionManager::run`]) owns the session and takes messages through a
//! [`SessionHandle`]: sign in, activity, stay, sign out, dismiss, admin end and shutdown, plus its
//! own ticks. Nothing else changes session state, so there are no locks to order and tests drive
//! it deterministically with a [`FakeClock`](super::clock::FakeClock) and tokio's paused time.
//!
//! States: signed out → active → warning → ending → signed out. Deadlines are measured on the
//! boot clock, which counts suspended time and ignores wall-clock changes. The task never sleeps
//! longer than one second while a session is live, so after a resume an overdue session ends
//! within a second, and an administrator's request (polled from the database) within two.
//!
//! Fail closed: only activity reports move the idle deadline. If the UI hangs or dies, reports
//! stop and the session ends on time.
//!
//! Every change of what the UI should show is announced on a `watch` channel of [`AppStatus`].

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};

use super::api::{
    AppStatus, BrowserPlan, EndReason, IdleWarning, Preferences, Screen, SessionFile, SessionKind,
};
use super::auth::Password;
use super::clock::Clock;
use super::duration;
use super::kiosk::{Identity, Kiosk, KioskError};
use super::phrase::Phrase;
pub use super::records::ActiveSession;
use super::settings::{browser_home, Settings};
use super::wipe::{total_duration, wipe_all, WipeReceipt, Wiper};

/// How often a live session re-reads its settings and looks for an administrator's end request.
const POLL: Duration = Duration::from_secs(1);
/// The longest the task sleeps while a session is live (the resume rule).
const MAX_SLEEP_LIVE: Duration = Duration::from_secs(1);

type Reply<T> = oneshot::Sender<Result<T, KioskError>>;

enum Msg {
    SignIn {
        username: String,
        password: Password,
        reply: Reply<AppStatus>,
    },
    Guest(Reply<AppStatus>),
    Activity,
    Stay(Reply<AppStatus>),
    SignOut(Reply<AppStatus>),
    Dismiss(Reply<AppStatus>),
    End(EndReason, Reply<AppStatus>),
    Refresh,
    Ping(oneshot::Sender<()>),
    Files(Reply<Vec<SessionFile>>),
    Browsing(Reply<Option<Browsing>>),
    DeleteFile(String, Reply<Vec<SessionFile>>),
    SetPreference(String, String, Reply<AppStatus>),
    Admin(Reply<String>),
    Shutdown(oneshot::Sender<()>),
}

/// The way in to the session manager; cheap to clone.
#[derive(Debug, Clone)]
pub struct SessionHandle {
    tx: mpsc::Sender<Msg>,
    status: watch::Receiver<AppStatus>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Msg") // never print a password
    }
}

fn stopped() -> KioskError {
    KioskError::Stopped
}

impl SessionHandle {
    /// What the UI should show now.
    pub fn status(&self) -> AppStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every change of [`SessionHandle::status`].
    pub fn subscribe(&self) -> watch::Receiver<AppStatus> {
        self.status.clone()
    }

    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Msg) -> Result<T, KioskError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(make(reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Signs in with an account (see [`Kiosk::authenticate`]) and starts a session.
    pub async fn sign_in(
        &self,
        username: String,
        password: Password,
    ) -> Result<AppStatus, KioskError> {
        self.ask(|reply| Msg::SignIn {
            username,
            password,
            reply,
        })
        .await
    }

    /// Starts a guest session, where allowed.
    pub async fn sign_in_guest(&self) -> Result<AppStatus, KioskError> {
        self.ask(Msg::Guest).await
    }

    /// The person did something (pointer, key, touch, wheel, text input). Never blocks; if the
    /// manager is busy the report is dropped, which can only make the session end sooner.
    pub fn activity(&self) {
        let _ = self.tx.try_send(Msg::Activity);
    }

    /// "Stay signed in" in the idle warning.
    pub async fn stay(&self) -> Result<AppStatus, KioskError> {
        self.ask(Msg::Stay).await
    }

    /// The person signs out (after confirming, in the UI).
    pub async fn sign_out(&self) -> Result<AppStatus, KioskError> {
        self.ask(Msg::SignOut).await
    }

    /// Leaves the signed-out screen for the sign-in screen.
    pub async fn dismiss(&self) -> Result<AppStatus, KioskError> {
        self.ask(Msg::Dismiss).await
    }

    /// The username of the administrator whose session is live (counts as activity), or
    /// [`KioskError::NotAdministrator`]: the gate of every administrator command.
    pub async fn admin(&self) -> Result<String, KioskError> {
        self.ask(Msg::Admin).await
    }

    /// Ends the live session for `reason` (administrators, sleep).
    pub async fn end(&self, reason: EndReason) -> Result<AppStatus, KioskError> {
        self.ask(|reply| Msg::End(reason, reply)).await
    }

    /// The live session's files ("My files").
    pub async fn files(&self) -> Result<Vec<SessionFile>, KioskError> {
        self.ask(Msg::Files).await
    }

    /// The live session's browser, if it has one: what it may open and where downloads go.
    pub async fn browsing(&self) -> Result<Option<Browsing>, KioskError> {
        self.ask(Msg::Browsing).await
    }

    /// Deletes one of the live session's files; returns the files left.
    pub async fn delete_file(&self, name: String) -> Result<Vec<SessionFile>, KioskError> {
        self.ask(|reply| Msg::DeleteFile(name, reply)).await
    }

    /// Sets a display preference of the live session.
    pub async fn set_preference(
        &self,
        key: String,
        value: String,
    ) -> Result<AppStatus, KioskError> {
        self.ask(|reply| Msg::SetPreference(key, value, reply))
            .await
    }

    /// Waits until the manager has finished what it was doing (an ending, a wipe).
    pub async fn settled(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Ping(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Re-reads the database (after first-run setup or a settings change).
    pub fn refresh(&self) {
        let _ = self.tx.try_send(Msg::Refresh);
    }

    /// Ends any live session with `Shutdown` and stops the manager.
    pub async fn shutdown(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Shutdown(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

/// The live session's browser, for the shell that hosts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browsing {
    /// The session it belongs to (a new session is a new browser).
    pub session_id: String,
    pub plan: BrowserPlan,
    /// My files: where downloads land and uploads come from.
    pub folder: std::path::PathBuf,
}

struct Live {
    session: ActiveSession,
    preferences: Preferences,
    browser: Option<BrowserPlan>,
    boot_start: Duration,
    last_activity: Duration,
    warned: bool,
    time_warning: Option<Duration>,
}

enum State {
    SignedOut {
        farewell: Option<(Screen, Duration)>,
    },
    Live(Box<Live>),
}

/// The task that owns the session. Create it with [`SessionManager::new`], spawn
/// [`SessionManager::run`], and talk to it through the returned [`SessionHandle`].
pub struct SessionManager {
    kiosk: Arc<Kiosk>,
    wipers: Arc<Vec<Arc<dyn Wiper>>>,
    clock: Arc<dyn Clock>,
    settings: Settings,
    state: State,
    status: watch::Sender<AppStatus>,
    rx: mpsc::Receiver<Msg>,
    last_poll: Duration,
    /// What [`Kiosk::change_stamp`] said at the last poll that read settings and end requests.
    last_stamp: Option<crate::kiosk::ChangeStamp>,
    /// While a failed wipe keeps the terminal closed: when to try again.
    next_retry: Option<Duration>,
    /// Endings wiped but not yet recorded (the database refused the write, e.g. a full disk),
    /// with why. Until they are recorded the terminal needs attention; they are retried with the
    /// failed wipes. (If the app stops first, the rows are still open and the next start wipes
    /// and ends them as recovered.)
    unrecorded: Vec<(ActiveSession, EndReason, Duration, WipeReceipt)>,
    unrecorded_why: Option<Phrase>,
}

/// How often a failed wipe is retried while the terminal shows "needs attention".
const RETRY_WIPE: Duration = Duration::from_secs(10);

impl SessionManager {
    /// A manager for `kiosk`, signed out. Open sessions left by a previous run must have been
    /// recovered first ([`Kiosk::recover_open_sessions`]).
    /// `wipers` are every per-session surface, run in order at each ending.
    pub fn new(
        kiosk: Arc<Kiosk>,
        wipers: Vec<Arc<dyn Wiper>>,
    ) -> Result<(Self, SessionHandle), KioskError> {
        let clock = kiosk.clock();
        let settings = kiosk.settings()?;
        let initial = AppStatus::new(kiosk.signed_out_screen()?, &settings.language);
        let (status_tx, status_rx) = watch::channel(initial);
        let (tx, rx) = mpsc::channel(64);
        let next_retry = kiosk
            .needs_attention()?
            .map(|_| clock.boot_now() + RETRY_WIPE);
        let manager = Self {
            kiosk,
            wipers: Arc::new(wipers),
            next_retry,
            unrecorded: Vec::new(),
            unrecorded_why: None,
            clock,
            settings,
            state: State::SignedOut { farewell: None },
            status: status_tx,
            rx,
            last_poll: Duration::ZERO,
            last_stamp: None,
        };
        Ok((
            manager,
            SessionHandle {
                tx,
                status: status_rx,
            },
        ))
    }

    /// Runs until [`SessionHandle::shutdown`] (or every handle is dropped, which also ends a
    /// live session with `Shutdown`).
    pub async fn run(mut self) {
        loop {
            let now = self.clock.boot_now();
            self.on_time(now).await;
            self.publish();
            let now = self.clock.boot_now();
            let wait = self.next_wake(now).saturating_sub(now);
            tokio::select! {
                msg = self.rx.recv() => {
                    let Some(msg) = msg else {
                        // Every handle is gone: the app is going away.
                        self.end(EndReason::Shutdown).await;
                        return;
                    };
                    if let Some(done) = self.handle(msg).await {
                        // Shut down: the live session has ended; stop taking messages.
                        self.publish();
                        let _ = done.send(());
                        return;
                    }
                }
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Handles one message; `Some` (the shutdown's reply) when the manager must stop.
    async fn handle(&mut self, msg: Msg) -> Option<oneshot::Sender<()>> {
        match msg {
            Msg::SignIn {
                username,
                password,
                reply,
            } => {
                let result = if matches!(self.state, State::Live(_)) {
                    Err(KioskError::SessionActive)
                } else {
                    let kiosk = Arc::clone(&self.kiosk);
                    let checked = tokio::task::spawn_blocking(move || {
                        kiosk.authenticate(&username, &password)
                    })
                    .await
                    .unwrap_or_else(|_| Err(stopped()));
                    match checked {
                        Ok(identity) => self.begin(identity),
                        Err(e) => Err(e),
                    }
                };
                let _ = reply.send(result);
            }
            Msg::Guest(reply) => {
                let result = if matches!(self.state, State::Live(_)) {
                    Err(KioskError::SessionActive)
                } else {
                    self.kiosk.guest().and_then(|identity| self.begin(identity))
                };
                let _ = reply.send(result);
            }
            Msg::Activity => self.touch(),
            Msg::Stay(reply) => {
                let result = if matches!(self.state, State::Live(_)) {
                    self.touch();
                    Ok(self.current())
                } else {
                    Err(KioskError::NoSession)
                };
                let _ = reply.send(result);
            }
            Msg::SignOut(reply) => {
                let _ = reply.send(self.end_or_refuse(EndReason::User).await);
            }
            Msg::End(reason, reply) => {
                let _ = reply.send(self.end_or_refuse(reason).await);
            }
            Msg::Dismiss(reply) => {
                if let State::SignedOut { farewell } = &mut self.state {
                    *farewell = None;
                }
                let _ = reply.send(Ok(self.current()));
            }
            Msg::Refresh => self.reload_settings(),
            Msg::Admin(reply) => {
                let result = match &self.state {
                    State::Live(live) if live.session.kind == SessionKind::Admin => {
                        Ok(live.session.username.clone().unwrap_or_default())
                    }
                    _ => Err(KioskError::NotAdministrator),
                };
                if result.is_ok() {
                    self.touch();
                }
                let _ = reply.send(result);
            }
            Msg::Ping(done) => {
                let _ = done.send(());
            }
            Msg::Files(reply) => {
                let _ = reply.send(self.live_id().and_then(|id| self.kiosk.session_files(&id)));
            }
            Msg::Browsing(reply) => {
                let _ = reply.send(Ok(self.browsing()));
            }
            Msg::DeleteFile(name, reply) => {
                let _ = reply.send(self.live_id().and_then(|id| {
                    self.kiosk.delete_session_file(&id, &name)?;
                    self.kiosk.session_files(&id)
                }));
            }
            Msg::SetPreference(key, value, reply) => {
                let result = self.live_id().and_then(|id| {
                    self.kiosk.set_session_value(&id, &key, &value)?;
                    if let State::Live(live) = &mut self.state {
                        live.preferences = preferences_of(&self.kiosk, &id);
                    }
                    Ok(self.current())
                });
                let _ = reply.send(result);
            }
            Msg::Shutdown(done) => {
                self.end(EndReason::Shutdown).await;
                return Some(done);
            }
        }
        None
    }

    fn live_id(&self) -> Result<String, KioskError> {
        match &self.state {
            State::Live(live) => Ok(live.session.id.clone()),
            State::SignedOut { .. } => Err(KioskError::NoSession),
        }
    }

    async fn end_or_refuse(&mut self, reason: EndReason) -> Result<AppStatus, KioskError> {
        if matches!(self.state, State::Live(_)) {
            self.end(reason).await;
            Ok(self.current())
        } else {
            Err(KioskError::NoSession)
        }
    }

    /// Starts a session: durably recorded as open before anyone can use it.
    fn begin(&mut self, identity: Identity) -> Result<AppStatus, KioskError> {
        if let Some(why) = &self.unrecorded_why {
            return Err(KioskError::NeedsAttention(why.clone()));
        }
        if let Some(why) = self.kiosk.needs_attention()? {
            return Err(KioskError::NeedsAttention(why));
        }
        self.settings = rules_for(self.kiosk.settings()?, identity.kind);
        let id: [u8; 16] = rand::random();
        let session = ActiveSession {
            id: hex::encode(id),
            display_name: identity.display_name,
            kind: identity.kind,
            username: identity.username,
            started_at: self.clock.now_utc(),
        };
        // The folder first: a crash after it but before the record leaves an orphan folder, which
        // the next start removes; the other way round could leave a recorded session without one.
        self.kiosk.create_session_folder(&session.id)?;
        self.kiosk.record_session_open(&session)?;
        tracing::info!(session = %session.id, kind = ?session.kind, "session started");
        if session.kind == SessionKind::Admin {
            // Changes made from the panel are audited as this administrator's.
            self.kiosk.set_actor(format!(
                "{} (at the terminal)",
                session.username.as_deref().unwrap_or("administrator")
            ));
        }
        let now = self.clock.boot_now();
        // The browser, for people's sessions when some sites are allowed; fixed for the session.
        let browser = (session.kind != SessionKind::Admin
            && !self.settings.allowed_sites.is_empty())
        .then(|| BrowserPlan {
            home: browser_home(&self.settings.allowed_sites, &self.settings.home_page),
            sites: self.settings.allowed_sites.clone(),
        });
        self.state = State::Live(Box::new(Live {
            browser,
            session,
            preferences: Preferences {
                text_size: "normal".into(),
                contrast: "normal".into(),
            },
            boot_start: now,
            last_activity: now,
            warned: false,
            time_warning: None,
        }));
        self.last_poll = now;
        self.last_stamp = None;
        Ok(self.current())
    }

    /// The live session's browser, if it has one.
    fn browsing(&self) -> Option<Browsing> {
        match &self.state {
            State::Live(live) => live.browser.clone().map(|plan| Browsing {
                session_id: live.session.id.clone(),
                folder: self.kiosk.session_folder(&live.session.id),
                plan,
            }),
            State::SignedOut { .. } => None,
        }
    }

    fn touch(&mut self) {
        if let State::Live(live) = &mut self.state {
            live.last_activity = self.clock.boot_now();
            live.warned = false;
        }
    }

    /// Ends the live session (if any) for `reason`: wipes every surface and re-checks it, records
    /// the ending with the receipt, and shows the signed-out screen (or, if the wipe failed,
    /// "needs attention").
    async fn end(&mut self, reason: EndReason) {
        let State::Live(live) =
            std::mem::replace(&mut self.state, State::SignedOut { farewell: None })
        else {
            return;
        };
        if live.session.kind == SessionKind::Admin {
            self.kiosk.set_actor("kiosk");
        }
        self.status
            .send_replace(AppStatus::new(Screen::Ending, &self.settings.language));
        let now = self.clock.boot_now();
        if reason == EndReason::Idle {
            let deadline = live.last_activity + self.settings.idle_timeout;
            let late = now.saturating_sub(deadline);
            tracing::info!(late_ms = late.as_secs_f64() * 1000.0, "idle ending fired");
        }
        let duration = now.saturating_sub(live.boot_start);
        let receipt = self.wipe(&live.session).await;
        if let Err(e) = self
            .kiosk
            .record_session_end(&live.session, reason, duration, &receipt)
        {
            tracing::error!("could not record the end of the session: {e}");
            self.unrecorded_why = Some(
                Phrase::new("Slate could not record the end of the last session ({why}).")
                    .text("why", e.to_string()),
            );
            self.unrecorded
                .push((live.session.clone(), reason, duration, receipt.clone()));
            self.next_retry = Some(self.clock.boot_now() + RETRY_WIPE);
        }
        let totals = receipt.totals();
        tracing::info!(
            session = %live.session.id,
            ?reason,
            duration_ms = duration.as_millis(),
            wiped_items = totals.items,
            wiped_bytes = totals.bytes,
            wipe_ms = total_duration(&receipt).as_millis(),
            erased = receipt.complete(),
            "session ended"
        );
        if let Some(why) = receipt.failure_sentence() {
            tracing::error!("{why}");
            self.next_retry = Some(self.clock.boot_now() + RETRY_WIPE);
        }
        let farewell = (!self.settings.signed_out_screen.is_zero()).then(|| {
            (
                Screen::SignedOut {
                    reason,
                    reason_text: reason_text(reason, &self.settings),
                    reason_secs: reason_secs(reason, &self.settings),
                    erased: receipt.complete(),
                    message: self.settings.signed_out_message.clone(),
                },
                self.clock.boot_now() + self.settings.signed_out_screen,
            )
        });
        self.state = State::SignedOut { farewell };
    }

    /// Runs every wiper off the async threads (a large folder takes a while).
    async fn wipe(&self, session: &ActiveSession) -> WipeReceipt {
        let wipers = Arc::clone(&self.wipers);
        let target = self.kiosk.wipe_target(&session.id, session.started_at);
        let id = session.id.clone();
        tokio::task::spawn_blocking(move || wipe_all(&wipers, &target))
            .await
            .unwrap_or_else(|_| WipeReceipt {
                session_id: id,
                surfaces: vec![super::wipe::SurfaceReport {
                    surface: "wipe".into(),
                    items: 0,
                    bytes: 0,
                    duration_us: 0,
                    wiped: false,
                    verified: false,
                    error: Some("the wipe stopped unexpectedly".into()),
                }],
            })
    }

    /// Applies whatever is due at boot time `now`.
    async fn on_time(&mut self, now: Duration) {
        match &mut self.state {
            State::SignedOut { farewell } => {
                if farewell.as_ref().is_some_and(|(_, until)| *until <= now) {
                    *farewell = None;
                }
                if self.next_retry.is_some_and(|at| at <= now) {
                    self.unrecorded
                        .retain(|(session, reason, duration, receipt)| {
                            self.kiosk
                                .record_session_end(session, *reason, *duration, receipt)
                                .is_err()
                        });
                    if self.unrecorded.is_empty() {
                        self.unrecorded_why = None;
                    }
                    let kiosk = Arc::clone(&self.kiosk);
                    let wipers = Arc::clone(&self.wipers);
                    let clear =
                        tokio::task::spawn_blocking(move || kiosk.retry_failed_wipes(&wipers))
                            .await
                            .ok()
                            .and_then(Result::ok)
                            .unwrap_or(false);
                    self.next_retry =
                        (!clear || !self.unrecorded.is_empty()).then(|| now + RETRY_WIPE);
                }
            }
            State::Live(_) => {
                if now.saturating_sub(self.last_poll) >= POLL {
                    self.last_poll = now;
                    if self.poll() {
                        self.end(EndReason::Admin).await;
                        return;
                    }
                }
                let State::Live(live) = &mut self.state else {
                    return; // the poll ended it
                };
                let s = &self.settings;
                let idle_end = live.last_activity + s.idle_timeout;
                let limit_end = s.time_limit.map(|l| live.boot_start + l);
                if limit_end.is_some_and(|end| end <= now) {
                    self.end(EndReason::TimeLimit).await;
                } else if idle_end <= now {
                    self.end(EndReason::Idle).await;
                } else {
                    if idle_end.saturating_sub(s.idle_warning) <= now {
                        live.warned = true;
                    }
                    if let Some(end) = limit_end {
                        let left = end.saturating_sub(now);
                        live.time_warning = s
                            .time_limit_warnings
                            .iter()
                            .copied()
                            .filter(|w| left <= *w)
                            .min();
                    }
                }
            }
        }
    }

    /// Re-reads settings (changes apply at once); whether an administrator asked to end the
    /// session.
    fn poll(&mut self) -> bool {
        // Nothing committed by anyone, no setting changed here, the policy file as it was: the
        // settings and end requests are as last read (a poll then costs one PRAGMA and a stat).
        let stamp = self.kiosk.change_stamp();
        if stamp.is_some() && stamp == self.last_stamp {
            return false;
        }
        self.last_stamp = stamp;
        self.reload_settings();
        let State::Live(live) = &self.state else {
            return false;
        };
        match self.kiosk.end_requested(&live.session.id) {
            Ok(asked) => asked,
            Err(e) => {
                tracing::warn!("cannot read the session's end request: {e}");
                false
            }
        }
    }

    /// Reads the settings in force again, under the live session's rules.
    fn reload_settings(&mut self) {
        if let Ok(s) = self.kiosk.settings() {
            self.settings = match &self.state {
                State::Live(live) => rules_for(s, live.session.kind),
                State::SignedOut { .. } => s,
            };
        }
    }

    /// When to look again: the next deadline or countdown step, never more than a second ahead
    /// while a session is live.
    fn next_wake(&self, now: Duration) -> Duration {
        match &self.state {
            State::SignedOut {
                farewell: Some((_, until)),
            } => *until,
            State::SignedOut { farewell: None } => now + Duration::from_secs(3600),
            State::Live(live) => {
                let s = &self.settings;
                let idle_end = live.last_activity + s.idle_timeout;
                let mut wake = (now + MAX_SLEEP_LIVE).min(idle_end);
                if live.warned {
                    wake =
                        wake.min(now + duration::next_whole_second(idle_end.saturating_sub(now)));
                } else {
                    wake = wake.min(idle_end.saturating_sub(s.idle_warning));
                }
                if let Some(limit) = s.time_limit {
                    let end = live.boot_start + limit;
                    wake = wake
                        .min(end)
                        .min(now + duration::next_whole_second(end.saturating_sub(now)));
                }
                wake.max(now)
            }
        }
    }

    fn current(&self) -> AppStatus {
        let now = self.clock.boot_now();
        let screen = match &self.state {
            State::SignedOut {
                farewell: Some((screen, _)),
            } => screen.clone(),
            State::SignedOut { farewell: None } => {
                match (&self.unrecorded_why, self.kiosk.signed_out_screen()) {
                    (Some(why), _) => Screen::needs_attention(why.clone()),
                    (None, Ok(screen)) => screen,
                    (None, Err(e)) => {
                        // Never fall back to first-run setup: that would let anyone make an admin.
                        tracing::error!("cannot read the database: {e}");
                        Screen::needs_attention(e.phrase())
                    }
                }
            }
            State::Live(live) => {
                let s = &self.settings;
                let idle_end = live.last_activity + s.idle_timeout;
                Screen::Session {
                    display_name: live.session.display_name.clone(),
                    account: live.session.kind,
                    idle_warning: live.warned.then(|| IdleWarning {
                        seconds_left: duration::ceil_secs(idle_end.saturating_sub(now)),
                    }),
                    time_left_secs: s
                        .time_limit
                        .map(|l| duration::ceil_secs((live.boot_start + l).saturating_sub(now))),
                    time_warning_secs: live
                        .time_warning
                        .map(|w| u32::try_from(w.as_secs()).unwrap_or(u32::MAX)),
                    preferences: live.preferences.clone(),
                    browser: live.browser.clone(),
                }
            }
        };
        AppStatus::new(screen, &self.settings.language)
    }

    fn publish(&self) {
        let now = self.current();
        self.status.send_if_modified(|s| {
            if *s == now {
                false
            } else {
                *s = now;
                true
            }
        });
    }
}

/// A session's display preferences as stored ("normal" where unset).
/// The rules a session of `kind` runs under: administrators time out after
/// `admin_idle_timeout` (warned at most half-way through it) and have no time limit.
fn rules_for(mut s: Settings, kind: SessionKind) -> Settings {
    if kind == SessionKind::Admin {
        s.idle_timeout = s.admin_idle_timeout;
        s.idle_warning = s.idle_warning.min(s.idle_timeout / 2);
        s.time_limit = None;
    }
    s
}

fn preferences_of(kiosk: &Kiosk, id: &str) -> Preferences {
    let values = kiosk.session_values(id).unwrap_or_default();
    let get = |k: &str| {
        values
            .iter()
            .find(|(key, _)| key == k)
            .map_or_else(|| "normal".to_owned(), |(_, v)| v.clone())
    };
    Preferences {
        text_size: get("text_size"),
        contrast: get("contrast"),
    }
}

/// The duration [`reason_text`] names, in seconds.
pub fn reason_secs(reason: EndReason, s: &Settings) -> Option<u32> {
    let secs = |d: Duration| u32::try_from(d.as_secs()).unwrap_or(u32::MAX);
    match reason {
        EndReason::Idle => Some(secs(s.idle_timeout)),
        EndReason::TimeLimit => s.time_limit.map(secs),
        _ => None,
    }
}

/// Why the session ended, in plain words.
pub fn reason_text(reason: EndReason, s: &Settings) -> String {
    match reason {
        EndReason::User => "You signed out.".into(),
        EndReason::Idle => format!(
            "You were signed out after {} without activity.",
            duration::spoken(s.idle_timeout)
        ),
        EndReason::TimeLimit => match s.time_limit {
            Some(l) => format!(
                "Your session reached its time limit of {}.",
                duration::spoken(l)
            ),
            None => "Your session reached its time limit.".into(),
        },
        EndReason::Admin => "A member of staff ended your session.".into(),
        EndReason::Shutdown => {
            "The session ended because the kiosk was closed or the machine went to sleep.".into()
        }
        EndReason::Recovered => "The previous session was ended when the kiosk restarted.".into(),
    }
}

#[cfg(test)]
#[allow(clippy::unchecked_time_subtraction)]
mod tests {
    use super::*;
    use crate::accounts::Role;
    use crate::clock::FakeClock;
    use crate::datadir::DataDir;

    struct Rig {
        handle: SessionHandle,
        clock: Arc<FakeClock>,
        kiosk: Arc<Kiosk>,
        _tmp: tempfile::TempDir,
    }

    fn pw(s: &str) -> Password {
        Password::from(s.to_owned())
    }

    /// A kiosk with an administrator and "ana", idle 300 s / warning 60 s, 5 s signed-out screen.
    fn rig(settings: &[(&str, &str)]) -> Rig {
        let tmp = tempfile::tempdir().unwrap();
        let clock = Arc::new(FakeClock::following_tokio());
        let kiosk = Arc::new(
            Kiosk::open_with_clock(DataDir::prepare(Some(tmp.path())).unwrap(), clock.clone())
                .unwrap(),
        );
        kiosk
            .create_first_admin("admin", "", &pw("admin passphrase"))
            .unwrap();
        kiosk
            .add_user("ana", "Ana", Role::User, &pw("ana's passphrase"))
            .unwrap();
        kiosk.set_setting("signed_out_screen", "5").unwrap();
        for (k, v) in settings {
            kiosk.set_setting(k, v).unwrap();
        }
        let wipers = crate::kiosk::wipers::core_wipers(&kiosk);
        let (manager, handle) = SessionManager::new(kiosk.clone(), wipers).unwrap();
        tokio::spawn(manager.run());
        Rig {
            handle,
            clock,
            kiosk,
            _tmp: tmp,
        }
    }

    impl Rig {
        async fn sign_in(&self) -> ActiveSession {
            self.handle
                .sign_in("ana".into(), pw("ana's passphrase"))
                .await
                .unwrap();
            self.kiosk.open_sessions().unwrap().pop().map_or_else(
                || panic!("no open session recorded"),
                |r| ActiveSession {
                    id: r.id,
                    display_name: r.display_name,
                    kind: r.kind,
                    username: r.username,
                    started_at: chrono::Utc::now(),
                },
            )
        }

        /// Lets the manager run until tokio's (paused) time reaches `by` from now.
        async fn pass(&self, by: Duration) {
            tokio::time::sleep(by).await;
            // Let the manager handle whatever became due at this instant.
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            self.handle.settled().await;
        }

        fn screen(&self) -> Screen {
            self.handle.status().screen
        }

        fn warning(&self) -> Option<u32> {
            match self.screen() {
                Screen::Session { idle_warning, .. } => idle_warning.map(|w| w.seconds_left),
                other => panic!("not in a session: {other:?}"),
            }
        }

        fn ended(&self, id: &str) -> Option<EndReason> {
            self.kiosk.session_record(id).unwrap().unwrap().end_reason
        }
    }

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test(start_paused = true)]
    async fn idle_warning_then_ending_at_the_exact_deadline() {
        let r = rig(&[]);
        let s = r.sign_in().await;
        assert!(
            r.kiosk
                .session_record(&s.id)
                .unwrap()
                .unwrap()
                .ended_at
                .is_none(),
            "open"
        );
        r.pass(Duration::from_secs(240) - MS).await;
        assert_eq!(r.warning(), None);
        r.pass(2 * MS).await;
        assert_eq!(r.warning(), Some(60));
        r.pass(Duration::from_secs(30)).await;
        assert_eq!(r.warning(), Some(30), "the countdown moves");
        r.pass(Duration::from_secs(30) - 2 * MS).await;
        assert_eq!(r.warning(), Some(1));
        assert_eq!(r.ended(&s.id), None, "never early");
        r.pass(2 * MS).await;
        assert_eq!(r.ended(&s.id), Some(EndReason::Idle));
        let rec = r.kiosk.session_record(&s.id).unwrap().unwrap();
        assert_eq!(
            rec.duration_ms,
            Some(300_000),
            "ended exactly at the deadline"
        );
        match r.screen() {
            Screen::SignedOut {
                reason,
                reason_text,
                erased,
                message,
                ..
            } => {
                assert!(erased, "the wipe receipt is complete");
                assert_eq!(reason, EndReason::Idle);
                assert_eq!(
                    reason_text,
                    "You were signed out after 5 minutes without activity."
                );
                assert_eq!(message, "Thank you for using this terminal.");
            }
            other => panic!("{other:?}"),
        }
        r.pass(Duration::from_secs(5)).await;
        assert!(matches!(r.screen(), Screen::SignIn { .. }));
    }

    #[tokio::test(start_paused = true)]
    async fn activity_and_stay_push_the_deadline_and_the_warning_comes_again() {
        let r = rig(&[]);
        let s = r.sign_in().await;
        r.pass(Duration::from_secs(100)).await;
        r.handle.activity();
        r.pass(Duration::from_secs(239)).await;
        assert_eq!(r.warning(), None, "activity moved the warning");
        r.pass(Duration::from_secs(2)).await;
        assert!(r.warning().is_some());
        let status = r.handle.stay().await.unwrap();
        assert!(matches!(
            status.screen,
            Screen::Session {
                idle_warning: None,
                ..
            }
        ));
        r.pass(Duration::from_secs(241)).await;
        assert!(
            r.warning().is_some(),
            "warning again after another quiet spell"
        );
        r.handle.activity();
        r.pass(MS).await;
        assert_eq!(r.warning(), None, "any activity counts as staying");
        assert_eq!(r.ended(&s.id), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_suspend_past_the_deadline_ends_the_session_within_a_second() {
        let r = rig(&[]);
        let s = r.sign_in().await;
        r.pass(Duration::from_secs(10)).await;
        r.clock.suspend(Duration::from_secs(3600));
        r.pass(Duration::from_secs(1)).await;
        assert_eq!(r.ended(&s.id), Some(EndReason::Idle));
    }

    #[tokio::test(start_paused = true)]
    async fn wall_clock_jumps_neither_extend_nor_shorten_a_session() {
        let r = rig(&[]);
        let s = r.sign_in().await;
        let now = r.clock.now_utc();
        r.clock.set(now + chrono::Duration::days(2));
        r.pass(Duration::from_secs(2)).await;
        assert_eq!(r.ended(&s.id), None, "jump forward: not shortened");
        r.clock.set(now - chrono::Duration::days(2));
        r.pass(Duration::from_secs(298) - MS).await;
        assert_eq!(r.ended(&s.id), None);
        r.pass(2 * MS).await;
        assert_eq!(
            r.ended(&s.id),
            Some(EndReason::Idle),
            "jump back: not extended"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_time_limit_is_not_extended_by_activity_and_warns_first() {
        let r = rig(&[("time_limit", "600"), ("time_limit_warnings", "300,60")]);
        let s = r.sign_in().await;
        let left = || match r.screen() {
            Screen::Session {
                time_left_secs,
                time_warning_secs,
                ..
            } => (time_left_secs, time_warning_secs),
            other => panic!("{other:?}"),
        };
        assert_eq!(left(), (Some(600), None));
        for _ in 0..5 {
            r.pass(Duration::from_secs(60)).await;
            r.handle.activity();
        }
        r.pass(MS).await;
        assert_eq!(left(), (Some(300), Some(300)));
        for _ in 0..4 {
            r.pass(Duration::from_secs(60)).await;
            r.handle.activity();
        }
        r.pass(MS).await;
        assert_eq!(left(), (Some(60), Some(60)));
        r.handle.activity();
        r.pass(Duration::from_secs(60) - 4 * MS).await;
        assert_eq!(r.ended(&s.id), None);
        r.pass(2 * MS).await;
        assert_eq!(r.ended(&s.id), Some(EndReason::TimeLimit));
        assert_eq!(
            r.kiosk.session_record(&s.id).unwrap().unwrap().duration_ms,
            Some(600_000)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_administrator_can_end_a_session_during_its_warning() {
        let r = rig(&[]);
        let s = r.sign_in().await;
        r.pass(Duration::from_secs(250)).await;
        assert!(r.warning().is_some());
        assert_eq!(r.kiosk.request_end(None).unwrap(), 1);
        r.pass(Duration::from_secs(2)).await;
        assert_eq!(r.ended(&s.id), Some(EndReason::Admin));
        assert!(matches!(
            r.screen(),
            Screen::SignedOut {
                reason: EndReason::Admin,
                ..
            }
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn sign_out_dismiss_and_the_rules_of_one_session() {
        let r = rig(&[]);
        assert!(matches!(
            r.handle.sign_out().await,
            Err(KioskError::NoSession)
        ));
        let s = r.sign_in().await;
        assert!(matches!(
            r.handle
                .sign_in("admin".into(), pw("admin passphrase"))
                .await,
            Err(KioskError::SessionActive)
        ));
        let status = r.handle.sign_out().await.unwrap();
        assert!(matches!(
            status.screen,
            Screen::SignedOut {
                reason: EndReason::User,
                ..
            }
        ));
        assert_eq!(r.ended(&s.id), Some(EndReason::User));
        let status = r.handle.dismiss().await.unwrap();
        assert!(matches!(status.screen, Screen::SignIn { .. }));
        assert!(matches!(r.handle.stay().await, Err(KioskError::NoSession)));
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_ends_the_live_session() {
        let r = rig(&[]);
        let s = r.sign_in().await;
        r.handle.shutdown().await;
        assert_eq!(r.ended(&s.id), Some(EndReason::Shutdown));
        assert!(matches!(
            r.handle.sign_out().await,
            Err(KioskError::Stopped)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn guests_follow_the_setting() {
        let r = rig(&[]);
        assert!(matches!(
            r.handle.sign_in_guest().await,
            Err(KioskError::GuestsNotAllowed)
        ));
        r.kiosk.set_setting("guests_allowed", "true").unwrap();
        let status = r.handle.sign_in_guest().await.unwrap();
        assert!(matches!(
            status.screen,
            Screen::Session {
                account: SessionKind::Guest,
                ..
            }
        ));
        let open = r.kiosk.open_sessions().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].username, None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_session_gets_a_browser_when_sites_are_allowed_and_an_administrator_never() {
        let r = rig(&[]);
        let s = r.sign_in().await;
        assert!(matches!(r.screen(), Screen::Session { browser: None, .. }));
        assert_eq!(r.handle.browsing().await.unwrap(), None);
        r.handle.sign_out().await.unwrap();
        r.handle.dismiss().await.unwrap();
        assert_eq!(r.ended(&s.id), Some(EndReason::User));

        r.kiosk
            .set_setting(
                "allowed_sites",
                "https://catalogue.example.org, *.gov.example",
            )
            .unwrap();
        let s = r.sign_in().await;
        let plan = BrowserPlan {
            home: "https://catalogue.example.org/".into(),
            sites: vec![
                "https://catalogue.example.org".into(),
                "*.gov.example".into(),
            ],
        };
        assert!(matches!(r.screen(), Screen::Session { browser: Some(p), .. } if p == plan));
        let browsing = r.handle.browsing().await.unwrap().expect("a browser");
        assert_eq!(browsing.session_id, s.id);
        assert_eq!(browsing.plan, plan);
        assert_eq!(browsing.folder, r.kiosk.session_folder(&s.id));
        r.handle.sign_out().await.unwrap();
        assert_eq!(r.handle.browsing().await.unwrap(), None);
        r.handle.dismiss().await.unwrap();

        // The administrator's session is the panel, with no browser.
        r.handle
            .sign_in("admin".into(), pw("admin passphrase"))
            .await
            .unwrap();
        assert!(matches!(r.screen(), Screen::Session { browser: None, .. }));
        assert_eq!(r.handle.browsing().await.unwrap(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_settings_change_applies_to_the_live_session_at_once() {
        let r = rig(&[]);
        let s = r.sign_in().await;
        r.pass(Duration::from_secs(40)).await;
        r.kiosk.set_setting("idle_warning", "20").unwrap();
        r.kiosk.set_setting("idle_timeout", "30").unwrap();
        r.pass(Duration::from_secs(2)).await;
        assert_eq!(
            r.ended(&s.id),
            Some(EndReason::Idle),
            "already overdue under the new timeout"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_administrator_session_times_out_after_its_own_shorter_timeout() {
        let r = rig(&[("time_limit", "120")]);
        r.handle
            .sign_in("admin".into(), pw("admin passphrase"))
            .await
            .unwrap();
        let id = r.kiosk.open_sessions().unwrap().pop().unwrap().id;
        r.pass(Duration::from_secs(59)).await;
        assert_eq!(r.warning(), None);
        r.pass(Duration::from_secs(1)).await;
        assert_eq!(r.warning(), Some(60), "warned half-way through 2 min");
        r.pass(Duration::from_secs(59)).await;
        assert_eq!(
            r.ended(&id),
            None,
            "the users' time limit (2 min) does not apply"
        );
        r.pass(Duration::from_secs(1)).await;
        assert_eq!(r.ended(&id), Some(EndReason::Idle), "ended at 120 s");
        match r.screen() {
            Screen::SignedOut { reason_text, .. } => {
                assert!(reason_text.contains("2 minutes"), "{reason_text}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_policy_file_change_applies_to_the_live_session_at_once() {
        let r = rig(&[]);
        let policy = r.kiosk.data_dir().path().join("policy.toml");
        std::fs::write(&policy, "# nothing yet\n").unwrap();
        r.kiosk
            .use_policy(crate::policy::PolicySource {
                path: policy.clone(),
                explicit: true,
            })
            .unwrap();
        let s = r.sign_in().await;
        r.pass(Duration::from_secs(40)).await;
        std::fs::write(&policy, "idle_timeout = \"30s\"\nidle_warning = \"10s\"\n").unwrap();
        r.pass(Duration::from_secs(2)).await;
        assert_eq!(
            r.ended(&s.id),
            Some(EndReason::Idle),
            "already overdue under the policy's timeout"
        );
        let changed = r
            .kiosk
            .audit_list(&crate::audit::AuditFilter {
                event: Some("setting_changed".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert!(
            changed
                .iter()
                .any(|c| c.details.contains("\"key\":\"idle_timeout\"")
                    && c.details.contains("policy file")),
            "{changed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_wipe_closes_the_terminal_until_a_retry_succeeds() {
        use crate::wipe::{Removed, WipeTarget, Wiper};
        use std::sync::atomic::{AtomicBool, Ordering};
        struct Flaky(Arc<AtomicBool>);
        impl Wiper for Flaky {
            fn name(&self) -> &'static str {
                "flaky"
            }
            fn wipe(&self, _: &WipeTarget) -> Result<Removed, String> {
                if self.0.load(Ordering::SeqCst) {
                    Ok(Removed::default())
                } else {
                    Err("disk full".into())
                }
            }
            fn check(&self, _: &WipeTarget) -> Result<(), String> {
                Ok(())
            }
        }
        let tmp = tempfile::tempdir().unwrap();
        let clock = Arc::new(FakeClock::following_tokio());
        let kiosk = Arc::new(
            Kiosk::open_with_clock(DataDir::prepare(Some(tmp.path())).unwrap(), clock).unwrap(),
        );
        kiosk
            .create_first_admin("admin", "", &pw("admin passphrase"))
            .unwrap();
        kiosk.set_setting("signed_out_screen", "0").unwrap();
        let healthy = Arc::new(AtomicBool::new(false));
        let mut wipers = crate::kiosk::wipers::core_wipers(&kiosk);
        wipers.push(Arc::new(Flaky(Arc::clone(&healthy))));
        let (manager, handle) = SessionManager::new(kiosk.clone(), wipers).unwrap();
        tokio::spawn(manager.run());
        handle
            .sign_in("admin".into(), pw("admin passphrase"))
            .await
            .unwrap();
        let status = handle.sign_out().await.unwrap();
        match status.screen {
            Screen::NeedsAttention { message, .. } => assert_eq!(
                message,
                "The last session could not be fully erased: flaky (disk full)."
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            handle.sign_in("admin".into(), pw("admin passphrase")).await,
            Err(KioskError::NeedsAttention(_))
        ));
        healthy.store(true, Ordering::SeqCst);
        tokio::time::sleep(RETRY_WIPE + Duration::from_secs(1)).await;
        handle.settled().await;
        handle.settled().await;
        assert!(matches!(handle.status().screen, Screen::SignIn { .. }));
    }

    #[test]
    fn reasons_read_naturally() {
        let s = Settings::default();
        assert_eq!(reason_text(EndReason::User, &s), "You signed out.");
        assert_eq!(
            reason_text(EndReason::Idle, &s),
            "You were signed out after 5 minutes without activity."
        );
    }
}
