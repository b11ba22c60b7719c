//! The types that cross the IPC boundary between the UI and the core, and their TypeScript twins.
//!
//! Every command's arguments, results and errors, and every event the core announces, is a type
//! here deriving [`ts_rs::TS`]. [`typescript_bindings`] renders them all into one TypeScript file,
//! checked in as `ui/src/bindings.ts`; a test fails when the two differ (run `make bindings` to
//! regenerate after changing a type).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::accounts::Source;
use super::auth::Password;
use super::phrase::{Arg, Phrase};

/// Which screen the kiosk shows. The core decides; the UI draws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Screen {
    /// No administrator exists yet: "Set up this kiosk".
    FirstRun,
    /// The terminal is free: the sign-in screen.
    SignIn {
        /// Whether to offer "Continue as guest".
        guests_allowed: bool,
        /// Whether to offer "Have a guest pass?" (some pass could sign in today).
        passes: bool,
    },
    /// Someone signed in and must accept the acceptable-use page before their session starts.
    AcceptableUse {
        display_name: String,
        account: SessionKind,
        /// The page in each of its languages (the UI shows the person's, else the one for
        /// everyone, else the first).
        texts: Vec<crate::notice::NoticeText>,
        /// The text's version, as the audit records it.
        version: String,
    },
    /// Someone is signed in.
    Session {
        display_name: String,
        account: SessionKind,
        /// Set while the idle warning shows: the modal countdown.
        idle_warning: Option<IdleWarning>,
        /// What is left before the first cutoff (the time limit, the day's time, closing), as
        /// the session bar shows it; `None` without one.
        time_left: Option<TimeLeft>,
        /// Which rule that cutoff is (`time_limit`, `daily_allowance`, `closing_time`).
        ends_for: Option<EndReason>,
        /// While the warning shows and the session's one extension would add time: how many
        /// seconds ("Add 15 more minutes").
        can_extend: Option<u32>,
        /// The bar's line: when the first cutoff signs the person out, and which rule it is.
        signs_out: Option<Phrase>,
        /// The warning before the cutoff most recently passed (seconds before it), if any.
        time_warning_secs: Option<u32>,
        /// The session's display preferences (wiped with the session).
        preferences: Preferences,
        /// The browser of the session, when the administrator allows some sites (never in an
        /// administrator's session).
        browser: Option<BrowserPlan>,
        /// How many times My files has changed in this session (a download finished, a file
        /// deleted), as the kernel tells the service: the UI reads the list again when this
        /// changes, and never polls.
        files_changed: u32,
        /// The last message staff sent to this session from the desk (the UI shows each once).
        staff_message: Option<StaffMessage>,
    },
    /// The session is ending: its end steps are running.
    Ending,
    /// A session just ended: why, shown for `signed_out_screen` seconds or until a key or tap.
    SignedOut {
        reason: EndReason,
        /// The reason in plain words, with the idle timeout or the time limit as a duration
        /// piece, for the UI to say in the person's language.
        why: Phrase,
        /// Whether every surface of the session was wiped and re-checked empty.
        erased: bool,
        /// The administrator's line (may be empty).
        message: String,
    },
    /// A wipe failed, or the audit key cannot be used: nobody can sign in until a retry succeeds
    /// (or the key is back).
    NeedsAttention {
        /// What failed (English).
        message: String,
        /// The same, for the UI to say in the person's language.
        phrase: Phrase,
    },
}

impl Screen {
    /// "Needs attention", saying why.
    pub fn needs_attention(why: Phrase) -> Self {
        Self::NeedsAttention {
            message: why.to_string(),
            phrase: why,
        }
    }
}

/// A message staff sent from the desk to the person at a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaffMessage {
    /// The room's number for it: the UI shows each message once.
    #[ts(type = "number")]
    pub id: i64,
    pub text: String,
    /// The terminal it was sent from.
    pub from: String,
}

/// What the session's browser may open, fixed when the session starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BrowserPlan {
    /// Where it opens, and where Home goes (empty when only host patterns are allowed).
    pub home: String,
    /// The allowed sites, as the administrator wrote them (for "This terminal only opens …").
    pub sites: Vec<String>,
}

/// What the browser shows now: announced by the shell (event `slate://browser`) whenever it
/// changes, for Slate's bar to draw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[allow(clippy::struct_excessive_bools)] // each is one thing the bar shows
pub struct BrowserState {
    /// The address of the page shown (read-only in the bar).
    pub address: String,
    pub title: String,
    pub can_go_back: bool,
    pub can_go_forward: bool,
    /// Set when the last navigation was refused: the address it tried to open.
    pub refused: Option<String>,
    /// The last download, once it has finished or failed.
    pub download: Option<DownloadNotice>,
    /// The last time a page asked to print, and what came of it.
    pub print: Option<PrintNotice>,
    /// Set while a page asks for a file to upload: the person picks one of My files.
    pub upload: bool,
}

/// A file the browser downloaded into My files (or did not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DownloadNotice {
    /// The file's name in My files (or the name it would have had).
    pub name: String,
    pub outcome: DownloadOutcome,
    /// Counts up with every download, so the same name twice is still news.
    pub serial: u32,
}

/// How a download ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DownloadOutcome {
    /// The file is in My files.
    Done,
    /// The transfer failed (the site, the network, or the disk).
    Failed,
    /// Refused: the session's downloads would pass `download_quota` (in megabytes, as set).
    OverQuota {
        #[ts(type = "number")]
        quota_mb: u64,
    },
    /// Refused: the disk would keep less free space than `download_free_space_floor`.
    LowSpace,
}

/// What came of a page's asking to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrintNotice {
    pub outcome: PrintOutcome,
    /// Counts up with every attempt, so the same outcome twice is still news.
    pub serial: u32,
}

/// How a print attempt ended. There is never a dialog: no choice of printer, and no file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrintOutcome {
    /// The `printing` setting is off.
    Off,
    /// Sent to the default CUPS printer.
    Sent,
    /// Not printed (no printer, or the printer refused it).
    Failed,
}

/// What the UI asks of the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BrowserRequest {
    Back,
    Forward,
    Reload,
    Home,
    /// Leaves the refusal page for the page that was shown.
    Dismiss,
    /// Gives the keyboard focus to the page (Tab past the end of Slate's bar).
    Focus,
    /// Where the browsing view goes: `top` CSS pixels below the window's top edge, down to the
    /// bottom; `shown: false` while Slate's own page needs the whole window (a dialog, My files,
    /// the refusal page).
    Layout {
        top: u32,
        shown: bool,
    },
    /// The file of My files to give the page that asked for an upload; `None` cancels.
    Upload {
        name: Option<String>,
    },
}

/// Display preferences chosen during a session.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct Preferences {
    pub text_size: TextSize,
    pub contrast: Contrast,
}

/// The size of the text on Slate's screens (and the zoom of the session's browser).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    #[default]
    Normal,
    Large,
}

/// The contrast of Slate's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Contrast {
    #[default]
    Normal,
    High,
}

/// The words a preference's values are sent and stored as, and back.
pub trait PreferenceValue: Sized + Copy + 'static {
    /// Every value, in order.
    const ALL: &'static [Self];
    /// The value as sent and stored.
    fn as_str(self) -> &'static str;
    /// The value called `name`, if there is one.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == name)
    }
}

impl PreferenceValue for TextSize {
    const ALL: &'static [Self] = &[Self::Normal, Self::Large];
    fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Large => "large",
        }
    }
}

impl PreferenceValue for Contrast {
    const ALL: &'static [Self] = &[Self::Normal, Self::High];
    fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::High => "high",
        }
    }
}

/// One entry of the session's "My files".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionFile {
    pub name: String,
    pub size: u64,
    pub folder: bool,
}

/// Arguments of `set_preference`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PreferenceRequest {
    pub key: String,
    pub value: String,
}

/// What the session bar shows is left before the time limit: whole minutes while more than
/// [`TimeLeft::SECONDS_FROM`] seconds are left, then whole seconds; both rounded up. So the bar
/// (and the service) changes once a minute, not every second, until the last minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "unit", content = "count", rename_all = "snake_case")]
pub enum TimeLeft {
    Minutes(u32),
    Seconds(u32),
}

impl TimeLeft {
    /// From how many seconds before the limit the bar counts seconds.
    pub const SECONDS_FROM: u32 = 120;

    /// The bar's value for `secs` whole seconds left (rounded up already).
    pub fn from_secs(secs: u32) -> Self {
        if secs <= Self::SECONDS_FROM {
            Self::Seconds(secs)
        } else {
            Self::Minutes(secs.div_ceil(60))
        }
    }
}

/// The idle warning's countdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IdleWarning {
    /// Whole seconds until the session ends, rounded up.
    pub seconds_left: u32,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The person signed out.
    User,
    /// Nobody used the terminal for `idle_timeout`.
    Idle,
    /// The session reached `time_limit`.
    TimeLimit,
    /// The person's time for the day ran out (`daily_allowance`, `guest_daily_allowance`).
    DailyAllowance,
    /// The terminal closed (`opening_hours`, `days_of_their_own`).
    ClosingTime,
    /// An administrator ended it (or changed or removed the account).
    Admin,
    /// The kiosk was closed or the machine went to sleep or shut down.
    Shutdown,
    /// The kiosk stopped without ending it (crash, power loss); ended at the next start.
    Recovered,
}

/// Who is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    User,
    Admin,
    Guest,
}

/// What the UI needs to draw the current screen. Result of every command that changes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppStatus {
    /// Slate's version, shown in the corner of the screen.
    pub version: String,
    /// The language to speak: in a session that chose one (its `language` preference), that
    /// one; otherwise the terminal's `language` setting, which screens start in (a person may
    /// switch for their own visit). The shell's notifications speak it too.
    pub language: String,
    /// The screen to show.
    pub screen: Screen,
}

impl AppStatus {
    /// `screen`, in `language`, with this build's version.
    pub fn new(screen: Screen, language: &str) -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            language: language.to_owned(),
            screen,
        }
    }
}

/// Arguments of `create_first_admin`: the first-run form.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetupRequest {
    pub username: String,
    pub display_name: String,
    #[ts(type = "string")]
    pub password: Password,
}

/// Arguments of `sign_in`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SignInRequest {
    pub username: String,
    #[ts(type = "string")]
    pub password: Password,
}

/// Arguments of `sign_in_pass`: a guest-pass code as typed (kept like a password).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PassRequest {
    #[ts(type = "string")]
    pub code: Password,
}

/// What the administrator panel asks for (the `admin` command). Every request is refused unless
/// the live session is an administrator's.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AdminRequest {
    /// Every setting with its value, layer and bounds.
    Settings,
    /// Checks a value without saving it (live validation): the reply's message is the problem,
    /// or empty when it is acceptable.
    CheckSetting {
        key: String,
        value: String,
    },
    /// Saves a value. In a room, `scope` says whom it is for (this terminal when not said).
    SetSetting {
        key: String,
        value: String,
        #[serde(default)]
        #[ts(optional)]
        scope: Option<RoomScope>,
    },
    /// Removes the administrator value, so the default applies. In a room, the value for
    /// `scope` (this terminal's when not said), so the next one applies.
    UnsetSetting {
        key: String,
        #[serde(default)]
        #[ts(optional)]
        scope: Option<RoomScope>,
    },
    Users,
    AddUser {
        username: String,
        display_name: String,
        #[ts(type = "string")]
        password: Password,
        admin: bool,
    },
    SetUserEnabled {
        username: String,
        enabled: bool,
    },
    ResetPassword {
        username: String,
        #[ts(type = "string")]
        password: Password,
    },
    Unlock {
        username: String,
    },
    /// A person's own daily time: a duration ("90m"), `off` or `default`.
    SetDailyTime {
        username: String,
        daily: String,
    },
    RemoveUser {
        username: String,
    },
    /// A page of the audit log, newest first.
    Audit {
        query: AuditQuery,
    },
    VerifyAudit,
    Terminal,
    /// The room's terminals (answered with `room: None` for a terminal in no room).
    Room,
    /// Ends the session at another terminal of the room (the one the desk showed there).
    EndRoomSession {
        terminal: String,
    },
    /// Ends every session a person has open in the room ("log out everywhere").
    EndPersonEverywhere {
        username: String,
    },
    /// Shows the person signed in at another terminal of the room a message.
    SendRoomMessage {
        terminal: String,
        text: String,
    },
    /// Signs a name in at one account source (configured, whether or not `signin_sources` lists
    /// it yet) and says what happened step by step; nothing else changes, no failure is
    /// counted, and the test is audited (the name, never the password).
    TestSource {
        source: Source,
        username: String,
        #[ts(type = "string")]
        password: Password,
    },
    /// Usage statistics over local days (`2026-11-01`; empty: the last 30 days to today).
    Usage {
        since: String,
        until: String,
    },
    /// Makes a batch of one-time guest passes: their codes are in the reply, this once.
    CreateGuestPasses {
        count: u32,
        minutes: u32,
        /// The last day they work (`2026-12-31`, this terminal's time zone).
        valid_until: String,
    },
    /// Every guest pass (never a code).
    GuestPasses,
    /// Revokes an unused pass, or the unused passes of a batch.
    RevokeGuestPasses {
        #[ts(type = "number | null")]
        id: Option<i64>,
        batch: Option<String>,
    },
    /// Leaves kiosk mode for maintenance: audited, then the administrator's session ends and
    /// is wiped, and the screen exits with [`crate::exit::LEFT_KIOSK`], which ends the kiosk's
    /// X session (the display manager shows its login screen). Kiosk mode is back at the next
    /// start of the display manager or the machine.
    LeaveKiosk,
}

/// Filters and paging for the audit list. Empty strings mean "any".
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct AuditQuery {
    pub user: String,
    pub event: String,
    pub reason: String,
    /// A date (`2026-11-21`) or an RFC 3339 time; records from then on.
    pub since: String,
    /// A date or time; records before it.
    pub until: String,
    /// Older than this sequence number (the previous page's `next_before`).
    #[ts(type = "number | null")]
    pub before: Option<i64>,
}

/// Which layer decided a setting's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Nobody set it: the built-in default.
    Default,
    /// An administrator set it (panel or `slatectl config set`).
    Administrator,
    /// The policy file sets it; it is locked.
    Policy,
    /// In a room: the room's value for every terminal.
    Room,
    /// In a room: the value for this terminal's group.
    Group,
    /// In a room: the value for this terminal alone.
    Terminal,
}

impl Layer {
    /// In words, for `slatectl config show` and the panel.
    pub fn text(self) -> &'static str {
        match self {
            Layer::Default => "default",
            Layer::Administrator => "administrator",
            Layer::Policy => "policy",
            Layer::Room => "room",
            Layer::Group => "group",
            Layer::Terminal => "terminal",
        }
    }
}

/// For a terminal in a room: whom a value of a setting is for. The most particular applies
/// (this terminal's, then its group's, then the room's), below the terminal's policy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RoomScope {
    /// This terminal alone.
    Terminal,
    /// Every terminal of this terminal's group.
    Group,
    /// Every terminal of the room.
    Room,
}

impl RoomScope {
    pub const ALL: [RoomScope; 3] = [RoomScope::Terminal, RoomScope::Group, RoomScope::Room];

    /// As the room's database and `slatectl` write it.
    pub fn text(self) -> &'static str {
        match self {
            RoomScope::Terminal => "terminal",
            RoomScope::Group => "group",
            RoomScope::Room => "room",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.text() == text)
    }

    /// The layer a value for this scope is shown as.
    pub fn layer(self) -> Layer {
        match self {
            RoomScope::Terminal => Layer::Terminal,
            RoomScope::Group => Layer::Group,
            RoomScope::Room => Layer::Room,
        }
    }
}

/// For a terminal in a room: what its panel may change a setting for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RoomSettingsAt {
    /// This terminal's name.
    pub terminal: String,
    /// Its group, if it has one.
    pub group: Option<String>,
}

/// How the panel's form lets an administrator enter a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SettingInput {
    /// Yes or no.
    Bool,
    /// One of the setting's `choices`.
    Choice,
    /// Free text, checked when it is saved.
    Text,
    /// Text of several lines and paragraphs (the acceptable-use page).
    LongText,
    /// A secret: written, never shown (the field says only whether it is set).
    Secret,
}

/// One setting as the panel's form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdminSetting {
    pub key: String,
    /// The value in force, canonical (durations in seconds).
    pub value: String,
    /// The value as people write it ("5m" for 300 seconds).
    pub shown: String,
    /// Which layer decided the value (a policy value is locked).
    pub layer: Layer,
    /// The group a value of layer `group` is for.
    pub group: Option<String>,
    pub default: String,
    /// The bounds in words.
    pub bounds: Phrase,
    pub description: String,
    pub input: SettingInput,
    pub choices: Vec<String>,
}

/// One account as the panel's user list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdminUser {
    pub username: String,
    pub display_name: String,
    pub admin: bool,
    pub enabled: bool,
    pub locked: bool,
    /// Consecutive failed sign-ins to this name (0 after a success or an unlock).
    pub failed_sign_ins: u32,
    /// While those failures make the name wait (a back-off, or a cool-down): until when, UTC,
    /// RFC 3339.
    pub paused_until: Option<String>,
    /// UTC, RFC 3339; `None` when never.
    pub last_sign_in: Option<String>,
    pub last_sign_out: Option<String>,
    /// Their own time in a day, where it differs from the terminal's.
    pub daily_time: crate::accounts::DailyTime,
}

/// One audit record as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdminAuditRecord {
    #[ts(type = "number")]
    pub seq: i64,
    /// Local time with its offset, as recorded.
    pub at: String,
    pub event: String,
    pub user: Option<String>,
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
    pub details: String,
}

/// A page of the audit list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdminAuditPage {
    pub records: Vec<AdminAuditRecord>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    #[ts(type = "number | null")]
    pub next_before: Option<i64>,
}

/// The panel's Terminal section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdminTerminal {
    pub version: String,
    pub terminal_name: String,
    pub data_dir: String,
    /// The policy files read, in order, separated by ", " (the main file, then its drop-ins);
    /// `None` without one.
    pub policy_file: Option<String>,
    pub policy_keys: Vec<String>,
    pub policy_problems: Vec<Phrase>,
    /// The last ended session's wipe, in words ("No session has ended yet." before the first).
    pub last_wipe: Phrase,
    /// The newest audit record's sequence number; `None` while the log is empty.
    #[ts(type = "number | null")]
    pub audit_head: Option<i64>,
}

/// One step of a source test: what the source did, and whether it went as a sign-in needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SourceStep {
    /// `false`: this step is why the person would not be signed in.
    pub ok: bool,
    pub said: Phrase,
}

/// How a source test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SourceVerdict {
    /// The person would be signed in.
    Accepted,
    /// Unknown, wrong password, or not in the group (the person would hear only "wrong").
    Refused,
    /// The right password, but barred now (an expired card, fines, an expired account).
    Barred,
    /// The source cannot be used (not set up, unreachable, TLS, the service account).
    Unavailable,
}

/// What [`AdminRequest::TestSource`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SourceTest {
    pub source: Source,
    pub verdict: SourceVerdict,
    pub steps: Vec<SourceStep>,
    /// The outcome in one sentence.
    pub outcome: Phrase,
}

/// How much a terminal was used over a range of local days: the panel's Usage section and
/// `slatectl stats`. Sessions are counted on the day and hour they started, once ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UsageReport {
    /// The first day, `YYYY-MM-DD`.
    pub since: String,
    /// The last day (included).
    pub until: String,
    #[ts(type = "number")]
    pub sessions: u64,
    /// All sessions' lengths added up, in minutes (rounded).
    #[ts(type = "number")]
    pub minutes: u64,
    /// The average session's length, in seconds (rounded).
    #[ts(type = "number")]
    pub average_seconds: u64,
    /// The median session's length in whole minutes.
    #[ts(type = "number")]
    pub median_minutes: u64,
    /// Members (`member`: a person's own account), guests (`guest`) and staff (`staff`:
    /// administrators).
    pub kinds: Vec<UsageCount>,
    /// Every day of the range, in order, with or without sessions.
    pub days: Vec<UsageDay>,
    /// Sessions started in each hour of the week: 7 rows, Monday first, of 24 hours.
    #[ts(type = "Array<Array<number>>")]
    pub week: Vec<Vec<u64>>,
    /// By how they ended ([`EndReason`]'s names), every reason listed.
    pub endings: Vec<UsageCount>,
    /// By where the account came from (`local`, `ldap`, `pam`, `sip2`, and `guest`).
    pub sources: Vec<UsageCount>,
    /// By the patron type or group the source gave (a library card's patron type, a directory
    /// attribute), the most sessions first; the key `""` counts the sessions whose source gave
    /// none (guests, Slate's own accounts, PAM). Only the groups the range has are listed.
    pub groups: Vec<UsageCount>,
}

/// One day of a [`UsageReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UsageDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    #[ts(type = "number")]
    pub sessions: u64,
    #[ts(type = "number")]
    pub minutes: u64,
}

/// Sessions and minutes of one kind (an ending, a source) in a [`UsageReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UsageCount {
    pub key: String,
    #[ts(type = "number")]
    pub sessions: u64,
    #[ts(type = "number")]
    pub minutes: u64,
}

/// The answer to an [`AdminRequest`]: what it asked for, and a sentence saying what was done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AdminReply {
    /// What was done (empty when the request only asked).
    pub message: Phrase,
    pub settings: Option<Vec<AdminSetting>>,
    pub users: Option<Vec<AdminUser>>,
    pub audit: Option<AdminAuditPage>,
    pub terminal: Option<AdminTerminal>,
    pub source_test: Option<SourceTest>,
    pub usage: Option<UsageReport>,
    /// Passes just made, with their codes (shown this once).
    pub issued: Option<Vec<IssuedPass>>,
    pub passes: Option<Vec<GuestPassSummary>>,
    /// The room's terminals (the Terminals section); `None` for a terminal in no room.
    pub room: Option<Vec<DeskTerminal>>,
    /// With the settings, for a terminal in a room: whom its panel may change them for.
    pub room_at: Option<RoomSettingsAt>,
}

/// What a terminal of the room is doing, as the desk view shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeskState {
    /// The sign-in screen (or the signed-out screen before it).
    Ready,
    /// Someone is signed in (or reading the acceptable-use page).
    InUse,
    /// Nobody can sign in until staff act (a wipe failed, the database is damaged…).
    Attention,
    /// No administrator exists yet.
    Setup,
}

/// One terminal of the room, as the desk view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeskTerminal {
    pub name: String,
    pub group: Option<String>,
    /// `None` before the terminal has said anything.
    pub state: Option<DeskState>,
    /// Who is signed in there (their display name).
    pub who: Option<String>,
    pub username: Option<String>,
    pub session_id: Option<String>,
    /// When the session's first cutoff falls (UTC), if it has one.
    pub until: Option<String>,
    /// Why the terminal needs attention.
    pub why: Option<String>,
    /// When the state last changed (UTC).
    pub changed_at: Option<String>,
    /// Whether the terminal is connected to the room now.
    pub online: bool,
    pub revoked: bool,
    /// Whether it is the terminal asking.
    pub here: bool,
}

/// A guest pass just made, with its code as printed (`K7MXA-3RTFW`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IssuedPass {
    #[ts(type = "number")]
    pub id: i64,
    pub code: String,
    pub minutes: u32,
    pub valid_until: String,
}

/// Where a guest pass stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PassState {
    Unused,
    Used,
    /// Its last day is past, unused.
    Expired,
    Revoked,
}

/// A guest pass as staff see it (never its code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GuestPassSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub batch: String,
    pub minutes: u32,
    pub valid_until: String,
    pub created_at: String,
    pub created_by: String,
    pub state: PassState,
    /// When it signed in, if it did.
    pub used_at: Option<String>,
}

/// A stable, machine-readable error code. The UI may branch on it; people read the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The database or data folder could not be read or written.
    Storage,
    /// A field is not acceptable (the message says which and why).
    InvalidInput,
    /// Wrong username or password (never says which).
    BadCredentials,
    /// Too many failed attempts; wait `retry_after_secs`.
    Throttled,
    /// A directory the sign-in needs did not answer; staff should look.
    SourceUnavailable,
    /// The account is locked until an administrator unlocks it.
    Locked,
    /// The account is disabled.
    Disabled,
    /// Guest sign-in is off.
    GuestsNotAllowed,
    /// Not now: the terminal is closed, or the person's time for today is used up (the message
    /// says until when).
    NotNow,
    /// First-run setup was already done.
    AlreadySetUp,
    /// No such user (administrator tools only).
    NotFound,
    /// That name is taken.
    Conflict,
    /// Refused to protect the kiosk (e.g. removing the last administrator).
    Refused,
    /// Someone is already signed in, or nobody is.
    SessionState,
    /// A wipe failed, or the audit key cannot be used; the terminal cannot be used until then.
    NeedsAttention,
    /// Something Slate did not expect; the message says what.
    Internal,
}

/// How every failed command reaches the UI: a stable code plus one sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    /// The sentence in English (for logs and the CLI).
    pub message: String,
    /// The same sentence with its pieces, for the UI to say in the person's language.
    pub phrase: Phrase,
    /// For `throttled`: whole seconds until the next attempt will be considered.
    pub retry_after_secs: Option<u32>,
}

impl IpcError {
    /// An `internal` error with a sentence.
    pub fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            code: ErrorCode::Internal,
            phrase: Phrase::plain(message.clone()),
            message,
            retry_after_secs: None,
        }
    }
}

/// The TypeScript declarations of every IPC type, as checked in at `ui/src/bindings.ts`.
pub fn typescript_bindings() -> String {
    use std::fmt::Write as _;
    let cfg = ts_rs::Config::default();
    let decls = [
        Screen::decl(&cfg),
        crate::notice::NoticeText::decl(&cfg),
        crate::notice::NoticeBlock::decl(&cfg),
        crate::notice::BlockKind::decl(&cfg),
        crate::notice::NoticeSpan::decl(&cfg),
        IdleWarning::decl(&cfg),
        StaffMessage::decl(&cfg),
        IssuedPass::decl(&cfg),
        PassState::decl(&cfg),
        GuestPassSummary::decl(&cfg),
        DeskState::decl(&cfg),
        DeskTerminal::decl(&cfg),
        RoomScope::decl(&cfg),
        RoomSettingsAt::decl(&cfg),
        TimeLeft::decl(&cfg),
        Preferences::decl(&cfg),
        TextSize::decl(&cfg),
        Contrast::decl(&cfg),
        SessionFile::decl(&cfg),
        PreferenceRequest::decl(&cfg),
        EndReason::decl(&cfg),
        SessionKind::decl(&cfg),
        AppStatus::decl(&cfg),
        SetupRequest::decl(&cfg),
        SignInRequest::decl(&cfg),
        PassRequest::decl(&cfg),
        AdminRequest::decl(&cfg),
        AuditQuery::decl(&cfg),
        Layer::decl(&cfg),
        SettingInput::decl(&cfg),
        AdminSetting::decl(&cfg),
        AdminUser::decl(&cfg),
        AdminAuditRecord::decl(&cfg),
        AdminAuditPage::decl(&cfg),
        AdminTerminal::decl(&cfg),
        Source::decl(&cfg),
        crate::accounts::DailyTime::decl(&cfg),
        SourceStep::decl(&cfg),
        SourceVerdict::decl(&cfg),
        SourceTest::decl(&cfg),
        UsageReport::decl(&cfg),
        UsageDay::decl(&cfg),
        UsageCount::decl(&cfg),
        AdminReply::decl(&cfg),
        ErrorCode::decl(&cfg),
        IpcError::decl(&cfg),
        BrowserPlan::decl(&cfg),
        BrowserState::decl(&cfg),
        DownloadNotice::decl(&cfg),
        DownloadOutcome::decl(&cfg),
        PrintNotice::decl(&cfg),
        PrintOutcome::decl(&cfg),
        BrowserRequest::decl(&cfg),
        Phrase::decl(&cfg),
        Arg::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types in crates/slate-core/src/api.rs and the names in\n\
         // crates/slate-core/src/ipc_names.rs by `make bindings`.\n\
         // Do not edit: a test fails when this file and the Rust types differ.\n",
    );
    for decl in decls {
        out.push_str("\nexport ");
        out.push_str(&decl);
        out.push('\n');
    }
    let quoted = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        out,
        "\n/** Every command the UI may call (ipc_names.rs). */\n\
         export const COMMANDS = [{}] as const;\n\
         \nexport type Command = (typeof COMMANDS)[number];\n\
         \n/** Every new `AppStatus`. */\nexport const STATUS_EVENT = {:?};\n\
         \n/** Every new state of the session's browser. */\nexport const BROWSER_EVENT = {:?};\n",
        quoted(crate::ipc_names::COMMANDS),
        crate::ipc_names::STATUS_EVENT,
        crate::ipc_names::BROWSER_EVENT,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn checked_in_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.ts")
    }

    /// Fails when `ui/src/bindings.ts` is not what the Rust types generate.
    /// `SLATE_BLESS=1 cargo test -p slate bindings` rewrites it.
    #[test]
    fn checked_in_typescript_bindings_match_the_rust_types() {
        let generated = typescript_bindings();
        let path = checked_in_path();
        if std::env::var_os("SLATE_BLESS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "ui/src/bindings.ts is out of date with the Rust IPC types; run `make bindings`"
        );
    }

    #[test]
    fn errors_serialise_as_code_and_sentence() {
        let e = IpcError {
            code: ErrorCode::Storage,
            message: "The database failed.".into(),
            phrase: Phrase::plain("The database failed."),
            retry_after_secs: None,
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":"storage","message":"The database failed.","phrase":{"text":"The database failed.","args":{}},"retry_after_secs":null}"#
        );
    }
}
