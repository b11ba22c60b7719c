//! The policy: the top settings layer, for fleets. Config management drops TOML files in place:
//! the main file (default `/etc/slate/policy.toml`, or `--policy FILE` / `SLATE_POLICY`) and the
//! drop-ins in the folder beside it ([`PolicySource::drop_in_dir`]: `/etc/slate/policy.d/`),
//! read after it in byte order of their names, each later file overriding the earlier ones key by
//! key. Every key they set is locked against the panel and `slatectl config set`, and each key
//! remembers the file that set it.
//!
//! The policy fails closed. A key a file tries to set with a value that cannot be used (wrong
//! type, out of bounds, not understood, a rule between two keys broken) stays locked, held at its
//! strictest value ([`crate::settings::SettingDef::strictest`]), never at the administrator's
//! value or the default; the problem names the file, line, key, why, and the value held. When
//! Slate cannot tell which keys a file meant (it is not TOML, cannot be read, names a key Slate
//! does not know, or is writable by someone other than root, [`ownership_problem`]), every key
//! that file does not itself set is held at its strictest, in its place in the order: a later
//! file still overrides it key by key. The kiosk records each problem in the audit (see
//! [`super::kiosk`]).
//!
//! Symbolic links are followed (config management links files into `/etc`): what is checked is
//! the file at the end of the link, its owner and its mode.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::io_words;
use super::phrase::Phrase;
use super::settings::cross::CrossRule;
use super::settings::{definition, human_value, validate, Kind, PolicyLayer, SETTINGS};

/// The policy file used when none is named.
pub const DEFAULT_POLICY_FILE: &str = "/etc/slate/policy.toml";

/// Its drop-in folder ([`PolicySource::drop_in_dir`] of the default file).
pub const DEFAULT_DROP_IN_DIR: &str = "/etc/slate/policy.d";

/// Larger files are refused whole (a policy is a few lines).
const MAX_BYTES: u64 = 256 * 1024;

/// Where the policy comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    pub path: PathBuf,
    /// Named by the administrator (`--policy`, `SLATE_POLICY`): a missing file is a problem.
    /// The default path may simply not exist.
    pub explicit: bool,
}

impl PolicySource {
    /// `--policy FILE` if given, else `SLATE_POLICY`, else the default path.
    pub fn choose(flag: Option<PathBuf>) -> Self {
        let named = flag.or_else(|| {
            std::env::var_os("SLATE_POLICY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        match named {
            Some(path) => Self {
                path,
                explicit: true,
            },
            None => Self {
                path: PathBuf::from(DEFAULT_POLICY_FILE),
                explicit: false,
            },
        }
    }

    /// The folder of drop-ins read after the main file: beside it, named like it with `.d` for
    /// its extension (`/etc/slate/policy.toml` → `/etc/slate/policy.d`, `/srv/room.toml` →
    /// `/srv/room.d`). `None` when that would be the file itself (a path ending in `.d`). It
    /// may be missing.
    pub fn drop_in_dir(&self) -> Option<PathBuf> {
        self.path.file_name()?;
        Some(self.path.with_extension("d")).filter(|dir| *dir != self.path)
    }

    /// The version on disk of every file this policy reads, and of its drop-in folder (whose
    /// own time changes when a file is added, removed or renamed): read again when it changes.
    pub fn stamp(&self) -> PolicyStamp {
        let mut files = vec![(self.path.clone(), file_stamp(&self.path))];
        if let Some(dir) = self.drop_in_dir() {
            files.push((dir.clone(), file_stamp(&dir)));
            for file in drop_ins(&dir).unwrap_or_default() {
                let stamp = file_stamp(&file);
                files.push((file, stamp));
            }
        }
        PolicyStamp(files)
    }
}

/// See [`PolicySource::stamp`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyStamp(Vec<(PathBuf, Option<FileStamp>)>);

/// A file's version on disk: its contents (modified time, size, inode) and who may change it
/// (owner, group, mode), so fixing a file's mode is noticed like an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub modified: std::time::SystemTime,
    pub len: u64,
    pub ino: u64,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
}

/// Whether a file called `name` in a drop-in folder is read: it ends in `.toml` and does not
/// start with a dot. So editors' and package managers' leftovers (`room.toml~`,
/// `.room.toml.swp`, `room.toml.dpkg-old`, `.#room.toml`) are not.
pub fn is_drop_in_name(name: &OsStr) -> bool {
    let name = name.as_bytes();
    name.ends_with(b".toml") && !name.starts_with(b".")
}

/// The drop-ins in `dir`, in the order they are read: byte order of their names (as
/// `LC_ALL=C ls` lists them). A missing folder has none.
pub fn drop_ins(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut names = Vec::new();
    for entry in entries {
        let name = entry?.file_name();
        if is_drop_in_name(&name) {
            names.push(name);
        }
    }
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    Ok(names.into_iter().map(|n| dir.join(n)).collect())
}

/// Why a policy file or folder with this owner and mode cannot be trusted, as the end of a
/// sentence ("writable by group staff"), or `None` when it can: it must be owned by root (or by
/// the account Slate runs as, so tests and `make run` as an ordinary user work) and writable by
/// no group and no other account. `meta` is the file at the end of any symbolic link.
pub fn ownership_problem(meta: &std::fs::Metadata) -> Option<Phrase> {
    let me = rustix::process::geteuid().as_raw();
    if meta.mode() & 0o002 != 0 {
        Some(Phrase::new("writable by every account"))
    } else if meta.uid() != 0 && meta.uid() != me {
        Some(Phrase::new("owned by {owner}").text("owner", account_name(meta.uid())))
    } else if meta.mode() & 0o020 != 0 {
        Some(Phrase::new("writable by group {group}").text("group", group_name(meta.gid())))
    } else {
        None
    }
}

/// The name of the account `uid` (from `/etc/passwd`), else "uid N".
fn account_name(uid: u32) -> String {
    id_name("/etc/passwd", uid).unwrap_or_else(|| format!("uid {uid}"))
}

/// The name of the group `gid` (from `/etc/group`), else its number.
fn group_name(gid: u32) -> String {
    id_name("/etc/group", gid).unwrap_or_else(|| gid.to_string())
}

/// The name on the line of a `passwd`- or `group`-style file whose third field is `id`.
fn id_name(file: &str, id: u32) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let number = fields.nth(1)?;
        (number.parse() == Ok(id) && !name.is_empty()).then(|| name.to_owned())
    })
}

/// One thing wrong with a policy, in the file (or folder) it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// The file or folder, as the sentence names it.
    pub file: String,
    /// The line, when the problem is on one.
    pub line: Option<usize>,
    /// The sentence, naming the file (and line), saying what is wrong and what is held instead.
    pub phrase: Phrase,
}

impl std::fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.phrase.fmt(f)
    }
}

/// A loaded policy: the values it sets (and which file set each), and what was wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The checked values, for the settings, with the file that set each, and the keys held at
    /// their strictest.
    pub layer: PolicyLayer,
    /// The files read, in order (the main file first), problems or not; empty: no policy.
    pub files: Vec<String>,
    /// One sentence per problem, each naming the file and line.
    pub problems: Vec<PolicyProblem>,
    /// SHA-256 of the files' bytes (empty when there is no file), to notice changes.
    pub digest: String,
}

impl Policy {
    /// No policy file.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads the main file of `source`, then its drop-ins. Never fails: what cannot be used is
    /// a problem, and holds what it could have set at its strictest.
    pub fn load(source: &PolicySource) -> Self {
        let mut parts: Vec<Part> = read_file(&source.path, source.explicit)
            .into_iter()
            .collect();
        if let Some(dir) = source.drop_in_dir() {
            parts.extend(read_folder(&dir));
        }
        combine(parts)
    }

    /// One file alone, as `slatectl policy check FILE` checks it before it is deployed (a main
    /// file, or a drop-in on its own). A missing file is a problem.
    pub fn check_file(path: &Path) -> Self {
        combine(read_file(path, true).into_iter().collect())
    }
}

/// What a file says about one key.
#[derive(Debug)]
struct Entry {
    key: String,
    /// The checked value, or why it cannot be used (then the key is held at its strictest).
    value: Result<String, Phrase>,
    line: usize,
}

/// What one file (or a drop-in folder that cannot be used) contributes.
#[derive(Debug, Default)]
struct Part {
    /// The file read; `None` for a folder.
    file: Option<String>,
    /// The file or folder, as `set_by` and the problems name it.
    origin: String,
    /// In the order of the file.
    entries: Vec<Entry>,
    /// Slate cannot tell which keys it meant: every key it does not set is held at its strictest.
    holds_the_rest: bool,
    /// The problems that are not about one key (those are worded once the files are combined).
    problems: Vec<PolicyProblem>,
    digest: String,
}

impl Part {
    /// A file that cannot be used at all: every key is held at its strictest.
    fn file_problem(name: &str, why: Phrase) -> Self {
        Self::unusable(
            name,
            true,
            Phrase::new(
                "The policy file {file} {why}; every setting it could set is held at its strictest value until it is fixed.",
            )
            .text("file", name)
            .phrase("why", why),
        )
    }

    /// A file owned or writable by someone other than root: refused, every key held.
    fn untrusted_file(name: &str, how: Phrase) -> Self {
        Self::unusable(
            name,
            true,
            Phrase::new(
                "The policy file {file} is {how}; make it owned by root and not writable by others (chmod 644). Until then every setting it could set is held at its strictest value.",
            )
            .text("file", name)
            .phrase("how", how),
        )
    }

    /// A drop-in folder that cannot be listed: its files are unknown, every key is held.
    fn folder_problem(dir: &Path, why: Phrase) -> Self {
        let name = dir.display().to_string();
        Self::unusable(
            &name,
            false,
            Phrase::new(
                "The policy folder {folder} {why}; every setting its files could set is held at its strictest value until it is fixed.",
            )
            .text("folder", &name)
            .phrase("why", why),
        )
    }

    /// A drop-in folder owned or writable by someone other than root: refused with its files.
    fn untrusted_folder(dir: &Path, how: Phrase) -> Self {
        let name = dir.display().to_string();
        Self::unusable(
            &name,
            false,
            Phrase::new(
                "The policy folder {folder} is {how}; make it owned by root and not writable by others (chmod 755). Until then every setting its files could set is held at its strictest value.",
            )
            .text("folder", &name)
            .phrase("how", how),
        )
    }

    fn unusable(name: &str, is_file: bool, phrase: Phrase) -> Self {
        Self {
            file: is_file.then(|| name.to_owned()),
            origin: name.to_owned(),
            digest: format!("problem:{phrase}"),
            problems: vec![PolicyProblem {
                file: name.to_owned(),
                line: None,
                phrase,
            }],
            holds_the_rest: true,
            entries: Vec::new(),
        }
    }
}

/// Reads one file; `None` when it is absent and need not exist.
fn read_file(path: &Path, must_exist: bool) -> Option<Part> {
    let name = path.display().to_string();
    let problem = |why: Phrase| Some(Part::file_problem(&name, why));
    // Follows symbolic links: the file at the end is the one checked and read.
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => return None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return problem(Phrase::new("does not exist"))
        }
        Err(e) => return problem(unreadable(&e)),
    };
    if !meta.is_file() {
        return problem(Phrase::new("is not a file"));
    }
    // What is checked is what is read: the owner, mode and size of the file opened.
    let opened = std::fs::File::open(path).and_then(|f| f.metadata().map(|m| (f, m)));
    let (file, meta) = match opened {
        Ok((_, m)) if !m.is_file() => return problem(Phrase::new("is not a file")),
        Ok(both) => both,
        Err(e) => return problem(unreadable(&e)),
    };
    if let Some(how) = ownership_problem(&meta) {
        return Some(Part::untrusted_file(&name, how));
    }
    // (Read one byte more than allowed, to notice a file that grew since it was looked at.)
    let mut bytes = Vec::new();
    if let Err(e) =
        std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_BYTES + 1), &mut bytes)
    {
        return problem(unreadable(&e));
    }
    let size = meta.len().max(bytes.len() as u64);
    if size > MAX_BYTES {
        return problem(
            Phrase::new("is {size} bytes, larger than the {max} a policy may be")
                .number("size", size)
                .number("max", MAX_BYTES),
        );
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return problem(Phrase::new("is not UTF-8 text"));
    };
    // A secret may be set only in a file nobody but root can read.
    Some(read_text(&name, text, meta.mode() & 0o044 == 0))
}

/// The drop-ins of `dir`, each read; a folder that cannot be trusted or listed is one part that
/// holds every key. A missing folder has none.
fn read_folder(dir: &Path) -> Vec<Part> {
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Ok(meta) if meta.is_dir() => {
            if let Some(how) = ownership_problem(&meta) {
                return vec![Part::untrusted_folder(dir, how)];
            }
        }
        // Not a folder, or it cannot be looked at: listing it says why.
        _ => {}
    }
    match drop_ins(dir) {
        Ok(files) => files.iter().filter_map(|f| read_file(f, true)).collect(),
        Err(e) => vec![Part::folder_problem(dir, unreadable(&e))],
    }
}

fn unreadable(e: &std::io::Error) -> Phrase {
    Phrase::new("cannot be read ({why})").text("why", io_words::reason(e))
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A TOML value as the text the settings validate: arrays become comma-separated lists, and a
/// table of strings `{ mon = "09:00-20:00", sat = "10:00-16:00" }` (the opening hours) becomes
/// `mon 09:00-20:00, sat 10:00-16:00`.
fn as_text(kind: Kind, v: &toml::Value) -> Option<String> {
    match v {
        // The acceptable-use page's table form, `{ en = "…", es = "…" }`: a text per language.
        toml::Value::Table(texts) if kind == Kind::Notice => texts
            .iter()
            .map(|(language, text)| Some(format!("[{language}]\n{}", text.as_str()?.trim())))
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.join("\n\n")),
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Array(items) => items
            .iter()
            .map(|i| match i {
                toml::Value::String(s) => Some(s.clone()),
                toml::Value::Integer(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.join(",")),
        toml::Value::Table(days) => days
            .iter()
            .map(|(day, hours)| Some(format!("{day} {}", hours.as_str()?)))
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.join(", ")),
        _ => None,
    }
}

/// The value `key` is held at, as a piece of a sentence: durations said as durations, "off",
/// "(empty)", or the value as the file would write it.
fn held_value(phrase: Phrase, key: &str, value: &str) -> Phrase {
    let kind = definition(key).map(|d| d.kind);
    match (kind, value.parse::<u64>()) {
        (Some(Kind::Seconds { .. } | Kind::SecondsOrOff { .. }), Ok(secs)) if secs > 0 => {
            phrase.seconds("value", secs)
        }
        (Some(Kind::Sites), _) if value.is_empty() => {
            phrase.phrase("value", Phrase::new("no sites (no browser)"))
        }
        _ if value.is_empty() => phrase.phrase("value", Phrase::new("(empty)")),
        _ => phrase.text("value", human_value(key, value)),
    }
}

/// The sentence for a key whose value in `file` cannot be used: why, and what applies instead
/// (its strictest value, or the later file that sets it).
fn key_problem(
    policy: &PolicyLayer,
    file: &str,
    line: usize,
    key: &str,
    why: Phrase,
) -> PolicyProblem {
    let phrase = match policy.set_by.get(key) {
        Some(later) if !policy.held.contains(key) && later != file => Phrase::new(
            "{file}, line {line}: {why} The later file {later} sets {key}, and its value applies.",
        )
        .text("later", later),
        _ => held_value(
            Phrase::new(
                "{file}, line {line}: {why} {key} is held at its strictest, {value}, until the file is fixed.",
            ),
            key,
            policy.values.get(key).map_or("", String::as_str),
        ),
    };
    PolicyProblem {
        file: file.to_owned(),
        line: Some(line),
        phrase: phrase
            .text("file", file)
            .number("line", line as u64)
            .phrase("why", why.keys_as_written())
            .text("key", key),
    }
}

/// Checks one file's text, key by key (the rules between keys are checked once the files are
/// combined). `file` names it in the problems; a secret (`ldap_bind_password`) is refused from
/// a file that is not `private` (readable by others than root: the kiosk account could read it).
fn read_text(file: &str, text: &str, private: bool) -> Part {
    let mut part = Part {
        file: Some(file.to_owned()),
        origin: file.to_owned(),
        digest: hex::encode(Sha256::digest(text.as_bytes())),
        ..Part::default()
    };
    match toml::from_str::<BTreeMap<String, toml::Spanned<toml::Value>>>(text) {
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            let why = e.message().trim().trim_end_matches('.').to_owned();
            part.holds_the_rest = true;
            part.problems.push(PolicyProblem {
                file: file.to_owned(),
                line: Some(line),
                phrase: Phrase::new(
                    "The policy file {file} is not valid TOML at line {line} ({why}); every setting it could set is held at its strictest value until it is fixed.",
                )
                .text("file", file)
                .number("line", line as u64)
                .text("why", if why.is_empty() { "it is not valid TOML".into() } else { why }),
            });
        }
        Ok(map) => {
            // In the order of the file, so problems read top to bottom.
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by_key(|(_, v)| v.span().start);
            for (key, spanned) in entries {
                let line = line_of(text, spanned.span().start);
                let Some(def) = definition(&key) else {
                    // Which setting it meant cannot be told: all the file does not set is held.
                    part.holds_the_rest = true;
                    part.problems.push(PolicyProblem {
                        file: file.to_owned(),
                        line: Some(line),
                        phrase: Phrase::new(
                            "{file}, line {line}: there is no setting called {key}. Slate cannot tell which setting it was meant for, so every setting this file does not set is held at its strictest value until the file is fixed.",
                        )
                        .text("file", file)
                        .number("line", line as u64)
                        .text("key", format!("{key:?}")),
                    });
                    continue;
                };
                let bad_language = match spanned.get_ref() {
                    toml::Value::Table(t) if def.kind == Kind::Notice => t
                        .keys()
                        .find(|k| !crate::notice::is_language_code(k))
                        .cloned(),
                    _ => None,
                };
                let checked = match as_text(def.kind, spanned.get_ref()) {
                    _ if bad_language.is_some() => Err(Phrase::new(
                        "{key}: each text of the table is named by its language's code, such as en or es, not {language}.",
                    )
                    .text("key", &key)
                    .text("language", bad_language.unwrap_or_default())),
                    Some(_) if matches!(def.kind, Kind::Secret { .. }) && !private => {
                        Err(Phrase::new(
                            "{key} is a secret, and others than root can read this file: set it in a file only root can read (chmod 600), or with slatectl config set {key} -.",
                        )
                        .text("key", &key))
                    }
                    Some(text_value) => validate(def, &text_value).map_err(|e| e.phrase()),
                    None => Err(Phrase::new(
                        "{key} must be a string, a number, true/false or a list of them.",
                    )
                    .text("key", &key)),
                };
                part.entries.push(Entry {
                    key,
                    value: checked,
                    line,
                });
            }
        }
    }
    part
}

/// The files' values in order, each later file overriding the earlier ones key by key (a value
/// that cannot be used, or a file that cannot, holds its keys at their strictest); then the
/// pairs of keys that must agree, on the combined values: the key that gives way is held at its
/// strictest, with a problem at the line that set it.
fn combine(parts: Vec<Part>) -> Policy {
    let mut layer = PolicyLayer::default();
    let mut lines = BTreeMap::new();
    let mut files = Vec::new();
    // With the place of their file, to read in the order of the files, then of the lines.
    let mut problems: Vec<(usize, PolicyProblem)> = Vec::new();
    // The keys whose value could not be used, worded once every file has had its say.
    let mut bad_keys = Vec::new();
    let digest = match parts.as_slice() {
        [] => String::new(),
        [one] => one.digest.clone(),
        many => {
            let mut all = Sha256::new();
            for part in many {
                all.update(part.file.as_deref().unwrap_or("").as_bytes());
                all.update(b"\0");
                all.update(part.digest.as_bytes());
                all.update(b"\n");
            }
            hex::encode(all.finalize())
        }
    };
    let hold = |layer: &mut PolicyLayer, key: &str, origin: &str| {
        let def = definition(key).expect("a known setting");
        layer
            .values
            .insert(key.to_owned(), def.strictest.to_owned());
        layer.set_by.insert(key.to_owned(), origin.to_owned());
        layer.held.insert(key.to_owned());
    };
    for (place, part) in parts.into_iter().enumerate() {
        if part.holds_the_rest {
            let own: BTreeSet<&str> = part.entries.iter().map(|e| e.key.as_str()).collect();
            for def in SETTINGS.iter().filter(|d| !own.contains(d.key)) {
                hold(&mut layer, def.key, &part.origin);
                lines.remove(def.key);
            }
        }
        for entry in part.entries {
            lines.insert(entry.key.clone(), entry.line);
            match entry.value {
                Ok(value) => {
                    layer.set_by.insert(entry.key.clone(), part.origin.clone());
                    layer.held.remove(&entry.key);
                    layer.values.insert(entry.key, value);
                }
                Err(why) => {
                    hold(&mut layer, &entry.key, &part.origin);
                    bad_keys.push((place, part.origin.clone(), entry.line, entry.key, why));
                }
            }
        }
        problems.extend(part.problems.into_iter().map(|p| (place, p)));
        files.extend(part.file);
    }
    for (place, file, line, key, why) in bad_keys {
        problems.push((place, key_problem(&layer, &file, line, &key, why)));
    }
    problems.sort_by_key(|(place, p)| (*place, p.line));
    let mut problems: Vec<PolicyProblem> = problems.into_iter().map(|(_, p)| p).collect();
    for rule in CrossRule::ALL {
        let key = rule.yielding_key();
        if layer.held.contains(key) {
            // Already at its strictest, which agrees with every allowed value of the other key.
            continue;
        }
        if let Err(why) = rule.check(|k| layer.values.get(k).cloned()) {
            let file = layer.set_by.get(key).cloned().unwrap_or_default();
            let line = lines.get(key).copied().unwrap_or(1);
            hold(&mut layer, key, &file);
            problems.push(key_problem(&layer, &file, line, key, why.phrase()));
        }
    }
    Policy {
        layer,
        files,
        problems,
        digest,
    }
}

/// Checks a policy's text, as one file on its own that only root can read. `file` names it in
/// the problems.
pub fn parse(file: &str, text: &str) -> Policy {
    combine(vec![read_text(file, text, true)])
}

/// What identifies a file's version on disk, to reload a policy when it changes.
pub fn file_stamp(path: &Path) -> Option<FileStamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(FileStamp {
        modified: m.modified().ok()?,
        len: m.len(),
        ino: m.ino(),
        uid: m.uid(),
        gid: m.gid(),
        mode: m.mode(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const FILE: &str = "/etc/slate/policy.toml";

    fn strictest(key: &str) -> &'static str {
        definition(key).unwrap().strictest
    }

    /// Every key held at its strictest, set by `origin`.
    fn all_held_by(p: &Policy, origin: &str) {
        for def in SETTINGS {
            assert_eq!(p.layer.values[def.key], def.strictest, "{}", def.key);
            assert!(p.layer.holds(def.key), "{} held", def.key);
            assert_eq!(p.layer.set_by[def.key], origin, "{}", def.key);
        }
    }

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_secret_is_taken_only_from_a_file_nobody_but_root_can_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        std::fs::write(
            &path,
            "ldap_bind_dn = \"cn=slate,dc=example,dc=org\"\nldap_bind_password = \"hunter2 hunter2\"\n",
        )
        .unwrap();
        chmod(&path, 0o644);
        let p = Policy::check_file(&path);
        assert!(p.layer.holds("ldap_bind_password"));
        assert_eq!(p.layer.values["ldap_bind_password"], "");
        assert_eq!(p.layer.values["ldap_bind_dn"], "cn=slate,dc=example,dc=org");
        let problem = p.problems[0].to_string();
        assert!(
            problem.contains(
                "line 2: ldap_bind_password is a secret, and others than root can read this \
                 file: set it in a file only root can read (chmod 600)"
            ),
            "{problem}"
        );
        assert!(!problem.contains("hunter2"), "{problem}");
        chmod(&path, 0o600);
        let p = Policy::check_file(&path);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.layer.values["ldap_bind_password"], "hunter2 hunter2");
    }

    #[test]
    fn the_acceptable_use_page_may_be_a_table_of_languages() {
        let p = parse(
            FILE,
            "acceptable_use = { en = \"# Rules\\n\\nBe kind.\", es = \"Sea amable.\" }\n",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(
            p.layer.values["acceptable_use"],
            "[en]\n# Rules\n\nBe kind.\n\n[es]\nSea amable."
        );
        let p = parse(FILE, "acceptable_use = { English = \"Be kind.\" }\n");
        assert!(p.layer.holds("acceptable_use"));
        assert_eq!(p.layer.values["acceptable_use"], "");
        let problem = p.problems[0].to_string();
        assert!(
            problem.contains(
                "acceptable_use: each text of the table is named by its language's code, such as en or es, not English."
            ),
            "{problem}"
        );
    }

    #[test]
    fn a_good_policy_sets_and_locks_its_keys() {
        let p = parse(
            FILE,
            "# fleet policy\nidle_timeout = \"10m\"\nguests_allowed = true\nsignin_lock_after = 5\n\
             allowed_sites = [\"https://catalogue.example.org\", \"*.gov.example\"]\n\
             time_limit_warnings = [\"5m\", 60]\n",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let v = &p.layer.values;
        assert_eq!(v["idle_timeout"], "600");
        assert_eq!(v["guests_allowed"], "true");
        assert_eq!(v["signin_lock_after"], "5");
        assert_eq!(
            v["allowed_sites"],
            "https://catalogue.example.org,*.gov.example"
        );
        assert_eq!(v["time_limit_warnings"], "300,60");
        assert_eq!(p.files, [FILE]);
        assert_eq!(p.layer.set_by["idle_timeout"], FILE);
        assert!(p.layer.held.is_empty());
    }

    #[test]
    fn each_bad_value_holds_its_key_at_the_strictest_with_its_line() {
        // Was: each bad key was ignored and the settings below it applied (failing open).
        let p = parse(
            FILE,
            "idle_timeout = \"5\"\nguests_allowed = true\nsignin_lock_after = 2.5\n\
             language = \"de\"\naudit_retention_days = \"a year\"\nallowed_sites = \"ftp://x.org\"\n",
        );
        assert_eq!(p.problems.len(), 5, "{:#?}", p.problems);
        assert_eq!(p.layer.values.len(), 6, "{:?}", p.layer.values);
        assert_eq!(p.layer.values["guests_allowed"], "true");
        assert!(!p.layer.holds("guests_allowed"));
        for key in [
            "idle_timeout",
            "signin_lock_after",
            "language",
            "audit_retention_days",
            "allowed_sites",
        ] {
            assert!(p.layer.holds(key), "{key}");
            assert!(p.layer.sets(key), "{key} stays locked");
            assert_eq!(p.layer.values[key], strictest(key), "{key}");
            assert_eq!(p.layer.set_by[key], FILE);
        }
        assert_eq!(p.layer.values["idle_timeout"], "30");
        assert_eq!(p.layer.values["signin_lock_after"], "3");
        assert_eq!(p.layer.values["audit_retention_days"], "0");
        assert_eq!(p.layer.values["allowed_sites"], "");
        assert_eq!(
            p.problems[0].to_string(),
            "/etc/slate/policy.toml, line 1: idle_timeout must be a duration from 30s to 1d, not \"5\". \
             idle_timeout is held at its strictest, 30s, until the file is fixed."
        );
        let all = p
            .problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        for said in [
            "line 3: signin_lock_after must be a string, a number, true/false or a list of them. \
             signin_lock_after is held at its strictest, 3, until the file is fixed.",
            "line 4: language must be one of en, es, fr, not \"de\". language is held at its strictest, en,",
            "audit_retention_days is held at its strictest, off, until",
            "allowed_sites is held at its strictest, no sites (no browser), until",
        ] {
            assert!(all.contains(said), "{said} in {all}");
        }
        let lines: Vec<_> = p.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(1), Some(3), Some(4), Some(5), Some(6)]);
    }

    #[test]
    fn a_key_slate_does_not_know_holds_every_key_the_file_does_not_set() {
        let p = parse(
            FILE,
            "idle_timout = 300\nguests_allowed = true\n[section]\nx = 1\n",
        );
        assert_eq!(p.problems.len(), 2, "{:#?}", p.problems);
        assert_eq!(
            p.problems[0].to_string(),
            "/etc/slate/policy.toml, line 1: there is no setting called \"idle_timout\". Slate cannot \
             tell which setting it was meant for, so every setting this file does not set is held at \
             its strictest value until the file is fixed."
        );
        assert_eq!(p.problems[1].line, Some(3));
        assert_eq!(
            p.layer.values["guests_allowed"], "true",
            "what it sets applies"
        );
        assert!(!p.layer.holds("guests_allowed"));
        assert_eq!(p.layer.values["idle_timeout"], "30");
        assert_eq!(p.layer.values.len(), SETTINGS.len(), "every key locked");
        assert_eq!(p.layer.held.len(), SETTINGS.len() - 1);
    }

    #[test]
    fn a_file_that_is_not_toml_holds_every_key_at_its_strictest() {
        // Was: ignored whole, and the settings below it applied.
        let p = parse(FILE, "idle_timeout = 600\nguests_allowed = \n");
        all_held_by(&p, FILE);
        assert_eq!(p.problems.len(), 1);
        let said = p.problems[0].to_string();
        assert!(
            said.starts_with("The policy file /etc/slate/policy.toml is not valid TOML at line 2"),
            "{said}"
        );
        assert!(
            said.ends_with(
                "; every setting it could set is held at its strictest value until it is fixed."
            ),
            "{said}"
        );
    }

    #[test]
    fn keys_that_must_agree_are_checked_together_and_the_one_that_gives_way_is_held() {
        let p = parse(
            FILE,
            "idle_timeout = \"1m\"\nidle_warning = \"2m\"\nallowed_sites = \"https://a.org\"\nhome_page = \"https://b.org/\"\n",
        );
        assert_eq!(p.layer.values.len(), 4, "{:?}", p.layer.values);
        assert_eq!(p.layer.values["idle_warning"], "20");
        assert_eq!(p.layer.values["home_page"], "");
        assert!(p.layer.holds("idle_warning") && p.layer.holds("home_page"));
        assert!(!p.layer.holds("idle_timeout"));
        assert!(p.problems[0].to_string().contains(
            "line 2: idle_warning (2m) must be less than idle_timeout (1m). idle_warning is held at its strictest, 20s,"
        ), "{}", p.problems[0]);
        assert!(p.problems[1].to_string().contains(
            "line 4: home_page https://b.org/ is not within allowed_sites. home_page is held at its strictest, (empty),"
        ), "{}", p.problems[1]);
        // A held key breaks no rule: a broken timeout (held at 30s) with a warning the file
        // sets at a minute holds the warning too.
        let p = parse(FILE, "idle_timeout = \"soon\"\nidle_warning = \"1m\"\n");
        assert_eq!(p.layer.values["idle_timeout"], "30");
        assert_eq!(p.layer.values["idle_warning"], "20");
        assert_eq!(p.problems.len(), 2, "{:#?}", p.problems);
    }

    #[test]
    fn the_shipped_example_is_clean_with_every_line_uncommented() {
        let example = include_str!("../../../packaging/policy.toml.example");
        let p = parse(FILE, example);
        assert!(p.problems.is_empty() && p.layer.values.is_empty(), "{p:?}");
        let uncommented = example
            .lines()
            .filter_map(|l| l.strip_prefix("# ").filter(|l| l.contains(" = ")))
            .collect::<Vec<_>>()
            .join("\n");
        let p = parse(FILE, &uncommented);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        for def in crate::settings::SETTINGS {
            assert!(
                p.layer.values.contains_key(def.key),
                "the example shows {}",
                def.key
            );
        }
    }

    #[test]
    fn missing_unreadable_and_huge_files() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("policy.toml");
        let default = PolicySource {
            path: path.clone(),
            explicit: false,
        };
        assert_eq!(Policy::load(&default), Policy::none());
        let named = PolicySource {
            path: path.clone(),
            explicit: true,
        };
        let p = Policy::load(&named);
        assert!(p.problems[0].to_string().ends_with(
            "does not exist; every setting it could set is held at its strictest value until it is fixed."
        ));
        all_held_by(&p, &path.display().to_string());
        std::fs::write(&path, vec![b'#'; 300 * 1024]).unwrap();
        let p = Policy::load(&named);
        assert!(p.problems[0].to_string().contains("larger than"));
        assert_eq!(p.layer.held.len(), SETTINGS.len());
        std::fs::write(&path, b"\xff\xfe").unwrap();
        let p = Policy::load(&named);
        assert!(p.problems[0].to_string().contains("not UTF-8"));
        assert_eq!(p.layer.held.len(), SETTINGS.len());
        std::fs::write(&path, b"idle_timeout = 600\n").unwrap();
        let p = Policy::load(&named);
        assert!(p.problems.is_empty());
        assert!(p.layer.held.is_empty(), "a good file after a broken one");
        assert_eq!(p.layer.values.len(), 1);
        // The last digest seen is kept in the database, so a change of digest would audit an
        // unchanged policy again: pinned (SHA-256, as `sha256sum` gives it).
        assert_eq!(
            p.digest,
            "fc0b1e6f9c4335a0e874494df425d097420a3c63ffd3eeb323a1ac19aab6370e"
        );
        assert!(file_stamp(&path).is_some());
    }

    /// A folder with a main file and drop-ins: `files` are (name, text) below it.
    fn folder(files: &[(&str, &str)]) -> (tempfile::TempDir, PolicySource) {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("policy.d")).unwrap();
        chmod(&tmp.path().join("policy.d"), 0o755);
        for (name, text) in files {
            let path = tmp.path().join(name);
            std::fs::write(&path, text).unwrap();
            chmod(&path, 0o644);
        }
        let source = PolicySource {
            path: tmp.path().join("policy.toml"),
            explicit: true,
        };
        (tmp, source)
    }

    fn name(tmp: &tempfile::TempDir, file: &str) -> String {
        tmp.path().join(file).display().to_string()
    }

    #[test]
    fn the_drop_in_folder_is_named_after_the_main_file() {
        let dir = |p: &str| {
            PolicySource {
                path: PathBuf::from(p),
                explicit: true,
            }
            .drop_in_dir()
        };
        assert_eq!(
            dir("/etc/slate/policy.toml"),
            Some(PathBuf::from("/etc/slate/policy.d"))
        );
        assert_eq!(
            dir(DEFAULT_POLICY_FILE),
            Some(PathBuf::from(DEFAULT_DROP_IN_DIR))
        );
        assert_eq!(dir("/srv/room.toml"), Some(PathBuf::from("/srv/room.d")));
        assert_eq!(dir("/srv/policy"), Some(PathBuf::from("/srv/policy.d")));
        assert_eq!(dir("/srv/policy.d"), None, "never the file itself");
        assert_eq!(dir("/"), None);
    }

    #[test]
    fn drop_ins_follow_the_main_file_in_byte_order_each_overriding_key_by_key() {
        let (tmp, source) = folder(&[
            (
                "policy.toml",
                "idle_timeout = \"10m\"\nguests_allowed = true\nlanguage = \"es\"\n",
            ),
            (
                "policy.d/20-room.toml",
                "# room 3\nidle_timeout = \"20m\"\n",
            ),
            (
                "policy.d/10-site.toml",
                "idle_timeout = \"15m\"\nterminal_name = \"Site\"\n",
            ),
            // Upper case sorts before lower case in byte order (not in a locale's order).
            ("policy.d/B.toml", "terminal_name = \"B\"\n"),
            ("policy.d/a.toml", "terminal_name = \"a\"\n"),
        ]);
        let p = Policy::load(&source);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let names: Vec<_> = [
            "policy.toml",
            "policy.d/10-site.toml",
            "policy.d/20-room.toml",
            "policy.d/B.toml",
            "policy.d/a.toml",
        ]
        .iter()
        .map(|f| name(&tmp, f))
        .collect();
        assert_eq!(p.files, names);
        let v = &p.layer.values;
        assert_eq!(v["idle_timeout"], "1200", "the last file to set it wins");
        assert_eq!(v["guests_allowed"], "true", "an earlier key stays");
        assert_eq!(v["language"], "es");
        assert_eq!(v["terminal_name"], "a");
        let by = |k: &str| p.layer.set_by[k].clone();
        assert_eq!(by("idle_timeout"), names[2]);
        assert_eq!(by("guests_allowed"), names[0]);
        assert_eq!(by("terminal_name"), names[4]);
        assert_eq!(p.layer.values.len(), p.layer.set_by.len());
        assert_eq!(p.digest.len(), 64);
    }

    #[test]
    fn only_toml_files_that_are_not_hidden_are_read() {
        for name in ["10-room.toml", "Z.toml", "room.d.toml"] {
            assert!(is_drop_in_name(OsStr::new(name)), "{name}");
        }
        for name in [
            "room.toml~",
            ".room.toml.swp",
            ".room.toml",
            ".#room.toml",
            "room.toml.dpkg-old",
            "room.toml.bak",
            "room.TOML",
            "room.conf",
            "README",
            ".toml",
        ] {
            assert!(!is_drop_in_name(OsStr::new(name)), "{name}");
        }
        let (tmp, source) = folder(&[
            ("policy.toml", "idle_timeout = \"10m\"\n"),
            ("policy.d/room.toml~", "idle_timeout = \"bogus\"\n"),
            ("policy.d/.room.toml.swp", "\u{0}\u{1}binary"),
            ("policy.d/.hidden.toml", "guests_allowed = true\n"),
            ("policy.d/room.toml.dpkg-old", "guests_allowed = true\n"),
            ("policy.d/notes.txt", "not a policy"),
        ]);
        let p = Policy::load(&source);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.files, [name(&tmp, "policy.toml")]);
        assert_eq!(p.layer.values.len(), 1);
    }

    #[test]
    fn a_bad_value_in_a_drop_in_holds_the_key_rather_than_the_main_files_value() {
        // Was: the main file's value stood under the drop-in's bad key.
        let (tmp, source) = folder(&[
            (
                "policy.toml",
                "idle_timeout = \"10m\"\nguests_allowed = true\n",
            ),
            (
                "policy.d/10-room.toml",
                "# room 3\nidle_timeout = \"5\"\nlanguage = \"es\"\n",
            ),
        ]);
        let p = Policy::load(&source);
        let room = name(&tmp, "policy.d/10-room.toml");
        assert_eq!(p.problems.len(), 1, "{:#?}", p.problems);
        assert_eq!(p.problems[0].file, room);
        assert_eq!(p.problems[0].line, Some(2));
        assert_eq!(
            p.problems[0].to_string(),
            format!(
                "{room}, line 2: idle_timeout must be a duration from 30s to 1d, not \"5\". \
                 idle_timeout is held at its strictest, 30s, until the file is fixed."
            )
        );
        assert_eq!(p.layer.values["idle_timeout"], "30");
        assert_eq!(p.layer.set_by["idle_timeout"], room);
        assert_eq!(p.layer.values["guests_allowed"], "true");
        assert_eq!(p.layer.values["language"], "es");
        assert_eq!(p.files.len(), 2, "a file with problems is still one read");
        // A later file that sets the key validly applies over the bad one, and the sentence
        // says so.
        std::fs::write(
            tmp.path().join("policy.d/20-later.toml"),
            "idle_timeout = \"15m\"\n",
        )
        .unwrap();
        chmod(&tmp.path().join("policy.d/20-later.toml"), 0o644);
        let p = Policy::load(&source);
        assert_eq!(p.layer.values["idle_timeout"], "900");
        assert!(!p.layer.holds("idle_timeout"));
        assert!(
            p.problems[0].to_string().ends_with(&format!(
                "The later file {} sets idle_timeout, and its value applies.",
                name(&tmp, "policy.d/20-later.toml")
            )),
            "{}",
            p.problems[0]
        );
    }

    #[test]
    fn a_drop_in_that_is_not_toml_holds_every_key_until_a_later_file_sets_it() {
        let (tmp, source) = folder(&[
            (
                "policy.toml",
                "idle_timeout = \"10m\"\nguests_allowed = true\n",
            ),
            (
                "policy.d/20-broken.toml",
                "guests_allowed = false\nidle = \n",
            ),
            ("policy.d/30-room.toml", "language = \"fr\"\n"),
        ]);
        let p = Policy::load(&source);
        let broken = name(&tmp, "policy.d/20-broken.toml");
        assert_eq!(p.problems.len(), 1, "{:#?}", p.problems);
        assert_eq!(p.problems[0].file, broken);
        assert_eq!(p.problems[0].line, Some(2));
        assert!(
            p.problems[0].to_string().starts_with(&format!(
                "The policy file {broken} is not valid TOML at line 2"
            )),
            "{}",
            p.problems[0]
        );
        // What the broken file might have overridden is held, even the main file's keys.
        assert_eq!(p.layer.values["idle_timeout"], "30");
        assert_eq!(p.layer.values["guests_allowed"], "false");
        assert_eq!(p.layer.set_by["guests_allowed"], broken);
        assert_eq!(p.layer.values["language"], "fr", "the later file applies");
        assert!(!p.layer.holds("language"));
        assert_eq!(p.layer.held.len(), SETTINGS.len() - 1);
        assert_eq!(p.files.len(), 3);
    }

    #[test]
    fn keys_that_must_agree_are_checked_across_files() {
        let (tmp, source) = folder(&[
            ("policy.toml", "# site\nidle_warning = \"2m\"\n"),
            ("policy.d/room.toml", "idle_timeout = \"1m\"\n"),
        ]);
        let p = Policy::load(&source);
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(p.problems[0].file, name(&tmp, "policy.toml"));
        assert_eq!(p.problems[0].line, Some(2));
        assert!(p.problems[0]
            .to_string()
            .contains("line 2: idle_warning (2m) must be less than idle_timeout (1m)"));
        assert_eq!(p.layer.values["idle_warning"], "20", "held, not dropped");
        assert_eq!(p.layer.set_by["idle_warning"], name(&tmp, "policy.toml"));
        assert_eq!(p.layer.values["idle_timeout"], "60");
    }

    #[test]
    fn a_missing_folder_or_main_file_is_fine_unless_the_file_was_named() {
        // A named file without a folder: just the file.
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("policy.toml");
        std::fs::write(&path, "guests_allowed = true\n").unwrap();
        chmod(&path, 0o644);
        let named = PolicySource {
            path: path.clone(),
            explicit: true,
        };
        let p = Policy::load(&named);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.files, [path.display().to_string()]);
        // Drop-ins alone, beside a default main file that does not exist.
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(tmp.path().join("policy.d")).unwrap();
        chmod(&tmp.path().join("policy.d"), 0o755);
        let room = tmp.path().join("policy.d/room.toml");
        std::fs::write(&room, "guests_allowed = true\n").unwrap();
        chmod(&room, 0o644);
        let default = PolicySource {
            path: path.clone(),
            explicit: false,
        };
        let p = Policy::load(&default);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.layer.values["guests_allowed"], "true");
        assert_eq!(p.files, [name(&tmp, "policy.d/room.toml")]);
        // Named and missing: a problem that holds every key; the drop-ins after it still apply.
        let p = Policy::load(&named);
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].file, path.display().to_string());
        assert!(p.problems[0].to_string().contains("does not exist"));
        assert_eq!(p.layer.values["guests_allowed"], "true");
        assert_eq!(p.layer.values["idle_timeout"], "30");
        assert_eq!(p.layer.held.len(), SETTINGS.len() - 1);
    }

    #[test]
    fn a_drop_in_or_folder_that_cannot_be_read_is_a_problem_named_with_it() {
        let (tmp, source) = folder(&[("policy.toml", "guests_allowed = true\n")]);
        // A folder called like a drop-in, and a link to nothing.
        std::fs::create_dir(tmp.path().join("policy.d/10-dir.toml")).unwrap();
        std::os::unix::fs::symlink(
            tmp.path().join("gone.toml"),
            tmp.path().join("policy.d/20-link.toml"),
        )
        .unwrap();
        let p = Policy::load(&source);
        let problems: Vec<_> = p
            .problems
            .iter()
            .map(|p| (p.file.clone(), p.to_string()))
            .collect();
        assert_eq!(p.problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].0, name(&tmp, "policy.d/10-dir.toml"));
        assert!(
            problems[0].1.contains(
                "10-dir.toml is not a file; every setting it could set is held at its strictest value"
            ),
            "{problems:?}"
        );
        assert_eq!(problems[1].0, name(&tmp, "policy.d/20-link.toml"));
        assert!(
            problems[1].1.contains("20-link.toml does not exist"),
            "{problems:?}"
        );
        // Was: the main file applied. The broken drop-ins could have overridden it.
        all_held_by(&p, &name(&tmp, "policy.d/20-link.toml"));
        // A drop-in that cannot be read (root reads anything: only checked as another account).
        std::fs::remove_dir(tmp.path().join("policy.d/10-dir.toml")).unwrap();
        std::fs::remove_file(tmp.path().join("policy.d/20-link.toml")).unwrap();
        let locked = tmp.path().join("policy.d/30-locked.toml");
        std::fs::write(&locked, "idle_timeout = \"10m\"\n").unwrap();
        chmod(&locked, 0o000);
        if std::fs::read(&locked).is_err() {
            let p = Policy::load(&source);
            assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
            assert_eq!(p.problems[0].file, locked.display().to_string());
            assert!(p.problems[0]
                .to_string()
                .contains("30-locked.toml cannot be read (permission denied)"));
            assert_eq!(p.layer.values["guests_allowed"], "false");
        }
        std::fs::remove_file(&locked).unwrap();
        // A "folder" that is a file: one problem naming it, which holds every key.
        std::fs::remove_dir(tmp.path().join("policy.d")).unwrap();
        std::fs::write(tmp.path().join("policy.d"), "idle_timeout = \"10m\"\n").unwrap();
        let p = Policy::load(&source);
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(p.problems[0].file, name(&tmp, "policy.d"));
        assert_eq!(
            p.problems[0].to_string(),
            format!(
                "The policy folder {} cannot be read (not a directory); every setting its files \
                 could set is held at its strictest value until it is fixed.",
                name(&tmp, "policy.d")
            )
        );
        assert_eq!(p.files, [name(&tmp, "policy.toml")]);
        all_held_by(&p, &name(&tmp, "policy.d"));
    }

    #[test]
    fn files_and_folders_others_may_write_are_refused_and_hold_every_key() {
        let (tmp, source) = folder(&[
            ("policy.toml", "guests_allowed = true\n"),
            ("policy.d/room.toml", "idle_timeout = \"10m\"\n"),
        ]);
        let main = name(&tmp, "policy.toml");
        let group = group_name(std::fs::metadata(&source.path).unwrap().gid());
        // Group-writable: refused with one sentence, never read, every key held.
        chmod(&source.path, 0o664);
        let p = Policy::load(&source);
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(p.problems[0].file, main);
        assert_eq!(
            p.problems[0].to_string(),
            format!(
                "The policy file {main} is writable by group {group}; make it owned by root and \
                 not writable by others (chmod 644). Until then every setting it could set is \
                 held at its strictest value."
            )
        );
        assert_eq!(p.layer.values["guests_allowed"], "false");
        assert_eq!(
            p.layer.values["idle_timeout"], "600",
            "the drop-in after it applies"
        );
        assert_eq!(p.layer.held.len(), SETTINGS.len() - 1);
        let refused = p.digest.clone();
        // Writable by everyone.
        chmod(&source.path, 0o646);
        assert!(Policy::load(&source).problems[0]
            .to_string()
            .contains("is writable by every account; make it owned by root"));
        // Fixed: the file's values are back, and the stamp saw the change of mode.
        let before = source.stamp();
        chmod(&source.path, 0o644);
        assert_ne!(before, source.stamp(), "chmod is noticed");
        let p = Policy::load(&source);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert!(p.layer.held.is_empty());
        assert_eq!(p.layer.values["guests_allowed"], "true");
        assert_ne!(p.digest, refused);
        // A drop-in folder the group may write: its files are not read, every key is held.
        let dir = tmp.path().join("policy.d");
        chmod(&dir, 0o775);
        let p = Policy::load(&source);
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(
            p.problems[0].to_string(),
            format!(
                "The policy folder {} is writable by group {group}; make it owned by root and not \
                 writable by others (chmod 755). Until then every setting its files could set is \
                 held at its strictest value.",
                dir.display()
            )
        );
        all_held_by(&p, &dir.display().to_string());
        assert_eq!(p.files, [main], "the drop-in was not read");
        chmod(&dir, 0o755);
        // Owned by another account (only root can give a file away).
        let room = dir.join("room.toml");
        let other = if rustix::process::geteuid().as_raw() == 65_534 {
            65_533
        } else {
            65_534
        };
        if std::os::unix::fs::chown(&room, Some(other), None).is_ok() {
            let p = Policy::load(&source);
            assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
            assert!(
                p.problems[0].to_string().contains(&format!(
                    "{} is owned by {}; make it owned by root",
                    room.display(),
                    account_name(other)
                )),
                "{}",
                p.problems[0]
            );
            assert_eq!(p.layer.values["idle_timeout"], "30");
            std::os::unix::fs::chown(&room, Some(0), None).unwrap();
        }
        // A link is followed, and the file at its end is what is checked.
        let elsewhere = tmp.path().join("elsewhere.toml");
        std::fs::write(&elsewhere, "language = \"fr\"\n").unwrap();
        chmod(&elsewhere, 0o644);
        std::os::unix::fs::symlink(&elsewhere, dir.join("50-linked.toml")).unwrap();
        let p = Policy::load(&source);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.layer.values["language"], "fr");
        chmod(&elsewhere, 0o664);
        let p = Policy::load(&source);
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert!(p.problems[0].to_string().contains(&format!(
            "{} is writable by group",
            dir.join("50-linked.toml").display()
        )));
        assert_eq!(p.layer.values["language"], "en");
        // policy check FILE says the same.
        let p = Policy::check_file(&dir.join("50-linked.toml"));
        assert!(p.problems[0].to_string().contains("is writable by group"));
    }

    #[test]
    fn one_file_is_checked_alone() {
        let (tmp, _) = folder(&[
            (
                "policy.d/room.toml",
                "idle_timeout = \"1m\"\nguests_allowed = \"maybe\"\n",
            ),
            ("good.toml", "idle_timeout = \"1m\"\n"),
        ]);
        let room = tmp.path().join("policy.d/room.toml");
        let p = Policy::check_file(&room);
        assert_eq!(p.files, [room.display().to_string()]);
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, Some(2));
        let p = Policy::check_file(&tmp.path().join("good.toml"));
        assert!(p.problems.is_empty());
        assert_eq!(p.layer.values["idle_timeout"], "60");
        let p = Policy::check_file(&tmp.path().join("nope.toml"));
        assert!(p.problems[0].to_string().contains("does not exist"));
    }

    #[test]
    fn the_stamp_changes_when_a_drop_in_is_added_edited_or_removed() {
        let (tmp, source) = folder(&[("policy.toml", "guests_allowed = true\n")]);
        let first = source.stamp();
        assert_eq!(first, source.stamp(), "nothing changed");
        let room = tmp.path().join("policy.d/room.toml");
        std::fs::write(&room, "idle_timeout = \"10m\"\n").unwrap();
        let added = source.stamp();
        assert_ne!(first, added);
        std::fs::write(&room, "idle_timeout = \"1h\"\n").unwrap();
        let edited = source.stamp();
        assert_ne!(added, edited);
        std::fs::write(tmp.path().join("policy.d/room.toml~"), "x").unwrap();
        assert_eq!(
            edited.0.len(),
            source.stamp().0.len(),
            "a backup file is not followed"
        );
        std::fs::remove_file(&room).unwrap();
        assert_ne!(edited, source.stamp());
    }
}
