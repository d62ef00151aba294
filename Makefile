# Paydesk: `make run` opens the app on its embedded sandbox; `make test` runs every suite.
# Both set up whatever is missing first (system packages, npm packages, pinned tools, the UI).

SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup run test build ui clean bench bench-window screenshots package bindings

help:
	@echo "make run    open Paydesk on its embedded sandbox (no credentials needed)"
	@echo "make test   run every suite: Rust unit + integration, UI unit, keychain, end-to-end, package"
	@echo "make package  build the .deb and .rpm (target/release/bundle/)"
	@echo "make bindings  regenerate the UI's IPC types and currency list from the Rust types"

setup:
	@scripts/setup.sh

build: setup
	cargo build

run: build
	@scripts/run.sh

test: setup
	@scripts/test.sh

# The Linux packages (.deb, .rpm) with Tauri's bundler, nothing downloaded (scripts/package.sh).
package: setup
	@scripts/package.sh

# The UI's IPC types and the core's currency list (ui/src/lib/bindings/), generated from the
# Rust types by src-tauri/shell/bindings.rs; `make test` fails while they are out of step.
bindings: setup
	PAYDESK_BINDINGS=write cargo test --bin paydesk shell::bindings::

# The README's screenshots, from the last end-to-end run (make test) into docs/.
screenshots:
	@scripts/screenshots.sh

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules .tools

# The ledger at scale, timed on a seeded ledger of BENCH_ORDERS orders (release build; the
# ledger is kept in target/bench-ledger); then the shop ledger (scripts/bench-shop.sh: a
# throwaway PostgreSQL, replication lag, the same figures on a desk's replica of BENCH_ORDERS
# orders); then the window. Prints every figure with its target, PASS or MISS.
BENCH_ORDERS ?= 1000000
bench: setup
	cargo build --release
	target/release/paydesk --data-dir target/bench-ledger dev bench --orders $(BENCH_ORDERS)
	@BENCH_SHOP_ORDERS=$(BENCH_ORDERS) scripts/bench-shop.sh
	@scripts/bench-window.sh

# The app in its real window (issue 13): release build under Xvfb through tauri-driver, on the
# sandbox: cold start, Enter to QR, pay to Paid (notified and poll-only), Orders on a seeded
# ledger of BENCH_WINDOW_ORDERS orders, and the memory of the whole process tree.
bench-window: setup
	@scripts/bench-window.sh
