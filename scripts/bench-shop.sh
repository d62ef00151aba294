#!/usr/bin/env bash
# The shop ledger's figures (issue 14), release build, a throwaway PostgreSQL cluster
# (scripts/pg-cluster.sh) and a throwaway keyring (the shop's password), everything on this
# machine. Prints every figure with its target and PASS or MISS; asserts nothing.
#  1. Replication lag at 10 sales/s over 3 counters: three tills ring a sale every 300 ms each
#     through their sandboxes, each replicating (`shop sync --follow`); an owner's desk measures
#     how long each Paid takes to arrive (`dev shop-lag`): p95 under 1 s.
#  2. BENCH_SHOP_ORDERS (1,000,000) orders on the shop ledger: a counter seeded with them pushes
#     them, a new desk pulls them all, then the ledger figures run on that desk (`dev bench
#     --reuse`: list, search, totals, month report, export vs sqlite3), and the desk's export
#     is timed beside `psql \copy` of the same columns from the shop ledger (within 1.5x).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PAYDESK_BENCH_SESSION:-}" ]; then
  exec dbus-run-session -- env PAYDESK_BENCH_SESSION=1 bash "$0" "$@"
fi
export XDG_DATA_HOME=$(mktemp -d)
export $(echo -n "paydesk-bench" | gnome-keyring-daemon --login | xargs)
export $(gnome-keyring-daemon --start --components=secrets | xargs)
export PAYDESK_KEYRING_SERVICE=app.paydesk.console.bench

B=$PWD/target/release/paydesk
ORDERS=${BENCH_SHOP_ORDERS:-1000000}
work=$(mktemp -d /tmp/paydesk-bench-shop.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  scripts/pg-cluster.sh stop "$work/pg" || true
  if [ -n "${PAYDESK_BENCH_KEEP:-}" ]; then echo "kept: $work"; else rm -rf "$work"; fi
  rm -rf "$XDG_DATA_HOME"
}
trap cleanup EXIT
secs() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(secs)" 'BEGIN { printf "%.2f", b - a }'; }

# A free loopback port: one nothing answers on.
port=$((20000 + RANDOM % 40000))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((20000 + RANDOM % 40000)); done
admin=$(scripts/pg-cluster.sh init "$work/pg" "$port")
psql "$admin" -qc "CREATE ROLE bench LOGIN PASSWORD 'bench-pw'"
psql "$admin" -qc "CREATE DATABASE shop OWNER bench"
shop_admin=${admin%/postgres}/shop
url="postgres://bench@127.0.0.1:$port/shop"
join() { echo bench-pw | "$B" --data-dir "$work/$1" shop join "$url" --counter "$2" --password-stdin >/dev/null; }

echo "Paydesk shop ledger benchmark: PostgreSQL $(psql "$admin" -Atc 'SHOW server_version'), $(nproc) cores"
echo "1. replication lag at 10 sales/s over 3 counters"
for i in 1 2 3; do join "till$i" "Till $i"; done
join desk "Back office"
for d in till1 till2 till3 desk; do
  "$B" --data-dir "$work/$d" shop sync --follow 2>/dev/null & pids+=($!)
done
rings=()
for i in 1 2 3; do
  "$B" --data-dir "$work/till$i" sandbox ring --sales 100 --every-ms 300 >/dev/null & rings+=($!)
done
"$B" --data-dir "$work/desk" dev shop-lag --seconds 90 --sales 300
wait "${rings[@]}"
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
pids=()

echo "2. $ORDERS orders on the shop ledger"
join big "Till 4"
started=$(secs)
"$B" --data-dir "$work/big" dev seed --orders "$ORDERS" >/dev/null
echo "  seeded at a counter (every row queued for the shop): $(elapsed "$started") s"
started=$(secs)
"$B" --data-dir "$work/big" shop sync >/dev/null
echo "  pushed to the shop ledger (orders, events, refunds): $(elapsed "$started") s"
join owner "Owner desk"
started=$(secs)
"$B" --data-dir "$work/owner" shop sync >/dev/null
echo "  a new desk pulls the whole shop: $(elapsed "$started") s ($(sqlite3 "$work/owner/paydesk.db" 'SELECT count(*) FROM orders') orders)"
echo "A desk's replica of a shop ledger, made by scripts/bench-shop.sh: safe to delete." >"$work/owner/bench-ledger.txt"
"$B" --data-dir "$work/owner" dev bench --orders "$ORDERS" --reuse --inserts 2000 | sed -n '/same records/p; /^summary/,$p'

# The desk's export beside psql \copy of the same columns from the shop ledger (best of 2 each).
status_words=$(for s in created:Created pending:Pending authorized:Authorized paid:Paid failed:Failed \
  expired:Expired cancelled:Cancelled voided:Voided partially_refunded:'Partially refunded' refunded:Refunded; do
  printf "WHEN '%s' THEN '%s' " "${s%%:*}" "${s#*:}"; done)
ts() { echo "to_char(to_timestamp($1 / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS $1"; }
amount() { echo "to_char($1 / 100.0, 'FM999999990.00') AS $2"; }
sql="SELECT $(ts created_at), merchant_order_no, gateway, method, environment, CASE status $status_words END AS status, \
$(amount amount_minor amount), currency, $(amount refunded_minor refunded), gateway_order_id, gateway_status, $(ts updated_at), counter \
FROM shop_orders ORDER BY shop_orders.created_at DESC, shop_orders.merchant_order_no DESC"
best_ours=999999; best_psql=999999
for round in 1 2; do
  rm -f "$work/ours.csv" "$work/psql.csv"
  started=$(secs)
  "$B" --data-dir "$work/owner" export csv --tz UTC --output "$work/ours.csv" >/dev/null 2>&1
  ours=$(elapsed "$started")
  started=$(secs)
  psql "$shop_admin" -qc "\\copy ($sql) TO '$work/psql.csv' WITH (FORMAT csv, HEADER)"
  theirs=$(elapsed "$started")
  best_ours=$(awk -v a="$best_ours" -v b="$ours" 'BEGIN { print (b < a) ? b : a }')
  best_psql=$(awk -v a="$best_psql" -v b="$theirs" 'BEGIN { print (b < a) ? b : a }')
done
ratio=$(awk -v a="$best_ours" -v b="$best_psql" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.5) ? "PASS" : "MISS" }')
printf '  %-40s %-48s %-22s %s\n' "export on the desk vs psql \\copy" \
  "$best_ours s vs $best_psql s (${ratio}x; $(($(wc -l <"$work/ours.csv") - 1)) rows)" "<= 1.5x" "$verdict"
