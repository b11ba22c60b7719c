// Turning whatever a failed call threw into the IpcError shape the core promises.
import type { ErrorCode, IpcError, Phrase } from "./bindings.js";
import { catalogue, language, t } from "./i18n.js";
import { say, spokenDuration } from "./format.js";

const CODES = [
  "storage",
  "invalid_input",
  "bad_credentials",
  "throttled",
  "source_unavailable",
  "locked",
  "disabled",
  "guests_not_allowed",
  "not_now",
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

const INTERNAL = "Something went wrong inside Slate. Please tell staff.";

/** For each code, the sentence shown in other languages when the core's own sentence has names
 * or figures in it (the catalogue cannot hold every one). */
const BY_CODE: Record<ErrorCode, string> = {
  storage: "Slate cannot read or write its data. Please tell staff.",
  invalid_input: "What was entered is not accepted.",
  bad_credentials: "Wrong username or password.",
  throttled: "Too many attempts. Try again in {wait}.",
  source_unavailable: "Sign-in is not available right now; please ask staff.",
  locked: "This account is locked after too many failed sign-ins. Ask a member of staff to unlock it.",
  disabled: "This account is disabled. Ask a member of staff.",
  guests_not_allowed: "Guest sign-in is not available on this kiosk.",
  not_now: "This terminal cannot be used now. Please ask staff.",
  already_set_up: "This kiosk is already set up; sign in instead.",
  not_found: "There is no such user.",
  conflict: "There is already a user with that name.",
  refused: "That is not allowed.",
  session_state: "Nobody is signed in.",
  needs_attention: "This terminal needs attention. Ask a member of staff.",
  internal: INTERNAL,
};

/**
 * What to show for an error, in the current language: the core's phrase where the catalogue has
 * it (its pieces formatted for the language); a throttle said from its wait; otherwise, in
 * English the core's own sentence and in other languages the sentence of its code, followed by
 * the core's detail (a library's or the system's own words, which no catalogue holds).
 */
export function errorText(e: IpcError): string {
  if (e.code === "throttled" && e.retry_after_secs !== null) {
    return t(BY_CODE.throttled, { wait: spokenDuration(e.retry_after_secs) });
  }
  if (language() === "en" || e.phrase.text in catalogue(language())) return say(e.phrase);
  return `${t(BY_CODE[e.code])} (${e.message})`;
}

function plain(text: string): Phrase {
  return { text, args: {} };
}

function isIpcError(e: unknown): e is IpcError {
  if (typeof e !== "object" || e === null) return false;
  const r = e as Record<string, unknown>;
  return typeof r.message === "string" && (CODES as readonly unknown[]).includes(r.code);
}

function isPhrase(p: unknown): p is Phrase {
  if (typeof p !== "object" || p === null) return false;
  const r = p as Record<string, unknown>;
  return typeof r.text === "string" && typeof r.args === "object" && r.args !== null;
}

/** The error as an IpcError; anything unexpected becomes `internal` with a plain sentence. */
export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) {
    const retry = typeof e.retry_after_secs === "number" ? e.retry_after_secs : null;
    const phrase = isPhrase(e.phrase) ? e.phrase : plain(e.message);
    return { code: e.code, message: e.message, phrase, retry_after_secs: retry };
  }
  if (typeof e === "string" && e.trim() !== "") {
    return { code: "internal", message: e, phrase: plain(e), retry_after_secs: null };
  }
  return {
    code: "internal",
    message: INTERNAL,
    phrase: plain(INTERNAL),
    retry_after_secs: null,
  };
}
