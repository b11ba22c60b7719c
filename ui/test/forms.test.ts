import { test } from "node:test";
import assert from "node:assert/strict";
import { charCount, setupProblem as problemOf } from "../src/forms.js";
import type { SetupForm } from "../src/forms.js";
import { t } from "../src/i18n.js";

/** The problem as the English sentence the screen shows. */
function setupProblem(f: SetupForm): string | null {
  const p = problemOf(f);
  return p ? t(p.id, p.vars) : null;
}
import { toIpcError } from "../src/errors.js";

const ok = { username: "ana", displayName: "Ana", password: "correct horse", confirm: "correct horse" };

test("a complete setup form has no problem", () => {
  assert.equal(setupProblem(ok), null);
});

test("the username is required after trimming", () => {
  assert.equal(setupProblem({ ...ok, username: "   " }), "Enter a username.");
});

test("the username is limited to 64 characters, counted as code points", () => {
  assert.equal(setupProblem({ ...ok, username: "é".repeat(64) }), null);
  assert.match(setupProblem({ ...ok, username: "é".repeat(65) }) ?? "", /at most 64/);
});

test("passwords need 8 to 256 characters, spaces and any script allowed", () => {
  assert.match(setupProblem({ ...ok, password: "short", confirm: "short" }) ?? "", /at least 8/);
  const emoji = "🔑".repeat(8);
  assert.equal(charCount(emoji), 8);
  assert.equal(setupProblem({ ...ok, password: emoji, confirm: emoji }), null);
  const long = "a".repeat(257);
  assert.match(setupProblem({ ...ok, password: long, confirm: long }) ?? "", /at most 256/);
});

test("the confirmation must match", () => {
  assert.equal(setupProblem({ ...ok, confirm: "correct horsE" }), "The two passwords are not the same.");
});

test("errors from the core keep their code and sentence", () => {
  // An error without its phrase (an older core) gets its sentence as the phrase.
  assert.deepEqual(toIpcError({ code: "storage", message: "The database failed." }), {
    code: "storage",
    message: "The database failed.",
    phrase: { text: "The database failed.", args: {} },
    retry_after_secs: null,
  });
  const phrase = { text: "There is no user called {user}.", args: { user: { type: "text", value: "bob" } } };
  assert.deepEqual(toIpcError({ code: "not_found", message: "There is no user called bob.", phrase }).phrase, phrase);
  assert.equal(
    toIpcError({ code: "throttled", message: "Too many attempts.", retry_after_secs: 4 }).retry_after_secs,
    4,
  );
});

test("anything else thrown becomes an internal error with a sentence", () => {
  assert.equal(toIpcError("boom").code, "internal");
  assert.equal(toIpcError("boom").message, "boom");
  assert.equal(toIpcError(undefined).code, "internal");
  assert.equal(toIpcError({ code: "nonsense", message: "x" }).code, "internal");
  assert.match(toIpcError(null).message, /Please tell staff/);
});
