//! Fuzzing, for a fixed time per target (cargo-fuzz needs a nightly toolchain, which this
//! machine cannot fetch, so the inputs come from proptest strategies and a kept corpus):
//!
//! - `durations`: `duration::parse` on any text never panics; what it accepts is within a year
//!   and survives a round trip through `duration::compact`.
//! - `policy`: the policy parser on any text (and on mutated policies) never panics; every value
//!   it keeps validates again to itself; every problem names the file; a key it cannot use is
//!   held at its strictest.
//! - `ipc`: every IPC argument type decoded from any JSON never panics.
//! - `audit`: the verifier on databases corrupted at random (SQL edits behind the triggers, and
//!   flipped bytes in the file) never panics, and an edit of a record is always found.
//!
//! Each target first runs every file of its corpus (`crates/slate-core/fuzz/corpus/<target>/`), then
//! random inputs for `SLATE_FUZZ_SECS` seconds (default 2). A failing input is printed; add it
//! to the corpus once fixed. `SLATE_FUZZ_SECS=300 cargo test -p slate --test fuzz` is the long run.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use slate_core::api::{AdminRequest, PreferenceRequest, SetupRequest, SignInRequest};
use slate_core::audit::{AuditError, AuditEvent, AuditKey, Event, Stamp};
use slate_core::duration;
use slate_core::policy::parse;
use slate_core::settings::{definition, validate};
use slate_core::store::Store;

fn budget() -> Duration {
    Duration::from_secs_f64(
        std::env::var("SLATE_FUZZ_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2.0),
    )
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the {target} corpus is empty");
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Runs `check` on the corpus, then on values of `strategy` until the time budget is spent.
/// Returns how many inputs ran.
fn fuzz<S: Strategy>(target: &str, strategy: S, check: impl Fn(&S::Value)) -> u64
where
    S::Value: std::fmt::Debug + From<Vec<u8>>,
{
    let mut n = 0;
    for (path, bytes) in corpus(target) {
        let value = S::Value::from(bytes);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&value)));
        assert!(
            outcome.is_ok(),
            "{target}: corpus file {} fails",
            path.display()
        );
        n += 1;
    }
    let mut runner = TestRunner::default();
    let end = Instant::now() + budget();
    while Instant::now() < end {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&value)));
        assert!(outcome.is_ok(), "{target}: fails on {value:?}");
        n += 1;
    }
    let secs = budget().as_secs();
    if secs >= 10 {
        common::write_figures(
            &format!("fuzz-{target}"),
            &format!("{target}: {n} inputs in {secs} s (corpus included), zero failures\n"),
        );
    } else {
        eprintln!("{target}: {n} inputs, no failure");
    }
    n
}

/// Text input: bytes read as UTF-8 where they are (lossily otherwise).
#[derive(Debug, Clone)]
struct Text(String);

impl From<Vec<u8>> for Text {
    fn from(b: Vec<u8>) -> Self {
        Self(String::from_utf8_lossy(&b).into_owned())
    }
}

fn text(pieces: &'static [&'static str]) -> impl Strategy<Value = Text> {
    // Mostly sequences of meaningful pieces (so the parser goes deep), sometimes anything.
    prop_oneof![
        3 => prop::collection::vec(prop::sample::select(pieces), 0..40).prop_map(|p| Text(p.concat())),
        1 => any::<String>().prop_map(Text),
    ]
}

#[test]
fn fuzz_durations() {
    const PIECES: &[&str] = &[
        "0",
        "1",
        "9",
        "30",
        "90",
        "366",
        "99999999999999999999",
        "d",
        "h",
        "m",
        "s",
        " ",
        "-",
        ".",
        "+",
        "H",
        "M",
        "S",
        "\u{0661}",
        "e3",
        "min",
        " minutes",
        "hour",
        "days",
        "w",
        "mo",
        "y",
        "ms",
        ",",
        " ago",
        "İ",
    ];
    let n = fuzz("durations", text(PIECES), |Text(t)| {
        if let Ok(secs) = duration::parse(t) {
            assert!(secs <= 366 * 86_400);
            assert_eq!(duration::parse(&duration::compact(secs)), Ok(secs), "{t:?}");
        }
    });
    assert!(n > 100);
}

#[test]
fn fuzz_policy() {
    const PIECES: &[&str] = &[
        "idle_timeout",
        "idle_warning",
        "guests_allowed",
        "allowed_sites",
        "home_page",
        "time_limit_warnings",
        "language",
        "terminal_name",
        "signin_lock_after",
        " = ",
        "=",
        "\n",
        "\"",
        "'",
        "[",
        "]",
        ",",
        "{",
        "}",
        "#",
        "5m",
        "300",
        "-1",
        "true",
        "1e9",
        "\"https://a.example.org\"",
        "\"*.gov.example\"",
        "\"\\u0000\"",
        "[x]",
        "[[y]]",
        ".",
        "\"\"\"",
        "0x1f",
        "inf",
        "nan",
        "1979-05-27T07:32:00Z",
        " ",
        "\t",
        "\r\n",
        "é",
    ];
    let n = fuzz("policy", text(PIECES), |Text(t)| {
        let p = parse("/etc/slate/policy.toml", t);
        for (key, value) in &p.layer.values {
            let def = definition(key).expect("only known keys are kept");
            assert_eq!(&validate(def, value).expect("kept values are valid"), value);
        }
        // Fail closed: a key the policy cannot use is held, locked, at its strictest.
        assert_eq!(p.layer.values.len(), p.layer.set_by.len());
        for key in &p.layer.held {
            assert_eq!(
                p.layer.values[key],
                definition(key).unwrap().strictest,
                "{key}"
            );
        }
        if p.problems.is_empty() {
            assert!(p.layer.held.is_empty());
        }
        for problem in &p.problems {
            assert!(
                problem.to_string().contains("/etc/slate/policy.toml"),
                "{problem}"
            );
        }
    });
    assert!(n > 100);
}

/// JSON input.
#[derive(Debug, Clone)]
struct Json(serde_json::Value);

impl From<Vec<u8>> for Json {
    fn from(b: Vec<u8>) -> Self {
        Self(serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null))
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|n| serde_json::json!(n)),
        prop::sample::select(vec![
            "settings",
            "check_setting",
            "set_setting",
            "add_user",
            "audit",
            "remove_user",
            "idle_timeout",
            "ana",
            "",
            "action",
            "key",
            "value",
            "query",
            "before",
        ])
        .prop_map(|s| serde_json::json!(s)),
        any::<String>().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "action",
                    "key",
                    "value",
                    "username",
                    "password",
                    "display_name",
                    "admin",
                    "enabled",
                    "query",
                    "user",
                    "event",
                    "reason",
                    "since",
                    "until",
                    "before",
                    "displayName",
                    "x",
                ])
                .prop_map(str::to_owned),
                inner,
                0..8
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn fuzz_ipc_argument_decoding() {
    let n = fuzz("ipc", json_value().prop_map(Json), |Json(v)| {
        let _ = serde_json::from_value::<AdminRequest>(v.clone());
        let _ = serde_json::from_value::<SignInRequest>(v.clone());
        let _ = serde_json::from_value::<SetupRequest>(v.clone());
        let _ = serde_json::from_value::<PreferenceRequest>(v.clone());
        // Whatever decodes says nothing of a password in its Debug text.
        if let Ok(r) = serde_json::from_value::<SignInRequest>(v.clone()) {
            let pw = v["password"].as_str().unwrap_or_default();
            if pw.len() > 3 && !r.username.contains(pw) {
                assert!(!format!("{r:?}").contains(pw));
            }
        }
    });
    assert!(n > 100);
}

/// One way to damage a database: an SQL edit behind the triggers, or flipped bytes.
#[derive(Debug, Clone)]
enum Damage {
    Edit {
        seq: i64,
        column: usize,
        value: String,
    },
    Delete {
        seq: i64,
    },
    Flip {
        offset: u64,
        mask: u8,
    },
}

impl From<Vec<u8>> for Damage {
    fn from(b: Vec<u8>) -> Self {
        let t = String::from_utf8_lossy(&b);
        let parts: Vec<&str> = t.trim().split(' ').collect();
        match parts.as_slice() {
            ["edit", seq, col, value] => Self::Edit {
                seq: seq.parse().unwrap_or(1),
                column: col.parse().unwrap_or(1),
                value: (*value).to_owned(),
            },
            ["delete", seq] => Self::Delete {
                seq: seq.parse().unwrap_or(1),
            },
            ["flip", offset, mask] => Self::Flip {
                offset: offset.parse().unwrap_or(0),
                mask: mask.parse().unwrap_or(1),
            },
            _ => Self::Delete { seq: 1 },
        }
    }
}

const COLUMNS: [&str; 8] = [
    "at",
    "utc_offset_secs",
    "terminal",
    "event",
    "username",
    "session_id",
    "duration_ms",
    "details",
];

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (1..=20_i64, 0..COLUMNS.len(), "[a-z0-9:{}\" ]{0,12}")
            .prop_map(|(seq, column, value)| Damage::Edit { seq, column, value }),
        (1..=20_i64).prop_map(|seq| Damage::Delete { seq }),
        (0..200_000_u64, 1..=255_u8).prop_map(|(offset, mask)| Damage::Flip { offset, mask }),
    ]
}

#[test]
fn fuzz_the_audit_verifier_on_damaged_databases() {
    let key = AuditKey::from_bytes([5; 32]);
    let stamp = Stamp {
        at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
        offset: chrono::FixedOffset::east_opt(0).unwrap(),
        terminal: "fuzz".into(),
    };
    let pristine = tempfile::tempdir().unwrap();
    {
        let s = Store::open(&pristine.path().join("slate.db")).unwrap();
        for i in 0..20 {
            s.audit_append(
                &key,
                &stamp,
                &AuditEvent::new(
                    Event::SignOut,
                    serde_json::json!({ "reason": "idle", "i": i }),
                )
                .user(Some("ana"))
                .session("s")
                .duration_ms(Some(1000)),
            )
            .unwrap();
        }
    } // closing the last connection checkpoints the WAL into the file
    let original = std::fs::read(pristine.path().join("slate.db")).unwrap();
    let n = fuzz("audit", damage(), |d| {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("slate.db");
        let mut bytes = original.clone();
        let mut edited_a_record = false;
        if let Damage::Flip { offset, mask } = d {
            let i = usize::try_from(*offset).unwrap_or(0) % bytes.len();
            bytes[i] ^= mask;
        }
        std::fs::write(&path, &bytes).unwrap();
        if let Damage::Edit { .. } | Damage::Delete { .. } = d {
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
                .unwrap();
            let changed = match d {
                Damage::Edit { seq, column, value } => c
                    .execute(
                        &format!(
                            "UPDATE audit SET {} = ?1 WHERE seq = ?2 AND {0} IS NOT ?1",
                            COLUMNS[*column % COLUMNS.len()]
                        ),
                        rusqlite::params![value, seq],
                    )
                    .unwrap_or(0),
                Damage::Delete { seq } => c
                    .execute("DELETE FROM audit WHERE seq = ?1 AND seq < 20", [seq])
                    .unwrap(),
                Damage::Flip { .. } => 0,
            };
            edited_a_record = changed > 0;
        }
        // Opening may refuse a damaged file; verifying may find a break; neither may panic.
        let Ok(store) = Store::open(&path) else {
            return;
        };
        match store.audit_verify(&key, None) {
            Ok(_) => assert!(!edited_a_record, "an edit went unnoticed: {d:?}"),
            Err(AuditError::Broken { .. } | AuditError::Store(_)) => {}
            Err(e) => panic!("unexpected: {e}"),
        }
    });
    assert!(n > 20);
}
