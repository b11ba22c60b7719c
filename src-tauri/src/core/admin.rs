//! The administrator panel's requests ([`AdminRequest`]), answered from the kiosk. The session
//! manager's gate ([`super::session::SessionHandle::admin`]) decides who may ask; this module
//! only does what is asked, with the same rules and audit as `slatectl`.

use std::collections::HashMap;

use super::accounts::Role;
use super::api::{
    AdminAuditPage, AdminAuditRecord, AdminReply, AdminRequest, AdminSetting, AdminTerminal,
    AdminUser, AuditQuery,
};
use super::audit::{time_bound, AuditFilter};
use super::kiosk::{Kiosk, KioskError};
use super::settings::{bounds_text, definition, human_value, kind_of, validate, Kind};

/// Records per audit page.
pub const AUDIT_PAGE: u32 = 50;

/// Answers one request.
pub fn handle(kiosk: &Kiosk, request: AdminRequest) -> Result<AdminReply, KioskError> {
    let reply = match request {
        AdminRequest::Settings => settings_reply(kiosk, String::new())?,
        AdminRequest::CheckSetting { key, value } => AdminReply {
            message: check(kiosk, &key, &value)?,
            ..AdminReply::default()
        },
        AdminRequest::SetSetting { key, value } => {
            let (_, new) = kiosk.set_setting(&key, &value)?;
            settings_reply(kiosk, format!("Saved {key}: {}.", in_words(&key, &new)))?
        }
        AdminRequest::UnsetSetting { key } => {
            let (_, new) = kiosk.unset_setting(&key)?;
            settings_reply(
                kiosk,
                format!("{key} is back to its default: {}.", in_words(&key, &new)),
            )?
        }
        AdminRequest::Users => users_reply(kiosk, String::new())?,
        AdminRequest::AddUser {
            username,
            display_name,
            password,
            admin,
        } => {
            let role = if admin { Role::Admin } else { Role::User };
            let a = kiosk.add_user(&username, &display_name, role, &password)?;
            users_reply(kiosk, format!("Added {}.", a.username))?
        }
        AdminRequest::SetUserEnabled { username, enabled } => {
            kiosk.set_user_enabled(&username, enabled)?;
            let did = if enabled { "Enabled" } else { "Disabled" };
            users_reply(kiosk, format!("{did} {}.", username.trim()))?
        }
        AdminRequest::ResetPassword { username, password } => {
            kiosk.set_password(&username, &password)?;
            users_reply(
                kiosk,
                format!("Changed the password of {}.", username.trim()),
            )?
        }
        AdminRequest::Unlock { username } => {
            kiosk.unlock_user(&username)?;
            users_reply(kiosk, format!("Unlocked {}.", username.trim()))?
        }
        AdminRequest::RemoveUser { username } => {
            kiosk.remove_user(&username)?;
            users_reply(kiosk, format!("Removed {}.", username.trim()))?
        }
        AdminRequest::Audit { query } => AdminReply {
            audit: Some(audit_page(kiosk, &query)?),
            ..AdminReply::default()
        },
        AdminRequest::VerifyAudit => AdminReply {
            message: match kiosk.audit_verify(None) {
                Ok(r) => format!(
                    "The audit log is intact: {} records, head {}.",
                    r.records,
                    r.head.as_deref().unwrap_or("none")
                ),
                Err(KioskError::Audit(e)) => e.to_string(),
                Err(e) => return Err(e),
            },
            ..AdminReply::default()
        },
        AdminRequest::Terminal => AdminReply {
            terminal: Some(terminal(kiosk)?),
            ..AdminReply::default()
        },
    };
    Ok(reply)
}

/// A value for a sentence: as people write it, "(empty)" when empty.
fn in_words(key: &str, value: &str) -> String {
    let v = human_value(key, value);
    if v.is_empty() {
        "(empty)".into()
    } else {
        v
    }
}

/// Whether `value` would be accepted for `key`: an empty message, or the problem.
fn check(kiosk: &Kiosk, key: &str, value: &str) -> Result<String, KioskError> {
    let Some(def) = definition(key) else {
        return Ok(super::settings::SettingError::Unknown(key.to_owned()).to_string());
    };
    let policy = kiosk.policy()?;
    if policy.layer.values.contains_key(key) {
        return Ok(super::settings::SettingError::SetByPolicy {
            key: key.to_owned(),
            file: policy.layer.file.clone().unwrap_or_default(),
        }
        .to_string());
    }
    Ok(validate(def, value)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default())
}

fn settings_reply(kiosk: &Kiosk, message: String) -> Result<AdminReply, KioskError> {
    let settings = kiosk
        .settings_in_force()?
        .into_iter()
        .map(|e| {
            let kind = kind_of(e.def);
            let (input, choices) = match kind {
                Kind::Bool => ("bool", vec!["true".to_owned(), "false".to_owned()]),
                Kind::Choice(c) => ("choice", c.iter().map(|s| (*s).to_owned()).collect()),
                _ => ("text", Vec::new()),
            };
            AdminSetting {
                key: e.def.key.to_owned(),
                shown: human_value(e.def.key, &e.value),
                value: e.value,
                layer: e.layer.text().to_owned(),
                default: human_value(e.def.key, e.def.default),
                bounds: bounds_text(kind),
                description: e.def.description.to_owned(),
                input: input.to_owned(),
                choices,
            }
        })
        .collect();
    Ok(AdminReply {
        message,
        settings: Some(settings),
        ..AdminReply::default()
    })
}

fn users_reply(kiosk: &Kiosk, message: String) -> Result<AdminReply, KioskError> {
    let times: HashMap<String, (Option<String>, Option<String>)> = kiosk
        .last_session_times()?
        .into_iter()
        .map(|(u, a, b)| (u, (a, b)))
        .collect();
    let users = kiosk
        .list_users()?
        .into_iter()
        .map(|u| {
            let (last_sign_in, last_sign_out) = times.get(&u.username).cloned().unwrap_or_default();
            AdminUser {
                admin: u.role == Role::Admin,
                enabled: u.enabled,
                locked: u.locked,
                last_sign_in,
                last_sign_out,
                display_name: u.display_name,
                username: u.username,
            }
        })
        .collect();
    Ok(AdminReply {
        message,
        users: Some(users),
        ..AdminReply::default()
    })
}

fn audit_page(kiosk: &Kiosk, q: &AuditQuery) -> Result<AdminAuditPage, KioskError> {
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let bound = |name: &str, s: &str| -> Result<Option<String>, KioskError> {
        match text(s) {
            None => Ok(None),
            Some(t) => time_bound(&t).map(Some).ok_or_else(|| {
                KioskError::InvalidRequest(format!(
                    "{name} must be a date like 2026-11-21, not {t:?}."
                ))
            }),
        }
    };
    let filter = AuditFilter {
        username: text(&q.user),
        event: text(&q.event),
        reason: text(&q.reason),
        since: bound("From", &q.since)?,
        until: bound("Until", &q.until)?,
        limit: AUDIT_PAGE + 1,
        before_seq: q.before,
    };
    let mut rows = kiosk.audit_list(&filter)?;
    let more = rows.len() > AUDIT_PAGE as usize;
    rows.truncate(AUDIT_PAGE as usize);
    let next_before = if more {
        rows.last().map(|r| r.seq)
    } else {
        None
    };
    Ok(AdminAuditPage {
        records: rows
            .into_iter()
            .map(|r| AdminAuditRecord {
                at: r.local_time(),
                seq: r.seq,
                event: r.event,
                user: r.username,
                duration_ms: r.duration_ms,
                details: r.details,
            })
            .collect(),
        next_before,
    })
}

fn terminal(kiosk: &Kiosk) -> Result<AdminTerminal, KioskError> {
    let policy = kiosk.policy()?;
    let last_wipe = match kiosk.last_ended_session()? {
        Some(s) => format!(
            "{} at {} ({}).",
            if s.erased == Some(true) {
                "Wiped and re-checked"
            } else {
                "NOT fully wiped"
            },
            s.ended_at.unwrap_or_default(),
            s.end_reason.map_or("?", |r| r.as_db())
        ),
        None => "No session has ended yet.".to_owned(),
    };
    Ok(AdminTerminal {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        terminal_name: kiosk.terminal(),
        data_dir: kiosk.data_dir().path().display().to_string(),
        policy_file: policy.layer.file.clone(),
        policy_keys: policy.layer.values.keys().cloned().collect(),
        policy_problems: policy.problems.clone(),
        last_wipe,
        audit_head: kiosk.audit_head()?.map(|r| r.seq),
    })
}
