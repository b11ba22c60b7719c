// The page's part of the kiosk lockdown: no context menu, no reload, zoom, print or close
// shortcuts, and no files dropped into the window. (The shell refuses navigation away from
// Slate's pages and new windows, and keeps the window open unless an administrator is signed in.)

/** Keys a browser would act on that a kiosk must not: reload, zoom, close, new window, print,
 * save, open. (Developer tools exist only in debug builds, so their keys are left alone.) */
export function blockedShortcut(key: string, ctrl: boolean): boolean {
  const k = key.toLowerCase();
  if (k === "f5" || k === "f11" || k === "browserrefresh") return true;
  return ctrl && ["r", "w", "q", "n", "t", "p", "s", "o", "u", "+", "=", "-", "0", "f4"].includes(k);
}

export function lockDown(doc: Document): void {
  doc.addEventListener("contextmenu", (ev) => ev.preventDefault());
  doc.addEventListener(
    "keydown",
    (ev) => {
      if (blockedShortcut(ev.key, ev.ctrlKey || ev.metaKey)) ev.preventDefault();
    },
    { capture: true },
  );
  for (const name of ["dragover", "drop"] as const) {
    doc.addEventListener(name, (ev) => {
      ev.preventDefault();
      if (ev.dataTransfer) ev.dataTransfer.dropEffect = "none";
    });
  }
}
