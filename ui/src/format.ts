// Formatting what the core announces for people to read.

/** "4:05" or "1:02:03" for a countdown of whole seconds. */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** "1 second", "45 seconds", "5 minutes", "1 hour". */
export function spokenDuration(totalSeconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (totalSeconds < 60) return plural(totalSeconds, "second");
  if (totalSeconds < 3600) return plural(Math.ceil(totalSeconds / 60), "minute");
  return plural(Math.round(totalSeconds / 3600), "hour");
}

/** Whether a screen reader should hear the idle countdown at this value (not every second). */
export function announceCountdownAt(secondsLeft: number): boolean {
  return [60, 30, 20, 10, 5].includes(secondsLeft);
}

/** "512 bytes", "1.5 KB", "20 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KB", "MB", "GB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
