//! `slatectl`, the administrator CLI: the same core as the kiosk, driven from a shell. It may run
//! while the kiosk runs (they share the database). Passwords come from a no-echo prompt or from
//! standard input (`--password-stdin`), never from the command line. Errors are one sentence on
//! stderr with a distinct exit code (see `slate_core::exit`).

use std::fmt::Write as _;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde_json::json;
use slate_core::accounts::{AccountSummary, Role};
use slate_core::auth::Password;
use slate_core::exit;
use slate_core::exit::code_for as exit_code_for;
use slate_core::kiosk::KioskError;
use slate_core::{datadir::DataDir, Kiosk};
use zeroize::Zeroizing;

/// Administer a Slate kiosk: its accounts and settings.
#[derive(Debug, Parser)]
#[command(name = "slatectl", version, about)]
struct Cli {
    /// The kiosk's data folder [default: the XDG data folder, e.g. ~/.local/share/slate]
    #[arg(long, global = true, value_name = "DIR", env = "SLATE_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// The policy file whose keys override and lock settings [default: /etc/slate/policy.toml]
    #[arg(long, global = true, value_name = "FILE", env = "SLATE_POLICY")]
    policy: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the data folder and its database (integrity, schema) and say whether the kiosk is
    /// set up.
    Check,
    /// Whether the terminal is ready, in use, or needs attention; the last wipe, the audit
    /// head and the policy file.
    Status,
    /// Set up the kiosk from a shell: create the first administrator.
    Init {
        /// The administrator's username.
        #[arg(long, value_name = "NAME")]
        admin: String,
        #[command(flatten)]
        new: NewAccount,
    },
    /// Manage local accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Read and change settings (defaults < administrator < policy file).
    #[command(subcommand, after_help = settings_help())]
    Config(ConfigCommand),
    /// See and end sessions.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Read and check the tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Make a desktop account boot straight into Slate (run as root).
    #[command(subcommand)]
    Kiosk(KioskCommand),
}

#[derive(Debug, Subcommand)]
enum KioskCommand {
    /// Start Slate whenever USER logs in to the desktop (restarted if it stops unexpectedly),
    /// on a data folder owned by USER [default with this command: /var/lib/slate].
    Enable {
        #[arg(long, value_name = "USER")]
        user: String,
    },
    /// Stop starting Slate at USER's login (the data folder is kept).
    Disable {
        #[arg(long, value_name = "USER")]
        user: String,
    },
}

/// Where a kiosk install keeps its data: one system folder, owned by the kiosk account.
const KIOSK_DATA_DIR: &str = "/var/lib/slate";
const AUTOSTART_FILE: &str = ".config/autostart/slate-kiosk.desktop";

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the whole chain: exit 0 and the count when intact, otherwise exit 10 and the first
    /// bad record.
    Verify {
        /// Also check against an anchor printed earlier by `audit anchor` (finds a cut tail).
        #[arg(long, value_name = "SEQ:MAC")]
        anchor: Option<String>,
    },
    /// Print the head of the chain (SEQ:MAC) to keep somewhere off this machine.
    Anchor,
    /// Remove records (and wiped sessions' rows) older than `audit_retention_days` now (the
    /// kiosk also does it at start).
    Prune,
    /// Records, newest first.
    List {
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        #[arg(long, value_name = "EVENT")]
        event: Option<String>,
        #[arg(long, value_name = "REASON")]
        reason: Option<String>,
        /// From this UTC time on (RFC 3339, or a date: 2026-11-21).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Before this UTC time.
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Every record, oldest first.
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, Subcommand)]
enum SessionCommand {
    /// The live session (or, with --recent N, the last N sessions).
    List {
        /// Show the last N sessions, ended ones included.
        #[arg(long, value_name = "N")]
        recent: Option<u32>,
    },
    /// End the live session; the running kiosk acts within 2 seconds.
    End {
        /// Only if it is this user's.
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
    },
}

#[derive(Debug, Args)]
struct NewAccount {
    /// The name shown on screen [default: the username]
    #[arg(long, value_name = "TEXT", default_value = "")]
    display_name: String,
    /// Read the password from standard input (one line) instead of prompting.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add an account.
    Add {
        name: String,
        /// Make it an administrator.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        new: NewAccount,
    },
    /// List the accounts.
    List,
    /// Remove an account.
    Remove { name: String },
    /// Set a new password.
    Passwd {
        name: String,
        /// Read the password from standard input (one line) instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account (it can no longer sign in).
    Disable { name: String },
    /// Enable a disabled account.
    Enable { name: String },
    /// Unlock an account locked by failed sign-ins, and forget the failures.
    Unlock { name: String },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Every setting: its value in force, which layer set it, its bounds and description.
    #[command(alias = "list")]
    Show,
    /// One setting's value in force.
    Get { key: String },
    /// Set an administrator value (durations as "90s", "5m", "1h30m"); refused for a key the
    /// policy file sets.
    #[command(after_help = settings_help())]
    Set { key: String, value: String },
    /// Remove the administrator value, so the default applies.
    Unset { key: String },
}

/// Every key with its bounds and description, from the core's one list.
fn settings_help() -> String {
    let mut out = String::from("Settings:\n");
    for def in slate_core::settings::SETTINGS {
        let _ = writeln!(
            out,
            "  {:<22} {} [{}; default {:?}]",
            def.key,
            def.description,
            slate_core::settings::bounds_text(slate_core::settings::kind_of(def)),
            def.default
        );
    }
    out
}

/// An error of this tool: a sentence and an exit code.
struct Failure(String, ExitCode);

impl From<KioskError> for Failure {
    fn from(e: KioskError) -> Self {
        let code = exit_code_for(&e);
        Self(e.to_string(), code)
    }
}

fn invalid(msg: &str) -> Failure {
    Failure(msg.to_owned(), ExitCode::from(exit::INVALID))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg, code)) => {
            eprintln!("slatectl: {msg}");
            code
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    if let Command::Kiosk(cmd) = cli.command {
        return kiosk_mode(cmd, cli.data_dir, cli.json);
    }
    let kiosk = DataDir::prepare(cli.data_dir.as_deref())
        .map_err(KioskError::from)
        .and_then(Kiosk::open)?;
    let uid = std::fs::metadata("/proc/self").map_or(u32::MAX, |m| {
        use std::os::unix::fs::MetadataExt;
        m.uid()
    });
    kiosk.set_actor(format!("slatectl (uid {uid})"));
    kiosk.use_policy(slate_core::policy::PolicySource::choose(cli.policy))?;
    for problem in &kiosk.policy()?.problems {
        eprintln!("slatectl: warning: {problem}");
    }
    let json = cli.json;
    match cli.command {
        Command::Check => {
            let r = kiosk.check()?;
            if json {
                print_json(&json!(r));
            } else {
                println!("Data folder: {}", r.data_dir);
                println!("Database: ok (schema {})", r.schema_version);
                println!(
                    "Set up: {}",
                    if r.set_up {
                        "yes"
                    } else {
                        "no (no administrator yet)"
                    }
                );
            }
        }
        Command::Status => status(&kiosk, json)?,
        Command::Init { admin, new } => {
            if kiosk.check()?.set_up {
                return Err(KioskError::AlreadySetUp.into());
            }
            let password = read_new_password(&admin, new.password_stdin)?;
            let a = kiosk.create_first_admin(&admin, &new.display_name, &password)?;
            report(json, &a, &format!("Created administrator {}.", a.username));
        }
        Command::User(cmd) => user(&kiosk, cmd, json)?,
        Command::Config(cmd) => config(&kiosk, cmd, json)?,
        Command::Session(cmd) => session(&kiosk, cmd, json)?,
        Command::Audit(cmd) => audit(&kiosk, cmd, json)?,
        Command::Kiosk(_) => unreachable!("handled before the database is opened"),
    }
    Ok(())
}

fn audit(kiosk: &Kiosk, cmd: AuditCommand, json: bool) -> Result<(), Failure> {
    use slate_core::audit::{AuditError, AuditFilter};
    let verify_failure = |e: KioskError| match e {
        KioskError::Audit(AuditError::Broken { .. }) => {
            Failure(e.to_string(), ExitCode::from(exit::AUDIT_BROKEN))
        }
        KioskError::Audit(AuditError::BadAnchor(_)) => {
            Failure(e.to_string(), ExitCode::from(exit::USAGE))
        }
        other => Failure::from(other),
    };
    match cmd {
        AuditCommand::Verify { anchor } => {
            let report = kiosk
                .audit_verify(anchor.as_deref())
                .map_err(verify_failure)?;
            if json {
                print_json(&json!(report));
            } else {
                println!("The audit log is intact: {} records.", report.records);
            }
        }
        AuditCommand::Anchor => {
            let report = kiosk.audit_verify(None).map_err(verify_failure)?;
            let head = report
                .head
                .unwrap_or_else(|| "0:".to_owned() + &"0".repeat(64));
            if json {
                print_json(&json!({ "anchor": head }));
            } else {
                println!("{head}");
            }
        }
        AuditCommand::List {
            user,
            event,
            reason,
            since,
            until,
            limit,
        } => {
            let bound = |flag: &str, v: Option<String>| {
                v.map(|t| {
                    slate_core::audit::time_bound(&t).ok_or_else(|| {
                        invalid(&format!(
                            "--{flag} must be a date (2026-11-21) or an RFC 3339 time, not {t:?}."
                        ))
                    })
                })
                .transpose()
            };
            let rows = kiosk.audit_list(&AuditFilter {
                username: user,
                event,
                reason,
                since: bound("since", since)?,
                until: bound("until", until)?,
                limit,
                before_seq: None,
            })?;
            if json {
                print_json(&json!(rows));
            } else {
                for r in rows {
                    println!("{}", audit_line(&r));
                }
            }
        }
        AuditCommand::Export { format, output } => export(kiosk, format, output)?,
        AuditCommand::Prune => {
            let (n, sessions) = kiosk.prune_audit()?;
            if json {
                print_json(&json!({ "removed": n, "sessions_removed": sessions }));
            } else {
                println!(
                    "Removed {n} audit records and {sessions} session rows past their retention."
                );
            }
        }
    }
    Ok(())
}

/// Writes every record, oldest first, as JSON lines or CSV.
fn export(kiosk: &Kiosk, format: ExportFormat, output: Option<PathBuf>) -> Result<(), Failure> {
    use slate_core::audit::AuditRecord;
    let mut out: Box<dyn std::io::Write> = match &output {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| {
            Failure(
                format!("Cannot write {}: {e}.", path.display()),
                ExitCode::from(exit::FAILURE),
            )
        })?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut failed = None;
    if matches!(format, ExportFormat::Csv) {
        let _ = writeln!(
            out,
            "seq,at,utc_offset_secs,terminal,event,username,session_id,duration_ms,details,mac"
        );
    }
    let n = kiosk.audit_all(|r: AuditRecord| {
        let line = match format {
            ExportFormat::Jsonl => serde_json::to_string(&r).unwrap_or_default(),
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
        };
        if failed.is_none() {
            if let Err(e) = writeln!(out, "{line}") {
                failed = Some(e.to_string());
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(Failure(
            format!("The export failed: {e}."),
            ExitCode::from(exit::FAILURE),
        ));
    }
    if let Some(path) = output {
        eprintln!("Exported {n} records to {}.", path.display());
    }
    Ok(())
}

/// A record as one line: local time with the offset, event, user, details.
fn audit_line(r: &slate_core::audit::AuditRecord) -> String {
    format!(
        "{:>6}  {}  {:<22}  {:<12}  {}",
        r.seq,
        r.local_time(),
        r.event,
        r.username.as_deref().unwrap_or("-"),
        r.details
    )
}

/// A CSV field, quoted when it needs to be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn session(kiosk: &Kiosk, cmd: SessionCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        SessionCommand::List { recent } => {
            let rows = match recent {
                Some(n) => kiosk.recent_sessions(n)?,
                None => kiosk.open_sessions()?,
            };
            if json {
                print_json(&json!(rows));
            } else if rows.is_empty() {
                println!("No session is open.");
            } else {
                for r in rows {
                    let who = r.username.as_deref().unwrap_or("(guest)");
                    let end = match (&r.ended_at, r.end_reason) {
                        (Some(at), Some(reason)) => format!(
                            "ended {at} ({}), {} s, {}",
                            reason.as_db(),
                            r.duration_ms.unwrap_or_default() / 1000,
                            if r.erased == Some(true) {
                                "erased"
                            } else {
                                "NOT fully erased"
                            }
                        ),
                        _ => "open".to_owned(),
                    };
                    println!("{}  {who}  started {}  {end}", r.id, r.started_at);
                }
            }
        }
        SessionCommand::End { user } => {
            let n = kiosk.request_end(user.as_deref())?;
            if json {
                print_json(&json!({ "asked_to_end": n }));
            } else if n == 0 {
                println!("No matching session is open.");
            } else {
                println!(
                    "Asked the kiosk to end {n} session{}; it acts within 2 seconds.",
                    if n == 1 { "" } else { "s" }
                );
            }
        }
    }
    Ok(())
}

fn user(kiosk: &Kiosk, cmd: UserCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        UserCommand::Add { name, admin, new } => {
            let role = if admin { Role::Admin } else { Role::User };
            let password = read_new_password(&name, new.password_stdin)?;
            let a = kiosk.add_user(&name, &new.display_name, role, &password)?;
            report(json, &a, &format!("Added {}.", a.username));
        }
        UserCommand::List => {
            let users = kiosk.list_users()?;
            if json {
                print_json(&json!(users));
            } else {
                print_users(&users);
            }
        }
        UserCommand::Remove { name } => {
            kiosk.remove_user(&name)?;
            done(json, &name, "removed", &format!("Removed {}.", name.trim()));
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            // Fail on an unknown name before asking for a password.
            if !kiosk
                .list_users()?
                .iter()
                .any(|u| same_name(&u.username, &name))
            {
                return Err(KioskError::NoSuchUser(name.trim().to_owned()).into());
            }
            let password = read_new_password(&name, password_stdin)?;
            kiosk.set_password(&name, &password)?;
            done(
                json,
                &name,
                "password_changed",
                &format!("Changed the password of {}.", name.trim()),
            );
        }
        UserCommand::Disable { name } => {
            kiosk.set_user_enabled(&name, false)?;
            done(
                json,
                &name,
                "disabled",
                &format!("Disabled {}.", name.trim()),
            );
        }
        UserCommand::Enable { name } => {
            kiosk.set_user_enabled(&name, true)?;
            done(json, &name, "enabled", &format!("Enabled {}.", name.trim()));
        }
        UserCommand::Unlock { name } => {
            kiosk.unlock_user(&name)?;
            done(
                json,
                &name,
                "unlocked",
                &format!("Unlocked {}.", name.trim()),
            );
        }
    }
    Ok(())
}

/// A local account from `/etc/passwd`: uid, gid and home folder.
fn local_account(name: &str) -> Option<(u32, u32, PathBuf)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() >= 7 && f[0] == name)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?, PathBuf::from(f[5]))))?
    })
}

/// `slatectl kiosk enable|disable --user USER`.
fn kiosk_mode(cmd: KioskCommand, data_dir: Option<PathBuf>, json: bool) -> Result<(), Failure> {
    use std::os::unix::fs::{chown, DirBuilderExt, MetadataExt};
    let fail = |msg: String| Failure(msg, ExitCode::from(exit::FAILURE));
    let (user, enable) = match &cmd {
        KioskCommand::Enable { user } => (user.clone(), true),
        KioskCommand::Disable { user } => (user.clone(), false),
    };
    let Some((uid, gid, home)) = local_account(&user) else {
        return Err(Failure(
            format!("There is no local account called {user:?} in /etc/passwd."),
            ExitCode::from(exit::NOT_FOUND),
        ));
    };
    let me = std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid());
    if me != 0 && me != uid {
        return Err(Failure(
            format!("Setting up {user}'s kiosk needs root; run it with sudo."),
            ExitCode::from(exit::REFUSED),
        ));
    }
    let entry = home.join(AUTOSTART_FILE);
    if !enable {
        match std::fs::remove_file(&entry) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(fail(format!("Cannot remove {}: {e}.", entry.display()))),
        }
        if json {
            print_json(&json!({ "user": user, "kiosk": false }));
        } else {
            println!("{user}'s desktop no longer starts Slate. The data folder is kept.");
        }
        return Ok(());
    }
    let data = data_dir.unwrap_or_else(|| PathBuf::from(KIOSK_DATA_DIR));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&data)
        .map_err(|e| fail(format!("Cannot create {}: {e}.", data.display())))?;
    chown(&data, Some(uid), Some(gid))
        .map_err(|e| fail(format!("Cannot give {} to {user}: {e}.", data.display())))?;
    // The folders up to the entry, each owned by the account if this creates it.
    let mut dir = home.clone();
    for part in [".config", "autostart"] {
        dir.push(part);
        if !dir.exists() {
            std::fs::create_dir(&dir)
                .and_then(|()| chown(&dir, Some(uid), Some(gid)))
                .map_err(|e| fail(format!("Cannot create {}: {e}.", dir.display())))?;
        }
    }
    let text = format!(
        "[Desktop Entry]\nType=Application\nName=Slate kiosk\n\
         Comment=Start Slate at login and again if it stops\n\
         Exec=env SLATE_DATA_DIR={} /usr/lib/slate/slate-kiosk\n\
         X-GNOME-Autostart-enabled=true\nNoDisplay=true\n",
        data.display()
    );
    std::fs::write(&entry, text)
        .and_then(|()| chown(&entry, Some(uid), Some(gid)))
        .map_err(|e| fail(format!("Cannot write {}: {e}.", entry.display())))?;
    if json {
        print_json(&json!({ "user": user, "kiosk": true, "data_dir": data, "autostart": entry }));
    } else {
        println!(
            "{user}'s desktop now starts Slate at login, on {} (owned by {user}).\n\
             To log {user} in automatically with LightDM, put these lines in /etc/lightdm/lightdm.conf:\n\
             \n    [Seat:*]\n    autologin-user={user}\n    autologin-user-timeout=0\n\n\
             Administer it as that account: sudo -u {user} slatectl --data-dir {} status",
            data.display(),
            data.display()
        );
    }
    Ok(())
}

fn status(kiosk: &Kiosk, json: bool) -> Result<(), Failure> {
    let set_up = kiosk.check()?.set_up;
    let open = kiosk.open_sessions()?;
    let attention = kiosk.needs_attention()?;
    let last = kiosk.last_ended_session()?;
    let head = kiosk.audit_head()?.map(|r| format!("{}:{}", r.seq, r.mac));
    let policy = kiosk.policy()?;
    if json {
        print_json(&json!({
            "set_up": set_up,
            "live_session": open.first(),
            "needs_attention": attention.as_ref().map(ToString::to_string),
            "last_session": last,
            "audit_head": head,
            "policy": {
                "file": policy.layer.file,
                "keys": policy.layer.values.keys().collect::<Vec<_>>(),
                "problems": policy.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            },
        }));
        return Ok(());
    }
    match (&attention, open.first(), set_up) {
        (Some(why), _, _) => println!("Needs attention: {why}"),
        (None, Some(s), _) => println!(
            "In use: {} since {}.",
            s.username.as_deref().unwrap_or("a guest"),
            s.started_at
        ),
        (None, None, false) => println!("Not set up: run `slatectl init --admin NAME`."),
        (None, None, true) => println!("Ready: nobody is signed in."),
    }
    match &last {
        Some(s) => println!(
            "Last session: ended {} ({}), {}.",
            s.ended_at.as_deref().unwrap_or("?"),
            s.end_reason.map_or("?", |r| r.as_db()),
            if s.erased == Some(true) {
                "wiped and re-checked"
            } else {
                "NOT fully wiped"
            }
        ),
        None => println!("Last session: none yet."),
    }
    println!(
        "Audit head: {} (`slatectl audit verify` checks the chain).",
        head.as_deref().unwrap_or("empty")
    );
    match &policy.layer.file {
        Some(file) if policy.problems.is_empty() => println!(
            "Policy file: {file}, setting {}.",
            if policy.layer.values.is_empty() {
                "nothing".to_owned()
            } else {
                policy
                    .layer
                    .values
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        Some(file) => println!(
            "Policy file: {file}, with {} problem(s) (see the warnings above).",
            policy.problems.len()
        ),
        None => println!(
            "Policy file: none ({} does not exist).",
            slate_core::policy::DEFAULT_POLICY_FILE
        ),
    }
    Ok(())
}

fn config(kiosk: &Kiosk, cmd: ConfigCommand, json: bool) -> Result<(), Failure> {
    use slate_core::settings::{bounds_text, human_value, kind_of, Kind, SettingError};
    let shown = |d: &slate_core::settings::SettingDef, v: &str| match d.kind {
        Kind::Seconds { .. } | Kind::SecondsOrOff { .. } if v != "0" => {
            format!("{v} ({})", human_value(d.key, v))
        }
        _ => format!("{v:?}"),
    };
    match cmd {
        ConfigCommand::Show => {
            let all = kiosk.settings_in_force()?;
            if json {
                let rows: Vec<_> = all
                    .iter()
                    .map(|e| {
                        json!({
                            "key": e.def.key,
                            "value": e.value,
                            "layer": e.layer,
                            "default": e.def.default,
                            "bounds": bounds_text(kind_of(e.def)),
                            "description": e.def.description,
                        })
                    })
                    .collect();
                print_json(&json!(rows));
            } else {
                for e in all {
                    println!(
                        "{} = {}  [{}]\n    {}",
                        e.def.key,
                        shown(e.def, &e.value),
                        e.layer.text(),
                        e.def.description
                    );
                }
            }
        }
        ConfigCommand::Get { key } => {
            let all = kiosk.settings_in_force()?;
            let Some(e) = all.iter().find(|e| e.def.key == key) else {
                return Err(KioskError::from(SettingError::Unknown(key)).into());
            };
            if json {
                print_json(&json!({ "key": key, "value": e.value, "layer": e.layer }));
            } else {
                println!("{}", e.value);
            }
        }
        ConfigCommand::Set { key, value } => {
            let (old, new) = kiosk.set_setting(&key, &value)?;
            if json {
                print_json(&json!({ "key": key, "old": old, "new": new }));
            } else {
                println!("{key}: {old:?} -> {new:?}");
            }
        }
        ConfigCommand::Unset { key } => {
            let (old, new) = kiosk.unset_setting(&key)?;
            if json {
                print_json(&json!({ "key": key, "old": old, "new": new }));
            } else {
                println!("{key}: {old:?} -> {new:?} (the default)");
            }
        }
    }
    Ok(())
}

fn same_name(a: &str, b: &str) -> bool {
    match (
        slate_core::auth::Username::parse(a),
        slate_core::auth::Username::parse(b),
    ) {
        (Ok(a), Ok(b)) => a.key() == b.key(),
        _ => false,
    }
}

/// Longest input accepted on standard input: far more than a 256-character password in any
/// script, small enough that a runaway pipe cannot exhaust memory.
const STDIN_LIMIT: u64 = 4096;

/// A new password, from standard input or from a no-echo prompt (asked twice).
fn read_new_password(name: &str, from_stdin: bool) -> Result<Password, Failure> {
    if from_stdin {
        let mut buf = Zeroizing::new(Vec::new());
        std::io::stdin()
            .take(STDIN_LIMIT + 1)
            .read_to_end(&mut buf)
            .map_err(|e| {
                invalid(&format!(
                    "Cannot read the password from standard input: {e}."
                ))
            })?;
        if buf.len() as u64 > STDIN_LIMIT {
            return Err(invalid("The password can have at most 256 characters."));
        }
        let mut text = Zeroizing::new(
            String::from_utf8(std::mem::take(&mut *buf))
                .map_err(|_| invalid("The password is not valid UTF-8 text."))?,
        );
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        if text.contains('\n') {
            return Err(invalid(
                "Send the password as a single line on standard input.",
            ));
        }
        return Ok(Password::from(std::mem::take(&mut *text)));
    }
    if !std::io::stdin().is_terminal() {
        return Err(invalid(
            "There is no terminal to ask for the password on; pass --password-stdin and send it on standard input.",
        ));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(Password::from)
            .map_err(|e| invalid(&format!("Cannot read the password: {e}.")))
    };
    let first = ask(&format!("New password for {}: ", name.trim()))?;
    let second = ask("Type it again: ")?;
    if first.as_bytes() != second.as_bytes() {
        return Err(invalid("The two passwords are not the same."));
    }
    Ok(first)
}

fn print_json(v: &serde_json::Value) {
    println!("{v}");
}

fn report(json: bool, a: &AccountSummary, text: &str) {
    if json {
        print_json(&json!(a));
    } else {
        println!("{text}");
    }
}

fn done(json: bool, name: &str, what: &str, text: &str) {
    if json {
        print_json(&json!({ "username": name.trim(), "done": what }));
    } else {
        println!("{text}");
    }
}

fn print_users(users: &[AccountSummary]) {
    if users.is_empty() {
        println!("No accounts yet: run `slatectl init --admin NAME`.");
        return;
    }
    let width = users
        .iter()
        .map(|u| u.username.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    println!(
        "{:<width$}  {:<5}  {:<8}  DISPLAY NAME",
        "USERNAME", "ROLE", "STATUS"
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
        } else {
            "active"
        };
        println!(
            "{:<width$}  {role:<5}  {status:<8}  {}",
            u.username, u.display_name
        );
    }
}
