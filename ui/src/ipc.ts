// The one door to the core: typed calls to Slate's commands (their names come from the core's
// list, in bindings.ts, so a name the core does not have is a compile error). Errors always arrive as an
// IpcError (a stable code plus a sentence), whatever went wrong underneath.
import type {
  AdminReply,
  AdminRequest,
  AppStatus,
  BrowserRequest,
  BrowserState,
  Command,
  SessionFile,
  SetupRequest,
  SignInRequest,
} from "./bindings.js";
import { BROWSER_EVENT, STATUS_EVENT } from "./bindings.js";
import { toIpcError } from "./errors.js";

interface TauriGlobal {
  core: { invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> };
  event: {
    listen<T>(event: string, handler: (e: { payload: T }) => void): Promise<() => void>;
  };
}

declare global {
  interface Window {
    __TAURI__?: TauriGlobal;
  }
}

async function call<T>(cmd: Command, args?: Record<string, unknown>): Promise<T> {
  const tauri = window.__TAURI__;
  if (!tauri) {
    throw toIpcError("Slate's core is not reachable from this page.");
  }
  try {
    return await tauri.core.invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

/** Calls `draw` with every status the core announces. */
export async function onStatus(draw: (status: AppStatus) => void): Promise<void> {
  const tauri = window.__TAURI__;
  if (!tauri) throw toIpcError("Slate's core is not reachable from this page.");
  await tauri.event.listen<AppStatus>(STATUS_EVENT, (e) => draw(e.payload));
}

/** Calls `changed` with every state of the session's browser the shell announces. */
export async function onBrowser(changed: (state: BrowserState) => void): Promise<void> {
  const tauri = window.__TAURI__;
  if (!tauri) throw toIpcError("Slate's core is not reachable from this page.");
  await tauri.event.listen<BrowserState>(BROWSER_EVENT, (e) => changed(e.payload));
}

export const commands = {
  appStatus: (): Promise<AppStatus> => call<AppStatus>("app_status"),
  createFirstAdmin: (request: SetupRequest): Promise<AppStatus> =>
    call<AppStatus>("create_first_admin", { request }),
  signIn: (request: SignInRequest): Promise<AppStatus> => call<AppStatus>("sign_in", { request }),
  signInGuest: (): Promise<AppStatus> => call<AppStatus>("sign_in_guest"),
  signInPass: (code: string): Promise<AppStatus> => call<AppStatus>("sign_in_pass", { request: { code } }),
  reportActivity: (): Promise<void> => call<void>("report_activity"),
  stay: (): Promise<AppStatus> => call<AppStatus>("stay"),
  extendSession: (): Promise<AppStatus> => call<AppStatus>("extend_session"),
  answerAcceptableUse: (accept: boolean, language: string | null): Promise<AppStatus> =>
    call<AppStatus>("answer_acceptable_use", { accept, language }),
  signOut: (): Promise<AppStatus> => call<AppStatus>("sign_out"),
  dismissSignedOut: (): Promise<AppStatus> => call<AppStatus>("dismiss_signed_out"),
  listFiles: (): Promise<SessionFile[]> => call<SessionFile[]>("list_files"),
  deleteFile: (name: string): Promise<SessionFile[]> => call<SessionFile[]>("delete_file", { name }),
  setPreference: (key: string, value: string): Promise<AppStatus> =>
    call<AppStatus>("set_preference", { request: { key, value } }),
  admin: (request: AdminRequest): Promise<AdminReply> => call<AdminReply>("admin", { request }),
  browser: (request: BrowserRequest): Promise<void> => call<void>("browser", { request }),
};
