// Generated from the Rust types in src-tauri/src/core/api.rs by `make bindings`.
// Do not edit: a test fails when this file and the Rust types differ.

export type Screen = "first_run" | "sign_in";

export type AppStatus = { 
/**
 * Slate's version, shown in the corner of the sign-in screen.
 */
version: string, 
/**
 * The screen to show.
 */
screen: Screen, };

export type ErrorCode = "storage" | "internal";

export type IpcError = { code: ErrorCode, message: string, };
