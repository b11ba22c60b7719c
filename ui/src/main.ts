// Entry point: ask the core what to show and draw it. The UI decides nothing; it reports what the
// person did and draws the screen the core names in its answer.
import type { AppStatus, IpcError, Screen } from "./bindings.js";
import { commands } from "./ipc.js";
import { toIpcError } from "./errors.js";
import { setupProblem } from "./forms.js";

const app = document.getElementById("app") as HTMLElement;

function mount(id: string): HTMLElement {
  const template = document.getElementById(`screen-${id}`) as HTMLTemplateElement | null;
  if (!template) throw new Error(`missing template for screen ${id}`);
  app.replaceChildren(template.content.cloneNode(true));
  app.querySelector<HTMLElement>("input, button")?.focus();
  return app;
}

function el<T extends HTMLElement = HTMLElement>(root: HTMLElement, id: string): T {
  return root.querySelector<T>(`#${id}`) as T;
}

function draw(status: AppStatus, notice = ""): void {
  (document.getElementById("version") as HTMLElement).textContent = `Slate ${status.version}`;
  showScreen(status.screen, notice);
}

function showScreen(screen: Screen, notice: string): void {
  switch (screen.kind) {
    case "first_run":
      wireSetup(mount("first_run"));
      break;
    case "sign_in":
      wireSignIn(mount("sign_in"), screen.guests_allowed, notice);
      break;
    case "session":
      wireSession(mount("session"), screen.display_name, screen.account);
      break;
  }
}

/** Runs a command from a form: the button is disabled while it runs; errors land in `problem`. */
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
  const problem = el(root, "setup-problem");
  const button = form.querySelector("button") as HTMLButtonElement;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const values = {
      username: el<HTMLInputElement>(root, "setup-username").value,
      displayName: el<HTMLInputElement>(root, "setup-display-name").value,
      password: el<HTMLInputElement>(root, "setup-password").value,
      confirm: el<HTMLInputElement>(root, "setup-confirm").value,
    };
    const found = setupProblem(values);
    if (found) {
      problem.textContent = found;
      return;
    }
    void submit(button, problem, async () => {
      const status = await commands.createFirstAdmin({
        username: values.username,
        displayName: values.displayName,
        password: values.password,
      });
      window.setTimeout(() => showScreen(status.screen, "The administrator account is ready. Sign in with it."));
      return status;
    });
  });
}

function wireSignIn(root: HTMLElement, guestsAllowed: boolean, notice: string): void {
  const form = root.querySelector("form") as HTMLFormElement;
  const problem = el(root, "signin-problem");
  const button = form.querySelector("button") as HTMLButtonElement;
  const password = el<HTMLInputElement>(root, "signin-password");
  el(root, "signin-notice").textContent = notice;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const request = { username: el<HTMLInputElement>(root, "signin-username").value, password: password.value };
    void submit(button, problem, () => commands.signIn(request), () => {
      password.value = "";
      password.focus();
    });
  });
  const guest = el(root, "guest");
  guest.hidden = !guestsAllowed;
  if (guestsAllowed) {
    const guestButton = el<HTMLButtonElement>(root, "guest-button");
    guestButton.addEventListener("click", () => {
      void submit(guestButton, problem, () => commands.signInGuest());
    });
  }
}

function wireSession(root: HTMLElement, displayName: string, account: string): void {
  el(root, "session-title").textContent =
    account === "guest" ? "Welcome, guest" : `Welcome, ${displayName}`;
  el(root, "session-badge").hidden = account !== "admin";
  const button = el<HTMLButtonElement>(root, "signout-button");
  button.addEventListener("click", () => {
    void submit(button, el(root, "session-problem"), () => commands.signOut());
  });
}

function showFatal(message: string): void {
  const root = mount("error");
  el(root, "error-message").textContent = message;
}

async function start(): Promise<void> {
  try {
    draw(await commands.appStatus());
  } catch (e) {
    showFatal(toIpcError(e).message);
  }
}

void start();
