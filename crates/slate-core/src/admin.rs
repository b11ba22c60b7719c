//! The administrator panel's requests ([`AdminRequest`]), answered from the kiosk. The session
//! manager's gate ([`super::session::SessionHandle::admin`]) decides who may ask and hands out
//! the [`AdminGrant`] every request needs; this module only does what is asked, with the same
//! rules and audit as `slatectl`, in the name of the administrator the grant names.

use std::collections::HashMap;

use super::accounts::{DailyTime, Role};
use super::api::{
    AdminAuditPage, AdminAuditRecord, AdminReply, AdminRequest, AdminSetting, AdminTerminal,
    AdminUser, AuditQuery, SettingInput,
};
use super::audit::{time_bound, Actor, AuditFilter};
use super::kiosk::{Kiosk, KioskError};
use super::phrase::Phrase;
use super::session::AdminGrant;
use super::settings::{
    bounds_phrase, definition, human_value, kind_of, validate, Kind, SettingError,
};
use super::status::TerminalStatus;

/// Records per audit page.
pub const AUDIT_PAGE: u32 = 50;

/// Answers one request of the administrator `grant` names.
pub fn handle(
    kiosk: &Kiosk,
    grant: &AdminGrant,
    request: AdminRequest,
) -> Result<AdminReply, KioskError> {
    let by = grant.actor();
    let reply = match request {
        AdminRequest::Settings => settings_reply(kiosk, Phrase::none())?,
        request @ (AdminRequest::CheckSetting { .. }
        | AdminRequest::SetSetting { .. }
        | AdminRequest::UnsetSetting { .. }) => setting(kiosk, &by, request)?,
        AdminRequest::Users => users_reply(kiosk, Phrase::none())?,
        AdminRequest::AddUser {
            username,
            display_name,
            password,
            admin,
        } => {
            let role = if admin { Role::Admin } else { Role::User };
            let a = kiosk.add_user(&by, &username, &display_name, role, &password)?;
            users_reply(kiosk, Phrase::new("Added {user}.").text("user", a.username))?
        }
        AdminRequest::SetUserEnabled { username, enabled } => {
            kiosk.set_user_enabled(&by, &username, enabled)?;
            let did = if enabled {
                Phrase::new("Enabled {user}.")
            } else {
                Phrase::new("Disabled {user}.")
            };
            users_reply(kiosk, did.text("user", username.trim()))?
        }
        AdminRequest::SetDailyTime { username, daily } => {
            set_daily_time(kiosk, &by, &username, &daily)?
        }
        AdminRequest::ResetPassword { username, password } => {
            kiosk.set_password(&by, &username, &password)?;
            users_reply(
                kiosk,
                Phrase::new("Changed the password of {user}.").text("user", username.trim()),
            )?
        }
        AdminRequest::Unlock { username } => {
            kiosk.unlock_user(&by, &username)?;
            users_reply(
                kiosk,
                Phrase::new("Unlocked {user}.").text("user", username.trim()),
            )?
        }
        AdminRequest::RemoveUser { username } => {
            kiosk.remove_user(&by, &username)?;
            users_reply(
                kiosk,
                Phrase::new("Removed {user}.").text("user", username.trim()),
            )?
        }
        AdminRequest::Audit { query } => AdminReply {
            audit: Some(audit_page(kiosk, &query)?),
            ..AdminReply::default()
        },
        AdminRequest::VerifyAudit => AdminReply {
            message: verified(kiosk)?,
            ..AdminReply::default()
        },
        AdminRequest::Terminal => AdminReply {
            terminal: Some(terminal(kiosk)?),
            ..AdminReply::default()
        },
        request @ (AdminRequest::Room
        | AdminRequest::EndRoomSession { .. }
        | AdminRequest::EndPersonEverywhere { .. }
        | AdminRequest::SendRoomMessage { .. }) => room(kiosk, &by, request)?,
        AdminRequest::TestSource {
            source,
            username,
            password,
        } => AdminReply {
            // The outcome is said with the steps (once, to a screen reader too).
            source_test: Some(kiosk.test_source(&by, source, &username, &password)?),
            ..AdminReply::default()
        },
        AdminRequest::Usage { since, until } => AdminReply {
            usage: Some(kiosk.usage(&since, &until)?),
            ..AdminReply::default()
        },
        request @ (AdminRequest::CreateGuestPasses { .. }
        | AdminRequest::GuestPasses
        | AdminRequest::RevokeGuestPasses { .. }) => guest_passes(kiosk, &by, request)?,
        AdminRequest::LeaveKiosk => leave(kiosk, grant)?,
    };
    Ok(reply)
}

/// One setting checked, saved or set back to its default.
fn setting(kiosk: &Kiosk, by: &Actor, request: AdminRequest) -> Result<AdminReply, KioskError> {
    Ok(match request {
        AdminRequest::CheckSetting { key, value } => AdminReply {
            message: check(kiosk, &key, &value)?,
            ..AdminReply::default()
        },
        AdminRequest::SetSetting { key, value, scope } => {
            let (_, new) = kiosk.change_setting_for(by, &key, Some(&value), scope)?;
            settings_reply(
                kiosk,
                in_words(Phrase::new("Saved {key}: {value}."), &key, &new),
            )?
        }
        // `UnsetSetting`, the one other request sent here.
        AdminRequest::UnsetSetting { key, scope } => {
            let (_, new) = kiosk.change_setting_for(by, &key, None, scope)?;
            let said = if kiosk.in_room() {
                Phrase::new("Removed that value of {key}; in force here now: {value}.")
            } else {
                Phrase::new("{key} is back to its default: {value}.")
            };
            settings_reply(kiosk, in_words(said, &key, &new))?
        }
        _ => AdminReply::default(),
    })
}

/// The Guest passes section: make a batch (its codes in the reply, this once), list, revoke.
fn guest_passes(
    kiosk: &Kiosk,
    by: &Actor,
    request: AdminRequest,
) -> Result<AdminReply, KioskError> {
    Ok(match request {
        AdminRequest::CreateGuestPasses {
            count,
            minutes,
            valid_until,
        } => {
            let (batch, issued) = kiosk.create_guest_passes(by, count, minutes, &valid_until)?;
            AdminReply {
                message: Phrase::new(
                    "Made {count} guest passes: print them now, they are not shown again.",
                )
                .number("count", u64::from(batch.count)),
                issued: Some(Kiosk::issued_passes(&batch, &issued)),
                passes: Some(kiosk.guest_passes()?),
                ..AdminReply::default()
            }
        }
        AdminRequest::RevokeGuestPasses { id, batch } => {
            let n = kiosk.revoke_guest_passes(by, id, batch.as_deref())?;
            AdminReply {
                message: Phrase::new("Revoked {count} unused guest passes.")
                    .number("count", n as u64),
                passes: Some(kiosk.guest_passes()?),
                ..AdminReply::default()
            }
        }
        // `GuestPasses`, the one other request sent here: the list.
        _ => AdminReply {
            passes: Some(kiosk.guest_passes()?),
            ..AdminReply::default()
        },
    })
}

/// The Terminals section, for a terminal in a room: every terminal's state, ending the session
/// at one of them, or every session of a person. Each answer carries the room as it is now.
fn room(kiosk: &Kiosk, by: &Actor, request: AdminRequest) -> Result<AdminReply, KioskError> {
    if !kiosk.in_room() {
        return Ok(AdminReply::default());
    }
    let message = match request {
        AdminRequest::EndRoomSession { terminal } => {
            if kiosk.room_end_session(by, &terminal)? {
                Phrase::new("Asked {terminal} to end its session.").text("terminal", &terminal)
            } else {
                Phrase::new("Nobody is signed in at {terminal}.").text("terminal", &terminal)
            }
        }
        AdminRequest::SendRoomMessage { terminal, text } => {
            if kiosk.room_message(by, &terminal, &text)? {
                Phrase::new("Sent your message to {terminal}.").text("terminal", &terminal)
            } else {
                Phrase::new("Nobody is signed in at {terminal}.").text("terminal", &terminal)
            }
        }
        AdminRequest::EndPersonEverywhere { username } => {
            let n = kiosk.room_end_everywhere(by, &username)?;
            Phrase::new("Sessions of {user} asked to end: {sessions}.")
                .text("user", username.trim())
                .number("sessions", u64::from(n))
        }
        _ => Phrase::default(),
    };
    Ok(AdminReply {
        message,
        room: Some(kiosk.room_status()?),
        ..AdminReply::default()
    })
}

/// Records that the administrator leaves kiosk mode; the service then ends the session and
/// closes the screen.
fn leave(kiosk: &Kiosk, grant: &AdminGrant) -> Result<AdminReply, KioskError> {
    kiosk.record_kiosk_left(grant.username())?;
    Ok(AdminReply {
        message: Phrase::new(
            "Leaving kiosk mode: your session ends now, and this terminal shows the login screen until it is restarted.",
        ),
        ..AdminReply::default()
    })
}

/// Whether the audit chain verifies, in a sentence.
fn verified(kiosk: &Kiosk) -> Result<Phrase, KioskError> {
    Ok(match kiosk.audit_verify(None) {
        Ok(r) => Phrase::new("The audit log is intact: {count} records, head {head}.")
            .number("count", r.records)
            .text("head", r.head.as_deref().unwrap_or("none")),
        Err(KioskError::Audit(e)) => {
            Phrase::new("The audit log does not verify: {why}").text("why", e.to_string())
        }
        Err(e) => return Err(e),
    })
}

/// `phrase` with its `{key}` and its `{value}` as people write it ("(empty)" when empty).
fn in_words(phrase: Phrase, key: &str, value: &str) -> Phrase {
    let v = human_value(key, value);
    let phrase = phrase.setting("key", key);
    if v.is_empty() {
        phrase.phrase("value", Phrase::new("(empty)"))
    } else {
        phrase.text("value", v)
    }
}

/// Whether `value` would be accepted for `key`: no sentence, or the problem.
fn check(kiosk: &Kiosk, key: &str, value: &str) -> Result<Phrase, KioskError> {
    let Some(def) = definition(key) else {
        return Ok(SettingError::Unknown(key.to_owned()).phrase());
    };
    let policy = kiosk.policy()?;
    if policy.layer.sets(key) {
        return Ok(SettingError::SetByPolicy {
            key: key.to_owned(),
            file: policy.layer.file_of(key).unwrap_or_default().to_owned(),
        }
        .phrase());
    }
    Ok(validate(def, value)
        .err()
        .map(|e| e.phrase())
        .unwrap_or_default())
}

fn settings_reply(kiosk: &Kiosk, message: Phrase) -> Result<AdminReply, KioskError> {
    let settings = kiosk
        .settings_in_force()?
        .into_iter()
        .map(|e| {
            let kind = kind_of(e.def);
            let (input, choices) = match kind {
                Kind::Bool => (
                    SettingInput::Bool,
                    vec!["true".to_owned(), "false".to_owned()],
                ),
                Kind::Choice(c) => (
                    SettingInput::Choice,
                    c.iter().map(|s| (*s).to_owned()).collect(),
                ),
                Kind::Secret { .. } => (SettingInput::Secret, Vec::new()),
                Kind::Notice => (SettingInput::LongText, Vec::new()),
                _ => (SettingInput::Text, Vec::new()),
            };
            AdminSetting {
                key: e.def.key.to_owned(),
                shown: human_value(e.def.key, &e.value),
                value: e.value,
                layer: e.layer,
                group: e.group,
                default: human_value(e.def.key, e.def.default),
                bounds: bounds_phrase(kind),
                description: e.def.description.to_owned(),
                input,
                choices,
            }
        })
        .collect();
    Ok(AdminReply {
        message,
        settings: Some(settings),
        room_at: kiosk.room_settings_at(),
        ..AdminReply::default()
    })
}

fn users_reply(kiosk: &Kiosk, message: Phrase) -> Result<AdminReply, KioskError> {
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
                failed_sign_ins: u.failed_sign_ins,
                paused_until: u.paused_until.map(crate::clock::to_db),
                last_sign_in,
                last_sign_out,
                daily_time: u.daily_time,
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
    let bound = |name: fn() -> Phrase, s: &str| -> Result<Option<String>, KioskError> {
        match text(s) {
            None => Ok(None),
            Some(t) => time_bound(&t).map(Some).ok_or_else(|| {
                KioskError::InvalidRequest(
                    Phrase::new("{field} must be a date like 2026-11-21, not {value}.")
                        .phrase("field", name())
                        .text("value", format!("{t:?}")),
                )
            }),
        }
    };
    let filter = AuditFilter {
        username: text(&q.user),
        event: text(&q.event),
        reason: text(&q.reason),
        since: bound(|| Phrase::new("From"), &q.since)?,
        until: bound(|| Phrase::new("Until"), &q.until)?,
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
    let status = TerminalStatus::read(kiosk)?;
    let last_wipe = match status.last_wipe() {
        Some(w) => if w.complete {
            Phrase::new("Wiped and re-checked at {time} ({reason}).")
        } else {
            Phrase::new("NOT fully wiped at {time} ({reason}).")
        }
        .time("time", w.ended_at.unwrap_or_default())
        .text("reason", w.reason.unwrap_or("?")),
        None => Phrase::new("No session has ended yet."),
    };
    Ok(AdminTerminal {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        policy_keys: status.policy_keys(),
        policy_problems: status
            .policy
            .problems
            .iter()
            .map(|p| p.phrase.clone())
            .collect(),
        policy_file: status.policy_files(),
        last_wipe,
        audit_head: status.audit_head.map(|h| h.seq),
        terminal_name: status.terminal_name,
        data_dir: status.data_dir,
    })
}

/// A person's own daily time set, and the users as they are now.
fn set_daily_time(
    kiosk: &Kiosk,
    by: &crate::audit::Actor,
    username: &str,
    daily: &str,
) -> Result<AdminReply, KioskError> {
    let did = match kiosk.set_daily_time(by, username, daily)? {
        DailyTime::AsSet => Phrase::new("{user} has this terminal's daily time."),
        DailyTime::Unlimited => Phrase::new("{user} has no daily limit."),
        DailyTime::Limit { secs } => {
            Phrase::new("{user} has {duration} a day.").seconds("duration", secs)
        }
    };
    users_reply(kiosk, did.text("user", username.trim()))
}
