#!/usr/bin/env bash
# Builds Paydesk's Linux packages (.deb and .rpm) with Tauri's bundler, from the npm
# @tauri-apps/cli (its binary ships inside the npm package: nothing is downloaded at build time).
# The release binary is built first (cargo build --release, through the bundler). AppImage is
# left out: Tauri's AppImage bundler downloads linuxdeploy and its plugins when it runs.
# Windows (NSIS, MSI) and macOS (dmg) are configured in tauri.conf.json and built on those
# systems with `npm --prefix ui run tauri -- build`.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
bundles=${PAYDESK_BUNDLES:-deb,rpm}
rm -rf "$target/release/bundle/deb" "$target/release/bundle/rpm"
# --ignore-version-mismatches: the npm @tauri-apps/plugin-shell (2.4) trails the crate (2.6);
# the bundler does not use it.
ui/node_modules/.bin/tauri build --ci --bundles "$bundles" --ignore-version-mismatches
echo "Packages:"
for f in "$target"/release/bundle/deb/*.deb "$target"/release/bundle/rpm/*.rpm; do
  [ -f "$f" ] && printf '  %s  %s\n' "$(du -h "$f" | cut -f1)" "$f"
done
