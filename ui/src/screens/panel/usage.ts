// The panel's Usage section: how much the terminal was used over a range of days (the last 30
// by default): the figures at a glance, sessions per day, a heat map of the hours of the week,
// how sessions ended, where the accounts came from and, where a source gave them, the patron
// types or groups. Each chart is drawn as SVG for the eye and
// said as a table for screen readers (the SVG itself is hidden from them). The numbers are the
// core's (`slatectl stats` gives the same); nothing is counted here.
import type { UsageCount, UsageReport } from "../../bindings.js";
import { el, make } from "../../dom.js";
import { language, t } from "../../i18n.js";
import { ask } from "./ask.js";

const SVG = "http://www.w3.org/2000/svg";

/** Loads the section for the dates in its form (empty: the last 30 days). */
export function loadUsage(): void {
  void ask(
    {
      action: "usage",
      since: el<HTMLInputElement>("usage-since").value,
      until: el<HTMLInputElement>("usage-until").value,
    },
    (r) => r.usage && drawUsage(r.usage),
  );
}

/** Wires the section's form (once per panel). */
export function wireUsage(): void {
  el("usage-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    loadUsage();
  });
}

/** What each ending is called, in the current language. */
function endings(): Record<string, string> {
  return {
    user: t("Signed out"),
    idle: t("Left idle"),
    time_limit: t("Time limit reached"),
    daily_allowance: t("Day's time used up"),
    closing_time: t("Closing time"),
    admin: t("Ended by staff"),
    shutdown: t("Terminal shut down"),
    recovered: t("Ended after a crash"),
  };
}

/** What each source is called, in the current language. */
function sources(): Record<string, string> {
  return {
    local: t("Slate's own accounts"),
    ldap: t("Directory"),
    pam: t("This machine's accounts"),
    sip2: t("Library cards"),
    guest: t("Guests"),
  };
}

/** What each kind of person is called, in the current language. */
function kinds(): Record<string, string> {
  return { member: t("Members"), guest: t("Guests"), staff: t("Staff") };
}

function number(n: number): string {
  return new Intl.NumberFormat(language()).format(n);
}

/** "494 hours, 25 minutes": a sum of minutes in hours (never days, which read as calendar
 * days in a report). */
function hoursAndMinutes(minutes: number): string {
  const unit = (n: number, u: "hour" | "minute") =>
    new Intl.NumberFormat(language(), { style: "unit", unit: u, unitDisplay: "long" }).format(n);
  const h = Math.floor(minutes / 60);
  const parts = h > 0 ? [unit(h, "hour")] : [];
  if (minutes % 60 > 0 || h === 0) parts.push(unit(minutes % 60, "minute"));
  return new Intl.ListFormat(language(), { style: "long", type: "unit" }).format(parts);
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function drawUsage(u: UsageReport): void {
  el<HTMLInputElement>("usage-since").value = u.since;
  el<HTMLInputElement>("usage-until").value = u.until;
  const report = el("usage-report");
  const heading = make("h2", { class: "section-title" }, t("Use from {since} to {until}", { since: u.since, until: u.until }));
  if (u.sessions === 0) {
    report.replaceChildren(heading, make("p", { class: "hint" }, t("No session ended in these days.")));
    return;
  }
  report.replaceChildren(
    heading,
    figures(u),
    perDay(u),
    week(u),
    counts(t("How sessions ended"), u.endings, endings(), "usage-endings"),
    counts(t("Where the accounts came from"), u.sources, sources(), "usage-sources"),
  );
  // Only where a source gave some (a library card's patron type, a directory attribute).
  if (u.groups.some((g) => g.key !== "")) {
    report.append(counts(t("By patron type or group"), u.groups, { "": t("None given") }, "usage-groups"));
  }
}

/** The figures at a glance. */
function figures(u: UsageReport): HTMLElement {
  const list = make("dl", { class: "usage-figures" });
  const add = (term: string, value: string) => {
    const pair = make("div");
    pair.append(make("dt", {}, term), make("dd", {}, value));
    list.append(pair);
  };
  add(t("Sessions"), number(u.sessions));
  add(t("Time in use"), hoursAndMinutes(u.minutes));
  add(t("Average length"), hoursAndMinutes(Math.round(u.average_seconds / 60)));
  add(t("Median length"), hoursAndMinutes(u.median_minutes));
  const names = kinds();
  for (const k of u.kinds) add(names[k.key] ?? k.key, number(k.sessions));
  return list;
}

/** A figure: its caption, the chart (hidden from screen readers) and the table they read. */
function figure(caption: string, id: string, chart: SVGSVGElement, table: HTMLTableElement, note = ""): HTMLElement {
  const fig = make("figure", { class: "chart", id });
  chart.setAttribute("aria-hidden", "true");
  chart.setAttribute("focusable", "false");
  // A table is as wide as its cells whatever its own width: the box around it hides it.
  const hidden = make("div", { class: "sr-only" });
  hidden.append(table);
  fig.append(make("figcaption", {}, caption), chart, hidden);
  if (note) fig.append(make("p", { class: "hint" }, note));
  return fig;
}

function table(headers: string[], rows: string[][]): HTMLTableElement {
  const tbl = make("table");
  const head = make("tr");
  for (const h of headers) head.append(make("th", { scope: "col" }, h));
  const thead = make("thead");
  thead.append(head);
  const body = make("tbody");
  for (const r of rows) {
    const tr = make("tr");
    r.forEach((cell, i) => tr.append(make(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : {}, cell)));
    body.append(tr);
  }
  tbl.append(thead, body);
  return tbl;
}

/** Sessions per day: one bar a day, the busiest day's count marked. */
function perDay(u: UsageReport): HTMLElement {
  const width = 720;
  const height = 180;
  // The bars stand below the line that says the most in one day.
  const room = 24;
  const top = Math.max(1, ...u.days.map((d) => d.sessions));
  const step = width / u.days.length;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height + 24}`, class: "bars" });
  chart.append(svg("line", { x1: 0, y1: height, x2: width, y2: height, class: "axis" }));
  chart.append(svg("line", { x1: 0, y1: room, x2: width, y2: room, class: "axis top" }));
  u.days.forEach((d, i) => {
    const h = (d.sessions / top) * (height - room);
    if (h > 0) chart.append(svg("rect", { x: i * step + step * 0.1, y: height - h, width: Math.max(step * 0.8, 0.5), height: h, class: "bar" }));
  });
  const label = (x: number, anchor: string, text: string) => {
    const node = svg("text", { x, y: height + 18, "text-anchor": anchor, class: "label" });
    node.textContent = text;
    chart.append(node);
  };
  label(0, "start", u.since);
  label(width, "end", u.until);
  const most = svg("text", { x: 0, y: room - 6, class: "label" });
  most.textContent = t("Most in one day: {n}", { n: number(top) });
  chart.append(most);
  return figure(
    t("Sessions per day"),
    "usage-days",
    chart,
    table(
      [t("Day"), t("Sessions"), t("Minutes")],
      u.days.map((d) => [d.date, number(d.sessions), number(d.minutes)]),
    ),
  );
}

/** The hours of the week as a heat map: a row a weekday (Monday first), a cell an hour. */
function week(u: UsageReport): HTMLElement {
  const days = Array.from({ length: 7 }, (_, i) =>
    // 2024-01-01 was a Monday.
    new Intl.DateTimeFormat(language(), { weekday: "short", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, 1 + i))),
  );
  const cell = 26;
  const left = 48;
  const top = Math.max(1, ...u.week.flat());
  const chart = svg("svg", { viewBox: `0 0 ${left + 24 * cell} ${7 * cell + 22}`, class: "heat" });
  u.week.forEach((hours, d) => {
    const name = svg("text", { x: 0, y: d * cell + cell * 0.7, class: "label" });
    name.textContent = days[d] ?? "";
    chart.append(name);
    hours.forEach((n, h) => {
      chart.append(
        svg("rect", {
          x: left + h * cell + 1,
          y: d * cell + 1,
          width: cell - 2,
          height: cell - 2,
          class: n === 0 ? "cell empty" : "cell",
          "fill-opacity": n === 0 ? 1 : (0.15 + 0.85 * (n / top)).toFixed(2),
        }),
      );
    });
  });
  for (const h of [0, 6, 12, 18]) {
    const hour = svg("text", { x: left + h * cell, y: 7 * cell + 16, class: "label" });
    hour.textContent = `${String(h).padStart(2, "0")}:00`;
    chart.append(hour);
  }
  const hours = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, "0")}:00`);
  return figure(
    t("Sessions started in each hour of the week"),
    "usage-week",
    chart,
    table(
      [t("Day"), ...hours],
      u.week.map((row, d) => [days[d] ?? "", ...row.map(number)]),
    ),
    t("Darker: more sessions (most in one hour: {n})", { n: number(top) }),
  );
}

/** Counts as horizontal bars, each labelled with its name and number. */
/** `text`, cut to `max` characters with an ellipsis. */
function shortened(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? chars.slice(0, max - 1).join("") + "…" : text;
}

function counts(caption: string, items: UsageCount[], names: Record<string, string>, id: string): HTMLElement {
  const shown = items.filter((c) => c.sessions > 0);
  const width = 720;
  const row = 28;
  const left = 220;
  const top = Math.max(1, ...shown.map((c) => c.sessions));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${shown.length * row}`, class: "bars" });
  shown.forEach((c, i) => {
    const name = svg("text", { x: 0, y: i * row + row * 0.65, class: "label" });
    // A group's name comes from the source and may be long: the table has it whole.
    name.textContent = shortened(names[c.key] ?? c.key, 26);
    const w = ((width - left - 60) * c.sessions) / top;
    const bar = svg("rect", { x: left, y: i * row + 4, width: Math.max(w, 1), height: row - 8, class: "bar" });
    const value = svg("text", { x: left + w + 6, y: i * row + row * 0.65, class: "label" });
    value.textContent = number(c.sessions);
    chart.append(name, bar, value);
  });
  return figure(
    caption,
    id,
    chart,
    table(
      [t("Kind"), t("Sessions"), t("Minutes")],
      shown.map((c) => [names[c.key] ?? c.key, number(c.sessions), number(c.minutes)]),
    ),
  );
}
