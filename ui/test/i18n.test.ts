// The catalogues cover every message, and no more: the text and readable attributes of the page
// and its templates (static/index.html), every message id the scripts pass to t(), the core's
// phrases, errors and settings (their descriptions and labels), and what the shell says (its
// notifications); each catalogue holds exactly those ids, each plural message has every form
// its language needs, and each translation keeps the {pieces} of its English. A string added in
// English and not to a catalogue fails here, naming it. Then: every count shown reads right in
// every language.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LANGUAGES, catalogue, normalise, setLanguage, t } from "../src/i18n.js";
import type { Language, Message } from "../src/i18n.js";

// Compiled to .test-build/test/: the UI's folder is two up.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Strings that are the same in every language: the product's name and sample dates. */
function untranslatable(s: string): boolean {
  return s === "Slate" || s === "#" || /^\d{4}-\d{2}-\d{2}$/.test(s);
}

/** The visible text of index.html: text between tags and the attributes people read or hear. */
function pageStrings(): string[] {
  const html = readFileSync(join(root, "static", "index.html"), "utf8")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style|title)\b[\s\S]*?<\/\1>/g, "")
    // The audit filters' choices are the log's own codes (sign_in, idle), shown as they are.
    .replace(/<option>[a-z_]+<\/option>/g, "");
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

/** Every string literal passed to t( … ) in the scripts, the labels given to the admin panel's
 * per-user buttons (translated inside their helper), and the sentences the scripts hand on to be
 * translated later (a form's problem, an error's sentence, a constant). */
function scriptStrings(): string[] {
  const found = new Set<string>();
  for (const file of scriptFiles(join(root, "src"))) {
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(/\bt\(\s*"((?:[^"\\]|\\.)*)"/g)) found.add(JSON.parse(`"${m[1]}"`));
    for (const m of source.matchAll(/\bbutton\(\s*"([^"]*)",\s*"([^"]*)"/g)) {
      found.add(m[1] ?? "");
      found.add(m[2] ?? "");
    }
    for (const m of source.matchAll(/(?:\bproblem|\bBY_CODE\.\w+|\b\w+:|\b[A-Z_]+ =|\btoIpcError)\s*\(?\s*"([A-Z][^"]*[.?!])"/g)) {
      found.add(m[1] ?? "");
    }
  }
  found.delete("");
  return [...found];
}

/** The Rust files under `dir`, as code only: not the unit tests' samples, not the comments. */
function rustCode(dir: string): string[] {
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(d, e.name)) : e.name.endsWith(".rs") ? [join(d, e.name)] : [],
    );
  return files(dir).map((file) =>
    (readFileSync(file, "utf8").split("#[cfg(test)]\nmod tests")[0] ?? "")
      .split("\n")
      .filter((line) => !line.trim().startsWith("//"))
      .join("\n"),
  );
}

const CORE = join(root, "..", "crates", "slate-core", "src");
const SHELL = join(root, "..", "src-tauri", "src", "shell");
/** The session service, whose refusals the screen shows too. */
const SERVICE = join(root, "..", "crates", "slated", "src");

/** The English templates of the core's phrases (`Phrase::new("…")`, possibly across lines), its
 * errors without pieces, and the settings' descriptions, which the panel shows: the UI says
 * them through the catalogues. */
function coreStrings(): string[] {
  const found = new Set<string>();
  for (const source of [...rustCode(CORE), ...rustCode(SHELL), ...rustCode(SERVICE)]) {
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

/** The settings' labels, which the panel shows (format.ts's settingLabel): the core's own, from
 * the settings table. */
function settingLabels(): string[] {
  const source = readFileSync(join(CORE, "settings", "mod.rs"), "utf8");
  return [...source.matchAll(/\blabel:\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
}

/** What the shell says itself (its notifications): the ids it passes to `t(…)` and `tn(…)` of
 * its `Words` (src-tauri/src/shell/words.rs), which reads these same catalogues. */
function shellStrings(): string[] {
  const found = new Set<string>();
  for (const source of rustCode(SHELL)) {
    for (const m of source.matchAll(/\.tn?\(\s*"((?:[^"\\]|\\.)*)"/g)) found.add(JSON.parse(`"${m[1]}"`));
  }
  return [...found];
}

/** Every message id something shows. */
function usedIds(): Set<string> {
  return new Set([...pageStrings(), ...scriptStrings(), ...coreStrings(), ...settingLabels(), ...shellStrings()]);
}

/** The {pieces} of a text, sorted. */
function pieces(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
}

/** The texts of a message: itself, or each of its plural forms. */
function texts(m: Message): string[] {
  return typeof m === "string" ? [m] : Object.values(m);
}

test("the page, the scripts, the core and the shell show strings", () => {
  // The extraction itself works (a broken pattern would make the next tests pass vacuously).
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
  assert.ok(scriptStrings().includes("{count} records so far"));
  assert.ok(coreStrings().includes("There is no user called {user}."));
  assert.ok(coreStrings().includes("You signed out."));
  assert.ok(coreStrings().includes("{key} must be {bounds}, not {value}."));
  assert.ok(coreStrings().includes("a duration from {min} to {max}"));
  assert.ok(coreStrings().includes("How long a session may go without activity before it ends."));
  assert.ok(coreStrings().includes("The password cannot be the username."));
  assert.ok(settingLabels().includes("Idle timeout"));
  assert.ok(settingLabels().includes("Home page"));
  assert.ok(shellStrings().includes("You will be signed out soon"));
  assert.ok(shellStrings().includes("{count} minutes"));
});

test("the languages are the same everywhere: the UI's list, the catalogues, the core's list", () => {
  const codes = LANGUAGES.map((l) => l.code).sort();
  const files = readdirSync(join(root, "src", "locales"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
  assert.deepEqual(files, codes, "one src/locales/<code>.json for each language of i18n.ts's LANGUAGES");
  const core = /pub const LANGUAGES: &\[&str\] = &\[([^\]]*)\]/.exec(readFileSync(join(CORE, "settings", "mod.rs"), "utf8"));
  const coreCodes = [...(core?.[1] ?? "").matchAll(/"(\w+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual(coreCodes, codes, "the core's settings::LANGUAGES");
});

/** The English catalogue: the source every translation follows (its plural messages too). */
const english = catalogue("en");

for (const { code } of LANGUAGES) {
  test(`the ${code} catalogue holds every message shown`, () => {
    const strings = catalogue(code);
    const missing = [...usedIds()].filter((s) => !(s in strings));
    assert.deepEqual(missing, [], `missing from src/locales/${code}.json:\n${missing.map((m) => JSON.stringify(m)).join("\n")}`);
  });

  test(`the ${code} catalogue holds nothing that is not shown any more`, () => {
    const used = usedIds();
    const stale = Object.keys(catalogue(code)).filter((id) => !used.has(id));
    assert.deepEqual(stale, [], `stale in src/locales/${code}.json:\n${stale.map((m) => JSON.stringify(m)).join("\n")}`);
  });

  test(`${code} plural messages have every form ${code} needs, and only plural messages do`, () => {
    const needed = new Intl.PluralRules(code).resolvedOptions().pluralCategories.slice().sort();
    for (const [id, message] of Object.entries(catalogue(code))) {
      const source = english[id];
      if (typeof source === "object") {
        assert.equal(typeof message, "object", `${code}: ${JSON.stringify(id)} is a plural message in English`);
        assert.deepEqual(Object.keys(message).sort(), needed, `${code}: the forms of ${JSON.stringify(id)}`);
      } else {
        assert.equal(typeof message, "string", `${code}: ${JSON.stringify(id)} is not a plural message in English`);
      }
    }
  });

  test(`${code} translations keep every {piece} of their English`, () => {
    for (const [id, message] of Object.entries(catalogue(code))) {
      for (const text of texts(message)) {
        assert.deepEqual(pieces(text), pieces(id), `${code}: ${JSON.stringify(id)} → ${JSON.stringify(text)}`);
        assert.notEqual(text.trim(), "", `${code}: ${JSON.stringify(id)} is empty`);
      }
    }
  });
}

test("English says each message as its id, and each plural message's other form is its id", () => {
  for (const [id, message] of Object.entries(english)) {
    assert.equal(typeof message === "string" ? message : message.other, id);
  }
});

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

test("a phrase of the core takes the plural form for its count", async () => {
  const { say } = await import("../src/format.js");
  const intact = (count: number) =>
    say({
      text: "The audit log is intact: {count} records, head {head}.",
      args: { count: { type: "number", value: count }, head: { type: "text", value: "1:ab" } },
    });
  assert.equal(intact(1), "The audit log is intact: 1 record, head 1:ab.");
  try {
    setLanguage("es");
    assert.equal(intact(1), "El registro de auditoría está intacto: 1 registro, cabeza 1:ab.");
    assert.equal(intact(1_000_000), "El registro de auditoría está intacto: 1.000.000 de registros, cabeza 1:ab.");
    setLanguage("fr");
    assert.equal(intact(0), "Le journal d'audit est intact\u00a0: 0 enregistrement, tête 1:ab.");
    assert.equal(intact(1_000_000), "Le journal d'audit est intact\u00a0: 1\u202f000\u202f000 d'enregistrements, tête 1:ab.");
  } finally {
    setLanguage("en");
  }
});

/**
 * Every count shown, as it reads with 0, 1, 2 and 5 in each language: each plural message of
 * the catalogues (those of the screens, the core's phrases and the shell's durations), filled as
 * the code that shows it fills it. French says 0 in the singular; Spanish and English do not.
 * No-break spaces are compared as spaces: French puts them before a colon, and Intl between
 * some numbers and units (ICU's versions differ on which).
 */
const COUNTS: Record<string, { vars?: Record<string, string>; say: Record<Language, [string, string, string, string]> }> = {
  "{count} failed sign-ins in a row": {
    say: {
      en: ["0 failed sign-ins in a row", "1 failed sign-in in a row", "2 failed sign-ins in a row", "5 failed sign-ins in a row"],
      es: [
        "0 inicios de sesión fallidos seguidos",
        "1 inicio de sesión fallido seguido",
        "2 inicios de sesión fallidos seguidos",
        "5 inicios de sesión fallidos seguidos",
      ],
      fr: [
        "0 connexion échouée à la suite",
        "1 connexion échouée à la suite",
        "2 connexions échouées à la suite",
        "5 connexions échouées à la suite",
      ],
    },
  },
  "{count} records so far": {
    say: {
      en: ["0 records so far", "1 record so far", "2 records so far", "5 records so far"],
      es: ["0 registros hasta ahora", "1 registro hasta ahora", "2 registros hasta ahora", "5 registros hasta ahora"],
      fr: ["0 enregistrement à ce jour", "1 enregistrement à ce jour", "2 enregistrements à ce jour", "5 enregistrements à ce jour"],
    },
  },
  "The audit log is intact: {count} records, head {head}.": {
    vars: { head: "9:ab" },
    say: {
      en: [
        "The audit log is intact: 0 records, head 9:ab.",
        "The audit log is intact: 1 record, head 9:ab.",
        "The audit log is intact: 2 records, head 9:ab.",
        "The audit log is intact: 5 records, head 9:ab.",
      ],
      es: [
        "El registro de auditoría está intacto: 0 registros, cabeza 9:ab.",
        "El registro de auditoría está intacto: 1 registro, cabeza 9:ab.",
        "El registro de auditoría está intacto: 2 registros, cabeza 9:ab.",
        "El registro de auditoría está intacto: 5 registros, cabeza 9:ab.",
      ],
      fr: [
        "Le journal d'audit est intact : 0 enregistrement, tête 9:ab.",
        "Le journal d'audit est intact : 1 enregistrement, tête 9:ab.",
        "Le journal d'audit est intact : 2 enregistrements, tête 9:ab.",
        "Le journal d'audit est intact : 5 enregistrements, tête 9:ab.",
      ],
    },
  },
  "A username can have at most {count} characters.": {
    say: {
      en: [
        "A username can have at most 0 characters.",
        "A username can have at most 1 character.",
        "A username can have at most 2 characters.",
        "A username can have at most 5 characters.",
      ],
      es: [
        "Un nombre de usuario puede tener como máximo 0 caracteres.",
        "Un nombre de usuario puede tener como máximo 1 carácter.",
        "Un nombre de usuario puede tener como máximo 2 caracteres.",
        "Un nombre de usuario puede tener como máximo 5 caracteres.",
      ],
      fr: [
        "Un nom d'utilisateur peut avoir au plus 0 caractère.",
        "Un nom d'utilisateur peut avoir au plus 1 caractère.",
        "Un nom d'utilisateur peut avoir au plus 2 caractères.",
        "Un nom d'utilisateur peut avoir au plus 5 caractères.",
      ],
    },
  },
  "The password needs at least {count} characters.": {
    say: {
      en: [
        "The password needs at least 0 characters.",
        "The password needs at least 1 character.",
        "The password needs at least 2 characters.",
        "The password needs at least 5 characters.",
      ],
      es: [
        "La contraseña necesita al menos 0 caracteres.",
        "La contraseña necesita al menos 1 carácter.",
        "La contraseña necesita al menos 2 caracteres.",
        "La contraseña necesita al menos 5 caracteres.",
      ],
      fr: [
        "Le mot de passe doit avoir au moins 0 caractère.",
        "Le mot de passe doit avoir au moins 1 caractère.",
        "Le mot de passe doit avoir au moins 2 caractères.",
        "Le mot de passe doit avoir au moins 5 caractères.",
      ],
    },
  },
  "The password can have at most {count} characters.": {
    say: {
      en: [
        "The password can have at most 0 characters.",
        "The password can have at most 1 character.",
        "The password can have at most 2 characters.",
        "The password can have at most 5 characters.",
      ],
      es: [
        "La contraseña puede tener como máximo 0 caracteres.",
        "La contraseña puede tener como máximo 1 carácter.",
        "La contraseña puede tener como máximo 2 caracteres.",
        "La contraseña puede tener como máximo 5 caracteres.",
      ],
      fr: [
        "Le mot de passe peut avoir au plus 0 caractère.",
        "Le mot de passe peut avoir au plus 1 caractère.",
        "Le mot de passe peut avoir au plus 2 caractères.",
        "Le mot de passe peut avoir au plus 5 caractères.",
      ],
    },
  },
  "{key} can have at most {count} characters and no line breaks.": {
    vars: { key: "X" },
    say: {
      en: [
        "X can have at most 0 characters and no line breaks.",
        "X can have at most 1 character and no line breaks.",
        "X can have at most 2 characters and no line breaks.",
        "X can have at most 5 characters and no line breaks.",
      ],
      es: [
        "X puede tener como máximo 0 caracteres y ningún salto de línea.",
        "X puede tener como máximo 1 carácter y ningún salto de línea.",
        "X puede tener como máximo 2 caracteres y ningún salto de línea.",
        "X puede tener como máximo 5 caracteres y ningún salto de línea.",
      ],
      fr: [
        "X peut avoir au plus 0 caractère et aucun saut de ligne.",
        "X peut avoir au plus 1 caractère et aucun saut de ligne.",
        "X peut avoir au plus 2 caractères et aucun saut de ligne.",
        "X peut avoir au plus 5 caractères et aucun saut de ligne.",
      ],
    },
  },
  "text of at most {count} characters": {
    say: {
      en: ["text of at most 0 characters", "text of at most 1 character", "text of at most 2 characters", "text of at most 5 characters"],
      es: [
        "un texto de como máximo 0 caracteres",
        "un texto de como máximo 1 carácter",
        "un texto de como máximo 2 caracteres",
        "un texto de como máximo 5 caracteres",
      ],
      fr: ["un texte d'au plus 0 caractère", "un texte d'au plus 1 caractère", "un texte d'au plus 2 caractères", "un texte d'au plus 5 caractères"],
    },
  },
  "Made {count} guest passes: print them now, they are not shown again.": {
    say: {
      en: ["Made 0 guest passes: print them now, they are not shown again.", "Made 1 guest pass: print it now, it is not shown again.", "Made 2 guest passes: print them now, they are not shown again.", "Made 5 guest passes: print them now, they are not shown again."],
      es: ["Se han creado 0 pases de invitado: imprímalos ahora, no se volverán a mostrar.", "Se ha creado 1 pase de invitado: imprímalo ahora, no se volverá a mostrar.", "Se han creado 2 pases de invitado: imprímalos ahora, no se volverán a mostrar.", "Se han creado 5 pases de invitado: imprímalos ahora, no se volverán a mostrar."],
      fr: ["0 pass invité créé : imprimez-le maintenant, il ne sera plus affiché.", "1 pass invité créé : imprimez-le maintenant, il ne sera plus affiché.", "2 pass invités créés : imprimez-les maintenant, ils ne seront plus affichés.", "5 pass invités créés : imprimez-les maintenant, ils ne seront plus affichés."],
    },
  },
  "Revoke {count} unused passes?": {
    say: {
      en: ["Revoke 0 unused passes?", "Revoke 1 unused pass?", "Revoke 2 unused passes?", "Revoke 5 unused passes?"],
      es: ["¿Revocar 0 pases sin usar?", "¿Revocar 1 pase sin usar?", "¿Revocar 2 pases sin usar?", "¿Revocar 5 pases sin usar?"],
      fr: ["Révoquer 0 pass inutilisé ?", "Révoquer 1 pass inutilisé ?", "Révoquer 2 pass inutilisés ?", "Révoquer 5 pass inutilisés ?"],
    },
  },
  "Revoked {count} unused guest passes.": {
    say: {
      en: ["Revoked 0 unused guest passes.", "Revoked 1 unused guest pass.", "Revoked 2 unused guest passes.", "Revoked 5 unused guest passes."],
      es: ["Se han revocado 0 pases de invitado sin usar.", "Se ha revocado 1 pase de invitado sin usar.", "Se han revocado 2 pases de invitado sin usar.", "Se han revocado 5 pases de invitado sin usar."],
      fr: ["0 pass invité inutilisé révoqué.", "1 pass invité inutilisé révoqué.", "2 pass invités inutilisés révoqués.", "5 pass invités inutilisés révoqués."],
    },
  },
  "at most {count} sites.": {
    say: {
      en: ["at most 0 sites.", "at most 1 site.", "at most 2 sites.", "at most 5 sites."],
      es: ["como máximo 0 sitios.", "como máximo 1 sitio.", "como máximo 2 sitios.", "como máximo 5 sitios."],
      fr: ["au plus 0 site.", "au plus 1 site.", "au plus 2 sites.", "au plus 5 sites."],
    },
  },
  // The idle warning's announcement: the count is the number its duration says.
  "{duration} left.": {
    say: {
      en: ["0 seconds left.", "1 second left.", "2 seconds left.", "5 seconds left."],
      es: ["Quedan 0 segundos.", "Queda 1 segundo.", "Quedan 2 segundos.", "Quedan 5 segundos."],
      fr: ["Il reste 0 seconde.", "Il reste 1 seconde.", "Il reste 2 secondes.", "Il reste 5 secondes."],
    },
  },
  // The shell's durations (its notifications); here through t(), there through its Words.
  "{count} seconds": {
    say: {
      en: ["0 seconds", "1 second", "2 seconds", "5 seconds"],
      es: ["0 segundos", "1 segundo", "2 segundos", "5 segundos"],
      fr: ["0 seconde", "1 seconde", "2 secondes", "5 secondes"],
    },
  },
  "{count} minutes": {
    say: {
      en: ["0 minutes", "1 minute", "2 minutes", "5 minutes"],
      es: ["0 minutos", "1 minuto", "2 minutos", "5 minutos"],
      fr: ["0 minute", "1 minute", "2 minutes", "5 minutes"],
    },
  },
  "{count} hours": {
    say: {
      en: ["0 hours", "1 hour", "2 hours", "5 hours"],
      es: ["0 horas", "1 hora", "2 horas", "5 horas"],
      fr: ["0 heure", "1 heure", "2 heures", "5 heures"],
    },
  },
};

/** Intl's no-break spaces as plain spaces. */
function spaced(s: string): string {
  return s.replace(/[\u00a0\u202f]/g, " ");
}

test("the count table covers every plural message", () => {
  const plural = Object.keys(english).filter((id) => typeof english[id] === "object").sort();
  assert.deepEqual(Object.keys(COUNTS).sort(), plural);
});

for (const { code } of LANGUAGES) {
  test(`every count reads right with 0, 1, 2 and 5 in ${code}`, async () => {
    const { spokenCount, spokenDuration } = await import("../src/format.js");
    setLanguage(code);
    try {
      for (const [id, { vars = {}, say }] of Object.entries(COUNTS)) {
        const got = [0, 1, 2, 5].map((n) =>
          spaced(
            id === "{duration} left."
              ? t(id, { duration: spokenDuration(n), count: spokenCount(n) })
              : t(id, { ...vars, count: n }),
          ),
        );
        assert.deepEqual(got, say[code], `${code}: ${id}`);
      }
    } finally {
      setLanguage("en");
    }
  });
}

test("durations, sizes and exact durations count right with 0, 1, 2 and 5 in every language", async () => {
  const { exactDuration, fileSize, spokenDuration } = await import("../src/format.js");
  const expected: Record<Language, { spoken: string[]; minutes: string[]; hours: string[]; exact: string[]; bytes: string[] }> = {
    en: {
      spoken: ["0 seconds", "1 second", "2 seconds", "5 seconds"],
      minutes: ["1 minute", "2 minutes", "5 minutes"],
      hours: ["1 hour", "2 hours", "5 hours"],
      exact: ["0 seconds", "1 day, 1 hour, 1 minute, 1 second", "2 days, 2 hours, 2 minutes, 2 seconds", "5 days, 5 hours, 5 minutes, 5 seconds"],
      bytes: ["0 bytes", "1 byte", "2 bytes", "5 bytes"],
    },
    es: {
      spoken: ["0 segundos", "1 segundo", "2 segundos", "5 segundos"],
      minutes: ["1 minuto", "2 minutos", "5 minutos"],
      hours: ["1 hora", "2 horas", "5 horas"],
      exact: ["0 segundos", "1 día, 1 hora, 1 minuto y 1 segundo", "2 días, 2 horas, 2 minutos y 2 segundos", "5 días, 5 horas, 5 minutos y 5 segundos"],
      bytes: ["0 bytes", "1 byte", "2 bytes", "5 bytes"],
    },
    fr: {
      spoken: ["0 seconde", "1 seconde", "2 secondes", "5 secondes"],
      minutes: ["1 minute", "2 minutes", "5 minutes"],
      hours: ["1 heure", "2 heures", "5 heures"],
      exact: ["0 seconde", "1 jour, 1 heure, 1 minute et 1 seconde", "2 jours, 2 heures, 2 minutes et 2 secondes", "5 jours, 5 heures, 5 minutes et 5 secondes"],
      bytes: ["0 octet", "1 octet", "2 octets", "5 octets"],
    },
  };
  const every = (n: number) => n * 86_400 + n * 3600 + n * 60 + n;
  for (const { code } of LANGUAGES) {
    setLanguage(code);
    try {
      const want = expected[code];
      const said = (values: number[], format: (n: number) => string) => values.map((n) => spaced(format(n)));
      assert.deepEqual(said([0, 1, 2, 5], spokenDuration), want.spoken, `${code}: seconds`);
      assert.deepEqual(said([60, 120, 300], spokenDuration), want.minutes, `${code}: minutes`);
      assert.deepEqual(said([3600, 7200, 18_000], spokenDuration), want.hours, `${code}: hours`);
      assert.deepEqual(said([0, 1, 2, 5].map(every), exactDuration), want.exact, `${code}: exact durations`);
      assert.deepEqual(said([0, 1, 2, 5], fileSize), want.bytes, `${code}: sizes`);
    } finally {
      setLanguage("en");
    }
  }
});
