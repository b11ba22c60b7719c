// The panel's Settings section: one row per setting, with where its value comes from (policy,
// administrator, default; in a room: this terminal, its group, the room), a live check by the core's own rules as it is typed, Save and "Use
// default". Settings set by policy are shown read-only. Above them, "Test this source": a name
// signed in at one account source with the settings saved, each step said as the core found it.
import type { AdminReply, AdminSetting, RoomScope, RoomSettingsAt, Source, SourceTest } from "../../bindings.js";
import { el, make } from "../../dom.js";
import { say, settingLabel } from "../../format.js";
import { t } from "../../i18n.js";
import { commands } from "../../ipc.js";
import { ask } from "./ask.js";

/** Loads the section. */
export function loadSettings(): void {
  void ask({ action: "settings" }, drawReply);
}

/** In a room: whom a change is saved for (this terminal's own value unless chosen). */
let roomAt: RoomSettingsAt | null = null;

/** The settings last drawn (drawn again when the choice of whom changes). */
let shown: AdminSetting[] = [];

/** Whom a value is for, in words ("every terminal in the room"). */
function whomWords(scope: RoomScope, group: string | null): string {
  switch (scope) {
    case "room":
      return t("every terminal in the room");
    case "group":
      return t("the group {group}", { group: group ?? "" });
    default:
      return t("this terminal");
  }
}

/** The request's `scope` (none on a terminal of its own). */
function chosenScope(): { scope?: RoomScope } {
  return roomAt ? { scope: el<HTMLSelectElement>("settings-scope-choice").value as RoomScope } : {};
}

/** The settings of a reply, and, in a room, the choice of whom a change is for. */
function drawReply(r: AdminReply): void {
  if (!r.settings) return;
  roomAt = r.room_at;
  const box = el("settings-scope");
  box.hidden = roomAt === null;
  if (roomAt) {
    const choice = el<HTMLSelectElement>("settings-scope-choice");
    const kept = choice.value || "terminal";
    const options: [RoomScope, string][] = [["terminal", t("This terminal ({terminal})", { terminal: roomAt.terminal })]];
    if (roomAt.group) options.push(["group", t("Its group ({group})", { group: roomAt.group })]);
    options.push(["room", t("Every terminal in the room")]);
    choice.replaceChildren(...options.map(([value, words]) => make("option", { value }, words)));
    choice.value = options.some(([value]) => value === kept) ? kept : "terminal";
  }
  drawSettings(r.settings);
}

/** Where a value in force comes from, in words. */
function layerWords(s: AdminSetting): string {
  const fallback = s.default || t("empty");
  switch (s.layer) {
    case "policy":
      return t("Set by policy");
    case "administrator":
      return t("Set here (default: {default})", { default: fallback });
    case "room":
      return t("Set for every terminal in the room (default: {default})", { default: fallback });
    case "group":
      return t("Set for the group {group} (default: {default})", { group: s.group ?? "", default: fallback });
    case "terminal":
      return t("Set for this terminal (default: {default})", { default: fallback });
    default:
      return t("Default");
  }
}

/** Wires "Test this source", and the choice of whom a change is for (once per panel). */
export function wireSettings(): void {
  // Each Save says whom it saves for: drawn again when the choice changes.
  el("settings-scope-choice").addEventListener("change", () => drawSettings(shown));
  el("source-test-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const password = el<HTMLInputElement>("source-test-password");
    const button = el<HTMLButtonElement>("source-test-button");
    drawSourceTest(null);
    // A directory may take up to its timeout to answer: one test at a time.
    button.disabled = true;
    void ask(
      {
        action: "test_source",
        source: el<HTMLSelectElement>("source-test-source").value as Source,
        username: el<HTMLInputElement>("source-test-name").value,
        password: password.value,
      },
      (r) => drawSourceTest(r.source_test),
    ).finally(() => {
      password.value = "";
      button.disabled = false;
    });
  });
}

/** The test's steps, each marked as it went, and its outcome (`null`: clears them). */
function drawSourceTest(test: SourceTest | null): void {
  el("source-test-steps").replaceChildren(
    ...(test?.steps ?? []).map((step) => {
      const item = make("li", { class: step.ok ? "step-ok" : "step-failed" });
      const words = make("span");
      words.append(make("span", { class: "sr-only" }, step.ok ? t("Done:") : t("Failed:")), " ", say(step.said));
      item.append(make("span", { class: "mark", "aria-hidden": "true" }, step.ok ? "✓" : "✗"), words);
      return item;
    }),
  );
  el("source-test-outcome").textContent = test ? say(test.outcome) : "";
}

function drawSettings(settings: AdminSetting[]): void {
  shown = settings;
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
  const state = make("p", { class: `layer layer-${s.layer}`, id: `${id}-state` }, layerWords(s));
  let field: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  if (s.input === "bool" || s.input === "choice") {
    const select = make("select", { id });
    for (const c of s.choices) {
      const option = make("option", { value: c }, s.input === "bool" ? (c === "true" ? t("Yes") : t("No")) : c);
      select.append(option);
    }
    select.value = s.value;
    field = select;
  } else if (s.input === "secret") {
    // Written, never shown back: the field starts empty and says only whether one is set.
    const input = make("input", { id, type: "password", autocomplete: "new-password", spellcheck: "false" });
    input.placeholder = s.value === "(set)" ? t("Set; type a new one to replace it") : t("Not set");
    field = input;
  } else if (s.input === "long_text") {
    // Paragraphs and lines (the acceptable-use page): Enter is a new line here, Save saves.
    const area = make("textarea", { id, rows: "8", spellcheck: "true" });
    area.value = s.shown;
    field = area;
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
    if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) field.readOnly = true;
    else field.disabled = true;
    return row;
  }
  const actions = make("div", { class: "row-actions" });
  const scope = chosenScope().scope;
  const save = scope
    ? make(
        "button",
        {
          type: "button",
          "aria-label": t("Save for {whom}: {setting}", { setting: settingLabel(s.key), whom: whomWords(scope, roomAt?.group ?? null) }),
        },
        t("Save for {whom}", { whom: whomWords(scope, roomAt?.group ?? null) }),
      )
    : make("button", { type: "button", "aria-label": t("Save {setting}", { setting: settingLabel(s.key) }) }, t("Save"));
  actions.append(save);
  if (s.layer === "administrator") {
    const reset = make(
      "button",
      { type: "button", "aria-label": t("Use default for {setting}", { setting: settingLabel(s.key) }) },
      t("Use default"),
    );
    reset.addEventListener("click", () => {
      void ask({ action: "unset_setting", key: s.key }, drawReply);
    });
    actions.append(reset);
  } else if (s.layer === "room" || s.layer === "group" || s.layer === "terminal") {
    // The value of the room's that applies here goes; the next one applies (or the default).
    const layer: RoomScope = s.layer;
    const remove = make(
      "button",
      {
        type: "button",
        "aria-label": t("Remove this value of {setting}, set for {whom}", {
          setting: settingLabel(s.key),
          whom: whomWords(layer, s.group),
        }),
      },
      t("Remove this value"),
    );
    remove.addEventListener("click", () => {
      void ask({ action: "unset_setting", key: s.key, scope: layer }, (r) => {
        drawReply(r);
        el(`set-${s.key}`)?.focus();
      });
    });
    actions.append(remove);
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
    // An empty secret field is no change ("Use default" clears one).
    if (s.input === "secret" && field.value === "") return;
    void ask({ action: "set_setting", key: s.key, value: field.value, ...chosenScope() }, (r) => {
      drawReply(r);
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
    if ((ev as KeyboardEvent).key === "Enter" && !(field instanceof HTMLTextAreaElement)) {
      ev.preventDefault();
      commit();
    }
  });
  return row;
}
