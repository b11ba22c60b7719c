// `make licenses`: writes packaging/third-party-licenses.txt, the copyright notices and licence
// texts of every crate compiled into Slate's programs (slate and slatectl), which the .deb and
// .rpm ship as /usr/share/doc/slate/third-party-licenses.txt.
//
// Which crates: `cargo tree -e normal` of both programs for x86-64 Linux, the crates cargo
// compiles into them (with cargo's own feature resolution). `cargo metadata` also lists optional
// dependencies no feature turns on (the tray icon's libappindicator, jiff, ...), and cargo-about's
// graph misses a few that are compiled in (indexmap 1, via Tauri's config schema): neither is the
// list to ship. tests/tests/package.rs checks the file against the same `cargo tree` list.
//
// Which texts: cargo-about (pinned in scripts/install-deps.sh, in .tools/; once per program, since
// a workspace-wide run would take in the test crates' dependencies) finds each crate's licence
// files and, where a crate offers a choice, takes the first licence of about.toml's `accepted`
// list. Offline, so the file depends only on Cargo.lock and the crates. Where cargo-about has no
// file of the crate's own (it then gives the licence's standard text, without the crate's
// copyright line) or left the crate out, this script takes the crate's own licence files, adds
// the standard text when none of them is that licence, and a copyright line from the crate's
// authors when no file has one.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "packaging/third-party-licenses.txt");
const programs = ["src-tauri/Cargo.toml", "crates/slatectl/Cargo.toml"];
const target = "x86_64-unknown-linux-gnu";
const cargoAbout = join(root, ".tools/bin/cargo-about");
const run = (cmd, args) =>
  execFileSync(cmd, args, { cwd: root, encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "inherit"] });

// Every package (cargo-about runs offline: this also downloads whatever crate is missing).
const metadata = JSON.parse(run("cargo", ["metadata", "--locked", "--format-version", "1"]));
const packages = new Map(metadata.packages.filter((p) => p.source !== null).map((p) => [`${p.name} ${p.version}`, p]));

// The crates in the programs, as "name version" (Slate's own crates, path dependencies, left out).
const inPrograms = new Set(
  run("cargo", ["tree", "--locked", "-p", "slate", "-p", "slatectl", "-p", "slated", "-e", "normal", "--target", target, "--prefix", "none", "-f", "{p}"])
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.includes("(/"))
    .map((l) => l.split(" ").slice(0, 2).join(" ").replace(" v", " ")),
);

// The licences a crate may be taken under, in order (about.toml's `accepted`).
const accepted = [...readFileSync(join(root, "about.toml"), "utf8").match(/^accepted\s*=\s*\[([\s\S]*?)\]/m)[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);

/** The licences taken for an SPDX expression ("/" is an old spelling of OR): null if none fits. */
function choose(expression) {
  const tokens = expression.replaceAll("/", " OR ").match(/\(|\)|[^\s()]+/g) ?? [];
  let at = 0;
  const rank = (ids) => (ids === null ? Infinity : Math.max(...ids.map((id) => accepted.indexOf(id))));
  const term = () => {
    if (tokens[at] === "(") {
      at += 1;
      const v = or();
      at += 1;
      return v;
    }
    let id = tokens[at++];
    if (tokens[at] === "WITH") {
      id = `${id} WITH ${tokens[at + 1]}`;
      at += 2;
    }
    return accepted.includes(id) ? [id] : null;
  };
  const and = () => {
    let v = term();
    while (tokens[at] === "AND") {
      at += 1;
      const w = term();
      v = v === null || w === null ? null : [...v, ...w];
    }
    return v;
  };
  const or = () => {
    let v = and();
    while (tokens[at] === "OR") {
      at += 1;
      const w = and();
      if (rank(w) < rank(v)) v = w;
    }
    return v;
  };
  return or();
}

// What a licence's text says, to tell which of a crate's files is which.
const signatures = {
  MIT: /Permission is hereby granted, free of charge/i,
  "Apache-2.0": /Apache License[\s\S]{0,80}Version 2\.0/i,
  "BSD-3-Clause": /Redistribution and use in source and binary forms/i,
  ISC: /Permission to use, copy, modify, and\/or distribute/i,
  Zlib: /provided ['‘]as-is['’], without any express or implied/i,
  "Unicode-3.0": /UNICODE LICENSE V3/i,
  "MPL-2.0": /Mozilla Public License,? (Version|v\.?) ?2\.0/i,
  "Apache-2.0 WITH LLVM-exception": /LLVM Exceptions/i,
};
const suffixes = { MIT: /mit/i, "Apache-2.0": /apache/i, "BSD-3-Clause": /bsd/i, Zlib: /zlib/i, "MPL-2.0": /mpl/i };

/** The crate's own licence files (LICENSE*, COPYING*, ...), those for the licences taken if
 * their names say which. */
function ownFiles(pkg, ids) {
  const dir = dirname(pkg.manifest_path);
  const files = readdirSync(dir)
    .filter((f) => /^(licen[cs]e|copying|copyright|notice|unlicense)/i.test(f) && !f.endsWith(".spdx"))
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
  const named = files.filter((f) => ids.some((id) => suffixes[id]?.test(f.replace(/^licen[cs]e/i, ""))));
  const others = files.filter((f) => !Object.values(suffixes).some((re) => re.test(f.replace(/^licen[cs]e/i, ""))));
  const chosen = named.length > 0 ? named : others;
  return chosen.map((f) => ({ file: f, text: readFileSync(join(dir, f), "utf8") }));
}

const standard = new Map(); // licence id → its standard text, as cargo-about gives it
const fromAbout = new Map(); // "name version" → [{ id, name, text, own: bool }]
for (const manifest of programs) {
  const report = JSON.parse(run(cargoAbout, ["generate", "--format", "json", "--offline", "--locked", "--fail", "-m", manifest]));
  for (const licence of report.licenses) {
    if (!licence.source_path) standard.set(licence.id, { name: licence.name, text: licence.text });
    for (const { crate: c } of licence.used_by) {
      const name = `${c.name} ${c.version}`;
      if (!fromAbout.has(name)) fromAbout.set(name, []);
      const list = fromAbout.get(name);
      if (!list.some((t) => t.id === licence.id && t.text === licence.text)) {
        list.push({ id: licence.id, name: licence.name, text: licence.text, own: Boolean(licence.source_path) });
      }
    }
  }
}

const crates = new Map(); // "name version" → { name, version, license, texts: Set of text keys }
const texts = new Map(); // text key → { id, name, text, crates: Set }
const addText = (crate, id, name, text) => {
  const key = `${id}\n${text}`;
  if (!texts.has(key)) texts.set(key, { id, name, text, crates: new Set() });
  texts.get(key).crates.add(`${crate.name} ${crate.version}`);
  crate.texts.add(key);
};
const problems = [];
for (const name of inPrograms) {
  const pkg = packages.get(name);
  if (!pkg) {
    problems.push(`${name}: not in cargo metadata`);
    continue;
  }
  const crate = { name: pkg.name, version: pkg.version, license: pkg.license, texts: new Set() };
  crates.set(name, crate);
  const about = fromAbout.get(name) ?? [];
  if (about.length > 0 && about.every((t) => t.own)) {
    for (const t of about) addText(crate, t.id, t.name, t.text);
    continue;
  }
  // cargo-about gave only standard texts, or left the crate out: the crate's own files.
  const ids = about.length > 0 ? about.map((t) => t.id) : choose(pkg.license ?? "");
  if (!ids) {
    problems.push(`${name}: licence "${pkg.license}" has none of about.toml's accepted licences`);
    continue;
  }
  const files = ownFiles(pkg, ids);
  let text = files.map((f) => (files.length > 1 ? `(${f.file})\n${f.text.trimEnd()}` : f.text.trimEnd())).join("\n\n");
  for (const id of ids) {
    if (files.some((f) => signatures[id]?.test(f.text))) continue;
    const std = standard.get(id);
    if (!std) {
      problems.push(`${name}: no text of ${id} among its files (${files.map((f) => f.file).join(", ") || "none"})`);
      continue;
    }
    text += `${text ? "\n\n" : ""}${std.text.trimEnd()}`;
  }
  if (!/copyright/i.test(files.map((f) => f.text).join("\n"))) {
    const authors = (pkg.authors ?? []).map((a) => a.replace(/\s*<[^>]*>/, "")).join(", ");
    text = `Copyright (c) ${authors || `the authors of ${pkg.name}`}\n\n${text}`;
  }
  const label = ids.join(" AND ");
  addText(crate, label, `${label}, for ${pkg.name} ${pkg.version}`, text);
}
if (problems.length > 0) {
  console.error(`cannot write the notices:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
const aboutVersion = run(cargoAbout, ["--version"]).trim();

const byName = (a, b) => a.localeCompare(b, "en", { numeric: true });
const orderedTexts = [...texts.values()]
  .filter((t) => t.crates.size > 0)
  .sort((a, b) => byName(a.id, b.id) || byName([...a.crates].sort(byName)[0], [...b.crates].sort(byName)[0]));
const number = new Map(orderedTexts.map((t, i) => [`${t.id}\n${t.text}`, i + 1]));
const orderedCrates = [...crates.values()].sort((a, b) => byName(a.name, b.name) || byName(a.version, b.version));

const wrap = (words, indent, width = 98) => {
  const lines = [];
  let line = indent;
  for (const w of words) {
    if (line.length + w.length + 1 > width && line.trim() !== "") {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${w} `;
  }
  lines.push(line.trimEnd());
  return lines.join("\n");
};

const rule = "-".repeat(98);
let text = `Third-party licences of Slate
=============================

Slate's programs, /usr/bin/slate and /usr/bin/slatectl, are built from the Rust crates listed
below (published on crates.io, compiled into the programs). Their licences ask that each crate's
copyright notice and licence travel with the programs: they follow, each licence text once, with
the crates it covers. Where a crate offers a choice of licences (such as "MIT OR Apache-2.0"),
Slate takes it under the first of these it offers, and the text quoted is that one:
${wrap(accepted.map((id, i) => (i < accepted.length - 1 ? `${id},` : `${id}.`)), "")}
The texts are the crates' own licence files. Where a crate ships none for the licence taken, the
licence's standard text is given, with a copyright line naming the crate's authors when none of
its files has one.

The source of each crate is at https://crates.io/crates/NAME/VERSION; for the crates under the
Mozilla Public License 2.0 that is where their source code is available.

The libraries the programs load when they run (WebKitGTK, GTK, GLib and the rest) come from
Debian's own packages, each with its own copyright file in /usr/share/doc.

Slate itself is under the MIT license or the Apache License 2.0: see the copyright file beside
this one.

Written by \`make licenses\` (${aboutVersion}) from Cargo.lock; not edited by hand.

Crates (${orderedCrates.length}): name, version, licence as the crate declares it, [the licence texts below]
${rule}
`;
for (const c of orderedCrates) {
  const refs = [...c.texts].map((k) => number.get(k)).sort((a, b) => a - b);
  text += `  ${c.name} ${c.version}  ${c.license ?? "(none declared)"}  [${refs.join(", ")}]\n`;
}
text += `\n${rule}\n`;
for (const [i, t] of orderedTexts.entries()) {
  const users = [...t.crates].sort(byName);
  text += `Licence text ${i + 1} of ${orderedTexts.length}: ${t.name} (${t.id})\n`;
  text += `${wrap(["Covers:", ...users.map((u, j) => (j < users.length - 1 ? `${u},` : u))], "    ")}\n\n`;
  text += `${t.text.replace(/\r\n?/g, "\n").replace(/[ \t]+$/gm, "").trimEnd()}\n\n${rule}\n`;
}
writeFileSync(out, text);
console.log(
  `packaging/third-party-licenses.txt: ${orderedCrates.length} crates, ${orderedTexts.length} licence texts, ${text.length} bytes`,
);
