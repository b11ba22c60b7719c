//! The systemd unit the service will be installed with (`packaging/slated.service`): systemd
//! itself checks it (`systemd-analyze verify`) and rates its exposure (`systemd-analyze security
//! --offline=true`, 0 is locked down, 10 is wide open); the aim is 5.0 or lower. (This machine
//! has no systemd as PID 1, so the unit is checked, not run: the socket tests start `slated`
//! directly.)

use std::process::Command;

fn unit_for_this_build(dir: &std::path::Path) -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("packaging/slated.service")).unwrap();
    // verify checks that the program exists: point it at this build's.
    let text = text.replace(
        "/usr/bin/slated",
        &assert_cmd::cargo::cargo_bin("slated").display().to_string(),
    );
    let unit = dir.join("slated.service");
    std::fs::write(&unit, text).unwrap();
    unit
}

/// The overall exposure `systemd-analyze security` gives `unit` in `report`.
fn exposure(report: &str, unit: &str) -> f64 {
    report
        .lines()
        .find_map(|l| {
            l.split(&format!("Overall exposure level for {unit}: "))
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{report}"))
}

#[test]
fn systemd_finds_nothing_wrong_with_the_unit_and_rates_it_5_or_lower() {
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_for_this_build(dir.path());
    let verify = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
        .expect("systemd-analyze runs (`make test` installs systemd)");
    let said = String::from_utf8_lossy(&verify.stderr);
    assert!(verify.status.success() && said.trim().is_empty(), "{said}");

    let security = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(&unit)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&security.stdout);
    let exposure = exposure(&report, "slated.service");
    println!("systemd-analyze security: exposure {exposure}");
    assert!(exposure <= 5.0, "exposure {exposure}:\n{report}");
    // @privileged, which it takes away, holds @chown, which sign-in needs (the live session's
    // folder is given to the kiosk account): the unit must allow it back after taking it away.
    let privileged = Command::new("systemd-analyze")
        .args(["syscall-filter", "@privileged", "--no-pager"])
        .output()
        .unwrap();
    let privileged = String::from_utf8_lossy(&privileged.stdout);
    assert!(
        privileged.lines().any(|l| l.trim() == "@chown"),
        "{privileged}"
    );
    let text = std::fs::read_to_string(&unit).unwrap();
    let filters: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("SystemCallFilter="))
        .collect();
    let denied = filters.iter().position(|f| *f == "~@privileged");
    let allowed = filters.iter().position(|f| *f == "@chown");
    assert!(
        matches!((denied, allowed), (Some(d), Some(a)) if a > d),
        "chown allowed after @privileged is denied: {filters:?}"
    );
    // What keeps it above 0 is root and its three capabilities (see the unit's comments).
    for kept in ["CAP_(CHOWN", "User=/DynamicUser="] {
        assert!(
            report
                .lines()
                .any(|l| l.starts_with('✗') && l.contains(kept)),
            "{kept}:\n{report}"
        );
    }
}

/// The optional metrics job (`packaging/slate-metrics.service` and its timer): systemd finds
/// nothing wrong, and it runs with next to no power (it only reads through the service's
/// socket and writes the folder of the textfile collector).
#[test]
fn the_metrics_units_are_sound_and_locked_down() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let units: Vec<std::path::PathBuf> = ["slate-metrics.service", "slate-metrics.timer"]
        .iter()
        .map(|name| {
            let unit = dir.path().join(name);
            std::fs::copy(root.join("packaging").join(name), &unit).unwrap();
            unit
        })
        .collect();
    let verify = Command::new("systemd-analyze")
        .arg("verify")
        .args(&units)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&verify.stderr);
    assert!(verify.status.success() && said.trim().is_empty(), "{said}");
    let security = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(&units[0])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&security.stdout);
    let exposure = exposure(&report, "slate-metrics.service");
    println!("systemd-analyze security: exposure {exposure}");
    assert!(exposure <= 2.0, "exposure {exposure}:\n{report}");
    let text = std::fs::read_to_string(&units[0]).unwrap();
    assert!(
        text.contains("/usr/bin/slatectl status --metrics"),
        "the job runs the documented command"
    );
}
