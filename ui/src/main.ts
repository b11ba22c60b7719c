// Entry point: ask the core what to show and draw it. The UI decides nothing; it reports what the
// person did and draws the screen the core names.
import type { Screen } from "./bindings.js";
import { commands } from "./ipc.js";
import { toIpcError } from "./errors.js";
import { setupProblem } from "./forms.js";

const app = document.getElementById("app") as HTMLElement;

function mount(id: string): HTMLElement {
  const template = document.getElementById(`screen-${id}`) as HTMLTemplateElement | null;
  if (!template) throw new Error(`missing template for screen ${id}`);
  app.replaceChildren(template.content.cloneNode(true));
  const first = app.querySelector<HTMLElement>("input, button");
  first?.focus();
  return app;
}

function field(root: HTMLElement, id: string): HTMLInputElement {
  return root.querySelector<HTMLInputElement>(`#${id}`) as HTMLInputElement;
}

function showScreen(screen: Screen): void {
  switch (screen) {
    case "first_run":
      wireSetup(mount("first_run"));
      break;
    case "sign_in":
      mount("sign_in");
      break;
  }
}

function wireSetup(root: HTMLElement): void {
  const form = root.querySelector("form") as HTMLFormElement;
  const problem = root.querySelector("#setup-problem") as HTMLElement;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const found = setupProblem({
      username: field(root, "setup-username").value,
      displayName: field(root, "setup-display-name").value,
      password: field(root, "setup-password").value,
      confirm: field(root, "setup-confirm").value,
    });
    problem.textContent = found ?? "Accounts cannot be created yet in this build of Slate.";
  });
}

function showFatal(message: string): void {
  const root = mount("error");
  (root.querySelector("#error-message") as HTMLElement).textContent = message;
}

async function start(): Promise<void> {
  try {
    const status = await commands.appStatus();
    (document.getElementById("version") as HTMLElement).textContent = `Slate ${status.version}`;
    showScreen(status.screen);
  } catch (e) {
    showFatal(toIpcError(e).message);
  }
}

void start();
