// Entry point: draw the screen the core names, report what the person does, and nothing more.
// The core announces every change on the "slate://status" event; commands answer with the new
// status too, so the UI is never behind. The UI never decides that a session ends.
import type { AppStatus, IpcError, Screen } from "./bindings.js";
import { commands, onStatus } from "./ipc.js";
import { toIpcError } from "./errors.js";
import { setupProblem } from "./forms.js";
import { Coalescer, watchActivity } from "./activity.js";
import { announceCountdownAt, clock, fileSize, spokenDuration } from "./format.js";
import type { SessionFile } from "./bindings.js";
import { wireAdmin } from "./admin.js";
import { lockDown } from "./lockdown.js";

const app = document.getElementById("app") as HTMLElement;
let shown: Screen | null = null;

function mount(id: string): HTMLElement {
  const template = document.getElementById(`screen-${id}`) as HTMLTemplateElement | null;
  if (!template) throw new Error(`missing template for screen ${id}`);
  // Replace the whole screen: nothing of the previous one (fields, dialogs) survives.
  app.replaceChildren(template.content.cloneNode(true));
  app.querySelector<HTMLElement>("section input, section button")?.focus();
  return app;
}

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

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

function draw(status: AppStatus, notice = ""): void {
  el("version").textContent = `Slate ${status.version}`;
  const screen = status.screen;
  if (sameScreen(shown, screen)) {
    shown = screen;
    if (screen.kind === "session") updateSession(screen);
    return;
  }
  shown = screen;
  if (screen.kind !== "session") applyPreferences("normal", "normal");
  switch (screen.kind) {
    case "first_run":
      wireSetup(mount("first_run"));
      break;
    case "sign_in":
      wireSignIn(mount("sign_in"), screen.guests_allowed, notice);
      break;
    case "session":
      mount("session");
      wireSession(screen);
      updateSession(screen);
      break;
    case "ending":
      mount("ending");
      break;
    case "signed_out":
      mount("signed_out");
      el("signedout-reason").textContent = screen.reason_text;
      el("signedout-erased").hidden = !screen.erased;
      el("signedout-message").textContent = screen.message;
      break;
    case "needs_attention":
      mount("needs_attention");
      el("attention-message").textContent = screen.message;
      break;
  }
  // A performance mark when the frame showing the new screen is drawn: the end-to-end timing
  // harness reads it (cold start to the sign-in screen). It holds nothing of the person.
  const kind = screen.kind;
  requestAnimationFrame(() => performance.mark(`slate:shown:${kind}`));
}

/** Runs a command from a button: disabled while it runs; errors land in `problem`. */
async function submit(
  button: HTMLButtonElement,
  problem: HTMLElement,
  action: () => Promise<AppStatus>,
  onError?: (e: IpcError) => void,
): Promise<void> {
  button.disabled = true;
  problem.textContent = "";
  try {
    draw(await action());
  } catch (raw) {
    const e = toIpcError(raw);
    problem.textContent = e.message;
    onError?.(e);
    const wait = e.code === "throttled" ? (e.retry_after_secs ?? 1) : 0;
    window.setTimeout(() => {
      button.disabled = false;
    }, wait * 1000);
  }
}

function wireSetup(root: HTMLElement): void {
  const form = root.querySelector("form") as HTMLFormElement;
  const problem = el("setup-problem");
  const button = form.querySelector("button") as HTMLButtonElement;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const values = {
      username: el<HTMLInputElement>("setup-username").value,
      displayName: el<HTMLInputElement>("setup-display-name").value,
      password: el<HTMLInputElement>("setup-password").value,
      confirm: el<HTMLInputElement>("setup-confirm").value,
    };
    const found = setupProblem(values);
    if (found) {
      problem.textContent = found;
      return;
    }
    void (async () => {
      button.disabled = true;
      problem.textContent = "";
      try {
        const status = await commands.createFirstAdmin({
          username: values.username,
          displayName: values.displayName,
          password: values.password,
        });
        shown = null;
        draw(status, "The administrator account is ready. Sign in with it.");
      } catch (raw) {
        problem.textContent = toIpcError(raw).message;
        button.disabled = false;
      }
    })();
  });
}

function wireSignIn(root: HTMLElement, guestsAllowed: boolean, notice: string): void {
  const form = root.querySelector("form") as HTMLFormElement;
  const problem = el("signin-problem");
  const button = form.querySelector("button") as HTMLButtonElement;
  const password = el<HTMLInputElement>("signin-password");
  el("signin-notice").textContent = notice;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const request = { username: el<HTMLInputElement>("signin-username").value, password: password.value };
    void submit(button, problem, () => commands.signIn(request), () => {
      password.value = "";
      password.focus();
    });
  });
  const guest = el("guest");
  guest.hidden = !guestsAllowed;
  if (guestsAllowed) {
    const guestButton = el<HTMLButtonElement>("guest-button");
    guestButton.addEventListener("click", () => {
      void submit(guestButton, problem, () => commands.signInGuest());
    });
  }
}

type SessionScreen = Extract<Screen, { kind: "session" }>;

function wireSession(screen: SessionScreen): void {
  el("session-title").textContent =
    screen.account === "guest" ? "Welcome, guest" : `Welcome, ${screen.display_name}`;
  const isAdmin = screen.account === "admin";
  el("session-badge").hidden = !isAdmin;
  // Administrators get the panel instead of the person's session view.
  el("user-area").hidden = isAdmin;
  el("admin-panel").hidden = !isAdmin;
  app.querySelector("section.card")?.classList.toggle("wide", isAdmin);
  const problem = el("session-problem");
  const confirm = el<HTMLDialogElement>("confirm-dialog");
  const idle = el<HTMLDialogElement>("idle-dialog");

  el("signout-button").addEventListener("click", () => {
    confirm.showModal();
    el("confirm-cancel").focus();
  });
  el("confirm-cancel").addEventListener("click", () => confirm.close());

  el("pref-text").addEventListener("click", (ev) => {
    const on = (ev.currentTarget as HTMLElement).getAttribute("aria-pressed") !== "true";
    void commands.setPreference("text_size", on ? "large" : "normal").then(draw, (e) => {
      problem.textContent = toIpcError(e).message;
    });
  });
  el("pref-contrast").addEventListener("click", (ev) => {
    const on = (ev.currentTarget as HTMLElement).getAttribute("aria-pressed") !== "true";
    void commands.setPreference("contrast", on ? "high" : "normal").then(draw, (e) => {
      problem.textContent = toIpcError(e).message;
    });
  });
  if (isAdmin) {
    wireAdmin();
    el("tab-settings").focus();
  } else {
    void refreshFiles();
  }
  // Files can arrive from elsewhere (downloads): look again every few seconds.
  const poll = window.setInterval(() => {
    if (shown?.kind === "session" && !isAdmin) void refreshFiles();
    else window.clearInterval(poll);
  }, 3000);
  el("confirm-sign-out").addEventListener("click", (ev) => {
    void submit(ev.currentTarget as HTMLButtonElement, problem, () => commands.signOut());
  });

  el("idle-stay").addEventListener("click", (ev) => {
    void submit(ev.currentTarget as HTMLButtonElement, problem, () => commands.stay());
  });
  el("idle-sign-out").addEventListener("click", (ev) => {
    void submit(ev.currentTarget as HTMLButtonElement, problem, () => commands.signOut());
  });
  // Escape in the warning means "I'm here", never "sign me out".
  idle.addEventListener("cancel", (ev) => {
    ev.preventDefault();
    void commands.stay().then(draw, () => undefined);
  });
}

/** Draws "My files" from the core's list. */
function drawFiles(files: SessionFile[]): void {
  const list = el("files-list");
  if (!list) return;
  // The list is polled every few seconds: redraw only when it changed, so that a focused Delete
  // button keeps its focus and a terminal at rest does not repaint.
  const key = files.map((f) => `${f.name}\u0000${String(f.size)}\u0000${f.folder}`).join("\u0001");
  if (list.dataset.drawn === key) return;
  list.dataset.drawn = key;
  list.replaceChildren(
    ...files.map((f) => {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = f.name;
      const size = document.createElement("span");
      size.className = "size";
      size.textContent = f.folder ? "folder" : fileSize(Number(f.size));
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete ${f.name}`);
      del.addEventListener("click", () => {
        void commands.deleteFile(f.name).then(drawFiles, (e) => {
          el("session-problem").textContent = toIpcError(e).message;
        });
      });
      item.append(name, size, del);
      return item;
    }),
  );
  el("files-empty").hidden = files.length > 0;
}

async function refreshFiles(): Promise<void> {
  try {
    drawFiles(await commands.listFiles());
  } catch {
    // Not in a session any more: the screen is about to change.
  }
}

/** Applies (or removes) the session's display preferences to the whole page. */
function applyPreferences(textSize: string, contrast: string): void {
  document.documentElement.classList.toggle("large-text", textSize === "large");
  document.documentElement.classList.toggle("high-contrast", contrast === "high");
}

function setIfChanged(node: HTMLElement, attribute: string, value: string): void {
  if (node.getAttribute(attribute) !== value) node.setAttribute(attribute, value);
}

function updateSession(screen: SessionScreen): void {
  applyPreferences(screen.preferences.text_size, screen.preferences.contrast);
  setIfChanged(el("pref-text"), "aria-pressed", String(screen.preferences.text_size === "large"));
  setIfChanged(el("pref-contrast"), "aria-pressed", String(screen.preferences.contrast === "high"));
  // Status arrives every second in a session: touch the page only where something changed.
  const timeLeft = el("time-left");
  if (timeLeft.hidden !== (screen.time_left_secs === null)) timeLeft.hidden = screen.time_left_secs === null;
  const timeText = screen.time_left_secs === null ? "" : `Time left ${clock(screen.time_left_secs)}`;
  if (timeLeft.textContent !== timeText) timeLeft.textContent = timeText;
  const warning = screen.time_warning_secs;
  const warningText = warning === null ? "" : `Your session ends in ${spokenDuration(warning)}. Save what you need now.`;
  if (el("time-warning").textContent !== warningText) el("time-warning").textContent = warningText;

  const idle = el<HTMLDialogElement>("idle-dialog");
  if (screen.idle_warning) {
    const left = screen.idle_warning.seconds_left;
    el("idle-seconds").textContent = spokenDuration(left);
    if (!idle.open) {
      el<HTMLDialogElement>("confirm-dialog").close();
      idle.showModal();
      el("idle-stay").focus();
    } else if (announceCountdownAt(left)) {
      el("idle-announce").textContent = `${spokenDuration(left)} left.`;
    }
  } else if (idle.open) {
    idle.close();
    el("signout-button").focus();
  }
}

// The signed-out screen: any key or tap goes straight to the sign-in screen.
for (const name of ["keydown", "pointerdown"] as const) {
  document.addEventListener(name, (ev) => {
    if (shown?.kind === "signed_out" && ev.isTrusted) {
      ev.preventDefault();
      void commands.dismissSignedOut().then((s) => draw(s), () => undefined);
    }
  });
}

// Activity in a session, at most one report a second.
const reporter = new Coalescer(
  () => void commands.reportActivity().catch(() => undefined),
  1000,
  () => performance.now(),
  (fn, ms) => window.setTimeout(fn, ms),
);
watchActivity(document, reporter, () => shown?.kind === "session");

function showFatal(message: string): void {
  shown = null;
  mount("error");
  el("error-message").textContent = message;
}

lockDown(document);

async function start(): Promise<void> {
  try {
    await onStatus((status) => draw(status));
    draw(await commands.appStatus());
  } catch (e) {
    showFatal(toIpcError(e).message);
  }
}

void start();
