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

/** Every .ts file under `dir`, in its subfolders too (the screens and the panel's sections). */
function scriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return scriptFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every string literal passed to t( … ) in the scripts, and the labels given to the admin
 * panel's per-user buttons (translated inside their helper). */
function scriptStrings(): string[] {
  const found = new Set<string>();
  for (const file of scriptFiles(join(root, "src"))) {
    const source = readFileSync(file, "utf8");
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

/** The English templates of the core's phrases (`Phrase::new("…")`, possibly across lines), its
 * errors without pieces, and the settings' descriptions, which the panel shows: the UI says
 * them through the catalogues. */
function coreStrings(): string[] {
  const dirs = [join(root, "..", "crates", "slate-core", "src"), join(root, "..", "src-tauri", "src", "shell")];
  const rustFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? rustFiles(join(dir, e.name)) : e.name.endsWith(".rs") ? [join(dir, e.name)] : [],
    );
  const files = dirs.flatMap(rustFiles);
  const found = new Set<string>();
  for (const file of files) {
    // The code only: not the unit tests' samples, not the comments.
    const source = (readFileSync(file, "utf8").split("#[cfg(test)]\nmod tests")[0] ?? "")
      .split("\n")
      .filter((line) => !line.trim().startsWith("//"))
      .join("\n");
    for (const m of source.matchAll(/\bPhrase::new\(\s*"((?:[^"\\]|\\.)*)"/g)) {
      found.add(JSON.parse(`"${m[1]}"`));
    }
    // Errors with no pieces are sentences on their own (those with pieces are phrases).
    for (const m of source.matchAll(/#\[error\(\s*"((?:[^"\\{]|\\.)*)"\s*\)\]/g)) {
      found.add(JSON.parse(`"${m[1]}"`));
    }
    for (const m of source.matchAll(/\bdescription:\s*"((?:[^"\\]|\\.)*)"/g)) {
      found.add(JSON.parse(`"${m[1]}"`));
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
  // The screens' and the panel sections' own folders are scanned too.
  assert.ok(scriptStrings().includes("Your session ends in {duration}. Save what you need now."));
  assert.ok(scriptStrings().includes("Use default for {setting}"));
  assert.ok(scriptStrings().includes("Upload {name}"));
  assert.ok(scriptStrings().includes("Wrong username or password."));
  assert.ok(scriptStrings().includes("Enter a username."));
  assert.ok(coreStrings().includes("There is no user called {user}."));
  assert.ok(coreStrings().includes("You signed out."));
  assert.ok(coreStrings().includes("{key} must be {bounds}, not {value}."));
  assert.ok(coreStrings().includes("a duration from {min} to {max}"));
  assert.ok(coreStrings().includes("How long a session may go without activity before it ends."));
  assert.ok(coreStrings().includes("The password cannot be the username."));
});

for (const { code } of LANGUAGES.filter((l) => l.code !== "en")) {
  test(`every visible string has a ${code} translation`, () => {
    const strings = catalogue(code);
    const missing = [...pageStrings(), ...scriptStrings(), ...coreStrings()].filter((s) => !(s in strings));
    assert.deepEqual(missing, [], `missing from src/locales/${code}.ts:\n${missing.map((m) => JSON.stringify(m)).join("\n")}`);
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

test("the core's phrases are said in the screen's language, pieces formatted for it", async () => {
  const { say, exactDuration } = await import("../src/format.js");
  type Phrase = import("../src/bindings.js").Phrase;
  // What the core sends for `idle_timeout = soon` (see SettingError::phrase).
  const refused: Phrase = {
    text: "{key} must be {bounds}, not {value}.",
    args: {
      key: { type: "setting", value: "idle_timeout" },
      bounds: {
        type: "phrase",
        value: {
          text: "a duration from {min} to {max}",
          args: { min: { type: "seconds", value: 30 }, max: { type: "seconds", value: 86_400 } },
        },
      },
      value: { type: "text", value: '"soon"' },
    },
  };
  const records: Phrase = {
    text: "The audit log is intact: {count} records, head {head}.",
    args: { count: { type: "number", value: 12_345 }, head: { type: "text", value: "12345:ab" } },
  };
  assert.equal(say(refused), 'Idle timeout must be a duration from 30 seconds to 1 day, not "soon".');
  assert.equal(say(records), "The audit log is intact: 12,345 records, head 12345:ab.");
  assert.equal(exactDuration(90), "1 minute, 30 seconds");
  setLanguage("es");
  try {
    assert.equal(say(refused), 'Tiempo de inactividad debe ser una duración de 30 segundos a 1 día, no "soon".');
    assert.equal(say(records), "El registro de auditoría está intacto: 12.345 registros, cabeza 12345:ab.");
    assert.equal(exactDuration(5400), "1 hora y 30 minutos");
    // A sentence no catalogue holds (a library's own words) stays as the core wrote it.
    assert.equal(say({ text: "disk I/O error", args: {} }), "disk I/O error");
  } finally {
    setLanguage("en");
  }
});
