//! Slate, a kiosk session manager for shared public machines.
//!
//! The crate has two halves. [`core`] is the session manager: plain Rust and tokio, no Tauri, so
//! the administrator CLI, the tests and the benchmarks use exactly the code the kiosk runs.
//! [`shell`] is the thin Tauri layer that hosts the UI, turns its invocations into calls on the
//! core and draws nothing of its own.

pub mod cli;
pub mod core;
pub mod shell;
