// Translation: every visible string is looked up in the language's catalogue, gettext-style. The
// English text is the message id (so the page reads right even before anything is translated),
// and each language's catalogue maps it to its own words (`src/locales/*.json`, made into a
// module by scripts/catalogues.mjs; the README there is the translators' guide). Pieces that
// vary are named in braces: t("Welcome, {name}", { name }).
//
// A message about a number of things is a plural message: one text per plural category of the
// language (Intl.PluralRules: "one" and "other" in English; "one", "many" and "other" in French
// and Spanish), the form chosen by the number in its `count` piece. English has its own
// catalogue for those forms ("1 record", "2 records").
//
// Text in the static page and its templates is translated when it is drawn (translateTree);
// text the scripts write goes through t(). Sentences the core sends are passed through t() too,
// so any the catalogue knows are translated; those with figures in them are rebuilt here from
// the structured values the core sends beside them.
import { CATALOGUES } from "./locales/catalogues.js";

export type Language = "en" | "es" | "fr";

/** The languages Slate ships, each named in itself. */
export const LANGUAGES: readonly { code: Language; name: string }[] = [
  { code: "en", name: "English" },
  { code: "es", name: "Español" },
  { code: "fr", name: "Français" },
];

/** A plural message: its text for each plural category the language has ("other" always). */
export type PluralForms = Readonly<Partial<Record<Intl.LDMLPluralRule, string>>> & { readonly other: string };

/** A message of a catalogue: a text, or a plural message's forms. */
export type Message = string | PluralForms;

/** One language's messages, by English message id. */
export type Catalogue = Readonly<Record<string, Message>>;

const BY_LANGUAGE: Readonly<Record<Language, Catalogue>> = CATALOGUES;

let current: Language = "en";
let plurals = new Intl.PluralRules(current);
let numbers = new Intl.NumberFormat(current);

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
  plurals = new Intl.PluralRules(code);
  numbers = new Intl.NumberFormat(code);
  if (typeof document !== "undefined") document.documentElement.lang = code;
}

/**
 * `id` in the current language, with `{name}` pieces filled from `vars` (numbers written the
 * language's way). A plural message takes the form for `vars.count`. A message the language's
 * catalogue lacks is said in English.
 */
export function t(id: string, vars: Record<string, string | number> = {}): string {
  const message = BY_LANGUAGE[current][id] ?? BY_LANGUAGE.en[id] ?? id;
  const text = typeof message === "string" ? message : pluralForm(message, vars.count);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? numbers.format(value) : value;
  });
}

/** The form of a plural message for `count` in the current language ("other" without a count). */
function pluralForm(forms: PluralForms, count: string | number | undefined): string {
  if (typeof count !== "number") return forms.other;
  return forms[plurals.select(count)] ?? forms.other;
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
      if (id !== "" && id in BY_LANGUAGE[current]) {
        const lead = /^\s*/.exec(text)?.[0] ?? "";
        const trail = /\s*$/.exec(text)?.[0] ?? "";
        node.textContent = `${lead}${t(id)}${trail}`;
      }
    } else if (node instanceof Element) {
      for (const name of ATTRIBUTES) {
        const value = node.getAttribute(name);
        if (value !== null && normalise(value) in BY_LANGUAGE[current]) {
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

/** The catalogue of `code` (for the tests and for errors.ts). */
export function catalogue(code: Language): Catalogue {
  return BY_LANGUAGE[code];
}
