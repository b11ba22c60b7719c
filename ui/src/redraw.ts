// How a screen hands a new status back to be drawn: the dispatcher (draw.ts, which imports every
// screen) registers itself here, so the screens depend on this small module and not on it. Also
// `submit`, which runs a screen's command and draws its answer.
import type { AppStatus, IpcError } from "./bindings.js";
import { errorText, toIpcError } from "./errors.js";

let drawer: ((status: AppStatus, notice?: string) => void) | null = null;

/** Called once by the dispatcher. */
export function setDrawer(draw: (status: AppStatus, notice?: string) => void): void {
  drawer = draw;
}

/** Draws `status` (with a notice on the sign-in screen, if any). */
export function redraw(status: AppStatus, notice = ""): void {
  drawer?.(status, notice);
}

/** Runs a command from a button and draws its answer: the button is disabled while it runs;
 * errors land in `problem` (after a refusal for too many tries, the button waits as told). */
export async function submit(
  button: HTMLButtonElement,
  problem: HTMLElement,
  action: () => Promise<AppStatus>,
  onError?: (e: IpcError) => void,
): Promise<void> {
  button.disabled = true;
  problem.textContent = "";
  try {
    redraw(await action());
  } catch (raw) {
    const e = toIpcError(raw);
    problem.textContent = errorText(e);
    onError?.(e);
    const wait = e.code === "throttled" ? (e.retry_after_secs ?? 1) : 0;
    window.setTimeout(() => {
      button.disabled = false;
    }, wait * 1000);
  }
}
