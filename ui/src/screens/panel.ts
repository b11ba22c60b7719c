// The administrator panel, shown inside an administrator's session: its tabs, and the sections
// they show (one module each in panel/: Settings, Users, Guest passes, Usage, Audit, Terminal,
// and Terminals for a terminal in a room). Every action is one
// `admin` request; the core checks that the live session is an administrator's, does it with the
// same rules and audit as slatectl, and answers with the refreshed section and a sentence. The
// panel only draws what comes back.
import { el } from "../dom.js";
import { loadAudit, wireAudit } from "./panel/audit.js";
import { loadPasses, wirePasses } from "./panel/passes.js";
import { loadRoom, offerRoom, wireRoom } from "./panel/room.js";
import { loadSettings, wireSettings } from "./panel/settings.js";
import { loadTerminal, wireTerminal } from "./panel/terminal.js";
import { loadUsage, wireUsage } from "./panel/usage.js";
import { loadUsers, wireUsers } from "./panel/users.js";

const TABS = ["settings", "users", "passes", "usage", "audit", "terminal", "room"] as const;
type Tab = (typeof TABS)[number];

/** What each tab loads when it is selected. */
const LOAD: Record<Tab, () => void> = {
  settings: loadSettings,
  users: loadUsers,
  passes: loadPasses,
  usage: loadUsage,
  audit: loadAudit,
  terminal: loadTerminal,
  room: loadRoom,
};

/** The tabs shown (Terminals only for a terminal in a room). */
function shown(): Tab[] {
  return TABS.filter((tab) => !el(`tab-${tab}`).hidden);
}

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
  LOAD[tab]();
}

/** Wires the panel of a freshly mounted administrator session screen. */
export function wireAdmin(): void {
  TABS.forEach((tab) => {
    const button = el(`tab-${tab}`);
    button.addEventListener("click", () => select(tab));
    button.addEventListener("keydown", (ev) => {
      const key = (ev as KeyboardEvent).key;
      const tabs = shown();
      const i = tabs.indexOf(tab);
      const step = key === "ArrowRight" ? 1 : key === "ArrowLeft" ? -1 : 0;
      const jump = key === "Home" ? 0 : key === "End" ? tabs.length - 1 : null;
      if (step === 0 && jump === null) return;
      ev.preventDefault();
      const next = jump ?? (i + step + tabs.length) % tabs.length;
      select(tabs[next] as Tab, true);
    });
  });
  wireSettings();
  wireUsers();
  wirePasses();
  wireUsage();
  wireAudit();
  wireTerminal();
  wireRoom();
  offerRoom();
  select("settings");
}
