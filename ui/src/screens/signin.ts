// The sign-in screen: username and password, the guest button when guests are allowed, a guest
// pass's code when the desk has handed out passes, and the visit's own choices made before signing in (language, larger text, high contrast), which carry
// into the session.
import type { AppStatus } from "../bindings.js";
import { applyPreferences, el, make, mount } from "../dom.js";
import { redraw, submit } from "../redraw.js";
import { LANGUAGES, isLanguage, language } from "../i18n.js";
import { commands } from "../ipc.js";
import { chooseLanguage, state, toggleVisitContrast, toggleVisitTextSize } from "../state.js";

export function drawSignIn(guestsAllowed: boolean, passes: boolean, notice: string): void {
  const root = mount("sign_in");
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
  const passForm = el<HTMLFormElement>("pass");
  passForm.hidden = !passes;
  if (passes) {
    const code = el<HTMLInputElement>("pass-code");
    const passButton = el<HTMLButtonElement>("pass-button");
    passForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void submit(
        passButton,
        el("pass-problem"),
        () => commands.signInPass(code.value).then(carryPreferences),
        () => code.focus(),
      );
    });
  }
}

/** After a sign-in: the language and display preferences chosen on the sign-in screen become
 * the session's (so what the shell says, its notifications, is in that language too). */
export async function carryPreferences(status: AppStatus): Promise<AppStatus> {
  // Not before the session exists (the acceptable-use page comes first; accepting it carries them).
  if (status.screen.kind !== "session") return status;
  let now = status;
  if (state.visit.language !== null) now = await commands.setPreference("language", state.visit.language);
  if (state.visit.textSize !== "normal") now = await commands.setPreference("text_size", state.visit.textSize);
  if (state.visit.contrast !== "normal") now = await commands.setPreference("contrast", state.visit.contrast);
  return now;
}

/** The sign-in screen's own choices: language, larger text, high contrast. */
function wireVisitChoices(): void {
  const picker = el<HTMLSelectElement>("signin-language");
  picker.replaceChildren(
    ...LANGUAGES.map((l) => make("option", { value: l.code, lang: l.code }, l.name)),
  );
  picker.value = language();
  picker.addEventListener("change", () => {
    if (!isLanguage(picker.value) || !state.lastStatus) return;
    chooseLanguage(picker.value);
    // The screen is drawn again in the new language; what was typed stays.
    const username = el<HTMLInputElement>("signin-username").value;
    redraw(state.lastStatus);
    el<HTMLInputElement>("signin-username").value = username;
    el("signin-language").focus();
  });
  const toggle = (id: string, on: () => boolean, flip: () => void) => {
    const button = el(id);
    button.setAttribute("aria-pressed", String(on()));
    button.addEventListener("click", () => {
      flip();
      button.setAttribute("aria-pressed", String(on()));
      applyPreferences(state.visit.textSize, state.visit.contrast);
    });
  };
  toggle("signin-pref-text", () => state.visit.textSize === "large", toggleVisitTextSize);
  toggle("signin-pref-contrast", () => state.visit.contrast === "high", toggleVisitContrast);
}
