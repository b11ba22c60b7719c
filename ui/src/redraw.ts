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

/** The longest a button rests after "try again in …". */
export const MAX_BUTTON_REST_SECS = 5;

/** Runs a command from a button and draws its answer: the button is disabled while it runs;
 * errors land in `problem` (after a refusal for too many tries, the button rests for the wait,
 * at most `MAX_BUTTON_REST_SECS`). */
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
    // The service enforces every wait; the button only rests for a short one. A long wait is
    // one name's cool-down, and must not keep the next person, with another name, from
    // signing in at this terminal.
    const wait = e.code === "throttled" ? Math.min(e.retry_after_secs ?? 1, MAX_BUTTON_REST_SECS) : 0;
    window.setTimeout(() => {
      button.disabled = false;
    }, wait * 1000);
  }
}
