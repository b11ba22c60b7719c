//! The first page of the audit list over ten million records, measured with criterion
//! (`make bench`; building the database takes a few minutes the first time).
//!
//! The database is built once in `target/bench-data/audit-10m.db` (about 4 GB) through the real
//! append path: 2,000 users and guests, a year of sessions (sign-ins, failed sign-ins, sign-outs
//! with every reason). Each filter the list offers is timed for a first page of 50 records.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Duration};
use criterion::{criterion_group, Criterion};
use slate_core::audit::{AuditFilter, AuditKey};
use slate_core::store::Store;

const RECORDS: i64 = 10_000_000;
const PAGE: u32 = 50;
const START: i64 = 1_760_000_000;
/// A year, spread evenly over the records.
const SPAN_SECS: i64 = 365 * 24 * 3600;

/// Seconds to open the database (its quick check included) and for the full integrity check.
static START_UP: std::sync::OnceLock<(f64, f64)> = std::sync::OnceLock::new();

/// The session service's open ([`Store::open_unchecked`], its check left for later), timed in
/// turns on this database and on an empty one: the medians (ms) and the median of the ratios
/// of each pair; then the check it runs later ([`Store::check_file`]), seconds, once.
static SERVICE_OPEN: std::sync::OnceLock<(f64, f64, f64, f64)> = std::sync::OnceLock::new();

/// Rounds of the service's open, each a pair (the large database, then the empty one).
const OPEN_ROUNDS: usize = 21;

/// The service's open on `large` and on an empty database, in turns ([`SERVICE_OPEN`]).
fn service_open(large: &Path, dir: &Path) {
    let empty = dir.join("empty.db");
    let _ = std::fs::remove_file(&empty);
    drop(Store::open(&empty).expect("an empty store"));
    let time = |path: &Path| {
        let t = Instant::now();
        drop(Store::open_unchecked(path).expect("the store"));
        t.elapsed().as_secs_f64() * 1000.0
    };
    let (mut big, mut small, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..OPEN_ROUNDS {
        let b = time(large);
        let s = time(&empty);
        big.push(b);
        small.push(s);
        ratios.push(b / s);
    }
    let checked = Instant::now();
    Store::check_file(large).expect("quick_check is ok");
    let check_s = checked.elapsed().as_secs_f64();
    let (big, small, ratio) = (
        common::median(big),
        common::median(small),
        common::median(ratios),
    );
    eprintln!(
        "service open: 10M records {big:.2} ms, empty {small:.2} ms, ratio {ratio:.3}; \
         its check afterwards {check_s:.1} s"
    );
    let _ = SERVICE_OPEN.set((big, small, ratio, check_s));
}

fn build(path: &Path, key: &AuditKey) {
    let tmp = path.with_extension("building");
    let _ = std::fs::remove_file(&tmp);
    let store = Store::open(&tmp).expect("a store");
    let started = Instant::now();
    slate_core::test_util::append_year_of_records(
        &store,
        key,
        (START, SPAN_SECS),
        RECORDS,
        |done| eprint!("\rbuilding the 10M-record audit database: {done} records…"),
    );
    drop(store);
    std::fs::rename(&tmp, path).expect("moved in place");
    eprintln!("\nbuilt in {:.0} s", started.elapsed().as_secs_f64());
}

fn at(offset_days: i64) -> String {
    let t = DateTime::from_timestamp(START + SPAN_SECS, 0).expect("an instant")
        - Duration::days(offset_days);
    slate_core::clock::to_db(t)
}

fn pages(c: &mut Criterion) {
    let key = AuditKey::from_bytes([9; 32]);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    std::fs::create_dir_all(&dir).expect("a folder");
    let path = dir.join("audit-10m.db");
    if !path.exists() {
        build(&path, &key);
    }
    // Start-up cost: what the kiosk pays at every start (open, with its quick check), and the
    // full integrity check `slatectl check` runs, timed apart. One run each: they take seconds.
    let opened = Instant::now();
    let store = Store::open(&path).expect("the store");
    let open_s = opened.elapsed().as_secs_f64();
    let checked = Instant::now();
    store.check_integrity().expect("integrity_check is ok");
    let full_s = checked.elapsed().as_secs_f64();
    eprintln!("open (quick_check): {open_s:.1} s; full integrity_check: {full_s:.1} s");
    let _ = START_UP.set((open_s, full_s));
    drop(store);
    service_open(&path, &dir);
    let store = Store::open_unchecked(&path).expect("the store");
    let filters: Vec<(&str, AuditFilter)> = vec![
        ("no_filter", AuditFilter::default()),
        (
            "user",
            AuditFilter {
                username: Some("USER0042".into()),
                ..AuditFilter::default()
            },
        ),
        (
            "event_failed",
            AuditFilter {
                event: Some("sign_in_failed".into()),
                ..AuditFilter::default()
            },
        ),
        (
            "reason_time_limit",
            AuditFilter {
                reason: Some("time_limit".into()),
                ..AuditFilter::default()
            },
        ),
        (
            "user_and_reason",
            AuditFilter {
                username: Some("user0046".into()),
                reason: Some("idle".into()),
                ..AuditFilter::default()
            },
        ),
        (
            "since_yesterday",
            AuditFilter {
                since: Some(at(1)),
                ..AuditFilter::default()
            },
        ),
        (
            "until_six_months_ago",
            AuditFilter {
                until: Some(at(182)),
                ..AuditFilter::default()
            },
        ),
        (
            "user_in_one_week_half_a_year_ago",
            AuditFilter {
                username: Some("user0042".into()),
                since: Some(at(189)),
                until: Some(at(182)),
                ..AuditFilter::default()
            },
        ),
        (
            "page_5_back",
            AuditFilter {
                before_seq: Some(RECORDS - i64::from(PAGE) * 4),
                ..AuditFilter::default()
            },
        ),
    ];
    let mut g = c.benchmark_group("audit_page");
    g.sample_size(20);
    for (name, mut f) in filters {
        f.limit = PAGE;
        let n = store.audit_list(&f).expect("a page").len();
        assert!(n > 0, "{name} finds records");
        g.bench_function(name, |b| b.iter(|| store.audit_list(&f).expect("a page")));
    }
    g.finish();
}

criterion_group!(benches, pages);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let mut rows = String::from("| first page of 50, filter | median |\n|---|---|\n");
    let mut worst = 0.0_f64;
    for name in [
        "no_filter",
        "user",
        "event_failed",
        "reason_time_limit",
        "user_and_reason",
        "since_yesterday",
        "until_six_months_ago",
        "user_in_one_week_half_a_year_ago",
        "page_5_back",
    ] {
        if let Some(ms) = common::median_ms("audit_page", name) {
            worst = worst.max(ms);
            let _ = writeln!(rows, "| {name} | {ms:.2} ms |");
        }
    }
    let _ = writeln!(
        rows,
        "\n- slowest first page over 10,000,000 records: **{worst:.2} ms** (target ≤ 50 ms)"
    );
    if let Some((open_s, full_s)) = START_UP.get() {
        let _ = writeln!(
            rows,
            "- opening this database as the kiosk does at every start (`Store::open`, with its \
             `quick_check`): **{open_s:.1} s**; the full `integrity_check` of `slatectl check`, \
             timed apart: **{full_s:.1} s** (one run each)"
        );
    }
    if let Some((big, small, ratio, check_s)) = SERVICE_OPEN.get() {
        let _ = writeln!(
            rows,
            "- the session service's open, its check left for later (`Store::open_unchecked`), \
             in {OPEN_ROUNDS} turns with an empty database: **{big:.2} ms** against \
             **{small:.2} ms**, ratio **{ratio:.3}** (median of the pairs; target within 10 %); \
             the check it then runs beside it, once serving (`Store::check_file`): \
             **{check_s:.1} s**"
        );
    }
    common::write_summary("audit-page", &rows);
}
