// The npm side of the licence check in `make test`: every package in ui/package-lock.json and
// packaging/tauri-cli/package-lock.json must declare a licence that deny.toml's allow-list (the
// one the crates are held to) accepts. They are all build and test tools (tsc, its Node types,
// axe-core for the accessibility test, the Tauri CLI): none is shipped, since ui/dist holds only
// tsc's output of ui/src and the static files. The lockfiles record each package's `license`
// field, so this reads them and needs nothing installed.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lockfiles = ["ui/package-lock.json", "packaging/tauri-cli/package-lock.json"];

/** The quoted entries of `allow = [...]` in deny.toml's [licenses] table, comments left out. */
function allowList() {
  const deny = readFileSync(join(root, "deny.toml"), "utf8");
  const table = deny.split(/^\[licenses\]$/m)[1]?.split(/^\[/m)[0] ?? "";
  const array = table.match(/^allow\s*=\s*\[([\s\S]*?)^\]/m)?.[1] ?? "";
  return new Set(
    array
      .split("\n")
      .map((l) => l.replace(/#.*/, ""))
      .flatMap((l) => [...l.matchAll(/"([^"]+)"/g)].map((m) => m[1])),
  );
}

/** Whether an SPDX expression is satisfied by the allowed licences (OR: one; AND: all). */
function accepted(expression, allowed) {
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let at = 0;
  const term = () => {
    if (tokens[at] === "(") {
      at += 1;
      const v = or();
      at += 1; // ")"
      return v;
    }
    let id = tokens[at++];
    if (tokens[at] === "WITH") {
      id = `${id} WITH ${tokens[at + 1]}`;
      at += 2;
    }
    return allowed.has(id);
  };
  const and = () => {
    let v = term();
    while (tokens[at] === "AND") {
      at += 1;
      v = term() && v;
    }
    return v;
  };
  const or = () => {
    let v = and();
    while (tokens[at] === "OR") {
      at += 1;
      v = and() || v;
    }
    return v;
  };
  return tokens.length > 0 && or() && at === tokens.length;
}

const allowed = allowList();
if (allowed.size === 0) {
  console.error("deny.toml: no [licenses] allow list found");
  process.exit(1);
}
let bad = 0;
let count = 0;
for (const file of lockfiles) {
  const lock = JSON.parse(readFileSync(join(root, file), "utf8"));
  for (const [path, pkg] of Object.entries(lock.packages ?? {})) {
    if (path === "") continue; // the project itself
    count += 1;
    const name = path.replace(/^.*node_modules\//, "");
    const licence = typeof pkg.license === "string" ? pkg.license : "";
    if (!accepted(licence, allowed)) {
      bad += 1;
      console.error(`${file}: ${name} ${pkg.version}: licence ${licence ? `"${licence}"` : "not declared"} is not on deny.toml's allow list`);
    }
  }
}
console.log(`npm packages: ${count} in ${lockfiles.length} lockfiles, ${bad} with a licence outside the allow list`);
process.exit(bad === 0 ? 0 : 1);
