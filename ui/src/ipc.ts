// The one door to the core: typed calls to Slate's commands. Errors always arrive as an
// IpcError (a stable code plus a sentence), whatever went wrong underneath.
import type { AppStatus, IpcError, SetupRequest, SignInRequest } from "./bindings.js";
import { toIpcError } from "./errors.js";

interface TauriGlobal {
  core: { invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> };
}

declare global {
  interface Window {
    __TAURI__?: TauriGlobal;
  }
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  const tauri = window.__TAURI__;
  if (!tauri) {
    const unreachable: IpcError = {
      code: "internal",
      message: "Slate's core is not reachable from this page.",
      retry_after_secs: null,
    };
    throw unreachable;
  }
  try {
    return await tauri.core.invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

export const commands = {
  appStatus: (): Promise<AppStatus> => call<AppStatus>("app_status"),
  createFirstAdmin: (request: SetupRequest): Promise<AppStatus> =>
    call<AppStatus>("create_first_admin", { request }),
  signIn: (request: SignInRequest): Promise<AppStatus> => call<AppStatus>("sign_in", { request }),
  signInGuest: (): Promise<AppStatus> => call<AppStatus>("sign_in_guest"),
  signOut: (): Promise<AppStatus> => call<AppStatus>("sign_out"),
};
