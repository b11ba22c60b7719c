// Formatting what the core announces for people to read, in the language of the screen.
import { language } from "./i18n.js";

/** "4:05" or "1:02:03" for a countdown of whole seconds. */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** "1 second", "45 seconds", "5 minutes", "1 hour", in the current language ("5 minutos"). */
export function spokenDuration(totalSeconds: number): string {
  const [n, unit] =
    totalSeconds < 60
      ? [totalSeconds, "second"]
      : totalSeconds < 3600
        ? [Math.ceil(totalSeconds / 60), "minute"]
        : [Math.round(totalSeconds / 3600), "hour"];
  return new Intl.NumberFormat(language(), { style: "unit", unit, unitDisplay: "long" }).format(n);
}

/** Whether a screen reader should hear the idle countdown at this value (not every second). */
export function announceCountdownAt(secondsLeft: number): boolean {
  return [60, 30, 20, 10, 5].includes(secondsLeft);
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
