// The error screen: the page cannot reach Slate's core at all (shown once, at start).
import { el, mount } from "../dom.js";
import { forgetShown } from "../state.js";

export function showFatal(message: string): void {
  forgetShown();
  mount("error");
  el("error-message").textContent = message;
}
