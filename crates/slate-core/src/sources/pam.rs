//! Sign-in with the machine's own accounts, through PAM: the service `pam_service` (the package
//! installs `/etc/pam.d/slate`: `pam_unix`, its own delay off, as Slate throttles failures
//! itself), `pam_authenticate` then `pam_acct_mgmt`, so an expired account or password is
//! caught. Only members of the local group `pam_group` may sign in, members of
//! `pam_admin_group` are Slate's administrators, and system accounts (uid below 1000, root
//! included) never sign in, whatever their groups.
//!
//! PAM reads `/etc/shadow`, so this works only in the installed session service, which runs as
//! root; in `make run` (the service as you) every password reads as wrong.

use std::ffi::{CStr, CString};

use pam::{Authenticator, Converse};
use zeroize::Zeroizing;

use super::{Answer, Person, Steps};
use crate::auth::Password;
use crate::local_accounts;
use crate::phrase::Phrase;

/// The lowest uid of a person's account (Debian's `FIRST_UID`): system accounts never sign in.
pub const FIRST_UID: u32 = 1000;

/// The machine's accounts' settings (`pam_*`).
pub use crate::settings::PamSettings;

/// Answers PAM's prompts with the name and the password (zeroised when done).
struct Conversation {
    name: String,
    password: Zeroizing<String>,
}

impl Converse for Conversation {
    fn prompt_echo(&mut self, _msg: &CStr) -> Result<CString, ()> {
        CString::new(self.name.clone()).map_err(|_| ())
    }
    fn prompt_blind(&mut self, _msg: &CStr) -> Result<CString, ()> {
        CString::new(self.password.as_str()).map_err(|_| ())
    }
    fn info(&mut self, _msg: &CStr) {}
    fn error(&mut self, _msg: &CStr) {}
    fn username(&self) -> &str {
        &self.name
    }
}

fn unusable(reason: impl Into<String>) -> Phrase {
    Phrase::new("The machine's accounts cannot be used: {reason}.").text("reason", reason.into())
}

/// Asks PAM whether the machine's account `name` may sign in with `password`, noting each step
/// in `steps`.
pub fn check(s: &PamSettings, name: &str, password: &Password, steps: &mut Steps) -> Answer {
    let name = name.trim();
    if name.is_empty() || password.expose().is_empty() || name.contains('\0') {
        steps.failed(|| Phrase::new("PAM is never asked without a name and a password."));
        return Answer::Refused;
    }
    let mut pam = match Authenticator::with_handler(
        &s.service,
        Conversation {
            name: name.to_owned(),
            password: Zeroizing::new(password.expose().to_owned()),
        },
    ) {
        Ok(pam) => pam,
        Err(e) => {
            let why = unusable(format!(
                "the PAM service {} cannot be started ({e})",
                s.service
            ));
            steps.failed(|| why.clone());
            return Answer::Unavailable(why);
        }
    };
    // The account is looked at (and any system account refused) only after PAM has checked the
    // password, so an unknown name and a wrong password take the same path.
    let verdict = pam.authenticate();
    let account = local_accounts::by_name(name);
    match verdict {
        Ok(()) => steps.ok(|| {
            Phrase::new("PAM's service {service} accepted the password and the account.")
                .text("service", s.service.as_str())
        }),
        // The crate shows PAM's code only as text: "AUTH_ERR (7)".
        Err(e) => {
            let said = e.to_string();
            steps.failed(|| {
                Phrase::new("PAM's service {service} answered {answer}.")
                    .text("service", s.service.as_str())
                    .text("answer", said.as_str())
            });
            return match said.split(' ').next().unwrap_or_default() {
                "ACCT_EXPIRED" => {
                    Answer::Barred(Phrase::new("This account has expired. Please ask staff."))
                }
                "NEW_AUTHTOK_REQD" => Answer::Barred(Phrase::new(
                    "This account's password has expired. Please ask staff.",
                )),
                "AUTH_ERR" | "USER_UNKNOWN" | "MAXTRIES" | "PERM_DENIED" | "CRED_INSUFFICIENT" => {
                    Answer::Refused
                }
                _ => Answer::Unavailable(unusable(format!("PAM answered {said}"))),
            };
        }
    }
    let Some(account) = account.filter(|a| a.uid >= FIRST_UID) else {
        steps.failed(|| {
            Phrase::new("{name} is a system account (uid below {first}), which never signs in.")
                .text("name", name)
                .number("first", u64::from(FIRST_UID))
        });
        return Answer::Refused;
    };
    let in_group = |group: &str| {
        !group.is_empty() && local_accounts::group_members(group).contains(&account.uid)
    };
    let admin = in_group(&s.admin_group);
    let allowed = admin || in_group(&s.group);
    let group_step = |group: &str, yes: bool| {
        if yes {
            Phrase::new("{name} is in the group {group}.")
        } else {
            Phrase::new("{name} is not in the group {group}.")
        }
        .text("name", account.name.as_str())
        .text("group", group)
    };
    if !s.admin_group.is_empty() {
        steps.ok(|| group_step(&s.admin_group, admin));
    }
    if !admin {
        let step = || group_step(&s.group, allowed);
        if allowed {
            steps.ok(step);
        } else {
            steps.failed(step);
        }
    }
    if !allowed {
        return Answer::Refused;
    }
    let display_name = if account.full_name.is_empty() {
        account.name.clone()
    } else {
        account.full_name
    };
    Answer::Accepted(Person {
        display_name,
        username: account.name,
        admin,
        group: None,
    })
}
