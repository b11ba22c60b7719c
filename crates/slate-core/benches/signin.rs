//! Sign-in cost, measured with criterion (`make bench`).
//!
//! - `bare_argon2id`: one Argon2id hash at the parameters Slate uses (the floor any sign-in pays).
//! - `signin_ok`: the whole sign-in path through the session manager: throttle look-up, account
//!   read, verify, throttle reset, and the session durably recorded as open. (The sign-out after
//!   each sign-in is not timed.)
//! - `failed_known` / `failed_unknown`: a wrong password for an existing account, and any password
//!   for a name that does not exist. They must cost the same, or timing reveals which names exist.
//!
//! After criterion's own report the bench prints the ratios of the medians measured in this run
//! and writes them to `target/bench-results/signin.md`.
//!
//! - `interleaved`: criterion's groups run minutes apart, and on a shared machine the noise
//!   between them swamps a ratio of two medians. So the ratio that counts is measured in pairs:
//!   a bare hash, then a sign-in (the order swapped every other pair), [`PAIRS`] times; the
//!   median of the per-pair ratios.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use criterion::{criterion_group, Criterion};
use slate_core::audit::Actor;
use slate_core::auth::Password;
use slate_core::datadir::DataDir;
use slate_core::session::SessionHandle;
use slate_core::test_util::{add_admin_and_ana, FakeClock};
use slate_core::Kiosk;

struct Bench {
    session: SessionHandle,
    rt: tokio::runtime::Runtime,
    clock: Arc<FakeClock>,
    _tmp: tempfile::TempDir,
}

fn setup() -> Bench {
    let tmp = slate_core::test_util::private_tempdir();
    let clock = Arc::new(FakeClock::new());
    let kiosk = Arc::new(
        Kiosk::open_with_clock(
            DataDir::prepare(Some(tmp.path())).expect("a data folder"),
            clock.clone(),
        )
        .expect("a kiosk"),
    );
    add_admin_and_ana(&kiosk, "");
    kiosk
        .set_setting(&Actor::System, "signin_lock_after", "50")
        .expect("a setting");
    kiosk
        .set_setting(&Actor::System, "signed_out_screen", "0")
        .expect("a setting");
    let (session, rt) = common::manager(&kiosk);
    Bench {
        session,
        rt,
        clock,
        _tmp: tmp,
    }
}

fn signin(c: &mut Criterion) {
    let b = setup();
    let right = Password::from("ana's passphrase".to_owned());
    let wrong = Password::from("not the passphrase".to_owned());
    let mut g = c.benchmark_group("signin");
    g.sample_size(30).measurement_time(Duration::from_secs(6));

    g.bench_function("bare_argon2id", |bench| {
        let argon = Argon2::default();
        let salt = [7u8; 16];
        let mut out = [0u8; 32];
        bench.iter(|| {
            argon
                .hash_password_into(black_box(right.as_bytes()), &salt, &mut out)
                .expect("hash");
            black_box(out);
        });
    });
    g.bench_function("signin_ok", |bench| {
        bench.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let started = std::time::Instant::now();
                b.rt.block_on(b.session.sign_in("ana".into(), right.clone()))
                    .expect("signed in");
                timed += started.elapsed();
                b.rt.block_on(b.session.sign_out()).expect("signed out");
            }
            timed
        });
    });
    for (id, name) in [("failed_known", "ana"), ("failed_unknown", "nobody")] {
        g.bench_function(id, |bench| {
            bench.iter(|| {
                // Move past any backoff and cool-down (4 hours at most) so every attempt is
                // checked and counted as a failure.
                b.clock.advance(Duration::from_secs(5 * 3600));
                assert!(b
                    .rt
                    .block_on(b.session.sign_in(name.into(), wrong.clone()))
                    .is_err());
            });
        });
    }
    g.finish();
}

/// Pairs (a bare hash, a whole sign-in) measured in turns.
const PAIRS: usize = 201;

/// The medians of the bare hash and of the sign-in (ms), and the median of their per-pair ratios.
static INTERLEAVED: std::sync::OnceLock<(f64, f64, f64)> = std::sync::OnceLock::new();

/// The sign-in and the bare hash, in turns ([`INTERLEAVED`]).
fn interleaved() {
    let b = setup();
    let right = Password::from("ana's passphrase".to_owned());
    let argon = Argon2::default();
    let salt = [7u8; 16];
    let mut out = [0u8; 32];
    // The process's minor page faults around each: a 19 MiB Argon2 buffer whose pages are
    // fresh each time costs about 4,900 of them.
    let (mut bare_faults, mut full_faults) = (Vec::new(), Vec::new());
    let mut hash = || {
        let faults = common::minor_faults();
        let started = std::time::Instant::now();
        argon
            .hash_password_into(black_box(right.as_bytes()), &salt, &mut out)
            .expect("hash");
        black_box(out);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        bare_faults.push(common::faults_since(faults));
        ms
    };
    let mut sign_in = || {
        let faults = common::minor_faults();
        let started = std::time::Instant::now();
        b.rt.block_on(b.session.sign_in("ana".into(), right.clone()))
            .expect("signed in");
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        full_faults.push(common::faults_since(faults));
        b.rt.block_on(b.session.sign_out()).expect("signed out");
        ms
    };
    let (mut bare, mut full, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..PAIRS {
        let (h, s) = if i % 2 == 0 {
            let h = hash();
            (h, sign_in())
        } else {
            let s = sign_in();
            (hash(), s)
        };
        bare.push(h);
        full.push(s);
        ratios.push(s / h);
    }
    eprintln!(
        "minor page faults, median: bare hash {}, sign-in {}",
        common::median(bare_faults),
        common::median(full_faults)
    );
    let (bare, full, ratio) = (
        common::median(bare),
        common::median(full),
        common::median(ratios),
    );
    eprintln!("interleaved: bare hash {bare:.2} ms, sign-in {full:.2} ms, ratio {ratio:.3}");
    let _ = INTERLEAVED.set((bare, full, ratio));
}

criterion_group!(benches, signin);

fn main() {
    benches();
    interleaved();
    Criterion::default().configure_from_args().final_summary();
    let (Some(bare), Some(ok), Some(known), Some(unknown)) = (
        common::median_ms("signin", "bare_argon2id"),
        common::median_ms("signin", "signin_ok"),
        common::median_ms("signin", "failed_known"),
        common::median_ms("signin", "failed_unknown"),
    ) else {
        eprintln!("(no estimates to summarise: run without a filter)");
        return;
    };
    let summary = format!(
        "| measure | median |\n|---|---|\n\
         | bare Argon2id hash (m=19456, t=2, p=1) | {:.2} ms |\n\
         | sign-in path, success | {:.2} ms |\n\
         | failed sign-in, known user | {:.2} ms |\n\
         | failed sign-in, unknown user | {:.2} ms |\n\n\
         sign-in / bare hash, of criterion's medians (groups run apart) = {:.3}×\n\
         failed known / failed unknown = **{:.3}** (target within 5 %: 0.95–1.05)\n",
        bare,
        ok,
        known,
        unknown,
        ok / bare,
        known / unknown
    );
    let summary = match INTERLEAVED.get() {
        Some((bare, full, ratio)) => format!(
            "{summary}sign-in / bare hash, interleaved ({PAIRS} pairs in turns, the median of the \
             per-pair ratios; bare {bare:.2} ms, sign-in {full:.2} ms) = **{ratio:.3}×** \
             (target ≤ 1.10×)\n"
        ),
        None => summary,
    };
    common::write_summary("signin", &summary);
}
