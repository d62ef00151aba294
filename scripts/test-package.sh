#!/usr/bin/env bash
# The installed package, as a shop would get it: builds the .deb and .rpm (scripts/package.sh,
# release), installs the .deb with apt, runs the installed /usr/bin/paydesk's command-line smoke
# test (a sandbox sale to Paid, a backup), opens the installed app under the display to the
# counter through tauri-driver + WebKitWebDriver (a W3C session on /usr/bin/paydesk; curl
# speaks the protocol), then removes the package and checks the user's ledger is still there.
# Runs as root (CI) or with sudo. Needs a display (scripts/test.sh runs it under xvfb-run).
# Prints one line per check ("ok N - ..." / "not ok N - ...") and "package: P passed, F failed".
set -uo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
target=${CARGO_TARGET_DIR:-target}
passed=0
failed=0
n=0
check() { # check "what" command...
  local what=$1
  shift
  n=$((n + 1))
  if "$@" >>"$work/checks.log" 2>&1; then
    passed=$((passed + 1))
    echo "ok $n - $what"
  else
    failed=$((failed + 1))
    echo "not ok $n - $what (see below)"
    tail -n 20 "$work/checks.log" | sed 's/^/    /'
  fi
}
finish() {
  echo "package: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/checks.log"

# --- the packages -----------------------------------------------------------------------
started=$SECONDS
if ! scripts/package.sh; then
  n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - make package"; finish
fi
deb=$(ls "$target"/release/bundle/deb/[Pp]aydesk_*.deb 2>/dev/null | head -n 1)
rpm=$(ls "$target"/release/bundle/rpm/[Pp]aydesk-*.rpm 2>/dev/null | head -n 1)
echo "packages built in $((SECONDS - started)) s: $(du -h "$deb" | cut -f1) $deb, $(du -h "$rpm" | cut -f1) $rpm"
check "the .deb and the .rpm were built" test -s "$deb" -a -s "$rpm"
check "the .deb declares webkit2gtk 4.1 and the Secret Service client, recommends gnome-keyring" \
  bash -c "dpkg-deb -f '$deb' Depends | grep -q 'libwebkit2gtk-4.1-0' && dpkg-deb -f '$deb' Depends | grep -q 'libsecret-1-0' && dpkg-deb -f '$deb' Recommends | grep -q gnome-keyring"
check "the .deb holds the binary, the desktop entry and the icons" \
  bash -c "dpkg-deb -c '$deb' | grep -q ' usr/bin/paydesk\$' && dpkg-deb -c '$deb' | grep -q 'usr/share/applications/Paydesk.desktop' && dpkg-deb -c '$deb' | grep -q 'usr/share/icons/hicolor/128x128/apps/paydesk.png'"
if command -v rpm >/dev/null; then
  check "the .rpm declares its runtime dependencies and holds the binary" \
    bash -c "rpm -qp --requires '$rpm' | grep -q webkit2gtk4.1 && rpm -qp --requires '$rpm' | grep -q libsecret && rpm -qlp '$rpm' | grep -qx /usr/bin/paydesk"
fi

# --- install -------------------------------------------------------------------------------
$sudo env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq paydesk >/dev/null 2>&1 || true
check "apt-get install ./Paydesk_*.deb" \
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$(realpath "$deb")"
check "the installed paydesk runs (--version)" /usr/bin/paydesk --version
check "the desktop entry launches /usr/bin's paydesk, category Finance" \
  bash -c "grep -q '^Exec=paydesk' /usr/share/applications/Paydesk.desktop && grep -q '^Categories=.*Finance' /usr/share/applications/Paydesk.desktop"

# The user's own home: the ledger goes where it would for a shop (~/.local/share/...).
export HOME="$work/home"
export XDG_DATA_HOME="$HOME/.local/share"
mkdir -p "$HOME"
unset PAYDESK_DATA_DIR PAYDESK_MODE
export PAYDESK_KEYRING_SERVICE=app.paydesk.console.tests
ledger="$XDG_DATA_HOME/app.paydesk.console/paydesk.db"

# --- the command line: a sandbox sale to Paid ---------------------------------------------
sale() {
  local out id
  out=$(/usr/bin/paydesk order create --gateway iotpay --method wechat-qr --amount 12.50 --currency CAD --json) || return 1
  id=$(jq -r '.order.id' <<<"$out")
  echo "$id" >"$work/id"
  /usr/bin/paydesk sandbox pay "$id" || return 1
  /usr/bin/paydesk order sync "$id" --json | jq -e '.order.status == "paid"'
}
check "CLI: a sandbox sale ends Paid (order create, sandbox pay, order sync)" sale
check "CLI: the ledger is in the user's data folder" test -s "$ledger"
check "CLI: paydesk backup" bash -c "/usr/bin/paydesk backup --json | jq -e '.orders == 1'"

# --- the window ------------------------------------------------------------------------------
# A shop set up first when this build has `paydesk setup` (the counter opens); otherwise the
# first-start setup screen is what a new shop sees, and either shows the installed app works.
setup_done=no
if /usr/bin/paydesk setup --help >/dev/null 2>&1; then
  if printf '2468\n' | /usr/bin/paydesk setup --shop-name "Package Test" --currency CAD --methods wechat-qr,alipay-qr,unionpay-qr --pin-stdin >>"$work/checks.log" 2>&1; then
    setup_done=yes
  fi
fi
window() {
  local port=$((20000 + RANDOM % 20000)) native=$((40000 + RANDOM % 20000)) driver session answer
  ./.tools/bin/tauri-driver --port "$port" --native-port "$native" >"$work/driver.log" 2>&1 &
  driver=$!
  for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$port/status" >/dev/null && break; sleep 0.2; done
  answer=$(curl -s --max-time 120 "http://127.0.0.1:$port/session" -H 'Content-Type: application/json' \
    -d '{"capabilities":{"alwaysMatch":{"browserName":"wry","tauri:options":{"application":"/usr/bin/paydesk"}}}}')
  session=$(jq -r '.value.sessionId // empty' <<<"$answer")
  if [ -z "$session" ]; then echo "no session: $answer"; kill "$driver"; return 1; fi
  local found="" selector
  for _ in $(seq 1 60); do
    for selector in '[data-testid=amount-input]' '[data-testid=setup]'; do
      if curl -s "http://127.0.0.1:$port/session/$session/element" -H 'Content-Type: application/json' \
        -d "{\"using\":\"css selector\",\"value\":\"$selector\"}" | jq -e '.value | has("element-6066-11e4-a52e-4f735466cecf")' >/dev/null; then
        found=$selector
        break 2
      fi
    done
    sleep 0.5
  done
  echo "found: ${found:-nothing}"
  echo "$found" >"$work/found"
  xwininfo -root -tree 2>/dev/null | grep -i '"Paydesk' || true
  curl -s -X DELETE "http://127.0.0.1:$port/session/$session" >/dev/null
  kill "$driver" 2>/dev/null
  wait "$driver" 2>/dev/null
  [ -n "$found" ]
}
check "the installed app opens its window (tauri-driver session on /usr/bin/paydesk)" window
if [ "$setup_done" = yes ]; then
  check "the window shows the counter (the shop set up with paydesk setup)" grep -qx '\[data-testid=amount-input\]' "$work/found"
else
  check "the window shows the counter or, on this build, the first-start setup" grep -q 'data-testid' "$work/found"
fi

# --- remove: the user's ledger stays ------------------------------------------------------
check "apt-get remove paydesk" $sudo env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq paydesk
check "the binary is gone" test ! -e /usr/bin/paydesk
check "the user's ledger is still there, the sale Paid in it" \
  bash -c "test -s '$ledger' && [ \"\$(sqlite3 '$ledger' \"SELECT status FROM orders WHERE id = $(cat "$work/id" 2>/dev/null || echo 0)\")\" = paid ]"
check "its backup is still there" bash -c "ls '$XDG_DATA_HOME'/app.paydesk.console/backups/paydesk-*.db"
finish
