// The administrator panel, shown inside an administrator's session: Settings, Users, Audit and
// Terminal. Every action is one `admin` request; the core checks that the live session is an
// administrator's, does it with the same rules and audit as slatectl, and answers with the
// refreshed section and a sentence. The panel only draws what comes back.
import type {
  AdminAuditPage,
  AdminReply,
  AdminRequest,
  AdminSetting,
  AdminTerminal,
  AdminUser,
} from "./bindings.js";
import { commands } from "./ipc.js";
import { errorText, toIpcError } from "./errors.js";
import { t } from "./i18n.js";
import { localTime, say, settingLabel } from "./format.js";

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  text = "",
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

/** Sends a request; shows its sentence (or the error) and hands the reply to `then`. */
async function ask(request: AdminRequest, then?: (reply: AdminReply) => void): Promise<boolean> {
  el("admin-problem").textContent = "";
  try {
    const reply = await commands.admin(request);
    if (reply.message.text) el("admin-status").textContent = say(reply.message);
    then?.(reply);
    return true;
  } catch (raw) {
    el("admin-status").textContent = "";
    el("admin-problem").textContent = errorText(toIpcError(raw));
    return false;
  }
}

// ---- Settings ----------------------------------------------------------------------------

function drawSettings(settings: AdminSetting[]): void {
  const list = el("settings-list");
  list.replaceChildren(...settings.map(settingRow));
}

function settingRow(s: AdminSetting): HTMLElement {
  const id = `set-${s.key}`;
  const row = make("div", { class: "setting", "data-key": s.key });
  const label = make("label", { for: id }, settingLabel(s.key));
  const desc = make(
    "p",
    { class: "hint", id: `${id}-desc` },
    t("{description} Allowed: {bounds}.", { description: t(s.description), bounds: say(s.bounds) }),
  );
  const locked = s.layer === "policy";
  const state = make(
    "p",
    { class: `layer layer-${s.layer}`, id: `${id}-state` },
    locked
      ? t("Set by policy")
      : s.layer === "administrator"
        ? t("Set here (default: {default})", { default: s.default || t("empty") })
        : t("Default"),
  );
  let field: HTMLInputElement | HTMLSelectElement;
  if (s.input === "bool" || s.input === "choice") {
    const select = make("select", { id });
    for (const c of s.choices) {
      const option = make("option", { value: c }, s.input === "bool" ? (c === "true" ? t("Yes") : t("No")) : c);
      select.append(option);
    }
    select.value = s.value;
    field = select;
  } else {
    const input = make("input", { id, autocomplete: "off", spellcheck: "false" });
    input.value = s.shown;
    field = input;
  }
  field.setAttribute("aria-describedby", `${id}-desc ${id}-state ${id}-problem`);
  const problem = make("p", { class: "problem", id: `${id}-problem`, "aria-live": "polite" });
  row.append(label, desc, field, state, problem);
  if (locked) {
    field.setAttribute("aria-readonly", "true");
    if (field instanceof HTMLInputElement) field.readOnly = true;
    else field.disabled = true;
    return row;
  }
  const actions = make("div", { class: "row-actions" });
  const save = make("button", { type: "button", "aria-label": t("Save {setting}", { setting: settingLabel(s.key) }) }, t("Save"));
  actions.append(save);
  if (s.layer === "administrator") {
    const reset = make(
      "button",
      { type: "button", "aria-label": t("Use default for {setting}", { setting: settingLabel(s.key) }) },
      t("Use default"),
    );
    reset.addEventListener("click", () => {
      void ask({ action: "unset_setting", key: s.key }, (r) => r.settings && drawSettings(r.settings));
    });
    actions.append(reset);
  }
  row.append(actions);
  // Live validation by the core's own rules, a moment after typing stops.
  let timer = 0;
  const check = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      void commands
        .admin({ action: "check_setting", key: s.key, value: field.value })
        .then((r) => {
          problem.textContent = say(r.message);
          field.setAttribute("aria-invalid", String(r.message.text !== ""));
        })
        .catch(() => undefined);
    }, 250);
  };
  field.addEventListener("input", check);
  field.addEventListener("change", check);
  const commit = () => {
    window.clearTimeout(timer);
    void ask({ action: "set_setting", key: s.key, value: field.value }, (r) => {
      if (r.settings) drawSettings(r.settings);
      el(`set-${s.key}`)?.focus();
    }).then((ok) => {
      if (!ok) {
        problem.textContent = el("admin-problem").textContent;
        field.setAttribute("aria-invalid", "true");
      }
    });
  };
  save.addEventListener("click", commit);
  field.addEventListener("keydown", (ev) => {
    if ((ev as KeyboardEvent).key === "Enter") {
      ev.preventDefault();
      commit();
    }
  });
  return row;
}

// ---- Users -------------------------------------------------------------------------------

let confirmAction: (() => void) | null = null;
/** The button that opened a dialog: the focus goes back to it (or to the Users tab, when the
 * action redrew the table) when the dialog closes. */
let opener: Element | null = null;

function giveFocusBack(): void {
  const back = opener;
  opener = null;
  if (back instanceof HTMLElement && back.isConnected) back.focus();
  else el("tab-users").focus();
}

function confirmThen(title: string, text: string, ok: string, action: () => void): void {
  const dialog = el<HTMLDialogElement>("admin-confirm-dialog");
  el("admin-confirm-title").textContent = title;
  el("admin-confirm-text").textContent = text;
  el("admin-confirm-ok").textContent = ok;
  confirmAction = action;
  opener = document.activeElement;
  dialog.showModal();
  el("admin-confirm-cancel").focus();
}

let passwordFor = "";

function drawUsers(users: AdminUser[]): void {
  const body = el("users-body");
  body.replaceChildren(
    ...users.map((u) => {
      const row = make("tr");
      const who = make("th", { scope: "row" });
      who.append(make("span", { class: "name" }, u.display_name), make("span", { class: "username" }, u.username));
      const status = !u.enabled ? t("Disabled") : u.locked ? t("Locked") : t("Active");
      const actions = make("td");
      const buttons = make("div", { class: "actions-cell" });
      actions.append(buttons);
      // `label` names the action for one user, for people who hear the button ("Remove ana").
      const button = (text: string, label: string, fn: () => void) => {
        const b = make("button", { type: "button", "aria-label": t(label, { user: u.username }) }, t(text));
        b.addEventListener("click", fn);
        buttons.append(b);
      };
      if (u.enabled) {
        button("Disable", "Disable {user}", () =>
          confirmThen(
            t("Disable {user}?", { user: u.username }),
            t("They will not be able to sign in, and their session ends if they are signed in."),
            t("Disable"),
            () => {
            void ask({ action: "set_user_enabled", username: u.username, enabled: false }, (r) => r.users && drawUsers(r.users));
            },
          ),
        );
      } else {
        button("Enable", "Enable {user}", () => {
          void ask({ action: "set_user_enabled", username: u.username, enabled: true }, (r) => r.users && drawUsers(r.users));
        });
      }
      if (u.locked) {
        button("Unlock", "Unlock {user}", () => {
          void ask({ action: "unlock", username: u.username }, (r) => r.users && drawUsers(r.users));
        });
      }
      button("Reset password", "Reset password for {user}", () => {
        passwordFor = u.username;
        el("password-title").textContent = t("New password for {user}", { user: u.username });
        el<HTMLInputElement>("password-new").value = "";
        el("password-problem").textContent = "";
        opener = document.activeElement;
        el<HTMLDialogElement>("password-dialog").showModal();
        el("password-new").focus();
      });
      button("Remove", "Remove {user}", () =>
        confirmThen(
          t("Remove {user}?", { user: u.username }),
          t("The account is deleted. The audit log keeps its records."),
          t("Remove"),
          () => {
            void ask({ action: "remove_user", username: u.username }, (r) => r.users && drawUsers(r.users));
          },
        ),
      );
      row.append(
        who,
        make("td", {}, u.admin ? t("Administrator") : t("User")),
        make("td", {}, status),
        make("td", {}, localTime(u.last_sign_in)),
        make("td", {}, localTime(u.last_sign_out)),
        actions,
      );
      return row;
    }),
  );
}

// ---- Audit -------------------------------------------------------------------------------

/** The `before` of each page shown so far (null for the newest), for "Newer". */
let pages: (number | null)[] = [null];
let nextBefore: number | null = null;

function auditQuery(before: number | null): AdminRequest {
  return {
    action: "audit",
    query: {
      user: el<HTMLInputElement>("audit-user").value,
      event: el<HTMLSelectElement>("audit-event").value,
      reason: el<HTMLSelectElement>("audit-reason").value,
      since: el<HTMLInputElement>("audit-since").value,
      until: el<HTMLInputElement>("audit-until").value,
      before,
    },
  };
}

function drawAudit(page: AdminAuditPage): void {
  nextBefore = page.next_before;
  el("audit-body").replaceChildren(
    ...page.records.map((r) => {
      const row = make("tr");
      row.append(
        make("td", {}, String(r.seq)),
        make("td", {}, r.at),
        make("td", {}, r.event),
        make("td", {}, r.user ?? "—"),
        make("td", { class: "details" }, r.details),
      );
      return row;
    }),
  );
  el("audit-empty").hidden = page.records.length > 0;
  el<HTMLButtonElement>("audit-older").disabled = page.next_before === null;
  el<HTMLButtonElement>("audit-newer").disabled = pages.length <= 1;
}

function loadAudit(before: number | null): void {
  void ask(auditQuery(before), (r) => r.audit && drawAudit(r.audit));
}

// ---- Terminal ----------------------------------------------------------------------------

function drawTerminal(info: AdminTerminal): void {
  const facts: [string, string][] = [
    [t("Terminal name"), info.terminal_name],
    [t("Slate version"), info.version],
    [t("Last wipe"), say(info.last_wipe)],
    [t("Policy file"), info.policy_file ?? t("None")],
    [t("Set by policy"), info.policy_keys.length ? info.policy_keys.join(", ") : t("Nothing")],
    [t("Policy problems"), info.policy_problems.length ? info.policy_problems.map(say).join("\n") : t("None")],
    [t("Audit log"), info.audit_head === null ? t("Empty") : t("{count} records so far", { count: info.audit_head })],
    [t("Data folder"), info.data_dir],
  ];
  el("terminal-info").replaceChildren(
    ...facts.flatMap(([k, v]) => [make("dt", {}, k), make("dd", {}, v)]),
  );
}

// ---- Tabs --------------------------------------------------------------------------------

const TABS = ["settings", "users", "audit", "terminal"] as const;
type Tab = (typeof TABS)[number];

function select(tab: Tab, focus = false): void {
  for (const each of TABS) {
    const button = el(`tab-${each}`);
    const on = each === tab;
    button.setAttribute("aria-selected", String(on));
    button.tabIndex = on ? 0 : -1;
    el(`panel-${each}`).hidden = !on;
  }
  if (focus) el(`tab-${tab}`).focus();
  el("admin-status").textContent = "";
  el("admin-problem").textContent = "";
  switch (tab) {
    case "settings":
      void ask({ action: "settings" }, (r) => r.settings && drawSettings(r.settings));
      break;
    case "users":
      void ask({ action: "users" }, (r) => r.users && drawUsers(r.users));
      break;
    case "audit":
      pages = [null];
      loadAudit(null);
      break;
    case "terminal":
      void ask({ action: "terminal" }, (r) => r.terminal && drawTerminal(r.terminal));
      break;
  }
}

/** Wires the panel of a freshly mounted administrator session screen. */
export function wireAdmin(): void {
  TABS.forEach((tab, i) => {
    const button = el(`tab-${tab}`);
    button.addEventListener("click", () => select(tab));
    button.addEventListener("keydown", (ev) => {
      const key = (ev as KeyboardEvent).key;
      const step = key === "ArrowRight" ? 1 : key === "ArrowLeft" ? -1 : 0;
      const jump = key === "Home" ? 0 : key === "End" ? TABS.length - 1 : null;
      if (step === 0 && jump === null) return;
      ev.preventDefault();
      const next = jump ?? (i + step + TABS.length) % TABS.length;
      select(TABS[next] as Tab, true);
    });
  });

  // Users: add, confirm, password.
  el("add-user-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const username = el<HTMLInputElement>("add-username");
    const password = el<HTMLInputElement>("add-password");
    void ask(
      {
        action: "add_user",
        username: username.value,
        display_name: el<HTMLInputElement>("add-display-name").value,
        password: password.value,
        admin: el<HTMLInputElement>("add-admin").checked,
      },
      (r) => {
        if (r.users) drawUsers(r.users);
        username.value = "";
        el<HTMLInputElement>("add-display-name").value = "";
        el<HTMLInputElement>("add-admin").checked = false;
        username.focus();
      },
    ).finally(() => {
      password.value = "";
    });
  });
  const confirm = el<HTMLDialogElement>("admin-confirm-dialog");
  el("admin-confirm-cancel").addEventListener("click", () => confirm.close());
  el("admin-confirm-ok").addEventListener("click", () => {
    confirm.close();
    const action = confirmAction;
    confirmAction = null;
    action?.();
  });
  confirm.addEventListener("close", giveFocusBack);
  const passwordDialog = el<HTMLDialogElement>("password-dialog");
  passwordDialog.addEventListener("close", giveFocusBack);
  el("password-cancel").addEventListener("click", () => passwordDialog.close());
  el("password-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const field = el<HTMLInputElement>("password-new");
    void commands
      .admin({ action: "reset_password", username: passwordFor, password: field.value })
      .then((r) => {
        field.value = "";
        passwordDialog.close();
        el("admin-status").textContent = say(r.message);
        if (r.users) drawUsers(r.users);
      })
      .catch((e) => {
        el("password-problem").textContent = errorText(toIpcError(e));
      });
  });

  // Audit: filters, paging, verify.
  el("audit-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    pages = [null];
    loadAudit(null);
  });
  el("audit-older").addEventListener("click", () => {
    if (nextBefore === null) return;
    pages.push(nextBefore);
    loadAudit(nextBefore);
  });
  el("audit-newer").addEventListener("click", () => {
    if (pages.length > 1) pages.pop();
    loadAudit(pages[pages.length - 1] ?? null);
  });
  el("audit-verify").addEventListener("click", () => {
    void ask({ action: "verify_audit" });
  });

  select("settings");
}
