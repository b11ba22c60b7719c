// Generated from the Rust types in crates/slate-core/src/api.rs and the names in
// crates/slate-core/src/ipc_names.rs by `make bindings`.
// Do not edit: a test fails when this file and the Rust types differ.

export type Screen = { "kind": "first_run" } | { "kind": "sign_in", 
/**
 * Whether to offer "Continue as guest".
 */
guests_allowed: boolean, 
/**
 * Whether to offer "Have a guest pass?" (some pass could sign in today).
 */
passes: boolean, } | { "kind": "acceptable_use", display_name: string, account: SessionKind, 
/**
 * The page in each of its languages (the UI shows the person's, else the one for
 * everyone, else the first).
 */
texts: Array<NoticeText>, 
/**
 * The text's version, as the audit records it.
 */
version: string, } | { "kind": "session", display_name: string, account: SessionKind, 
/**
 * Set while the idle warning shows: the modal countdown.
 */
idle_warning: IdleWarning | null, 
/**
 * What is left before the first cutoff (the time limit, the day's time, closing), as
 * the session bar shows it; `None` without one.
 */
time_left: TimeLeft | null, 
/**
 * Which rule that cutoff is (`time_limit`, `daily_allowance`, `closing_time`).
 */
ends_for: EndReason | null, 
/**
 * While the warning shows and the session's one extension would add time: how many
 * seconds ("Add 15 more minutes").
 */
can_extend: number | null, 
/**
 * The bar's line: when the first cutoff signs the person out, and which rule it is.
 */
signs_out: Phrase | null, 
/**
 * The warning before the cutoff most recently passed (seconds before it), if any.
 */
time_warning_secs: number | null, 
/**
 * The session's display preferences (wiped with the session).
 */
preferences: Preferences, 
/**
 * The browser of the session, when the administrator allows some sites (never in an
 * administrator's session).
 */
browser: BrowserPlan | null, 
/**
 * How many times My files has changed in this session (a download finished, a file
 * deleted), as the kernel tells the service: the UI reads the list again when this
 * changes, and never polls.
 */
files_changed: number, 
/**
 * The last message staff sent to this session from the desk (the UI shows each once).
 */
staff_message: StaffMessage | null, } | { "kind": "ending" } | { "kind": "signed_out", reason: EndReason, 
/**
 * The reason in plain words, with the idle timeout or the time limit as a duration
 * piece, for the UI to say in the person's language.
 */
why: Phrase, 
/**
 * Whether every surface of the session was wiped and re-checked empty.
 */
erased: boolean, 
/**
 * The administrator's line (may be empty).
 */
message: string, } | { "kind": "needs_attention", 
/**
 * What failed (English).
 */
message: string, 
/**
 * The same, for the UI to say in the person's language.
 */
phrase: Phrase, };

export type NoticeText = { 
/**
 * The language it is written in; `None`: the text for everyone without one of their own.
 */
language: string | null, blocks: Array<NoticeBlock>, };

export type NoticeBlock = { kind: BlockKind, spans: Array<NoticeSpan>, };

export type BlockKind = "heading" | "paragraph" | "item";

export type NoticeSpan = { text: string, strong: boolean, emphasis: boolean, };

export type IdleWarning = { 
/**
 * Whole seconds until the session ends, rounded up.
 */
seconds_left: number, };

export type StaffMessage = { 
/**
 * The room's number for it: the UI shows each message once.
 */
id: number, text: string, 
/**
 * The terminal it was sent from.
 */
from: string, };

export type IssuedPass = { id: number, code: string, minutes: number, valid_until: string, };

export type PassState = "unused" | "used" | "expired" | "revoked";

export type GuestPassSummary = { id: number, batch: string, minutes: number, valid_until: string, created_at: string, created_by: string, state: PassState, 
/**
 * When it signed in, if it did.
 */
used_at: string | null, };

export type DeskState = "ready" | "in_use" | "attention" | "setup";

export type DeskTerminal = { name: string, group: string | null, 
/**
 * `None` before the terminal has said anything.
 */
state: DeskState | null, 
/**
 * Who is signed in there (their display name).
 */
who: string | null, username: string | null, session_id: string | null, 
/**
 * When the session's first cutoff falls (UTC), if it has one.
 */
until: string | null, 
/**
 * Why the terminal needs attention.
 */
why: string | null, 
/**
 * When the state last changed (UTC).
 */
changed_at: string | null, 
/**
 * Whether the terminal is connected to the room now.
 */
online: boolean, revoked: boolean, 
/**
 * Whether it is the terminal asking.
 */
here: boolean, };

export type RoomScope = "terminal" | "group" | "room";

export type RoomSettingsAt = { 
/**
 * This terminal's name.
 */
terminal: string, 
/**
 * Its group, if it has one.
 */
group: string | null, };

export type TimeLeft = { "unit": "minutes", "count": number } | { "unit": "seconds", "count": number };

export type Preferences = { text_size: TextSize, contrast: Contrast, };

export type TextSize = "normal" | "large";

export type Contrast = "normal" | "high";

export type SessionFile = { name: string, size: bigint, folder: boolean, };

export type PreferenceRequest = { key: string, value: string, };

export type EndReason = "user" | "idle" | "time_limit" | "daily_allowance" | "closing_time" | "admin" | "shutdown" | "recovered";

export type SessionKind = "user" | "admin" | "guest";

export type AppStatus = { 
/**
 * Slate's version, shown in the corner of the screen.
 */
version: string, 
/**
 * The language to speak: in a session that chose one (its `language` preference), that
 * one; otherwise the terminal's `language` setting, which screens start in (a person may
 * switch for their own visit). The shell's notifications speak it too.
 */
language: string, 
/**
 * The screen to show.
 */
screen: Screen, };

export type SetupRequest = { username: string, displayName: string, password: string, };

export type SignInRequest = { username: string, password: string, };

export type PassRequest = { code: string, };

export type AdminRequest = { "action": "settings" } | { "action": "check_setting", key: string, value: string, } | { "action": "set_setting", key: string, value: string, scope?: RoomScope, } | { "action": "unset_setting", key: string, scope?: RoomScope, } | { "action": "users" } | { "action": "add_user", username: string, display_name: string, password: string, admin: boolean, } | { "action": "set_user_enabled", username: string, enabled: boolean, } | { "action": "reset_password", username: string, password: string, } | { "action": "unlock", username: string, } | { "action": "set_daily_time", username: string, daily: string, } | { "action": "remove_user", username: string, } | { "action": "audit", query: AuditQuery, } | { "action": "verify_audit" } | { "action": "terminal" } | { "action": "room" } | { "action": "end_room_session", terminal: string, } | { "action": "end_person_everywhere", username: string, } | { "action": "send_room_message", terminal: string, text: string, } | { "action": "test_source", source: Source, username: string, password: string, } | { "action": "usage", since: string, until: string, } | { "action": "create_guest_passes", count: number, minutes: number, 
/**
 * The last day they work (`2026-12-31`, this terminal's time zone).
 */
valid_until: string, } | { "action": "guest_passes" } | { "action": "revoke_guest_passes", id: number | null, batch: string | null, } | { "action": "leave_kiosk" };

export type AuditQuery = { user: string, event: string, reason: string, 
/**
 * A date (`2026-11-21`) or an RFC 3339 time; records from then on.
 */
since: string, 
/**
 * A date or time; records before it.
 */
until: string, 
/**
 * Older than this sequence number (the previous page's `next_before`).
 */
before: number | null, };

export type Layer = "default" | "administrator" | "policy" | "room" | "group" | "terminal";

export type SettingInput = "bool" | "choice" | "text" | "long_text" | "secret";

export type AdminSetting = { key: string, 
/**
 * The value in force, canonical (durations in seconds).
 */
value: string, 
/**
 * The value as people write it ("5m" for 300 seconds).
 */
shown: string, 
/**
 * Which layer decided the value (a policy value is locked).
 */
layer: Layer, 
/**
 * The group a value of layer `group` is for.
 */
group: string | null, default: string, 
/**
 * The bounds in words.
 */
bounds: Phrase, description: string, input: SettingInput, choices: Array<string>, };

export type AdminUser = { username: string, display_name: string, admin: boolean, enabled: boolean, locked: boolean, 
/**
 * Consecutive failed sign-ins to this name (0 after a success or an unlock).
 */
failed_sign_ins: number, 
/**
 * While those failures make the name wait (a back-off, or a cool-down): until when, UTC,
 * RFC 3339.
 */
paused_until: string | null, 
/**
 * UTC, RFC 3339; `None` when never.
 */
last_sign_in: string | null, last_sign_out: string | null, 
/**
 * Their own time in a day, where it differs from the terminal's.
 */
daily_time: DailyTime, };

export type AdminAuditRecord = { seq: number, 
/**
 * Local time with its offset, as recorded.
 */
at: string, event: string, user: string | null, duration_ms: number | null, details: string, };

export type AdminAuditPage = { records: Array<AdminAuditRecord>, 
/**
 * Pass as `before` for the next (older) page; `None` on the last page.
 */
next_before: number | null, };

export type AdminTerminal = { version: string, terminal_name: string, data_dir: string, 
/**
 * The policy files read, in order, separated by ", " (the main file, then its drop-ins);
 * `None` without one.
 */
policy_file: string | null, policy_keys: Array<string>, policy_problems: Array<Phrase>, 
/**
 * The last ended session's wipe, in words ("No session has ended yet." before the first).
 */
last_wipe: Phrase, 
/**
 * The newest audit record's sequence number; `None` while the log is empty.
 */
audit_head: number | null, };

export type Source = "local" | "ldap" | "sip2" | "pam";

export type DailyTime = { "kind": "as_set" } | { "kind": "unlimited" } | { "kind": "limit", secs: number, };

export type SourceStep = { 
/**
 * `false`: this step is why the person would not be signed in.
 */
ok: boolean, said: Phrase, };

export type SourceVerdict = "accepted" | "refused" | "barred" | "unavailable";

export type SourceTest = { source: Source, verdict: SourceVerdict, steps: Array<SourceStep>, 
/**
 * The outcome in one sentence.
 */
outcome: Phrase, };

export type UsageReport = { 
/**
 * The first day, `YYYY-MM-DD`.
 */
since: string, 
/**
 * The last day (included).
 */
until: string, sessions: number, 
/**
 * All sessions' lengths added up, in minutes (rounded).
 */
minutes: number, 
/**
 * The average session's length, in seconds (rounded).
 */
average_seconds: number, 
/**
 * The median session's length in whole minutes.
 */
median_minutes: number, 
/**
 * Members (`member`: a person's own account), guests (`guest`) and staff (`staff`:
 * administrators).
 */
kinds: Array<UsageCount>, 
/**
 * Every day of the range, in order, with or without sessions.
 */
days: Array<UsageDay>, 
/**
 * Sessions started in each hour of the week: 7 rows, Monday first, of 24 hours.
 */
week: Array<Array<number>>, 
/**
 * By how they ended ([`EndReason`]'s names), every reason listed.
 */
endings: Array<UsageCount>, 
/**
 * By where the account came from (`local`, `ldap`, `pam`, `sip2`, and `guest`).
 */
sources: Array<UsageCount>, 
/**
 * By the patron type or group the source gave (a library card's patron type, a directory
 * attribute), the most sessions first; the key `""` counts the sessions whose source gave
 * none (guests, Slate's own accounts, PAM). Only the groups the range has are listed.
 */
groups: Array<UsageCount>, };

export type UsageDay = { 
/**
 * `YYYY-MM-DD`.
 */
date: string, sessions: number, minutes: number, };

export type UsageCount = { key: string, sessions: number, minutes: number, };

export type AdminReply = { 
/**
 * What was done (empty when the request only asked).
 */
message: Phrase, settings: Array<AdminSetting> | null, users: Array<AdminUser> | null, audit: AdminAuditPage | null, terminal: AdminTerminal | null, source_test: SourceTest | null, usage: UsageReport | null, 
/**
 * Passes just made, with their codes (shown this once).
 */
issued: Array<IssuedPass> | null, passes: Array<GuestPassSummary> | null, 
/**
 * The room's terminals (the Terminals section); `None` for a terminal in no room.
 */
room: Array<DeskTerminal> | null, 
/**
 * With the settings, for a terminal in a room: whom its panel may change them for.
 */
room_at: RoomSettingsAt | null, };

export type ErrorCode = "storage" | "invalid_input" | "bad_credentials" | "throttled" | "source_unavailable" | "locked" | "disabled" | "guests_not_allowed" | "not_now" | "already_set_up" | "not_found" | "conflict" | "refused" | "session_state" | "needs_attention" | "internal";

export type IpcError = { code: ErrorCode, 
/**
 * The sentence in English (for logs and the CLI).
 */
message: string, 
/**
 * The same sentence with its pieces, for the UI to say in the person's language.
 */
phrase: Phrase, 
/**
 * For `throttled`: whole seconds until the next attempt will be considered.
 */
retry_after_secs: number | null, };

export type BrowserPlan = { 
/**
 * Where it opens, and where Home goes (empty when only host patterns are allowed).
 */
home: string, 
/**
 * The allowed sites, as the administrator wrote them (for "This terminal only opens …").
 */
sites: Array<string>, };

export type BrowserState = { 
/**
 * The address of the page shown (read-only in the bar).
 */
address: string, title: string, can_go_back: boolean, can_go_forward: boolean, 
/**
 * Set when the last navigation was refused: the address it tried to open.
 */
refused: string | null, 
/**
 * The last download, once it has finished or failed.
 */
download: DownloadNotice | null, 
/**
 * The last time a page asked to print, and what came of it.
 */
print: PrintNotice | null, 
/**
 * Set while a page asks for a file to upload: the person picks one of My files.
 */
upload: boolean, };

export type DownloadNotice = { 
/**
 * The file's name in My files (or the name it would have had).
 */
name: string, outcome: DownloadOutcome, 
/**
 * Counts up with every download, so the same name twice is still news.
 */
serial: number, };

export type DownloadOutcome = { "kind": "done" } | { "kind": "failed" } | { "kind": "over_quota", quota_mb: number, } | { "kind": "low_space" };

export type PrintNotice = { outcome: PrintOutcome, 
/**
 * Counts up with every attempt, so the same outcome twice is still news.
 */
serial: number, };

export type PrintOutcome = "off" | "sent" | "failed";

export type BrowserRequest = { "action": "back" } | { "action": "forward" } | { "action": "reload" } | { "action": "home" } | { "action": "dismiss" } | { "action": "focus" } | { "action": "layout", top: number, shown: boolean, } | { "action": "upload", name: string | null, };

export type Phrase = { 
/**
 * The English template, e.g. "There is no user called {user}." (empty: no sentence).
 */
text: string, 
/**
 * The pieces by name.
 */
args: { [key in string]: Arg }, };

export type Arg = { "type": "text", "value": string } | { "type": "setting", "value": string } | { "type": "number", "value": number } | { "type": "seconds", "value": number } | { "type": "time", "value": string } | { "type": "clock", "value": string } | { "type": "weekday", "value": string } | { "type": "phrase", "value": Phrase };

/** Every command the UI may call (ipc_names.rs). */
export const COMMANDS = ["app_status", "create_first_admin", "sign_in", "sign_in_guest", "sign_in_pass", "report_activity", "stay", "extend_session", "answer_acceptable_use", "sign_out", "dismiss_signed_out", "list_files", "delete_file", "set_preference", "admin", "browser"] as const;

export type Command = (typeof COMMANDS)[number];

/** Every new `AppStatus`. */
export const STATUS_EVENT = "slate://status";

/** Every new state of the session's browser. */
export const BROWSER_EVENT = "slate://browser";
