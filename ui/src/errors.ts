// Turning whatever a failed call threw into the IpcError shape the core promises.
import type { ErrorCode, IpcError } from "./bindings.js";

const CODES = [
  "storage",
  "invalid_input",
  "bad_credentials",
  "throttled",
  "locked",
  "disabled",
  "guests_not_allowed",
  "already_set_up",
  "not_found",
  "conflict",
  "refused",
  "session_state",
  "needs_attention",
  "internal",
] as const satisfies readonly ErrorCode[];

// Compile-time check that CODES lists every code the Rust side can send.
type Missing = Exclude<ErrorCode, (typeof CODES)[number]>;
const everyCodeListed: [Missing] extends [never] ? true : Missing = true;
void everyCodeListed;

function isIpcError(e: unknown): e is IpcError {
  if (typeof e !== "object" || e === null) return false;
  const r = e as Record<string, unknown>;
  return typeof r.message === "string" && (CODES as readonly unknown[]).includes(r.code);
}

/** The error as an IpcError; anything unexpected becomes `internal` with a plain sentence. */
export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) {
    const retry = typeof e.retry_after_secs === "number" ? e.retry_after_secs : null;
    return { code: e.code, message: e.message, retry_after_secs: retry };
  }
  if (typeof e === "string" && e.trim() !== "") {
    return { code: "internal", message: e, retry_after_secs: null };
  }
  return {
    code: "internal",
    message: "Something went wrong inside Slate. Please tell staff.",
    retry_after_secs: null,
  };
}
