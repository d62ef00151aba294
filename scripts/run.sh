#!/usr/bin/env bash
# Opens Paydesk (already built by `make run`) with its ledger in the OS app-data directory,
# on the embedded sandbox unless another mode was chosen.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = "Linux" ]; then
  cat >&2 <<'MSG'
There is no display here (DISPLAY is not set), so Paydesk's window cannot open.
Run it under a virtual display instead:
    xvfb-run -a -s "-screen 0 1440x900x24" make run
and look at it with a screenshot (DISPLAY=:99 import -window root shot.png), or use the
command line, which needs no display:  target/debug/paydesk --help
MSG
  exit 1
fi
exec target/debug/paydesk "$@"
