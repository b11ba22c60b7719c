//! The policy file: the top settings layer, for fleets. Config management drops a TOML file in
//! place (default `/etc/slate/policy.toml`, or `--policy FILE` / `SLATE_POLICY`); every key it
//! sets is locked against the panel and `slatectl config set`.
//!
//! A bad file never leaves a terminal without a timeout: each bad key (unknown, wrong type, out
//! of bounds) is ignored with one sentence naming the file, line, key and why, and the layers
//! below apply to it; a file that is not TOML at all is ignored whole, with its line. The kiosk
//! records each problem in the audit (see [`super::kiosk`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::phrase::Phrase;
use super::settings::cross::CrossRule;
use super::settings::{definition, validate, PolicyLayer};

/// The policy file used when none is named.
pub const DEFAULT_POLICY_FILE: &str = "/etc/slate/policy.toml";

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
}

/// A loaded policy: the values it sets and what was wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The checked values, for the settings.
    pub layer: PolicyLayer,
    /// One sentence per problem, each naming the file and line.
    pub problems: Vec<Phrase>,
    /// SHA-256 of the file's bytes (empty when there is no file), to notice changes.
    pub digest: String,
}

impl Policy {
    /// No policy file.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads the file at `source`. Never fails: what cannot be used is a problem.
    pub fn load(source: &PolicySource) -> Self {
        let name = source.path.display().to_string();
        let problem = |why: Phrase| Self {
            layer: PolicyLayer {
                file: Some(name.clone()),
                values: BTreeMap::new(),
            },
            digest: format!("problem:{why}"),
            problems: vec![Phrase::new(
                "The policy file {file} {why}; it is ignored and the settings below it apply.",
            )
            .text("file", &name)
            .phrase("why", why)],
        };
        let meta = match std::fs::metadata(&source.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !source.explicit => {
                return Self::none()
            }
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
        let bytes = match std::fs::read(&source.path) {
            Ok(b) => b,
            Err(e) => return problem(unreadable(&e)),
        };
        let Ok(text) = String::from_utf8(bytes.clone()) else {
            return problem(Phrase::new("is not UTF-8 text"));
        };
        let mut policy = parse(&name, &text);
        policy.digest = hex::encode(Sha256::digest(&bytes));
        policy
    }
}

fn unreadable(e: &std::io::Error) -> Phrase {
    Phrase::new("cannot be read ({why})").text("why", e.to_string())
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
fn ignored_key(file: &str, line: usize, key: &str, why: Phrase) -> Phrase {
    Phrase::new("{file}, line {line}: {why} The key {key} is ignored; the settings below it apply.")
        .text("file", file)
        .number("line", line as u64)
        .phrase("why", why.keys_as_written())
        .text("key", key)
}

/// Checks a policy's text. `file` names it in the problems.
pub fn parse(file: &str, text: &str) -> Policy {
    let mut problems = Vec::new();
    let mut values = BTreeMap::new();
    let mut lines = BTreeMap::new();
    match toml::from_str::<BTreeMap<String, toml::Spanned<toml::Value>>>(text) {
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            let why = e.message().trim().trim_end_matches('.').to_owned();
            problems.push(
                Phrase::new(
                    "The policy file {file} is not valid TOML at line {line} ({why}); it is ignored and the settings below it apply.",
                )
                .text("file", file)
                .number("line", line as u64)
                .text("why", if why.is_empty() { "it is not valid TOML".into() } else { why }),
            );
        }
        Ok(map) => {
            // In the order of the file, so problems read top to bottom.
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by_key(|(_, v)| v.span().start);
            for (key, spanned) in entries {
                let line = line_of(text, spanned.span().start);
                let mut bad = |why: Phrase| {
                    problems.push(ignored_key(file, line, &key, why));
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
                    Ok(v) => {
                        values.insert(key.clone(), v);
                        lines.insert(key, line);
                    }
                    Err(e) => bad(e.phrase()),
                }
            }
        }
    }
    // The pairs of keys that must agree, when the policy sets both: the key that gives way goes.
    for rule in CrossRule::ALL {
        if let Err(why) = rule.check(|k| values.get(k).cloned()) {
            let key = rule.yielding_key();
            let line = lines.get(key).copied().unwrap_or(1);
            problems.push(ignored_key(file, line, key, why.phrase()));
            values.remove(key);
        }
    }
    Policy {
        layer: PolicyLayer {
            file: Some(file.to_owned()),
            values,
        },
        problems,
        digest: String::new(),
    }
}

/// What identifies a policy file's version on disk, to reload it when it changes.
pub fn file_stamp(path: &Path) -> Option<(std::time::SystemTime, u64, u64)> {
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
        assert_eq!(p.layer.file.as_deref(), Some(FILE));
    }

    #[test]
    fn each_bad_key_is_ignored_with_its_line_and_the_rest_apply() {
        let p = parse(
            FILE,
            "idle_timeout = \"5\"\nguests_allowed = true\nidle_timout = 300\n\
             signin_lock_after = 2.5\nlanguage = \"fr\"\n[section]\nx = 1\n",
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
            all.contains("line 5: language must be one of en, es"),
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
}
