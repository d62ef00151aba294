#!/usr/bin/env bash
# The window benchmark (issue 13): the release app in its real window under Xvfb, through
# tauri-driver + WebKitWebDriver, inside its own session bus with a throwaway keyring (as the
# e2e suite in scripts/test.sh), on the embedded sandbox. Prints every figure with its target
# and PASS or MISS; asserts nothing (`make test` never runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
exec dbus-run-session -- bash -c '
  set -e
  export XDG_DATA_HOME=$(mktemp -d)
  trap "rm -rf \"$XDG_DATA_HOME\"" EXIT
  export $(echo -n "paydesk-bench" | gnome-keyring-daemon --login | xargs)
  export $(gnome-keyring-daemon --start --components=secrets | xargs)
  xvfb-run -a -s "-screen 0 1440x900x24" \
    env TAURI_DRIVER="$PWD/.tools/bin/tauri-driver" \
    cargo test --release --test it -- --ignored --exact window_bench::figures --nocapture --test-threads=1'
