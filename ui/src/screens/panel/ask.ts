// The panel's one way to the core: an `admin` request, whose sentence (or error) is shown in the
// panel's status lines. Every section sends its requests through `ask`, and asks "are you sure?"
// before one that cannot be undone with `confirmFirst`.
import type { AdminReply, AdminRequest } from "../../bindings.js";
import { el } from "../../dom.js";
import { errorText, toIpcError } from "../../errors.js";
import { say } from "../../format.js";
import { commands } from "../../ipc.js";
import { confirmOpening } from "../../state.js";

/** Sends a request; shows its sentence (or the error) and hands the reply to `then`. */
export async function ask(request: AdminRequest, then?: (reply: AdminReply) => void): Promise<boolean> {
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

/** Asks "are you sure?" (`title`, `text`, an OK button saying `ok`), and runs `then` on OK. */
export function confirmFirst(title: string, text: string, ok: string, then: () => void): void {
  const dialog = el<HTMLDialogElement>("admin-confirm-dialog");
  el("admin-confirm-title").textContent = title;
  el("admin-confirm-text").textContent = text;
  el("admin-confirm-ok").textContent = ok;
  confirmOpening(then, document.activeElement);
  dialog.showModal();
  el("admin-confirm-cancel").focus();
}
