// The panel's Terminals section, for a terminal in a room: every terminal of the room with its
// group and state (ready, in use by whom and until when, needs attention and why, offline since
// when), "End session" for a terminal in use, and "End all sessions of a person". Each action is
// one `admin` request; the terminal asked ends the session within seconds, wipes it and audits
// who asked from where. The core answers with the room as it is now; the panel only draws it.
import type { DeskTerminal } from "../../bindings.js";
import { el, make } from "../../dom.js";
import { localTime } from "../../format.js";
import { t } from "../../i18n.js";
import { ask, confirmFirst } from "./ask.js";

/** Asks whether the terminal is in a room: the tab shows only then. */
export function offerRoom(): void {
  void ask({ action: "room" }, (r) => {
    el("tab-room").hidden = r.room === null;
    if (r.room) drawRoom(r.room);
  });
}

/** Loads the section. */
export function loadRoom(): void {
  void ask({ action: "room" }, (r) => r.room && drawRoom(r.room));
}

/** Wires the refresh button, the message form and the "log out everywhere" form (once per
 * panel). */
export function wireRoom(): void {
  el("room-refresh").addEventListener("click", loadRoom);
  el("room-message-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const terminal = el<HTMLSelectElement>("room-message-terminal").value;
    const box = el<HTMLTextAreaElement>("room-message-text");
    void ask({ action: "send_room_message", terminal, text: box.value }, (r) => {
      box.value = "";
      if (r.room) drawRoom(r.room);
    });
  });
  el("room-person-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const username = el<HTMLInputElement>("room-person").value.trim();
    if (!username) return;
    confirmFirst(
      t("End every session of {user}?", { user: username }),
      t("Their sessions end at every terminal of the room, and their files there are erased."),
      t("End sessions"),
      () => void ask({ action: "end_person_everywhere", username }, (r) => r.room && drawRoom(r.room)),
    );
  });
}

/** The terminal's state in words. */
function stateWords(d: DeskTerminal): string {
  if (d.revoked) return t("Revoked");
  if (!d.online) return d.changed_at ? t("Offline since {time}", { time: localTime(d.changed_at) }) : t("Offline");
  switch (d.state) {
    case "ready":
      return t("Ready");
    case "setup":
      return t("Not set up");
    case "attention":
      return t("Needs attention: {why}", { why: d.why ?? "" });
    case "in_use": {
      const who = d.username ? `${d.who ?? ""} (${d.username})` : (d.who ?? "");
      return d.until
        ? t("In use by {who} until {time}", { who, time: localTime(d.until) })
        : t("In use by {who}", { who });
    }
    default:
      return t("Online");
  }
}

function drawRoom(room: DeskTerminal[]): void {
  // A message goes to a terminal in use (not this one).
  const select = el<HTMLSelectElement>("room-message-terminal");
  const chosen = select.value;
  select.replaceChildren(
    ...room
      .filter((d) => d.online && d.state === "in_use" && !d.revoked && !d.here)
      .map((d) => make("option", { value: d.name }, d.who ? `${d.name}: ${d.who}` : d.name)),
  );
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
  el("room-body").replaceChildren(
    ...room.map((d) => {
      const row = make("tr");
      const name = make("th", { scope: "row" }, d.name);
      if (d.here) name.append(" ", make("span", { class: "here" }, t("(this terminal)")));
      row.append(
        name,
        make("td", {}, d.group ?? ""),
        make("td", {}, stateWords(d)),
      );
      const actions = make("td");
      // Here, the administrator's own session: Sign out ends it.
      if (d.online && d.state === "in_use" && !d.revoked && !d.here) {
        const end = make("button", { type: "button", "aria-label": t("End session at {terminal}", { terminal: d.name }) }, t("End session"));
        end.addEventListener("click", () =>
          confirmFirst(
            t("End the session at {terminal}?", { terminal: d.name }),
            t("The session there ends now, and its files are erased."),
            t("End session"),
            () => void ask({ action: "end_room_session", terminal: d.name }, (r) => r.room && drawRoom(r.room)),
          ),
        );
        actions.append(end);
      }
      row.append(actions);
      return row;
    }),
  );
}
