// The "needs attention" screen: the terminal cannot serve anyone (the core says why) until an
// administrator has looked at it.
import type { Screen } from "../bindings.js";
import { el, mount } from "../dom.js";
import { say } from "../format.js";

export function drawNeedsAttention(screen: Extract<Screen, { kind: "needs_attention" }>): void {
  mount("needs_attention");
  el("attention-message").textContent = say(screen.phrase);
}
