// The panel's Terminal section: facts about this terminal (name, version, last wipe, policy,
// audit log, data folder), read-only, and "Leave kiosk mode" for maintenance.
import type { AdminTerminal } from "../../bindings.js";
import { el, make } from "../../dom.js";
import { say } from "../../format.js";
import { t } from "../../i18n.js";
import { ask, confirmFirst } from "./ask.js";

/** Loads the section. */
export function loadTerminal(): void {
  void ask({ action: "terminal" }, (r) => r.terminal && drawTerminal(r.terminal));
}

/** Wires the section's button (once per panel). */
export function wireTerminal(): void {
  el("leave-kiosk").addEventListener("click", () =>
    confirmFirst(
      t("Leave kiosk mode?"),
      t(
        "Your session ends and is wiped, and this terminal shows the login screen for maintenance. Kiosk mode comes back when the terminal is restarted.",
      ),
      t("Leave kiosk mode"),
      () => void ask({ action: "leave_kiosk" }),
    ),
  );
}

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
