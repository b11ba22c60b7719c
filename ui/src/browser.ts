// The session's browser bar: Back, Forward, Reload, Home, the address (read-only) and My files,
// drawn from what the shell announces ("slate://browser"). The browsing view itself is a
// separate WebKit view that the shell places below this bar; this page tells it where the bar
// ends, and hides it while Slate's own page needs the whole window (a dialog, My files, the
// refusal page). Pages in the browsing view cannot reach Slate's commands.
import type { BrowserPlan, BrowserRequest, BrowserState, SessionFile } from "./bindings.js";
import { commands } from "./ipc.js";
import { errorText, toIpcError } from "./errors.js";
import { t } from "./i18n.js";

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** The bar of the session on screen, while it has a browser. */
let current: {
  plan: BrowserPlan;
  state: BrowserState;
  filesOpen: boolean;
  sent: string;
  observers: { disconnect(): void }[];
  onFiles: () => void;
} | null = null;

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
    if (!current) return;
    current.filesOpen = !current.filesOpen;
    el("browser-files").setAttribute("aria-expanded", String(current.filesOpen));
    el("user-area").hidden = !current.filesOpen;
    if (current.filesOpen) onFiles();
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
  changes.observe(document.getElementById("app") as HTMLElement, {
    subtree: true,
    attributes: true,
    attributeFilter: ["open", "hidden"],
  });
  current = {
    plan,
    state: {
      address: "",
      title: "",
      can_go_back: false,
      can_go_forward: false,
      refused: null,
      download: null,
      upload: false,
    },
    filesOpen: false,
    sent: "",
    observers: [resize, changes],
    onFiles,
  };
  drawState();
  sendLayout();
}

/** Leaves the browsing layout (the session ended, or it has no browser). */
export function leaveBrowser(): void {
  document.documentElement.classList.remove("browsing", "view-shown");
  if (!current) return;
  for (const o of current.observers) o.disconnect();
  current = null;
}

/** Whether Slate's page must have the whole window now. */
function pageNeedsWindow(): boolean {
  if (!current) return true;
  const dialogOpen = [...document.querySelectorAll("dialog")].some((d) => d.open);
  return dialogOpen || current.filesOpen || current.state.refused !== null;
}

function sendLayout(): void {
  if (!current) return;
  const area = el("browser-area");
  const shown = !pageNeedsWindow();
  const top = Math.max(1, Math.round(area.getBoundingClientRect().bottom));
  const key = `${top}:${shown}`;
  if (key === current.sent) return;
  current.sent = key;
  // While the view is shown, Slate's page is only the bar: nothing to scroll.
  document.documentElement.classList.toggle("view-shown", shown);
  commands.browser({ action: "layout", top, shown }).catch(() => {
    if (current) current.sent = ""; // try again at the next change
  });
}

/** A new state from the shell. */
export function browserChanged(state: BrowserState): void {
  if (!current) return;
  const before = current.state;
  current.state = state;
  if (state.download && state.download.serial !== before.download?.serial) {
    el("browser-notice").textContent = state.download.ok
      ? t("Downloaded {name} into My files.", { name: state.download.name })
      : t("The download of {name} failed.", { name: state.download.name });
    current.onFiles();
  }
  if (state.upload && !before.upload) void openUpload();
  drawState();
  sendLayout();
}

function drawState(): void {
  if (!current) return;
  const s = current.state;
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
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = f.name;
      const choose = document.createElement("button");
      choose.type = "button";
      choose.textContent = t("Upload");
      choose.setAttribute("aria-label", t("Upload {name}", { name: f.name }));
      choose.addEventListener("click", () => {
        ask({ action: "upload", name: f.name });
        dialog.close("chosen");
      });
      item.append(name, choose);
      return item;
    }),
  );
  el("upload-empty").hidden = files.length > 0;
  if (!dialog.open) dialog.showModal();
  el("upload-cancel").focus();
}
