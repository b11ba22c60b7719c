// The panel's Users section: the table of accounts with their actions (Disable or Enable,
// Unlock, Daily time, Reset password, Remove), the form to add one, and the three dialogs it
// opens (a confirmation, a person's own daily time, a new password). The focus goes back to the button that opened a dialog.
import type { AdminRequest, AdminUser } from "../../bindings.js";
import { el, make } from "../../dom.js";
import { errorText, toIpcError } from "../../errors.js";
import { exactDuration, localTime, say } from "../../format.js";
import { t } from "../../i18n.js";
import { commands } from "../../ipc.js";
import { dailyOpening, passwordOpening, state, takeConfirmAction, takeOpener } from "../../state.js";
import { ask, confirmFirst } from "./ask.js";

/** Loads the section. */
export function loadUsers(): void {
  void askUsers({ action: "users" });
}

/** Sends a request whose reply holds the refreshed users, and draws them. */
function askUsers(request: AdminRequest): Promise<boolean> {
  return ask(request, (r) => r.users && drawUsers(r.users));
}

function giveFocusBack(): void {
  const back = takeOpener();
  if (back instanceof HTMLElement && back.isConnected) back.focus();
  else el("tab-users").focus();
}

/** Asks "are you sure?" (`title`, `text`, an OK button saying `ok`), and sends `request` on OK. */
function confirmThen(title: string, text: string, ok: string, request: AdminRequest): void {
  confirmFirst(title, text, ok, () => void askUsers(request));
}

function openPasswordDialog(username: string): void {
  passwordOpening(username, document.activeElement);
  el("password-title").textContent = t("New password for {user}", { user: username });
  el<HTMLInputElement>("password-new").value = "";
  el("password-problem").textContent = "";
  el<HTMLDialogElement>("password-dialog").showModal();
  el("password-new").focus();
}

/** A person's own daily time as the dialog's field shows it ("90m", "off", empty for the
 * terminal's). */
function dailyText(u: AdminUser): string {
  switch (u.daily_time.kind) {
    case "unlimited":
      return "off";
    case "limit":
      return `${Math.round(u.daily_time.secs / 60)}m`;
    default:
      return "";
  }
}

function openDailyDialog(u: AdminUser): void {
  dailyOpening(u.username, document.activeElement);
  el("daily-title").textContent = t("Daily time for {user}", { user: u.username });
  el<HTMLInputElement>("daily-value").value = dailyText(u);
  el("daily-problem").textContent = "";
  el<HTMLDialogElement>("daily-dialog").showModal();
  el("daily-value").focus();
}

function drawUsers(users: AdminUser[]): void {
  const body = el("users-body");
  body.replaceChildren(
    ...users.map((u) => {
      const row = make("tr");
      const who = make("th", { scope: "row" });
      who.append(make("span", { class: "name" }, u.display_name), make("span", { class: "username" }, u.username));
      const status = make("td", {}, !u.enabled ? t("Disabled") : u.locked ? t("Locked") : t("Active"));
      // Failed sign-ins in a row, and while they make the name wait, until when (a cool-down
      // after many; an administrator only ever waits for the short back-off).
      if (u.paused_until) {
        status.append(make("span", { class: "detail" }, t("Paused until {time}", { time: localTime(u.paused_until) })));
      }
      if (u.failed_sign_ins > 0) {
        status.append(make("span", { class: "detail" }, t("{count} failed sign-ins in a row", { count: u.failed_sign_ins })));
      }
      // Their own daily time, where it is not the terminal's.
      if (u.daily_time.kind === "unlimited") {
        status.append(make("span", { class: "detail" }, t("No daily limit")));
      } else if (u.daily_time.kind === "limit") {
        status.append(make("span", { class: "detail" }, t("{duration} a day", { duration: exactDuration(u.daily_time.secs) })));
      }
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
            { action: "set_user_enabled", username: u.username, enabled: false },
          ),
        );
      } else {
        button("Enable", "Enable {user}", () => {
          void askUsers({ action: "set_user_enabled", username: u.username, enabled: true });
        });
      }
      if (u.locked || u.paused_until) {
        button("Unlock", "Unlock {user}", () => {
          void askUsers({ action: "unlock", username: u.username });
        });
      }
      if (!u.admin) button("Daily time", "Daily time for {user}", () => openDailyDialog(u));
      button("Reset password", "Reset password for {user}", () => openPasswordDialog(u.username));
      button("Remove", "Remove {user}", () =>
        confirmThen(
          t("Remove {user}?", { user: u.username }),
          t("The account is deleted. The audit log keeps its records."),
          t("Remove"),
          { action: "remove_user", username: u.username },
        ),
      );
      row.append(
        who,
        make("td", {}, u.admin ? t("Administrator") : t("User")),
        status,
        make("td", {}, localTime(u.last_sign_in)),
        make("td", {}, localTime(u.last_sign_out)),
        actions,
      );
      return row;
    }),
  );
}

/** Wires the section's form and dialogs (once per panel). */
export function wireUsers(): void {
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
    takeConfirmAction()?.();
  });
  confirm.addEventListener("close", giveFocusBack);
  const dailyDialog = el<HTMLDialogElement>("daily-dialog");
  dailyDialog.addEventListener("close", giveFocusBack);
  el("daily-cancel").addEventListener("click", () => dailyDialog.close());
  el("daily-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    void commands
      .admin({ action: "set_daily_time", username: state.panel.dailyFor, daily: el<HTMLInputElement>("daily-value").value })
      .then((r) => {
        dailyDialog.close();
        el("admin-status").textContent = say(r.message);
        if (r.users) drawUsers(r.users);
      })
      .catch((e) => {
        el("daily-problem").textContent = errorText(toIpcError(e));
      });
  });
  const passwordDialog = el<HTMLDialogElement>("password-dialog");
  passwordDialog.addEventListener("close", giveFocusBack);
  el("password-cancel").addEventListener("click", () => passwordDialog.close());
  el("password-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const field = el<HTMLInputElement>("password-new");
    void commands
      .admin({ action: "reset_password", username: state.panel.passwordFor, password: field.value })
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
}
