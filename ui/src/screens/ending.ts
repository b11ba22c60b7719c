// The "Signing out…" screen, shown while the core ends a session and wipes it. It has nothing
// to wire: the core moves on to the signed-out screen when the wipe is done.
import { mount } from "../dom.js";

export function drawEnding(): void {
  mount("ending");
}
