//! Where Slate's programs log (the service and the screen alike): the installed ones to the
//! systemd journal where it runs, as `slate` (`journalctl -t slate`), each line with the
//! journal's priority for its level; anything else (a build run from a checkout, a machine
//! without journald) to stderr. `SLATE_LOG` says how much (`error`, `warn`, `info` (the
//! default), `debug`). Nothing secret is ever logged, and an address only by its origin.

use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::EnvFilter;

/// The journal's `SYSLOG_IDENTIFIER` for every Slate program (`_COMM` tells them apart).
pub const JOURNAL_IDENTIFIER: &str = "slate";

/// Where the logs went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    Journal,
    Stderr,
}

fn filter() -> EnvFilter {
    EnvFilter::try_from_env("SLATE_LOG").unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Starts logging for this process (once; later calls do nothing), and says where to.
pub fn init() -> Sink {
    if slate_core::hardening::installed() {
        // Fails when no journald listens (its socket is missing, or nobody is behind it).
        if let Ok(journal) = tracing_journald::layer() {
            let journal = journal.with_syslog_identifier(JOURNAL_IDENTIFIER.to_owned());
            if tracing_subscriber::registry()
                .with(filter())
                .with(journal)
                .try_init()
                .is_ok()
            {
                return Sink::Journal;
            }
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    Sink::Stderr
}
