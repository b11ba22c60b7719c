//! Slate's kiosk app: the thin Tauri shell around the core.
//!
//! The core ([`slate_core`], its own crate with no Tauri in its dependencies) is the session
//! manager; this crate hosts the UI, turns its invocations into calls on the core, runs the wipe
//! surfaces only a window can reach, and draws nothing of its own.

pub mod cli;
pub mod shell;
