//! `slatectl policy check [FILE]`: checks policy files before they are deployed, by the same
//! rules the kiosk reads them with. It opens no database and needs no data folder or root, and
//! creates nothing.

use std::path::PathBuf;

use slate_core::policy::{Policy, PolicySource};

use crate::cli::PolicyCommand;
use crate::output::{self, Failure};

/// `policy` is the global `--policy` option (or `SLATE_POLICY`).
pub fn run(cmd: PolicyCommand, policy: Option<PathBuf>, json: bool) -> Result<(), Failure> {
    match cmd {
        // One file alone: a main file or a single drop-in.
        PolicyCommand::Check { file: Some(file) } => output::policy_check(
            json,
            &file.display().to_string(),
            &Policy::check_file(&file),
        ),
        // What the kiosk would read: the main file, then its drop-ins.
        PolicyCommand::Check { file: None } => {
            let source = PolicySource::choose(policy);
            let what = match source.drop_in_dir() {
                Some(dir) => format!("{} and {}/*.toml", source.path.display(), dir.display()),
                None => source.path.display().to_string(),
            };
            output::policy_check(json, &what, &Policy::load(&source))
        }
    }
}
