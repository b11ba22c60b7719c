// Generated from the Rust types in src-tauri/src/core/api.rs by `make bindings`.
// Do not edit: a test fails when this file and the Rust types differ.

export type Screen = { "kind": "first_run" } | { "kind": "sign_in", 
/**
 * Whether to offer "Continue as guest".
 */
guests_allowed: boolean, } | { "kind": "session", display_name: string, account: SessionKind, };

export type SessionKind = "user" | "admin" | "guest";

export type AppStatus = { 
/**
 * Slate's version, shown in the corner of the screen.
 */
version: string, 
/**
 * The screen to show.
 */
screen: Screen, };

export type SetupRequest = { username: string, displayName: string, password: string, };

export type SignInRequest = { username: string, password: string, };

export type ErrorCode = "storage" | "invalid_input" | "bad_credentials" | "throttled" | "locked" | "disabled" | "guests_not_allowed" | "already_set_up" | "not_found" | "conflict" | "refused" | "session_state" | "internal";

export type IpcError = { code: ErrorCode, message: string, 
/**
 * For `throttled`: whole seconds until the next attempt will be considered.
 */
retry_after_secs: number | null, };
