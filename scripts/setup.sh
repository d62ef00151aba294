#!/usr/bin/env bash
# Sets up everything Paydesk needs to build, run and test, installing only what is missing:
# Debian/Ubuntu system packages (apt; sudo when not root), npm packages (npm ci), pinned
# tools (tauri-driver, into .tools/), and the UI build. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

TAURI_DRIVER_VERSION=2.1.0
SYSTEM_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver gnome-keyring libsecret-1-dev dbus-x11 sqlite3 procps
  # The installed-package suite: rpm (to read the .rpm the bundler writes), x11-utils
  # (xwininfo), curl and jq (WebDriver by hand).
  rpm x11-utils curl jq
  # Customers' names in Chinese, Japanese, Korean and Devanagari, legible on a bare machine
  # (DejaVu covers Latin, Cyrillic, Greek, Arabic and Hebrew).
  fonts-wqy-microhei fonts-lohit-deva
  # The receipt tests read the PDF back (pdftotext).
  poppler-utils
  # The shop ledger's tests and benchmark start a throwaway cluster (scripts/pg-cluster.sh).
  postgresql
)

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- system packages -------------------------------------------------------------------
missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "Missing system packages: ${missing[*]}" >&2
    echo "This script installs them with apt (Debian/Ubuntu). On Fedora or Arch, install the" >&2
    echo "equivalents listed at https://v2.tauri.app/start/prerequisites/ and run it again." >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  step "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- node and npm ------------------------------------------------------------------------
if ! command -v npm >/dev/null; then
  echo "npm is missing: install Node.js 20 or newer (https://nodejs.org) and run this again." >&2
  exit 1
fi
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  step "installing UI packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- pinned tools ---------------------------------------------------------------------------
# tauri-driver has no --version: cargo's own install record says which one is there.
if [ ! -x .tools/bin/tauri-driver ] || ! grep -qs "tauri-driver $TAURI_DRIVER_VERSION " .tools/.crates.toml; then
  step "installing tauri-driver $TAURI_DRIVER_VERSION into .tools/"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --root .tools --quiet --force
fi

# --- the UI (the Rust build embeds ui/dist) -----------------------------------------------
newest_source=$(find ui/src ui/index.html ui/vite.config.ts ui/package-lock.json -type f -newer ui/dist/index.html 2>/dev/null | head -n 1 || true)
if [ ! -f ui/dist/index.html ] || [ -n "$newest_source" ]; then
  step "building the UI"
  (cd ui && npm run --silent build >/dev/null)
fi
