import { test } from "node:test";
import assert from "node:assert/strict";
import { Coalescer, ACTIVITY_EVENTS, MoveFilter } from "../src/activity.js";
import { announceCountdownAt, clock, spokenDuration, timeLeft } from "../src/format.js";

function rig() {
  let now = 0;
  const sent: number[] = [];
  const timers: { at: number; fn: () => void }[] = [];
  const c = new Coalescer(
    () => sent.push(now),
    1000,
    () => now,
    (fn, ms) => timers.push({ at: now + ms, fn }),
  );
  const advance = (ms: number) => {
    now += ms;
    const due = timers.filter((t) => t.at <= now);
    timers.splice(0, timers.length, ...timers.filter((t) => t.at > now));
    for (const t of due) t.fn();
  };
  return { c, sent, advance, timers };
}

test("activity is reported at once, then at most once a second", () => {
  const { c, sent, advance } = rig();
  c.report();
  assert.deepEqual(sent, [0]);
  for (let i = 0; i < 50; i++) {
    advance(10);
    c.report();
  }
  assert.deepEqual(sent, [0], "nothing more within the second");
  advance(499);
  assert.deepEqual(sent, [0], "still within the second");
  advance(1);
  assert.deepEqual(sent, [0, 1000], "the folded reports go out when the second ends");
  advance(5000);
  c.report();
  assert.deepEqual(sent, [0, 1000, 6000]);
});

test("a lone report after a quiet spell is not delayed", () => {
  const { c, sent, advance, timers } = rig();
  advance(10_000);
  c.report();
  assert.deepEqual(sent, [10_000]);
  assert.equal(timers.length, 0);
});

test("the events that count include touch, wheel and IME composition", () => {
  for (const e of ["pointermove", "keydown", "touchstart", "wheel", "input", "compositionupdate"]) {
    assert.ok((ACTIVITY_EVENTS as readonly string[]).includes(e), e);
  }
});

test("countdowns read as clocks and as words", () => {
  assert.equal(clock(0), "0:00");
  assert.equal(clock(65), "1:05");
  assert.equal(clock(3723), "1:02:03");
  assert.equal(timeLeft({ unit: "seconds", count: 120 }), "2:00");
  assert.equal(timeLeft({ unit: "minutes", count: 42 }), "42 min");
  assert.equal(timeLeft({ unit: "minutes", count: 60 }), "1 hr");
  assert.equal(timeLeft({ unit: "minutes", count: 65 }), "1 hr 5 min");
  assert.equal(spokenDuration(1), "1 second");
  assert.equal(spokenDuration(59), "59 seconds");
  assert.equal(spokenDuration(300), "5 minutes");
  assert.equal(spokenDuration(3600), "1 hour");
});

test("the countdown is announced at sensible moments, not every second", () => {
  const said = Array.from({ length: 61 }, (_, i) => i).filter(announceCountdownAt);
  assert.deepEqual(said, [5, 10, 20, 30, 60]);
});

test("a pointer resting in one place is not activity", () => {
  const f = new MoveFilter();
  assert.equal(f.moved(10, 10), true);
  assert.equal(f.moved(10, 10), false);
  assert.equal(f.moved(10, 10), false);
  assert.equal(f.moved(11, 10), true);
});

test("durations and sizes are said in the screen's language", async () => {
  const { setLanguage } = await import("../src/i18n.js");
  const { fileSize } = await import("../src/format.js");
  setLanguage("es");
  try {
    assert.equal(spokenDuration(300), "5 minutos");
    assert.equal(spokenDuration(1), "1 segundo");
    assert.equal(fileSize(1536), "1,5 kB");
  } finally {
    setLanguage("en");
  }
  assert.equal(spokenDuration(300), "5 minutes");
  assert.equal(fileSize(512), "512 bytes");
});

test("a time of day is the terminal's wall time on the 24-hour clock, a day its name", async () => {
  const { setLanguage } = await import("../src/i18n.js");
  const { clockTime, weekday } = await import("../src/format.js");
  // 2026-12-07 is a Monday.
  assert.equal(clockTime("2026-12-07T16:45"), "16:45");
  assert.equal(clockTime("2026-12-07T09:05"), "09:05");
  assert.equal(weekday("2026-12-07T09:00"), "Monday");
  setLanguage("es");
  try {
    assert.equal(clockTime("2026-12-07T00:00"), "00:00");
    assert.equal(weekday("2026-12-07T09:00"), "lunes");
  } finally {
    setLanguage("en");
  }
  // Not a local time the core sends: shown as it came.
  assert.equal(clockTime("soon"), "soon");
});
