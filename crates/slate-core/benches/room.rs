//! A room under load: `SLATE_ROOM_TERMINALS` terminals (50 unless set), each a terminal's core
//! in a process of its own (this program started again as a worker: the session manager, the
//! room's listener, the state it reports and the records it sends, as the session service runs
//! them), against one PostgreSQL 15 on this machine (started here, as for the tests). Each runs
//! `SLATE_ROOM_ROUNDS` rounds (20 unless set) of sign-in → use (100 ms) → sign-out with its own
//! account, all at once. The same loops then run with every terminal on its own SQLite file, in
//! the same program run, so the two are measured on the same machine minutes apart.
//!
//! Prints, for each: sign-in and ending latency (median, p99), their ratio, and for the room the
//! database's load (transactions committed per second, the most connections at once) and the
//! audit check: every record of every terminal in the room exactly once (none lost, none twice).
//!
//! `cargo bench -p slate-core --bench room` (as root or not: the server runs as `nobody` under
//! root). Not a criterion bench: one run, whole processes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use slate_core::accounts::Role;
use slate_core::audit::Actor;
use slate_core::auth::{hash_password, Password, Username};
use slate_core::datadir::DataDir;
use slate_core::forward::Forwarded;
use slate_core::room::fleet::{FirstAdmin, Fleet};
use slate_core::room::{Endpoint, Membership, TerminalName};
use slate_core::test_util::postgres::Postgres;
use slate_core::Kiosk;

mod common;

const PASSWORD: &str = "a bench passphrase";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pw() -> Password {
    Password::from(PASSWORD.to_owned())
}

/// One terminal's loop, in a worker process: prints `signin_ms ending_ms` per round.
fn worker(dir: &Path, user: &str, rounds: usize) {
    let kiosk = Arc::new(
        Kiosk::open(DataDir::prepare(Some(dir)).expect("the data folder")).expect("the kiosk"),
    );
    let _listener = kiosk.listen_to_room();
    let (handle, runtime) = slate_core::test_util::running_manager(&kiosk);
    runtime.block_on(async {
        for _ in 0..rounds {
            let _ = handle.dismiss().await;
            let asked = Instant::now();
            let status = handle
                .sign_in(user.to_owned(), pw())
                .await
                .expect("a sign-in");
            let signed_in = asked.elapsed();
            report(&kiosk, status).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            let asked = Instant::now();
            let status = handle.sign_out().await.expect("a sign-out");
            let ended = asked.elapsed();
            report(&kiosk, status).await;
            println!(
                "{:.3} {:.3}",
                signed_in.as_secs_f64() * 1000.0,
                ended.as_secs_f64() * 1000.0
            );
        }
        handle.settled().await;
        handle.shutdown().await;
    });
}

/// What the session service does after each status: tells the room, sends the records.
async fn report(kiosk: &Arc<Kiosk>, status: slate_core::api::AppStatus) {
    let kiosk = Arc::clone(kiosk);
    tokio::task::spawn_blocking(move || {
        kiosk.room_report(&status);
        while let Ok(Forwarded::Sent(_)) = kiosk.room_once() {}
    })
    .await
    .expect("the report");
}

/// Starts every worker at once and collects their rounds.
fn run(terminals: &[(PathBuf, String)], rounds: usize) -> (Vec<f64>, Vec<f64>, Duration) {
    let me = std::env::current_exe().expect("this program");
    let started = Instant::now();
    let children: Vec<_> = terminals
        .iter()
        .map(|(dir, user)| {
            Command::new(&me)
                .env("SLATE_ROOM_WORKER", dir)
                .env("SLATE_ROOM_USER", user)
                .env("SLATE_ROOM_ROUNDS", rounds.to_string())
                .stdout(Stdio::piped())
                .spawn()
                .expect("a worker")
        })
        .collect();
    let (mut signin, mut ending) = (Vec::new(), Vec::new());
    for child in children {
        let out = child.wait_with_output().expect("the worker's rounds");
        assert!(out.status.success(), "a worker failed");
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let mut it = line.split(' ').map(|v| v.parse::<f64>().expect("a figure"));
            signin.push(it.next().expect("sign-in"));
            ending.push(it.next().expect("ending"));
        }
    }
    (signin, ending, started.elapsed())
}

fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((v.len() as f64 - 1.0) * q).round() as usize;
    v[i]
}

fn terminal_dir(root: &Path, i: usize) -> PathBuf {
    let dir = root.join(format!("t{i}"));
    std::fs::create_dir_all(&dir).expect("a data folder");
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .expect("its mode");
    dir
}

#[allow(clippy::too_many_lines)]
fn main() {
    if let Ok(dir) = std::env::var("SLATE_ROOM_WORKER") {
        let user = std::env::var("SLATE_ROOM_USER").expect("the worker's account");
        worker(Path::new(&dir), &user, env_number("SLATE_ROOM_ROUNDS", 20));
        return;
    }
    // `cargo bench` passes `--bench`; a filter naming something else skips this bench.
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"room".contains(&a))
    {
        return;
    }
    let n = env_number("SLATE_ROOM_TERMINALS", 50);
    let rounds = env_number("SLATE_ROOM_ROUNDS", 20);
    let root = tempfile::tempdir().expect("a folder");
    let hash = hash_password(&pw());

    // The same loops, every terminal on its own SQLite file.
    let alone: Vec<(PathBuf, String)> = (0..n)
        .map(|i| {
            let dir = terminal_dir(&root.path().join("alone"), i);
            let kiosk = Kiosk::open(DataDir::prepare(Some(&dir)).expect("folder")).expect("kiosk");
            kiosk
                .create_first_admin(
                    &Actor::System,
                    "admin",
                    "",
                    &Password::from("admin passphrase".to_owned()),
                )
                .expect("an administrator");
            kiosk
                .add_user(&Actor::System, &format!("user{i}"), "", Role::User, &pw())
                .expect("an account");
            (dir, format!("user{i}"))
        })
        .collect();
    let (mut s_in, mut s_end, s_wall) = run(&alone, rounds);

    // The room.
    let pg = Postgres::start_new();
    pg.create_database("slate");
    let admin = Endpoint::parse(&pg.superuser_url("slate"), Some(pg.ca_file())).expect("url");
    let mut fleet = Fleet::connect(&admin, Postgres::SUPERUSER_PASSWORD).expect("the server");
    fleet
        .init(&FirstAdmin {
            username: &Username::parse("admin").expect("a name"),
            display_name: "Admin",
            password_hash: &hash,
        })
        .expect("the room");
    let in_room: Vec<(PathBuf, String)> = (0..n)
        .map(|i| {
            let dir = terminal_dir(&root.path().join("room"), i);
            let name = TerminalName::parse(&format!("t{i}")).expect("a name");
            let password = fleet
                .add_terminal(&name, Some("bench"))
                .expect("a terminal");
            Membership::new(
                name.clone(),
                admin.as_user(&name.role()).expect("url"),
                password,
            )
            .save(&dir)
            .expect("room.toml");
            (dir, format!("user{i}"))
        })
        .collect();
    {
        let kiosk =
            Kiosk::open(DataDir::prepare(Some(&in_room[0].0)).expect("folder")).expect("kiosk");
        for i in 0..n {
            kiosk
                .add_user(&Actor::System, &format!("user{i}"), "", Role::User, &pw())
                .expect("an account");
        }
    }
    let stat = |f: &mut Fleet| -> i64 {
        f.client()
            .query_one(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = 'slate'",
                &[],
            )
            .expect("stats")
            .get(0)
    };
    let commits_before = stat(&mut fleet);
    // The most terminal connections at once, sampled every 100 ms during the run.
    let (peak, stop) = (
        Arc::new(AtomicI64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let sampler = {
        let (peak, stop, admin) = (Arc::clone(&peak), Arc::clone(&stop), admin.clone());
        std::thread::spawn(move || {
            let mut f = Fleet::connect(&admin, Postgres::SUPERUSER_PASSWORD).expect("the server");
            while !stop.load(Ordering::SeqCst) {
                let now: i64 = f
                    .client()
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity WHERE usename LIKE 'slate_t_%'",
                        &[],
                    )
                    .expect("activity")
                    .get(0);
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let (mut r_in, mut r_end, r_wall) = run(&in_room, rounds);
    stop.store(true, Ordering::SeqCst);
    sampler.join().expect("the sampler");
    let commits = stat(&mut fleet) - commits_before;

    // Every record of every terminal, in the room exactly once.
    let (mut lost, mut twice, mut records) = (0_i64, 0_i64, 0_i64);
    for (i, (dir, _)) in in_room.iter().enumerate() {
        let kiosk = Kiosk::open(DataDir::prepare(Some(dir)).expect("folder")).expect("kiosk");
        while let Ok(Forwarded::Sent(_)) = kiosk.room_once() {}
        let head = kiosk.audit_head().expect("the log").map_or(0, |r| r.seq);
        let row = fleet
            .client()
            .query_one(
                "SELECT count(*), count(DISTINCT seq) FROM slate.audit WHERE terminal = $1",
                &[&format!("t{i}")],
            )
            .expect("the room's copy");
        let (count, distinct): (i64, i64) = (row.get(0), row.get(1));
        records += head;
        lost += head - distinct;
        twice += count - distinct;
        kiosk.room_audit_verify().expect("the room's copy verifies");
    }

    let med = |v: &mut Vec<f64>| quantile(v, 0.5);
    let p99 = |v: &mut Vec<f64>| quantile(v, 0.99);
    let (si, se, ri, re) = (
        med(&mut s_in),
        med(&mut s_end),
        med(&mut r_in),
        med(&mut r_end),
    );
    #[allow(clippy::cast_precision_loss)]
    let per_sec = commits as f64 / r_wall.as_secs_f64();
    let mut table = format!(
        "Measured {} ({n} terminals as processes, {rounds} rounds each, all at once, on this machine's 2 cores):\n\n\
         | | sign-in median | sign-in p99 | ending median | ending p99 | wall |\n\
         |---|---|---|---|---|---|\n",
        chrono::Local::now().date_naive()
    );
    let _ = writeln!(
        table,
        "| each terminal its own SQLite file | {si:.1} ms | {:.1} ms | {se:.1} ms | {:.1} ms | {:.1} s |",
        p99(&mut s_in),
        p99(&mut s_end),
        s_wall.as_secs_f64()
    );
    let _ = writeln!(
        table,
        "| one PostgreSQL for the room | {ri:.1} ms | {:.1} ms | {re:.1} ms | {:.1} ms | {:.1} s |",
        p99(&mut r_in),
        p99(&mut r_end),
        r_wall.as_secs_f64()
    );
    let _ = write!(
        table,
        "| **room / own files (medians)** | **{:.3}** | | **{:.3}** | | |\n\n\
         The room's database: {commits} transactions committed ({per_sec:.0}/s), at most {} terminal \
         connections at once. The audit: {records} records of {n} terminals; **lost {lost}, stored \
         twice {twice}**; every terminal's copy in the room verifies with its key.\n",
        ri / si,
        re / se,
        peak.load(Ordering::SeqCst)
    );
    common::write_summary("room", &table);
    assert_eq!(
        (lost, twice),
        (0, 0),
        "every record in the room exactly once"
    );
}
