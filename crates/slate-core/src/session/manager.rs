//! The task that owns the session ([`SessionManager`]): it answers the handle's messages, starts
//! and ends sessions (the wipe, the record, the signed-out screen), keeps the deadlines with
//! [`super::due`], and announces every change of what the UI should show.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};

use super::due;
use super::farewell;
use super::handle::{stopped, AdminGrant, Browsing, Msg, SessionHandle};
use crate::api::{
    AppStatus, BrowserPlan, Contrast, EndReason, PreferenceValue, Preferences, Screen, SessionKind,
    SetupRequest, TextSize,
};
use crate::audit::Actor;
use crate::clock::Clock;
use crate::kiosk::{AcceptableUse, Identity, Kiosk, KioskError, Opening};
use crate::phrase::Phrase;
use crate::records::ActiveSession;
use crate::settings::{browser_home, Settings};
use crate::watch::FolderWatch;
use crate::wipe::{total_duration, wipe_all, WipeReceipt, Wiper};

/// How often a live session re-reads its settings and looks for an administrator's end request
/// when the kernel cannot tell it of changes (no watch on the folders: never seen).
const POLL: Duration = Duration::from_secs(1);
struct Live {
    session: ActiveSession,
    preferences: Preferences,
    /// The language the session chose for itself (its `language` preference), if it did.
    language: Option<String>,
    browser: Option<BrowserPlan>,
    timing: due::Timing,
    time_warning: Option<Duration>,
    /// When it started, on the wall clock in the terminal's time zone: the boot clock's
    /// deadlines are said as times of day from it.
    started: jiff::Zoned,
    /// Changes to My files so far ([`Screen::Session`]'s `files_changed`).
    files_changed: u32,
    /// Watches My files while the session lives (none if the kernel refused a watch).
    _files_watch: Option<FolderWatch>,
    /// The last message staff sent this session from the desk.
    staff_message: Option<crate::api::StaffMessage>,
}

/// A person signed in and reading the acceptable-use page: no session yet (nothing recorded as
/// open, no clock running), only who they are until they answer.
struct Agreeing {
    identity: Identity,
    version: String,
    texts: Vec<crate::notice::NoticeText>,
    /// Unanswered until then (the idle timeout from the last input): back to the sign-in screen.
    until: Duration,
}

enum State {
    SignedOut {
        farewell: Option<Box<(Screen, Duration)>>,
    },
    Agreeing(Box<Agreeing>),
    Live(Box<Live>),
}

impl State {
    /// Someone is at the terminal: signed in, or reading the acceptable-use page.
    fn busy(&self) -> bool {
        !matches!(self, Self::SignedOut { .. })
    }
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
    /// Its own way in, for the watch on My files (weak: the manager still ends once every
    /// handle is gone).
    me: mpsc::WeakSender<Msg>,
    /// Tells the manager when the database or a policy file may have changed (another process
    /// committed, a file was edited): the live session then looks at [`Kiosk::change_stamp`].
    /// `None` if the kernel refused the watch: the live session then looks every [`POLL`].
    changes_watch: Option<FolderWatch>,
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
pub(super) const RETRY_WIPE: Duration = Duration::from_secs(10);

impl SessionManager {
    /// A manager for `kiosk`, signed out. `wipers` are every per-session surface, run in order at
    /// each ending. Sessions a previous run left open are ended and wiped when [`Self::run`]
    /// starts, before it takes any request (the status says `Ending` until then).
    pub fn new(
        kiosk: Arc<Kiosk>,
        wipers: Vec<Arc<dyn Wiper>>,
    ) -> Result<(Self, SessionHandle), KioskError> {
        let clock = kiosk.clock();
        let settings = kiosk.settings()?;
        let initial = if kiosk.open_sessions()?.is_empty() {
            AppStatus::new(kiosk.signed_out_screen()?, &settings.language)
        } else {
            AppStatus::new(Screen::Ending, &settings.language)
        };
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
            me: tx.downgrade(),
            changes_watch: None,
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
        self.recover().await;
        self.changes_watch = self.watch_changes();
        let clock = Arc::clone(&self.clock);
        loop {
            let now = self.clock.boot_now();
            self.on_time(now).await;
            self.publish();
            let wake = self.next_wake(self.clock.boot_now());
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
                () = clock.sleep_until(wake) => {}
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
                let _ = reply.send(self.sign_in(username, password).await);
            }
            Msg::SetUp(request, reply) => {
                let _ = reply.send(self.set_up(request).await);
            }
            Msg::Guest(reply) => {
                let _ = reply.send(self.guest(None));
            }
            Msg::GuestPass(code, reply) => {
                let _ = reply.send(self.guest(Some(&code)));
            }
            Msg::Activity => self.touch(),
            Msg::MediaPlaying => self.media_playing(),
            Msg::Stay(reply) => {
                let result = if matches!(self.state, State::Live(_)) {
                    self.touch();
                    Ok(self.current())
                } else {
                    Err(KioskError::NoSession)
                };
                let _ = reply.send(result);
            }
            Msg::Extend(reply) => {
                let _ = reply.send(self.extend());
            }
            Msg::AnswerAcceptableUse {
                accept,
                language,
                reply,
            } => {
                let _ = reply.send(self.answer_acceptable_use(accept, language));
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
            Msg::Refresh => self.refresh().await,
            Msg::FilesChanged(id) => self.files_changed(&id),
            Msg::MaybeChanged => self.maybe_changed().await,
            Msg::RetryWipesNow => self.retry_soon(),
            Msg::Admin(reply) => {
                let _ = reply.send(self.admin_grant());
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
                        live.language = language_of(&self.kiosk, &id);
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

    /// First-run setup: the first administrator (hashing, on a blocking thread), then the
    /// sign-in screen. The kiosk refuses it once any administrator exists.
    async fn set_up(&mut self, request: SetupRequest) -> Result<AppStatus, KioskError> {
        if self.state.busy() {
            return Err(KioskError::SessionActive);
        }
        let kiosk = Arc::clone(&self.kiosk);
        tokio::task::spawn_blocking(move || {
            kiosk.create_first_admin(
                &Actor::System,
                &request.username,
                &request.display_name,
                &request.password,
            )
        })
        .await
        .unwrap_or_else(|_| Err(stopped()))?;
        tracing::info!("first administrator created");
        self.reload_settings();
        Ok(self.current())
    }

    /// Checks a person's name and password (off the async threads: the hash takes a while) and
    /// starts their session.
    async fn sign_in(
        &mut self,
        username: String,
        password: crate::auth::Password,
    ) -> Result<AppStatus, KioskError> {
        if self.state.busy() {
            return Err(KioskError::SessionActive);
        }
        // Refused before the password is even checked (or a failure audited).
        self.open_for_sessions()?;
        let kiosk = Arc::clone(&self.kiosk);
        let identity =
            tokio::task::spawn_blocking(move || kiosk.authenticate(&username, &password))
                .await
                .unwrap_or_else(|_| Err(stopped()))?;
        self.begin(identity)
    }

    /// A guest comes in: as any guest (where allowed), or with a guest pass's code.
    fn guest(&mut self, pass: Option<&crate::auth::Password>) -> Result<AppStatus, KioskError> {
        if self.state.busy() {
            return Err(KioskError::SessionActive);
        }
        self.open_for_sessions()?;
        let identity = match pass {
            None => self.kiosk.guest()?,
            Some(code) => self.kiosk.redeem_guest_pass(code.expose())?,
        };
        self.begin(identity)
    }

    /// The grant of the administrator whose session is live; the request counts as activity.
    fn admin_grant(&mut self) -> Result<AdminGrant, KioskError> {
        let grant = match &self.state {
            State::Live(live) if live.session.kind == SessionKind::Admin => Ok(AdminGrant::new(
                live.session.username.clone().unwrap_or_default(),
            )),
            _ => Err(KioskError::NotAdministrator),
        };
        if grant.is_ok() {
            self.touch();
        }
        grant
    }

    fn live_id(&self) -> Result<String, KioskError> {
        match &self.state {
            State::Live(live) => Ok(live.session.id.clone()),
            State::SignedOut { .. } | State::Agreeing(_) => Err(KioskError::NoSession),
        }
    }

    async fn end_or_refuse(&mut self, reason: EndReason) -> Result<AppStatus, KioskError> {
        if matches!(self.state, State::Agreeing(_)) {
            // No session yet: the page goes, unanswered (its screen gone, an administrator).
            self.leave_acceptable_use();
            return Ok(self.current());
        }
        if matches!(self.state, State::Live(_)) {
            self.end(reason).await;
            Ok(self.current())
        } else {
            Err(KioskError::NoSession)
        }
    }

    /// Whether a session may start now: not while the terminal needs attention (an ending not
    /// yet recorded, a failed wipe, an audit key that cannot be used).
    fn open_for_sessions(&self) -> Result<(), KioskError> {
        if let Some(why) = &self.unrecorded_why {
            return Err(KioskError::NeedsAttention(why.clone()));
        }
        if let Some(why) = self.kiosk.needs_attention()? {
            return Err(KioskError::NeedsAttention(why));
        }
        Ok(())
    }

    /// My files of the session `id` changed: said in the next status (if it is still live).
    fn files_changed(&mut self, id: &str) {
        if let State::Live(live) = &mut self.state {
            if live.session.id == id {
                live.files_changed = live.files_changed.wrapping_add(1);
            }
        }
    }

    /// A watch on the session `id`'s My files (`folder`) that tells this manager of each change.
    fn watch_files(&self, folder: &std::path::Path, id: &str) -> Option<FolderWatch> {
        let (me, id) = (self.me.clone(), id.to_owned());
        let watch = FolderWatch::entries(folder, move || {
            if let Some(tx) = me.upgrade() {
                let _ = tx.blocking_send(Msg::FilesChanged(id.clone()));
            }
        });
        watch
            .map_err(|e| tracing::warn!("cannot watch My files for changes: {e}"))
            .ok()
    }

    /// A watch on the folders of the database and the policy files that tells this manager of
    /// each write ([`Msg::MaybeChanged`]).
    fn watch_changes(&self) -> Option<FolderWatch> {
        let me = self.me.clone();
        let watch = FolderWatch::writes(&self.kiosk.change_folders(), move || {
            if let Some(tx) = me.upgrade() {
                // Waits while the queue is full: a change is never dropped.
                let _ = tx.blocking_send(Msg::MaybeChanged);
            }
        });
        watch
            .map_err(|e| {
                tracing::warn!(
                    "cannot watch for changes to the settings ({e}): looking every second"
                );
            })
            .ok()
    }

    /// A person is let in: the door's rules, then the acceptable-use page if there is one (not
    /// for administrators), else their session at once.
    fn begin(&mut self, identity: Identity) -> Result<AppStatus, KioskError> {
        self.open_for_sessions()?;
        let settings = self.kiosk.settings()?;
        // The opening hours and the day's time: refused here, or the deadlines they set.
        let admission = self.kiosk.admit_under(&identity, &settings)?;
        match &settings.acceptable_use {
            Some(notice) if identity.kind != SessionKind::Admin => {
                self.state = State::Agreeing(Box::new(Agreeing {
                    version: notice.version().to_owned(),
                    texts: notice.texts(),
                    until: self.clock.boot_now() + settings.idle_timeout,
                    identity,
                }));
                self.settings = settings;
                Ok(self.current())
            }
            _ => self.start(identity, settings, admission, None),
        }
    }

    /// The person's answer to the acceptable-use page, read in `language`. Declined: back to
    /// the sign-in screen. Accepted: the door's rules again (they may have read until closing),
    /// then the session; a page changed while they read it is shown again, new.
    fn answer_acceptable_use(
        &mut self,
        accept: bool,
        language: Option<String>,
    ) -> Result<AppStatus, KioskError> {
        let State::Agreeing(agreeing) =
            std::mem::replace(&mut self.state, State::SignedOut { farewell: None })
        else {
            return Err(KioskError::InvalidRequest(Phrase::new(
                "There is no acceptable-use page to answer now.",
            )));
        };
        let Agreeing {
            identity,
            version,
            texts,
            ..
        } = *agreeing;
        // Only a language the page has is recorded (never free text from the screen).
        let language = language.filter(|l| {
            texts
                .iter()
                .any(|t| t.language.as_deref() == Some(l.as_str()))
        });
        if !accept {
            self.kiosk.record_acceptable_use(
                &identity,
                &version,
                language.as_deref(),
                AcceptableUse::Declined,
            )?;
            tracing::info!("acceptable-use page declined");
            return Ok(self.current());
        }
        let settings = self.kiosk.settings()?;
        if settings
            .acceptable_use
            .as_ref()
            .map(crate::notice::Notice::version)
            != Some(version.as_str())
        {
            // Changed (or removed) while they read: the door again, with the page as it is now.
            return self.begin(identity);
        }
        self.open_for_sessions()?;
        let admission = self.kiosk.admit_under(&identity, &settings)?;
        // The acceptance is recorded with the session it opens, in one transaction.
        self.start(
            identity,
            settings,
            admission,
            Some((&version, language.as_deref())),
        )
    }

    /// The acceptable-use page left unanswered (nobody at it for the idle timeout, its screen
    /// gone): back to the sign-in screen, audited.
    fn leave_acceptable_use(&mut self) {
        let State::Agreeing(agreeing) =
            std::mem::replace(&mut self.state, State::SignedOut { farewell: None })
        else {
            return;
        };
        if let Err(e) = self.kiosk.record_acceptable_use(
            &agreeing.identity,
            &agreeing.version,
            None,
            AcceptableUse::NoAnswer,
        ) {
            tracing::error!("could not record the unanswered acceptable-use page: {e}");
        }
        tracing::info!("acceptable-use page left unanswered: back to sign-in");
    }

    /// Starts a session: durably recorded as open before anyone can use it, with the
    /// acceptable-use page it accepted (its version and the language read), if any.
    fn start(
        &mut self,
        identity: Identity,
        settings: Settings,
        admission: crate::kiosk::Admission,
        accepted: Option<(&str, Option<&str>)>,
    ) -> Result<AppStatus, KioskError> {
        self.settings = due::rules_for(settings, identity.kind);
        let id: [u8; 16] = rand::random();
        let session = ActiveSession {
            id: hex::encode(id),
            display_name: identity.display_name,
            kind: identity.kind,
            username: identity.username,
            source: identity.source,
            group: identity.group,
            started_at: self.clock.now_utc(),
        };
        // The folder first: a crash after it but before the record leaves an orphan folder, which
        // the next start removes; the other way round could leave a recorded session without one.
        let folder = self.kiosk.create_session_folder(&session.id)?;
        let opening = Opening {
            pass: identity.pass.map(|p| p.id),
            accepted,
        };
        if let Err(e) = self.kiosk.record_session_open(&session, opening) {
            // Nobody used it: the empty folder goes now rather than at the next start.
            let _ = std::fs::remove_dir_all(&folder);
            return Err(e);
        }
        let files_watch = self.watch_files(&folder, &session.id);
        tracing::info!(session = %session.id, kind = ?session.kind, "session started");
        let now = self.clock.boot_now();
        // The browser, for people's sessions when some sites are allowed; fixed for the session.
        let browser = (session.kind != SessionKind::Admin
            && !self.settings.allowed_sites.is_empty())
        .then(|| BrowserPlan {
            home: browser_home(&self.settings.allowed_sites, &self.settings.home_page),
            sites: self.settings.allowed_sites.clone(),
        });
        let started = self.clock.now_zoned();
        // A wall-clock deadline on the boot clock: the time between, from now.
        let boot_at = |at: &jiff::Zoned| {
            now + at
                .timestamp()
                .duration_since(started.timestamp())
                .try_into()
                .unwrap_or(Duration::ZERO)
        };
        let mut timing = due::Timing::starting(now);
        timing.waiting =
            session.kind == SessionKind::Guest && self.settings.guest_time_from_first_input;
        timing.allowance_end = admission.allowance_end.as_ref().map(boot_at);
        timing.closing = admission.closing.as_ref().map(boot_at);
        self.state = State::Live(Box::new(Live {
            browser,
            session,
            preferences: Preferences::default(),
            language: None,
            timing,
            time_warning: None,
            started,
            files_changed: 0,
            _files_watch: files_watch,
            staff_message: None,
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
                downloads: self.settings.downloads,
                printing: self.settings.printing,
            }),
            State::SignedOut { .. } | State::Agreeing(_) => None,
        }
    }

    /// Media playing in the browser holds the idle deadline a little longer, where the settings
    /// say it is use. (The time limit is not touched.)
    fn media_playing(&mut self) {
        if !self.settings.media_counts_as_use {
            return;
        }
        if let State::Live(live) = &mut self.state {
            live.timing.media_until = Some(self.clock.boot_now() + due::MEDIA_LEASE);
            live.timing.warned = false;
        }
    }

    fn touch(&mut self) {
        match &mut self.state {
            State::Live(live) => {
                let now = self.clock.boot_now();
                live.timing.first_input(now);
                live.timing.last_activity = now;
                live.timing.warned = false;
            }
            State::Agreeing(agreeing) => {
                agreeing.until = self.clock.boot_now() + self.settings.idle_timeout;
            }
            State::SignedOut { .. } => {}
        }
    }

    /// The session's one extension: offered (`extension`) only while the warning before its end
    /// shows, once, and only where it adds time (never past closing or the day's time unless
    /// `extension_past_limits`). Audited; counts as activity.
    fn extend(&mut self) -> Result<AppStatus, KioskError> {
        let now = self.clock.boot_now();
        let State::Live(live) = &mut self.state else {
            return Err(KioskError::NoSession);
        };
        let gain = due::extension_gain(&live.timing, &self.settings)
            .filter(|_| live.time_warning.is_some())
            .ok_or_else(|| {
                KioskError::InvalidRequest(Phrase::new("This session cannot be made longer now."))
            })?;
        let more = self.settings.extension.unwrap_or_default();
        live.timing.extended = Some((more, self.settings.extension_past_limits));
        live.timing.last_activity = now;
        live.timing.warned = false;
        if let due::Due::Running { time_warning, .. } = due::due(&live.timing, &self.settings, now)
        {
            live.time_warning = time_warning;
        }
        self.kiosk.record_extension(&live.session, gain)?;
        tracing::info!(session = %live.session.id, "session extended");
        Ok(self.current())
    }

    /// Ends the live session (if any) for `reason`: wipes every surface and re-checks it, records
    /// the ending with the receipt, and shows the signed-out screen (or, if the wipe failed,
    /// "needs attention").
    async fn end(&mut self, reason: EndReason) {
        if matches!(self.state, State::Agreeing(_)) {
            // No session yet (the app going away while the page shows): only the page goes.
            self.leave_acceptable_use();
            return;
        }
        let State::Live(live) =
            std::mem::replace(&mut self.state, State::SignedOut { farewell: None })
        else {
            return;
        };
        self.status
            .send_replace(AppStatus::new(Screen::Ending, &self.settings.language));
        let now = self.clock.boot_now();
        if reason == EndReason::Idle {
            let deadline = live.timing.idle_end(&self.settings);
            let late = now.saturating_sub(deadline);
            tracing::info!(late_ms = late.as_secs_f64() * 1000.0, "idle ending fired");
        }
        let duration = now.saturating_sub(live.timing.boot_start);
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
        self.end_at_source(&live.session);
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
            Box::new((
                Screen::SignedOut {
                    reason,
                    why: farewell::why(reason, &self.settings),
                    erased: receipt.complete(),
                    message: self.settings.signed_out_message.clone(),
                },
                self.clock.boot_now() + self.settings.signed_out_screen,
            ))
        });
        self.state = State::SignedOut { farewell };
    }

    /// Tells the account's source the session is over, where it wants to know (SIP2's End
    /// Patron Session), off the manager's task: the next person never waits for it.
    fn end_at_source(&self, session: &ActiveSession) {
        if session.source != Some(crate::accounts::Source::Sip2) {
            return;
        }
        let Some(patron) = session.username.clone() else {
            return;
        };
        let kiosk = Arc::clone(&self.kiosk);
        tokio::task::spawn_blocking(move || kiosk.end_patron_session(&patron));
    }

    /// Ends and wipes, as `recovered`, every session a previous run left open, with this
    /// manager's wipers (so the surfaces reached through the kiosk's screen are wiped once it is
    /// connected), and retries failed wipes ([`Kiosk::recover_open_sessions`]).
    async fn recover(&mut self) {
        let (kiosk, wipers) = (Arc::clone(&self.kiosk), Arc::clone(&self.wipers));
        match tokio::task::spawn_blocking(move || kiosk.recover_open_sessions(&wipers)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::warn!(sessions = n, "ended sessions the previous run left open"),
            Ok(Err(e)) => {
                tracing::error!("cannot end the sessions the previous run left open: {e}");
            }
            Err(_) => tracing::error!("the recovery of open sessions stopped unexpectedly"),
        }
        self.next_retry = match self.kiosk.needs_attention() {
            Ok(None) => None,
            _ => Some(self.clock.boot_now() + RETRY_WIPE),
        };
    }

    /// A failed wipe that keeps the terminal closed is tried again at once.
    fn retry_soon(&mut self) {
        if self.next_retry.is_some() {
            self.next_retry = Some(self.clock.boot_now());
        }
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
                surfaces: vec![crate::wipe::SurfaceReport {
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
            State::Agreeing(agreeing) => {
                if agreeing.until <= now {
                    self.leave_acceptable_use();
                }
            }
            State::SignedOut { farewell } => {
                if farewell.as_ref().is_some_and(|f| f.1 <= now) {
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
                if self.changes_watch.is_none() && now.saturating_sub(self.last_poll) >= POLL {
                    self.last_poll = now;
                    if self.poll() {
                        self.end(EndReason::Admin).await;
                        return;
                    }
                }
                let State::Live(live) = &mut self.state else {
                    return; // the poll ended it
                };
                match due::due(&live.timing, &self.settings, now) {
                    due::Due::End(reason) => self.end(reason).await,
                    due::Due::Running {
                        warn_idle,
                        time_warning,
                    } => {
                        live.timing.warned |= warn_idle;
                        live.time_warning = time_warning;
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

    /// The kernel reported a write to the database or a policy file: a live session looks
    /// whether its settings or an end request changed.
    async fn maybe_changed(&mut self) {
        if let State::Live(live) = &mut self.state {
            // A message from the desk (the terminal's room hands it over with an audit record,
            // whose write woke this): shown with the next status.
            if let Some(message) = self.kiosk.take_staff_message(&live.session.id) {
                live.staff_message = Some(message);
            }
        }
        if matches!(self.state, State::Live(_)) && self.poll() {
            self.end(EndReason::Admin).await;
        }
    }

    /// Settings, and an end request made through the service, apply at once.
    async fn refresh(&mut self) {
        self.reload_settings();
        self.last_stamp = None;
        if matches!(self.state, State::Live(_)) && self.poll() {
            self.end(EndReason::Admin).await;
        }
    }

    /// Reads the settings in force again, under the live session's rules.
    fn reload_settings(&mut self) {
        if let Ok(s) = self.kiosk.settings() {
            self.settings = match &self.state {
                State::Live(live) => due::rules_for(s, live.session.kind),
                State::SignedOut { .. } | State::Agreeing(_) => s,
            };
        }
    }

    /// When to look again: the next deadline or countdown step (and, without a watch on the
    /// settings, the next poll). Signed out: the end of the farewell screen, or the next retry of
    /// a failed wipe; with neither, an hour on (nothing is due).
    fn next_wake(&self, now: Duration) -> Duration {
        let retry = self.next_retry.unwrap_or(Duration::MAX);
        match &self.state {
            State::SignedOut {
                farewell: Some(farewell),
            } => farewell.1.min(retry),
            State::SignedOut { farewell: None } => retry.min(now + Duration::from_secs(3600)),
            State::Agreeing(agreeing) => agreeing.until.min(retry),
            State::Live(live) => {
                let wake = due::next_wake(&live.timing, &self.settings, now);
                if self.changes_watch.is_none() {
                    wake.min(self.last_poll + POLL)
                } else {
                    wake
                }
            }
        }
    }

    fn current(&self) -> AppStatus {
        let now = self.clock.boot_now();
        let screen = match &self.state {
            State::SignedOut {
                farewell: Some(farewell),
            } => farewell.0.clone(),
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
            State::Agreeing(agreeing) => Screen::AcceptableUse {
                display_name: agreeing.identity.display_name.clone(),
                account: agreeing.identity.kind,
                texts: agreeing.texts.clone(),
                version: agreeing.version.clone(),
            },
            State::Live(live) => {
                let (idle_warning, time_left) = due::countdowns(&live.timing, &self.settings, now);
                let cutoff = live.timing.cutoff(&self.settings);
                Screen::Session {
                    display_name: live.session.display_name.clone(),
                    account: live.session.kind,
                    idle_warning,
                    time_left,
                    ends_for: cutoff.map(|(_, rule)| rule),
                    can_extend: live
                        .time_warning
                        .and_then(|_| due::extension_gain(&live.timing, &self.settings))
                        .map(|gain| u32::try_from(gain.as_secs()).unwrap_or(u32::MAX)),
                    signs_out: cutoff.map(|(at, rule)| {
                        let since_start = at.saturating_sub(live.timing.boot_start);
                        let wall = jiff::SignedDuration::try_from(since_start)
                            .ok()
                            .and_then(|d| live.started.checked_add(d).ok())
                            .unwrap_or_else(|| live.started.clone());
                        farewell::signs_out(rule, &wall)
                    }),
                    time_warning_secs: live
                        .time_warning
                        .map(|w| u32::try_from(w.as_secs()).unwrap_or(u32::MAX)),
                    preferences: live.preferences.clone(),
                    browser: live.browser.clone(),
                    files_changed: live.files_changed,
                    staff_message: live.staff_message.clone(),
                }
            }
        };
        // A session speaks the language it chose; anything else the terminal's own.
        let language = match &self.state {
            State::Live(live) => live.language.as_deref(),
            State::SignedOut { .. } | State::Agreeing(_) => None,
        };
        AppStatus::new(screen, language.unwrap_or(&self.settings.language))
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

/// The language a session chose for itself, as stored (`None`: the terminal's own).
fn language_of(kiosk: &Kiosk, id: &str) -> Option<String> {
    kiosk
        .session_values(id)
        .unwrap_or_default()
        .into_iter()
        .find_map(|(key, value)| (key == "language").then_some(value))
}

/// A session's display preferences as stored (normal where unset).
fn preferences_of(kiosk: &Kiosk, id: &str) -> Preferences {
    let values = kiosk.session_values(id).unwrap_or_default();
    let get = |k: &str| {
        values
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    Preferences {
        text_size: get("text_size")
            .and_then(|v| TextSize::from_name(&v))
            .unwrap_or_default(),
        contrast: get("contrast")
            .and_then(|v| Contrast::from_name(&v))
            .unwrap_or_default(),
    }
}
