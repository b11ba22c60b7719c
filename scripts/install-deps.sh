#!/usr/bin/env bash
# Installs what building, running and testing Slate needs on Debian 12, and nothing that is
# already there. Safe to run again. Usage: scripts/install-deps.sh [run|test]
#   run  — build and run the kiosk (Tauri's libraries, Node.js for the UI, Xvfb for headless runs)
#   test — also WebKitWebDriver, D-Bus, lintian and rpm (to check the packages), and the pinned
#          tauri-driver in .tools/
#
# System packages come from Debian 12's own archive (versions fixed by the release and its
# security updates). npm packages are pinned by ui/package-lock.json; tauri-driver by
# TAURI_DRIVER_VERSION below.
set -euo pipefail

mode=${1:-test}
root=$(cd "$(dirname "$0")/.." && pwd)
TAURI_DRIVER_VERSION=2.1.0

packages=(
  # Tauri 2 on Linux: WebKitGTK 4.1, GTK 3, the tray, SVG and xdo libraries, a C toolchain
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  libssl-dev build-essential pkg-config
  # headless runs: a virtual display and a session bus
  xvfb xauth dbus dbus-x11
)
if [ "$mode" = test ]; then
  packages+=(webkit2gtk-driver xclip)
  # real pointer and key input into the session's browsing view (WebDriver cannot reach it)
  packages+=(xdotool)
  # the package test: inspect the .deb and .rpm, check the .deb with lintian, read its man pages
  packages+=(lintian rpm man-db)
  # the kiosk-window test asks the window to close as a window manager would (Alt+F4)
  packages+=(python3-xlib)
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

if [ "$mode" = test ]; then
  # tauri-driver has no --version; cargo's install record says which one is there.
  if ! [ -x "$root/.tools/bin/tauri-driver" ] ||
     ! grep -q "tauri-driver $TAURI_DRIVER_VERSION " "$root/.tools/.crates.toml" 2>/dev/null; then
    echo "Installing tauri-driver $TAURI_DRIVER_VERSION into .tools/"
    cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --root "$root/.tools" --quiet
  fi
fi
