// The first-run screen: creates the first administrator account. The form is checked here first
// (forms.ts) for quicker feedback; the core checks again and has the last word.
import { el, mount } from "../dom.js";
import { redraw } from "../redraw.js";
import { errorText, toIpcError } from "../errors.js";
import { setupProblem } from "../forms.js";
import { t } from "../i18n.js";
import { commands } from "../ipc.js";
import { forgetShown } from "../state.js";

export function drawSetup(): void {
  const root = mount("first_run");
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
        forgetShown();
        redraw(status, t("The administrator account is ready. Sign in with it."));
      } catch (raw) {
        problem.textContent = errorText(toIpcError(raw));
        button.disabled = false;
      }
    })();
  });
}
