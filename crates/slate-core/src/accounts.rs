//! Accounts: where they come from ([`Source`]) and what a local one is ([`Role`], [`Account`],
//! [`AccountSummary`], its own [`DailyTime`]). They are
//! kept by the store (`store/accounts.rs`, with the sign-in throttle in `store/throttle.rs`);
//! the decisions (who may sign in, when to lock) are in [`super::kiosk`].

/// Where a person's account comes from: the account sources sign-in tries, in the order the
/// `signin_sources` setting gives. Recorded with each sign-in and session.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Slate's own accounts, in its database.
    Local,
    /// A directory (OpenLDAP, Active Directory) over LDAPS or StartTLS.
    Ldap,
    /// A library's catalogue system over SIP2: a card number and a PIN.
    Sip2,
    /// The machine's own accounts, through PAM.
    Pam,
}

impl Source {
    /// Every source, as `signin_sources` names them.
    pub const ALL: &'static [Source] = &[Self::Local, Self::Ldap, Self::Pam, Self::Sip2];

    /// The name in settings, the audit and the database: `local`, `ldap`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Ldap => "ldap",
            Self::Sip2 => "sip2",
            Self::Pam => "pam",
        }
    }

    /// The source called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.as_str() == name)
    }
}

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Admin,
}

/// A person's own time in a day, where it differs from the terminal's `daily_allowance`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DailyTime {
    /// The terminal's `daily_allowance`.
    #[default]
    AsSet,
    /// No daily limit for this person.
    Unlimited,
    /// This many seconds a day.
    Limit {
        #[ts(type = "number")]
        secs: u64,
    },
}

impl DailyTime {
    /// The shortest and longest a person's own daily time may be: a minute, a day.
    pub const BOUNDS: (u64, u64) = (60, 86_400);

    /// As stored: NULL as set, 0 no limit, else the seconds.
    pub fn from_column(v: Option<i64>) -> Self {
        match v {
            None => Self::AsSet,
            Some(0) => Self::Unlimited,
            Some(n) => Self::Limit {
                secs: u64::try_from(n).unwrap_or(Self::BOUNDS.1),
            },
        }
    }

    /// As stored (see [`DailyTime::from_column`]).
    pub fn to_column(self) -> Option<i64> {
        match self {
            Self::AsSet => None,
            Self::Unlimited => Some(0),
            Self::Limit { secs } => Some(i64::try_from(secs).unwrap_or(i64::MAX)),
        }
    }

    /// The day's time that applies, given the terminal's (`None`: no daily limit).
    pub fn allowance(self, setting: Option<std::time::Duration>) -> Option<std::time::Duration> {
        match self {
            Self::AsSet => setting,
            Self::Unlimited => None,
            Self::Limit { secs } => Some(std::time::Duration::from_secs(secs)),
        }
    }
}

/// One account row, hash included (it never leaves the core).
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub enabled: bool,
    pub locked: bool,
    pub password_hash: String,
    pub created_at: String,
    pub daily_time: DailyTime,
}

/// An account as listed to administrators: no hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountSummary {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub enabled: bool,
    pub locked: bool,
    pub created_at: String,
    /// Consecutive failed sign-ins to this name (0 after a success or an unlock).
    pub failed_sign_ins: u32,
    /// While those failures make the name wait: until when (UTC).
    pub paused_until: Option<chrono::DateTime<chrono::Utc>>,
    pub daily_time: DailyTime,
}

impl From<Account> for AccountSummary {
    fn from(a: Account) -> Self {
        Self {
            username: a.username,
            display_name: a.display_name,
            role: a.role,
            enabled: a.enabled,
            locked: a.locked,
            created_at: a.created_at,
            failed_sign_ins: 0,
            paused_until: None,
            daily_time: a.daily_time,
        }
    }
}
