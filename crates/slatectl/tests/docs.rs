//! The docs cannot rot: every shell block of the README and of `docs/` is run or checked here.
//!
//! - A block marked `sh` is run with bash (`-euo pipefail`), with this build's `slatectl` first
//!   on `PATH` and a temporary data folder, policy file and home (`SLATE_DATA_DIR`,
//!   `SLATE_POLICY`, `HOME`). The files run in reading order (the README, then installing,
//!   administering, troubleshooting, privacy and security, using, developing) on one data
//!   folder, so a later page may rely on what an earlier one set up, as a reader's terminal
//!   would. A block that fails fails the test with its file, line, output and error.
//! - A block marked `sh machine` changes the machine (installs the package, creates an OS
//!   account, configures the display manager, deletes the data folder) and is not run here; each
//!   `slatectl` command in it must parse: it is run with `--help` appended, which exits 0 only
//!   when every subcommand and option before it exists (the package test installs the real
//!   .deb and runs `slatectl` from it).
//! - Any other shell-like block (`bash`, `console`, `shell`, or none) is an error: mark it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The pages in reading order; every Markdown file of `docs/` must be listed.
const PAGES: &[&str] = &[
    "README.md",
    "docs/installing.md",
    "docs/administering.md",
    "docs/troubleshooting.md",
    "docs/privacy-security.md",
    "docs/using.md",
    "docs/developing.md",
    "docs/architecture.md",
];

struct Block {
    file: &'static str,
    line: usize,
    info: String,
    text: String,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fenced blocks of a Markdown file, with their info strings (indented fences included).
fn blocks(file: &'static str) -> Vec<Block> {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let mut out = Vec::new();
    let mut open: Option<(usize, String, usize, String)> = None; // line, info, indent, text
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        let indent = raw.len() - trimmed.len();
        match (&mut open, trimmed.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some((i + 1, info.trim().to_owned(), indent, String::new()));
            }
            (Some(_), Some("")) => {
                let (line, info, _, text) = open.take().unwrap();
                out.push(Block {
                    file,
                    line,
                    info,
                    text,
                });
            }
            (Some((_, _, indent, body)), _) => {
                body.push_str(raw.get(*indent..).unwrap_or(trimmed));
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "{file}: a code block is not closed");
    out
}

fn slatectl() -> &'static str {
    env!("CARGO_BIN_EXE_slatectl")
}

#[test]
fn every_page_is_listed() {
    let mut pages: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        })
        .map(|n| format!("docs/{n}"))
        .collect();
    pages.sort();
    let mut listed: Vec<String> = PAGES[1..].iter().map(|p| (*p).to_owned()).collect();
    listed.sort();
    assert_eq!(pages, listed, "PAGES must list every page of docs/");
}

#[test]
fn every_shell_block_is_marked() {
    for page in PAGES {
        for b in blocks(page) {
            assert!(
                !matches!(b.info.as_str(), "" | "bash" | "shell" | "console" | "sh-session")
                    || !looks_like_commands(&b.text),
                "{}:{}: a block of commands without a mark: use ```sh (run by this test) or ```sh machine",
                b.file,
                b.line
            );
        }
    }
}

/// Whether a block reads like commands (a line starting with a command Slate's docs use).
fn looks_like_commands(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start_matches("$ ");
        ["slatectl", "make", "apt", "sudo", "cargo", "npm"]
            .iter()
            .any(|c| l.starts_with(&format!("{c} ")))
    })
}

#[test]
fn the_docs_commands_work() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, home, work) = (
        tmp.path().join("data"),
        tmp.path().join("home"),
        tmp.path().join("work"),
    );
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    // A policy file with no keys, so the machine's /etc/slate/policy.toml never leaks in (a named
    // file that is missing would hold every key at its strictest).
    let policy = tmp.path().join("policy.toml");
    std::fs::write(&policy, "# No policy: the docs' own settings apply.\n").unwrap();
    let bin = Path::new(slatectl()).parent().unwrap().to_owned();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for page in PAGES {
        for b in blocks(page).into_iter().filter(|b| b.info == "sh") {
            let out = Command::new("bash")
                .args(["-euo", "pipefail", "-c", &b.text])
                .current_dir(&work)
                .env("PATH", &path)
                .env("HOME", &home)
                .env("SLATE_DATA_DIR", &data)
                .env("SLATE_POLICY", &policy)
                .env_remove("SLATE_LOG")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}:{}: this block failed ({}):\n{}\n--- stdout\n{}\n--- stderr\n{}",
                b.file,
                b.line,
                out.status,
                b.text,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 10, "only {ran} blocks ran: were the marks lost?");
}

#[test]
fn the_machine_blocks_slatectl_commands_parse() {
    let mut checked = 0;
    for page in PAGES {
        for b in blocks(page).into_iter().filter(|b| b.info == "sh machine") {
            for (n, line) in b.text.lines().enumerate() {
                let line = line.split(" #").next().unwrap_or("");
                let words = shlex::split(line)
                    .unwrap_or_else(|| panic!("{}:{}: not shell words", b.file, b.line + n + 1));
                let Some(at) = words.iter().position(|w| w == "slatectl") else {
                    continue;
                };
                let args: Vec<&String> = words[at + 1..]
                    .iter()
                    .take_while(|w| !matches!(w.as_str(), "|" | "&&" | ";" | ">" | "||"))
                    .collect();
                let out = Command::new(slatectl())
                    .args(&args)
                    .arg("--help")
                    .env_remove("SLATE_DATA_DIR")
                    .env_remove("SLATE_POLICY")
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}:{}: `slatectl {}` does not parse:\n{}",
                    b.file,
                    b.line + n + 1,
                    shlex::try_join(args.iter().map(|s| s.as_str())).unwrap_or_default(),
                    String::from_utf8_lossy(&out.stderr)
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "only {checked} machine commands checked");
}

/// The table of the values a broken policy holds (administering.md) says what the settings
/// table says (`SettingDef::strictest`), key for key.
#[test]
fn the_strictest_values_table_agrees_with_the_settings() {
    use slate_core::settings::{human_value, SETTINGS};
    let text = std::fs::read_to_string(root().join("docs/administering.md")).unwrap();
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("| setting | held at |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(rows.len(), SETTINGS.len(), "one row per setting: {rows:#?}");
    for def in SETTINGS {
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("| `{}` |", def.key)))
            .unwrap_or_else(|| panic!("administering.md: no row for {}", def.key));
        let held = row.split(" | ").nth(1).unwrap();
        let value = human_value(def.key, def.strictest);
        if value.is_empty() {
            assert!(held.starts_with("empty"), "{}: {held}", def.key);
        } else {
            assert!(
                held.starts_with(&format!("`{value}`")),
                "{}: {held}",
                def.key
            );
        }
    }
}
