// The panel's Guest passes section: make a batch (how many, minutes each, last day), whose codes
// are shown this once as cards to print; and the batches made, with how many passes of each are
// unused, used, out of date or revoked, and "Revoke unused" for a batch. Codes never come back
// from the core after the reply that made them.
import type { GuestPassSummary, IssuedPass } from "../../bindings.js";
import { el, make } from "../../dom.js";
import { localTime } from "../../format.js";
import { t } from "../../i18n.js";
import { ask, confirmFirst } from "./ask.js";

/** Loads the section. */
export function loadPasses(): void {
  void ask({ action: "guest_passes" }, (r) => r.passes && drawBatches(r.passes));
}

/** Wires the form and the print button (once per panel). */
export function wirePasses(): void {
  el("passes-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const button = el<HTMLButtonElement>("passes-create");
    button.disabled = true;
    void ask(
      {
        action: "create_guest_passes",
        count: Number(el<HTMLInputElement>("passes-count").value.trim() || "0"),
        minutes: Number(el<HTMLInputElement>("passes-minutes").value.trim() || "0"),
        valid_until: el<HTMLInputElement>("passes-until").value,
      },
      (r) => {
        if (r.issued) drawCards(r.issued);
        if (r.passes) drawBatches(r.passes);
        el("passes-print").focus();
      },
    ).finally(() => {
      button.disabled = false;
    });
  });
  el("passes-print").addEventListener("click", () => window.print());
}

/** The new passes as cards, the way the printed sheet shows them. */
function drawCards(issued: IssuedPass[]): void {
  el("passes-cards").replaceChildren(
    ...issued.map((p) => {
      const card = make("div", { class: "pass-card" });
      card.append(
        make("p", { class: "pass-card-title" }, t("Guest pass")),
        make("p", { class: "pass-code" }, p.code),
        make("p", {}, t("{minutes} minutes on one computer, once. Valid until the end of {date}.", { minutes: p.minutes, date: p.valid_until })),
        make("p", { class: "pass-card-id" }, t("Pass {id}", { id: p.id })),
      );
      return card;
    }),
  );
  el("passes-sheet").hidden = issued.length === 0;
}

/** One row per batch, newest first. */
function drawBatches(passes: GuestPassSummary[]): void {
  const batches = new Map<string, GuestPassSummary[]>();
  for (const p of passes) batches.set(p.batch, [...(batches.get(p.batch) ?? []), p]);
  el("passes-body").replaceChildren(
    ...[...batches.entries()].map(([batch, list]) => {
      const first = list[0] as GuestPassSummary;
      const count = (state: GuestPassSummary["state"]) => list.filter((p) => p.state === state).length;
      const unused = count("unused");
      const row = make("tr");
      const cells = [
        localTime(first.created_at),
        first.created_by,
        String(first.minutes),
        first.valid_until,
        t("{unused} unused, {used} used, {expired} out of date, {revoked} revoked", {
          unused,
          used: count("used"),
          expired: count("expired"),
          revoked: count("revoked"),
        }),
      ];
      for (const text of cells) row.append(make("td", {}, text));
      const actions = make("td");
      if (unused > 0) {
        const revoke = make(
          "button",
          { type: "button", "aria-label": t("Revoke unused: passes made {when}", { when: localTime(first.created_at) }) },
          t("Revoke unused"),
        );
        revoke.addEventListener("click", () =>
          confirmFirst(
            t("Revoke {count} unused passes?", { count: unused }),
            t("Nobody can sign in with them afterwards. Used passes stay in the list."),
            t("Revoke"),
            () => void ask({ action: "revoke_guest_passes", id: null, batch }, (r) => r.passes && drawBatches(r.passes)),
          ),
        );
        actions.append(revoke);
      }
      row.append(actions);
      return row;
    }),
  );
  el("passes-empty").hidden = passes.length > 0;
}
