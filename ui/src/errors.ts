// Turning whatever a failed call threw into the IpcError shape the core promises.
import type { ErrorCode, IpcError } from "./bindings.js";

const CODES: readonly ErrorCode[] = ["storage", "internal"];

function isIpcError(e: unknown): e is IpcError {
  if (typeof e !== "object" || e === null) return false;
  const r = e as Record<string, unknown>;
  return typeof r.message === "string" && CODES.includes(r.code as ErrorCode);
}

/** The error as an IpcError; anything unexpected becomes `internal` with a plain sentence. */
export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return e;
  if (typeof e === "string" && e.trim() !== "") return { code: "internal", message: e };
  return { code: "internal", message: "Something went wrong inside Slate. Please tell staff." };
}
