//! `slatectl` as an administrator uses it: the real binary on a real database file in a temporary
//! folder. Every subcommand, `--json`, and bad input that must give one sentence and change nothing.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

struct Ctl {
    dir: tempfile::TempDir,
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ctl {
    /// A data folder of its own: an empty folder, private (0700) as Slate requires of a folder
    /// it did not create (tempfile's follow the umask).
    fn new() -> Self {
        Self {
            dir: tempfile::Builder::new()
                .permissions(std::fs::Permissions::from_mode(0o700))
                .tempdir()
                .unwrap(),
        }
    }

    /// The policy file tests may write; passed with `--policy` once it exists.
    fn policy(&self) -> std::path::PathBuf {
        self.dir.path().join("policy.toml")
    }

    fn run_bytes(&self, args: &[&str], stdin: &[u8]) -> Out {
        let policy = self.policy();
        run_at(
            self.dir.path(),
            policy.exists().then_some(&policy),
            args,
            stdin,
        )
    }

    fn run(&self, args: &[&str], stdin: &str) -> Out {
        self.run_bytes(args, stdin.as_bytes())
    }

    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, stdin);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        out.stdout
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all, "")).unwrap()
    }

    fn set_up(&self) {
        self.ok(
            &["init", "--admin", "Admin", "--password-stdin"],
            "admin passphrase\n",
        );
        self.ok(
            &[
                "user",
                "add",
                "ana",
                "--display-name",
                "Ana",
                "--password-stdin",
            ],
            "ana's passphrase\n",
        );
    }

    fn users(&self) -> Value {
        self.json(&["user", "list"])
    }
}

/// `slatectl --data-dir DIR [--policy FILE] ARGS…` with `stdin`.
fn run_at(dir: &Path, policy: Option<&PathBuf>, args: &[&str], stdin: &[u8]) -> Out {
    let mut cmd = Command::cargo_bin("slatectl").unwrap();
    cmd.env_remove("SLATE_DATA_DIR")
        .env_remove("SLATE_POLICY")
        .arg("--data-dir")
        .arg(dir);
    if let Some(policy) = policy {
        cmd.arg("--policy").arg(policy);
    }
    let out = cmd.args(args).write_stdin(stdin.to_vec()).output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The error is one sentence on stderr with this exit code.
fn refused(out: &Out, code: i32, contains: &str) {
    assert_eq!(out.code, code, "stderr: {}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "one line: {:?}", out.stderr);
    assert!(out.stderr.starts_with("slatectl: "), "{:?}", out.stderr);
    assert!(
        out.stderr.trim_end().ends_with('.'),
        "a sentence: {:?}",
        out.stderr
    );
    assert!(
        out.stderr.contains(contains),
        "{:?} lacks {contains:?}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn version_and_help() {
    let out = Command::cargo_bin("slatectl")
        .unwrap()
        .arg("--version")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert_eq!(
        stdout.trim(),
        format!("slatectl {}", env!("CARGO_PKG_VERSION"))
    );
    let out = Command::cargo_bin("slatectl")
        .unwrap()
        .arg("--help")
        .assert()
        .success();
    let help = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for word in ["--data-dir", "--json", "check", "init", "user", "config"] {
        assert!(help.contains(word), "help mentions {word}: {help}");
    }
}

#[test]
fn the_long_help_lists_the_environment_and_every_exit_code() {
    let out = Command::cargo_bin("slatectl")
        .unwrap()
        .arg("--help")
        .assert()
        .success();
    let help = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for words in [
        "[env: SLATE_DATA_DIR=",
        "[env: SLATE_POLICY=",
        "Environment:\n  SLATE_DATA_DIR",
        "Exit status:\n  0    Done.",
    ] {
        assert!(help.contains(words), "help has {words:?}: {help}");
    }
    for (code, meaning) in slate_core::exit::MEANINGS {
        let first_word = meaning.split_whitespace().next().unwrap();
        assert!(
            help.lines()
                .any(|l| l.starts_with(&format!("  {code:<4} {first_word}"))),
            "exit code {code}: {help}"
        );
    }
}

#[test]
fn source_test_says_each_step_and_exits_by_the_verdict() {
    let ctl = Ctl::new();
    ctl.set_up();
    // Nothing set up: the source cannot be used (exit 1), the step says why.
    let out = ctl.run(
        &["source", "test", "ldap", "lena", "--password-stdin"],
        "lena's passphrase\n",
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "Testing ldap with lena:\n  FAIL The directory cannot be used: ldap_url is not set.\n"
    );
    assert_eq!(
        out.stderr,
        "slatectl: The source cannot be used: the sign-in screen would say sign-in is not available.\n"
    );
    // --json: the steps and the verdict.
    let out = ctl.run(
        &[
            "--json",
            "source",
            "test",
            "sip2",
            "2123",
            "--password-stdin",
        ],
        "1234\n",
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let test: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(test["verdict"], "unavailable");
    assert_eq!(test["steps"][0]["ok"], false);
    // Slate's own accounts are not a source to test; an empty password is refused.
    assert_eq!(ctl.run(&["source", "test", "local", "ana"], "").code, 2);
    let out = ctl.run(&["source", "test", "pam", "ana", "--password-stdin"], "\n");
    assert_eq!(out.code, 8, "{}", out.stderr);
    // Audited, without the password.
    let audit = ctl.ok(&["audit", "list", "--event", "source_tested", "--json"], "");
    assert!(audit.contains(r#"\"tested\":\"lena\""#), "{audit}");
    assert!(!audit.contains("passphrase"), "{audit}");
}

/// Three sessions ended on 2026-11-02 (a Monday), local time UTC+1: two members of the group
/// "Adult", a guest.
fn record_three_sessions(ctl: &Ctl) {
    use slate_core::api::{EndReason, SessionKind};
    let store = slate_core::store::Store::open(&ctl.dir.path().join("slate.db")).unwrap();
    let offset = chrono::FixedOffset::east_opt(3600).unwrap();
    for (i, (hour, kind, minutes, reason)) in [
        (9, SessionKind::User, 30, EndReason::User),
        (9, SessionKind::User, 50, EndReason::Idle),
        (17, SessionKind::Guest, 10, EndReason::TimeLimit),
    ]
    .into_iter()
    .enumerate()
    {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 2)
            .unwrap()
            .and_hms_opt(hour, 15, 0)
            .unwrap()
            .and_local_timezone(offset)
            .unwrap()
            .to_utc();
        let id = format!("{i:032x}");
        let guest = kind == SessionKind::Guest;
        store
            .record_session_open(
                &slate_core::records::ActiveSession {
                    id: id.clone(),
                    display_name: "Someone".into(),
                    kind,
                    username: (!guest).then(|| "ana".into()),
                    source: (!guest).then_some(slate_core::accounts::Source::Local),
                    group: (!guest).then(|| "Adult".into()),
                    started_at: start,
                },
                offset,
            )
            .unwrap();
        let ms = minutes * 60_000;
        store
            .record_session_end(
                &id,
                reason,
                start + chrono::Duration::milliseconds(ms),
                Some(ms),
                &slate_core::wipe::WipeReceipt {
                    session_id: id.clone(),
                    surfaces: Vec::new(),
                },
            )
            .unwrap();
    }
    drop(store);
}

#[test]
fn stats_count_the_ended_sessions_as_text_json_and_csv() {
    let ctl = Ctl::new();
    ctl.set_up();
    record_three_sessions(&ctl);
    let range = ["stats", "--since", "2026-11-01", "--until", "2026-11-03"];
    let text = ctl.ok(&range, "");
    assert!(
        text.contains("sessions      3 (member 2, guest 1, staff 0)"),
        "{text}"
    );
    assert!(text.contains("time in use   1 h 30 min"), "{text}");
    assert!(text.contains("groups        Adult 2, none 1"), "{text}");
    assert!(
        text.contains("average 30 min 00 s, median 30 min"),
        "{text}"
    );
    assert!(
        text.contains("busiest hours mon 09:00 (2), mon 17:00 (1)"),
        "{text}"
    );
    let json = ctl.json(&range);
    assert_eq!(json["sessions"], 3);
    assert_eq!(json["week"][0][9], 2);
    assert_eq!(json["days"][1]["minutes"], 90);
    let mut csv_args = range.to_vec();
    csv_args.push("--csv");
    let csv = ctl.ok(&csv_args, "");
    for row in [
        "measure,key,sessions,minutes",
        "total,all,3,90",
        "day,2026-11-02,3,90",
        "hour,mon 09:00,2,",
        "ending,time_limit,1,10",
        "source,guest,1,10",
        "group,Adult,2,80",
        "group,,1,10",
    ] {
        assert!(csv.lines().any(|l| l == row), "{row}: {csv}");
    }
    let out = ctl.run(
        &["stats", "--since", "2026-11-05", "--until", "2026-11-01"],
        "",
    );
    assert_eq!(out.code, 8);
    assert_eq!(
        out.stderr,
        "slatectl: The first day is after the last day.\n"
    );
    // Rows kept one day: pruning folds the three into the anonymous counts, and the figures stay.
    ctl.ok(&["config", "set", "usage_session_days", "1"], "");
    let pruned = ctl.json(&["audit", "prune"]);
    assert_eq!(pruned["sessions_removed"], 3, "{pruned}");
    assert_eq!(
        ctl.json(&["session", "list", "--recent", "10"]),
        serde_json::json!([])
    );
    assert_eq!(ctl.json(&range), json);
}

#[test]
fn status_check_answers_in_the_nagios_convention_in_each_state() {
    let ctl = Ctl::new();
    let check = |ctl: &Ctl| {
        let out = ctl.run(&["status", "--check"], "");
        assert_eq!(out.stderr, "", "the check says it all on one line");
        (out.code, out.stdout)
    };
    // Not set up: a warning.
    std::fs::create_dir_all(ctl.dir.path()).unwrap();
    ctl.ok(&["check"], "");
    assert_eq!(
        check(&ctl),
        (
            1,
            "SLATE WARNING - not set up (no administrator yet) | in_use=0\n".into()
        )
    );
    ctl.set_up();
    assert_eq!(check(&ctl), (0, "SLATE OK - ready | in_use=0\n".into()));
    let status = ctl.json(&["status"]);
    assert_eq!(status["state"], "ready");
    assert_eq!(status["service"], "not_used");
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    assert!(status["terminal"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(status["uptime_secs"], Value::Null);
    // In use: still OK.
    let store = slate_core::store::Store::open(&ctl.dir.path().join("slate.db")).unwrap();
    let started = chrono::Utc::now();
    store
        .record_session_open(
            &slate_core::records::ActiveSession {
                id: "0".repeat(32),
                display_name: "Ana".into(),
                kind: slate_core::api::SessionKind::User,
                username: Some("ana".into()),
                source: Some(slate_core::accounts::Source::Local),
                group: None,
                started_at: started,
            },
            chrono::FixedOffset::east_opt(0).unwrap(),
        )
        .unwrap();
    drop(store);
    let (code, line) = check(&ctl);
    assert_eq!(code, 0, "{line}");
    assert!(line.starts_with("SLATE OK - in use since "), "{line}");
    assert!(line.ends_with(" | in_use=1\n"), "{line}");
    assert_eq!(ctl.json(&["status"])["state"], "in_use");
    // The audit key gone: needs attention, critical.
    let key = ctl.dir.path().join("keys/audit.key");
    let saved = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let (code, line) = check(&ctl);
    assert_eq!(code, 2, "{line}");
    assert!(
        line.starts_with("SLATE CRITICAL - needs attention: "),
        "{line}"
    );
    std::fs::write(&key, saved).unwrap();
    // The session service not running where it is said to be: critical.
    let out = Command::cargo_bin("slatectl")
        .unwrap()
        .env_remove("SLATE_DATA_DIR")
        .args(["--socket", "/nonexistent/slate.sock", "status", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "SLATE CRITICAL - Slate's session service is not running at /nonexistent/slate.sock.\n"
    );
    // Nothing to read: unknown.
    let out = run_at(
        &ctl.dir.path().join("not-there"),
        None,
        &["status", "--check"],
        b"",
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("SLATE UNKNOWN - The data folder "),
        "{}",
        out.stdout
    );
}

#[test]
fn status_metrics_are_prometheus_text_with_the_counts() {
    let ctl = Ctl::new();
    ctl.set_up();
    let metrics = ctl.ok(&["status", "--metrics"], "");
    // Every line a comment or `name{labels} value`, every family typed before its samples.
    let mut typed = Vec::new();
    for line in metrics.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(["gauge", "counter"].contains(&kind), "{line}");
            typed.push(name.to_owned());
        } else if !line.starts_with("# HELP slate_") {
            let (sample, value) = line.rsplit_once(' ').unwrap();
            value
                .parse::<u64>()
                .unwrap_or_else(|_| panic!("a number: {line}"));
            let name = sample.split('{').next().unwrap();
            assert!(typed.iter().any(|t| t == name), "typed first: {line}");
            if let Some(labels) = sample.strip_prefix(name) {
                assert!(
                    labels.is_empty() || (labels.starts_with('{') && labels.ends_with("\"}")),
                    "{line}"
                );
            }
        }
    }
    for sample in [
        "slate_state{state=\"ready\"} 1",
        "slate_state{state=\"service_down\"} 0",
        "slate_sessions_total{kind=\"member\"} 0",
        "slate_session_endings_total{reason=\"idle\"} 0",
        "slate_sign_in_failures_total{reason=\"bad_credentials\"} 0",
        "slate_wipe_failures_total 0",
        "slate_last_wipe_complete 1",
    ] {
        assert!(metrics.lines().any(|l| l == sample), "{sample}: {metrics}");
    }
    let out = ctl.run(&["--json", "status", "--metrics"], "");
    assert_eq!(out.code, 8, "--json and --metrics do not go together");
}

#[test]
fn the_audit_exports_after_a_record_and_verifies_against_a_collector_s_file() {
    let ctl = Ctl::new();
    ctl.set_up();
    ctl.ok(&["config", "set", "guests_allowed", "true"], "");
    let all = ctl.ok(&["audit", "export"], "");
    let total = all.lines().count();
    assert_eq!(total, 3, "{all}");
    let later = ctl.ok(&["audit", "export", "--after-seq", "1"], "");
    assert_eq!(later.lines().count(), 2);
    assert!(
        later.lines().next().unwrap().contains(r#""seq":2"#),
        "{later}"
    );
    // A collector's file: lines as rsyslog writes them, with other lines between.
    let anchor = ctl.ok(&["audit", "anchor"], "");
    let (seq, mac) = anchor.trim().split_once(':').unwrap();
    let file = ctl.dir.path().join("collector.log");
    std::fs::write(
        &file,
        format!(
            "Dec  6 08:00:00 other-host sshd[1]: unrelated\n\
             pc-3 slate sign_in [slate@32473 seq=\"{seq}\" event=\"sign_in\" mac=\"{mac}\"] {{}}\n"
        ),
    )
    .unwrap();
    let path = file.display().to_string();
    let said = ctl.ok(&["audit", "verify", "--anchors-from", &path], "");
    assert!(
        said.contains("and agrees with 1 record the file kept"),
        "{said}"
    );
    // A MAC the log does not have: broken (exit 10).
    std::fs::write(&file, format!("{seq}:{}\n", "0".repeat(64))).unwrap();
    let out = ctl.run(&["audit", "verify", "--anchors-from", &path], "");
    assert_eq!(out.code, 10, "{}", out.stderr);
    assert!(
        out.stderr.contains("not the one kept off this machine"),
        "{}",
        out.stderr
    );
    // No anchor in it, or no file: one sentence, exit 8.
    std::fs::write(&file, "nothing here\n").unwrap();
    assert_eq!(
        ctl.run(&["audit", "verify", "--anchors-from", &path], "")
            .code,
        8
    );
    let out = ctl.run(
        &["audit", "verify", "--anchors-from", "/nonexistent/log"],
        "",
    );
    assert_eq!(out.code, 8);
    assert_eq!(
        out.stderr,
        "slatectl: Cannot read /nonexistent/log: no such file or directory.\n"
    );
    // Not forwarded: status says so.
    let status = ctl.ok(&["audit", "forward", "status"], "");
    let lines: Vec<&str> = status.lines().collect();
    assert_eq!(
        lines[0],
        "The audit is not forwarded to a collector (audit_forward_url is empty)."
    );
    // The journal's line: journald may or may not run where the tests do.
    assert!(
        lines[1].contains("system journal") && lines.len() == 2,
        "{status}"
    );
    ctl.ok(
        &["config", "set", "audit_forward_url", "tls://127.0.0.1:9"],
        "",
    );
    let status = ctl.json(&["audit", "forward", "status"]);
    assert_eq!(status["destination"], "127.0.0.1:9");
    assert_eq!(status["sent_seq"], 0);
    assert_eq!(status["behind"], 4, "{status}");
    // Monitoring sees the lag too.
    let forwarding = &ctl.json(&["status"])["forwarding"];
    assert_eq!(forwarding["destination"], "127.0.0.1:9", "{forwarding}");
    assert!(forwarding["behind"].as_i64().unwrap() >= 4, "{forwarding}");
    let metrics = ctl.ok(&["status", "--metrics"], "");
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("slate_audit_forward_behind ")),
        "{metrics}"
    );
}

/// The panel's audit filters (static HTML) offer every event and every reason slatectl knows.
#[test]
fn the_panel_s_audit_filters_offer_every_event_and_reason() {
    let page = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/static/index.html"),
    )
    .unwrap();
    let select = |id: &str| {
        let start = page.find(&format!(r#"<select id="{id}">"#)).unwrap();
        let end = start + page[start..].find("</select>").unwrap();
        page[start..end].to_owned()
    };
    let (events, reasons) = (select("audit-event"), select("audit-reason"));
    for event in slate_core::audit::Event::ALL {
        let option = format!("<option>{event}</option>");
        assert!(events.contains(&option), "the panel offers {option}");
    }
    for reason in slate_core::audit::reason_names() {
        let option = format!("<option>{reason}</option>");
        assert!(reasons.contains(&option), "the panel offers {option}");
    }
}

#[test]
fn a_mistyped_event_or_reason_is_refused_with_the_possible_values() {
    let ctl = Ctl::new();
    ctl.set_up();
    let out = ctl.run(&["audit", "list", "--event", "user_create"], "");
    assert_eq!(out.code, 2, "a usage error: {}", out.stderr);
    assert!(
        out.stderr
            .contains("invalid value 'user_create' for '--event <EVENT>'"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("[possible values: sign_in, sign_out, "),
        "{}",
        out.stderr
    );
    for event in slate_core::audit::Event::ALL {
        assert!(
            out.stderr.contains(event.as_str()),
            "{event}: {}",
            out.stderr
        );
    }
    let out = ctl.run(&["audit", "list", "--reason", "timelimit"], "");
    assert_eq!(out.code, 2, "{}", out.stderr);
    for reason in slate_core::audit::reason_names() {
        assert!(out.stderr.contains(reason), "{reason}: {}", out.stderr);
    }
    assert!(out.stderr.contains(
        "bad_credentials, throttled, terminal_throttled, cooling_down, locked, disabled, barred, closed, allowance_spent, pass_refused, signed_in_elsewhere]"
    ));
    let out = ctl.run(&["audit", "export", "--format", "json"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("[possible values: jsonl, csv]"),
        "{}",
        out.stderr
    );

    // The right names still filter.
    let created = ctl.json(&["audit", "list", "--event", "user_created"]);
    assert_eq!(created.as_array().unwrap().len(), 2, "{created}");
    let idle = ctl.json(&["audit", "list", "--reason", "idle"]);
    assert_eq!(idle.as_array().unwrap().len(), 0, "{idle}");
    let help = ctl.ok(&["audit", "list", "--help"], "");
    assert!(
        help.contains("session_ended_by_admin") && help.contains("time_limit"),
        "the help lists them too: {help}"
    );
}

#[test]
fn check_reports_a_fresh_folder_as_not_set_up() {
    let ctl = Ctl::new();
    let text = ctl.ok(&["check"], "");
    assert!(text.contains("Database: ok"), "{text}");
    assert!(text.contains("Set up: no"), "{text}");
    let v = ctl.json(&["check"]);
    assert_eq!(v["set_up"], false);
    assert!(v["schema_version"].as_i64().unwrap() >= 1);
}

#[test]
fn check_refuses_a_damaged_database_in_one_sentence() {
    let ctl = Ctl::new();
    std::fs::write(ctl.dir.path().join("slate.db"), vec![7_u8; 4096]).unwrap();
    refused(&ctl.run(&["check"], ""), 4, "is damaged");
}

#[test]
fn a_missing_subcommand_is_a_usage_error() {
    Command::cargo_bin("slatectl").unwrap().assert().code(2);
}

#[test]
fn init_creates_the_first_administrator_once() {
    let ctl = Ctl::new();
    let out = ctl.ok(
        &["init", "--admin", "  Admin ", "--password-stdin"],
        "admin passphrase\n",
    );
    assert_eq!(out.trim(), "Created administrator Admin.");
    assert_eq!(ctl.json(&["check"])["set_up"], true);
    refused(
        &ctl.run(
            &["init", "--admin", "other", "--password-stdin"],
            "other passphrase\n",
        ),
        7,
        "already set up",
    );
    let users = ctl.users();
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(users[0]["username"], "Admin");
    assert_eq!(users[0]["role"], "admin");
}

#[test]
fn users_can_be_added_listed_disabled_enabled_unlocked_and_removed() {
    let ctl = Ctl::new();
    ctl.set_up();
    let out = ctl.ok(
        &[
            "--json",
            "user",
            "add",
            "bo",
            "--admin",
            "--display-name",
            "Bo Staff",
            "--password-stdin",
        ],
        "bo's passphrase\n",
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["role"], "admin");
    assert_eq!(v["display_name"], "Bo Staff");
    let users = ctl.users();
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Admin", "ana", "bo"]);
    assert!(!users.to_string().contains("argon2"), "no hashes listed");

    let text = ctl.ok(&["user", "list"], "");
    assert!(text.contains("USERNAME"), "{text}");
    assert!(text.contains("ana") && text.contains("active"), "{text}");

    assert_eq!(
        ctl.ok(&["user", "disable", "ANA"], "").trim(),
        "Disabled ANA."
    );
    assert_eq!(ctl.users()[1]["enabled"], false);
    ctl.ok(&["user", "enable", "ana"], "");
    assert_eq!(ctl.users()[1]["enabled"], true);
    let v = ctl.json(&["user", "unlock", "ana"]);
    assert_eq!(v["done"], "unlocked");
    ctl.ok(&["user", "remove", "bo"], "");
    assert_eq!(ctl.users().as_array().unwrap().len(), 2);
}

#[test]
fn passwd_changes_the_hash() {
    let ctl = Ctl::new();
    ctl.set_up();
    let db = rusqlite::Connection::open(ctl.dir.path().join("slate.db")).unwrap();
    let hash = |db: &rusqlite::Connection| -> String {
        db.query_row(
            "SELECT password_hash FROM users WHERE username_key = 'ana'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let before = hash(&db);
    ctl.ok(
        &["user", "passwd", "ana", "--password-stdin"],
        "a brand new passphrase\n",
    );
    let after = hash(&db);
    assert_ne!(before, after);
    assert!(after.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}

#[test]
fn the_last_administrator_is_protected() {
    let ctl = Ctl::new();
    ctl.set_up();
    refused(
        &ctl.run(&["user", "remove", "admin"], ""),
        9,
        "last administrator",
    );
    refused(
        &ctl.run(&["user", "disable", "admin"], ""),
        9,
        "last administrator",
    );
    assert_eq!(ctl.users().as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_is_one_sentence_and_changes_nothing() {
    let ctl = Ctl::new();
    ctl.set_up();
    let before = ctl.users();
    let add = ["user", "add", "zed", "--password-stdin"];

    refused(&ctl.run(&add, ""), 8, "at least 8 characters");
    refused(&ctl.run(&add, "\n"), 8, "at least 8 characters");
    refused(&ctl.run(&add, "short\n"), 8, "at least 8 characters");
    let ten_mb = "x".repeat(10 * 1024 * 1024);
    refused(&ctl.run(&add, &ten_mb), 8, "at most 256 characters");
    refused(
        &ctl.run(&add, &"y".repeat(257)),
        8,
        "at most 256 characters",
    );
    refused(&ctl.run(&add, "abc\0defghij\n"), 8, "NUL");
    refused(
        &ctl.run_bytes(&add, b"\xff\xfe invalid utf8 \xc3\n"),
        8,
        "UTF-8",
    );
    refused(&ctl.run(&add, "two\nlines here\n"), 8, "single line");
    refused(&ctl.run(&add, "password123\n"), 8, "too common");
    refused(
        &ctl.run(
            &["user", "add", "", "--password-stdin"],
            "fine passphrase\n",
        ),
        8,
        "Enter a username",
    );
    refused(
        &ctl.run(
            &["user", "add", &"n".repeat(65), "--password-stdin"],
            "fine passphrase\n",
        ),
        8,
        "at most 64 characters",
    );
    refused(
        &ctl.run(
            &["user", "add", "ANA", "--password-stdin"],
            "fine passphrase\n",
        ),
        7,
        "already a user called ANA",
    );
    for cmd in ["remove", "disable", "enable", "unlock"] {
        refused(
            &ctl.run(&["user", cmd, "ghost"], ""),
            6,
            "no user called ghost",
        );
    }
    refused(
        &ctl.run(
            &["user", "passwd", "ghost", "--password-stdin"],
            "fine passphrase\n",
        ),
        6,
        "no user called ghost",
    );
    // No terminal and no --password-stdin: refuse rather than hang.
    refused(&ctl.run(&["user", "add", "zed"], ""), 8, "--password-stdin");
    refused(
        &ctl.run(&["user", "set", "ghost", "--daily", "1h"], ""),
        6,
        "no user called ghost",
    );
    refused(
        &ctl.run(&["user", "set", "ana", "--daily", "2 weeks"], ""),
        8,
        "2 weeks is not a daily time",
    );

    assert_eq!(ctl.users(), before, "nothing changed");
}

#[test]
fn a_user_gets_a_daily_time_of_their_own() {
    let ctl = Ctl::new();
    ctl.set_up();
    assert_eq!(
        ctl.ok(&["user", "set", "ana", "--daily", "1.5h"], "")
            .trim(),
        "ana has 1h30m a day."
    );
    let listed = ctl.ok(&["user", "list"], "");
    assert!(listed.contains("(1h30m a day)"), "{listed}");
    let v = ctl.json(&["user", "set", "ana", "--daily", "off"]);
    assert_eq!(v["done"], "daily_time_set", "{v}");
    let users = ctl.json(&["user", "list"]);
    let ana = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "ana")
        .unwrap();
    assert_eq!(ana["daily_time"]["kind"], "unlimited", "{ana}");
    ctl.ok(&["user", "set", "ana", "--daily", "default"], "");
    assert!(!ctl.ok(&["user", "list"], "").contains("a day)"));
}

#[test]
fn invalid_utf8_arguments_are_a_usage_error() {
    use std::os::unix::ffi::OsStrExt;
    let ctl = Ctl::new();
    let out = Command::cargo_bin("slatectl")
        .unwrap()
        .arg("--data-dir")
        .arg(ctl.dir.path())
        .args(["user", "remove"])
        .arg(std::ffi::OsStr::from_bytes(b"\xff\xfe"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn config_shows_gets_sets_and_unsets_with_validation() {
    let ctl = Ctl::new();
    let list = ctl.ok(&["config", "show"], "");
    assert!(
        list.contains("guests_allowed = \"false\"  [default]"),
        "{list}"
    );
    assert!(
        list.contains("idle_timeout = 300 (5m)  [default]"),
        "{list}"
    );
    assert_eq!(ctl.ok(&["config", "list"], ""), list, "list is show");
    assert_eq!(
        ctl.ok(&["config", "get", "guests_allowed"], "").trim(),
        "false"
    );
    assert_eq!(
        ctl.ok(&["config", "set", "guests_allowed", "true"], "")
            .trim(),
        "guests_allowed: \"false\" -> \"true\""
    );
    let v = ctl.json(&["config", "get", "guests_allowed"]);
    assert_eq!(v["value"], "true");
    assert_eq!(v["layer"], "administrator");
    // Durations the way people write them.
    ctl.ok(&["config", "set", "idle_timeout", "1h30m"], "");
    assert_eq!(
        ctl.ok(&["config", "get", "idle_timeout"], "").trim(),
        "5400"
    );
    ctl.ok(&["config", "set", "time_limit_warnings", "5m, 90s"], "");
    assert_eq!(
        ctl.ok(&["config", "get", "time_limit_warnings"], "").trim(),
        "300,90"
    );
    refused(
        &ctl.run(&["config", "set", "signin_lock_after", "1000"], ""),
        8,
        "from 3 to 50",
    );
    refused(
        &ctl.run(&["config", "set", "nope", "1"], ""),
        8,
        "no setting called",
    );
    refused(
        &ctl.run(&["config", "get", "nope"], ""),
        8,
        "no setting called",
    );
    refused(
        &ctl.run(&["config", "unset", "nope"], ""),
        8,
        "no setting called",
    );
    refused(
        &ctl.run(
            &["config", "set", "allowed_sites", "https://a.org/path"],
            "",
        ),
        8,
        "no path",
    );
    assert_eq!(
        ctl.ok(&["config", "get", "signin_lock_after"], "").trim(),
        "10"
    );
    assert_eq!(
        ctl.ok(&["config", "unset", "idle_timeout"], "").trim(),
        "idle_timeout: \"5400\" -> \"300\" (the default)"
    );
    let all = ctl.json(&["config", "show"]);
    let row = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "idle_timeout")
        .unwrap()
        .clone();
    assert_eq!(row["layer"], "default");
    assert_eq!(row["bounds"], "a duration from 30s to 1d");
    // The terminal's name goes into the audit records from then on.
    ctl.ok(&["config", "set", "terminal_name", "Library PC 3"], "");
    ctl.ok(&["config", "set", "guests_allowed", "false"], "");
    let newest = ctl.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(newest[0]["terminal"], "Library PC 3");
    // Every key is in the help, with its description, from the core's one list.
    let help = ctl.ok(&["config", "set", "--help"], "");
    for key in [
        "idle_timeout",
        "admin_idle_timeout",
        "allowed_sites",
        "terminal_name",
        "language",
    ] {
        assert!(help.contains(key), "{key} in {help}");
    }
}

#[test]
fn durations_are_read_in_plain_words_and_refused_with_the_accepted_forms() {
    let ctl = Ctl::new();
    ctl.ok(&["config", "set", "idle_timeout", "1 hour 30 minutes"], "");
    ctl.ok(&["config", "set", "idle_timeout", "1.5h"], "");
    assert_eq!(
        ctl.ok(&["config", "get", "idle_timeout"], "").trim(),
        "5400"
    );
    refused(
        &ctl.run(&["config", "set", "idle_timeout", "10s"], ""),
        8,
        "a duration from 30s to 1d",
    );
    refused(
        &ctl.run(&["config", "set", "idle_timeout", "ten minutes"], ""),
        8,
        "is not a duration. Write it like 90s, 10 min, 1 hour 30 minutes or 1.5h.",
    );
    refused(
        &ctl.run(&["config", "set", "idle_timeout", "1 month"], ""),
        8,
        "Months and years vary in length",
    );
    refused(
        &ctl.run(&["config", "set", "idle_timeout", "1.5"], ""),
        8,
        "needs a unit",
    );
}

#[test]
fn the_policy_file_locks_its_keys_and_a_bad_key_is_reported_and_held_at_its_strictest() {
    let ctl = Ctl::new();
    ctl.set_up();
    ctl.ok(&["config", "set", "signin_lock_after", "7"], "");
    std::fs::write(
        ctl.policy(),
        "idle_timeout = \"10m\"\nguests_allowed = true\nsignin_lock_after = 99\n",
    )
    .unwrap();
    let out = ctl.run(&["config", "show", "--json"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("policy.toml, line 3: signin_lock_after must be a whole number from 3 to 50, not \"99\". signin_lock_after is held at its strictest, 3, until the file is fixed."),
        "{}",
        out.stderr
    );
    let rows: Value = serde_json::from_str(&out.stdout).unwrap();
    let layer = |k: &str| {
        let r = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == k)
            .unwrap();
        (
            r["value"].as_str().unwrap().to_owned(),
            r["layer"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(layer("idle_timeout"), ("600".into(), "policy".into()));
    assert_eq!(layer("guests_allowed"), ("true".into(), "policy".into()));
    // Was: the administrator's 7 applied under the bad key (failing open).
    assert_eq!(
        layer("signin_lock_after"),
        ("3".into(), "policy".into()),
        "held at its strictest, never the layer below"
    );
    let out = ctl.run(&["config", "set", "idle_timeout", "5m"], "");
    assert_eq!(out.code, 9, "{}", out.stderr);
    let last = out.stderr.lines().last().unwrap();
    assert_eq!(
        last,
        format!(
            "slatectl: idle_timeout is set by the policy file {}; change it there.",
            ctl.policy().display()
        )
    );
    assert_eq!(ctl.run(&["config", "unset", "guests_allowed"], "").code, 9);
    assert_eq!(
        ctl.run(&["config", "set", "signin_lock_after", "7"], "")
            .code,
        9,
        "a held key stays locked"
    );
    // The problem and the changes the policy made are in the audit, once.
    ctl.ok(&["status"], "");
    let problems = ctl.json(&["audit", "list", "--event", "policy_problem"]);
    assert_eq!(problems.as_array().unwrap().len(), 1, "{problems}");
    let changes = ctl.json(&["audit", "list", "--event", "setting_changed"]);
    let by_policy: Vec<_> = changes
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["details"].as_str().unwrap().contains("policy file"))
        .collect();
    assert_eq!(
        by_policy.len(),
        3,
        "idle_timeout, guests_allowed and the held signin_lock_after: {changes}"
    );
    // Status names the file.
    let status = ctl.json(&["status"]);
    assert_eq!(
        status["policy"]["keys"],
        serde_json::json!(["guests_allowed", "idle_timeout", "signin_lock_after"])
    );
    assert_eq!(
        status["policy"]["held"],
        serde_json::json!(["signin_lock_after"])
    );
    assert_eq!(status["policy"]["problems"].as_array().unwrap().len(), 1);
    // A file that is not TOML: every key is held at its strictest, and one sentence says why.
    // (Was: everything below applied, the default 300 here.)
    std::fs::write(ctl.policy(), "idle_timeout = \n").unwrap();
    let out = ctl.run(&["config", "get", "idle_timeout"], "");
    assert_eq!(out.stdout.trim(), "30");
    assert!(
        out.stderr.contains("is not valid TOML at line 1"),
        "{}",
        out.stderr
    );
    ctl.ok(&["audit", "verify"], "");
}

/// The rows of `config show --json` by key: (value, layer, held).
fn shown(ctl: &Ctl) -> std::collections::BTreeMap<String, (String, String, bool)> {
    let rows = ctl.json(&["config", "show"]);
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                (
                    r["value"].as_str().unwrap().to_owned(),
                    r["layer"].as_str().unwrap().to_owned(),
                    r["held"].as_bool().unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn a_broken_policy_never_lets_the_databases_looser_values_through() {
    let ctl = Ctl::new();
    ctl.set_up();
    // Looser values first, as a local administrator (or whoever got at the database) sets them.
    ctl.ok(&["config", "set", "idle_timeout", "1 day"], "");
    ctl.ok(&["config", "set", "guests_allowed", "true"], "");
    ctl.ok(&["config", "set", "audit_retention_days", "1"], "");
    let good = "idle_timeout = \"10m\"\nguests_allowed = false\n";
    std::fs::write(ctl.policy(), good).unwrap();
    let rows = shown(&ctl);
    assert_eq!(rows["idle_timeout"], ("600".into(), "policy".into(), false));
    assert_eq!(
        rows["guests_allowed"],
        ("false".into(), "policy".into(), false)
    );
    // Then the policy breaks: its keys stay locked, at their strictest.
    std::fs::write(
        ctl.policy(),
        "idle_timeout = \"ten minutes\"\nguests_allowed = \"perhaps\"\n",
    )
    .unwrap();
    let out = ctl.run(&["config", "show"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let file = ctl.policy().display().to_string();
    assert!(
        out.stdout.contains(&format!(
            "idle_timeout = 30 (30s)  [policy: {file}, held at its strictest until the file is fixed]"
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains(&format!(
            "{file}, line 1: idle_timeout: \"ten minutes\" is not a duration. Write it like 90s, \
             10 min, 1 hour 30 minutes or 1.5h. idle_timeout is held at its strictest, 30s, until \
             the file is fixed."
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "guests_allowed must be true or false, not \"perhaps\". guests_allowed is held at its \
             strictest, false, until the file is fixed."
        ),
        "{}",
        out.stderr
    );
    let rows = shown(&ctl);
    assert_eq!(rows["idle_timeout"], ("30".into(), "policy".into(), true));
    assert_eq!(
        rows["guests_allowed"],
        ("false".into(), "policy".into(), true)
    );
    assert_eq!(
        rows["audit_retention_days"],
        ("1".into(), "administrator".into(), false),
        "a key the policy does not try to set"
    );
    let out = ctl.run(&["config", "set", "idle_timeout", "1 day"], "");
    assert_eq!(out.code, 9, "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().last().unwrap(),
        format!("slatectl: idle_timeout is set by the policy file {file}; change it there."),
        "after the warnings"
    );
    // Status says which keys are held.
    let status = ctl.ok(&["status"], "");
    assert!(
        status.contains(
            "Held at their strictest until the files are fixed: guests_allowed, idle_timeout."
        ),
        "{status}"
    );
    let v = ctl.json(&["status"]);
    assert_eq!(
        v["policy"]["held"],
        serde_json::json!(["guests_allowed", "idle_timeout"])
    );
    // policy check says the same sentences, and fails with 8.
    let out = ctl.run(&["policy", "check"], "");
    assert_eq!(out.code, 8, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("idle_timeout is held at its strictest, 30s, until the file is fixed."),
        "{}",
        out.stdout
    );
    ctl.ok(&["audit", "verify"], "");
}

#[test]
fn a_good_policy_file_after_a_broken_one_restores_its_values() {
    let ctl = Ctl::new();
    ctl.set_up();
    ctl.ok(&["config", "set", "audit_retention_days", "1"], "");
    // Not TOML: every key is held, also those it did not set (retention: kept forever).
    std::fs::write(ctl.policy(), "idle_timeout = \n").unwrap();
    let rows = shown(&ctl);
    assert!(rows
        .values()
        .all(|(_, layer, held)| layer == "policy" && *held));
    assert_eq!(rows["audit_retention_days"].0, "0");
    assert_eq!(rows["allowed_sites"].0, "");
    // A good file after the broken one: its values, and the database's below it, are back.
    std::fs::write(
        ctl.policy(),
        "idle_timeout = \"10m\"\nguests_allowed = false\n",
    )
    .unwrap();
    let out = ctl.run(&["config", "show", "--json"], "");
    assert_eq!(out.stderr, "", "no problem left");
    let rows = shown(&ctl);
    assert_eq!(rows["idle_timeout"], ("600".into(), "policy".into(), false));
    assert_eq!(
        rows["guests_allowed"],
        ("false".into(), "policy".into(), false)
    );
    assert_eq!(
        rows["audit_retention_days"],
        ("1".into(), "administrator".into(), false)
    );
    assert!(ctl
        .ok(&["status"], "")
        .contains("setting guests_allowed, idle_timeout."));
    ctl.ok(&["audit", "verify"], "");
}

#[test]
fn a_policy_file_others_may_write_is_refused_and_fails_closed() {
    use std::os::unix::fs::PermissionsExt;
    let ctl = Ctl::new();
    ctl.set_up();
    ctl.ok(&["config", "set", "guests_allowed", "true"], "");
    std::fs::write(ctl.policy(), "idle_timeout = \"10m\"\n").unwrap();
    let chmod = |mode: u32| {
        std::fs::set_permissions(ctl.policy(), std::fs::Permissions::from_mode(mode)).unwrap();
    };
    chmod(0o664);
    let file = ctl.policy().display().to_string();
    let out = ctl.run(&["config", "show"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let warning = out.stderr.lines().next().unwrap_or_default().to_owned();
    assert!(
        warning.starts_with(&format!(
            "slatectl: warning: The policy file {file} is writable by group "
        )) && warning.ends_with(
            "; make it owned by root and not writable by others (chmod 644). Until then every \
             setting it could set is held at its strictest value."
        ),
        "{}",
        out.stderr
    );
    let rows = shown(&ctl);
    assert!(
        rows.values()
            .all(|(_, layer, held)| layer == "policy" && *held),
        "{rows:?}"
    );
    assert_eq!(rows["guests_allowed"].0, "false", "not the database's true");
    assert_eq!(
        rows["idle_timeout"].0, "30",
        "not the file's, which is not trusted"
    );
    // policy check FILE: the same sentence, exit 8.
    let out = ctl.run(&["policy", "check", &file], "");
    assert_eq!(out.code, 8, "{}", out.stderr);
    assert_eq!(
        out.stdout.trim(),
        warning.trim_start_matches("slatectl: warning: ")
    );
    refused(&out, 8, &format!("{file}: 1 problem."));
    let status = ctl.json(&["status"]);
    assert_eq!(
        status["policy"]["problems"][0].as_str().unwrap(),
        warning.trim_start_matches("slatectl: warning: ")
    );
    // Writable by every account: refused too.
    chmod(0o646);
    assert!(ctl
        .run(&["config", "get", "idle_timeout"], "")
        .stderr
        .contains("is writable by every account; make it owned by root"));
    // Fixed: the file's value applies again.
    chmod(0o644);
    let out = ctl.run(&["config", "get", "idle_timeout"], "");
    assert_eq!((out.stdout.trim(), out.stderr.as_str()), ("600", ""));
    assert_eq!(
        shown(&ctl)["guests_allowed"],
        ("true".into(), "administrator".into(), false)
    );
    assert_eq!(ctl.run(&["policy", "check", &file], "").code, 0);
}

#[test]
fn drop_ins_override_the_policy_file_and_config_show_names_the_file_that_set_each_key() {
    let ctl = Ctl::new();
    ctl.set_up();
    ctl.ok(&["config", "set", "signin_lock_after", "7"], "");
    std::fs::write(
        ctl.policy(),
        "idle_timeout = \"10m\"\nguests_allowed = true\n",
    )
    .unwrap();
    let drop_ins = ctl.dir.path().join("policy.d");
    std::fs::create_dir(&drop_ins).unwrap();
    let room = drop_ins.join("20-room.toml");
    std::fs::write(&room, "# room 3\nidle_timeout = \"20m\"\n").unwrap();
    // An editor's backup is not read.
    std::fs::write(drop_ins.join("20-room.toml~"), "idle_timeout = \"1h\"\n").unwrap();
    let list = ctl.ok(&["config", "show"], "");
    let main = ctl.policy().display().to_string();
    let database = ctl.dir.path().join("slate.db").display().to_string();
    for line in [
        format!("idle_timeout = 1200 (20m)  [policy: {}]", room.display()),
        format!("guests_allowed = \"true\"  [policy: {main}]"),
        format!("signin_lock_after = \"7\"  [administrator: {database}]"),
        "language = \"en\"  [default]".to_owned(),
    ] {
        assert!(list.contains(&line), "{line} in {list}");
    }
    let rows = ctl.json(&["config", "show"]);
    let file = |k: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == k)
            .unwrap()["file"]
            .clone()
    };
    assert_eq!(file("idle_timeout"), room.display().to_string());
    assert_eq!(file("guests_allowed"), main);
    assert_eq!(file("signin_lock_after"), database);
    assert_eq!(file("language"), Value::Null);
    let get = ctl.json(&["config", "get", "idle_timeout"]);
    assert_eq!(get["file"], room.display().to_string());
    // Locked, naming the file to change.
    refused(
        &ctl.run(&["config", "set", "idle_timeout", "5m"], ""),
        9,
        &format!(
            "idle_timeout is set by the policy file {}; change it there.",
            room.display()
        ),
    );
    refused(
        &ctl.run(&["config", "unset", "guests_allowed"], ""),
        9,
        &format!("set by the policy file {main};"),
    );
    // Status lists the files in the order they are read.
    let status = ctl.ok(&["status"], "");
    assert!(
        status.contains(&format!(
            "Policy files: {main} then {}, setting guests_allowed, idle_timeout.",
            room.display()
        )),
        "{status}"
    );
    let v = ctl.json(&["status"]);
    assert_eq!(
        v["policy"]["files"],
        serde_json::json!([main, room.display().to_string()])
    );
    // A bad key in a drop-in is named with its file and line, and held at its strictest (was:
    // the main file's value applied).
    std::fs::write(&room, "# room 3\nidle_timeout = \"5\"\n").unwrap();
    let out = ctl.run(&["config", "get", "idle_timeout"], "");
    assert_eq!(out.stdout.trim(), "30");
    assert!(
        out.stderr.contains(&format!(
            "{}, line 2: idle_timeout must be a duration from 30s to 1d, not \"5\". idle_timeout \
             is held at its strictest, 30s, until the file is fixed.",
            room.display()
        )),
        "{}",
        out.stderr
    );
    // Without the drop-in the main file's value stands; each change was audited by the file
    // that made it.
    std::fs::remove_file(&room).unwrap();
    assert_eq!(ctl.ok(&["config", "get", "idle_timeout"], "").trim(), "600");
    let changes = ctl.json(&["audit", "list", "--event", "setting_changed"]);
    assert!(
        changes.as_array().unwrap().iter().any(|r| {
            let d = r["details"].as_str().unwrap();
            d.contains("\"key\":\"idle_timeout\"")
                && d.contains(&format!("policy file {}", room.display()))
        }),
        "{changes}"
    );
    ctl.ok(&["audit", "verify"], "");
}

#[test]
fn policy_check_names_each_problem_by_file_and_line_and_fails_with_exit_8() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("no-data-folder");
    let check = |args: &[&str]| {
        let out = Command::cargo_bin("slatectl")
            .unwrap()
            .env_remove("SLATE_POLICY")
            .env("SLATE_DATA_DIR", &data)
            .args(["policy", "check"])
            .args(args)
            .output()
            .unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    let good = tmp.path().join("policy.toml");
    std::fs::write(&good, "idle_timeout = \"10m\"\nguests_allowed = true\n").unwrap();
    let out = check(&[good.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "{}: no problems; it sets guests_allowed, idle_timeout.\n",
            good.display()
        )
    );
    assert_eq!(out.stderr, "");
    // A drop-in alone, with two problems: each on its own line, then one sentence and exit 8.
    std::fs::create_dir(tmp.path().join("policy.d")).unwrap();
    let room = tmp.path().join("policy.d/20-room.toml");
    std::fs::write(
        &room,
        "# room 3\nidle_timout = \"10m\"\nsignin_lock_after = 99\nlanguage = \"es\"\n",
    )
    .unwrap();
    let out = check(&[room.to_str().unwrap()]);
    assert_eq!(out.code, 8, "{}", out.stderr);
    let lines: Vec<_> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(
        lines[0].starts_with(&format!(
            "{}, line 2: there is no setting called \"idle_timout\".",
            room.display()
        )),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!(
            "{}, line 3: signin_lock_after must be a whole number from 3 to 50",
            room.display()
        )),
        "{}",
        lines[1]
    );
    refused(&out, 8, &format!("{}: 2 problems.", room.display()));
    let out = check(&["--json", room.to_str().unwrap()]);
    assert_eq!(out.code, 8);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["problems"][0]["file"], room.display().to_string());
    assert_eq!(v["problems"][0]["line"], 2);
    assert_eq!(v["problems"][1]["line"], 3);
    assert_eq!(v["values"]["language"], "es");
    // Not TOML, and missing: one problem each, named with the file.
    let broken = tmp.path().join("broken.toml");
    std::fs::write(&broken, "idle_timeout = \n").unwrap();
    let out = check(&[broken.to_str().unwrap()]);
    assert_eq!(out.code, 8);
    assert!(
        out.stdout.contains(&format!(
            "The policy file {} is not valid TOML at line 1",
            broken.display()
        )),
        "{}",
        out.stdout
    );
    let missing = tmp.path().join("missing.toml");
    let out = check(&[missing.to_str().unwrap()]);
    assert_eq!(out.code, 8);
    assert!(out.stdout.contains("does not exist"), "{}", out.stdout);
    refused(&out, 8, "1 problem.");
    // Without FILE: what the kiosk would read, the named file and then its drop-ins.
    let out = check(&["--policy", good.to_str().unwrap()]);
    assert_eq!(out.code, 8, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 2, "the drop-in's problems");
    assert!(
        out.stderr.contains(&format!(
            "{} and {}/*.toml: 2 problems.",
            good.display(),
            tmp.path().join("policy.d").display()
        )),
        "{}",
        out.stderr
    );
    std::fs::remove_file(&room).unwrap();
    let out = check(&["--policy", good.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Never the data folder.
    assert!(!data.exists(), "policy check created the data folder");
}

#[test]
fn two_processes_can_use_the_database_at_once() {
    let ctl = Ctl::new();
    ctl.set_up();
    // Eight concurrent writers (each hashing, then inserting) on one WAL database.
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let dir = ctl.dir.path().to_owned();
            std::thread::spawn(move || {
                Command::cargo_bin("slatectl")
                    .unwrap()
                    .arg("--data-dir")
                    .arg(&dir)
                    .args(["user", "add", &format!("user{i}"), "--password-stdin"])
                    .write_stdin("parallel passphrase\n")
                    .output()
                    .unwrap()
            })
        })
        .collect();
    for h in handles {
        let out = h.join().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(ctl.users().as_array().unwrap().len(), 10);
    assert!(ctl.ok(&["check"], "").contains("Database: ok"));
}

#[test]
fn status_says_ready_in_use_or_why_it_needs_attention() {
    let ctl = Ctl::new();
    assert!(ctl.ok(&["status"], "").contains("Not set up"));
    ctl.set_up();
    let status = ctl.ok(&["status"], "");
    assert_eq!(
        status.lines().collect::<Vec<_>>(),
        [
            "Ready: nobody is signed in.",
            "Last session: none yet.",
            &format!(
                "Audit head: {} (`slatectl audit verify` checks the chain).",
                ctl.ok(&["audit", "anchor"], "").trim()
            ),
            "Policy file: none (/etc/slate/policy.toml does not exist, nor any /etc/slate/policy.d/*.toml).",
        ]
    );
    // A session whose wipe failed, as the kiosk records it.
    let db = rusqlite::Connection::open(ctl.dir.path().join("slate.db")).unwrap();
    db.execute(
        "INSERT INTO sessions (id, display_name, kind, started_at, utc_offset_secs, ended_at,
                               end_reason, duration_ms, wipe_receipt, wipe_ok)
         VALUES ('s1', 'Ana', 'user', '2026-11-21T10:00:00Z', 0, '2026-11-21T10:05:00Z', 'user',
                 300000, ?1, 0)",
        [r#"{"session_id":"s1","surfaces":[{"surface":"session_files","items":0,"bytes":0,"duration_us":5,"wiped":false,"verified":false,"error":"permission denied"}]}"#],
    )
    .unwrap();
    let status = ctl.ok(&["status"], "");
    assert_eq!(
        status.lines().next().unwrap(),
        "Needs attention: The last session could not be fully erased: session_files (permission denied)."
    );
    assert!(
        status.contains("Last session: ended 2026-11-21T10:05:00Z (user), NOT fully wiped."),
        "{status}"
    );
    let v = ctl.json(&["status"]);
    assert!(v["needs_attention"]
        .as_str()
        .unwrap()
        .contains("permission denied"));
    let listed = ctl.ok(&["session", "list", "--recent", "1"], "");
    assert!(listed.contains("NOT fully erased"), "{listed}");
}

#[test]
fn the_audit_log_records_administration_and_verifies_exports_and_catches_tampering() {
    let ctl = Ctl::new();
    ctl.set_up();
    ctl.ok(&["config", "set", "guests_allowed", "true"], "");
    ctl.ok(&["user", "disable", "ana"], "");
    let events: Vec<String> = ctl
        .json(&["audit", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        events,
        [
            "user_disabled",
            "setting_changed",
            "user_created",
            "user_created"
        ],
        "newest first"
    );
    let setting = &ctl.json(&["audit", "list", "--event", "setting_changed"])[0];
    let details: Value = serde_json::from_str(setting["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["key"], "guests_allowed");
    assert_eq!(
        (details["old"].as_str(), details["new"].as_str()),
        (Some("false"), Some("true"))
    );
    assert!(details["by"]
        .as_str()
        .unwrap()
        .starts_with("slatectl (uid "));
    let all = ctl.ok(&["audit", "export", "--format", "jsonl"], "");
    assert_eq!(all.lines().count(), 4);
    assert!(!all.contains("passphrase"), "no password in any record");
    let csv = ctl.ok(&["audit", "export", "--format", "csv"], "");
    assert!(csv.starts_with("seq,at,"), "{csv}");
    assert_eq!(csv.lines().count(), 5);

    assert_eq!(
        ctl.ok(&["audit", "verify"], "").trim(),
        "The audit log is intact: 4 records."
    );
    let anchor = ctl.ok(&["audit", "anchor"], "").trim().to_owned();
    assert!(anchor.starts_with("4:"), "{anchor}");
    ctl.ok(&["audit", "verify", "--anchor", &anchor], "");
    refused(
        &ctl.run(&["audit", "verify", "--anchor", "x:y"], ""),
        2,
        "SEQ:MAC",
    );

    // Someone with the database file edits a record behind the triggers' back.
    let db = rusqlite::Connection::open(ctl.dir.path().join("slate.db")).unwrap();
    db.execute_batch(
        "DROP TRIGGER audit_no_update; UPDATE audit SET username = 'mallory' WHERE seq = 2;",
    )
    .unwrap();
    refused(&ctl.run(&["audit", "verify"], ""), 10, "broken at record 2");
}

#[test]
fn the_prune_command_keeps_recent_records_and_the_retention_is_bounded() {
    // Pruning old records themselves is tested in core::audit with records a year old; here the
    // command and the setting.
    let ctl = Ctl::new();
    ctl.set_up();
    assert_eq!(
        ctl.ok(&["audit", "prune"], "").trim(),
        "Removed 0 audit records and 0 session rows past their retention."
    );
    // Sessions rows go with the same retention, unless their wipe failed.
    let db = rusqlite::Connection::open(ctl.dir.path().join("slate.db")).unwrap();
    for (id, ended, ok) in [
        ("old", "2020-01-01T10:05:00Z", 1),
        ("old-unwiped", "2020-01-01T11:05:00Z", 0),
        ("recent", "2099-01-01T10:05:00Z", 1),
    ] {
        db.execute(
            "INSERT INTO sessions (id, display_name, kind, started_at, utc_offset_secs, ended_at,
                                   end_reason, duration_ms, wipe_receipt, wipe_ok)
             VALUES (?1, 'Ana', 'user', ?2, 0, ?2, 'user', 1000, '{}', ?3)",
            rusqlite::params![id, ended, ok],
        )
        .unwrap();
    }
    ctl.ok(&["config", "set", "audit_retention_days", "0"], "");
    assert_eq!(
        ctl.ok(&["audit", "prune"], "").trim(),
        "Removed 0 audit records and 0 session rows past their retention.",
        "0 keeps everything"
    );
    ctl.ok(&["config", "set", "audit_retention_days", "365"], "");
    assert_eq!(
        ctl.ok(&["audit", "prune"], "").trim(),
        "Removed 0 audit records and 1 session row past their retention."
    );
    let left: Vec<String> = db
        .prepare("SELECT id FROM sessions ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(left, ["old-unwiped", "recent"]);
    refused(
        &ctl.run(&["config", "set", "audit_retention_days", "40000"], ""),
        8,
        "audit_retention_days",
    );
    ctl.ok(&["audit", "verify"], "");
}

/// Removes a test account when dropped.
struct Gone(String);

impl Drop for Gone {
    fn drop(&mut self) {
        let _ = std::process::Command::new("userdel")
            .args(["--remove", &self.0])
            .status();
    }
}

/// Every file below `dir`, with its size, sorted (links not followed).
fn tree_of(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u64)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let meta = e.path().symlink_metadata().unwrap();
        if meta.is_dir() {
            out.extend(tree_of(&e.path()));
        } else {
            out.push((e.path(), meta.len()));
        }
    }
    out.sort();
    out
}

#[test]
fn kiosk_enable_sets_the_machine_up_in_etc_and_writes_nothing_in_the_home() {
    use std::os::unix::fs::MetadataExt;
    let ctl = Ctl::new();
    refused(
        &ctl.run(&["kiosk", "enable", "--user", "no-such-account-here"], ""),
        6,
        "There is no local account",
    );
    refused(
        &ctl.run(&["kiosk", "enable", "--user", "root"], ""),
        9,
        "must not be root",
    );
    // A real account is needed for the rest: made and removed here (CI runs as root).
    let name = format!("slk{}", std::process::id() % 100_000);
    let made = std::process::Command::new("useradd")
        .args(["--create-home", "--shell", "/usr/sbin/nologin", &name])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: creating an account needs root and useradd");
        return;
    }
    let _gone = Gone(name.clone());
    let home = std::path::PathBuf::from(format!("/home/{name}"));
    let uid = std::fs::metadata(&home).unwrap().uid();
    // An older Slate's autostart entry, the account's own.
    let autostart = home.join(".config/autostart");
    std::fs::create_dir_all(&autostart).unwrap();
    std::fs::write(autostart.join("slate-kiosk.desktop"), "[Desktop Entry]\n").unwrap();
    for dir in [home.join(".config"), autostart.clone()] {
        std::os::unix::fs::chown(&dir, Some(uid), Some(uid)).unwrap();
    }
    std::os::unix::fs::chown(autostart.join("slate-kiosk.desktop"), Some(uid), Some(uid)).unwrap();
    let home_before: Vec<_> = tree_of(&home)
        .into_iter()
        .filter(|(p, _)| !p.ends_with("slate-kiosk.desktop"))
        .collect();
    // Here /etc is the test's own.
    let etc = ctl.dir.path().join("etc");
    let kiosk = |what: &str| {
        Command::cargo_bin("slatectl")
            .unwrap()
            .env("SLATE_SYSCONF_DIR", &etc)
            .args(["kiosk", what, "--user", &name])
            .output()
            .unwrap()
    };
    let out = kiosk("enable");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("systemd is not running here"), "{said}");
    let read = |f: &str| std::fs::read_to_string(etc.join(f)).unwrap();
    let lines = |f: &str| read(f).lines().map(str::to_owned).collect::<Vec<_>>();
    assert!(lines("default/slate").contains(&format!("SLATE_SCREEN_USER={name}")));
    let lightdm = lines("lightdm/lightdm.conf.d/50-slate.conf");
    for line in [
        "[Seat:*]".to_owned(),
        format!("autologin-user={name}"),
        "autologin-user-timeout=0".to_owned(),
        "autologin-session=slate".to_owned(),
    ] {
        assert!(lightdm.contains(&line), "{line} in {lightdm:?}");
    }
    let xorg = read("X11/xorg.conf.d/50-slate.conf");
    assert!(xorg.contains("\"DontVTSwitch\" \"true\"") && xorg.contains("\"DontZap\" \"true\""));
    for f in ["default/slate", "lightdm/lightdm.conf.d/50-slate.conf"] {
        let meta = std::fs::metadata(etc.join(f)).unwrap();
        assert_eq!((meta.uid(), meta.mode() & 0o777), (0, 0o644), "{f}");
    }
    // Nothing written in the home; the old entry gone.
    assert_eq!(
        tree_of(&home),
        home_before,
        "the home is as it was, less the old entry"
    );

    let out = kiosk("disable");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!etc.join("lightdm/lightdm.conf.d/50-slate.conf").exists());
    assert!(!etc.join("X11/xorg.conf.d/50-slate.conf").exists());
    // The drop-in folders `enable` made, empty now, are gone too.
    assert!(!etc.join("lightdm/lightdm.conf.d").exists());
    assert!(!etc.join("X11/xorg.conf.d").exists());
    assert!(
        etc.join("default/slate").exists(),
        "disabling keeps the service's settings"
    );
}

/// Every command that only reads: none of them may create a data folder.
const READ_ONLY: &[&[&str]] = &[
    &["status"],
    &["check"],
    &["user", "list"],
    &["config", "show"],
    &["config", "get", "idle_timeout"],
    &["session", "list"],
    &["session", "list", "--recent", "3"],
    &["audit", "verify"],
    &["audit", "anchor"],
    &["audit", "list"],
    &["audit", "export"],
];

#[test]
fn commands_that_only_read_never_create_the_data_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("mistyped").join("slate");
    for args in READ_ONLY {
        for json in [false, true] {
            let mut all: Vec<&str> = if json { vec!["--json"] } else { vec![] };
            all.extend_from_slice(args);
            let out = run_at(&missing, None, &all, b"");
            refused(
                &out,
                3,
                &format!(
                    "The data folder {} does not exist, so Slate is not set up there",
                    missing.display()
                ),
            );
            assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
            assert!(!tmp.path().join("mistyped").exists(), "{args:?} created it");
        }
    }
    // Setting Slate up creates it, private; then the same commands read it.
    let out = run_at(
        &missing,
        None,
        &["init", "--admin", "admin", "--password-stdin"],
        b"admin passphrase\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mode = std::fs::metadata(&missing).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    for args in READ_ONLY {
        let out = run_at(&missing, None, args, b"");
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
}

#[test]
fn a_data_folder_open_to_others_is_refused_and_never_chmodded() {
    let tmp = tempfile::tempdir().unwrap();
    // Like `--data-dir /var/lib`: a shared folder with other things in it.
    let shared = tmp.path().join("lib");
    std::fs::create_dir(&shared).unwrap();
    std::fs::write(shared.join("someone-elses"), "x").unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    let sentence = format!(
        "The data folder {} is open to other accounts (mode 755) and Slate keeps its data \
         private: chmod 700 it, or pick another folder.",
        shared.display()
    );
    let init: &[&str] = &["init", "--admin", "admin", "--password-stdin"];
    for args in READ_ONLY.iter().copied().chain([init]) {
        let out = run_at(&shared, None, args, b"admin passphrase\n");
        refused(&out, 3, &sentence);
    }
    let mode = std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755, "left as it was");
    let names: Vec<_> = std::fs::read_dir(&shared)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["someone-elses"], "nothing made in it");
}

#[test]
fn a_data_folder_of_another_account_is_refused() {
    use std::os::unix::fs::MetadataExt;
    let ctl = Ctl::new();
    ctl.set_up();
    let dir = ctl.dir.path();
    let owner = std::fs::metadata(dir).unwrap().uid();
    // Giving the folder away needs root (CI runs as root).
    if std::os::unix::fs::chown(dir, Some(65534), None).is_err() {
        eprintln!("skipped: giving a folder to another account needs root");
        return;
    }
    for args in [&["status"][..], &["user", "disable", "ana"]] {
        refused(
            &ctl.run(args, ""),
            3,
            &format!(
                "The data folder {} belongs to uid 65534, not to the account running Slate \
                 (uid {owner}): run Slate as its owner, or pick another folder.",
                dir.display()
            ),
        );
    }
    std::os::unix::fs::chown(dir, Some(owner), None).unwrap();
    assert_eq!(ctl.users()[1]["enabled"], true, "nothing changed");
}

/// Two `slatectl`s taking away the only two administrators who can sign in, at once, again and
/// again: one is refused every time (the check and the change are one transaction).
#[test]
fn two_slatectls_never_take_away_the_last_administrator() {
    let ctl = Ctl::new();
    ctl.set_up();
    ctl.ok(
        &["user", "add", "bo", "--admin", "--password-stdin"],
        "bo's passphrase\n",
    );
    let enabled_admins = || {
        ctl.users()
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["role"] == "admin" && u["enabled"] == true)
            .count()
    };
    for round in 0..12 {
        let verb = if round == 11 { "remove" } else { "disable" };
        let start = std::sync::Barrier::new(2);
        let (a, b) = std::thread::scope(|s| {
            let take = |name: &'static str| {
                let start = &start;
                let ctl = &ctl;
                s.spawn(move || {
                    start.wait();
                    ctl.run(&["user", verb, name], "")
                })
            };
            let (a, b) = (take("Admin"), take("bo"));
            (a.join().unwrap(), b.join().unwrap())
        });
        let mut codes = [a.code, b.code];
        codes.sort_unstable();
        assert_eq!(codes, [0, 9], "round {round}: {} / {}", a.stderr, b.stderr);
        let loser = if a.code == 9 { &a } else { &b };
        refused(loser, 9, "last administrator who can sign in");
        assert_eq!(enabled_admins(), 1, "round {round}");
        if verb == "disable" {
            let disabled = if a.code == 0 { "Admin" } else { "bo" };
            ctl.ok(&["user", "enable", disabled], "");
        }
    }
    ctl.ok(&["audit", "verify"], "");
}

#[test]
fn a_lost_audit_key_is_said_by_status_and_verify_and_never_made_anew() {
    let ctl = Ctl::new();
    ctl.set_up();
    let key = ctl.dir.path().join("keys").join("audit.key");
    let backup = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let sentence = format!(
        "The audit key {} is missing and the audit log has records: restore the key from a \
         backup (Slate makes a new key only for an empty log).",
        key.display()
    );

    let status = ctl.ok(&["status"], "");
    assert_eq!(
        status.lines().next().unwrap(),
        format!("Needs attention: {sentence}")
    );
    assert_eq!(ctl.json(&["status"])["needs_attention"], sentence.as_str());
    refused(&ctl.run(&["audit", "verify"], ""), 10, &sentence);
    refused(&ctl.run(&["audit", "anchor"], ""), 10, &sentence);
    // Nothing that would be audited is done.
    let before = ctl.users();
    refused(&ctl.run(&["user", "disable", "ana"], ""), 10, &sentence);
    refused(
        &ctl.run(&["config", "set", "guests_allowed", "true"], ""),
        10,
        &sentence,
    );
    assert_eq!(ctl.users(), before, "nothing changed");
    assert_eq!(
        ctl.ok(&["config", "get", "guests_allowed"], "").trim(),
        "false"
    );
    assert!(!key.exists(), "no new key was made");

    // Restored from the backup, all is as before.
    std::fs::write(&key, &backup).unwrap();
    assert!(ctl
        .ok(&["status"], "")
        .starts_with("Ready: nobody is signed in."));
    assert_eq!(
        ctl.ok(&["audit", "verify"], "").trim(),
        "The audit log is intact: 2 records."
    );
}

#[test]
fn an_unreadable_audit_key_is_said_and_left_as_it_is() {
    let ctl = Ctl::new();
    ctl.set_up();
    let key = ctl.dir.path().join("keys").join("audit.key");
    std::fs::write(&key, "not a key").unwrap();
    let status = ctl.ok(&["status"], "");
    assert!(
        status.starts_with(&format!(
            "Needs attention: The audit key {} cannot be used (it holds 9 bytes, not 32)",
            key.display()
        )),
        "{status}"
    );
    refused(
        &ctl.run(&["audit", "verify"], ""),
        10,
        "restore it from a backup",
    );
    assert_eq!(std::fs::read(&key).unwrap(), b"not a key");
}

/// Root removes an old entry from a home the kiosk account controls, and writes into /etc: a link
/// planted in either must never make root write, remove or give away what it points to.
#[test]
fn kiosk_enable_never_follows_a_link_in_the_kiosk_accounts_home_or_etc() {
    use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
    let ctl = Ctl::new();
    let name = format!("slq{}", std::process::id() % 100_000);
    let made = std::process::Command::new("useradd")
        .args(["--create-home", "--shell", "/usr/sbin/nologin", &name])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: creating an account needs root and useradd");
        return;
    }
    let _gone = Gone(name.clone());
    let home = std::path::PathBuf::from(format!("/home/{name}"));
    let uid = std::fs::metadata(&home).unwrap().uid();
    let etc = ctl.dir.path().join("etc");
    let kiosk = |what: &str| {
        let out = Command::cargo_bin("slatectl")
            .unwrap()
            .env("SLATE_SYSCONF_DIR", &etc)
            .args(["kiosk", what, "--user", &name])
            .output()
            .unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    // A root file the account would love to see gone or own (it stands for /etc/shadow): the
    // test's own, so the test harms nothing.
    let victim = ctl.dir.path().join("root-only");
    std::fs::write(&victim, "root's secret\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();

    // 1. The old entry is a link to the root file: the link goes, the file stays as it was.
    let autostart = home.join(".config/autostart");
    std::fs::create_dir_all(&autostart).unwrap();
    for dir in [home.join(".config"), autostart.clone()] {
        std::os::unix::fs::chown(&dir, Some(uid), Some(uid)).unwrap();
    }
    let entry = autostart.join("slate-kiosk.desktop");
    symlink(&victim, &entry).unwrap();
    let out = kiosk("enable");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        std::fs::symlink_metadata(&entry).is_err(),
        "the link is gone"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "root's secret\n");
    let meta = std::fs::metadata(&victim).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o777), (0, 0o600));

    // 2. A folder on the way is a link to a root folder: refused before anything is done,
    // nothing removed through it.
    let root_folder = ctl.dir.path().join("root-folder");
    std::fs::create_dir_all(root_folder.join("autostart")).unwrap();
    std::fs::write(root_folder.join("autostart/slate-kiosk.desktop"), "root's").unwrap();
    std::fs::remove_dir_all(home.join(".config")).unwrap();
    symlink(&root_folder, home.join(".config")).unwrap();
    let _ = std::fs::remove_dir_all(&etc);
    refused(&kiosk("enable"), 1, "is a link or not a folder");
    assert!(root_folder.join("autostart/slate-kiosk.desktop").exists());
    assert!(!etc.exists(), "nothing was written before the refusal");
    refused(&kiosk("disable"), 1, "is a link or not a folder");
    assert!(root_folder.join("autostart/slate-kiosk.desktop").exists());
    std::fs::remove_file(home.join(".config")).unwrap();

    // 3. A file of /etc it writes is a link to the root file: replaced, not written through.
    let defaults = etc.join("default/slate");
    std::fs::create_dir_all(defaults.parent().unwrap()).unwrap();
    symlink(&victim, &defaults).unwrap();
    let out = kiosk("enable");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "root's secret\n");
    assert!(std::fs::symlink_metadata(&defaults)
        .unwrap()
        .file_type()
        .is_file());
}

#[test]
fn guest_passes_are_made_listed_and_revoked_and_bad_asks_change_nothing() {
    let ctl = Ctl::new();
    ctl.set_up();
    refused(
        &ctl.run(
            &[
                "guest-pass",
                "create",
                "--count",
                "5",
                "--minutes",
                "60",
                "--valid-until",
                "31/12/2026",
            ],
            "",
        ),
        8,
        "Give the last day the passes work as a date such as 2026-12-31.",
    );
    refused(
        &ctl.run(
            &[
                "guest-pass",
                "create",
                "--count",
                "900",
                "--minutes",
                "60",
                "--valid-until",
                "2026-12-31",
            ],
            "",
        ),
        8,
        "Make from 1 to 500 passes at a time.",
    );
    assert_eq!(
        ctl.ok(&["guest-pass", "list"], "").trim(),
        "No guest passes."
    );
    let today = chrono::Local::now().date_naive().to_string();
    let made = ctl.ok(
        &[
            "guest-pass",
            "create",
            "--count",
            "3",
            "--minutes",
            "45",
            "--valid-until",
            &today,
        ],
        "",
    );
    assert!(made.starts_with("3 guest passes of 45 minutes"), "{made}");
    let codes: Vec<&str> = made
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    assert_eq!(codes.len(), 3, "{made}");
    assert!(
        codes
            .iter()
            .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'),
        "{codes:?}"
    );
    let list = ctl.ok(&["guest-pass", "list"], "");
    assert_eq!(list.matches("unused").count(), 3, "{list}");
    for code in &codes {
        assert!(!list.contains(code), "a code listed: {list}");
    }
    let listed = ctl.json(&["guest-pass", "list"]);
    let first = listed[0]["id"].as_i64().unwrap();
    ctl.ok(&["guest-pass", "revoke", &first.to_string()], "");
    refused(
        &ctl.run(&["guest-pass", "revoke", &first.to_string()], ""),
        8,
        "No unused pass matches",
    );
    let batch = listed[0]["batch"].as_str().unwrap().to_owned();
    let out = ctl.ok(&["guest-pass", "revoke", "--batch", &batch], "");
    assert_eq!(out.trim(), "Revoked 2 unused guest passes.");
    assert_eq!(
        ctl.ok(&["guest-pass", "list"], "")
            .matches("revoked")
            .count(),
        3
    );
}
