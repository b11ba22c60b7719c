//! Sign-in against a directory (OpenLDAP, Active Directory) with a simple bind, always over TLS:
//! `ldaps://`, or `ldap://` upgraded with StartTLS; the certificate is checked against the
//! administrator's CA file or the system's. Two ways to find the person:
//!
//! - **search, then bind**: a service account (`ldap_bind_dn`) searches `ldap_base_dn` with
//!   `ldap_user_filter` (`(uid={name})`; `(sAMAccountName={name})` on Active Directory), then
//!   the person's DN binds with their password. A name the search does not find still costs a
//!   bind, so it is not answered faster than a wrong password;
//! - **direct bind**: without a service account, `ldap_user_dn` (`uid={name},ou=people,…`, or
//!   `{name}@example.org` as Active Directory's `userPrincipalName`) binds with the password.
//!
//! Then group membership (read as the service account where there is one, else as the person): `ldap_allow_group` (who may sign in; empty: anyone
//! found) and `ldap_admin_group` (Slate's administrators), each a group entry listing the person
//! as `member`, `uniqueMember` (by DN) or `memberUid` (by name). An empty password is refused
//! before anything is sent: a simple bind without one is an anonymous bind, which many
//! directories accept.

use std::time::{Duration, Instant};

use ldap3::{dn_escape, ldap_escape, LdapConn, LdapConnSettings, Scope, SearchEntry};

use super::{trusted_by, Answer, Person, Steps};
use crate::auth::Password;
use crate::phrase::Phrase;
use crate::settings::LdapSettings;

/// The attributes read from a person's entry: how the directory spells their name, and what
/// to call them (and `ldap_group_attribute`, when set).
const ATTRIBUTES: &[&str] = &["uid", "sAMAccountName", "displayName", "cn"];

/// [`ATTRIBUTES`], and the attribute whose value is the person's group for the statistics.
fn attributes(s: &LdapSettings) -> Vec<&str> {
    let mut all = ATTRIBUTES.to_vec();
    if !s.group_attribute.is_empty() {
        all.push(&s.group_attribute);
    }
    all
}

/// LDAP result codes that mean "not this person, not with this password": invalid credentials,
/// insufficient access, unwilling to perform (a disabled account, on some directories).
const REFUSALS: &[u32] = &[49, 50, 53];

/// Why the directory cannot be used, in one sentence (its detail in the directory's or the
/// system's own words).
fn unusable(reason: impl Into<String>) -> Phrase {
    Phrase::new("The directory cannot be used: {reason}.").text("reason", reason.into())
}

/// Asks the directory whether `name` may sign in with `password`, within `timeout` in all,
/// noting each step in `steps`.
pub fn check(
    s: &LdapSettings,
    timeout: Duration,
    name: &str,
    password: &Password,
    steps: &mut Steps,
) -> Answer {
    let typed = name.trim();
    if typed.is_empty() || password.expose().is_empty() {
        steps.failed(|| Phrase::new("A directory is never asked without a name and a password."));
        return Answer::Refused;
    }
    let answer = if s.url.is_empty() {
        Err(unusable("ldap_url is not set"))
    } else if s.bind_dn.is_empty() && s.user_dn.is_empty() {
        Err(unusable("neither ldap_bind_dn nor ldap_user_dn is set"))
    } else {
        let deadline = Instant::now() + timeout;
        connect(s, timeout).and_then(|mut conn| {
            steps.ok(|| {
                Phrase::new("Connected to {url}; its TLS certificate is trusted by {ca}.")
                    .text("url", s.url.as_str())
                    .phrase("ca", trusted_by(&s.ca_file))
            });
            let answer = Session {
                conn: &mut conn,
                deadline,
                steps,
            }
            .check(s, typed, password.expose());
            let _ = conn.unbind();
            answer
        })
    };
    answer.unwrap_or_else(|why| {
        steps.failed(|| why.clone());
        Answer::Unavailable(why)
    })
}

/// The TLS settings and the connection (StartTLS for `ldap://`).
fn connect(s: &LdapSettings, timeout: Duration) -> Result<LdapConn, Phrase> {
    let tls = super::tls_connector(&s.ca_file).map_err(unusable)?;
    let settings = LdapConnSettings::new()
        .set_conn_timeout(timeout)
        .set_starttls(s.url.starts_with("ldap://"))
        .set_connector(tls);
    LdapConn::with_settings(settings, &s.url).map_err(|e| {
        unusable(format!(
            "{} did not answer as a directory over TLS ({e})",
            s.url
        ))
    })
}

/// One conversation with the directory, every request within the overall deadline.
struct Session<'a> {
    conn: &'a mut LdapConn,
    deadline: Instant,
    steps: &'a mut Steps,
}

impl Session<'_> {
    fn left(&self) -> Result<Duration, Phrase> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(unusable("it did not answer in time"))
        } else {
            Ok(left)
        }
    }

    /// A simple bind: `Ok(true)` accepted, `Ok(false)` refused.
    fn bind(&mut self, dn: &str, password: &str) -> Result<bool, Phrase> {
        let left = self.left()?;
        match self.conn.with_timeout(left).simple_bind(dn, password) {
            Ok(r) if r.rc == 0 => Ok(true),
            Ok(r) if REFUSALS.contains(&r.rc) => Ok(false),
            Ok(r) => Err(unusable(format!("it answered a bind with {r}"))),
            Err(e) => Err(unusable(e.to_string())),
        }
    }

    fn search(
        &mut self,
        base: &str,
        scope: Scope,
        filter: &str,
        attributes: &[&str],
    ) -> Result<Vec<SearchEntry>, Phrase> {
        let left = self.left()?;
        let result = self
            .conn
            .with_timeout(left)
            .search(base, scope, filter, attributes.to_vec())
            .map_err(|e| unusable(e.to_string()))?;
        let (entries, _) = result
            .success()
            .map_err(|e| unusable(format!("a search in {base} failed ({e})")))?;
        Ok(entries.into_iter().map(SearchEntry::construct).collect())
    }

    /// Binds as the service account, which must be accepted.
    fn bind_as_service(&mut self, s: &LdapSettings) -> Result<(), Phrase> {
        if self.bind(&s.bind_dn, s.bind_password.expose())? {
            Ok(())
        } else {
            Err(unusable("it refused the service account ldap_bind_dn"))
        }
    }

    fn check(&mut self, s: &LdapSettings, typed: &str, password: &str) -> Result<Answer, Phrase> {
        let found = if s.bind_dn.is_empty() {
            None
        } else {
            self.bind_as_service(s)?;
            self.steps.ok(|| {
                Phrase::new("The service account {dn} signed in.").text("dn", s.bind_dn.as_str())
            });
            let filter = s.user_filter.replace("{name}", &ldap_escape(typed));
            let mut people = self.search(&s.base_dn, Scope::Subtree, &filter, &attributes(s))?;
            if people.len() != 1 {
                self.steps.failed(|| {
                    if people.is_empty() {
                        Phrase::new("No entry under {base} matches {filter}.")
                    } else {
                        Phrase::new(
                            "More than one entry under {base} matches {filter}; Slate never guesses which.",
                        )
                    }
                    .text("base", s.base_dn.as_str())
                    .text("filter", filter.as_str())
                });
                // Nobody (or more than one: never guess which): a bind all the same, so the
                // answer takes as long as a wrong password's.
                let nobody = format!("cn={},{}", dn_escape(typed), s.base_dn);
                let _ = self.bind(&nobody, password)?;
                return Ok(Answer::Refused);
            }
            people.pop()
        };
        let dn = found.as_ref().map_or_else(
            || s.user_dn.replace("{name}", &dn_escape(typed)),
            |e| e.dn.clone(),
        );
        if found.is_some() {
            self.steps.ok(|| {
                Phrase::new("Found {name} as {dn}.")
                    .text("name", typed)
                    .text("dn", dn.as_str())
            });
        }
        if !self.bind(&dn, password)? {
            self.steps.failed(|| {
                Phrase::new("The directory refused the password of {dn} (or has no such entry).")
                    .text("dn", dn.as_str())
            });
            return Ok(Answer::Refused);
        }
        self.steps.ok(|| {
            Phrase::new("The directory accepted the password of {dn}.").text("dn", dn.as_str())
        });
        // As the person from here on: their own entry, then their groups.
        let entry = match found {
            Some(entry) => entry,
            None => self
                .search(&dn, Scope::Base, "(objectClass=*)", &attributes(s))?
                .pop()
                .ok_or_else(|| unusable(format!("the entry {dn} cannot be read")))?,
        };
        let first = |attribute: &str| {
            entry
                .attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(attribute))
                .and_then(|(_, v)| v.first())
                .filter(|v| !v.trim().is_empty())
                .cloned()
        };
        let username = first("uid")
            .or_else(|| first("sAMAccountName"))
            .unwrap_or_else(|| typed.to_owned());
        let display_name = first("displayName")
            .or_else(|| first("cn"))
            .unwrap_or_else(|| username.clone());
        // Groups are read as the service account where there is one (a person may not be
        // allowed to read them), else as the person.
        if !s.bind_dn.is_empty() {
            self.bind_as_service(s)?;
        }
        let Some(admin) = self.groups(s, &dn, &username)? else {
            return Ok(Answer::Refused);
        };
        let group = Some(s.group_attribute.as_str())
            .filter(|a| !a.is_empty())
            .and_then(first)
            .and_then(|v| super::group_name(&v));
        if !s.group_attribute.is_empty() {
            self.steps.ok(|| {
                match group.as_deref() {
                    Some(g) => Phrase::new("The entry's {attribute} is {group}: the usage statistics count the sessions under it.")
                        .text("group", g),
                    None => Phrase::new("The entry has no {attribute}: the usage statistics count the sessions under no group."),
                }
                .text("attribute", s.group_attribute.as_str())
            });
        }
        Ok(Answer::Accepted(Person {
            username,
            display_name,
            admin,
            group,
        }))
    }

    /// The person's groups: `Some(admin)` when they may sign in (an administrator or not),
    /// `None` when not.
    fn groups(
        &mut self,
        s: &LdapSettings,
        dn: &str,
        username: &str,
    ) -> Result<Option<bool>, Phrase> {
        let admin = !s.admin_group.is_empty() && self.member(&s.admin_group, dn, username)?;
        if !s.admin_group.is_empty() {
            self.steps.ok(|| {
                if admin {
                    Phrase::new("{name} is in the administrators' group {group}.")
                } else {
                    Phrase::new("{name} is not in the administrators' group {group}.")
                }
                .text("name", username)
                .text("group", s.admin_group.as_str())
            });
        }
        if admin {
            return Ok(Some(true));
        }
        if s.allow_group.is_empty() {
            self.steps.ok(|| {
                Phrase::new("{key} is empty: anyone the directory finds may sign in.")
                    .setting("key", "ldap_allow_group")
            });
            return Ok(Some(false));
        }
        let member = self.member(&s.allow_group, dn, username)?;
        let said = || {
            if member {
                Phrase::new("{name} is in the group {group}, who may sign in.")
            } else {
                Phrase::new("{name} is not in the group {group}, who may sign in.")
            }
            .text("name", username)
            .text("group", s.allow_group.as_str())
        };
        if member {
            self.steps.ok(said);
            Ok(Some(false))
        } else {
            self.steps.failed(said);
            Ok(None)
        }
    }

    /// Whether the group entry `group` lists the person, by DN or by name.
    fn member(&mut self, group: &str, dn: &str, username: &str) -> Result<bool, Phrase> {
        let filter = format!(
            "(|(member={dn})(uniqueMember={dn})(memberUid={name}))",
            dn = ldap_escape(dn),
            name = ldap_escape(username)
        );
        Ok(!self
            .search(group, Scope::Base, &filter, &["1.1"])?
            .is_empty())
    }
}
