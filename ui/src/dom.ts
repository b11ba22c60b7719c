// The one set of DOM helpers every screen uses: find an element by id, make an element, change an
// attribute only when it differs, mount a screen's template, and set the page's display classes.
// Nothing here holds state or knows a screen.
import type { Contrast, TextSize } from "./bindings.js";
import { translateTree } from "./i18n.js";

/** The element with this id (the screens' templates name every element they touch). */
export function el<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** A new element with these attributes (undefined ones left out) and, if given, this text. */
export function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  text = "",
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

/** A button of a list row: its text, the name a listener hears (`label`), and what it does. */
export function rowButton(text: string, label: string, onClick: () => void): HTMLButtonElement {
  const button = make("button", { type: "button", "aria-label": label }, text);
  button.addEventListener("click", onClick);
  return button;
}

/** Sets an attribute only when its value changes (a page at rest is not touched). */
export function setIfChanged(node: HTMLElement, attribute: string, value: string): void {
  if (node.getAttribute(attribute) !== value) node.setAttribute(attribute, value);
}

/** Where the screens are drawn. */
export function appRoot(): HTMLElement {
  return document.getElementById("app") as HTMLElement;
}

/** Draws the screen `id` from its template, translated, and focuses its first field or button. */
export function mount(id: string): HTMLElement {
  const app = appRoot();
  const template = document.getElementById(`screen-${id}`) as HTMLTemplateElement | null;
  if (!template) throw new Error(`missing template for screen ${id}`);
  // Replace the whole screen: nothing of the previous one (fields, dialogs) survives.
  const screen = template.content.cloneNode(true);
  translateTree(screen);
  app.replaceChildren(screen);
  app.querySelector<HTMLElement>("section input, section button")?.focus();
  return app;
}

/** Applies (or removes) the display preferences to the whole page. */
export function applyPreferences(textSize: TextSize, contrast: Contrast): void {
  document.documentElement.classList.toggle("large-text", textSize === "large");
  document.documentElement.classList.toggle("high-contrast", contrast === "high");
}
