// Every visible string has a translation: the text and readable attributes of the page and its
// templates (static/index.html), and every message id the scripts pass to t(). A string added in
// English and not to a catalogue fails here, naming it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LANGUAGES, catalogue, normalise, setLanguage, t } from "../src/i18n.js";

// Compiled to .test-build/test/: the UI's folder is two up.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Strings that are the same in every language: the product's name, codes and sample dates. */
function untranslatable(s: string): boolean {
  return s === "Slate" || s === "#" || /^[a-z_]+$/.test(s) || /^\d{4}-\d{2}-\d{2}$/.test(s);
}

/** The visible text of index.html: text between tags and the attributes people read or hear. */
function pageStrings(): string[] {
  const html = readFileSync(join(root, "static", "index.html"), "utf8")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style|title)\b[\s\S]*?<\/\1>/g, "");
  const found = new Set<string>();
  for (const m of html.matchAll(/\b(?:aria-label|placeholder|alt|title)="([^"]*)"/g)) {
    if (m[1]) found.add(normalise(m[1]));
  }
  for (const m of html.matchAll(/>([^<]+)</g)) {
    const text = normalise((m[1] ?? "").replace(/&amp;/g, "&"));
    if (text !== "") found.add(text);
  }
  return [...found].filter((s) => !untranslatable(s));
}

/** Every string literal passed to t( … ) in the scripts, and the labels given to the admin
 * panel's per-user buttons (translated inside their helper). */
function scriptStrings(): string[] {
  const dir = join(root, "src");
  const found = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(join(dir, file), "utf8");
    for (const m of source.matchAll(/\bt\(\s*"((?:[^"\\]|\\.)*)"/g)) found.add(JSON.parse(`"${m[1]}"`));
    for (const m of source.matchAll(/\bbutton\(\s*"([^"]*)",\s*"([^"]*)"/g)) {
      found.add(m[1] ?? "");
      found.add(m[2] ?? "");
    }
    for (const m of source.matchAll(/\b(?:problem|BY_CODE\.\w+|\w+:)\s*\(?\s*"([A-Z][^"]*[.?!])"/g)) {
      found.add(m[1] ?? "");
    }
  }
  found.delete("");
  return [...found];
}

test("the page and the scripts show strings", () => {
  // The extraction itself works (a broken pattern would make the next test pass vacuously).
  assert.ok(pageStrings().includes("Sign in"));
  assert.ok(pageStrings().includes("Text and colours"));
  assert.ok(scriptStrings().includes("Welcome, {name}"));
  assert.ok(scriptStrings().includes("Remove {user}"));
  assert.ok(scriptStrings().includes("Wrong username or password."));
  assert.ok(scriptStrings().includes("Enter a username."));
});

for (const { code } of LANGUAGES.filter((l) => l.code !== "en")) {
  test(`every visible string has a ${code} translation`, () => {
    const strings = catalogue(code);
    const missing = [...pageStrings(), ...scriptStrings()].filter((s) => !(s in strings));
    assert.deepEqual(missing, [], `missing from src/locales/${code}.ts`);
  });

  test(`${code} translations keep every {piece} of their English`, () => {
    for (const [id, text] of Object.entries(catalogue(code))) {
      const pieces = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(pieces(text), pieces(id), `${code}: ${id}`);
      assert.notEqual(text.trim(), "", `${code}: ${id} is empty`);
    }
  });
}

test("t() fills pieces and falls back to the English id", () => {
  setLanguage("es");
  assert.equal(t("Welcome, {name}", { name: "Ana" }), "Bienvenido, Ana");
  assert.equal(t("A sentence nobody translated."), "A sentence nobody translated.");
  setLanguage("en");
  assert.equal(t("Welcome, {name}", { name: "Ana" }), "Welcome, Ana");
});
