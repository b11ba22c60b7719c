//! The policy: the top settings layer, for fleets. Config management drops TOML files in place:
//! the main file (default `/etc/slate/policy.toml`, or `--policy FILE` / `SLATE_POLICY`) and the
//! drop-ins in the folder beside it ([`PolicySource::drop_in_dir`]: `/etc/slate/policy.d/`),
//! read after it in byte order of their names, each later file overriding the earlier ones key by
//! key. Every key they set is locked against the panel and `slatectl config set`, and each key
//! remembers the file that set it.
//!
//! A bad file never leaves a terminal without a timeout: each bad key (unknown, wrong type, out
//! of bounds) is ignored with one sentence naming the file, line, key and why, and what lies
//! below it (earlier files, then the administrator's values and the defaults) applies to it; a
//! file that is not TOML at all is ignored whole, with its line. The kiosk records each problem
//! in the audit (see [`super::kiosk`]).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::io_words;
use super::phrase::Phrase;
use super::settings::cross::CrossRule;
use super::settings::{definition, validate, PolicyLayer};

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

/// A file's version on disk: modified time, size, inode.
pub type FileStamp = (std::time::SystemTime, u64, u64);

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

/// One thing wrong with a policy, in the file (or folder) it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// The file or folder, as the sentence names it.
    pub file: String,
    /// The line, when the problem is on one.
    pub line: Option<usize>,
    /// The sentence, naming the file (and line) and saying what was ignored.
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
    /// The checked values, for the settings, with the file that set each.
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
    /// a problem.
    pub fn load(source: &PolicySource) -> Self {
        let mut parts: Vec<Part> = read_file(&source.path, source.explicit)
            .into_iter()
            .collect();
        if let Some(dir) = source.drop_in_dir() {
            match drop_ins(&dir) {
                Ok(files) => parts.extend(files.iter().filter_map(|f| read_file(f, true))),
                Err(e) => parts.push(Part::folder_problem(&dir, unreadable(&e))),
            }
        }
        combine(parts)
    }

    /// One file alone, as `slatectl policy check FILE` checks it before it is deployed (a main
    /// file, or a drop-in on its own). A missing file is a problem.
    pub fn check_file(path: &Path) -> Self {
        combine(read_file(path, true).into_iter().collect())
    }
}

/// What one file (or a folder that cannot be listed) contributes.
#[derive(Debug, Default)]
struct Part {
    /// The file read; `None` for a folder's problem.
    file: Option<String>,
    /// Key, canonical value, line; in the order of the file.
    values: Vec<(String, String, usize)>,
    problems: Vec<PolicyProblem>,
    digest: String,
}

impl Part {
    /// A file that cannot be used at all.
    fn file_problem(name: &str, why: Phrase) -> Self {
        let phrase = Phrase::new(
            "The policy file {file} {why}; it is ignored and the settings below it apply.",
        )
        .text("file", name)
        .phrase("why", why);
        Self {
            file: Some(name.to_owned()),
            digest: format!("problem:{phrase}"),
            problems: vec![PolicyProblem {
                file: name.to_owned(),
                line: None,
                phrase,
            }],
            values: Vec::new(),
        }
    }

    /// A drop-in folder that cannot be listed.
    fn folder_problem(dir: &Path, why: Phrase) -> Self {
        let name = dir.display().to_string();
        let phrase = Phrase::new("The policy folder {folder} {why}; the files in it are ignored.")
            .text("folder", &name)
            .phrase("why", why);
        Self {
            file: None,
            digest: format!("problem:{phrase}"),
            problems: vec![PolicyProblem {
                file: name,
                line: None,
                phrase,
            }],
            values: Vec::new(),
        }
    }
}

/// Reads one file; `None` when it is absent and need not exist.
fn read_file(path: &Path, must_exist: bool) -> Option<Part> {
    let name = path.display().to_string();
    let problem = |why: Phrase| Some(Part::file_problem(&name, why));
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
    if meta.len() > MAX_BYTES {
        return problem(
            Phrase::new("is {size} bytes, larger than the {max} a policy may be")
                .number("size", meta.len())
                .number("max", MAX_BYTES),
        );
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return problem(unreadable(&e)),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return problem(Phrase::new("is not UTF-8 text"));
    };
    Some(read_text(&name, text))
}

fn unreadable(e: &std::io::Error) -> Phrase {
    Phrase::new("cannot be read ({why})").text("why", io_words::reason(e))
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A TOML value as the text the settings validate: arrays become comma-separated lists.
fn as_text(v: &toml::Value) -> Option<String> {
    match v {
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
        _ => None,
    }
}

/// A key of the file that is not used, and why.
fn ignored_key(file: &str, line: usize, key: &str, why: Phrase) -> PolicyProblem {
    PolicyProblem {
        file: file.to_owned(),
        line: Some(line),
        phrase: Phrase::new(
            "{file}, line {line}: {why} The key {key} is ignored; the settings below it apply.",
        )
        .text("file", file)
        .number("line", line as u64)
        .phrase("why", why.keys_as_written())
        .text("key", key),
    }
}

/// Checks one file's text, key by key (the rules between keys are checked once the files are
/// combined). `file` names it in the problems.
fn read_text(file: &str, text: &str) -> Part {
    let mut part = Part {
        file: Some(file.to_owned()),
        digest: hex::encode(Sha256::digest(text.as_bytes())),
        ..Part::default()
    };
    match toml::from_str::<BTreeMap<String, toml::Spanned<toml::Value>>>(text) {
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            let why = e.message().trim().trim_end_matches('.').to_owned();
            part.problems.push(PolicyProblem {
                file: file.to_owned(),
                line: Some(line),
                phrase: Phrase::new(
                    "The policy file {file} is not valid TOML at line {line} ({why}); it is ignored and the settings below it apply.",
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
                let mut bad = |why: Phrase| {
                    part.problems.push(ignored_key(file, line, &key, why));
                };
                let Some(def) = definition(&key) else {
                    bad(Phrase::new("there is no setting called {key}.")
                        .text("key", format!("{key:?}")));
                    continue;
                };
                let Some(text_value) = as_text(spanned.get_ref()) else {
                    bad(Phrase::new(
                        "{key} must be a string, a number, true/false or a list of them.",
                    )
                    .text("key", &key));
                    continue;
                };
                match validate(def, &text_value) {
                    Ok(v) => part.values.push((key, v, line)),
                    Err(e) => bad(e.phrase()),
                }
            }
        }
    }
    part
}

/// The files' values in order, each later file overriding the earlier ones key by key; then
/// the pairs of keys that must agree, on the combined values: the key that gives way goes, with
/// a problem at the line that set it.
fn combine(parts: Vec<Part>) -> Policy {
    let mut layer = PolicyLayer::default();
    let mut lines = BTreeMap::new();
    let mut files = Vec::new();
    let mut problems = Vec::new();
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
    for part in parts {
        let Some(file) = part.file else {
            problems.extend(part.problems);
            continue;
        };
        for (key, value, line) in part.values {
            layer.set_by.insert(key.clone(), file.clone());
            lines.insert(key.clone(), line);
            layer.values.insert(key, value);
        }
        problems.extend(part.problems);
        files.push(file);
    }
    for rule in CrossRule::ALL {
        if let Err(why) = rule.check(|k| layer.values.get(k).cloned()) {
            let key = rule.yielding_key();
            let file = layer.set_by.remove(key).unwrap_or_default();
            let line = lines.get(key).copied().unwrap_or(1);
            problems.push(ignored_key(&file, line, key, why.phrase()));
            layer.values.remove(key);
        }
    }
    Policy {
        layer,
        files,
        problems,
        digest,
    }
}

/// Checks a policy's text, as one file on its own. `file` names it in the problems.
pub fn parse(file: &str, text: &str) -> Policy {
    combine(vec![read_text(file, text)])
}

/// What identifies a file's version on disk, to reload a policy when it changes.
pub fn file_stamp(path: &Path) -> Option<FileStamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len(), m.ino()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "/etc/slate/policy.toml";

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
    }

    #[test]
    fn each_bad_key_is_ignored_with_its_line_and_the_rest_apply() {
        let p = parse(
            FILE,
            "idle_timeout = \"5\"\nguests_allowed = true\nidle_timout = 300\n\
             signin_lock_after = 2.5\nlanguage = \"de\"\n[section]\nx = 1\n",
        );
        assert_eq!(p.layer.values.len(), 1, "{:?}", p.layer.values);
        assert_eq!(p.layer.values["guests_allowed"], "true");
        assert_eq!(p.problems.len(), 5, "{:#?}", p.problems);
        assert!(p.problems[0].to_string().starts_with(
            "/etc/slate/policy.toml, line 1: idle_timeout must be a duration from 30s to 1d, not \"5\"."
        ), "{}", p.problems[0]);
        assert!(p.problems[0]
            .to_string()
            .ends_with("The key idle_timeout is ignored; the settings below it apply."));
        let all = p
            .problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            all.contains("line 3: there is no setting called \"idle_timout\""),
            "{all}"
        );
        assert!(
            all.contains("line 4: signin_lock_after must be a string"),
            "{all}"
        );
        assert!(
            all.contains("line 5: language must be one of en, es, fr"),
            "{all}"
        );
        assert!(all.contains("line 6") || all.contains("line 7"), "{all}");
    }

    #[test]
    fn a_file_that_is_not_toml_is_ignored_whole_with_its_line() {
        let p = parse(FILE, "idle_timeout = 600\nguests_allowed = \n");
        assert!(p.layer.values.is_empty());
        assert_eq!(p.problems.len(), 1);
        assert!(
            p.problems[0]
                .to_string()
                .starts_with("The policy file /etc/slate/policy.toml is not valid TOML at line 2"),
            "{}",
            p.problems[0]
        );
    }

    #[test]
    fn keys_that_must_agree_are_checked_together() {
        let p = parse(
            FILE,
            "idle_timeout = \"1m\"\nidle_warning = \"2m\"\nallowed_sites = \"https://a.org\"\nhome_page = \"https://b.org/\"\n",
        );
        assert_eq!(p.layer.values.len(), 2, "{:?}", p.layer.values);
        assert!(p.problems[0]
            .to_string()
            .contains("line 2: idle_warning (2m) must be less than idle_timeout (1m)"));
        assert!(p.problems[1]
            .to_string()
            .contains("line 4: home_page https://b.org/ is not within allowed_sites"));
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
        assert!(p.problems[0]
            .to_string()
            .ends_with("does not exist; it is ignored and the settings below it apply."));
        std::fs::write(&path, vec![b'#'; 300 * 1024]).unwrap();
        assert!(Policy::load(&named).problems[0]
            .to_string()
            .contains("larger than"));
        std::fs::write(&path, b"\xff\xfe").unwrap();
        assert!(Policy::load(&named).problems[0]
            .to_string()
            .contains("not UTF-8"));
        std::fs::write(&path, b"idle_timeout = 600\n").unwrap();
        let p = Policy::load(&named);
        assert!(p.problems.is_empty());
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
        for (name, text) in files {
            std::fs::write(tmp.path().join(name), text).unwrap();
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
    fn problems_in_a_drop_in_name_it_and_its_line_and_what_is_below_applies() {
        let (tmp, source) = folder(&[
            (
                "policy.toml",
                "idle_timeout = \"10m\"\nguests_allowed = true\n",
            ),
            (
                "policy.d/10-room.toml",
                "# room 3\nidle_timeout = \"5\"\nlanguage = \"es\"\n",
            ),
            (
                "policy.d/20-broken.toml",
                "guests_allowed = false\nidle = \n",
            ),
        ]);
        let p = Policy::load(&source);
        let room = name(&tmp, "policy.d/10-room.toml");
        let broken = name(&tmp, "policy.d/20-broken.toml");
        assert_eq!(p.problems.len(), 2, "{:#?}", p.problems);
        assert_eq!(p.problems[0].file, room);
        assert_eq!(p.problems[0].line, Some(2));
        assert_eq!(
            p.problems[0].to_string(),
            format!(
                "{room}, line 2: idle_timeout must be a duration from 30s to 1d, not \"5\". \
                 The key idle_timeout is ignored; the settings below it apply."
            )
        );
        assert_eq!(p.problems[1].file, broken);
        assert_eq!(p.problems[1].line, Some(2));
        assert!(
            p.problems[1].to_string().starts_with(&format!(
                "The policy file {broken} is not valid TOML at line 2"
            )),
            "{}",
            p.problems[1]
        );
        // The main file's values stand under the bad key and the broken file; the good key of
        // the same drop-in applies.
        assert_eq!(p.layer.values["idle_timeout"], "600");
        assert_eq!(p.layer.values["guests_allowed"], "true");
        assert_eq!(p.layer.values["language"], "es");
        assert_eq!(p.files.len(), 3, "a file with problems is still one read");
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
        assert!(!p.layer.values.contains_key("idle_warning"));
        assert!(!p.layer.set_by.contains_key("idle_warning"));
        assert_eq!(p.layer.values["idle_timeout"], "60");
    }

    #[test]
    fn a_missing_folder_or_main_file_is_fine_unless_the_file_was_named() {
        // A named file without a folder: just the file.
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("policy.toml");
        std::fs::write(&path, "guests_allowed = true\n").unwrap();
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
        std::fs::write(
            tmp.path().join("policy.d/room.toml"),
            "guests_allowed = true\n",
        )
        .unwrap();
        let default = PolicySource {
            path: path.clone(),
            explicit: false,
        };
        let p = Policy::load(&default);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.layer.values["guests_allowed"], "true");
        assert_eq!(p.files, [name(&tmp, "policy.d/room.toml")]);
        // Named and missing: a problem, and the drop-ins still apply.
        let p = Policy::load(&named);
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].file, path.display().to_string());
        assert!(p.problems[0].to_string().contains("does not exist"));
        assert_eq!(p.layer.values["guests_allowed"], "true");
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
            problems[0]
                .1
                .contains("10-dir.toml is not a file; it is ignored"),
            "{problems:?}"
        );
        assert_eq!(problems[1].0, name(&tmp, "policy.d/20-link.toml"));
        assert!(
            problems[1].1.contains("20-link.toml does not exist"),
            "{problems:?}"
        );
        assert_eq!(
            p.layer.values["guests_allowed"], "true",
            "the main file applies"
        );
        // A drop-in that cannot be read (root reads anything: only checked as another account).
        std::fs::remove_dir(tmp.path().join("policy.d/10-dir.toml")).unwrap();
        std::fs::remove_file(tmp.path().join("policy.d/20-link.toml")).unwrap();
        let locked = tmp.path().join("policy.d/30-locked.toml");
        std::fs::write(&locked, "idle_timeout = \"10m\"\n").unwrap();
        std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000))
            .unwrap();
        if std::fs::read(&locked).is_err() {
            let p = Policy::load(&source);
            assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
            assert_eq!(p.problems[0].file, locked.display().to_string());
            assert!(p.problems[0]
                .to_string()
                .contains("30-locked.toml cannot be read (permission denied)"));
        }
        std::fs::remove_file(&locked).unwrap();
        // A "folder" that is a file: one problem naming it; the main file applies.
        std::fs::remove_dir(tmp.path().join("policy.d")).unwrap();
        std::fs::write(tmp.path().join("policy.d"), "idle_timeout = \"10m\"\n").unwrap();
        let p = Policy::load(&source);
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(p.problems[0].file, name(&tmp, "policy.d"));
        assert!(p.problems[0].to_string().starts_with(&format!(
            "The policy folder {} cannot be read (not a directory); the files in it are ignored.",
            name(&tmp, "policy.d")
        )));
        assert_eq!(p.files, [name(&tmp, "policy.toml")]);
        assert_eq!(p.layer.values.len(), 1);
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
