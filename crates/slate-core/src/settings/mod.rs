//! Settings: every key with its type, default, bounds, strictest value (where a broken policy
//! holds it) and one-line description, kept in one place ([`SETTINGS`]) from which validation,
//! `slatectl config` help and the administrator panel's form all come. Durations are accepted in human form everywhere ("90", "90s", "10 min", "1 hour 30 minutes", "1.5h": the duration module reads them).
//!
//! The three layers that decide each value (built-in default < administrator value < policy
//! file, [`crate::policy`]; a key the policy sets is locked) and the typed [`Settings`] are in
//! `typed`; the administrator's values are kept by the store (`store/settings.rs`); the site
//! rules are in [`crate::sites`].

pub mod cross;
mod typed;

use crate::duration::{self, DurationProblem};
use crate::phrase::{self, Phrase};
use crate::sites::canonical_site;
use crate::store_error::StoreError;

pub use crate::sites::{browser_home, site_allowed};
pub(crate) use typed::{check_change, effective};
pub use typed::{
    Effective, Layer, LdapSettings, OnePerPerson, PamSettings, PolicyLayer, SecretText, Settings,
    Sip2Settings, Stored,
};

/// The kind of value a setting holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `true` or `false`.
    Bool,
    /// A whole number of seconds, between the bounds.
    Seconds { min: u64, max: u64 },
    /// A whole number, between the bounds.
    Count { min: u64, max: u64 },
    /// 0 (off), or a whole number of seconds between the bounds.
    SecondsOrOff { min: u64, max: u64 },
    /// Comma-separated seconds, each between the bounds (stored largest first).
    SecondsList { min: u64, max: u64 },
    /// 0 (off), or a whole number between the bounds.
    CountOrOff { min: u64, max: u64 },
    /// A size in whole megabytes (10⁶ bytes), between the bounds: "500", "500 MB" or "2 GB".
    Megabytes { min: u64, max: u64 },
    /// Free text of at most this many characters, no control characters.
    Text { max_chars: usize },
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// Sites a session may browse: origins (`https://catalogue.example.org`; https when no scheme
    /// is written) or host patterns (`*.gov.example`), separated by commas or new lines; empty
    /// for none (see `crate::sites`).
    Sites,
    /// Empty, or an `http`/`https` address (within `allowed_sites`).
    Address,
    /// A secret (a directory's service password): written, never shown back. Its value appears
    /// nowhere outside the service, only whether it is set ([`public_value`]).
    Secret { max_chars: usize },
    /// The account sources to try, in order, separated by commas: each of
    /// [`crate::accounts::Source`] at most once, at least one.
    Sources,
    /// Empty, or the address of a server (host and port only) with one of these schemes,
    /// secure one first (`ldaps`, `ldap`; `sips`, `sip`).
    Url { schemes: &'static [&'static str] },
    /// Off (0), or an amount of money with at most two decimals ("5", "5.00"): kept in cents.
    MoneyOrOff,
    /// Empty, or text of at most this many characters with `{name}` in it, where the name typed
    /// at sign-in goes (escaped for LDAP).
    NameTemplate { max_chars: usize },
    /// A week of opening hours (`mon-fri 09:00-20:00, sat 10:00-16:00`), empty for always open
    /// (see [`crate::hours`]).
    OpeningHours,
    /// Days with hours of their own (`2026-12-25, 2026-12-24 09:00-13:00`), a date alone closed.
    DaysOfTheirOwn,
    /// The acceptable-use page: plain text or Markdown, a line `[es]` before each translation
    /// (see [`crate::notice`]); empty for none.
    Notice,
    /// A time of day, `HH:MM`.
    TimeOfDay,
}

/// The languages the UI ships.
pub const LANGUAGES: &[&str] = &["en", "es", "fr"];

/// One setting's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingDef {
    pub key: &'static str,
    /// What the panel calls it (in English; the UI's catalogues translate it).
    pub label: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    /// The value the key is held at, still locked, while the policy files try to set it and
    /// cannot be used (a broken value, a rule between keys broken, a file that cannot be read):
    /// the policy fails closed at it, never at the administrator's value or the default. Canonical.
    /// Each entry says why next to it; `docs/administering.md` has the same table.
    pub strictest: &'static str,
    pub description: &'static str,
}

/// Every setting Slate knows.
pub const SETTINGS: &[SettingDef] = &[
    SettingDef {
        key: "idle_timeout",
        label: "Idle timeout",
        kind: Kind::Seconds { min: 30, max: 86_400 },
        default: "300",
        // Strictest: the shortest the bounds allow: a session left alone ends soonest.
        strictest: "30",
        description: "How long a session may go without activity before it ends.",
    },
    SettingDef {
        key: "idle_warning",
        label: "Idle warning",
        kind: Kind::Seconds { min: 20, max: 86_399 },
        default: "60",
        // Strictest: the shortest allowed, which is below every allowed idle_timeout, so it agrees
        // with whatever the timeout is (30 s when that is held too).
        strictest: "20",
        description: "How long before an idle ending the warning appears; less than the idle timeout.",
    },
    SettingDef {
        key: "time_limit",
        label: "Time limit",
        kind: Kind::SecondsOrOff { min: 60, max: 86_400 },
        default: "0",
        // Strictest: one hour, a common library booking slot. Off would let a session run on
        // forever; the shortest bound (1 minute) would make the terminal useless until someone
        // fixes the file, and would push staff to remove the policy altogether rather than fix it.
        strictest: "3600",
        description: "The longest a session may last, or off; activity does not extend it.",
    },
    SettingDef {
        key: "time_limit_warnings",
        label: "Time limit warnings",
        kind: Kind::SecondsList { min: 10, max: 86_400 },
        default: "300,60",
        // Strictest: the default: warnings never lengthen a session, and people should still be
        // told before the held limit ends theirs.
        strictest: "300,60",
        description: "When to warn before the time limit, comma-separated.",
    },
    SettingDef {
        key: "daily_allowance",
        label: "Daily time for members",
        kind: Kind::SecondsOrOff { min: 60, max: 86_400 },
        default: "0",
        // Strictest: off: a broken file never keeps people out for their day's time by mistake
        // (the session's own time limit still holds).
        strictest: "0",
        description: "How long a person with an account may use this terminal in a day, all sessions together, or off.",
    },
    SettingDef {
        key: "guest_daily_allowance",
        label: "Time for each guest",
        kind: Kind::SecondsOrOff { min: 60, max: 86_400 },
        default: "0",
        // Strictest: off, as for members.
        strictest: "0",
        description: "How long one guest session may last within a day, or off. (A guest has no name to count days by: each guest session has its own allowance.)",
    },
    SettingDef {
        key: "guest_time_from_first_input",
        label: "A guest's time starts at their first input",
        kind: Kind::Bool,
        default: "false",
        // Strictest: no: the time runs from the start, as for everyone else.
        strictest: "false",
        description: "For a guest session started for someone who sits down later: its time limit and its time start at the first key, tap or pointer movement. The idle timeout and closing time count from the start all the same.",
    },
    SettingDef {
        key: "day_turns_at",
        label: "The day turns at",
        kind: Kind::TimeOfDay,
        default: "00:00",
        // Strictest: the default: midnight.
        strictest: "00:00",
        description: "When a new day begins for the daily time, in this terminal's time zone.",
    },
    SettingDef {
        key: "opening_hours",
        label: "Opening hours",
        kind: Kind::OpeningHours,
        default: "",
        // Strictest: always open: a broken file never closes the library's terminals by
        // mistake (the other limits still hold).
        strictest: "",
        description: "When people may use this terminal, such as mon-fri 09:00-20:00, sat 10:00-16:00 (days not named are closed; empty: always open). Sessions end at closing; administrators may still sign in.",
    },
    SettingDef {
        key: "days_of_their_own",
        label: "Holidays and special hours",
        kind: Kind::DaysOfTheirOwn,
        default: "",
        // Strictest: none, as for the opening hours.
        strictest: "",
        description: "Dates that do not follow the week, such as 2026-12-25 (closed) or 2026-12-24 09:00-13:00 (early closing).",
    },
    SettingDef {
        key: "acceptable_use",
        label: "Acceptable-use page",
        kind: Kind::Notice,
        default: "",
        // Strictest: none: a broken file never keeps everyone out (the page is the library's
        // rules, not a lock; the other limits still hold).
        strictest: "",
        description: "A text each person must accept before their session starts (not administrators), as plain text or Markdown; a line such as [es] starts its Spanish text. Declining returns to the sign-in screen. Empty: no page.",
    },
    SettingDef {
        key: "extension",
        label: "One extension per session",
        kind: Kind::SecondsOrOff { min: 60, max: 7200 },
        default: "0",
        // Strictest: off: a broken file never lengthens sessions nobody chose to.
        strictest: "0",
        description: "How long a person may add, once a session, from the warning before it ends, or off. Never past closing time or their time for the day, unless the next setting allows it.",
    },
    SettingDef {
        key: "extension_past_limits",
        label: "Extension may go past closing and the day's time",
        kind: Kind::Bool,
        default: "false",
        // Strictest: no: closing and the day's time hold.
        strictest: "false",
        description: "Whether the extension may carry a session past closing time and the person's time for the day.",
    },
    SettingDef {
        key: "closing_warnings",
        label: "Warnings before closing",
        kind: Kind::SecondsList { min: 10, max: 86_400 },
        default: "900,300,60",
        // Strictest: the default: people are told before closing ends their session.
        strictest: "900,300,60",
        description: "When to warn before closing time ends a session, comma-separated.",
    },
    SettingDef {
        key: "signed_out_screen",
        label: "Signed-out screen",
        kind: Kind::Seconds { min: 0, max: 120 },
        default: "10",
        // Strictest: the default: how long the screen shows has no bearing on what is locked, and
        // people should still see that their session ended and was wiped.
        strictest: "10",
        description: "How long the signed-out screen shows before the sign-in screen.",
    },
    SettingDef {
        key: "signed_out_message",
        label: "Signed-out message",
        kind: Kind::Text { max_chars: 200 },
        default: "Thank you for using this terminal.",
        // Strictest: the default: never a text nobody checked.
        strictest: "Thank you for using this terminal.",
        description: "A line of your own on the signed-out screen (empty for none).",
    },
    SettingDef {
        key: "audit_retention_days",
        label: "Audit retention (days)",
        kind: Kind::CountOrOff { min: 1, max: 36_500 },
        default: "365",
        // Strictest: off, keep forever: a broken file never deletes evidence.
        strictest: "0",
        description: "Days the audit log keeps its records, or off to keep them forever (pruning keeps the chain verifiable).",
    },
    SettingDef {
        key: "usage_session_days",
        label: "Days each session keeps its row",
        kind: Kind::CountOrOff { min: 1, max: 36_500 },
        default: "0",
        // Strictest: off, rows kept as long as the audit's records: a broken file never
        // deletes a row sooner than the administrator asked.
        strictest: "0",
        description: "Days each ended session keeps its own row, with the person's name, for the session list and the usage statistics; older sessions remain only as anonymous hourly counts. Off: as long as the audit log keeps its records.",
    },
    SettingDef {
        key: "audit_forward_url",
        label: "Audit collector (syslog over TLS)",
        kind: Kind::Url { schemes: &["tls"] },
        default: "",
        // Strictest: none: a broken file never sends the audit somewhere nobody checked.
        strictest: "",
        description: "A syslog collector that gets each audit record as it is written (RFC 5424 over TLS, RFC 5425): tls://host[:port], port 6514 if none (empty: none).",
    },
    SettingDef {
        key: "audit_forward_ca_file",
        label: "Audit collector's CA file",
        kind: Kind::Text { max_chars: 4096 },
        default: "",
        // Strictest: the system's certificate authorities.
        strictest: "",
        description: "A PEM file of the certificate authority that signed the collector's certificate (empty: the system's).",
    },
    SettingDef {
        key: "audit_journal",
        label: "Audit in the system journal",
        kind: Kind::Bool,
        default: "true",
        // Strictest: on: the record is kept in a second place.
        strictest: "true",
        description: "Whether each audit record also goes to the system journal as it is written, with its fields (journalctl -t slate SLATE_EVENT=…).",
    },
    SettingDef {
        key: "guests_allowed",
        label: "Guests allowed",
        kind: Kind::Bool,
        default: "false",
        // Strictest: nobody signs in without an account.
        strictest: "false",
        description: "Whether the sign-in screen offers \"Continue as guest\".",
    },
    SettingDef {
        key: "signin_backoff_cap",
        label: "Longest wait between failed sign-ins",
        kind: Kind::Seconds { min: 1, max: 3600 },
        default: "900",
        // Strictest: the longest the bounds allow: guessing passwords is slowest.
        strictest: "3600",
        description: "The longest wait between failed sign-ins to one name (the wait doubles from 1 s).",
    },
    SettingDef {
        key: "signin_lock_after",
        label: "Failed sign-ins before a cool-down",
        kind: Kind::Count { min: 3, max: 50 },
        default: "10",
        // Strictest: the fewest the bounds allow: a name cools down soonest.
        strictest: "3",
        description: "Consecutive failed sign-ins to one name after which it cools down: 15 minutes, then 1 hour, then 4 hours (an administrator's right password still works after the wait between attempts).",
    },
    SettingDef {
        key: "signin_terminal_limit",
        label: "Failed sign-ins before the terminal waits",
        kind: Kind::Count { min: 5, max: 1000 },
        default: "30",
        // Strictest: the fewest the bounds allow: spraying one password over many names is
        // slowest.
        strictest: "5",
        description: "Failed sign-ins at this terminal, whatever the names, after which every sign-in waits (see signin_terminal_window).",
    },
    SettingDef {
        key: "signin_terminal_window",
        label: "Window for the terminal's failed sign-ins",
        kind: Kind::Seconds { min: 60, max: 86_400 },
        default: "600",
        // Strictest: the longest the bounds allow: the failures count for longest.
        strictest: "86400",
        description: "How long a failed sign-in counts towards signin_terminal_limit.",
    },
    SettingDef {
        key: "signin_sources",
        label: "Sign-in sources",
        kind: Kind::Sources,
        default: "local",
        // Strictest: Slate's own accounts only: a broken file never lets a directory decide who
        // signs in.
        strictest: "local",
        description: "Where sign-in looks for accounts, in order: local (Slate's own), ldap (a directory), pam (this machine's accounts), sip2 (the library's catalogue system: card number and PIN).",
    },
    SettingDef {
        key: "source_timeout",
        label: "Sign-in source timeout",
        kind: Kind::Seconds { min: 1, max: 60 },
        default: "5",
        // Strictest: the default: a slower directory reads as unavailable, and Slate's own
        // accounts keep working.
        strictest: "5",
        description: "How long sign-in waits for a directory before saying it is not available.",
    },
    SettingDef {
        key: "ldap_url",
        label: "Directory address (LDAP)",
        kind: Kind::Url {
            schemes: &["ldaps", "ldap"],
        },
        default: "",
        // Strictest: none: no directory is asked.
        strictest: "",
        description: "The directory's address: ldaps://host[:port], or ldap://host[:port] (always upgraded with StartTLS).",
    },
    SettingDef {
        key: "ldap_ca_file",
        label: "Directory CA file",
        kind: Kind::Text { max_chars: 4096 },
        default: "",
        // Strictest: the system's certificate authorities.
        strictest: "",
        description: "A PEM file of the certificate authority that signed the directory's certificate (empty: the system's).",
    },
    SettingDef {
        key: "ldap_bind_dn",
        label: "Directory service account (DN)",
        kind: Kind::Text { max_chars: 1024 },
        default: "",
        // Strictest: none (direct bind by ldap_user_dn).
        strictest: "",
        description: "The service account that searches for people (empty: bind directly as ldap_user_dn).",
    },
    SettingDef {
        key: "ldap_bind_password",
        label: "Directory service account's password",
        kind: Kind::Secret { max_chars: 1024 },
        default: "",
        // Strictest: none.
        strictest: "",
        description: "The service account's password (never shown once set).",
    },
    SettingDef {
        key: "ldap_base_dn",
        label: "Directory search base (DN)",
        kind: Kind::Text { max_chars: 1024 },
        default: "",
        // Strictest: none.
        strictest: "",
        description: "Where the service account searches for people, e.g. ou=people,dc=example,dc=org.",
    },
    SettingDef {
        key: "ldap_user_filter",
        label: "Directory search filter",
        kind: Kind::NameTemplate { max_chars: 1024 },
        default: "(uid={name})",
        // Strictest: the default.
        strictest: "(uid={name})",
        description: "The search for a person by the name typed, e.g. (uid={name}), or (sAMAccountName={name}) for Active Directory.",
    },
    SettingDef {
        key: "ldap_user_dn",
        label: "Directory DN of a person (direct bind)",
        kind: Kind::NameTemplate { max_chars: 1024 },
        default: "",
        // Strictest: none.
        strictest: "",
        description: "Without a service account: the person's DN, e.g. uid={name},ou=people,dc=example,dc=org, or {name}@example.org for Active Directory.",
    },
    SettingDef {
        key: "ldap_allow_group",
        label: "Directory group who may sign in",
        kind: Kind::Text { max_chars: 1024 },
        default: "",
        // Strictest: none; with ldap_url at its strictest (empty) no directory is asked at all.
        strictest: "",
        description: "The DN of the group whose members may sign in (empty: everyone the directory finds).",
    },
    SettingDef {
        key: "ldap_admin_group",
        label: "Directory group of administrators",
        kind: Kind::Text { max_chars: 1024 },
        default: "",
        // Strictest: none: nobody from the directory is an administrator.
        strictest: "",
        description: "The DN of the group whose members are administrators of Slate (empty: none).",
    },
    SettingDef {
        key: "ldap_group_attribute",
        label: "Directory attribute for usage groups",
        kind: Kind::Text { max_chars: 64 },
        default: "",
        // Strictest: none: the statistics group nobody by an attribute nobody chose.
        strictest: "",
        description: "An attribute of each person's entry (employeeType, departmentNumber) whose value groups their sessions in the usage statistics (empty: none). It decides nothing.",
    },
    SettingDef {
        key: "pam_service",
        label: "PAM service",
        kind: Kind::Text { max_chars: 64 },
        default: "slate",
        // Strictest: the default: the service file the package installs.
        strictest: "slate",
        description: "The PAM service the machine's accounts are checked with (/etc/pam.d/slate, which the package installs).",
    },
    SettingDef {
        key: "pam_group",
        label: "Machine accounts' group who may sign in",
        kind: Kind::Text { max_chars: 64 },
        default: "slate-users",
        // Strictest: the default: only its members, and nobody while the group does not exist.
        strictest: "slate-users",
        description: "The local group whose members may sign in with their account on this machine.",
    },
    SettingDef {
        key: "pam_admin_group",
        label: "Machine accounts' group of administrators",
        kind: Kind::Text { max_chars: 64 },
        default: "",
        // Strictest: none: nobody from the machine's accounts is an administrator of Slate.
        strictest: "",
        description: "The local group whose members are administrators of Slate (empty: none).",
    },
    SettingDef {
        key: "sip2_url",
        label: "Catalogue system address (SIP2)",
        kind: Kind::Url {
            schemes: &["sips", "sip"],
        },
        default: "",
        // Strictest: none: no catalogue system is asked.
        strictest: "",
        description: "The library's catalogue system (SIP2): sips://host:port over TLS, or sip://host:port.",
    },
    SettingDef {
        key: "sip2_ca_file",
        label: "Catalogue system CA file",
        kind: Kind::Text { max_chars: 4096 },
        default: "",
        // Strictest: the system's certificate authorities.
        strictest: "",
        description: "A PEM file of the certificate authority that signed the catalogue system's certificate (empty: the system's).",
    },
    SettingDef {
        key: "sip2_login",
        label: "This terminal's SIP2 login",
        kind: Kind::Text { max_chars: 256 },
        default: "",
        // Strictest: none.
        strictest: "",
        description: "This terminal's SIP2 login at the catalogue system (CN).",
    },
    SettingDef {
        key: "sip2_password",
        label: "This terminal's SIP2 password",
        kind: Kind::Secret { max_chars: 256 },
        default: "",
        // Strictest: none.
        strictest: "",
        description: "This terminal's SIP2 password (never shown once set).",
    },
    SettingDef {
        key: "sip2_location",
        label: "SIP2 location code",
        kind: Kind::Text { max_chars: 256 },
        default: "",
        // Strictest: none.
        strictest: "",
        description: "The location code sent at login (CP), if the catalogue system wants one.",
    },
    SettingDef {
        key: "sip2_institution",
        label: "SIP2 institution id",
        kind: Kind::Text { max_chars: 256 },
        default: "",
        // Strictest: none.
        strictest: "",
        description: "The institution id sent with each patron (AO).",
    },
    SettingDef {
        key: "sip2_fine_limit",
        label: "Fine limit for library cards",
        kind: Kind::MoneyOrOff,
        default: "0",
        // Strictest: off: a broken file never keeps people out for their fines by mistake.
        strictest: "0",
        description: "Fines above which a library card may not sign in, e.g. 5.00 (off: any fines).",
    },
    SettingDef {
        key: "admin_idle_timeout",
        label: "Administrator idle timeout",
        kind: Kind::Seconds { min: 30, max: 3600 },
        default: "120",
        // Strictest: the shortest the bounds allow: an administrator's session is the last one to
        // leave open.
        strictest: "30",
        description: "How long an administrator's session may go without activity before it ends.",
    },
    SettingDef {
        key: "guests_when_room_away",
        label: "Guests while the room's database is away",
        kind: Kind::Bool,
        default: "true",
        // Strictest: no: without the room nobody's use of the terminal reaches the desk.
        strictest: "false",
        description: "In a room of terminals: whether guests (Continue as guest, guest passes) may start a session while the room's database cannot be reached. Accounts cannot sign in then either way.",
    },
    SettingDef {
        key: "one_terminal_per_person",
        label: "One terminal at a time per person",
        kind: Kind::Choice(&["off", "refuse", "end_other"]),
        default: "off",
        // Strictest: refuse: nobody is signed in twice, and nobody's session is ended by
        // someone who knows their password.
        strictest: "refuse",
        description: "In a room of terminals, whether a person may be signed in at one terminal at a time: off (at several at once), refuse (a second sign-in is refused, saying where they are), or end_other (a second sign-in ends the session at the first terminal).",
    },
    SettingDef {
        key: "terminal_name",
        label: "Terminal name",
        kind: Kind::Text { max_chars: 64 },
        default: "",
        // Strictest: the default (the host name): the audit still names the machine, never with a
        // name nobody checked.
        strictest: "",
        description: "This terminal's name in the audit log and on screen (empty: the machine's host name).",
    },
    SettingDef {
        key: "language",
        label: "Language",
        kind: Kind::Choice(LANGUAGES),
        default: "en",
        // Strictest: the default: every screen says something people can switch from.
        strictest: "en",
        description: "The language the sign-in screen starts in (en, es or fr); people can switch.",
    },
    SettingDef {
        key: "allowed_sites",
        label: "Allowed sites",
        kind: Kind::Sites,
        default: "",
        // Strictest: no sites, so no browser: which sites a room may open cannot be guessed.
        strictest: "",
        description: "Sites a session may browse and load anything from: origins (https unless http:// is written) or host patterns like *.gov.example, comma-separated (empty: no browser).",
    },
    SettingDef {
        key: "home_page",
        label: "Home page",
        kind: Kind::Address,
        default: "",
        // Strictest: empty (the first allowed site): always within allowed_sites, whatever that is.
        strictest: "",
        description: "The address the browser opens at, within allowed_sites (empty: the first allowed site).",
    },
    SettingDef {
        key: "download_quota",
        label: "Download quota",
        kind: Kind::Megabytes { min: 1, max: 100_000 },
        default: "500",
        // Strictest: 100 MB, a fifth of the default: less than any room meant to allow, and still
        // enough for the forms and documents people download at a public terminal.
        strictest: "100",
        description: "How much one session may download into My files in all (deleted files count too).",
    },
    SettingDef {
        key: "download_free_space_floor",
        label: "Free space kept on the disk",
        kind: Kind::Megabytes { min: 100, max: 1_000_000 },
        default: "1000",
        // Strictest: 5 GB, five times the default: the disk also holds the database and the audit
        // log, and a larger floor only refuses large downloads sooner.
        strictest: "5000",
        description: "How much free space downloads must leave on the disk that holds Slate's data; below it they are refused.",
    },
    SettingDef {
        key: "printing",
        label: "Printing",
        kind: Kind::Bool,
        default: "false",
        // Strictest: off: a page cannot print, so no print dialog and no way to a file.
        strictest: "false",
        description: "Whether pages of the session's browser may print, straight to the default CUPS printer (no dialog, never to a file).",
    },
    SettingDef {
        key: "media_counts_as_use",
        label: "Media playing counts as use",
        kind: Kind::Bool,
        default: "true",
        // Strictest: false: only a person's own input keeps a session from its idle ending.
        strictest: "false",
        description: "Whether audio, or video in view, playing in the session's browser counts as use: the idle timeout waits while it plays (the time limit never does).",
    },
];

/// Why a setting cannot be changed. One sentence each ([`SettingError::phrase`]).
#[derive(Debug)]
pub enum SettingError {
    Unknown(String),
    NotBool {
        key: String,
        value: String,
    },
    OutOfBounds {
        key: String,
        value: String,
        bounds: Phrase,
    },
    /// A duration setting given something that is not a duration.
    BadDuration {
        key: String,
        value: String,
        problem: DurationProblem,
    },
    BadText {
        key: String,
        max_chars: usize,
    },
    NotAChoice {
        key: String,
        value: String,
        choices: String,
    },
    /// A value refused for a reason of its own (a site, opening hours), said in `why`.
    Invalid {
        key: String,
        why: Phrase,
    },
    WarningNotBeforeTimeout {
        warning: u64,
        timeout: u64,
    },
    HomeNotAllowed(String),
    SetByPolicy {
        key: String,
        file: String,
    },
    /// In a room: a value for this terminal's group, at a terminal in no group.
    NoGroup,
    /// In a room: a value to remove that is not there (removed meanwhile).
    NoSuchValue,
    Store(StoreError),
}

impl SettingError {
    /// The sentence, with its pieces.
    pub fn phrase(&self) -> Phrase {
        match self {
            Self::Unknown(key) => Phrase::new(
                "There is no setting called {key}; `slatectl config show` lists them all.",
            )
            .text("key", format!("{key:?}")),
            Self::NotBool { key, value } => {
                Phrase::new("{key} must be true or false, not {value}.")
                    .setting("key", key)
                    .text("value", format!("{value:?}"))
            }
            Self::OutOfBounds { key, value, bounds } => {
                Phrase::new("{key} must be {bounds}, not {value}.")
                    .setting("key", key)
                    .phrase("bounds", bounds.clone())
                    .text("value", format!("{value:?}"))
            }
            Self::BadDuration {
                key,
                value,
                problem,
            } => Phrase::new("{key}: {why}")
                .setting("key", key)
                .phrase("why", phrase::duration_problem(*problem, value)),
            Self::BadText { key, max_chars } => {
                Phrase::new("{key} can have at most {count} characters and no line breaks.")
                    .setting("key", key)
                    .number("count", *max_chars as u64)
            }
            Self::NotAChoice {
                key,
                value,
                choices,
            } => Phrase::new("{key} must be one of {choices}, not {value}.")
                .setting("key", key)
                .text("choices", choices)
                .text("value", format!("{value:?}")),
            Self::Invalid { key, why } => Phrase::new("{key}: {why}")
                .setting("key", key)
                .phrase("why", why.clone()),
            Self::WarningNotBeforeTimeout { warning, timeout } => {
                Phrase::new("idle_warning ({warning}) must be less than idle_timeout ({timeout}).")
                    .seconds("warning", *warning)
                    .seconds("timeout", *timeout)
            }
            Self::HomeNotAllowed(home) => {
                Phrase::new("home_page {home} is not within allowed_sites.").text("home", home)
            }
            Self::SetByPolicy { key, file } => {
                Phrase::new("{key} is set by the policy file {file}; change it there.")
                    .setting("key", key)
                    .text("file", file)
            }
            Self::NoGroup => Phrase::new(
                "This terminal is in no group: save the value for this terminal or for the whole room.",
            ),
            Self::NoSuchValue => {
                Phrase::new("That value is not there any more; the list shows what is in force.")
            }
            Self::Store(e) => Phrase::plain(e.to_string()),
        }
    }
}

impl std::fmt::Display for SettingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.phrase().fmt(f)
    }
}

impl std::error::Error for SettingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for SettingError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// The definition of `key`.
pub fn definition(key: &str) -> Option<&'static SettingDef> {
    SETTINGS.iter().find(|d| d.key == key)
}

/// What the panel calls each setting, as TypeScript (`ui/src/setting-labels.ts`, checked in and
/// kept equal by a test; `make bindings` writes it).
pub fn typescript_labels() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "// Generated from SETTINGS in crates/slate-core/src/settings/mod.rs by `make bindings`.\n\
         // Do not edit: a test fails when this file and the settings differ.\n\n\
         /** What the panel calls each setting, in English (the catalogues translate it). */\n\
         export const SETTING_LABELS: Readonly<Record<string, string>> = {\n",
    );
    for def in SETTINGS {
        let _ = writeln!(out, "  {}: {:?},", def.key, def.label);
    }
    out.push_str("};\n");
    out
}

/// Debug builds only: with `SLATE_TEST_SHORT_BOUNDS=1`, the session timings accept seconds instead
/// of minutes so end-to-end tests can watch an idle ending. Release builds do not contain this.
#[cfg(debug_assertions)]
pub fn kind_of(def: &SettingDef) -> Kind {
    if std::env::var_os("SLATE_TEST_SHORT_BOUNDS").is_some() {
        match (def.key, def.kind) {
            ("idle_timeout" | "admin_idle_timeout", Kind::Seconds { max, .. }) => {
                return Kind::Seconds { min: 2, max }
            }
            ("idle_warning", Kind::Seconds { max, .. }) => return Kind::Seconds { min: 1, max },
            ("time_limit", Kind::SecondsOrOff { max, .. }) => {
                return Kind::SecondsOrOff { min: 2, max }
            }
            ("time_limit_warnings", Kind::SecondsList { max, .. }) => {
                return Kind::SecondsList { min: 1, max }
            }
            _ => {}
        }
    }
    def.kind
}

/// The kind of `def` (its bounds).
#[cfg(not(debug_assertions))]
pub fn kind_of(def: &SettingDef) -> Kind {
    def.kind
}

/// A value of `key` as people write it (what the panel's field holds, and `validate` accepts
/// back): durations in h/m/s ("off" for 0 where 0 means off), lists with a space after each
/// comma, anything else as it is.
pub fn human_value(key: &str, value: &str) -> String {
    match definition(key).map(|d| d.kind) {
        Some(Kind::Seconds { .. } | Kind::SecondsOrOff { .. }) if value != "0" => {
            duration::compact(value.parse().unwrap_or(0))
        }
        Some(Kind::SecondsList { .. }) => value
            .split(',')
            .filter_map(|v| v.parse().ok())
            .map(duration::compact)
            .collect::<Vec<_>>()
            .join(", "),
        Some(Kind::SecondsOrOff { .. } | Kind::CountOrOff { .. }) if value == "0" => "off".into(),
        Some(Kind::Megabytes { .. }) => format!("{value} MB"),
        Some(Kind::Sites) => value.replace(',', ", "),
        Some(Kind::MoneyOrOff) => match value.parse::<u64>() {
            Ok(0) | Err(_) => "off".to_owned(),
            Ok(c) => format!("{}.{:02}", c / 100, c % 100),
        },
        _ => value.to_owned(),
    }
}

/// The bounds of a kind in words, for messages, help and the panel's form.
pub fn bounds_text(kind: Kind) -> String {
    bounds_phrase(kind).to_string()
}

/// The bounds of a kind as a phrase, for the panel to say in its language.
pub fn bounds_phrase(kind: Kind) -> Phrase {
    let range = |p: Phrase, min: u64, max: u64, secs: bool| {
        if secs {
            p.seconds("min", min).seconds("max", max)
        } else {
            p.number("min", min).number("max", max)
        }
    };
    match kind {
        Kind::Bool => Phrase::new("true or false"),
        Kind::Seconds { min, max } => range(
            Phrase::new("a duration from {min} to {max}"),
            min,
            max,
            true,
        ),
        Kind::Count { min, max } => range(
            Phrase::new("a whole number from {min} to {max}"),
            min,
            max,
            false,
        ),
        Kind::SecondsOrOff { min, max } => range(
            Phrase::new("0 (off) or a duration from {min} to {max}"),
            min,
            max,
            true,
        ),
        Kind::CountOrOff { min, max } => range(
            Phrase::new("0 (off) or a whole number from {min} to {max}"),
            min,
            max,
            false,
        ),
        Kind::SecondsList { min, max } => range(
            Phrase::new("durations from {min} to {max}, separated by commas"),
            min,
            max,
            true,
        ),
        Kind::Megabytes { min, max } => range(
            Phrase::new("a size from {min} to {max} megabytes (MB, or GB)"),
            min,
            max,
            false,
        ),
        Kind::Text { max_chars } => {
            Phrase::new("text of at most {count} characters").number("count", max_chars as u64)
        }
        Kind::Choice(choices) => {
            Phrase::new("one of {choices}").text("choices", choices.join(", "))
        }
        Kind::Sites => Phrase::new("origins or host patterns, separated by commas"),
        Kind::Address => Phrase::new("empty, or an http:// or https:// address"),
        Kind::Secret { max_chars } => {
            Phrase::new("a secret of at most {count} characters").number("count", max_chars as u64)
        }
        Kind::Sources => Phrase::new("{sources}, in order, separated by commas").text(
            "sources",
            crate::accounts::Source::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Kind::Url { schemes } => Phrase::new("empty, or an address starting with {schemes}").text(
            "schemes",
            schemes
                .iter()
                .map(|s| format!("{s}://"))
                .collect::<Vec<_>>()
                .join(" or "),
        ),
        Kind::MoneyOrOff => Phrase::new("off, or an amount such as 5.00"),
        Kind::OpeningHours => Phrase::new(
            "days and hours such as mon-fri 09:00-20:00, sat 10:00-16:00, or empty for always open",
        ),
        Kind::DaysOfTheirOwn => {
            Phrase::new("dates such as 2026-12-25, each alone (closed) or with its hours")
        }
        Kind::TimeOfDay => Phrase::new("a time of day such as 00:00"),
        Kind::Notice => Phrase::new(
            "plain text or Markdown of at most {count} characters, a line such as [es] before each translation",
        )
        .number("count", crate::notice::MAX_CHARS as u64),
        Kind::NameTemplate { max_chars } => {
            Phrase::new("empty, or text of at most {count} characters with {placeholder} in it")
                .number("count", max_chars as u64)
                .text("placeholder", "{name}")
        }
    }
}

/// An amount of money as people and SIP2 write it ("12", "12.5", "12.50") in cents; `None` for
/// anything else (a sign included).
pub fn money_cents(amount: &str) -> Option<u64> {
    let t = amount.trim();
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: u64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u64>().ok()? * 10,
        _ => fraction.get(..2)?.parse().ok()?,
    };
    whole.checked_mul(100)?.checked_add(fraction)
}

/// A value as it may be shown or recorded outside the service: a secret only says whether it
/// is set; everything else as it is.
pub fn public_value(key: &str, value: &str) -> String {
    match definition(key).map(|d| d.kind) {
        Some(Kind::Secret { .. }) if value.is_empty() => "(not set)".to_owned(),
        Some(Kind::Secret { .. }) => "(set)".to_owned(),
        _ => value.to_owned(),
    }
}

/// A size as people write it, in whole megabytes: "500", "500 MB", "500M", "2 GB", "1.5 GB"
/// (1 GB = 1000 MB, as disks are sold). `None` for anything else, or a fraction of a megabyte.
fn megabytes(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: u64 = match unit.trim() {
        "" | "m" | "mb" => 1,
        "g" | "gb" => 1000,
        _ => return None,
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u64>().ok()?;
    let total = whole
        .parse::<u64>()
        .ok()?
        .checked_mul(1000)?
        .checked_add(thousandths)?
        .checked_mul(scale)?;
    (total % 1000 == 0).then_some(total / 1000)
}

/// Checks `value` for `def` and returns its canonical text.
#[allow(clippy::too_many_lines)] // one arm per kind, each short
pub fn validate(def: &SettingDef, value: &str) -> Result<String, SettingError> {
    let v = value.trim();
    let kind = kind_of(def);
    let bad = || SettingError::OutOfBounds {
        key: def.key.into(),
        value: value.into(),
        bounds: bounds_phrase(kind),
    };
    let not_duration = |problem| SettingError::BadDuration {
        key: def.key.into(),
        value: value.into(),
        problem,
    };
    let off = |v: &str| matches!(v.to_ascii_lowercase().as_str(), "0" | "off" | "none");
    match kind {
        Kind::Bool => match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok("true".into()),
            "false" | "no" | "off" | "0" => Ok("false".into()),
            _ => Err(SettingError::NotBool {
                key: def.key.into(),
                value: value.into(),
            }),
        },
        Kind::Seconds { min, max } => match duration::parse(v) {
            Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            Ok(_) => Err(bad()),
            Err(problem) => Err(not_duration(problem)),
        },
        Kind::Count { min, max } => match v.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            _ => Err(bad()),
        },
        Kind::SecondsOrOff { min, max } => match duration::parse(v) {
            _ if off(v) => Ok("0".into()),
            Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            Ok(_) => Err(bad()),
            Err(problem) => Err(not_duration(problem)),
        },
        Kind::CountOrOff { min, max } => match v.parse::<u64>() {
            _ if off(v) => Ok("0".into()),
            Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            _ => Err(bad()),
        },
        Kind::Megabytes { min, max } => match megabytes(v) {
            Some(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            _ => Err(bad()),
        },
        Kind::SecondsList { min, max } => {
            let mut list = Vec::new();
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match duration::parse(part) {
                    Ok(n) if (min..=max).contains(&n) => list.push(n),
                    Ok(_) => return Err(bad()),
                    Err(problem) => return Err(not_duration(problem)),
                }
            }
            list.sort_unstable_by(|a, b| b.cmp(a));
            list.dedup();
            Ok(list
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(","))
        }
        Kind::Text { max_chars } => {
            if v.chars().count() > max_chars || v.chars().any(char::is_control) {
                Err(SettingError::BadText {
                    key: def.key.into(),
                    max_chars,
                })
            } else {
                Ok(v.to_owned())
            }
        }
        Kind::Choice(choices) => {
            let lower = v.to_ascii_lowercase();
            choices
                .iter()
                .find(|c| **c == lower)
                .map(|c| (*c).to_owned())
                .ok_or_else(|| SettingError::NotAChoice {
                    key: def.key.into(),
                    value: value.into(),
                    choices: choices.join(", "),
                })
        }
        Kind::Sites => {
            let mut out: Vec<String> = Vec::new();
            for entry in v
                .split([',', '\n'])
                .map(str::trim)
                .filter(|e| !e.is_empty())
            {
                let site = canonical_site(entry).map_err(|why| SettingError::Invalid {
                    key: def.key.into(),
                    why,
                })?;
                if !out.contains(&site) {
                    out.push(site);
                }
            }
            if out.len() > 100 {
                return Err(SettingError::Invalid {
                    key: def.key.into(),
                    why: Phrase::new("at most {count} sites.").number("count", 100),
                });
            }
            Ok(out.join(","))
        }
        Kind::Secret { max_chars } => {
            // Kept as typed (spaces are part of a password); never echoed in a message.
            if value.chars().count() > max_chars || value.chars().any(char::is_control) {
                Err(SettingError::BadText {
                    key: def.key.into(),
                    max_chars,
                })
            } else {
                Ok(value.to_owned())
            }
        }
        Kind::Sources => {
            let mut list: Vec<crate::accounts::Source> = Vec::new();
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match crate::accounts::Source::from_name(&part.to_ascii_lowercase()) {
                    Some(source) if !list.contains(&source) => list.push(source),
                    _ => return Err(bad()),
                }
            }
            if list.is_empty() {
                return Err(bad());
            }
            Ok(list
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(","))
        }
        Kind::MoneyOrOff => {
            if off(v) {
                return Ok("0".into());
            }
            match money_cents(v) {
                Some(c) if v.split('.').nth(1).is_none_or(|f| f.len() <= 2) => Ok(c.to_string()),
                _ => Err(bad()),
            }
        }
        Kind::Url { schemes } => {
            if v.is_empty() {
                return Ok(String::new());
            }
            match url::Url::parse(v) {
                Ok(u)
                    if schemes.contains(&u.scheme())
                        && u.host_str().is_some_and(|h| !h.is_empty())
                        && matches!(u.path(), "" | "/")
                        && u.query().is_none()
                        && u.username().is_empty()
                        && u.password().is_none() =>
                {
                    Ok(u.as_str().trim_end_matches('/').to_owned())
                }
                _ => Err(bad()),
            }
        }
        Kind::OpeningHours | Kind::DaysOfTheirOwn => {
            let (week, days) = if kind == Kind::OpeningHours {
                (v, "")
            } else {
                ("", v)
            };
            crate::hours::Hours::parse(week, days).map_err(|why| SettingError::Invalid {
                key: def.key.into(),
                why,
            })?;
            // One line, however it was typed (the panel's box takes one entry a line).
            Ok(v.split([',', ';', '\n'])
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .collect::<Vec<_>>()
                .join(", "))
        }
        Kind::Notice => {
            crate::notice::Notice::parse(v).map_err(|why| SettingError::Invalid {
                key: def.key.into(),
                why,
            })?;
            Ok(v.trim().replace("\r\n", "\n"))
        }
        Kind::TimeOfDay => crate::hours::parse_time_of_day(v)
            .map(|m| format!("{:02}:{:02}", m / 60, m % 60))
            .map_err(|why| SettingError::Invalid {
                key: def.key.into(),
                why,
            }),
        Kind::NameTemplate { max_chars } => {
            if v.chars().count() > max_chars || v.chars().any(char::is_control) {
                return Err(SettingError::BadText {
                    key: def.key.into(),
                    max_chars,
                });
            }
            if v.is_empty() || v.contains("{name}") {
                Ok(v.to_owned())
            } else {
                Err(bad())
            }
        }
        Kind::Address => {
            if v.is_empty() {
                return Ok(String::new());
            }
            match url::Url::parse(v) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                    Ok(u.to_string())
                }
                _ => Err(bad()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::store::Store;

    /// Fails when `ui/src/setting-labels.ts` is not what the settings generate.
    /// `SLATE_BLESS=1 cargo test -p slate-core --lib bindings` rewrites it.
    #[test]
    fn checked_in_setting_label_bindings_match_the_settings() {
        let generated = typescript_labels();
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/setting-labels.ts");
        if std::env::var_os("SLATE_BLESS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "ui/src/setting-labels.ts is out of date with the settings; run `make bindings`"
        );
    }

    #[test]
    fn every_setting_has_a_label_of_its_own() {
        let mut seen = std::collections::HashSet::new();
        for def in SETTINGS {
            assert!(!def.label.is_empty(), "{}", def.key);
            assert!(
                seen.insert(def.label),
                "two settings called {:?}",
                def.label
            );
        }
    }
    use chrono::Utc;

    fn store() -> (Store, tempfile::TempDir) {
        let tmp = tempfile::tempdir().unwrap();
        (Store::open(&tmp.path().join("slate.db")).unwrap(), tmp)
    }

    fn no_policy() -> PolicyLayer {
        PolicyLayer::default()
    }

    fn set(s: &Store, key: &str, value: &str) -> Result<(String, String), SettingError> {
        s.set_setting(key, Some(value), Utc::now(), &no_policy())
    }

    #[test]
    fn defaults_agree_with_the_definitions() {
        let (s, _t) = store();
        assert_eq!(s.settings(&no_policy()).unwrap(), Settings::default());
        for def in SETTINGS {
            assert_eq!(
                validate(def, def.default).unwrap(),
                def.default,
                "{}",
                def.key
            );
            assert!(!def.description.is_empty());
        }
        let d = Settings::default();
        assert_eq!(d.idle_timeout, Duration::from_secs(300));
        assert_eq!(d.admin_idle_timeout, Duration::from_secs(120));
        assert_eq!(d.language, "en");
        assert!(d.allowed_sites.is_empty());
    }

    #[test]
    fn each_strictest_value_is_valid_and_agrees_with_every_rule() {
        for def in SETTINGS {
            assert_eq!(
                validate(def, def.strictest).unwrap(),
                def.strictest,
                "{}: canonical and within its bounds",
                def.key
            );
        }
        let strictest = |k: &str| definition(k).unwrap().strictest;
        assert_eq!(strictest("guests_allowed"), "false");
        assert_eq!(strictest("allowed_sites"), "", "no browser");
        assert_eq!(strictest("printing"), "false", "no printing");
        assert_eq!(
            strictest("media_counts_as_use"),
            "false",
            "only input is use"
        );
        assert_eq!(strictest("audit_retention_days"), "0", "keep forever");
        // The key that gives way in a rule, held at its strictest, agrees with any allowed value
        // of the other key: so holding it never breaks the rule again.
        for rule in cross::CrossRule::ALL {
            let [yielding, other] = rule.keys();
            let others: Vec<String> = match definition(other).unwrap().kind {
                Kind::Seconds { min, max } => vec![min.to_string(), max.to_string()],
                _ => vec![
                    String::new(),
                    "https://catalogue.example.org".into(),
                    "*.gov.example".into(),
                ],
            };
            for value in others {
                let got = rule.check(|k| {
                    Some(if k == yielding {
                        strictest(k).to_owned()
                    } else {
                        value.clone()
                    })
                });
                assert!(got.is_ok(), "{yielding} with {other} = {value}");
            }
        }
        // The strictest idle settings are consistent: the warning comes before the timeout.
        let held = Settings::from_values(|k| strictest(k).to_owned());
        assert_eq!(held.idle_timeout, Duration::from_secs(30));
        assert_eq!(held.idle_warning, Duration::from_secs(20));
        assert_eq!(held.time_limit, Some(Duration::from_secs(3600)));
        assert_eq!(held.audit_retention_days, None);
        assert_eq!(held.signin_lock_after, 3);
        assert_eq!(held.signin_backoff_cap, Duration::from_secs(3600));
    }

    #[test]
    fn every_bound_is_enforced_at_both_ends() {
        for def in SETTINGS {
            let (below, above, inside): (Option<String>, Option<String>, String) =
                match kind_of(def) {
                    Kind::Seconds { min, max } | Kind::Count { min, max } => (
                        min.checked_sub(1).map(|v| v.to_string()),
                        Some((max + 1).to_string()),
                        min.to_string(),
                    ),
                    Kind::Megabytes { min, max } => (
                        min.checked_sub(1).map(|v| v.to_string()),
                        Some((max + 1).to_string()),
                        format!("{min} MB"),
                    ),
                    Kind::SecondsOrOff { min, max } | Kind::CountOrOff { min, max } => (
                        (min > 1).then(|| (min - 1).to_string()),
                        Some((max + 1).to_string()),
                        max.to_string(),
                    ),
                    Kind::SecondsList { min, max } => (
                        Some(format!("{},{}", min, min - 1)),
                        Some((max + 1).to_string()),
                        format!("{min},{max}"),
                    ),
                    Kind::Text { max_chars } | Kind::Secret { max_chars } => {
                        (None, Some("x".repeat(max_chars + 1)), "x".repeat(max_chars))
                    }
                    Kind::Bool => (None, Some("maybe".into()), "true".into()),
                    Kind::Choice(c) => (None, Some("xx".into()), c[0].to_owned()),
                    Kind::Sites => (None, Some("ftp://x.org".into()), "*.gov.example".into()),
                    Kind::Address => (None, Some("javascript:alert(1)".into()), String::new()),
                    Kind::Sources => (None, Some("local,nis".into()), "ldap, local".into()),
                    Kind::Url { schemes } => (
                        None,
                        Some("http://dc.example.org".into()),
                        format!("{}://dc.example.org:636", schemes[0]),
                    ),
                    Kind::MoneyOrOff => (None, Some("5.001".into()), "12.50".into()),
                    Kind::NameTemplate { max_chars } => (
                        None,
                        Some("(uid=ana)".into()),
                        format!("({}={{name}})", "x".repeat(max_chars - 9)),
                    ),
                    Kind::OpeningHours => (
                        None,
                        Some("mon 09:00-24:01".into()),
                        "mon-sun 00:00-24:00".into(),
                    ),
                    Kind::DaysOfTheirOwn => (
                        None,
                        Some("2026-02-30".into()),
                        "2026-12-31 00:00-24:00".into(),
                    ),
                    Kind::TimeOfDay => (None, Some("24:00".into()), "23:59".into()),
                    Kind::Notice => (
                        None,
                        Some("Be kind.\n[es]\n".into()),
                        "# Rules\nBe kind.\n[es]\nSea amable.".into(),
                    ),
                };
            assert!(
                validate(def, &inside).is_ok(),
                "{} accepts {inside}",
                def.key
            );
            for bad in below.iter().chain(above.iter()) {
                let err = validate(def, bad).unwrap_err().to_string();
                assert!(err.starts_with(def.key), "{}: {err}", def.key);
            }
        }
    }

    #[test]
    fn account_sources_and_the_directory_s_settings_are_checked() {
        let (s, _t) = store();
        let check = |key: &str, value: &str| {
            validate(definition(key).unwrap(), value).map_err(|e| e.to_string())
        };
        assert_eq!(
            check("signin_sources", " LDAP, local ").unwrap(),
            "ldap,local"
        );
        for bad in ["", "local,local", "nis", "local,,nis"] {
            let err = check("signin_sources", bad).unwrap_err();
            assert!(
                err.contains("must be local, ldap, pam, sip2, in order, separated by commas"),
                "{err}"
            );
        }
        set(&s, "signin_sources", "ldap,local").unwrap();
        assert_eq!(
            s.settings(&no_policy()).unwrap().signin_sources,
            [
                crate::accounts::Source::Ldap,
                crate::accounts::Source::Local
            ]
        );
        assert_eq!(
            check("ldap_url", "ldaps://dc.example.org/").unwrap(),
            "ldaps://dc.example.org"
        );
        assert_eq!(
            check("ldap_url", "ldap://127.0.0.1:3890").unwrap(),
            "ldap://127.0.0.1:3890"
        );
        for bad in [
            "http://dc.example.org",
            "ldaps://",
            "ldaps://reader:secret@dc.example.org",
            "ldaps://dc.example.org/dc=example?uid",
            "dc.example.org",
        ] {
            assert!(check("ldap_url", bad).is_err(), "{bad}");
        }
        assert_eq!(
            check("ldap_user_filter", "(sAMAccountName={name})").unwrap(),
            "(sAMAccountName={name})"
        );
        assert_eq!(
            check("ldap_user_filter", "(uid=ana)").unwrap_err(),
            "ldap_user_filter must be empty, or text of at most 1024 characters with {name} in \
             it, not \"(uid=ana)\"."
        );
        assert_eq!(check("ldap_user_dn", "").unwrap(), "");
    }

    #[test]
    fn a_secret_is_kept_as_typed_and_shown_only_as_set() {
        let (s, _t) = store();
        let (old, new) = set(&s, "ldap_bind_password", " a pass phrase ").unwrap();
        assert_eq!((old.as_str(), new.as_str()), ("", " a pass phrase "));
        assert_eq!(
            s.settings(&no_policy())
                .unwrap()
                .ldap
                .bind_password
                .expose(),
            " a pass phrase ",
            "spaces are part of it"
        );
        assert_eq!(public_value("ldap_bind_password", &new), "(set)");
        assert_eq!(public_value("ldap_bind_password", ""), "(not set)");
        assert_eq!(public_value("ldap_bind_dn", "cn=x"), "cn=x");
        let settings = s.settings(&no_policy()).unwrap();
        assert!(
            !format!("{settings:?}").contains("pass phrase"),
            "never in debug output"
        );
        let err = set(&s, "ldap_bind_password", &"sécret".repeat(200))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("sécret"), "never echoed: {err}");
    }

    #[test]
    fn values_are_validated_and_bad_ones_change_nothing() {
        let (s, _t) = store();
        assert_eq!(
            set(&s, "guests_allowed", "yes").unwrap(),
            ("false".into(), "true".into())
        );
        assert!(s.settings(&no_policy()).unwrap().guests_allowed);
        let err = set(&s, "signin_lock_after", "500").unwrap_err();
        assert_eq!(
            err.to_string(),
            "signin_lock_after must be a whole number from 3 to 50, not \"500\"."
        );
        assert!(set(&s, "signin_lock_after", "-1").is_err());
        assert!(set(&s, "guests_allowed", "maybe").is_err());
        assert!(matches!(
            set(&s, "idle", "1"),
            Err(SettingError::Unknown(_))
        ));
        assert_eq!(s.settings(&no_policy()).unwrap().signin_lock_after, 10);
        assert_eq!(set(&s, "language", "ES").unwrap().1, "es");
        assert_eq!(set(&s, "language", "fr").unwrap().1, "fr");
        assert!(set(&s, "language", "de").is_err());
    }

    #[test]
    fn sizes_are_megabytes_as_people_write_them() {
        let (s, _t) = store();
        for (written, canonical) in [
            ("750", "750"),
            ("750 MB", "750"),
            ("750mb", "750"),
            ("750M", "750"),
            ("2 GB", "2000"),
            ("1.5 GB", "1500"),
            ("0.25g", "250"),
        ] {
            assert_eq!(
                set(&s, "download_quota", written).unwrap().1,
                canonical,
                "{written}"
            );
        }
        for bad in [
            "",
            "lots",
            "-5",
            "1.5",
            "5 TB",
            "0.0001 GB",
            "1..5 GB",
            "GB",
            "0",
        ] {
            let err = set(&s, "download_quota", bad).unwrap_err().to_string();
            assert!(
                err.starts_with("download_quota must be a size from 1 to 100000 megabytes"),
                "{bad}: {err}"
            );
        }
        assert_eq!(human_value("download_quota", "1500"), "1500 MB");
        let got = s.settings(&no_policy()).unwrap();
        assert_eq!(got.downloads.quota, 250_000_000);
        assert_eq!(got.downloads.free_space_floor, 1_000_000_000);
    }

    #[test]
    fn session_timings_are_bounded_and_consistent() {
        let (s, _t) = store();
        assert!(set(&s, "idle_timeout", "29").is_err());
        assert!(set(&s, "idle_timeout", "86401").is_err());
        let err = set(&s, "idle_timeout", "1m").unwrap_err();
        assert_eq!(
            err.to_string(),
            "idle_warning (1m) must be less than idle_timeout (1m)."
        );
        set(&s, "idle_warning", "20s").unwrap();
        set(&s, "idle_timeout", "30").unwrap();
        assert!(set(&s, "idle_warning", "19").is_err());
        assert!(set(&s, "time_limit", "59").is_err());
        set(&s, "time_limit", "1h").unwrap();
        assert_eq!(
            set(&s, "time_limit_warnings", " 1m, 10m,60").unwrap().1,
            "600,60"
        );
        assert!(set(&s, "time_limit_warnings", "60,abc").is_err());
        assert!(set(&s, "signed_out_screen", "121").is_err());
        assert!(set(&s, "signed_out_message", "two\nlines").is_err());
        let got = s.settings(&no_policy()).unwrap();
        assert_eq!(got.idle_timeout, Duration::from_secs(30));
        assert_eq!(got.idle_warning, Duration::from_secs(20));
        assert_eq!(got.time_limit, Some(Duration::from_secs(3600)));
        assert_eq!(
            got.time_limit_warnings,
            [Duration::from_secs(600), Duration::from_secs(60)]
        );
        set(&s, "time_limit", "off").unwrap();
        assert_eq!(s.settings(&no_policy()).unwrap().time_limit, None);
        assert_eq!(set(&s, "audit_retention_days", "0").unwrap().1, "0");
        assert!(
            set(&s, "audit_retention_days", "5m").is_err(),
            "days are not a duration"
        );
    }

    #[test]
    fn sites_and_the_home_page() {
        let (s, _t) = store();
        // An entry without a scheme is https on its default port; http and other ports only
        // when written out.
        assert_eq!(
            set(
                &s,
                "allowed_sites",
                "https://Catalogue.Example.org/, *.gov.example\n127.0.0.1:8080, http://127.0.0.1:8081"
            )
            .unwrap()
            .1,
            "https://catalogue.example.org,*.gov.example,https://127.0.0.1:8080,http://127.0.0.1:8081"
        );
        for bad in [
            "https://a.org/path",
            "*.org",
            "ftp://a.org",
            "a b",
            "*.",
            "x.org:0",
        ] {
            assert!(set(&s, "allowed_sites", bad).is_err(), "{bad}");
        }
        let sites = s.settings(&no_policy()).unwrap().allowed_sites;
        for ok in [
            "https://catalogue.example.org/search?q=x",
            "https://forms.gov.example/",
            "https://a.b.gov.example/x",
            "https://127.0.0.1:8080/",
            "http://127.0.0.1:8081/",
        ] {
            assert!(site_allowed(&sites, ok), "{ok}");
        }
        for no in [
            "http://catalogue.example.org/",
            "http://a.b.gov.example/x",
            "https://gov.example/",
            "https://evilgov.example/",
            "http://127.0.0.1:8080/",
            "http://127.0.0.1:8082/",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(!site_allowed(&sites, no), "{no}");
        }
        set(&s, "home_page", "https://forms.gov.example/start").unwrap();
        let err = set(&s, "home_page", "https://elsewhere.org/").unwrap_err();
        assert_eq!(
            err.to_string(),
            "home_page https://elsewhere.org/ is not within allowed_sites."
        );
        assert!(set(&s, "allowed_sites", "https://catalogue.example.org").is_err());
    }

    #[test]
    fn layers_default_then_administrator_then_policy() {
        let (s, _t) = store();
        let mut policy = PolicyLayer::default();
        let layer_of = |s: &Store, p: &PolicyLayer, k: &str| {
            s.effective_settings(p)
                .unwrap()
                .into_iter()
                .find(|e| e.def.key == k)
                .map(|e| (e.value, e.layer))
                .unwrap()
        };
        assert_eq!(
            layer_of(&s, &policy, "idle_timeout"),
            ("300".into(), Layer::Default)
        );
        s.set_setting("idle_timeout", Some("10m"), Utc::now(), &policy)
            .unwrap();
        assert_eq!(
            layer_of(&s, &policy, "idle_timeout"),
            ("600".into(), Layer::Administrator)
        );
        policy.values.insert("idle_timeout".into(), "900".into());
        policy.set_by.insert(
            "idle_timeout".into(),
            "/etc/slate/policy.d/room.toml".into(),
        );
        assert_eq!(
            layer_of(&s, &policy, "idle_timeout"),
            ("900".into(), Layer::Policy)
        );
        let file_of = |p: &PolicyLayer, k: &str| {
            s.effective_settings(p)
                .unwrap()
                .into_iter()
                .find(|e| e.def.key == k)
                .and_then(|e| e.file)
        };
        assert_eq!(
            file_of(&policy, "idle_timeout").as_deref(),
            Some("/etc/slate/policy.d/room.toml"),
            "the policy file that set it"
        );
        assert_eq!(file_of(&policy, "guests_allowed"), None);
        assert_eq!(
            s.settings(&policy).unwrap().idle_timeout,
            Duration::from_secs(900)
        );
        let err = s
            .set_setting("idle_timeout", Some("5m"), Utc::now(), &policy)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "idle_timeout is set by the policy file /etc/slate/policy.d/room.toml; change it there."
        );
        assert!(s
            .set_setting("idle_timeout", None, Utc::now(), &policy)
            .is_err());
        // Unset: the administrator's value goes, the default is back.
        assert_eq!(
            s.set_setting("idle_timeout", None, Utc::now(), &PolicyLayer::default())
                .unwrap(),
            ("600".into(), "300".into())
        );
        assert_eq!(
            layer_of(&s, &PolicyLayer::default(), "idle_timeout"),
            ("300".into(), Layer::Default)
        );
        // A combination the policy made does not block other keys, and is repaired.
        policy.values.insert("idle_timeout".into(), "30".into());
        set(&s, "guests_allowed", "true").unwrap();
        assert_eq!(
            s.settings(&policy).unwrap().idle_warning,
            Duration::from_secs(15)
        );
    }
}
