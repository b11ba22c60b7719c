// Entry point: draw the screen the core names, report what the person does, and nothing more.
// The core announces every change on the "slate://status" event; commands answer with the new
// status too, so the UI is never behind. The UI never decides that a session ends.
import type { AppStatus, IpcError, Screen } from "./bindings.js";
import { commands, onBrowser, onStatus } from "./ipc.js";
import { browserChanged, leaveBrowser, wireBrowser } from "./browser.js";
import { errorText, toIpcError } from "./errors.js";
import { LANGUAGES, isLanguage, language, setLanguage, t, translateTree } from "./i18n.js";
import type { Language } from "./i18n.js";
import { setupProblem } from "./forms.js";
import { Coalescer, watchActivity } from "./activity.js";
import { announceCountdownAt, clock, fileSize, say, spokenDuration } from "./format.js";
import type { SessionFile } from "./bindings.js";
import { wireAdmin } from "./admin.js";
import { lockDown } from "./lockdown.js";

const app = document.getElementById("app") as HTMLElement;
let shown: Screen | null = null;
let lastStatus: AppStatus | null = null;

/**
 * What the person chose before signing in: a language and the display preferences. They live in
 * this page only, carry into the session (the preferences become the session's own) and are
 * gone when the session's wipe reloads the page, like everything else of the visit.
 */
const visit: { language: Language | null; textSize: string; contrast: string } = {
  language: null,
  textSize: "normal",
  contrast: "normal",
};

function mount(id: string): HTMLElement {
  const template = document.getElementById(`screen-${id}`) as HTMLTemplateElement | null;
  if (!template) throw new Error(`missing template for screen ${id}`);
  // Replace the whole screen: nothing of the previous one (fields, dialogs) survives.
  const screen = template.content.cloneNode(true);
  translateTree(screen);
  app.replaceChildren(screen);
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
  lastStatus = status;
  const wanted = visit.language ?? (isLanguage(status.language) ? status.language : "en");
  if (wanted !== language()) {
    setLanguage(wanted);
    translateTree(document.body);
    shown = null; // redraw the screen in the new language
  }
  el("version").textContent = t("Slate {version}", { version: status.version });
  const screen = status.screen;
  if (sameScreen(shown, screen)) {
    shown = screen;
    if (screen.kind === "session") updateSession(screen);
    return;
  }
  shown = screen;
  if (screen.kind !== "session") {
    applyPreferences(visit.textSize, visit.contrast);
    leaveBrowser();
  }
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
      if (screen.browser && screen.account !== "admin") wireBrowser(screen.browser, () => void refreshFiles());
      else leaveBrowser();
      break;
    case "ending":
      mount("ending");
      break;
    case "signed_out":
      mount("signed_out");
      el("signedout-reason").textContent = reasonText(screen);
      el("signedout-erased").hidden = !screen.erased;
      el("signedout-message").textContent = screen.message;
      break;
    case "needs_attention":
      mount("needs_attention");
      el("attention-message").textContent = say(screen.phrase);
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
    problem.textContent = errorText(e);
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
      problem.textContent = t(found.id, found.vars);
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
        draw(status, t("The administrator account is ready. Sign in with it."));
      } catch (raw) {
        problem.textContent = errorText(toIpcError(raw));
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
  wireVisitChoices();
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const request = { username: el<HTMLInputElement>("signin-username").value, password: password.value };
    void submit(button, problem, () => commands.signIn(request).then(carryPreferences), () => {
      password.value = "";
      password.focus();
    });
  });
  const guest = el("guest");
  guest.hidden = !guestsAllowed;
  if (guestsAllowed) {
    const guestButton = el<HTMLButtonElement>("guest-button");
    guestButton.addEventListener("click", () => {
      void submit(guestButton, problem, () => commands.signInGuest().then(carryPreferences));
    });
  }
}

type SessionScreen = Extract<Screen, { kind: "session" }>;
type SignedOutScreen = Extract<Screen, { kind: "signed_out" }>;

/** Why the session ended, in the screen's language. */
function reasonText(screen: SignedOutScreen): string {
  const duration = screen.reason_secs === null ? "" : spokenDuration(screen.reason_secs);
  switch (screen.reason) {
    case "user":
      return t("You signed out.");
    case "idle":
      return t("You were signed out after {duration} without activity.", { duration });
    case "time_limit":
      return screen.reason_secs === null
        ? t("Your session reached its time limit.")
        : t("Your session reached its time limit of {duration}.", { duration });
    default:
      return t(screen.reason_text);
  }
}

/** After a sign-in: the display preferences chosen on the sign-in screen become the session's. */
async function carryPreferences(status: AppStatus): Promise<AppStatus> {
  let now = status;
  if (visit.textSize !== "normal") now = await commands.setPreference("text_size", visit.textSize);
  if (visit.contrast !== "normal") now = await commands.setPreference("contrast", visit.contrast);
  return now;
}

/** The sign-in screen's own choices: language, larger text, high contrast. */
function wireVisitChoices(): void {
  const picker = el<HTMLSelectElement>("signin-language");
  picker.replaceChildren(
    ...LANGUAGES.map((l) => {
      const option = document.createElement("option");
      option.value = l.code;
      option.lang = l.code;
      option.textContent = l.name;
      return option;
    }),
  );
  picker.value = language();
  picker.addEventListener("change", () => {
    if (!isLanguage(picker.value) || !lastStatus) return;
    visit.language = picker.value;
    // The screen is drawn again in the new language; what was typed stays.
    const username = el<HTMLInputElement>("signin-username").value;
    draw(lastStatus);
    el<HTMLInputElement>("signin-username").value = username;
    el("signin-language").focus();
  });
  const toggle = (id: string, on: () => boolean, flip: () => void) => {
    const button = el(id);
    button.setAttribute("aria-pressed", String(on()));
    button.addEventListener("click", () => {
      flip();
      button.setAttribute("aria-pressed", String(on()));
      applyPreferences(visit.textSize, visit.contrast);
    });
  };
  toggle("signin-pref-text", () => visit.textSize === "large", () => {
    visit.textSize = visit.textSize === "large" ? "normal" : "large";
  });
  toggle("signin-pref-contrast", () => visit.contrast === "high", () => {
    visit.contrast = visit.contrast === "high" ? "normal" : "high";
  });
}

function wireSession(screen: SessionScreen): void {
  el("session-title").textContent =
    screen.account === "guest" ? t("Welcome, guest") : t("Welcome, {name}", { name: screen.display_name });
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
  // However the confirmation closes (Cancel, Escape), the focus goes back to "Sign out".
  confirm.addEventListener("close", () => {
    if (shown?.kind === "session" && !el<HTMLDialogElement>("idle-dialog").open) el("signout-button").focus();
  });

  el("pref-text").addEventListener("click", (ev) => {
    const on = (ev.currentTarget as HTMLElement).getAttribute("aria-pressed") !== "true";
    void commands.setPreference("text_size", on ? "large" : "normal").then(draw, (e) => {
      problem.textContent = errorText(toIpcError(e));
    });
  });
  el("pref-contrast").addEventListener("click", (ev) => {
    const on = (ev.currentTarget as HTMLElement).getAttribute("aria-pressed") !== "true";
    void commands.setPreference("contrast", on ? "high" : "normal").then(draw, (e) => {
      problem.textContent = errorText(toIpcError(e));
    });
  });
  if (isAdmin) {
    wireAdmin();
    el("tab-settings").focus();
  } else {
    void refreshFiles();
  }
  // Files can arrive from elsewhere (downloads): look again now and then. (Each look is a call
  // into the core and a folder read; every 10 s keeps a terminal at rest near idle.)
  const poll = window.setInterval(() => {
    if (shown?.kind === "session" && !isAdmin) void refreshFiles();
    else window.clearInterval(poll);
  }, 10_000);
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
      size.textContent = f.folder ? t("folder") : fileSize(Number(f.size));
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = t("Delete");
      del.setAttribute("aria-label", t("Delete {name}", { name: f.name }));
      del.addEventListener("click", () => {
        void commands.deleteFile(f.name).then(drawFiles, (e) => {
          el("session-problem").textContent = errorText(toIpcError(e));
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

/** What had the focus when the idle warning opened, to give it back when the warning closes. */
let focusBeforeWarning: Element | null = null;

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
  const timeText =
    screen.time_left_secs === null ? "" : t("Time left {time}", { time: clock(screen.time_left_secs) });
  if (timeLeft.textContent !== timeText) timeLeft.textContent = timeText;
  const warning = screen.time_warning_secs;
  const warningText =
    warning === null
      ? ""
      : t("Your session ends in {duration}. Save what you need now.", { duration: spokenDuration(warning) });
  if (el("time-warning").textContent !== warningText) el("time-warning").textContent = warningText;

  const idle = el<HTMLDialogElement>("idle-dialog");
  if (screen.idle_warning) {
    const left = screen.idle_warning.seconds_left;
    el("idle-seconds").textContent = spokenDuration(left);
    if (!idle.open) {
      const confirm = el<HTMLDialogElement>("confirm-dialog");
      // Focus goes back where it was when the warning closes (the confirmation gives way to it).
      focusBeforeWarning = confirm.open ? el("signout-button") : document.activeElement;
      confirm.close();
      idle.showModal();
      el("idle-stay").focus();
    } else if (announceCountdownAt(left)) {
      el("idle-announce").textContent = t("{duration} left.", { duration: spokenDuration(left) });
    }
  } else if (idle.open) {
    idle.close();
    const back = focusBeforeWarning;
    focusBeforeWarning = null;
    if (back instanceof HTMLElement && back.isConnected && back !== document.body) back.focus();
    else el("signout-button").focus();
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
    await onBrowser(browserChanged);
    draw(await commands.appStatus());
  } catch (e) {
    showFatal(errorText(toIpcError(e)));
  }
}

void start();
