// The one door to the core: typed calls to Slate's commands. Errors always arrive as an
// IpcError (a stable code plus a sentence), whatever went wrong underneath.
import type { AppStatus, IpcError } from "./bindings.js";
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
    throw { code: "internal", message: "Slate's core is not reachable from this page." } satisfies IpcError;
  }
  try {
    return await tauri.core.invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

export const commands = {
  appStatus: (): Promise<AppStatus> => call<AppStatus>("app_status"),
};
