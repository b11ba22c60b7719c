// Entry point: locks the page down, watches for activity, and wires the core's status (the event
// "slate://status", and the first status asked for) to the dispatcher `draw`, which draws the
// screen it names. The UI never decides that a session ends.
import { Coalescer, watchActivity } from "./activity.js";
import { draw } from "./draw.js";
import { errorText, toIpcError } from "./errors.js";
import { commands, onBrowser, onStatus } from "./ipc.js";
import { lockDown } from "./lockdown.js";
import { browserChanged } from "./screens/browser.js";
import { showFatal } from "./screens/error.js";
import { dismissOnAnyKey } from "./screens/signed-out.js";
import { state } from "./state.js";

// The signed-out screen: any key or tap goes straight to the sign-in screen.
dismissOnAnyKey(document);

// Activity in a session, at most one report a second.
const reporter = new Coalescer(
  () => void commands.reportActivity().catch(() => undefined),
  1000,
  () => performance.now(),
  (fn, ms) => window.setTimeout(fn, ms),
);
watchActivity(document, reporter, () => state.shown?.kind === "session");

lockDown(document);

async function start(): Promise<void> {
  try {
    await onStatus((status) => draw(status));
    await onBrowser(browserChanged);
    draw(await commands.appStatus());
  } catch (e) {
    showFatal(errorText(toIpcError(e)));
  }
}

void start();
