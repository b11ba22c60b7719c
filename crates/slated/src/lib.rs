//! The session service's socket: it accepts connections, asks the kernel who is at the other end
//! (`SO_PEERCRED`), refuses anyone but the kiosk's screen and the administrators
//! ([`slate_core::wire::Peer`]), reads length-prefixed frames of at most
//! [`slate_core::wire::MAX_MESSAGE`] bytes, and hands each request to the session manager's
//! handle, as the kiosk's IPC commands do. A frame it cannot use gets one sentence and changes
//! nothing; a client that goes away mid-call leaves the call to finish or not, as the session
//! manager decides, and the service serves the next one.
//!
//! The screen's connection is also how the service wipes the surfaces only the screen can reach
//! ([`screen`]); when that connection goes during a session, the session ends at once as
//! `recovered` (fail closed: nobody is left with a session nobody is watching over).

pub mod cli;
pub mod logging;
pub mod screen;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_util::codec::{Framed, LengthDelimitedCodecError};

use slate_core::api::{AdminRequest, EndReason, IpcError, Screen};
use slate_core::audit::Actor;
use slate_core::datadir::DataDir;
use slate_core::exit;
use slate_core::kiosk::wipers::core_wipers;
use slate_core::kiosk::{KioskError, SessionsPlace};
use slate_core::local_accounts::{self, LocalAccount};
use slate_core::phrase::Phrase;
use slate_core::session::SessionHandle;
use slate_core::session::SessionManager;
use slate_core::wipe::Wiper;
use slate_core::wire::ADMIN_GROUP;
use slate_core::wire::{
    self, Admission, Answer, Call, CtlCall, Outcome, Peer, ServerMessage, Stream, Unreadable,
};
use slate_core::Kiosk;

use screen::ScreenLink;

/// What every connection reaches.
#[derive(Clone)]
pub struct Service {
    pub kiosk: Arc<Kiosk>,
    pub session: SessionHandle,
    pub admission: Arc<Admission>,
    pub link: Arc<ScreenLink>,
}

/// Every surface a session's ending wipes, in order: the browser first (its downloads stop
/// before My files is emptied), the core's, then the screen's others.
pub fn wipers(kiosk: &Arc<Kiosk>, link: &Arc<ScreenLink>) -> Vec<Arc<dyn Wiper>> {
    let [first, rest @ ..] = wire::SCREEN_SURFACES;
    let mut all = vec![screen::surface(first, link)];
    all.extend(core_wipers(kiosk));
    all.extend(rest.iter().map(|name| screen::surface(name, link)));
    all
}

/// Why the service cannot start: one sentence, and the exit code.
pub type Failure = (String, u8);

/// The kiosk account whose screen drives the session: `screen_user`, or the account running
/// this.
pub fn screen_account(screen_user: Option<&str>) -> Result<LocalAccount, Failure> {
    let me = local_accounts::by_uid(current_uid());
    match screen_user {
        Some(name) => local_accounts::by_name(name).ok_or_else(|| {
            (
                format!("There is no local account called {name:?} for the kiosk's screen."),
                exit::NOT_FOUND,
            )
        }),
        None => me.ok_or_else(|| {
            (
                "This account is not in /etc/passwd; name the kiosk's with --screen-user."
                    .to_owned(),
                exit::NOT_FOUND,
            )
        }),
    }
}

/// Who may connect: the kiosk account `screen` and the administrators.
pub fn admission(screen: LocalAccount) -> Admission {
    Admission {
        screen_uid: screen.uid,
        screen_name: screen.name,
        admin_uids: local_accounts::group_members(ADMIN_GROUP),
        service_uid: current_uid(),
    }
}

/// The account running the service, as the kernel has it.
pub fn current_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// The core, opened and ready to serve.
pub struct Prepared {
    pub kiosk: Arc<Kiosk>,
    pub link: Arc<ScreenLink>,
}

/// Where the sessions' folders go: in the data folder, or (the screen running as another
/// account, or a folder named) in a folder of their own, each live one the screen's account's.
#[derive(Debug, Clone, Default)]
pub enum Sessions {
    /// `sessions/` in the data folder: the screen runs as this account.
    #[default]
    Inside,
    /// The folder given, or `<data folder>-sessions` beside it, for the screen's account.
    For {
        folder: Option<PathBuf>,
        account: LocalAccount,
    },
}

impl Sessions {
    /// For the screen's account `screen` and the folder named with `--sessions-dir`, if any.
    pub fn choose(screen: LocalAccount, folder: Option<PathBuf>) -> Self {
        if folder.is_none() && screen.uid == current_uid() {
            Self::Inside
        } else {
            Self::For {
                folder,
                account: screen,
            }
        }
    }
}

/// Opens the core on the data folder (`None`: the default) with its policy, and prunes the audit
/// log past its retention. (Sessions a crash left open are ended and wiped when the session
/// manager starts, once the screen can connect to have its surfaces wiped too.)
pub fn prepare(
    data_dir: Option<&Path>,
    policy: Option<PathBuf>,
    sessions: Sessions,
) -> Result<Prepared, Failure> {
    let fail = |e: KioskError| (e.to_string(), exit::number_for(&e));
    let mut kiosk = DataDir::prepare(data_dir)
        .map_err(Into::into)
        .and_then(Kiosk::open_check_later)
        .map_err(fail)?;
    if let Sessions::For { folder, account } = sessions {
        let folder = folder.unwrap_or_else(|| {
            let data = kiosk.data_dir().path();
            let mut name = data.file_name().unwrap_or_default().to_os_string();
            name.push("-sessions");
            data.with_file_name(name)
        });
        let place = SessionsPlace::for_account(&folder, account.uid, account.gid)
            .map_err(|e| fail(e.into()))?;
        kiosk.hand_sessions_to(place);
    }
    kiosk
        .use_policy(slate_core::policy::PolicySource::choose(policy))
        .map_err(fail)?;
    let kiosk = Arc::new(kiosk);
    let link = Arc::new(ScreenLink::default());
    prune(&kiosk);
    Ok(Prepared { kiosk, link })
}

impl Prepared {
    /// Starts the session manager and serves `listener`, on the current tokio runtime.
    pub fn start(
        self,
        listener: UnixListener,
        admission: Admission,
    ) -> Result<(SessionHandle, tokio::task::JoinHandle<()>), Failure> {
        let (manager, session) =
            SessionManager::new(Arc::clone(&self.kiosk), wipers(&self.kiosk, &self.link))
                .map_err(|e| (e.to_string(), exit::FAILURE))?;
        tokio::spawn(manager.run());
        STARTED.get_or_init(std::time::Instant::now);
        check_database_soon(
            Arc::clone(&self.kiosk),
            session.clone(),
            Arc::clone(&self.link),
        );
        prune_daily(Arc::clone(&self.kiosk));
        forward_audit(Arc::clone(&self.kiosk));
        join_the_room(Arc::clone(&self.kiosk), &session);
        let service = Service {
            kiosk: self.kiosk,
            session: session.clone(),
            admission: Arc::new(admission),
            link: self.link,
        };
        Ok((session, tokio::spawn(serve(listener, service))))
    }
}

/// For a terminal in a room: tells the room the terminal's state at each status the session
/// manager announces, and hears staff's requests to it (a thread asleep in `LISTEN`).
fn join_the_room(kiosk: Arc<Kiosk>, session: &SessionHandle) {
    if !kiosk.in_room() {
        return;
    }
    let listener = kiosk.listen_to_room();
    let mut statuses = session.subscribe();
    tokio::spawn(async move {
        let _listener = listener;
        loop {
            let status = statuses.borrow_and_update().clone();
            let kiosk = Arc::clone(&kiosk);
            let _ = tokio::task::spawn_blocking(move || kiosk.room_report(&status)).await;
            if statuses.changed().await.is_err() {
                return;
            }
        }
    });
}

/// Prunes the audit records and session rows past their retention (`Kiosk::prune_audit`),
/// saying in the log what went.
fn prune(kiosk: &Kiosk) {
    match kiosk.prune_audit() {
        Ok((0, 0)) => {}
        Ok((records, sessions)) => {
            tracing::info!(
                records,
                sessions,
                "pruned audit records and sessions past their retention"
            );
        }
        Err(e) => tracing::error!("cannot prune the audit log: {e}"),
    }
    match kiosk.prune_guest_passes(slate_core::guest_pass::KEEP_DAYS) {
        Ok(0) => {}
        Ok(passes) => tracing::info!(passes, "removed guest passes long past their last day"),
        Err(e) => tracing::error!("cannot prune the guest passes: {e}"),
    }
}

/// How often a running service prunes, beside each start: a terminal that runs for weeks still
/// folds its sessions into the anonymous counts as `usage_session_days` says.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Prunes once a day while the service runs (the one wake-up it has at rest besides deadlines).
fn prune_daily(kiosk: Arc<Kiosk>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(PRUNE_EVERY).await;
            let kiosk = Arc::clone(&kiosk);
            let _ = tokio::task::spawn_blocking(move || prune(&kiosk)).await;
        }
    });
}

/// The longest wait before a collector that did not answer is tried again (the wait doubles
/// from 1 s); any new record tries again at once.
const FORWARD_RETRY_CAP: std::time::Duration = std::time::Duration::from_secs(60);

/// How often a terminal in a room checks its own chain as the room holds it, and tells the room
/// how that went (the audit as a whole), then removes from the room what its retention removed
/// here: at the service's first look at its records after the start, then at the first look (a
/// record written, or a send tried again) after each hour.
const ROOM_AUDIT_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Sends the audit to the system journal (`audit_journal`), to its collector
/// (`audit_forward_url`) and to the room's database (with the sessions it speaks of) as it is
/// written (in a room, checking its chain there now and then: [`ROOM_AUDIT_CHECK_EVERY`]): a
/// thread asleep until the database's folder is
/// written (inotify, as the session manager watches it), then sending each the records it does
/// not have, in batches, in order. A destination that does not take them is tried again after a
/// wait that doubles up to a minute; nothing else waits for it.
fn forward_audit(kiosk: Arc<Kiosk>) {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let _ = tx.send(());
    let watch = {
        let tx = tx.clone();
        slate_core::watch::FolderWatch::writes(
            &[kiosk.data_dir().path().to_path_buf()],
            move || {
                let _ = tx.send(());
            },
        )
    };
    let watch = match watch {
        Ok(w) => w,
        Err(e) => {
            tracing::error!("the audit is not forwarded: its folder cannot be watched ({e})");
            return;
        }
    };
    let journal = std::path::Path::new(slate_core::journal::SOCKET);
    let spawned = std::thread::Builder::new()
        .name("audit-forward".into())
        .spawn(move || {
            let _watch = watch;
            let _tx = tx;
            let mut retry: Option<std::time::Duration> = None;
            let mut last_check: Option<std::time::Instant> = None;
            loop {
                let woke = match retry {
                    Some(wait) => rx
                        .recv_timeout(wait)
                        .map_err(|e| matches!(e, std::sync::mpsc::RecvTimeoutError::Disconnected)),
                    None => rx.recv().map_err(|_| true),
                };
                if woke == Err(true) {
                    return;
                }
                // A burst of writes is one look.
                while rx.try_recv().is_ok() {}
                // Each is asked, whatever the others say.
                let failed = send_all("the system journal", || kiosk.journal_once(journal))
                    | send_all("the audit collector", || kiosk.forward_once())
                    | send_all("the room's database", || kiosk.room_once());
                // Checked whether or not the send went through (a room whose newest records
                // were taken out refuses the next one for ever; the check says so).
                if kiosk.in_room()
                    && last_check.is_none_or(|at| at.elapsed() >= ROOM_AUDIT_CHECK_EVERY)
                {
                    match kiosk.room_audit_verify() {
                        Ok(r) => {
                            last_check = Some(std::time::Instant::now());
                            tracing::info!(
                                "this terminal's chain in the room is intact: {} records",
                                r.records
                            );
                            // What its retention removed here goes from the room too.
                            match kiosk.room_prune() {
                                Ok(0) => {}
                                Ok(rows) => tracing::info!(rows, "pruned in the room"),
                                Err(e) => tracing::warn!("cannot prune in the room: {e}"),
                            }
                        }
                        // The room away: checked at the next look it answers.
                        Err(KioskError::Store(
                            e @ slate_core::store_error::StoreError::RoomAway(_),
                        )) => {
                            tracing::debug!("this terminal's chain in the room: {e}");
                        }
                        Err(e) => {
                            last_check = Some(std::time::Instant::now());
                            tracing::error!("this terminal's chain in the room: {e}");
                        }
                    }
                }
                retry = if failed {
                    // The failure, just written down, is a write of the folder too: not a
                    // reason to try again at once (the wait below brings every record).
                    while rx
                        .recv_timeout(std::time::Duration::from_millis(200))
                        .is_ok()
                    {}
                    Some(retry.map_or(std::time::Duration::from_secs(1), |w| {
                        (w * 2).min(FORWARD_RETRY_CAP)
                    }))
                } else {
                    None
                };
            }
        });
    if let Err(e) = spawned {
        tracing::error!("the audit is not forwarded: {e}");
    }
}

/// Sends `to` every record it lacks, a batch at a time; whether a batch failed (logged).
fn send_all(
    to: &str,
    mut once: impl FnMut() -> Result<slate_core::forward::Forwarded, KioskError>,
) -> bool {
    use slate_core::forward::Forwarded;
    loop {
        match once() {
            Ok(Forwarded::Sent(_)) => {}
            Ok(Forwarded::Off | Forwarded::UpToDate) => return false,
            Ok(Forwarded::Failed(why)) => {
                tracing::warn!("{to} did not take the audit's records: {why}");
                return true;
            }
            Err(e) => {
                tracing::error!("the audit cannot be sent to {to}: {e}");
                return true;
            }
        }
    }
}

/// The database check the start left out ([`Kiosk::open_check_later`]), run once the sign-in
/// screen is up, on a read-only connection of its own and a thread of its own below everything
/// a person waits for: damage puts the terminal on "needs attention" at once (the screen shows
/// it, and no session starts). The check reads the whole file (17 s over ten million records),
/// so run beside the screen's start it made that start grow with the log (1.20× with ten
/// million records, BENCHMARKS.md, "Cold start"). It waits for the screen to connect (or
/// [`SCREEN_WAIT`] without one), then [`SETTLE`] for its page to draw, and runs at nice 19,
/// which lowers its share of the disk too.
fn check_database_soon(kiosk: Arc<Kiosk>, session: SessionHandle, link: Arc<ScreenLink>) {
    let check = move || {
        let screen = link.screen_within(screen_wait());
        std::thread::sleep(SETTLE);
        if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19) {
            tracing::debug!("the database check runs at the usual priority: {e}");
        }
        let started = std::time::Instant::now();
        match kiosk.check_database() {
            Ok(()) => tracing::info!(
                seconds = started.elapsed().as_secs_f64(),
                screen,
                "the database check found no damage"
            ),
            // Said in the log by the check; the screen follows now.
            Err(_) => session.refresh(),
        }
    };
    if let Err(e) = std::thread::Builder::new()
        .name("database-check".into())
        .spawn(check)
    {
        tracing::error!("cannot start the database check: {e}");
    }
}

/// How long the database check waits for a screen before it runs without one.
const SCREEN_WAIT: std::time::Duration = std::time::Duration::from_secs(20);
/// From the screen's connection to the check: its page draws meanwhile (a start takes 0.4 to
/// 1.7 s from the process's start, most of it before it connects).
const SETTLE: std::time::Duration = std::time::Duration::from_secs(2);

/// [`SCREEN_WAIT`]; debug builds only, with `SLATE_TEST_SHORT_BOUNDS=1`: one second, so the
/// tests of a service without a screen do not wait for it.
fn screen_wait() -> std::time::Duration {
    if cfg!(debug_assertions) && std::env::var_os("SLATE_TEST_SHORT_BOUNDS").is_some() {
        return std::time::Duration::from_secs(1);
    }
    SCREEN_WAIT
}

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// When this service started serving (`slatectl status` says its uptime).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Serves connections on `listener` until the task is dropped.
pub async fn serve(listener: UnixListener, service: Service) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, service.clone()));
            }
            Err(e) => {
                tracing::warn!("cannot accept a connection: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

fn encode(message: &ServerMessage) -> Bytes {
    // Serialising our own types cannot fail (no maps with non-string keys, no custom errors).
    Bytes::from(serde_json::to_vec(message).unwrap_or_default())
}

async fn connection(stream: UnixStream, service: Service) {
    let uid = match stream.peer_cred() {
        Ok(cred) => cred.uid(),
        Err(e) => {
            tracing::warn!("cannot tell who connected: {e}");
            return;
        }
    };
    let conn = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed);
    let (mut sink, mut frames) = Framed::new(stream, wire::codec()).split();
    let peer = match Peer::of(uid, &service.admission) {
        Ok(peer) => peer,
        Err(refused) => {
            tracing::warn!(
                uid,
                "refused a connection: not the screen nor an administrator"
            );
            let _ = sink.send(encode(&reply(None, Err(refused)))).await;
            return;
        }
    };
    tracing::debug!(uid, ?peer, "connected");
    // Replies and statuses go out through one writer, in the order they are ready.
    let (tx, mut rx) = mpsc::channel::<ServerMessage>(64);
    let writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            if sink.send(encode(&message)).await.is_err() {
                break;
            }
        }
    });
    let mut forwarder = None;
    while let Some(frame) = frames.next().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                let too_large = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<LengthDelimitedCodecError>())
                    .is_some();
                if too_large {
                    let _ = tx
                        .send(reply(None, Err(Unreadable::TooLarge.to_error())))
                        .await;
                } else {
                    // Cut short (the client went away mid-frame) or unreadable: nothing to do.
                    tracing::debug!(uid, "connection ended mid-message: {e}");
                }
                break;
            }
        };
        let request = match wire::decode(&frame) {
            Ok(request) => request,
            Err((id, why)) => {
                let _ = tx.send(reply(id, Err(why.to_error()))).await;
                continue;
            }
        };
        if let Err(refused) = peer.may(&request.call) {
            let _ = tx.send(reply(Some(request.id), Err(refused))).await;
            continue;
        }
        let id = request.id;
        if matches!(request.call, Call::Subscribe) {
            if forwarder.is_none() {
                forwarder = Some(forward_status(service.session.clone(), tx.clone()));
                if peer.is_screen() {
                    // This is the screen now: its surfaces are wiped through it, and a wipe
                    // that failed while no screen was there can be done.
                    service.link.attach(conn, tx.clone());
                    service.session.retry_wipes_now();
                    tracing::info!(uid, "the kiosk's screen is connected");
                }
            }
            let _ = tx.send(reply(Some(id), Ok(Answer::Done))).await;
            continue;
        }
        if let Call::Wiped { job, outcome } = request.call {
            service.link.answered(job, outcome);
            let _ = tx.send(reply(Some(id), Ok(Answer::Done))).await;
            continue;
        }
        let service = service.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let outcome = match request.call {
                Call::Ctl(call) => ctl(&service, uid, id, call, tx.clone()).await,
                call => dispatch(&service, call).await,
            };
            let _ = tx.send(reply(Some(id), outcome)).await;
        });
    }
    tracing::debug!(uid, "disconnected");
    service.link.detach(conn);
    if peer.is_screen() && forwarder.is_some() {
        screen_gone(&service).await;
    }
    // The writer ends once every reply in flight is written (a refusal before closing too).
    if let Some(forwarder) = forwarder {
        forwarder.abort();
    }
    drop(tx);
    let _ = writer.await;
}

/// Fail closed: a screen is gone (killed, crashed), so nobody may be left with a live session
/// (even if another screen has meanwhile connected). Its own surfaces are wiped through the
/// screen connected now, or when one is back.
async fn screen_gone(service: &Service) {
    tracing::warn!("the kiosk's screen went away");
    if matches!(
        service.session.status().screen,
        Screen::Session { .. } | Screen::AcceptableUse { .. }
    ) {
        tracing::warn!("ending the session: its screen went away");
        let _ = service.session.end(EndReason::Recovered).await;
    }
}

fn reply(id: Option<u64>, outcome: Result<Answer, IpcError>) -> ServerMessage {
    ServerMessage::Reply {
        id,
        outcome: match outcome {
            Ok(answer) => Outcome::Ok(answer),
            Err(e) => Outcome::Error(e),
        },
    }
}

/// Sends the current status, then every new one, until the connection goes.
fn forward_status(
    session: SessionHandle,
    tx: mpsc::Sender<ServerMessage>,
) -> tokio::task::JoinHandle<()> {
    let mut rx = session.subscribe();
    tokio::spawn(async move {
        loop {
            let status = rx.borrow_and_update().clone();
            if tx
                .send(ServerMessage::Status {
                    status: Box::new(status),
                })
                .await
                .is_err()
            {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    })
}

/// The most text one [`ServerMessage::Output`] carries: an eighth of [`wire::MAX_MESSAGE`], as
/// JSON may write a control character as six bytes, and the message has more around it.
const OUTPUT_PIECE: usize = wire::MAX_MESSAGE / 8;

/// How long a command's output waits for a client that does not read it.
const OUTPUT_STALL: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs a `slatectl` command for the administrator `uid` on the open kiosk, as `slatectl` would
/// on the data folder, and sends what it prints to request `id`; then applies what changed to
/// the live session at once. Its answer is the command's exit code.
async fn ctl(
    service: &Service,
    uid: u32,
    id: u64,
    call: CtlCall,
    tx: mpsc::Sender<ServerMessage>,
) -> Result<Answer, IpcError> {
    let command: slatectl::cli::Command = serde_json::from_value(call.command).map_err(|e| {
        IpcError::from(KioskError::InvalidRequest(
            Phrase::new("That is not a slatectl command this service knows: {why}.")
                .text("why", e.to_string()),
        ))
    })?;
    if matches!(
        &command,
        slatectl::cli::Command::Audit(slatectl::cli::AuditCommand::Export {
            output: Some(_),
            ..
        })
    ) {
        // The service writes no file an administrator names: slatectl writes it, as them.
        return Err(IpcError::from(KioskError::InvalidRequest(Phrase::new(
            "The service sends an export back; slatectl writes the file.",
        ))));
    }
    if slatectl::password_for(&command).is_some() && call.password.is_none() {
        // The service has no terminal or input of its own to ask on.
        return Err(IpcError::from(KioskError::InvalidRequest(Phrase::new(
            "That command needs a password: send it with the command.",
        ))));
    }
    let kiosk = Arc::clone(&service.kiosk);
    // Never a secret setting's value in the log.
    tracing::info!(uid, command = %slatectl::loggable(&command), "running a slatectl command");
    let stalled = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cut_short = Arc::clone(&stalled);
    let code = tokio::task::spawn_blocking(move || {
        // Never waits long on a client that stops reading (a pager left open, Ctrl-Z): the
        // command may hold the database, which the sessions need. Past OUTPUT_STALL its output
        // is dropped, the command finishes, and the reply says so.
        let sink = move |stream: Stream, text: &str| {
            for piece in pieces(text) {
                if stalled.load(Ordering::Relaxed) {
                    return;
                }
                let mut message = ServerMessage::Output {
                    id,
                    stream,
                    text: piece.to_owned(),
                };
                let deadline = std::time::Instant::now() + OUTPUT_STALL;
                loop {
                    match tx.try_send(message) {
                        Ok(()) => break,
                        Err(mpsc::error::TrySendError::Full(again))
                            if std::time::Instant::now() < deadline =>
                        {
                            message = again;
                            std::thread::sleep(std::time::Duration::from_millis(5));
                        }
                        Err(_) => {
                            stalled.store(true, Ordering::Relaxed);
                            return;
                        }
                    }
                }
            }
        };
        slatectl::output::capture(sink, || {
            let ctx = slatectl::Ctx {
                kiosk: &kiosk,
                json: call.json,
                actor: Actor::Cli { uid },
                password: call.password,
                service: slatectl::ServiceLink::Running {
                    uptime: STARTED
                        .get()
                        .map(std::time::Instant::elapsed)
                        .unwrap_or_default(),
                },
            };
            slatectl::run_on_kiosk(&ctx, command)
                .map_or_else(slatectl::output::Failure::report_code, |()| 0)
        })
    })
    .await
    .map_err(|_| IpcError::internal("Slate stopped while doing that. Please try again."))?;
    // A setting, an account or an end request: the live session follows it now.
    service.session.refresh();
    if cut_short.load(Ordering::Relaxed) {
        tracing::warn!(
            uid,
            "a slatectl command's output was cut short: nobody read it"
        );
        return Err(IpcError::internal(
            "slatectl stopped reading the command's output, so it was cut short; the command itself ran.",
        ));
    }
    Ok(Answer::Exited(code))
}

/// `text` cut into pieces of at most [`OUTPUT_PIECE`] bytes, on character boundaries.
fn pieces(mut text: &str) -> impl Iterator<Item = &str> {
    std::iter::from_fn(move || {
        if text.is_empty() {
            return None;
        }
        let piece = slate_core::my_files::cut_to_bytes(text, OUTPUT_PIECE);
        text = &text[piece.len()..];
        Some(piece)
    })
}

/// An administrator left kiosk mode (recorded): their session ends and is wiped, then the screen
/// is told to exit, which ends the kiosk's X session.
fn leave_kiosk(service: Service) {
    tokio::spawn(async move {
        if let Err(e) = service.session.end(EndReason::Admin).await {
            tracing::warn!("leaving kiosk mode: the session did not end: {e}");
        }
        service.session.settled().await;
        if service.link.leave_kiosk().await {
            tracing::info!("left kiosk mode: the screen was told to exit");
        } else {
            tracing::warn!("leaving kiosk mode: no screen is connected to exit");
        }
    });
}

/// One call, as the kiosk's IPC command of the same name does it.
async fn dispatch(service: &Service, call: Call) -> Result<Answer, IpcError> {
    let session = &service.session;
    let status = |r: Result<_, slate_core::kiosk::KioskError>| {
        r.map(|s| Answer::Status(Box::new(s)))
            .map_err(IpcError::from)
    };
    match call {
        // Answered in `connection` (a command, by `ctl`).
        Call::Subscribe | Call::Wiped { .. } | Call::Ctl(_) => Ok(Answer::Done),
        Call::AppStatus => Ok(Answer::Status(Box::new(session.status()))),
        Call::CreateFirstAdmin(request) => status(session.create_first_admin(request).await),
        Call::SignIn(request) => status(session.sign_in(request.username, request.password).await),
        Call::SignInGuest => status(session.sign_in_guest().await),
        Call::SignInPass(request) => status(session.sign_in_pass(request.code).await),
        Call::ReportActivity => {
            session.activity();
            Ok(Answer::Done)
        }
        Call::Stay => status(session.stay().await),
        Call::Extend => status(session.extend().await),
        Call::AnswerAcceptableUse { accept, language } => {
            status(session.answer_acceptable_use(accept, language).await)
        }
        Call::SignOut => status(session.sign_out().await),
        Call::DismissSignedOut => status(session.dismiss().await),
        Call::ListFiles => session.files().await.map(Answer::Files).map_err(Into::into),
        Call::DeleteFile { name } => session
            .delete_file(name)
            .await
            .map(Answer::Files)
            .map_err(Into::into),
        Call::SetPreference(request) => {
            status(session.set_preference(request.key, request.value).await)
        }
        Call::Admin(request) => {
            let grant = session.admin().await.map_err(IpcError::from)?;
            let leaving = matches!(request, AdminRequest::LeaveKiosk);
            let kiosk = Arc::clone(&service.kiosk);
            let answer = tokio::task::spawn_blocking(move || {
                slate_core::admin::handle(&kiosk, &grant, request)
            })
            .await
            .map_err(|_| IpcError::internal("Slate stopped while doing that. Please try again."))?;
            // A settings change applies to the live session at once.
            session.refresh();
            if leaving && answer.is_ok() {
                leave_kiosk(service.clone());
            }
            answer
                .map(|a| Answer::Admin(Box::new(a)))
                .map_err(Into::into)
        }
        Call::EndSession => status(session.end(EndReason::Admin).await),
        Call::EndForShutdown => status(session.end(EndReason::Shutdown).await),
        Call::Browsing => session
            .browsing()
            .await
            .map(|b| Answer::Browsing(b.map(Box::new)))
            .map_err(Into::into),
        Call::MediaPlaying => {
            session.media_playing();
            Ok(Answer::Done)
        }
    }
}
