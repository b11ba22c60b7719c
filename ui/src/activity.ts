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

/**
 * Whether a pointer move is a real move: engines may send moves with an unchanged position
 * (after layout or scrolling under a resting pointer), and a pointer left on the screen must not
 * keep a session alive.
 */
export class MoveFilter {
  private last: { x: number; y: number } | null = null;

  moved(x: number, y: number): boolean {
    const moved = this.last === null || this.last.x !== x || this.last.y !== y;
    this.last = { x, y };
    return moved;
  }
}

/** Listens on `target` and reports trusted input through `coalescer` while `enabled()` says so. */
export function watchActivity(target: EventTarget, coalescer: Coalescer, enabled: () => boolean): void {
  const moves = new MoveFilter();
  const onEvent = (ev: Event) => {
    if (!ev.isTrusted || !enabled()) return;
    if (ev.type === "pointermove") {
      const p = ev as PointerEvent;
      if (!moves.moved(p.screenX, p.screenY)) return;
    }
    coalescer.report();
  };
  for (const name of ACTIVITY_EVENTS) {
    target.addEventListener(name, onEvent, { capture: true, passive: true });
  }
}
