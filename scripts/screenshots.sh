#!/usr/bin/env bash
# Copies the README's screenshots from the last end-to-end run (target/e2e, written by
# `make test`) into docs/. Tests never write tracked files themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
# docs/<name>  <-  target/e2e/<shot>
pairs=(
  counter.png:counter-entry.png
  counter-waiting.png:counter-waiting.png
  counter-paid.png:counter-paid.png
  counter-card.png:counter-card.png
  counter-barcode.png:counter-barcode.png
  counter-dark.png:counter-dark.png
  customer-paid.png:customer-paid.png
  orders-filtered.png:orders-filtered.png
  orders-detail.png:orders-detail.png
  report.png:report.png
  settings.png:settings.png
  setup.png:setup.png
  counter-1024x768.png:counter-1024x768.png
  counter-waiting-strip.png:counter-waiting-strip.png
  counter-paid-notice.png:counter-paid-notice.png
  orders-declined.png:orders-declined.png
  orders-shop.png:orders-shop.png
  settings-shop-ledger.png:settings-shop-ledger.png
  staff-sign-in.png:staff-sign-in.png
  staff-approval.png:staff-approval.png
  shift-z.png:shift-z.png
  settings-staff.png:settings-staff.png
  audit-log.png:audit-log.png
  receipt.png:receipt.png
  counter-terminal.png:counter-terminal.png
  tip-step.png:tip-step.png
  counter-en.png:counter-en.png
  customer-en.png:customer-en.png
  counter-fr-CA.png:counter-fr-CA.png
  customer-fr-CA.png:customer-fr-CA.png
  counter-zh-CN.png:counter-zh-CN.png
  customer-zh-CN.png:customer-zh-CN.png
  counter-hi.png:counter-hi.png
  customer-hi.png:customer-hi.png
)
missing=0
for pair in "${pairs[@]}"; do
  doc=${pair%%:*} shot=target/e2e/${pair#*:}
  if [ -f "$shot" ]; then cp "$shot" "docs/$doc"; echo "docs/$doc <- $shot"; else echo "missing: $shot (run make test first)" >&2; missing=1; fi
done
exit $missing
