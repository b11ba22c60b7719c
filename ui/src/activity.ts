// Activity reporting: real input (pointer, keys, touch, wheel, text input and IME composition)
// is reported to the core at most once a second. The UI never decides anything with it; if it
// stops reporting, the core's deadline still fires.

/** The events that count as someone using the terminal. */
export const ACTIVITY_EVENTS = [
  "pointermove",
  "pointerdown",
  "keydown",
  "touchstart",
  "wheel",
  "input",
  "compositionupdate",
] as const;

/**
 * Coalesces calls to at most one `send` per `intervalMs`: the first is sent at once, later ones
 * within the interval are folded into one sent when it ends.
 */
export class Coalescer {
  private last = Number.NEGATIVE_INFINITY;
  private pending = false;

  constructor(
    private readonly send: () => void,
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly later: (fn: () => void, ms: number) => void,
  ) {}

  report(): void {
    const t = this.now();
    if (t - this.last >= this.intervalMs) {
      this.last = t;
      this.send();
    } else if (!this.pending) {
      this.pending = true;
      this.later(() => {
        this.pending = false;
        this.last = this.now();
        this.send();
      }, this.last + this.intervalMs - t);
    }
  }
}

/** Listens on `target` and reports trusted input through `coalescer` while `enabled()` says so. */
export function watchActivity(target: EventTarget, coalescer: Coalescer, enabled: () => boolean): void {
  const onEvent = (ev: Event) => {
    if (ev.isTrusted && enabled()) coalescer.report();
  };
  for (const name of ACTIVITY_EVENTS) {
    target.addEventListener(name, onEvent, { capture: true, passive: true });
  }
}
