# Kassa: `make run` serves the demo; `make test` runs every test. Both install what is missing
# and skip what is already there.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO_LEPTOS_VERSION := 0.3.10
# Must equal the wasm-bindgen crate pinned in Cargo.toml.
WASM_BINDGEN_VERSION := 0.2.130
CARGO_BIN := $(HOME)/.cargo/bin
# tools/ holds npm's binaryen: its wasm-opt must come before any system one (Debian's 108
# produces a wasm whose externref table fails at start-up in the browser).
export PATH := $(CURDIR)/tools/node_modules/.bin:$(CARGO_BIN):$(PATH)
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
E2E_PORT ?= 3100

.PHONY: run test setup-build setup-test postgres test-rust test-e2e build-release lint bench fuzz

## Sandbox mode (simulators, demo stores and their owners) is switched on here: the binary
## alone is live.
run: setup-build build-release
	@echo "make run: sandbox mode (KASSA_SANDBOX=1): provider simulators and demo stores"
	KASSA_SANDBOX=1 ./target/release/kassa

## --split: each back-office page is a wasm chunk of its own (lazy routes, docs/ARCHITECTURE.md).
build-release:
	cargo leptos build --release --split

## Tools the build needs: the wasm target, cargo-leptos, a matching wasm-bindgen, wasm-opt
## (binaryen from npm, pinned in tools/package-lock.json).
setup-build:
	rustup target add wasm32-unknown-unknown >/dev/null
	@if ! cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)"; then \
	  echo "installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 20 minutes on 2 cores)"; \
	  cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads; \
	fi
	@if ! wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)"; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi
	@[ -x tools/node_modules/.bin/wasm-opt ] || (cd tools && npm ci --no-audit --no-fund)

## What the tests need besides the build: Chromium, poppler's pdftotext (the receipts' PDFs are
## read back), aiosmtpd (the SMTP server mail tests send to, pinned in tools/requirements.txt),
## the npm packages, a PostgreSQL server.
setup-test: setup-build postgres
	@command -v chromium >/dev/null || $(call apt_install,chromium)
	@command -v pdftotext >/dev/null || $(call apt_install,poppler-utils)
	@python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet -r tools/requirements.txt
	cd end2end && npm ci --no-audit --no-fund

define apt_install
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1))
endef

postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "no PostgreSQL on 127.0.0.1:5432: starting the Debian cluster"; \
	  command -v pg_ctlcluster >/dev/null || $(call apt_install,postgresql); \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	  pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL could not be started"; exit 1; }; \
	fi

test: setup-test test-rust test-e2e

## Rust tests: the engine on SQLite and PostgreSQL (KASSA_TEST_POSTGRES), then the server
## (whose provider-callback tests run on both too), then the receipts' PDFs.
test-rust:
	KASSA_TEST_POSTGRES=$(PG_URL) cargo test -p engine --features server
	KASSA_TEST_POSTGRES=$(PG_URL) cargo test -p server
	cargo test -p receipt-pdf

test-e2e: setup-test build-release
	cd end2end && CI=1 E2E_PORT=$(E2E_PORT) npx playwright test

## The customer pages (tools/pages-bench.sh: OpenPay's first load, its rendered throughput
## beside the same bytes served statically, memory), the payments report at 100,000 payments
## (engine/benches/report.rs), the notifications the release server accepts and verifies per
## second (engine/benches/notifications.rs), on SQLite and PostgreSQL, and 1,000 receipt PDFs:
## time and memory (receipt-pdf/benches/pdfs.rs).
bench: setup-test build-release
	@command -v wrk >/dev/null || $(call apt_install,wrk)
	tools/pages-bench.sh
	KASSA_TEST_POSTGRES=$(PG_URL) cargo bench -p engine --features server --bench report
	KASSA_TEST_POSTGRES=$(PG_URL) cargo bench -p engine --features server --bench notifications
	cargo bench -p receipt-pdf --bench pdfs

## Fuzzing (libFuzzer through cargo-fuzz) of the parsers that read what strangers send: each
## target for FUZZ_SECONDS (default 30). cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets
## the stable toolchain take them.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := amount mobile paypal_ipn mypos_message everypay_message link_terms
fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  echo "== $$t"; \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 2>&1 | grep -E "number_of_executed_units|crash|panicked" ; \
	done

lint:
	cargo fmt --all --check
	cargo clippy -p engine --features server --all-targets -- -D warnings
	cargo clippy -p server --all-targets -- -D warnings
	cargo clippy -p receipt-pdf --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
