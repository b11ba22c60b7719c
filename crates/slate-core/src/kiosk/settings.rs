//! The settings in force and the policy files that lock some of them: reading both, watching
//! the files for changes (and auditing what a new version changes), and the administrator's
//! changes to settings.

use super::{lock, Kiosk, KioskError};
use crate::api::RoomScope;
use crate::audit::{Actor, AuditEvent, Event};
use crate::policy::{Policy, PolicySource, PolicyStamp};
use crate::room::settings::RoomValue;
use crate::settings::{public_value, Effective, SettingError, Settings};
use serde_json::json;
use std::sync::Arc;

/// The policy in force, where it comes from, and the version of the files it was read from.
#[derive(Debug, Default)]
pub(super) struct PolicyState {
    pub(super) source: Option<PolicySource>,
    /// Whether `source` has been read; `stamp` is its files' versions then.
    pub(super) read: bool,
    pub(super) stamp: PolicyStamp,
    pub(super) current: Arc<Policy>,
}

/// What the settings in force were read at ([`Kiosk::settings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SettingsAt {
    data: i64,
    local: u64,
    policy: String,
}

/// See [`Kiosk::change_stamp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeStamp {
    data: i64,
    local: u64,
    policy: Option<PolicyStamp>,
}

impl Kiosk {
    /// Reads the policy from `source` (the top settings layer: the main file, then its drop-ins)
    /// and keeps following it: changes to the files apply within the next settings read.
    /// Problems are audited.
    pub fn use_policy(&self, source: PolicySource) -> Result<(), KioskError> {
        {
            let mut state = lock(&self.policy);
            state.source = Some(source);
            state.read = false;
        }
        self.policy().map(|_| ())
    }

    /// The policy in force, re-read first if one of its files changed (a `stat` of each file
    /// and a listing of the drop-in folder when none did).
    /// The policy lock is never held while the store is locked (`record` takes them the other
    /// way round).
    pub fn policy(&self) -> Result<Arc<Policy>, KioskError> {
        let (source, stamp, previous) = {
            let state = lock(&self.policy);
            let Some(source) = state.source.clone() else {
                return Ok(Arc::clone(&state.current));
            };
            // Unchanged (or still absent) since the last read: nothing to do.
            let stamp = source.stamp();
            if state.read && stamp == state.stamp {
                return Ok(Arc::clone(&state.current));
            }
            (source, stamp, Arc::clone(&state.current))
        };
        // (Should the file change between the stat and the read, the next call reads it again.)
        let fresh = Policy::load(&source);
        if *previous != fresh {
            self.note_policy(&previous, &fresh)?;
        }
        let mut state = lock(&self.policy);
        state.stamp = stamp;
        state.read = true;
        if *state.current != fresh {
            state.current = Arc::new(fresh);
        }
        Ok(Arc::clone(&state.current))
    }

    /// Audits what a newly read policy changes, once per version of its files (the last one
    /// seen is kept in the database, so a restart does not repeat it): each problem as a
    /// `policy_problem` record, each value it changes as `setting_changed` by the policy file
    /// that set (or stopped setting) it. While the audit key cannot be used, nothing is noted.
    pub(super) fn note_policy(&self, before: &Policy, after: &Policy) -> Result<(), KioskError> {
        for problem in &after.problems {
            tracing::warn!("{problem}");
        }
        if let Err(problem) = self.audit_key() {
            // The files apply all the same (they are the administrator's); what they change is
            // audited once the key is back, since their digest is stored only then.
            tracing::warn!("the policy files' changes are not audited yet: {problem}");
            return Ok(());
        }
        let store = lock(&self.store);
        if store.meta("policy_digest")?.as_deref() == Some(after.digest.as_str()) {
            return Ok(());
        }
        let previous: crate::settings::PolicyLayer = store
            .meta("policy_values")?
            .and_then(|v| serde_json::from_str(&v).ok())
            .map_or_else(
                || before.layer.clone(),
                |values| crate::settings::PolicyLayer {
                    values,
                    set_by: store
                        .meta("policy_set_by")
                        .ok()
                        .flatten()
                        .and_then(|v| serde_json::from_str(&v).ok())
                        .unwrap_or_default(),
                    held: std::collections::BTreeSet::new(),
                },
            );
        store.atomically(|store| {
            let old = store.effective_settings(&previous)?;
            let new = store.effective_settings(&after.layer)?;
            let main = after.files.first().or(before.files.first());
            self.record_changes(store, &old, &new, |o, n| {
                let file = n.file.as_ref().or(o.file.as_ref()).or(main);
                format!("policy file {}", file.map_or("", String::as_str))
            })?;
            for problem in &after.problems {
                self.record(
                    store,
                    AuditEvent::new(
                        Event::PolicyProblem,
                        json!({ "file": problem.file, "problem": problem.to_string() }),
                    ),
                )?;
            }
            store.set_meta("policy_digest", &after.digest)?;
            store.set_meta(
                "policy_values",
                &serde_json::to_string(&after.layer.values).unwrap_or_default(),
            )?;
            store.set_meta(
                "policy_set_by",
                &serde_json::to_string(&after.layer.set_by).unwrap_or_default(),
            )?;
            Ok::<(), KioskError>(())
        })?;
        Ok(())
    }

    /// Audits each value in force that differs between `old` and `new` (every setting, in
    /// [`crate::settings::SETTINGS`]' order) as `setting_changed`, by whom `by` says; secrets only
    /// as set or not.
    fn record_changes(
        &self,
        store: &crate::store::Store,
        old: &[Effective],
        new: &[Effective],
        by: impl Fn(&Effective, &Effective) -> String,
    ) -> Result<(), KioskError> {
        for (o, n) in old.iter().zip(new).filter(|(o, n)| o.value != n.value) {
            let key = n.def.key;
            self.record(
                store,
                AuditEvent::new(
                    Event::SettingChanged,
                    json!({
                        "key": key,
                        "old": public_value(key, &o.value),
                        "new": public_value(key, &n.value),
                        "by": by(o, n),
                    }),
                ),
            )?;
        }
        Ok(())
    }

    /// The settings in force: defaults < administrator values (in a room, the room's) <
    /// policy file. Read again only when they may have changed since the last read: a commit by
    /// another process (SQLite's `data_version`), a change through this instance
    /// (`local_changes`, moved after each such write), or another version of the policy files.
    pub fn settings(&self) -> Result<Settings, KioskError> {
        let policy = self.policy()?;
        let store = lock(&self.store);
        let at = SettingsAt {
            data: store.data_version()?,
            local: self.local_changes.load(std::sync::atomic::Ordering::SeqCst),
            policy: policy.digest.clone(),
        };
        if let Some((read_at, settings)) = &*lock(&self.settings_cache) {
            if *read_at == at {
                return Ok(settings.clone());
            }
        }
        let settings = store.settings(&policy.layer)?;
        *lock(&self.settings_cache) = Some((at, settings.clone()));
        Ok(settings)
    }

    /// A write through this instance that may change the settings in force is done: a read
    /// after it reads them again (the store's lock is held, so no read comes between the write
    /// and this).
    fn settings_written(&self) {
        self.local_changes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// A value that changes whenever the settings in force or an end request may have changed:
    /// a commit by another process (SQLite's `data_version`), a setting changed through this
    /// instance, or a new version of a policy file. The live session looks at it when the
    /// kernel reports a write in one of [`Self::change_folders`], and re-reads settings and end
    /// requests only when it moved (`None`: cannot tell, read).
    pub fn change_stamp(&self) -> Option<ChangeStamp> {
        let data = lock(&self.store).data_version().ok()?;
        // The files are looked at without holding the lock.
        let source = lock(&self.policy).source.clone();
        let policy = source.as_ref().map(PolicySource::stamp);
        Some(ChangeStamp {
            data,
            local: self.local_changes.load(std::sync::atomic::Ordering::SeqCst),
            policy,
        })
    }

    /// The folders whose writes may move [`Self::change_stamp`]: the database's (its commits
    /// write its journal there), and the policy file's and its drop-ins' (an edit, a new file,
    /// a changed mode). Some may not exist.
    pub fn change_folders(&self) -> Vec<std::path::PathBuf> {
        let mut folders = vec![self.data_dir.path().to_path_buf()];
        if let Some(source) = lock(&self.policy).source.clone() {
            folders.extend(source.path.parent().map(std::path::Path::to_path_buf));
            folders.extend(source.drop_in_dir());
        }
        folders
    }

    /// Stores an administrator setting (refused for a key a policy file sets). In a room, the
    /// value is this terminal's own ([`Self::change_setting_for`] chooses).
    pub fn set_setting(
        &self,
        by: &Actor,
        key: &str,
        value: &str,
    ) -> Result<(String, String), KioskError> {
        self.change_setting_for(by, key, Some(value), None)
    }

    /// Removes an administrator setting, so the default applies (refused for a policy key).
    /// In a room, this terminal's own value, so its group's or the room's applies.
    pub fn unset_setting(&self, by: &Actor, key: &str) -> Result<(String, String), KioskError> {
        self.change_setting_for(by, key, None, None)
    }

    /// Sets (`Some`) or removes (`None`) a value. On a terminal of its own, the
    /// administrator's (`scope` is not used); in a room, the room's value for `scope` (this
    /// terminal when `None`). Refused for a key this terminal's policy sets, a bad value, or a
    /// combination the rules between settings forbid here. Audited here (and, in a room, in
    /// the room's record of changes). Returns the value in force before, and the value saved
    /// (for a removal, the one in force now).
    pub fn change_setting_for(
        &self,
        by: &Actor,
        key: &str,
        value: Option<&str>,
        scope: Option<RoomScope>,
    ) -> Result<(String, String), KioskError> {
        let policy = self.policy()?;
        self.local_changes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let store = lock(&self.store);
        let room = self.room.as_ref().filter(|_| store.in_room());
        let scope = room.map(|_| scope.unwrap_or(RoomScope::Terminal));
        let changed = store.atomically(|store| {
            let (old, new, in_force) = if let (Some(room), Some(scope)) = (room, scope) {
                let (old, new) = crate::settings::check_change(key, value, &policy.layer, || {
                    store.effective_settings(&policy.layer)
                })?;
                let staff = by.to_string();
                let done = room.set_setting(scope, key, value.map(|_| new.as_str()), &staff)?;
                match (done, value) {
                    (false, Some(_)) => return Err(KioskError::Setting(SettingError::NoGroup)),
                    (false, None) => return Err(KioskError::Setting(SettingError::NoSuchValue)),
                    _ => {}
                }
                store.keep_room_values(&usable(room.my_settings()?))?;
                let now = store.effective_settings(&policy.layer)?;
                let in_force = now
                    .iter()
                    .find(|e| e.def.key == key)
                    .map_or_else(|| new.clone(), |e| e.value.clone());
                let saved = if value.is_some() {
                    new
                } else {
                    in_force.clone()
                };
                (old, saved, in_force)
            } else {
                let (old, new) =
                    store.set_setting(key, value, self.clock.now_utc(), &policy.layer)?;
                (old, new.clone(), new)
            };
            // A secret is never recorded nor handed back: only whether it is set.
            let (old, new) = (public_value(key, &old), public_value(key, &new));
            let mut details = json!({
                "key": key, "old": old, "new": public_value(key, &in_force), "by": by.to_string(),
            });
            if let Some(scope) = scope {
                details["for"] = json!(scope.text());
                details["saved"] = json!(new);
            }
            self.record(store, AuditEvent::new(Event::SettingChanged, details))?;
            Ok::<_, KioskError>((old, new))
        });
        self.settings_written();
        drop(store);
        changed
    }

    /// For a terminal in a room: reads the room's values that apply here again, keeps them
    /// (so they hold while the room is away) and audits each value in force that they change
    /// (`by` the room). Called when the room says its settings changed, and at each
    /// connection to it. The first time in a room, this terminal's own values from before it
    /// joined are brought into the room as its own (so joining changes nothing here).
    pub fn refresh_room_settings(&self) -> Result<(), KioskError> {
        let Some(room) = &self.room else {
            return Ok(());
        };
        self.bring_own_values(room)?;
        let fresh = usable(room.my_settings()?);
        let group = room.my_group()?;
        let policy = self.policy()?;
        let store = lock(&self.store);
        if store.meta(ROOM_GROUP)?.as_deref() != Some(group.as_deref().unwrap_or("")) {
            store.set_meta(ROOM_GROUP, group.as_deref().unwrap_or(""))?;
        }
        if store.room_values()? == fresh {
            return Ok(());
        }
        self.local_changes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let kept = store.atomically(|store| {
            let old = store.effective_settings(&policy.layer)?;
            let new = store.effective_with(&policy.layer, &fresh)?;
            store.keep_room_values(&fresh)?;
            self.record_changes(store, &old, &new, |_, n| match (n.layer, &n.group) {
                (crate::settings::Layer::Group, Some(g)) => format!("the room (group {g})"),
                (crate::settings::Layer::Terminal, _) => "the room (this terminal)".into(),
                _ => "the room".into(),
            })
        });
        self.settings_written();
        kept
    }

    /// Once per room: this terminal's own values from before it joined (the `settings`
    /// table) become its own values in the room, unless the room has one for it already;
    /// recorded in the room ("brought by desk-1").
    fn bring_own_values(&self, room: &crate::room::Room) -> Result<(), KioskError> {
        let mark = format!("brought to {}", room.cursor_name());
        let own = {
            let store = lock(&self.store);
            if store.meta(ROOM_BROUGHT)?.as_deref() == Some(mark.as_str()) {
                return Ok(());
            }
            crate::settings::SETTINGS
                .iter()
                .filter_map(|def| match store.setting(def.key) {
                    Ok(Some(v)) => Some(Ok((def.key, v))),
                    Ok(None) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        let held: std::collections::BTreeSet<String> = room
            .my_settings()?
            .into_iter()
            .filter(|v| v.scope == RoomScope::Terminal)
            .map(|v| v.key)
            .collect();
        let by = format!("{} (its own values, on joining)", room.terminal());
        for (key, value) in own.iter().filter(|(k, _)| !held.contains(*k)) {
            room.set_setting(RoomScope::Terminal, key, Some(value), &by)?;
        }
        lock(&self.store).set_meta(ROOM_BROUGHT, &mark)?;
        if !own.is_empty() {
            tracing::info!("this terminal's own settings were brought into the room as its own");
        }
        Ok(())
    }

    /// For a terminal in a room: what its panel may change a setting for (its name, and its
    /// group as last read from the room: kept at each read, which a change of group brings).
    pub fn room_settings_at(&self) -> Option<crate::api::RoomSettingsAt> {
        let room = self.room.as_ref()?;
        let group = lock(&self.store).meta(ROOM_GROUP).unwrap_or_else(|e| {
            tracing::warn!("this terminal's group in the room cannot be read here: {e}");
            None
        });
        Some(crate::api::RoomSettingsAt {
            terminal: room.terminal().to_string(),
            group: group.filter(|g| !g.is_empty()),
        })
    }

    /// Each setting's value in force and the layer that set it.
    /// Secrets say only whether they are set ([`public_value`]): this is what the panel and
    /// `slatectl` show.
    pub fn settings_in_force(&self) -> Result<Vec<Effective>, KioskError> {
        let policy = self.policy()?;
        let mut all = lock(&self.store).effective_settings(&policy.layer)?;
        for e in &mut all {
            e.value = public_value(e.def.key, &e.value);
        }
        Ok(all)
    }
}

/// The `meta` keys of a terminal in a room: its group as last read, and the room its own
/// values were brought to.
const ROOM_GROUP: &str = "room_group";
const ROOM_BROUGHT: &str = "room_own_values";

/// The room's values by key: for each, the first (the most particular) this Slate can use. A
/// value it cannot (written by hand, or by a newer Slate) gives way to the next, never to the
/// default over a good one; a key it does not know is left out.
fn usable(values: Vec<RoomValue>) -> std::collections::BTreeMap<String, RoomValue> {
    let mut chosen = std::collections::BTreeMap::new();
    for v in values {
        if chosen.contains_key(&v.key) {
            continue;
        }
        let Some(def) = crate::settings::definition(&v.key) else {
            continue;
        };
        match crate::settings::validate(def, &v.value) {
            Ok(value) => {
                chosen.insert(v.key.clone(), RoomValue { value, ..v });
            }
            Err(e) => tracing::warn!("the room's value of {} is not used: {e}", v.key),
        }
    }
    chosen
}
