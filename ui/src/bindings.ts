// Generated from the Rust types in src-tauri/src/core/api.rs by `make bindings`.
// Do not edit: a test fails when this file and the Rust types differ.

export type Screen = { "kind": "first_run" } | { "kind": "sign_in", 
/**
 * Whether to offer "Continue as guest".
 */
guests_allowed: boolean, } | { "kind": "session", display_name: string, account: SessionKind, 
/**
 * Set while the idle warning shows: the modal countdown.
 */
idle_warning: IdleWarning | null, 
/**
 * Whole seconds left before the time limit; `None` without one.
 */
time_left_secs: number | null, 
/**
 * The time-limit warning most recently passed (seconds before the end), if any.
 */
time_warning_secs: number | null, 
/**
 * The session's display preferences (wiped with the session).
 */
preferences: Preferences, } | { "kind": "ending" } | { "kind": "signed_out", reason: EndReason, 
/**
 * The reason in plain words.
 */
reason_text: string, 
/**
 * Whether every surface of the session was wiped and re-checked empty.
 */
erased: boolean, 
/**
 * The administrator's line (may be empty).
 */
message: string, } | { "kind": "needs_attention", message: string, };

export type IdleWarning = { 
/**
 * Whole seconds until the session ends, rounded up.
 */
seconds_left: number, };

export type Preferences = { 
/**
 * "normal" or "large".
 */
text_size: string, 
/**
 * "normal" or "high".
 */
contrast: string, };

export type SessionFile = { name: string, size: bigint, folder: boolean, };

export type PreferenceRequest = { key: string, value: string, };

export type EndReason = "user" | "idle" | "time_limit" | "admin" | "shutdown" | "recovered";

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

export type ErrorCode = "storage" | "invalid_input" | "bad_credentials" | "throttled" | "locked" | "disabled" | "guests_not_allowed" | "already_set_up" | "not_found" | "conflict" | "refused" | "session_state" | "needs_attention" | "internal";

export type IpcError = { code: ErrorCode, message: string, 
/**
 * For `throttled`: whole seconds until the next attempt will be considered.
 */
retry_after_secs: number | null, };
