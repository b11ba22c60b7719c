//! The settings in force: the three layers (built-in default < administrator value < policy
//! file) that decide each key's value, the checks a change must pass against the values in force,
//! and the typed [`Settings`] the rest of the core reads.

use std::time::Duration;

use super::cross::{site_list, CrossRule};
use super::{definition, validate, SettingDef, SettingError, SETTINGS};
use crate::my_files::DownloadLimits;
use crate::store_error::StoreError;

pub use crate::api::Layer;

/// One setting's value in force and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    pub def: &'static SettingDef,
    pub value: String,
    pub layer: Layer,
    /// The policy file that set it (layer `Policy` only).
    pub file: Option<String>,
    /// The policy tries to set it but cannot be used there (a broken value, or a file that
    /// cannot be read): `value` is the key's strictest ([`SettingDef::strictest`]), locked.
    pub held: bool,
    /// The group a value of layer `Group` is for.
    pub group: Option<String>,
}

/// A value kept below the policy: the administrator's on a terminal of its own, or one of the
/// room's for a terminal in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub value: String,
    /// `Administrator`, or the room's layer it comes from.
    pub layer: Layer,
    /// The group it is for (layer `Group`).
    pub group: Option<String>,
}

impl Stored {
    /// An administrator's value on a terminal of its own.
    pub fn local(value: String) -> Self {
        Self {
            value,
            layer: Layer::Administrator,
            group: None,
        }
    }
}

/// The policy layer as the settings see it: checked canonical values by key, and the file that
/// set each (the policy is a main file and drop-ins; the last to set a key wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyLayer {
    pub values: std::collections::BTreeMap<String, String>,
    /// The file that set each key of `values`.
    pub set_by: std::collections::BTreeMap<String, String>,
    /// The keys of `values` held at their strictest because the policy's value for them cannot
    /// be used (the policy fails closed: they stay locked).
    pub held: std::collections::BTreeSet<String>,
}

impl PolicyLayer {
    /// Whether the policy sets `key` (so it is locked).
    pub fn sets(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// Whether `key` is held at its strictest because the policy's value cannot be used.
    pub fn holds(&self, key: &str) -> bool {
        self.sets(key) && self.held.contains(key)
    }

    /// The policy file that set `key`, if the policy sets it and the file is known.
    pub fn file_of(&self, key: &str) -> Option<&str> {
        self.set_by
            .get(key)
            .filter(|_| self.sets(key))
            .map(String::as_str)
    }
}

/// A secret setting's value: never printed (its `Debug` is redacted), zeroised when dropped.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretText(zeroize::Zeroizing<String>);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(<redacted>)")
    }
}

impl SecretText {
    /// The secret itself, to hand to the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A secret from plain text (the settings read it from the store).
    pub fn from_plain(text: &str) -> Self {
        Self(zeroize::Zeroizing::new(text.to_owned()))
    }
}

/// The directory's settings (`ldap_*`); `url` empty: no directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LdapSettings {
    pub url: String,
    /// Empty: the system's certificate authorities.
    pub ca_file: String,
    /// Empty: no service account; bind directly as `user_dn`.
    pub bind_dn: String,
    pub bind_password: SecretText,
    pub base_dn: String,
    /// With `{name}`.
    pub user_filter: String,
    /// With `{name}`, or empty.
    pub user_dn: String,
    pub allow_group: String,
    pub admin_group: String,
    /// Empty: none.
    pub group_attribute: String,
}

impl LdapSettings {
    fn from_values(get: &impl Fn(&str) -> String) -> Self {
        Self {
            url: get("ldap_url"),
            ca_file: get("ldap_ca_file"),
            bind_dn: get("ldap_bind_dn"),
            bind_password: SecretText::from_plain(&get("ldap_bind_password")),
            base_dn: get("ldap_base_dn"),
            user_filter: get("ldap_user_filter"),
            user_dn: get("ldap_user_dn"),
            allow_group: get("ldap_allow_group"),
            admin_group: get("ldap_admin_group"),
            group_attribute: get("ldap_group_attribute").trim().to_owned(),
        }
    }
}

impl PamSettings {
    fn from_values(get: &impl Fn(&str) -> String) -> Self {
        Self {
            service: get("pam_service"),
            group: get("pam_group"),
            admin_group: get("pam_admin_group"),
        }
    }
}

impl Sip2Settings {
    fn from_values(get: &impl Fn(&str) -> String) -> Self {
        Self {
            url: get("sip2_url"),
            ca_file: get("sip2_ca_file"),
            login: get("sip2_login"),
            password: SecretText::from_plain(&get("sip2_password")),
            location: get("sip2_location"),
            institution: get("sip2_institution"),
            fine_limit_cents: get("sip2_fine_limit")
                .parse::<u64>()
                .ok()
                .filter(|c| *c > 0),
        }
    }
}

/// The machine's accounts' settings (`pam_*`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PamSettings {
    pub service: String,
    /// Who may sign in (empty: nobody).
    pub group: String,
    /// Slate's administrators (empty: nobody).
    pub admin_group: String,
}

/// The catalogue system's settings (`sip2_*`); `url` empty: none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sip2Settings {
    pub url: String,
    /// Empty: the system's certificate authorities.
    pub ca_file: String,
    pub login: String,
    /// Sent at login (CO) and with each patron (AC).
    pub password: SecretText,
    pub location: String,
    pub institution: String,
    /// `None`: any fines.
    pub fine_limit_cents: Option<u64>,
}

impl Settings {
    /// The sign-in throttle's rules.
    pub fn throttle_rules(&self) -> crate::auth::ThrottleRules {
        crate::auth::ThrottleRules {
            backoff_cap: self.signin_backoff_cap,
            cooldown_after: self.signin_lock_after,
            terminal_limit: self.signin_terminal_limit,
            terminal_window: self.signin_terminal_window,
        }
    }
}

/// In a room of terminals, whether a person may be signed in at one terminal at a time
/// (`one_terminal_per_person`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnePerPerson {
    /// At several terminals at once.
    Off,
    /// A second sign-in is refused, saying where the person is.
    Refuse,
    /// A second sign-in ends the session at the first terminal.
    EndOther,
}

/// The settings in force, typed.
// An administrator's switches are bools: each is one yes-or-no setting, not a state machine.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub guests_allowed: bool,
    pub signin_backoff_cap: Duration,
    pub signin_lock_after: u32,
    pub signin_terminal_limit: u32,
    pub signin_terminal_window: Duration,
    /// The account sources to try, in order (never empty).
    pub signin_sources: Vec<crate::accounts::Source>,
    /// How long sign-in waits for a directory.
    pub source_timeout: Duration,
    pub ldap: LdapSettings,
    pub sip2: Sip2Settings,
    pub pam: PamSettings,
    pub idle_timeout: Duration,
    pub idle_warning: Duration,
    pub admin_idle_timeout: Duration,
    /// `None`: no time limit.
    pub time_limit: Option<Duration>,
    /// Largest first.
    pub time_limit_warnings: Vec<Duration>,
    /// A member's time in a day, all sessions together; `None`: no daily limit.
    pub daily_allowance: Option<Duration>,
    /// Each guest session's time within a day; `None`: no daily limit.
    pub guest_daily_allowance: Option<Duration>,
    /// When the day of the daily allowance turns: minutes after local midnight.
    pub day_turns_at: u16,
    /// When the terminal is open (`opening_hours` and `days_of_their_own`).
    pub hours: crate::hours::Hours,
    /// Largest first.
    pub closing_warnings: Vec<Duration>,
    /// Whether a guest session's time limit and time start at its first input.
    pub guest_time_from_first_input: bool,
    /// In a room: whether guests may start a session while the room cannot be reached.
    pub guests_when_room_away: bool,
    /// In a room: whether a person may be signed in at one terminal at a time.
    pub one_terminal_per_person: OnePerPerson,
    /// The page each person accepts before a session; `None`: none.
    pub acceptable_use: Option<crate::notice::Notice>,
    /// What one extension adds; `None`: none is offered.
    pub extension: Option<Duration>,
    /// Whether the extension may pass closing and the day's time.
    pub extension_past_limits: bool,
    pub signed_out_screen: Duration,
    pub signed_out_message: String,
    /// `None`: keep the audit log forever.
    pub audit_retention_days: Option<u32>,
    /// `None`: a session's row is kept as long as the audit's records.
    pub usage_session_days: Option<u32>,
    /// Empty: the audit is not forwarded.
    pub audit_forward_url: String,
    pub audit_forward_ca_file: String,
    /// Each record also goes to the system journal.
    pub audit_journal: bool,
    /// Empty: the host name.
    pub terminal_name: String,
    pub language: String,
    /// Canonical entries; empty: no browser.
    pub allowed_sites: Vec<String>,
    /// Empty: the first allowed site.
    pub home_page: String,
    /// How much a session may download, and the free space downloads leave (bytes).
    pub downloads: DownloadLimits,
    /// Whether the browser's pages may print (to the default CUPS printer, without a dialog).
    pub printing: bool,
    /// Whether media playing in the browser holds the idle deadline.
    pub media_counts_as_use: bool,
}

/// Comma-separated seconds, as stored (largest first).
fn seconds_list(text: &str) -> Vec<Duration> {
    text.split(',')
        .filter_map(|p| p.parse().ok())
        .map(Duration::from_secs)
        .collect()
}

/// Seconds as stored, 0 meaning off.
fn off_or_secs(text: &str) -> Option<Duration> {
    text.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .map(Duration::from_secs)
}

impl Default for Settings {
    fn default() -> Self {
        Self::from_values(|key| definition(key).expect("a known setting").default.to_owned())
    }
}

fn secs(text: &str, fallback: Duration) -> Duration {
    text.parse().map_or(fallback, Duration::from_secs)
}

/// Bytes from a canonical megabytes value (the key's default if it does not parse).
fn megabytes(key: &str, text: &str) -> u64 {
    text.parse::<u64>()
        .or_else(|_| definition(key).expect("a known setting").default.parse())
        .unwrap_or(0)
        .saturating_mul(1_000_000)
}

impl Settings {
    /// Types the values `get` gives for each key (already valid), and repairs what only a
    /// combination of layers can break: a warning not before its timeout warns at half the
    /// timeout, a home page outside the allowed sites falls back to the first of them.
    pub(super) fn from_values(get: impl Fn(&str) -> String) -> Self {
        let d = |key: &str| {
            secs(
                definition(key).expect("a known setting").default,
                Duration::ZERO,
            )
        };
        let idle_timeout = secs(&get("idle_timeout"), d("idle_timeout"));
        let mut idle_warning = secs(&get("idle_warning"), d("idle_warning"));
        let in_force = |k: &str| {
            Some(match k {
                "idle_warning" => idle_warning.as_secs().to_string(),
                "idle_timeout" => idle_timeout.as_secs().to_string(),
                _ => get(k),
            })
        };
        // A stored pair that disagrees (written before a rule existed) is repaired, never used.
        if CrossRule::WarningBeforeTimeout.check(in_force).is_err() {
            idle_warning = idle_timeout / 2;
        }
        let allowed_sites = site_list(&get("allowed_sites"));
        let mut home_page = get("home_page");
        if CrossRule::HomeWithinSites.check(|k| Some(get(k))).is_err() {
            home_page.clear();
        }
        Self {
            guests_allowed: get("guests_allowed") == "true",
            signin_backoff_cap: secs(&get("signin_backoff_cap"), d("signin_backoff_cap")),
            signin_lock_after: get("signin_lock_after").parse().unwrap_or(10),
            signin_terminal_limit: get("signin_terminal_limit").parse().unwrap_or(30),
            signin_terminal_window: secs(
                &get("signin_terminal_window"),
                d("signin_terminal_window"),
            ),
            signin_sources: {
                let list: Vec<_> = get("signin_sources")
                    .split(',')
                    .filter_map(crate::accounts::Source::from_name)
                    .collect();
                if list.is_empty() {
                    vec![crate::accounts::Source::Local]
                } else {
                    list
                }
            },
            source_timeout: secs(&get("source_timeout"), d("source_timeout")),
            ldap: LdapSettings::from_values(&get),
            pam: PamSettings::from_values(&get),
            sip2: Sip2Settings::from_values(&get),
            idle_timeout,
            idle_warning,
            admin_idle_timeout: secs(&get("admin_idle_timeout"), d("admin_idle_timeout")),
            time_limit: Some(secs(&get("time_limit"), Duration::ZERO)).filter(|d| !d.is_zero()),
            time_limit_warnings: seconds_list(&get("time_limit_warnings")),
            daily_allowance: off_or_secs(&get("daily_allowance")),
            guest_daily_allowance: off_or_secs(&get("guest_daily_allowance")),
            day_turns_at: crate::hours::parse_time_of_day(&get("day_turns_at")).unwrap_or(0),
            // Each part was checked when it was set; together they cannot disagree.
            hours: crate::hours::Hours::parse(&get("opening_hours"), &get("days_of_their_own"))
                .unwrap_or_default(),
            closing_warnings: seconds_list(&get("closing_warnings")),
            guest_time_from_first_input: get("guest_time_from_first_input") == "true",
            guests_when_room_away: get("guests_when_room_away") == "true",
            one_terminal_per_person: match get("one_terminal_per_person").as_str() {
                "refuse" => OnePerPerson::Refuse,
                "end_other" => OnePerPerson::EndOther,
                _ => OnePerPerson::Off,
            },
            acceptable_use: crate::notice::Notice::parse(&get("acceptable_use"))
                .unwrap_or_default(),
            extension: off_or_secs(&get("extension")),
            extension_past_limits: get("extension_past_limits") == "true",
            signed_out_screen: secs(&get("signed_out_screen"), d("signed_out_screen")),
            signed_out_message: get("signed_out_message"),
            audit_retention_days: get("audit_retention_days")
                .parse::<u32>()
                .ok()
                .filter(|d| *d > 0),
            audit_forward_url: get("audit_forward_url"),
            audit_forward_ca_file: get("audit_forward_ca_file"),
            audit_journal: get("audit_journal") == "true",
            usage_session_days: get("usage_session_days")
                .parse::<u32>()
                .ok()
                .filter(|d| *d > 0),
            terminal_name: get("terminal_name"),
            language: get("language"),
            allowed_sites,
            home_page,
            printing: get("printing") == "true",
            media_counts_as_use: get("media_counts_as_use") == "true",
            downloads: DownloadLimits {
                quota: megabytes("download_quota", &get("download_quota")),
                free_space_floor: megabytes(
                    "download_free_space_floor",
                    &get("download_free_space_floor"),
                ),
            },
        }
    }
}

/// The checks that span two keys, on the values that would be in force after changing `key`
/// (only the rules `key` belongs to, so a combination the policy made cannot block other keys).
fn check_combination(
    key: &str,
    values: &std::collections::BTreeMap<&str, String>,
) -> Result<(), SettingError> {
    for rule in CrossRule::ALL {
        if rule.keys().contains(&key) {
            rule.check(|k| values.get(k).cloned())?;
        }
    }
    Ok(())
}

/// Every setting's value in force and its layer, given the administrator's stored value of
/// each key. A stored value that is no longer valid is skipped (the default applies), so a bad
/// row never leaves the kiosk without a timeout.
pub(crate) fn effective<E>(
    policy: &PolicyLayer,
    mut stored: impl FnMut(&str) -> Result<Option<Stored>, E>,
) -> Result<Vec<Effective>, E> {
    SETTINGS
        .iter()
        .map(|def| {
            if let Some(v) = policy.values.get(def.key) {
                return Ok(Effective {
                    def,
                    value: v.clone(),
                    layer: Layer::Policy,
                    file: policy.file_of(def.key).map(str::to_owned),
                    held: policy.holds(def.key),
                    group: None,
                });
            }
            let valid =
                stored(def.key)?.and_then(|s| validate(def, &s.value).ok().map(|value| (value, s)));
            Ok(match valid {
                Some((value, s)) => Effective {
                    def,
                    value,
                    layer: s.layer,
                    file: None,
                    held: false,
                    group: s.group,
                },
                None => Effective {
                    def,
                    value: def.default.to_owned(),
                    layer: Layer::Default,
                    file: None,
                    held: false,
                    group: None,
                },
            })
        })
        .collect()
}

impl Settings {
    /// The settings the values in force (`all`, from [`effective`]) make, typed.
    pub(crate) fn from_effective(all: &[Effective]) -> Self {
        Self::from_values(|key| {
            all.iter()
                .find(|e| e.def.key == key)
                .map(|e| e.value.clone())
                .unwrap_or_default()
        })
    }
}

/// Checks an administrator's change of `key` (`None` removes their value, so the default
/// applies): refuses a key the policy sets, a bad value, or a bad combination with the values in
/// force (`all`, asked for only once the value itself is good). Returns the (old, new) values.
pub(crate) fn check_change(
    key: &str,
    value: Option<&str>,
    policy: &PolicyLayer,
    all: impl FnOnce() -> Result<Vec<Effective>, StoreError>,
) -> Result<(String, String), SettingError> {
    let def = definition(key).ok_or_else(|| SettingError::Unknown(key.to_owned()))?;
    if policy.sets(key) {
        return Err(SettingError::SetByPolicy {
            key: key.to_owned(),
            file: policy.file_of(key).unwrap_or_default().to_owned(),
        });
    }
    let new = match value {
        Some(v) => validate(def, v)?,
        None => def.default.to_owned(),
    };
    let all = all()?;
    let mut values: std::collections::BTreeMap<&str, String> =
        all.iter().map(|e| (e.def.key, e.value.clone())).collect();
    let old = values.insert(def.key, new.clone()).unwrap_or_default();
    check_combination(def.key, &values)?;
    Ok((old, new))
}
