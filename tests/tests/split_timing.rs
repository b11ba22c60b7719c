//! The price of the split, measured (run by hand, not by `make test`; see BENCHMARKS.md): the
//! release kiosk of the commit before the screen became a client of the session service
//! (`SLATE_BASELINE_BIN`) against this build's, in turns in one run, on the same data folder:
//!
//! - cold start: a new process to the frame that draws the sign-in screen;
//! - sign-in: the click on "Sign in" to the first poll that finds the session's welcome;
//! - sign-out: the click on "Sign out now" to the first poll that finds the sign-in screen.
//!
//! This build is timed twice: with the service in its own process (the app alone, as someone
//! trying Slate out runs it), and as a screen connected to a separate release `slated`
//! (`SLATE_SLATED_BIN`), as the installed kiosk runs. Medians and ratios of the same run.

#![allow(clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use slate_e2e::service::Service;
use slate_e2e::{prepared_data_dir, with_kiosk_launched, Kiosk, Launch};

/// Rounds counted (after one warm-up round): `SLATE_TIMING_ROUNDS`, default 7.
fn rounds() -> usize {
    std::env::var("SLATE_TIMING_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(7)
}

/// The wipe's own milliseconds of the last session that ended, from the log that says so
/// ("session ended … `wipe_ms=N`", the app's or the service's): the sign-out less the screens'
/// part. `NaN` when the log has none.
fn last_wipe_ms(log: &str) -> f64 {
    // Without the colour codes of a log written with them ("\x1b[2m=\x1b[0m10165").
    let mut plain = String::with_capacity(log.len());
    let mut chars = log.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
        .rfind("wipe_ms=")
        .and_then(|at| {
            plain[at + "wipe_ms=".len()..]
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(f64::NAN)
}

async fn until(k: &Kiosk, script: &str, t0: Instant) -> f64 {
    loop {
        if k.eval(script).await == serde_json::Value::Bool(true) {
            return t0.elapsed().as_secs_f64() * 1000.0;
        }
        assert!(t0.elapsed() < Duration::from_secs(20), "never: {script}");
    }
}

/// One start, one sign-in and one sign-out: their milliseconds.
async fn one_round(k: &Kiosk) -> [f64; 3] {
    let start = k.start_to_sign_in_ms().await;
    k.by_role("heading", "Sign in").await;
    k.type_into("Username", "ana").await;
    k.type_into("Password", "ana's passphrase").await;
    let button = k.by_label("Sign in").await;
    let t0 = Instant::now();
    button.click().await.unwrap();
    let sign_in = until(
        k,
        "return document.body.innerText.includes('Welcome, Ana')",
        t0,
    )
    .await;
    k.click("Sign out").await;
    k.wait_for_text("Sign out now?").await;
    let button = k.by_label("Sign out now").await;
    let t0 = Instant::now();
    button.click().await.unwrap();
    let sign_out = until(
        k,
        "return document.getElementById('signin-title') !== null",
        t0,
    )
    .await;
    [start, sign_in, sign_out]
}

#[tokio::test]
#[ignore = "a timing harness: see BENCHMARKS.md for how to run it"]
async fn split_against_one_process() {
    let (Some(baseline), Some(slated)) = (
        std::env::var_os("SLATE_BASELINE_BIN").map(PathBuf::from),
        std::env::var_os("SLATE_SLATED_BIN").map(PathBuf::from),
    ) else {
        eprintln!("skipped: set SLATE_BASELINE_BIN and SLATE_SLATED_BIN (see BENCHMARKS.md)");
        return;
    };
    let dir = prepared_data_dir(&[("signed_out_screen", "0")]);
    let names = ["before the split", "embedded service", "separate slated"];
    let mut figures: [Vec<[f64; 4]>; 3] = Default::default();
    let rounds = rounds();
    for round in 0..=rounds {
        for (which, figures) in figures.iter_mut().enumerate() {
            let service = (which == 2).then(|| Service::start_with(&slated, dir.path()));
            let launch = Launch {
                binary: Some(if which == 0 {
                    baseline.clone()
                } else {
                    slate_e2e::release_slate_bin()
                }),
                socket: service.as_ref().map(|s| s.socket().to_owned()),
                ..Launch::on(&dir)
            };
            with_kiosk_launched("split_timing", launch, async |k| {
                let [start, sign_in, sign_out] = one_round(k).await;
                // The session's ending is logged by whoever ran it: the app, or the service.
                tokio::time::sleep(Duration::from_millis(200)).await;
                let wipe = last_wipe_ms(&service.as_ref().map_or_else(|| k.log(), Service::log));
                // The first round of each warms the page cache: not counted.
                if round > 0 {
                    figures.push([start, sign_in, sign_out, wipe]);
                }
            })
            .await;
            drop(service);
            // Past any sign-in back-off.
            tokio::time::sleep(Duration::from_millis(1100)).await;
        }
    }
    let what = [
        "cold start",
        "sign-in",
        "sign-out → sign-in screen",
        "of which the wipe (logged)",
    ];
    let mut out = String::new();
    for (i, what) in what.iter().enumerate() {
        let meds: Vec<f64> = figures
            .iter()
            .map(|f| slate_e2e::report::median(&f.iter().map(|r| r[i]).collect::<Vec<_>>()))
            .collect();
        let _ = writeln!(
            out,
            "| {what} | {:.0} ms | {:.0} ms ({:.2}×) | {:.0} ms ({:.2}×) |",
            meds[0],
            meds[1],
            meds[1] / meds[0],
            meds[2],
            meds[2] / meds[0]
        );
    }
    println!(
        "| median of {rounds} | {} | {} | {} |\n|---|---|---|---|\n{out}\nall: {figures:.0?}",
        names[0], names[1], names[2]
    );
}
