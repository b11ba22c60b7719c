#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: formatting, lints, the dependencies' licences and
# sources, the UI's unit tests, and every Rust test (unit, integration, CLI and end-to-end on the
# real app) under a virtual display and a private D-Bus session. Ends with the totals: "N passed,
# N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

step() { echo; echo "== $*"; }

step "cargo fmt --check"
cargo fmt --all --check || status=1

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings || status=1

# What the dependencies may be (deny.toml): licences on the allow list, no second version of a
# crate beyond the listed ones, crates from crates.io only. Advisories need the network: `make audit`.
step "cargo deny check licenses bans sources"
PATH="$root/.tools/bin:$PATH" cargo deny --locked check licenses bans sources || status=1

step "npm licences (scripts/npm-licenses.mjs)"
node scripts/npm-licenses.mjs || status=1

step "UI unit tests (node --test)"
(cd ui && npm test --silent 2>&1) | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

step "Rust tests, end-to-end included (Xvfb + dbus-run-session)"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  cargo test --workspace --no-fail-fast 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# Totals: cargo prints "test result: ok. N passed; M failed; ...", node prints "# pass N" / "# fail N".
read -r passed failed < <(awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?/) p += $(i-1); if ($(i) ~ /^failed;?/) f += $(i-1) } }
  /^# pass / { p += $3 } /^# fail / { f += $3 }
  END { print p + 0, f + 0 }' "$log")
# End-to-end tests: every test binary of the slate-e2e crate (tests/tests/*.rs).
e2e_names=$(cd tests/tests && ls *.rs | sed 's/\.rs$//' | paste -sd'|')
e2e=$(awk -v names="$e2e_names" '
  $1 == "Running" { inside = ($2 ~ ("^tests/(" names ")\\.rs$")) }
  $1 == "Doc-tests" { inside = 0 }
  inside && /^test .* \.\.\. ok$/ { n++ }
  END { print n + 0 }' "$log")
echo
echo "end-to-end tests (the real app, tests/) passed: $e2e"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
