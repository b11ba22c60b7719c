// Translation: every visible string is looked up in the language's catalogue, gettext-style. The
// English text is the message id (so the page reads right even before anything is translated),
// and each other language maps it to its own words (`src/locales/*.ts`). Pieces that vary are
// named in braces: t("Welcome, {name}", { name }).
//
// Text in the static page and its templates is translated when it is drawn (translateTree);
// text the scripts write goes through t(). Sentences the core sends are passed through t() too,
// so any the catalogue knows are translated; those with figures in them are rebuilt here from
// the structured values the core sends beside them.
import { ES } from "./locales/es.js";

export type Language = "en" | "es";

/** The languages Slate ships, each named in itself. */
export const LANGUAGES: readonly { code: Language; name: string }[] = [
  { code: "en", name: "English" },
  { code: "es", name: "Español" },
];

const CATALOGUES: Record<Language, Readonly<Record<string, string>>> = { en: {}, es: ES };

let current: Language = "en";

/** Whether `code` is a language Slate ships. */
export function isLanguage(code: string): code is Language {
  return LANGUAGES.some((l) => l.code === code);
}

export function language(): Language {
  return current;
}

/** Switches the language of everything drawn from now on, and the page's `lang`. */
export function setLanguage(code: Language): void {
  current = code;
  if (typeof document !== "undefined") document.documentElement.lang = code;
}

/** `id` in the current language, with `{name}` pieces filled from `vars`. */
export function t(id: string, vars: Record<string, string | number> = {}): string {
  const text = CATALOGUES[current][id] ?? id;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** The attributes that people read or hear. */
const ATTRIBUTES = ["aria-label", "placeholder", "alt", "title"] as const;

/**
 * Translates the text and the readable attributes of everything under `root` (a screen just
 * cloned from its template, or the page around the screens). Leading and trailing spaces are
 * kept. Templates themselves are never changed (a tree walker does not enter them): they stay
 * English, the source every clone is translated from, so switching back to English works.
 */
export function translateTree(root: Node): void {
  if (current === "en") return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let node: Node | null = walker.currentNode; node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent ?? "";
      const id = normalise(text);
      if (id !== "" && id in CATALOGUES[current]) {
        const lead = /^\s*/.exec(text)?.[0] ?? "";
        const trail = /\s*$/.exec(text)?.[0] ?? "";
        node.textContent = `${lead}${t(id)}${trail}`;
      }
    } else if (node instanceof Element) {
      for (const name of ATTRIBUTES) {
        const value = node.getAttribute(name);
        if (value !== null && normalise(value) in CATALOGUES[current]) {
          node.setAttribute(name, t(normalise(value)));
        }
      }
    }
  }
}

/** A text as a message id: runs of white space (line breaks in the HTML) become one space. */
export function normalise(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The catalogue of `code` (for the tests). */
export function catalogue(code: Language): Readonly<Record<string, string>> {
  return CATALOGUES[code];
}
