// Formatting what the core announces for people to read, in the language of the screen.
import type { Arg, Phrase, TimeLeft } from "./bindings.js";
import { language, t } from "./i18n.js";
import { SETTING_LABELS } from "./setting-labels.js";

/**
 * A phrase of the core in the current language: its English template looked up in the
 * catalogue (a sentence the catalogue lacks stays English), and each piece formatted for the
 * language — numbers, exact durations, local times, phrases inside phrases. A plural message
 * takes the form for its `count` piece.
 */
export function say(p: Phrase): string {
  const pieces: Record<string, string | number> = {};
  for (const [name, arg] of Object.entries(p.args)) pieces[name] = arg.type === "number" ? arg.value : piece(arg);
  return t(p.text, pieces);
}

function piece(arg: Arg): string {
  switch (arg.type) {
    case "text":
      return arg.value;
    case "setting":
      return settingLabel(arg.value);
    case "number":
      return new Intl.NumberFormat(language()).format(arg.value);
    case "seconds":
      return exactDuration(arg.value);
    case "time":
      return localTime(arg.value);
    case "clock":
      return clockTime(arg.value);
    case "weekday":
      return weekday(arg.value);
    case "phrase":
      return say(arg.value);
  }
}

/** "1 minute, 30 seconds" / "1 minuto y 30 segundos": every unit, nothing rounded. */
export function exactDuration(totalSeconds: number): string {
  const units = [
    [86_400, "day"],
    [3600, "hour"],
    [60, "minute"],
    [1, "second"],
  ] as const;
  let left = Math.max(0, Math.floor(totalSeconds));
  const parts: string[] = [];
  for (const [size, unit] of units) {
    const n = Math.floor(left / size);
    left %= size;
    if (n > 0 || (unit === "second" && parts.length === 0)) {
      parts.push(new Intl.NumberFormat(language(), { style: "unit", unit, unitDisplay: "long" }).format(n));
    }
  }
  return new Intl.ListFormat(language(), { style: "long", type: "unit" }).format(parts);
}

/** What the panel calls a setting ("ldap_bind_dn" → "Directory service account (DN)"), in the
 * current language; the key itself for one this build does not know. */
export function settingLabel(key: string): string {
  const label = SETTING_LABELS[key];
  return label === undefined ? key : t(label);
}

/** A time for people, in the screen's language ("21/11/2026, 10:00:00" in Spanish). */
export function localTime(iso: string | null): string {
  if (!iso) return t("Never");
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(language());
}

/** The terminal's local `YYYY-MM-DDTHH:MM` as a date of this screen's clock (the core has already
 * put it in the terminal's time zone: the same wall time, whatever the browser's zone). */
function civil(local: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) : null;
}

/** "16:45" for a local time: on the 24-hour clock in every language, as the opening hours are
 * written (`09:00-20:00`), so the time a person reads is the one staff set. */
export function clockTime(local: string): string {
  const d = civil(local);
  return d ? d.toLocaleTimeString(language(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }) : local;
}

/** "Monday" / "lunes" for a local time. */
export function weekday(local: string): string {
  const d = civil(local);
  return d ? d.toLocaleDateString(language(), { weekday: "long" }) : local;
}

/** "4:05" or "1:02:03" for a countdown of whole seconds. */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** What the session bar says is left of the time limit: "42 min", "1 hr 5 min" (in the
 * screen's language) while the core counts minutes, "1:45" in the last two minutes. */
export function timeLeft(left: TimeLeft): string {
  if (left.unit === "seconds") return clock(left.count);
  const short = (unit: "hour" | "minute", n: number) =>
    new Intl.NumberFormat(language(), { style: "unit", unit, unitDisplay: "short" }).format(n);
  const h = Math.floor(left.count / 60);
  const m = left.count % 60;
  if (h === 0) return short("minute", m);
  return m === 0 ? short("hour", h) : `${short("hour", h)} ${short("minute", m)}`;
}

/** "1 second", "45 seconds", "5 minutes", "1 hour", in the current language ("5 minutos"). */
export function spokenDuration(totalSeconds: number): string {
  const [n, unit] = spokenParts(totalSeconds);
  return new Intl.NumberFormat(language(), { style: "unit", unit, unitDisplay: "long" }).format(n);
}

/** The number a spoken duration says (5 for "5 minutes"): the `count` of a sentence around it
 * whose words agree with it (Spanish "Queda 1 minuto", "Quedan 5 minutos"). */
export function spokenCount(totalSeconds: number): number {
  return spokenParts(totalSeconds)[0];
}

function spokenParts(totalSeconds: number): [number, "second" | "minute" | "hour"] {
  return totalSeconds < 60
    ? [totalSeconds, "second"]
    : totalSeconds < 3600
      ? [Math.ceil(totalSeconds / 60), "minute"]
      : [Math.round(totalSeconds / 3600), "hour"];
}

/** Whether a screen reader should hear the idle countdown at this value (not every second). */
export function announceCountdownAt(secondsLeft: number): boolean {
  return [60, 30, 20, 10, 5].includes(secondsLeft);
}

/** A size set in megabytes (a setting's value, as the administrator wrote it): "500 MB". */
export function megabytes(mb: number): string {
  return new Intl.NumberFormat(language(), { style: "unit", unit: "megabyte", unitDisplay: "short" }).format(mb);
}

/** "512 bytes", "1.5 KB", "20 MB", in the current language ("1,5 kB"). */
export function fileSize(bytes: number): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return new Intl.NumberFormat(language(), {
    style: "unit",
    unit: units[i],
    unitDisplay: i === 0 ? "long" : "short",
    maximumFractionDigits: v < 10 && i > 0 ? 1 : 0,
  }).format(v);
}
