// The session's browser bar: Back, Forward, Reload, Home, the address (read-only) and My files,
// drawn from what the shell announces ("slate://browser"). The browsing view itself is a
// separate WebKit view that the shell places below this bar; this page tells it where the bar
// ends, and hides it while Slate's own page needs the whole window (a dialog, My files, the
// refusal page). Pages in the browsing view cannot reach Slate's commands.
import type {
  BrowserPlan,
  BrowserRequest,
  BrowserState,
  DownloadNotice,
  PrintOutcome,
  SessionFile,
} from "../bindings.js";
import { appRoot, el, make, rowButton } from "../dom.js";
import { commands } from "../ipc.js";
import { errorText, toIpcError } from "../errors.js";
import { megabytes } from "../format.js";
import { t } from "../i18n.js";
import {
  browserLayoutSent,
  browserStateChanged,
  clearBrowser,
  enterBrowser,
  state,
  toggleBrowserFiles,
} from "../state.js";

function ask(request: BrowserRequest): void {
  commands.browser(request).catch((e: unknown) => {
    el("session-problem").textContent = errorText(toIpcError(e));
  });
}

/** Turns the session screen just drawn into the browsing layout. `onFiles` refreshes My files. */
export function wireBrowser(plan: BrowserPlan, onFiles: () => void): void {
  leaveBrowser();
  const card = document.querySelector<HTMLElement>("section.card");
  if (!card) return;
  document.documentElement.classList.add("browsing");
  card.classList.add("browsing");
  // Larger text, high contrast and Sign out on the first row, in reading and focus order too.
  card.insertBefore(el("session-prefs"), el("time-warning"));
  card.insertBefore(el("signout-button"), el("time-warning"));
  el("browser-bar").hidden = false;
  el("browser-area").hidden = false;
  el("user-area").hidden = true;
  el("refused-text").textContent = t("This terminal only opens these sites: {sites}.", {
    sites: plan.sites.join(", "),
  });
  el<HTMLButtonElement>("browser-home").disabled = plan.home === "";
  el<HTMLButtonElement>("refused-home").disabled = plan.home === "";
  const buttons: [string, BrowserRequest][] = [
    ["browser-back", { action: "back" }],
    ["browser-forward", { action: "forward" }],
    ["browser-reload", { action: "reload" }],
    ["browser-home", { action: "home" }],
    ["refused-back", { action: "dismiss" }],
    ["refused-home", { action: "home" }],
  ];
  for (const [id, request] of buttons) el(id).addEventListener("click", () => ask(request));
  el("browser-files").addEventListener("click", () => {
    if (!state.browser) return;
    const open = toggleBrowserFiles();
    el("browser-files").setAttribute("aria-expanded", String(open));
    el("user-area").hidden = !open;
    if (open) onFiles();
  });
  wireUpload();
  // Tab past the end of the bar goes into the page. (Tab past the end of the page comes back to
  // this page, where the engine puts the focus back on My files; Shift+Tab reaches the rest.)
  const tabbable = () =>
    [...card.querySelectorAll<HTMLElement>("button, select, input, [tabindex]")].filter(
      (e) => !(e as HTMLButtonElement).disabled && e.offsetParent !== null && e.tabIndex >= 0,
    );
  card.addEventListener("keydown", (ev) => {
    if (ev.key !== "Tab" || ev.shiftKey || pageNeedsWindow()) return;
    const all = tabbable();
    if (document.activeElement === all[all.length - 1]) {
      ev.preventDefault();
      ask({ action: "focus" });
    }
  });
  // Where the view goes follows the page: its size, dialogs opening and closing, panels shown.
  const resize = new ResizeObserver(() => sendLayout());
  resize.observe(card);
  const changes = new MutationObserver(() => sendLayout());
  changes.observe(appRoot(), {
    subtree: true,
    attributes: true,
    attributeFilter: ["open", "hidden"],
  });
  enterBrowser({
    plan,
    state: {
      address: "",
      title: "",
      can_go_back: false,
      can_go_forward: false,
      refused: null,
      download: null,
      print: null,
      upload: false,
    },
    filesOpen: false,
    sent: "",
    observers: [resize, changes],
    onFiles,
  });
  drawState();
  sendLayout();
}

/** Leaves the browsing layout (the session ended, or it has no browser). */
export function leaveBrowser(): void {
  document.documentElement.classList.remove("browsing", "view-shown");
  const left = clearBrowser();
  if (!left) return;
  for (const o of left.observers) o.disconnect();
}

/** Whether Slate's page must have the whole window now. */
function pageNeedsWindow(): boolean {
  const bar = state.browser;
  if (!bar) return true;
  const dialogOpen = [...document.querySelectorAll("dialog")].some((d) => d.open);
  return dialogOpen || bar.filesOpen || bar.state.refused !== null;
}

function sendLayout(): void {
  if (!state.browser) return;
  const area = el("browser-area");
  const shown = !pageNeedsWindow();
  const top = Math.max(1, Math.round(area.getBoundingClientRect().bottom));
  const key = `${top}:${shown}`;
  if (key === state.browser.sent) return;
  browserLayoutSent(key);
  // While the view is shown, Slate's page is only the bar: nothing to scroll.
  document.documentElement.classList.toggle("view-shown", shown);
  commands.browser({ action: "layout", top, shown }).catch(() => {
    browserLayoutSent(""); // try again at the next change
  });
}

/** A new state from the shell. */
export function browserChanged(next: BrowserState): void {
  const bar = state.browser;
  if (!bar) return;
  const before = bar.state;
  browserStateChanged(next);
  if (next.download && next.download.serial !== before.download?.serial) {
    el("browser-notice").textContent = downloadText(next.download);
    bar.onFiles();
  }
  if (next.print && next.print.serial !== before.print?.serial) {
    el("browser-notice").textContent = printText(next.print.outcome);
  }
  if (next.upload && !before.upload) void openUpload();
  drawState();
  sendLayout();
}

/** What the notice says of a download's end. */
export function downloadText(d: DownloadNotice): string {
  const name = d.name;
  switch (d.outcome.kind) {
    case "done":
      return t("Downloaded {name} into My files.", { name });
    case "failed":
      return t("The download of {name} failed.", { name });
    case "over_quota":
      return t("{name} was not downloaded: a session may download {size} in all.", {
        name,
        size: megabytes(Number(d.outcome.quota_mb)),
      });
    case "low_space":
      return t("{name} was not downloaded: this terminal is running out of space.", { name });
  }
}

/** What the notice says when a page asked to print. */
export function printText(outcome: PrintOutcome): string {
  switch (outcome) {
    case "off":
      return t("Printing is off at this terminal.");
    case "sent":
      return t("Sent the page to the printer.");
    case "failed":
      return t("The page could not be printed.");
  }
}

function drawState(): void {
  if (!state.browser) return;
  const s = state.browser.state;
  const address = el("browser-address");
  if (address.textContent !== s.address) address.textContent = s.address;
  address.title = s.title;
  el<HTMLButtonElement>("browser-back").disabled = !s.can_go_back;
  el<HTMLButtonElement>("browser-forward").disabled = !s.can_go_forward;
  const refused = el("browser-refused");
  refused.hidden = s.refused === null;
  el("refused-address").textContent = s.refused === null ? "" : t("Address: {address}", { address: s.refused });
}

function wireUpload(): void {
  const dialog = el<HTMLDialogElement>("upload-dialog");
  el("upload-cancel").addEventListener("click", () => dialog.close());
  // However it closes without a choice (Cancel, Escape), the page gets no file.
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "chosen") ask({ action: "upload", name: null });
    dialog.returnValue = "";
  });
}

async function openUpload(): Promise<void> {
  const dialog = el<HTMLDialogElement>("upload-dialog");
  let files: SessionFile[] = [];
  try {
    files = (await commands.listFiles()).filter((f) => !f.folder);
  } catch {
    // Not in a session any more.
  }
  el("upload-list").replaceChildren(
    ...files.map((f) => {
      const item = make("li");
      const choose = rowButton(t("Upload"), t("Upload {name}", { name: f.name }), () => {
        ask({ action: "upload", name: f.name });
        dialog.close("chosen");
      });
      item.append(make("span", {}, f.name), choose);
      return item;
    }),
  );
  el("upload-empty").hidden = files.length > 0;
  if (!dialog.open) dialog.showModal();
  el("upload-cancel").focus();
}
