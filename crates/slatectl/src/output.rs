//! Everything slatectl prints: JSON (`--json`) or text for each answer, the tables and record
//! lines, the CSV export's rows, and [`Failure`], how an error becomes one sentence on stderr
//! and an exit code. The subcommand modules decide what to say; this module decides how it looks.
//! Where it goes is decided here too: standard output and error, or, for a command the session
//! service runs for `slatectl`, back through the socket ([`capture`]).

use std::cell::RefCell;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;
use serde_json::json;
use slate_core::accounts::{AccountSummary, Role};
use slate_core::audit::AuditRecord;
use slate_core::exit;
use slate_core::kiosk::KioskError;
use slate_core::policy::Policy;
use slate_core::records::SessionRecord;
use slate_core::settings::{bounds_text, human_value, kind_of, Effective, Kind, Layer, SettingDef};
use slate_core::status::{Availability, State, TerminalStatus};
use slate_core::wire::Stream;

use crate::cli::ExportFormat;

type Sink = Box<dyn FnMut(Stream, &str)>;

thread_local! {
    /// Where this thread's output goes instead of stdout and stderr, while [`capture`] runs.
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

/// Runs `f` with everything it prints handed to `sink` (the session service sends it back to
/// `slatectl` through the socket).
pub fn capture<R>(sink: impl FnMut(Stream, &str) + 'static, f: impl FnOnce() -> R) -> R {
    SINK.with(|s| *s.borrow_mut() = Some(Box::new(sink)));
    let result = f();
    SINK.with(|s| *s.borrow_mut() = None);
    result
}

/// Prints `text` on `stream` (or to the [`capture`] sink).
pub fn emit(stream: Stream, text: &str) {
    let captured = SINK.with(|s| match s.borrow_mut().as_mut() {
        Some(sink) => {
            sink(stream, text);
            true
        }
        None => false,
    });
    if !captured {
        // A closed pipe (`slatectl … | head`) is not an error worth a panic.
        let _ = match stream {
            Stream::Stdout => std::io::stdout().lock().write_all(text.as_bytes()),
            Stream::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
        };
    }
}

/// A line on standard output.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::emit(slate_core::wire::Stream::Stdout, &format!("{}\n", format_args!($($arg)*)))
    };
}

/// A line on standard error.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::emit(slate_core::wire::Stream::Stderr, &format!("{}\n", format_args!($($arg)*)))
    };
}

/// Standard output as an [`std::io::Write`] (the audit export writes through it).
pub struct Stdout;

impl std::io::Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        emit(Stream::Stdout, &String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An error of this tool: a sentence and an exit code.
#[derive(Debug)]
pub struct Failure(String, u8);

impl From<KioskError> for Failure {
    fn from(e: KioskError) -> Self {
        let code = exit::number_for(&e);
        Self(e.to_string(), code)
    }
}

impl Failure {
    /// A failure with one of `slate_core::exit`'s codes.
    pub fn new(msg: impl Into<String>, code: u8) -> Self {
        Self(msg.into(), code)
    }

    /// Only an exit code: what the command had to say is printed already (a monitoring
    /// check's line).
    pub fn silent(code: u8) -> Self {
        Self(String::new(), code)
    }

    /// The exit code it carries.
    pub fn code(&self) -> u8 {
        self.1
    }

    /// Prints the sentence on stderr and gives the exit code.
    pub fn report(self) -> ExitCode {
        ExitCode::from(self.report_code())
    }

    /// [`Failure::report`], the code as a number.
    pub fn report_code(self) -> u8 {
        if !self.0.is_empty() {
            errln!("slatectl: {}", self.0);
        }
        self.1
    }

    /// The sentence.
    pub fn sentence(&self) -> &str {
        &self.0
    }
}

/// Input this tool does not accept (`exit::INVALID`).
pub fn invalid(msg: &str) -> Failure {
    Failure::new(msg, exit::INVALID)
}

/// Something the system refused to do, such as writing a file (`exit::FAILURE`).
pub fn failed(msg: String) -> Failure {
    Failure::new(msg, exit::FAILURE)
}

/// A warning on stderr; the command goes on.
pub fn warn(what: &impl std::fmt::Display) {
    errln!("slatectl: warning: {what}");
}

/// A remark on stderr, so that standard output stays the answer.
pub fn note(text: &str) {
    errln!("{text}");
}

fn print_json(v: &serde_json::Value) {
    outln!("{v}");
}

/// One answer: `value` as JSON with `--json`, else `text`.
pub fn answer(json: bool, value: &impl Serialize, text: &str) {
    if json {
        print_json(&json!(value));
    } else {
        outln!("{text}");
    }
}

/// A change to one account: `{"username", "done"}` with `--json`, else `text`.
pub fn done(json: bool, name: &str, what: &str, text: &str) {
    answer(
        json,
        &json!({ "username": name.trim(), "done": what }),
        text,
    );
}

/// `slatectl check`.
pub fn check(json: bool, r: &slate_core::kiosk::CheckReport) {
    let set_up = if r.set_up {
        "yes"
    } else {
        "no (no administrator yet)"
    };
    answer(
        json,
        r,
        &format!(
            "Data folder: {}\nDatabase: ok (schema {})\nSet up: {set_up}",
            r.data_dir, r.schema_version
        ),
    );
}

/// The accounts as a table.
pub fn users(json: bool, users: &[AccountSummary]) {
    if json {
        print_json(&json!(users));
        return;
    }
    if users.is_empty() {
        outln!("No accounts yet: run `slatectl init --admin NAME`.");
        return;
    }
    let width = users
        .iter()
        .map(|u| u.username.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    outln!(
        "{:<width$}  {:<5}  {:<8}  DISPLAY NAME",
        "USERNAME",
        "ROLE",
        "STATUS"
    );
    for u in users {
        let role = match u.role {
            Role::Admin => "admin",
            Role::User => "user",
        };
        let status = if !u.enabled {
            "disabled"
        } else if u.locked {
            "locked"
        } else if u.paused_until.is_some() {
            "paused"
        } else {
            "active"
        };
        // Failed sign-ins in a row and, while they make the name wait, until when (UTC).
        let failures = match (u.failed_sign_ins, u.paused_until) {
            (0, _) => String::new(),
            (n, None) => format!("  ({n} failed sign-ins in a row)"),
            (n, Some(until)) => format!(
                "  ({n} failed sign-ins in a row; waits until {} UTC)",
                until.format("%Y-%m-%d %H:%M:%S")
            ),
        };
        let daily = match u.daily_time {
            slate_core::accounts::DailyTime::AsSet => String::new(),
            slate_core::accounts::DailyTime::Unlimited => "  (no daily limit)".to_owned(),
            slate_core::accounts::DailyTime::Limit { secs } => {
                format!("  ({} a day)", slate_core::duration::compact(secs))
            }
        };
        outln!(
            "{:<width$}  {role:<5}  {status:<8}  {}{failures}{daily}",
            u.username,
            u.display_name
        );
    }
}

/// Sessions, one line each.
pub fn sessions(json: bool, rows: &[SessionRecord]) {
    if json {
        print_json(&json!(rows));
    } else if rows.is_empty() {
        outln!("No session is open.");
    } else {
        for r in rows {
            let who = r.username.as_deref().unwrap_or("(guest)");
            let end = match (&r.ended_at, r.end_reason) {
                (Some(at), Some(reason)) => format!(
                    "ended {at} ({}), {} s, {}",
                    reason.as_str(),
                    r.duration_ms.unwrap_or_default() / 1000,
                    if r.erased == Some(true) {
                        "erased"
                    } else {
                        "NOT fully erased"
                    }
                ),
                _ => "open".to_owned(),
            };
            outln!("{}  {who}  started {}  {end}", r.id, r.started_at);
        }
    }
}

/// Audit records, one line each: local time with the offset, event, user, details.
pub fn audit_records(json: bool, rows: &[AuditRecord]) {
    if json {
        print_json(&json!(rows));
        return;
    }
    for r in rows {
        outln!(
            "{:>6}  {}  {:<22}  {:<12}  {}",
            r.seq,
            r.local_time(),
            r.event,
            r.username.as_deref().unwrap_or("-"),
            r.details
        );
    }
}

/// The first line of a CSV export, if the format has one.
pub fn export_header(format: ExportFormat) -> Option<&'static str> {
    match format {
        ExportFormat::Jsonl => None,
        ExportFormat::Csv => Some(
            "seq,at,utc_offset_secs,terminal,event,username,session_id,duration_ms,details,mac",
        ),
    }
}

/// One record as a line of the export.
pub fn export_line(format: ExportFormat, r: &AuditRecord) -> String {
    match format {
        ExportFormat::Jsonl => serde_json::to_string(r).unwrap_or_default(),
        ExportFormat::Csv => [
            r.seq.to_string(),
            r.at.clone(),
            r.utc_offset_secs.to_string(),
            r.terminal.clone(),
            r.event.clone(),
            r.username.clone().unwrap_or_default(),
            r.session_id.clone().unwrap_or_default(),
            r.duration_ms.map(|d| d.to_string()).unwrap_or_default(),
            r.details.clone(),
            r.mac.clone(),
        ]
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(","),
    }
}

/// A CSV field, quoted when it needs to be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Where a value was set: the policy file for a policy value, the database for an
/// administrator's, whom the room's value is for (`room`, `group NAME`, `terminal`); `None` for
/// a default.
pub fn source_file(e: &Effective, database: &Path) -> Option<String> {
    match e.layer {
        Layer::Policy => e.file.clone(),
        Layer::Administrator => Some(database.display().to_string()),
        Layer::Room => Some("the room, for every terminal".into()),
        Layer::Group => Some(format!(
            "the room, for the group {}",
            e.group.as_deref().unwrap_or("?")
        )),
        Layer::Terminal => Some("the room, for this terminal".into()),
        Layer::Default => None,
    }
}

/// Every setting: its value in force, which layer (and file) set it, its bounds and
/// description. `database` holds the administrator's values.
pub fn settings(json: bool, all: &[Effective], database: &Path) {
    if json {
        let rows: Vec<_> = all
            .iter()
            .map(|e| {
                json!({
                    "key": e.def.key,
                    "value": e.value,
                    "layer": e.layer,
                    "file": source_file(e, database),
                    "held": e.held,
                    "default": e.def.default,
                    "bounds": bounds_text(kind_of(e.def)),
                    "description": e.def.description,
                })
            })
            .collect();
        print_json(&json!(rows));
        return;
    }
    for e in all {
        let mut source = match source_file(e, database) {
            Some(file) => format!("{}: {file}", e.layer.text()),
            None => e.layer.text().to_owned(),
        };
        if e.held {
            source.push_str(", held at its strictest until the file is fixed");
        }
        outln!(
            "{} = {}  [{source}]\n    {}",
            e.def.key,
            shown(e.def, &e.value),
            e.def.description
        );
    }
}

/// A value as `config show` prints it: durations also in words, other values quoted.
fn shown(d: &SettingDef, v: &str) -> String {
    match d.kind {
        Kind::Seconds { .. } | Kind::SecondsOrOff { .. } if v != "0" => {
            format!("{v} ({})", human_value(d.key, v))
        }
        _ => format!("{v:?}"),
    }
}

/// A setting changed from `old` to `new`; `note` follows the text (" (the default)").
pub fn setting_changed(json: bool, key: &str, old: &str, new: &str, note: &str) {
    answer(
        json,
        &json!({ "key": key, "old": old, "new": new }),
        &format!("{key}: {old:?} -> {new:?}{note}"),
    );
}

/// `slatectl status`: the state, the last wipe, the audit head and the policy files.
/// What `status --json` adds for monitoring: the state in one word, whether the session service
/// runs the command, and for how long it has run.
pub struct Monitoring {
    pub state: &'static str,
    /// `running`, `down` (an installed terminal's service is not running) or `not_used`.
    pub service: &'static str,
    pub uptime_secs: Option<u64>,
    /// How far the audit's forwarding is behind; `None` when it is not forwarded.
    pub forwarding: Option<slate_core::forward::ForwardStatus>,
}

pub fn status(json: bool, now: &Availability, facts: &TerminalStatus, m: &Monitoring) {
    let head = facts.audit_head.as_ref().map(ToString::to_string);
    let policy = &facts.policy;
    if json {
        let last_wipe = facts
            .last_wipe()
            .map(|w| json!({ "ended_at": w.ended_at, "reason": w.reason, "complete": w.complete }));
        print_json(&json!({
            "state": m.state,
            "version": env!("CARGO_PKG_VERSION"),
            "terminal": facts.terminal_name,
            "service": m.service,
            "uptime_secs": m.uptime_secs,
            "forwarding": m.forwarding,
            "last_wipe": last_wipe,
            "set_up": now.set_up,
            "live_session": now.live_session,
            "needs_attention": now.needs_attention.as_ref().map(ToString::to_string),
            "last_session": facts.last_session,
            "audit_head": head,
            "policy": {
                // The first file read (the main file, when there is one); all of them in order.
                "file": policy.files.first(),
                "files": policy.files,
                "keys": facts.policy_keys(),
                "set_by": policy.layer.set_by,
                // The keys held at their strictest because the files cannot be used for them.
                "held": policy.layer.held,
                "problems": policy.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            },
        }));
        return;
    }
    if m.service == "down" {
        outln!("The session service is not running: nobody can sign in (systemctl start slated).");
    }
    match now.state() {
        State::NeedsAttention(why) => outln!("Needs attention: {why}"),
        State::InUse(s) => outln!(
            "In use: {} since {}.",
            s.username.as_deref().unwrap_or("a guest"),
            s.started_at
        ),
        State::NotSetUp => outln!("Not set up: run `slatectl init --admin NAME`."),
        State::Ready => outln!("Ready: nobody is signed in."),
    }
    match facts.last_wipe() {
        Some(w) => outln!(
            "Last session: ended {} ({}), {}.",
            w.ended_at.unwrap_or("?"),
            w.reason.unwrap_or("?"),
            if w.complete {
                "wiped and re-checked"
            } else {
                "NOT fully wiped"
            }
        ),
        None => outln!("Last session: none yet."),
    }
    outln!(
        "Audit head: {} (`slatectl audit verify` checks the chain).",
        head.as_deref().unwrap_or("empty")
    );
    let files = match policy.files.as_slice() {
        [one] => format!("Policy file: {one}"),
        many => format!("Policy files: {}", many.join(" then ")),
    };
    if !policy.problems.is_empty() {
        outln!(
            "{}, with {} problem(s) (see the warnings above).",
            if policy.files.is_empty() {
                "Policy file: none"
            } else {
                files.as_str()
            },
            policy.problems.len()
        );
        if !policy.layer.held.is_empty() {
            let held_keys: Vec<&str> = policy.layer.held.iter().map(String::as_str).collect();
            outln!(
                "Held at their strictest until the files are fixed: {}.",
                held_keys.join(", ")
            );
        }
    } else if policy.files.is_empty() {
        outln!(
            "Policy file: none ({} does not exist, nor any {}/*.toml).",
            slate_core::policy::DEFAULT_POLICY_FILE,
            slate_core::policy::DEFAULT_DROP_IN_DIR
        );
    } else {
        outln!(
            "{files}, setting {}.",
            if policy.layer.values.is_empty() {
                "nothing".to_owned()
            } else {
                facts.policy_keys().join(", ")
            }
        );
    }
}

/// `slatectl policy check`: each problem on its own line (file and line in it), or a sentence
/// saying there are none and what the files set. `what` names what was checked. The problems
/// make the failure (exit 8).
pub fn policy_check(json: bool, what: &str, policy: &Policy) -> Result<(), Failure> {
    if json {
        // A secret says only whether it is set.
        let values: std::collections::BTreeMap<&str, String> = policy
            .layer
            .values
            .iter()
            .map(|(k, v)| (k.as_str(), slate_core::settings::public_value(k, v)))
            .collect();
        print_json(&json!({
            "files": policy.files,
            "values": values,
            "set_by": policy.layer.set_by,
            "held": policy.layer.held,
            "problems": policy.problems.iter().map(|p| json!({
                "file": p.file,
                "line": p.line,
                "problem": p.to_string(),
            })).collect::<Vec<_>>(),
        }));
    } else {
        for problem in &policy.problems {
            outln!("{problem}");
        }
    }
    match policy.problems.len() {
        0 => {
            if !json {
                let keys: Vec<&str> = policy.layer.values.keys().map(String::as_str).collect();
                outln!(
                    "{what}: no problems; {}.",
                    if keys.is_empty() {
                        "it sets no keys".to_owned()
                    } else {
                        format!("it sets {}", keys.join(", "))
                    }
                );
            }
            Ok(())
        }
        1 => Err(invalid(&format!("{what}: 1 problem."))),
        n => Err(invalid(&format!("{what}: {n} problems."))),
    }
}
