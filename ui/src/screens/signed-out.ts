// The signed-out screen: why the session ended and that its files are gone; any key or tap goes
// straight on to the sign-in screen.
import type { Screen } from "../bindings.js";
import { el, mount } from "../dom.js";
import { redraw } from "../redraw.js";
import { say } from "../format.js";
import { commands } from "../ipc.js";
import { state } from "../state.js";

type SignedOutScreen = Extract<Screen, { kind: "signed_out" }>;

export function drawSignedOut(screen: SignedOutScreen): void {
  mount("signed_out");
  el("signedout-reason").textContent = say(screen.why);
  el("signedout-erased").hidden = !screen.erased;
  el("signedout-message").textContent = screen.message;
}

/** While the signed-out screen is shown, any key or tap (by the person) dismisses it. */
export function dismissOnAnyKey(doc: Document): void {
  for (const name of ["keydown", "pointerdown"] as const) {
    doc.addEventListener(name, (ev) => {
      if (state.shown?.kind === "signed_out" && ev.isTrusted) {
        ev.preventDefault();
        void commands.dismissSignedOut().then((s) => redraw(s), () => undefined);
      }
    });
  }
}
