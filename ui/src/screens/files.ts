// "My files": the session's files folder, listed from the core, each with a Delete button. The
// list is looked at again now and then (files arrive from downloads too).
import type { SessionFile } from "../bindings.js";
import { el, make, rowButton } from "../dom.js";
import { errorText, toIpcError } from "../errors.js";
import { fileSize } from "../format.js";
import { t } from "../i18n.js";
import { commands } from "../ipc.js";

/** Draws "My files" from the core's list. */
function drawFiles(files: SessionFile[]): void {
  const list = el("files-list");
  if (!list) return;
  // The list is polled every few seconds: redraw only when it changed, so that a focused Delete
  // button keeps its focus and a terminal at rest does not repaint.
  const key = files.map((f) => `${f.name}\u0000${String(f.size)}\u0000${f.folder}`).join("\u0001");
  if (list.dataset.drawn === key) return;
  list.dataset.drawn = key;
  list.replaceChildren(
    ...files.map((f) => {
      const item = make("li");
      const del = rowButton(t("Delete"), t("Delete {name}", { name: f.name }), () => {
        void commands.deleteFile(f.name).then(drawFiles, (e) => {
          el("session-problem").textContent = errorText(toIpcError(e));
        });
      });
      item.append(
        make("span", {}, f.name),
        make("span", { class: "size" }, f.folder ? t("folder") : fileSize(Number(f.size))),
        del,
      );
      return item;
    }),
  );
  el("files-empty").hidden = files.length > 0;
}

/** Asks the core for the files and draws them. */
export async function refreshFiles(): Promise<void> {
  try {
    drawFiles(await commands.listFiles());
  } catch {
    // Not in a session any more: the screen is about to change.
  }
}
