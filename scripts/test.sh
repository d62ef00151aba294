#!/usr/bin/env bash
# Runs every Paydesk suite and prints each runner's summary. Fails if any suite fails or
# runs no tests (a suite that silently skips is a failure too).
#   rust      Rust unit tests and the integration tests (cargo test)
#   bindings  the UI's IPC types and currency list (ui/src/lib/bindings/) are what the Rust
#             types give: a change to one without `make bindings` fails
#   ui        the UI's type check (svelte-check, tsc) and unit tests (vitest)
#   keychain  the vault against a real gnome-keyring, under dbus-run-session
#   shop      the shop ledger: counters as real processes on a real PostgreSQL cluster
#             (started by the tests themselves), the password in a throwaway gnome-keyring
#   e2e       the real window through tauri-driver + WebKitWebDriver, under Xvfb and
#             dbus-run-session with a throwaway gnome-keyring
#   package   the .deb and .rpm built (release), the .deb installed with apt, the installed
#             binary's CLI smoke test and window, removed, the user's ledger kept
#             (scripts/test-package.sh; PAYDESK_SKIP_PACKAGE=1 leaves it out)
set -uo pipefail
cd "$(dirname "$0")/.."

logs=target/test-logs
mkdir -p "$logs"
declare -a names=() counts=() verdicts=()

# Runners colour their summaries; the counters read the plain text.
plain() { sed 's/\x1b\[[0-9;]*m//g' "$1"; }
# Sums cargo's "test result: ok. N passed; M failed; K ignored" lines.
cargo_counts() { plain "$1" | awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { printf "%d %d", p, f }'; }
# Reads vitest's "Tests  1 failed | 57 passed (58)" line.
vitest_counts() {
  local line p f
  line=$(plain "$1" | grep -E '^ *Tests +' | tail -n1)
  p=$(grep -Eo '[0-9]+ passed' <<<"$line" | grep -Eo '[0-9]+')
  f=$(grep -Eo '[0-9]+ failed' <<<"$line" | grep -Eo '[0-9]+')
  printf "%d %d" "${p:-0}" "${f:-0}"
}
# Reads scripts/test-package.sh's "package: 14 passed, 0 failed" line.
package_counts() {
  local line
  line=$(plain "$1" | grep -E '^package: [0-9]+ passed, [0-9]+ failed' | tail -n1)
  read -r p f < <(sed -E 's/^package: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line")
  printf "%d %d" "${p:-0}" "${f:-0}"
}

suite() {
  local name=$1 counter=$2; shift 2
  local log="$logs/$name.log"
  printf '\n\033[1m==> %s: %s\033[0m\n' "$name" "$*"
  # Each suite runs in its own session with a time limit, its output going to the log (streamed
  # here by tail). Whatever it leaves behind (a window, a WebDriver, a keyring daemon) is killed
  # when it ends, so no orphan can hold the output open and hang the run.
  : >"$log"
  setsid timeout -k 30 "$suite_limit" "$@" >"$log" 2>&1 &
  local pid=$!
  tail -n +1 -f --pid="$pid" "$log" &
  local tailer=$!
  wait "$pid"
  local status=$?
  wait "$tailer"
  pkill -KILL -s "$pid" 2>/dev/null || true
  if [ "$status" -eq 124 ]; then echo "$name: stopped after ${suite_limit}s"; fi
  read -r passed failed < <($counter "$log")
  local verdict=ok
  if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then verdict=FAILED; elif [ "$passed" -eq 0 ]; then verdict="FAILED (no tests ran)"; fi
  names+=("$name"); counts+=("$passed passed, $failed failed"); verdicts+=("$verdict")
}

export CARGO_TERM_COLOR=never
# A fresh clone gains nothing from incremental caches, and they are several GB beside the build.
export CARGO_INCREMENTAL=0
# The disk left before the builds: a full disk fails a build in a way that looks like anything.
df -h "$(dirname "$logs")" | tail -n 1 | awk '{ print "disk free for the build: " $4 " of " $2 }'
# Seconds one suite may take (a guard against a hung suite; the whole run stays inside CI's 90
# minutes). The rust suite on a fresh 2-core machine is mostly the cold build of the workspace
# (about 600 crates since the receipts' PDF and ESC/POS crates): 25 minutes was too close.
suite_limit=${PAYDESK_SUITE_LIMIT:-2700}
suite rust cargo_counts cargo test --workspace --lib --bins --tests -- --skip shell::bindings::

# The generated TypeScript against the Rust types it comes from (src-tauri/shell/bindings.rs),
# before the UI is type-checked against it. The test says to run `make bindings` when stale.
suite bindings cargo_counts cargo test --bin paydesk shell::bindings::

# Type-checked first (svelte-check, tsc): a type error fails the suite.
suite ui vitest_counts bash -c 'cd ui && npm run --silent check && npx vitest run --reporter=default'

# The suites that need the OS keychain run in a session bus of their own with a throwaway,
# unlocked gnome-keyring (a keyring left by an earlier run, under another password, stays
# locked): `in_keyring CMD` is that session's bash script, CMD last.
in_keyring() {
  printf '%s\n' 'set -e' \
    'export XDG_DATA_HOME=$(mktemp -d)' \
    'trap "rm -rf \"$XDG_DATA_HOME\"" EXIT' \
    'export $(echo -n "paydesk-ci" | gnome-keyring-daemon --login | xargs)' \
    'export $(gnome-keyring-daemon --start --components=secrets | xargs)' \
    "$1"
}
window='xvfb-run -a -s "-screen 0 1440x900x24"'

suite keychain cargo_counts dbus-run-session -- bash -c "$(in_keyring 'cargo test --test it -- --ignored keychain::')"

# The shop ledger over real processes and a real PostgreSQL: each test starts its own throwaway
# cluster (scripts/pg-cluster.sh; as root its server runs as the postgres user); the shop's
# password is in the keyring.
suite shop cargo_counts dbus-run-session -- bash -c "$(in_keyring 'cargo test --test it -- --ignored shop::')"

# The window under Xvfb: the settings test stores a credential through the real keychain
# (under a test service name), the shop tests the shop ledger's password.
suite e2e cargo_counts dbus-run-session -- bash -c "$(in_keyring "$window env TAURI_DRIVER=\"$PWD/.tools/bin/tauri-driver\" cargo test --test it -- --ignored e2e:: --test-threads=1")"

# The installed package: a release build (longer than the other suites on a cold cache: its own
# limit), apt install, the installed app's CLI and window, apt remove.
if [ "${PAYDESK_SKIP_PACKAGE:-0}" != 1 ]; then
  suite_limit=${PAYDESK_PACKAGE_LIMIT:-2700} suite package package_counts dbus-run-session -- \
    bash -c "$(in_keyring "$window scripts/test-package.sh")"
fi

printf '\n\033[1mSummary\033[0m\n'
failed=0
for i in "${!names[@]}"; do
  printf '  %-9s %-24s %s\n' "${names[$i]}" "${counts[$i]}" "${verdicts[$i]}"
  [ "${verdicts[$i]}" = ok ] || failed=1
done
exit $failed
