// The dispatcher: draws the screen the core's status names, choosing the screen's module. (The
// screens hand statuses back through redraw.ts, so they need not import this module.) The core announces every change on
// the "slate://status" event; commands answer with the new status too, so the UI is never
// behind. The UI never decides that a session ends.
import type { AppStatus, Screen } from "./bindings.js";
import { applyPreferences, el } from "./dom.js";
import { isLanguage, language, setLanguage, t, translateTree } from "./i18n.js";
import { setDrawer } from "./redraw.js";
import { forgetShown, showing, state, statusArrived } from "./state.js";
import { leaveBrowser } from "./screens/browser.js";
import { drawAcceptableUse } from "./screens/acceptable-use.js";
import { drawEnding } from "./screens/ending.js";
import { drawNeedsAttention } from "./screens/needs-attention.js";
import { drawSession, updateSession } from "./screens/session.js";
import { drawSetup } from "./screens/setup.js";
import { drawSignIn } from "./screens/signin.js";
import { drawSignedOut } from "./screens/signed-out.js";

/** Whether `next` is the same screen as the one shown (so it is updated, not rebuilt). */
function sameScreen(a: Screen | null, b: Screen): boolean {
  if (!a || a.kind !== b.kind) return false;
  if (a.kind === "session" && b.kind === "session") {
    return a.display_name === b.display_name && a.account === b.account;
  }
  // Any other screen is the same when nothing in it differs: redrawing it would lose what the
  // person is typing, or a notice shown on it.
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Draws `status`: the screen it names (updated in place when it is the one on show). */
export function draw(status: AppStatus, notice = ""): void {
  statusArrived(status);
  const wanted = state.visit.language ?? (isLanguage(status.language) ? status.language : "en");
  if (wanted !== language()) {
    setLanguage(wanted);
    translateTree(document.body);
    forgetShown(); // redraw the screen in the new language
  }
  el("version").textContent = t("Slate {version}", { version: status.version });
  const screen = status.screen;
  const before = state.shown;
  if (sameScreen(before, screen)) {
    showing(screen);
    if (screen.kind === "session" && before?.kind === "session") updateSession(screen, before);
    return;
  }
  showing(screen);
  if (screen.kind !== "session") {
    applyPreferences(state.visit.textSize, state.visit.contrast);
    leaveBrowser();
  }
  switch (screen.kind) {
    case "first_run":
      drawSetup();
      break;
    case "sign_in":
      drawSignIn(screen.guests_allowed, screen.passes, notice);
      break;
    case "acceptable_use":
      drawAcceptableUse(screen);
      break;
    case "session":
      drawSession(screen);
      break;
    case "ending":
      drawEnding();
      break;
    case "signed_out":
      drawSignedOut(screen);
      break;
    case "needs_attention":
      drawNeedsAttention(screen);
      break;
  }
  // A performance mark when the frame showing the new screen is drawn: the end-to-end timing
  // harness reads it (cold start to the sign-in screen). It holds nothing of the person.
  const kind = screen.kind;
  requestAnimationFrame(() => performance.mark(`slate:shown:${kind}`));
}

setDrawer(draw);
