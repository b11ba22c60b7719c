//! The core: everything Slate decides, with no Tauri import below this module.
//!
//! - [`datadir`] finds and prepares the data folder (0700) and refuses one that cannot be used.
//! - [`store`] owns the SQLite database: pragmas, migrations, integrity check.
//! - [`api`] holds the types that cross the IPC boundary, with their TypeScript twins.
//! - [`kiosk`] is the facade the shell and the CLI talk to.

pub mod api;
pub mod datadir;
pub mod kiosk;
pub mod store;

pub use kiosk::Kiosk;
