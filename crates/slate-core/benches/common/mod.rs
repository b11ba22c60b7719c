//! What the benches share: a running session manager on a real database, and the medians
//! criterion measured, read back for the figures `make bench` puts into BENCHMARKS.md.

#![allow(dead_code)] // each bench uses part of it

use std::path::{Path, PathBuf};
use std::sync::Arc;

use slate_core::session::SessionHandle;
use slate_core::Kiosk;

/// A session manager for `kiosk` (with the core's wipers), running on its own one-thread runtime.
pub fn manager(kiosk: &Arc<Kiosk>) -> (SessionHandle, tokio::runtime::Runtime) {
    slate_core::test_util::running_manager(kiosk)
}

/// The median of some timings (the upper one of an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `target/criterion` of the workspace.
pub fn criterion_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/criterion")
}

/// The median criterion measured for `group/id` in its last run, in milliseconds.
pub fn median_ms(group: &str, id: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    Some(v["median"]["point_estimate"].as_f64()? / 1e6)
}

#[path = "../../tests/common/mod.rs"]
mod figures;

/// Prints a summary and keeps it as the fragment `target/bench-results/<name>.md`, which
/// `bench-report` (the last step of `make bench`) puts into BENCHMARKS.md.
pub fn write_summary(name: &str, summary: &str) {
    figures::write_figures(name, summary);
}

/// The process's minor page faults so far (`/proc/self/stat`, field 10).
pub fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command's name in parentheses: state (3), ppid, pgrp, session, tty, tpgid,
    // flags, minflt (10).
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().nth(7))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The minor page faults since `before` ([`minor_faults`]), as a figure.
pub fn faults_since(before: u64) -> f64 {
    f64::from(u32::try_from(minor_faults().saturating_sub(before)).unwrap_or(u32::MAX))
}
