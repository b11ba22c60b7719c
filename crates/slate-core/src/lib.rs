//! Slate's core: everything Slate decides. This crate has no Tauri, `WebKit` or GTK in its
//! dependencies, so the kiosk app, the administrator CLI, the tests and the benchmarks all use
//! exactly the same code, and the administrator CLI builds without a window system.
//!
//! - [`datadir`] finds and prepares the data folder (0700) and refuses one that cannot be used.
//! - [`store`] owns the SQLite database and every SQL statement: pragmas, migrations, integrity
//!   check, and one submodule per table; the rest of the core calls its domain operations.
//! - [`auth`] checks usernames and passwords, hashes with Argon2id, computes throttling waits.
//! - [`sources`] asks directories (LDAP) and library catalogue systems (SIP2) about a name and a
//!   password.
//! - [`accounts`] and [`settings`] say what accounts and settings are (the store keeps them);
//!   [`policy`] reads the policy file, the top settings layer; [`clock`] is time (real or fake).
//! - [`sites`] holds the browser's site rules (`allowed_sites`, the home page).
//! - [`my_files`] holds the rules of a session's folder (plain names, downloads, uploads);
//!   [`watch`] is told by the kernel when a folder changes (My files, the settings' sources).
//! - [`wipe`] erases every per-session surface and proves it with a receipt.
//! - [`audit`] is the tamper-evident log (HMAC chain, verify, anchor).
//! - [`phrase`] is a sentence with its pieces, for the UI to say in the person's language.
//! - [`api`] holds the types that cross the IPC boundary, with their TypeScript twins;
//!   [`ipc_names`] the names of the commands and events, listed once.
//! - [`admin`] answers the administrator panel's requests (the session manager decides who may).
//! - [`status`] reads the terminal at a glance, for `slatectl status` and the panel alike.
//! - [`kiosk`] is the facade the shell and the CLI talk to: accounts, settings, records.
//! - [`session`] is the session manager, the one owner of session state; [`records`] keeps its
//!   rows.

pub mod accounts;
pub mod admin;
pub mod api;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod datadir;
pub mod duration;
pub mod exit;
pub mod forward;
pub mod guest_pass;
pub mod hardening;
pub mod hours;
pub mod io_words;
pub mod ipc_names;
pub mod journal;
pub mod kiosk;
pub mod local_accounts;
pub mod my_files;
pub mod notice;
pub mod phrase;
pub mod policy;
pub mod records;
pub mod room;
pub mod session;
pub mod settings;
pub mod sites;
pub mod sources;
pub mod status;
pub mod store;
pub mod store_error;
#[cfg(any(test, feature = "test-util"))]
pub mod test_util;
pub mod usage;
pub mod watch;
pub mod wipe;
pub mod wire;

pub use kiosk::Kiosk;
