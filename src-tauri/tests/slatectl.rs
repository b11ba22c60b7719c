//! `slatectl` as an administrator uses it: real binary, real database file in a temporary folder.

use assert_cmd::Command;

fn slatectl() -> Command {
    let mut cmd = Command::cargo_bin("slatectl").unwrap();
    cmd.env_remove("SLATE_DATA_DIR");
    cmd
}

#[test]
fn version_and_help() {
    let out = slatectl().arg("--version").assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert_eq!(
        stdout.trim(),
        format!("slatectl {}", env!("CARGO_PKG_VERSION"))
    );
    let out = slatectl().arg("--help").assert().success();
    let help = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for word in ["--data-dir", "--json", "check"] {
        assert!(help.contains(word), "help mentions {word}: {help}");
    }
}

#[test]
fn check_reports_a_fresh_folder_as_not_set_up() {
    let tmp = tempfile::tempdir().unwrap();
    let out = slatectl()
        .args(["--data-dir", tmp.path().to_str().unwrap(), "check"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("Database: ok"), "{text}");
    assert!(text.contains("Set up: no"), "{text}");

    let out = slatectl()
        .args([
            "--json",
            "--data-dir",
            tmp.path().to_str().unwrap(),
            "check",
        ])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["set_up"], false);
    assert!(v["schema_version"].as_i64().unwrap() >= 1);
}

#[test]
fn check_refuses_a_damaged_database_in_one_sentence() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("slate.db"), vec![7_u8; 4096]).unwrap();
    let out = slatectl()
        .args(["--data-dir", tmp.path().to_str().unwrap(), "check"])
        .assert()
        .code(4);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("slatectl: The database "), "{stderr}");
}

#[test]
fn a_missing_subcommand_is_a_usage_error() {
    slatectl().assert().code(2);
}
