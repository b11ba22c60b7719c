#!/usr/bin/env bash
# Installs what building, running and testing Slate needs on Debian 12, and nothing that is
# already there. Safe to run again. Usage: scripts/install-deps.sh [run|test|licenses]
#   run      — build and run the kiosk (Tauri's libraries, Node.js for the UI, Xvfb for headless
#              runs)
#   test     — also WebKitWebDriver, D-Bus, lintian and rpm (to check the packages), LightDM,
#              python3-venv (the Ansible checks), and the pinned tauri-driver and cargo-deny in
#              .tools/
#   licenses — what `run` needs, and the pinned cargo-about in .tools/ (for `make licenses`)
#
# System packages come from Debian 12's own archive (versions fixed by the release and its
# security updates). npm packages are pinned by ui/package-lock.json; the cargo tools by the
# versions below, each built with its own Cargo.lock (`cargo install --locked`).
set -euo pipefail

mode=${1:-test}
root=$(cd "$(dirname "$0")/.." && pwd)
TAURI_DRIVER_VERSION=2.1.0
CARGO_DENY_VERSION=0.20.2
CARGO_ABOUT_VERSION=0.9.3

packages=(
  # Tauri 2 on Linux: WebKitGTK 4.1, GTK 3, the tray, SVG and xdo libraries, a C toolchain
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  libssl-dev build-essential pkg-config
  # sign-in with the machine's own accounts links PAM
  libpam0g-dev
  # headless runs: a virtual display and a session bus
  xvfb xauth dbus dbus-x11
  # WebKit's sandbox for the web engines (the packages depend on these too)
  bubblewrap xdg-dbus-proxy
)
if [ "$mode" = test ]; then
  packages+=(webkit2gtk-driver xclip)
  # real pointer and key input into the session's browsing view (WebDriver cannot reach it)
  packages+=(xdotool)
  # the package test: inspect the .deb and .rpm, check the .deb with lintian, read its man pages
  packages+=(lintian rpm man-db)
  # the kiosk-window test asks the window to close as a window manager would (Alt+F4)
  packages+=(python3-xlib)
  # the session service's unit is checked by systemd-analyze (verify, security); the installed
  # programs log to the real systemd-journald, which the package test starts
  packages+=(systemd)
  # the kiosk install test: LightDM logs the kiosk account into Slate's session (its greeter
  # shows once an administrator leaves kiosk mode); xset, which the session runs (a Recommends)
  packages+=(lightdm lightdm-gtk-greeter x11-xserver-utils)
  # directory sign-in is tested against a real OpenLDAP server (started by the tests on a local
  # port, over LDAPS with a test CA the tests make with openssl)
  packages+=(slapd ldap-utils openssl)
  # a room of terminals is tested against a real PostgreSQL from Debian (started by the tests in
  # a temporary folder, as an unprivileged account, on a local port)
  packages+=(postgresql-15)
  # the audit is forwarded to a real rsyslog collector over TLS (started by the tests on a local
  # port with its GnuTLS driver)
  packages+=(rsyslog rsyslog-gnutls)
  # the audit's journal entries are read back by systemd's own tools: systemd-journal-remote
  # writes a journal file of them (journalctl, from systemd above, reads it)
  packages+=(systemd-journal-remote)
  # the Ansible example's checks (packaging/ansible/check.sh): ansible-core and ansible-lint in
  # virtualenvs, every Python package pinned in packaging/ansible/requirements-*.txt
  packages+=(python3-venv)
fi
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if ! command -v cargo >/dev/null 2>&1; then
  # Debian 12's plain rustc (1.63) is too old for Tauri 2; its rustc-web line is current.
  packages+=(cargo-web rustc-web rustfmt-web rust-web-clippy)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "These packages are missing and this is not root (and there is no sudo): ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# A cargo tool at its pinned version in .tools/, unless that version is there already (not every
# tool has a --version: cargo's install record says which one is there). Further arguments go to
# cargo install. It says "installed" even when the features chosen build no binary: check.
pinned_cargo_tool() {
  local name=$1 version=$2
  shift 2
  if ! [ -x "$root/.tools/bin/$name" ] ||
     ! grep -q "^\"$name $version " "$root/.tools/.crates.toml" 2>/dev/null; then
    echo "Installing $name $version into .tools/"
    cargo install "$name" --version "$version" --locked --root "$root/.tools" --quiet "$@"
    [ -x "$root/.tools/bin/$name" ] || { echo "cargo install built no $name" >&2; exit 1; }
  fi
}

if [ "$mode" = test ]; then
  pinned_cargo_tool tauri-driver "$TAURI_DRIVER_VERSION"
  # the licence, duplicate-version and source checks of `make test` (deny.toml)
  pinned_cargo_tool cargo-deny "$CARGO_DENY_VERSION"
fi
if [ "$mode" = licenses ]; then
  # its command line is behind the `cli` feature
  pinned_cargo_tool cargo-about "$CARGO_ABOUT_VERSION" --features cli
fi
