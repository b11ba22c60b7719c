//! Start-up refusals of the real `slate` binary: one clear sentence on stderr, a distinct
//! non-zero exit, no window and no panic.

use std::process::Command;

use slate_e2e::{private_tempdir, slate_bin};

fn run_slate(args: &[&str]) -> (i32, String) {
    let out = Command::new(slate_bin())
        .args(args)
        .env_remove("SLATE_DATA_DIR")
        .output()
        .expect("slate runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr)
}

fn assert_one_sentence(stderr: &str, starts: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line, got: {stderr:?}");
    assert!(lines[0].starts_with(starts), "{stderr:?}");
    assert!(lines[0].ends_with('.'), "a sentence: {stderr:?}");
    assert!(!stderr.contains("panicked"), "{stderr:?}");
}

#[test]
fn a_data_dir_that_is_a_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let (code, stderr) = run_slate(&["--data-dir", file.to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}");
    assert_one_sentence(&stderr, "slate: The data folder ");
    assert!(stderr.contains("is a file, not a folder"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x", "unchanged");
}

#[test]
fn an_unwritable_data_dir_is_refused() {
    // /proc refuses new entries even to root (a chmod-ed folder would not stop root).
    let (code, stderr) = run_slate(&["--data-dir", "/proc/slate-e2e-data"]);
    assert_eq!(code, 3, "{stderr}");
    assert_one_sentence(
        &stderr,
        "slate: Cannot create the data folder /proc/slate-e2e-data",
    );
}

#[test]
fn a_data_dir_from_the_environment_is_used_too() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let out = Command::new(slate_bin())
        .env("SLATE_DATA_DIR", &file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a file, not a folder"));
}

#[test]
fn a_damaged_database_is_refused_and_kept() {
    let tmp = private_tempdir();
    let junk = vec![0x42_u8; 4096];
    std::fs::write(tmp.path().join("slate.db"), &junk).unwrap();
    let (code, stderr) = run_slate(&["--data-dir", tmp.path().to_str().unwrap()]);
    assert_eq!(code, 4, "{stderr}");
    assert_one_sentence(&stderr, "slate: The database ");
    assert!(stderr.contains("is damaged"), "{stderr}");
    assert_eq!(std::fs::read(tmp.path().join("slate.db")).unwrap(), junk);
}

#[test]
fn version_and_help_work_without_a_display() {
    let out = Command::new(slate_bin())
        .arg("--version")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("slate {}", env!("CARGO_PKG_VERSION"))
    );
    let out = Command::new(slate_bin()).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--data-dir"));
}

#[test]
fn no_display_is_one_sentence() {
    let tmp = private_tempdir();
    let out = Command::new(slate_bin())
        .args(["--data-dir", tmp.path().to_str().unwrap()])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("there is no display"), "{stderr}");
}
