//! `slate-docgen OUT_DIR` writes the man pages of `slate`, `slated` and `slatectl` into `OUT_DIR/man` (one
//! page for each slatectl subcommand too, git-style: `slatectl-user-add(1)`) and slatectl's bash,
//! zsh and fish completions into `OUT_DIR/completions`. All of it comes from the clap types the
//! two binaries parse, so the pages and completions cannot drift from `--help`. `make package`
//! runs it, gzips the pages and bundles them (`src-tauri/tauri.conf.json`).
//!
//! It links no Tauri: the kiosk's arguments are `src-tauri/src/cli.rs`, which needs only clap and
//! the core, included here as a module.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Command, CommandFactory};
use clap_complete::Shell;
use clap_mangen::roff::{bold, italic, roman, Roff};
use clap_mangen::Man;
use slate_core::settings::{bounds_text, human_value, Kind, SETTINGS};

#[allow(dead_code)] // the kiosk reads the fields; here only their help is used
#[path = "../../../src-tauri/src/cli.rs"]
mod slate_cli;

#[allow(dead_code)] // the service reads the fields; here only their help is used
#[path = "../../slated/src/cli.rs"]
mod slated_cli;

/// The version every page's footer names.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One file to write: its path under the output folder, and its contents.
struct Output {
    path: PathBuf,
    bytes: Vec<u8>,
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(out), None) = (args.next(), args.next()) else {
        eprintln!("usage: slate-docgen OUT_DIR");
        return ExitCode::from(slate_core::exit::USAGE);
    };
    let out = PathBuf::from(out);
    let files: Vec<Output> = man_pages().into_iter().chain(completions()).collect();
    for file in &files {
        let path = out.join(&file.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &file.bytes));
        if let Err(e) = written {
            eprintln!("slate-docgen: cannot write {}: {e}.", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!("slate-docgen: {} files in {}", files.len(), out.display());
    ExitCode::SUCCESS
}

/// The kiosk's command line.
fn slate_command() -> Command {
    slate_cli::SlateArgs::command()
}

/// slatectl's command line, built (global options copied into every subcommand), without the
/// `help` subcommand (it needs no page).
fn slatectl_command() -> Command {
    let mut cmd = slatectl::cli::Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Every man page: `slate(1)`, `slated(1)`, `slatectl(1)` and one for each slatectl subcommand.
fn man_pages() -> Vec<Output> {
    let mut pages = vec![
        page(
            &slate_command(),
            &top_sections(slate_cli::ENVIRONMENT, "slatectl"),
        ),
        page(
            &slated_cli::Args::command(),
            &top_sections(slated_cli::ENVIRONMENT, "slatectl"),
        ),
    ];
    let ctl = slatectl_command();
    pages.push(page(
        &ctl,
        &top_sections(slatectl::cli::ENVIRONMENT, "slate"),
    ));
    subcommand_pages(&ctl, &mut pages);
    pages
}

/// The pages of `parent`'s subcommands and theirs, depth first.
fn subcommand_pages(parent: &Command, pages: &mut Vec<Output>) {
    for sub in parent.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut extra = Roff::new();
        if sub
            .get_after_help()
            .is_some_and(|h| h.to_string() == slatectl::cli::settings_help())
        {
            settings_section(&mut extra);
        }
        let mut see_also = vec![page_name(parent)];
        if parent.get_name() != "slatectl" {
            see_also.push("slatectl".to_owned());
        }
        see_also_section(&mut extra, &see_also);
        pages.push(page(sub, &extra));
        subcommand_pages(sub, pages);
    }
}

/// `slatectl-user-add` for `slatectl user add`.
fn page_name(cmd: &Command) -> String {
    cmd.get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_owned()
}

/// One page: `clap_mangen`'s title, name, synopsis, description, options and subcommands, then
/// `extra` (the sections clap knows nothing of: environment, exit status, files, settings).
fn page(cmd: &Command, extra: &Roff) -> Output {
    let name = page_name(cmd);
    let man = Man::new(cmd.clone())
        .title(name.to_uppercase())
        .date(release_date())
        .source(format!("Slate {VERSION}"))
        .manual("Slate Manual");
    let mut buf = Vec::new();
    render(&man, cmd, extra, &mut buf).expect("writing to memory cannot fail");
    // Each piece starts with roff's apostrophe preamble: keep the first only.
    let preamble = Roff::new().render();
    let text = String::from_utf8(buf).expect("roff is UTF-8");
    let body = text.replace(&preamble, "");
    Output {
        path: Path::new("man").join(format!("{name}.1")),
        bytes: (preamble + &body).into_bytes(),
    }
}

fn render(man: &Man, cmd: &Command, extra: &Roff, buf: &mut Vec<u8>) -> std::io::Result<()> {
    man.render_title(buf)?;
    man.render_name_section(buf)?;
    man.render_synopsis_section(buf)?;
    man.render_description_section(buf)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(buf)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(buf)?;
    }
    extra.to_writer(buf)
}

/// The date in every page's footer: the release's, from the newest entry of
/// `packaging/changelog` (so a rebuild writes the same pages).
fn release_date() -> String {
    const CHANGELOG: &str = include_str!("../../../packaging/changelog");
    let trailer = CHANGELOG
        .lines()
        .find_map(|l| {
            l.strip_prefix(" -- ")?
                .split_once(">  ")
                .map(|(_, date)| date)
        })
        .expect("packaging/changelog has a trailer line");
    chrono::DateTime::parse_from_rfc2822(trailer)
        .expect("the changelog's date is RFC 2822")
        .format("%Y-%m-%d")
        .to_string()
}

/// The sections of `slate(1)` and `slatectl(1)` after the options: ENVIRONMENT, EXIT STATUS,
/// FILES and SEE ALSO (`other`, the other binary's page).
fn top_sections(environment: &[(&str, &str)], other: &str) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, what) in environment {
        item(&mut roff, bold(*name), what);
    }
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in slate_core::exit::MEANINGS {
        item(&mut roff, bold(code.to_string()), meaning);
    }
    roff.control("SH", ["FILES"]);
    for (file, what) in [
        (
            slate_core::policy::DEFAULT_POLICY_FILE,
            "The policy file, unless --policy or SLATE_POLICY names another: its keys override \
             and lock the administrator's settings.",
        ),
        (
            "/usr/share/slate/policy.toml.example",
            "Every key a policy file may set, explained.",
        ),
        (
            "~/.local/share/slate",
            "The data folder (the XDG data folder of the account running Slate), unless \
             --data-dir or SLATE_DATA_DIR names another: the database, the audit key and the \
             session folders.",
        ),
        (
            "/var/lib/slate",
            "The installed session service's data folder (root's alone), and root's default.",
        ),
        (
            "/var/lib/slate-sessions",
            "The installed service's sessions' folders: each live one is the kiosk account's.",
        ),
        (
            "/etc/default/slate",
            "SLATE_SCREEN_USER, the kiosk account, written by slatectl kiosk enable.",
        ),
        (
            slate_core::wire::SYSTEM_SOCKET,
            "The installed session service's socket.",
        ),
    ] {
        item(&mut roff, italic(file), what);
    }
    see_also_section(&mut roff, &[other.to_owned()]);
    roff
}

/// SETTINGS: every key, its description, bounds and default (`slatectl config`'s pages).
fn settings_section(roff: &mut Roff) {
    roff.control("SH", ["SETTINGS"]);
    for def in SETTINGS {
        let default = match (human_value(def.key, def.default), def.kind) {
            (v, _) if v.is_empty() => "empty".to_owned(),
            (v, Kind::Text { .. }) => format!("\"{v}\""),
            (v, _) => v,
        };
        item(
            roff,
            bold(def.key),
            &format!(
                "{} Accepts {}; default: {default}.",
                def.description,
                bounds_text(def.kind)
            ),
        );
    }
}

/// SEE ALSO: the pages named, in section 1.
fn see_also_section(roff: &mut Roff, pages: &[String]) {
    roff.control("SH", ["SEE ALSO"]);
    let mut line = Vec::new();
    for (i, name) in pages.iter().enumerate() {
        if i > 0 {
            line.push(roman(", "));
        }
        line.push(bold(name.as_str()));
        line.push(roman("(1)"));
    }
    roff.text(line);
}

/// A tagged paragraph: `tag` on its own line, `text` indented below it.
fn item(roff: &mut Roff, tag: clap_mangen::roff::Inline, text: &str) {
    roff.control("TP", []);
    roff.text([tag]);
    roff.text([roman(text)]);
}

/// slatectl's completions for bash, zsh and fish, named as each shell looks them up.
fn completions() -> Vec<Output> {
    [
        (Shell::Bash, "slatectl"),
        (Shell::Zsh, "_slatectl"),
        (Shell::Fish, "slatectl.fish"),
    ]
    .into_iter()
    .map(|(shell, file)| {
        let mut cmd = slatectl::cli::Cli::command();
        let mut bytes = Vec::new();
        clap_complete::generate(shell, &mut cmd, "slatectl", &mut bytes);
        Output {
            path: Path::new("completions").join(file),
            bytes,
        }
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(out: &Output) -> &str {
        std::str::from_utf8(&out.bytes).unwrap()
    }

    fn man_page(name: &str) -> String {
        let pages = man_pages();
        let page = pages
            .iter()
            .find(|p| p.path == Path::new("man").join(format!("{name}.1")))
            .unwrap_or_else(|| panic!("no page {name}"));
        text(page).to_owned()
    }

    #[test]
    fn every_visible_subcommand_has_a_page_and_every_page_the_usual_sections() {
        fn count(cmd: &Command) -> usize {
            cmd.get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| 1 + count(s))
                .sum()
        }
        let pages = man_pages();
        // slate, slated and slatectl, then slatectl's subcommands.
        assert_eq!(pages.len(), 3 + count(&slatectl_command()));
        for page in &pages {
            let text = text(page);
            for section in [
                ".SH NAME",
                ".SH SYNOPSIS",
                ".SH DESCRIPTION",
                ".SH \"SEE ALSO\"",
            ] {
                assert!(text.contains(section), "{}: {section}", page.path.display());
            }
            assert!(text.contains(&format!("\"Slate {VERSION}\"")), "{text}");
            assert_eq!(text.matches(".ds Aq").count(), 2, "one preamble: {text}");
        }
        for name in [
            "slatectl-audit-list",
            "slatectl-user-add",
            "slatectl-kiosk-enable",
        ] {
            man_page(name);
        }
        assert!(!pages.iter().any(|p| text(p).contains(".TH SLATECTL-HELP")));
    }

    #[test]
    fn the_title_line_names_the_page_the_release_date_and_version() {
        assert_eq!(release_date(), "2026-11-21");
        let ctl = man_page("slatectl");
        assert!(
            ctl.contains(&format!(
                "\n.TH SLATECTL 1 2026-11-21 \"Slate {VERSION}\" \"Slate Manual\"\n"
            )),
            "{ctl}"
        );
    }

    #[test]
    fn the_top_pages_list_the_environment_the_exit_status_and_the_files() {
        let slate = man_page("slate");
        let ctl = man_page("slatectl");
        for page in [&slate, &ctl] {
            for (code, _) in slate_core::exit::MEANINGS {
                assert!(
                    page.contains(&format!(".TP\n\\fB{code}\\fR\n")),
                    "{code}: {page}"
                );
            }
            assert!(page.contains(".SH \"EXIT STATUS\""));
            assert!(page.contains("\\fBSLATE_DATA_DIR\\fR"));
            assert!(page.contains("\\fBSLATE_POLICY\\fR"));
            assert!(page.contains("/etc/slate/policy.toml"));
        }
        assert!(slate.contains("\\fBSLATE_LOG\\fR"));
        assert!(!ctl.contains("SLATE_LOG"), "slatectl does not read it");
        assert!(!slate.contains("automation"), "hidden options stay hidden");
        assert!(
            ctl.contains("slatectl\\-audit(1)"),
            "subcommands named: {ctl}"
        );
    }

    #[test]
    fn every_environment_variable_behind_an_option_is_listed() {
        fn envs(cmd: &Command, out: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                if let Some(env) = a.get_env() {
                    out.push(env.to_string_lossy().into_owned());
                }
            }
            for s in cmd.get_subcommands() {
                envs(s, out);
            }
        }
        for (cmd, listed) in [
            (slate_command(), slate_cli::ENVIRONMENT),
            (slated_cli::Args::command(), slated_cli::ENVIRONMENT),
            (slatectl_command(), slatectl::cli::ENVIRONMENT),
        ] {
            let mut found = Vec::new();
            envs(&cmd, &mut found);
            assert!(!found.is_empty());
            for env in found {
                assert!(
                    listed.iter().any(|(name, _)| *name == env),
                    "{env} is not in {}'s ENVIRONMENT",
                    cmd.get_name()
                );
            }
        }
    }

    #[test]
    fn the_config_pages_list_every_setting_and_the_audit_list_page_the_events() {
        let config = man_page("slatectl-config-set");
        for def in SETTINGS {
            assert!(
                config.contains(&format!("\\fB{}\\fR", def.key.replace('-', "\\-"))),
                "{}",
                def.key
            );
        }
        assert!(config.contains("default: 5m."), "{config}");
        let list = man_page("slatectl-audit-list");
        assert!(list.contains("sign_in_failed") && list.contains("bad_credentials"));
    }

    #[test]
    fn the_completions_know_the_subcommands_and_the_possible_values() {
        let files = completions();
        assert_eq!(files.len(), 3);
        for file in &files {
            let text = text(file);
            for word in ["audit", "kiosk", "sign_in_failed", "time_limit", "jsonl"] {
                assert!(text.contains(word), "{}: {word}", file.path.display());
            }
        }
    }

    /// What lintian runs on each page (`man --warnings`): no warning from groff, and a NAME line
    /// that `lexgrog` (whatis) can read. Skipped where man-db is not installed.
    #[test]
    fn man_renders_every_page_without_a_warning() {
        let tmp = std::env::temp_dir().join(format!("slate-docgen-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).unwrap();
        let mut checked = 0;
        for page in man_pages() {
            let path = tmp.join(page.path.file_name().unwrap());
            std::fs::write(&path, &page.bytes).unwrap();
            let Ok(out) = std::process::Command::new("man")
                .args(["--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z"])
                .arg(&path)
                .env("MANWIDTH", "80")
                .output()
            else {
                eprintln!("skipped: man is not installed");
                break;
            };
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && stderr.trim().is_empty(),
                "{}: {stderr}",
                page.path.display()
            );
            if let Ok(whatis) = std::process::Command::new("lexgrog").arg(&path).output() {
                assert!(
                    whatis.status.success(),
                    "{}: {}",
                    page.path.display(),
                    String::from_utf8_lossy(&whatis.stdout)
                );
            }
            checked += 1;
        }
        std::fs::remove_dir_all(&tmp).unwrap();
        eprintln!("{checked} pages rendered");
    }
}
