// The panel's Audit section: the audit log, filtered (user, event, reason, dates), a page at a
// time (Older, Newer), and "Verify" for the log's chain.
import type { AdminAuditPage, AdminRequest } from "../../bindings.js";
import { el, make } from "../../dom.js";
import { auditFromNewest, auditNewer, auditOlder, auditPageShown, state } from "../../state.js";
import { ask } from "./ask.js";

/** Loads the section from its newest page. */
export function loadAudit(): void {
  auditFromNewest();
  loadPage(null);
}

/** Wires the section's filters, paging and Verify (once per panel). */
export function wireAudit(): void {
  el("audit-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    loadAudit();
  });
  el("audit-older").addEventListener("click", () => {
    const before = auditOlder();
    if (before === null) return;
    loadPage(before);
  });
  el("audit-newer").addEventListener("click", () => {
    loadPage(auditNewer());
  });
  el("audit-verify").addEventListener("click", () => {
    void ask({ action: "verify_audit" });
  });
}

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
  auditPageShown(page.next_before);
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
  el<HTMLButtonElement>("audit-newer").disabled = state.panel.auditPages.length <= 1;
}

function loadPage(before: number | null): void {
  void ask(auditQuery(before), (r) => r.audit && drawAudit(r.audit));
}
