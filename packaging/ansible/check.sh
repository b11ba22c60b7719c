#!/usr/bin/env bash
# Checks the Ansible playbook with pinned tools, in a scratch folder (nothing is written to the
# checkout or to ~/.ansible):
#   ansible-playbook --syntax-check with ansible-core 2.14.18 (Debian 12's line) and 2.19.14,
#   ansible-lint 26.10.1 (production profile); every Python package pinned in requirements-*.txt.
# With --check-mode, also runs the playbook in check mode against this machine (as root; needs
# the built .deb, or SLATE_DEB naming one). Prints one line per step and its time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${ANSIBLE_CHECK_DIR:-${TMPDIR:-/tmp}/slate-ansible-check}"
python="${PYTHON:-python3}"
mkdir -p "$work"
export ANSIBLE_HOME="$work/home" ANSIBLE_LOCAL_TEMP="$work/tmp" ANSIBLE_REMOTE_TMP="$work/remote-tmp" \
  XDG_CACHE_HOME="$work/cache" ANSIBLE_NOCOLOR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

venv() { # venv NAME REQUIREMENTS: a virtualenv holding exactly the pinned packages
  local dir="$work/$1" req="$2"
  if [ ! -x "$dir/bin/ansible-playbook" ] || ! cmp -s "$req" "$dir/requirements.txt"; then
    rm -rf "$dir"
    "$python" -m venv "$dir"
    "$dir/bin/pip" install -q -r "$req"
    cp "$req" "$dir/requirements.txt"
  fi
}
step() { # step NAME COMMAND...
  local name="$1" start=$SECONDS; shift
  if "$@" >"$work/$name.log" 2>&1; then
    echo "ok: $name ($((SECONDS - start)) s)"
  else
    echo "FAILED: $name ($((SECONDS - start)) s); its output:"; cat "$work/$name.log"; exit 1
  fi
}

venv core214 "$here/requirements-core.txt"
venv lint "$here/requirements-lint.txt"

cd "$here"
step syntax-2.14 "$work/core214/bin/ansible-playbook" --syntax-check -i inventory.example.yml slate-terminal.yml
step syntax-2.19 "$work/lint/bin/ansible-playbook" --syntax-check -i inventory.example.yml slate-terminal.yml
step lint env PATH="$work/lint/bin:$PATH" ansible-lint --offline --profile production \
  slate-terminal.yml roles inventory.example.yml inventory.local.yml

if [ "${1:-}" = --check-mode ]; then
  deb="${SLATE_DEB:-$here/../../target/release/bundle/deb/Slate_0.1.0_amd64.deb}"
  step check-mode "$work/core214/bin/ansible-playbook" -i inventory.local.yml slate-terminal.yml \
    --check --diff -e slate_create_admin=false -e "slate_deb=$deb"
  grep -E 'ok=|changed=' "$work/check-mode.log"
fi
