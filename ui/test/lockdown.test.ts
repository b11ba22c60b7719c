import { test } from "node:test";
import assert from "node:assert/strict";
import { blockedShortcut } from "../src/lockdown.js";

test("reload, zoom, close, new window and print shortcuts are blocked", () => {
  for (const key of ["r", "R", "w", "q", "n", "t", "p", "+", "=", "-", "0"]) {
    assert.equal(blockedShortcut(key, true), true, `Ctrl+${key}`);
  }
  for (const key of ["F5", "F11", "BrowserRefresh"]) assert.equal(blockedShortcut(key, false), true, key);
});

test("ordinary typing and editing shortcuts pass", () => {
  for (const key of ["r", "w", "a", "Enter", "Tab", "Escape", "0"]) assert.equal(blockedShortcut(key, false), false, key);
  for (const key of ["a", "c", "v", "x", "z"]) assert.equal(blockedShortcut(key, true), false, `Ctrl+${key}`);
});
