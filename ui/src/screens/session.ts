// The session screen: its bar (welcome, time left, Larger text, High contrast, Sign out and its
// confirmation), the time-limit and idle warnings, and what the session shows below the bar: My
// files, the browser, or for an administrator the panel. A status arrives only when something
// shown changes (the time left by the minute, the last two minutes and the idle warning by the
// second); `updateSession` touches the page only where something changed. My files is read
// again when the service says it changed (`files_changed`, from the kernel): never polled.
import type { EndReason, Screen } from "../bindings.js";
import { appRoot, applyPreferences, el, mount, setIfChanged } from "../dom.js";
import { redraw, submit } from "../redraw.js";
import { errorText, toIpcError } from "../errors.js";
import { announceCountdownAt, say, spokenCount, spokenDuration, timeLeft as timeLeftText } from "../format.js";
import { t } from "../i18n.js";
import { commands } from "../ipc.js";
import { rememberFocusBeforeWarning, state, takeFocusBeforeWarning } from "../state.js";
import { leaveBrowser, wireBrowser } from "./browser.js";
import { refreshFiles } from "./files.js";
import { wireAdmin } from "./panel.js";

type SessionScreen = Extract<Screen, { kind: "session" }>;

/** The last message from staff shown (each is shown once). */
let shownMessage = -1;

/** Draws a new session screen (another person's, or the first status of a session). */
export function drawSession(screen: SessionScreen): void {
  mount("session");
  wireSession(screen);
  updateSession(screen, screen);
  if (screen.browser && screen.account !== "admin") wireBrowser(screen.browser, () => void refreshFiles());
  else leaveBrowser();
}

function wireSession(screen: SessionScreen): void {
  el("session-title").textContent =
    screen.account === "guest" ? t("Welcome, guest") : t("Welcome, {name}", { name: screen.display_name });
  const isAdmin = screen.account === "admin";
  el("session-badge").hidden = !isAdmin;
  // Administrators get the panel instead of the person's session view.
  el("user-area").hidden = isAdmin;
  el("admin-panel").hidden = !isAdmin;
  appRoot().querySelector("section.card")?.classList.toggle("wide", isAdmin);
  const problem = el("session-problem");
  const confirm = el<HTMLDialogElement>("confirm-dialog");
  const idle = el<HTMLDialogElement>("idle-dialog");

  el("signout-button").addEventListener("click", () => {
    confirm.showModal();
    el("confirm-cancel").focus();
  });
  el("confirm-cancel").addEventListener("click", () => confirm.close());
  el("staff-message-ok").addEventListener("click", () => el<HTMLDialogElement>("staff-message-dialog").close());
  // However the confirmation closes (Cancel, Escape), the focus goes back to "Sign out".
  confirm.addEventListener("close", () => {
    if (state.shown?.kind === "session" && !el<HTMLDialogElement>("idle-dialog").open) el("signout-button").focus();
  });

  el("pref-text").addEventListener("click", (ev) => {
    const on = (ev.currentTarget as HTMLElement).getAttribute("aria-pressed") !== "true";
    void commands.setPreference("text_size", on ? "large" : "normal").then((s) => redraw(s), (e) => {
      problem.textContent = errorText(toIpcError(e));
    });
  });
  el("pref-contrast").addEventListener("click", (ev) => {
    const on = (ev.currentTarget as HTMLElement).getAttribute("aria-pressed") !== "true";
    void commands.setPreference("contrast", on ? "high" : "normal").then((s) => redraw(s), (e) => {
      problem.textContent = errorText(toIpcError(e));
    });
  });
  if (isAdmin) {
    wireAdmin();
    el("tab-settings").focus();
  } else {
    void refreshFiles();
  }
  el("confirm-sign-out").addEventListener("click", (ev) => {
    void submit(ev.currentTarget as HTMLButtonElement, problem, () => commands.signOut());
  });

  el("extend-session").addEventListener("click", (ev) => {
    void submit(ev.currentTarget as HTMLButtonElement, problem, () => commands.extendSession());
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
    void commands.stay().then((s) => redraw(s), () => undefined);
  });
}

/** The warning before the first cutoff, with its reason. */
function cutoffWarning(rule: EndReason | null, duration: string): string {
  switch (rule) {
    case "closing_time":
      return t("The library closes in {duration}: your session ends then. Save what you need now.", { duration });
    case "daily_allowance":
      return t("Your time for today ends in {duration}. Save what you need now.", { duration });
    default:
      return t("Your session ends in {duration}. Save what you need now.", { duration });
  }
}

/** Brings the session screen on show (`before`) up to date with `screen`. */
export function updateSession(screen: SessionScreen, before: SessionScreen): void {
  // Files arrived or went (a download, a deletion): read the list again.
  if (screen.files_changed !== before.files_changed && screen.account !== "admin") void refreshFiles();
  applyPreferences(screen.preferences.text_size, screen.preferences.contrast);
  setIfChanged(el("pref-text"), "aria-pressed", String(screen.preferences.text_size === "large"));
  setIfChanged(el("pref-contrast"), "aria-pressed", String(screen.preferences.contrast === "high"));
  // Touch the page only where something changed.
  const timeLeft = el("time-left");
  if (timeLeft.hidden !== (screen.time_left === null)) timeLeft.hidden = screen.time_left === null;
  const timeText = screen.time_left === null ? "" : t("Time left {time}", { time: timeLeftText(screen.time_left) });
  if (timeLeft.textContent !== timeText) timeLeft.textContent = timeText;
  // The one line on when and why the session will end (the first cutoff), from the start.
  const signsOut = el("signs-out");
  const signsOutText = screen.signs_out === null ? "" : say(screen.signs_out);
  if (signsOut.hidden !== (signsOutText === "")) signsOut.hidden = signsOutText === "";
  if (signsOut.textContent !== signsOutText) signsOut.textContent = signsOutText;
  const warning = screen.time_warning_secs;
  const warningText = warning === null ? "" : cutoffWarning(screen.ends_for, spokenDuration(warning));
  if (el("time-warning").textContent !== warningText) el("time-warning").textContent = warningText;
  // The session's one extension, offered with the warning while it would add time.
  const extend = el<HTMLButtonElement>("extend-session");
  const extendText = screen.can_extend === null ? "" : t("Add {duration} more", { duration: spokenDuration(screen.can_extend) });
  if (extend.hidden !== (extendText === "")) extend.hidden = extendText === "";
  if (extend.textContent !== extendText) extend.textContent = extendText;

  // A message from staff at the desk: shown once, as a dialog (announced as an alert).
  const message = screen.staff_message;
  if (message && message.id !== shownMessage) {
    shownMessage = message.id;
    el("staff-message-text").textContent = message.text;
    el("staff-message-from").textContent = t("From the staff at {terminal}", { terminal: message.from });
    const dialog = el<HTMLDialogElement>("staff-message-dialog");
    if (!dialog.open) dialog.showModal();
    el("staff-message-ok").focus();
  }

  const idle = el<HTMLDialogElement>("idle-dialog");
  if (screen.idle_warning) {
    const left = screen.idle_warning.seconds_left;
    el("idle-seconds").textContent = spokenDuration(left);
    if (!idle.open) {
      const confirm = el<HTMLDialogElement>("confirm-dialog");
      // Focus goes back where it was when the warning closes (the confirmation gives way to it).
      rememberFocusBeforeWarning(confirm.open ? el("signout-button") : document.activeElement);
      confirm.close();
      idle.showModal();
      el("idle-stay").focus();
    } else if (announceCountdownAt(left)) {
      el("idle-announce").textContent = t("{duration} left.", { duration: spokenDuration(left), count: spokenCount(left) });
    }
  } else if (idle.open) {
    idle.close();
    const back = takeFocusBeforeWarning();
    if (back instanceof HTMLElement && back.isConnected && back !== document.body) back.focus();
    else el("signout-button").focus();
  }
}
