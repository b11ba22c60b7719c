//! The exit codes both binaries (`slate` and `slatectl`) use, and the one for each core error
//! that stops them. Scripts may rely on them: [`MEANINGS`] says what each means, for docs/administering.md,
//! the man pages and `--help`.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::audit::AuditError;
use crate::kiosk::KioskError;
use crate::settings::SettingError;

/// Bad arguments (clap's own code).
pub const USAGE: u8 = 2;
/// The data folder cannot be used (or, for a command that only reads, does not exist).
pub const DATA_DIR: u8 = 3;
/// The database is damaged or cannot be opened.
pub const DATABASE: u8 = 4;
/// The window system or webview failed.
pub const RUNTIME: u8 = 5;
/// No such user.
pub const NOT_FOUND: u8 = 6;
/// The name is taken, or the kiosk is already set up.
pub const CONFLICT: u8 = 7;
/// A value is not acceptable (username, password, setting), or `slatectl policy check` found
/// problems in a policy file (the same bad values, before they are deployed).
pub const INVALID: u8 = 8;
/// Refused to protect the kiosk (e.g. the last administrator).
pub const REFUSED: u8 = 9;
/// The audit log does not verify, or its key is missing or cannot be used.
pub const AUDIT_BROKEN: u8 = 10;
/// An administrator left kiosk mode from the panel (`slate` only): the kiosk's session script
/// (`/usr/lib/slate/slate-session`) ends instead of starting the screen again.
pub const LEFT_KIOSK: u8 = 11;
/// Anything else.
pub const FAILURE: u8 = 1;

/// Every exit code and what it means, in order: the man pages' EXIT STATUS and the end of
/// `--help` list these.
pub const MEANINGS: &[(u8, &str)] = &[
    (0, "Done."),
    (
        FAILURE,
        "Any other failure (for source test: the source cannot be used).",
    ),
    (USAGE, "Bad arguments."),
    (
        DATA_DIR,
        "The data folder cannot be used (a file, open to other accounts, owned by another, not writable, cannot be created), or a command that only reads found none.",
    ),
    (
        DATABASE,
        "The database is damaged or cannot be opened (Slate never recreates it silently).",
    ),
    (
        RUNTIME,
        "No display, or the window system failed (slate only).",
    ),
    (NOT_FOUND, "No such user."),
    (
        CONFLICT,
        "The name is taken, or the kiosk is already set up.",
    ),
    (
        INVALID,
        "A value is not acceptable (username, password, setting, a problem found by policy check).",
    ),
    (
        REFUSED,
        "Refused: the last administrator, a key the policy file sets, or (source test) the source does not let the name in.",
    ),
    (
        AUDIT_BROKEN,
        "The audit log does not verify, or its key is missing or cannot be used.",
    ),
    (
        LEFT_KIOSK,
        "An administrator left kiosk mode from the panel (slate only): the kiosk session ends and the display manager shows its login screen.",
    ),
];

/// The end of both binaries' `--help`: the environment variables it reads (name, what for),
/// then [`MEANINGS`], wrapped for an 80-column terminal.
pub fn help_tail(environment: &[(&str, &str)]) -> String {
    let mut out = String::from("Environment:\n");
    for (name, what) in environment {
        item(&mut out, name, 16, what);
    }
    out.push_str("\nExit status:\n");
    for (code, meaning) in MEANINGS {
        item(&mut out, &code.to_string(), 4, meaning);
    }
    out
}

/// One entry of a `--help` list: `  label  text`, the text wrapped at 78 columns and indented.
fn item(out: &mut String, label: &str, label_width: usize, text: &str) {
    let indent = 2 + label_width + 1;
    let _ = write!(out, "  {label:<label_width$} ");
    let mut column = indent;
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 && column + 1 + word.len() > 78 {
            let _ = write!(out, "\n{:indent$}", "");
            column = indent;
        } else if i > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += word.len();
    }
    out.push('\n');
}

/// The exit code for a core error that stops a binary.
pub fn code_for(e: &KioskError) -> ExitCode {
    ExitCode::from(number_for(e))
}

/// [`code_for`] as a number.
pub fn number_for(e: &KioskError) -> u8 {
    match e {
        KioskError::DataDir(_) => DATA_DIR,
        KioskError::Store(_) => DATABASE,
        KioskError::NoSuchUser(_) => NOT_FOUND,
        KioskError::UserExists(_) | KioskError::AlreadySetUp => CONFLICT,
        KioskError::Setting(SettingError::SetByPolicy { .. }) | KioskError::LastAdmin(_) => REFUSED,
        KioskError::Setting(_) | KioskError::Credential(_) | KioskError::InvalidRequest(_) => {
            INVALID
        }
        KioskError::Audit(AuditError::Broken { .. } | AuditError::Key(_)) => AUDIT_BROKEN,
        _ => FAILURE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_in_order() {
        let listed: Vec<u8> = MEANINGS.iter().map(|(code, _)| *code).collect();
        let mut all = vec![
            0,
            FAILURE,
            USAGE,
            DATA_DIR,
            DATABASE,
            RUNTIME,
            NOT_FOUND,
            CONFLICT,
            INVALID,
            REFUSED,
            AUDIT_BROKEN,
            LEFT_KIOSK,
        ];
        all.sort_unstable();
        all.dedup();
        assert_eq!(
            listed, all,
            "distinct codes, each with its meaning, ascending"
        );
        assert!(MEANINGS.iter().all(|(_, m)| m.ends_with('.')));
    }

    #[test]
    fn the_administrators_docs_table_says_the_same() {
        let readme = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/administering.md"
        ))
        .unwrap();
        let plain = |s: &str| s.replace('`', "").trim_end_matches('.').to_lowercase();
        for (code, meaning) in MEANINGS {
            let row = format!("| {code} | {} |", plain(meaning));
            assert!(
                readme.lines().any(|l| plain(l) == row),
                "docs/administering.md's exit codes lack {row}"
            );
        }
    }

    #[test]
    fn the_help_tail_lists_the_environment_then_each_code_wrapped() {
        let text = help_tail(&[("SLATE_X", "One."), ("SLATE_LONG", &"word ".repeat(40))]);
        assert!(
            text.starts_with("Environment:\n  SLATE_X          One.\n"),
            "{text}"
        );
        assert!(text.contains("\nExit status:\n  0    Done.\n"), "{text}");
        assert!(
            text.contains(
                "  10   The audit log does not verify, or its key is missing or cannot be used.\n"
            ),
            "{text}"
        );
        assert!(text.lines().all(|l| l.chars().count() <= 78), "{text}");
        assert!(
            text.contains("\n                   word word"),
            "wrapped under its text: {text}"
        );
    }
}
