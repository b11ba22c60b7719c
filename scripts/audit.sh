#!/usr/bin/env bash
# `make audit`: known vulnerabilities in what Slate is built from. The crates of Cargo.lock against
# the RustSec advisory database (cargo-deny, pinned in .tools/, with deny.toml's [advisories]), and
# the npm packages of both lockfiles against the npm registry's advisories (`npm audit`). Needs the
# network: cargo-deny fetches the RustSec database with git from GitHub at each run, npm asks the
# registry. Runs every check, then fails if any found something.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
status=0

echo "== crates: cargo deny check advisories (RustSec)"
PATH="$root/.tools/bin:$PATH" cargo deny --locked check advisories || status=1

for dir in ui packaging/tauri-cli; do
  echo
  echo "== npm audit ($dir)"
  (cd "$dir" && npm audit) || status=1
done
exit "$status"
