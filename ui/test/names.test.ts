// The names that cross IPC agree everywhere: the UI calls each of the core's commands (listed once
// in crates/slate-core/src/ipc_names.rs and carried here by bindings.ts), names no other, and
// the window's capability grants exactly those.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "../src/bindings.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("ipc.ts calls every command of the core's list and no other", () => {
  const source = readFileSync(join(root, "src", "ipc.ts"), "utf8");
  const called = new Set([...source.matchAll(/\bcall<[^>]*>\(\s*"([a-z_]+)"/g)].map((m) => m[1]));
  assert.deepEqual([...called].sort(), [...COMMANDS].sort());
});

test("the capability grants exactly the core's commands (and listening to events)", () => {
  const capability = JSON.parse(
    readFileSync(join(root, "..", "src-tauri", "capabilities", "main.json"), "utf8"),
  ) as { permissions: string[] };
  const own = capability.permissions.filter((p) => !p.startsWith("core:event:"));
  assert.deepEqual(own.sort(), COMMANDS.map((c) => `allow-${c.replaceAll("_", "-")}`).sort());
  assert.deepEqual(
    capability.permissions.filter((p) => p.startsWith("core:")).sort(),
    ["core:event:allow-listen", "core:event:allow-unlisten"],
  );
});
