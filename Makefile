# Bole (伯乐): the commands a developer and CI use. `make` alone prints this list.
#
#   make run     build and start the demo on http://127.0.0.1:8080 (data in ./bole-data)
#   make test    the whole gate CI runs: fmt-check, lint, tests on SQLite + PostgreSQL, OpenAPI, web
#
# Runs on a fresh Debian machine as root: missing system packages (python3, Node.js/npm for web/,
# PostgreSQL, Chromium for browser tests, python3-aiosmtpd for the SMTP test, fonts-wqy-microhei and
# poppler-utils for the payslip PDF tests) are installed with apt-get when needed.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

CARGO    ?= cargo
PYTHON   ?= python3
NPM      ?= npm
DATA_DIR ?= ./bole-data
LISTEN   ?= 127.0.0.1:8080
# nextest profile: `ci` when CI is set (CI runs `CI=true bash .ci/run`), else `default`.
NEXTEST_PROFILE ?= $(if $(CI),ci,default)
# Extra arguments, e.g. `make test-rust TEST_ARGS='-E package(bole-org)'`.
TEST_ARGS ?=

HAVE_WEB := $(wildcard web/package.json)

# Install Debian packages when root and apt-get is there; otherwise say what is missing and fail.
apt_install = if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
  echo "make: installing $(1) with apt-get" >&2; export DEBIAN_FRONTEND=noninteractive; \
  apt-get update -qq && apt-get install -y -qq $(1) >/dev/null; \
  else echo "make: please install $(1)" >&2; exit 1; fi

.PHONY: help run build release web web-deps web-test screenshots test fmt fmt-check lint clippy check-deps \
        test-deps test-rust openapi-check bench clean

help:
	@echo "Bole (伯乐) — make targets"
	@echo
	@echo "  make run            build (release + web if present) and run the demo: seeds the demo"
	@echo "                      organisation into DATA_DIR if empty, serves on LISTEN, prints the logins"
	@echo "                      DATA_DIR=$(DATA_DIR)  LISTEN=$(LISTEN)"
	@echo "  make test           the whole gate: fmt-check, lint, tests (SQLite + PostgreSQL),"
	@echo "                      OpenAPI 3.1 validity, web tests (if web/ exists)"
	@echo "  make bench          benchmarks (bole-bench crate and bench/run.sh, when present)"
	@echo
	@echo "  make build          cargo build --release -p bole (after the web app, if present)"
	@echo "  make web            npm install + build of web/ into web/dist (no-op without web/)"
	@echo "  make web-test       API-type drift check + browser tests in Debian chromium (no-op without web/)"
	@echo "  make screenshots    browser suite writing docs/screenshots/*.png (phone and desktop)"
	@echo "  make fmt            cargo fmt --all"
	@echo "  make fmt-check      cargo fmt --all -- --check"
	@echo "  make lint           clippy -D warnings + dependency-direction check"
	@echo "  make test-rust      only the Rust tests (nextest; BOLE_TEST_PG_URL from scripts/ensure-postgres.sh)"
	@echo "  make openapi-check  print the spec with \`bole openapi\` and validate it as OpenAPI 3.1"
	@echo "  make clean          cargo clean + web/dist (never touches DATA_DIR)"

# ---------------------------------------------------------------------------------------------- run

run: build
	./target/release/bole demo --data-dir $(DATA_DIR) --listen $(LISTEN)

# The web app is built first: bole-http embeds web/dist into the release binary.
build: web
	$(CARGO) build --release --locked -p bole

release: build

# ---------------------------------------------------------------------------------------------- web

# `npm install` rather than `npm ci`: the registry mirror here lists only the Linux builds of
# rollup/esbuild, so the lock file lacks other platforms' optional packages and `npm ci` refuses
# it as "out of sync"; `npm install` keeps to the locked versions all the same.
web-deps:
ifeq ($(HAVE_WEB),)
	@echo "web: no web/package.json yet; skipping"
else
	@command -v $(NPM) >/dev/null || { $(call apt_install,nodejs npm); }
	@cd web; stamp=node_modules/.bole-installed; \
	if [ ! -f $$stamp ] || [ package.json -nt $$stamp ] || \
	   { [ -f package-lock.json ] && [ package-lock.json -nt $$stamp ]; }; then \
	  $(NPM) install --no-audit --no-fund; \
	  mkdir -p node_modules && touch $$stamp; \
	fi
endif

# Rebuilt only when a source is newer than the last build (vue-tsc + vite take ~20 s).
web: web-deps
ifneq ($(HAVE_WEB),)
	@if [ -f web/dist/index.html ] && [ -z "$$(find web/src web/public web/index.html web/vite.config.ts \
	     web/tsconfig.json web/package-lock.json -newer web/dist/index.html -print -quit)" ]; then \
	  echo "web: web/dist is up to date"; \
	else cd web && $(NPM) run build; fi
endif

# Browser tests drive Debian's Chromium (never a downloaded browser) with a CJK font so Chinese renders.
# `web` first: vue-tsc type-checks while building, and the browser tests serve web/dist. The API types
# in web/src/api/schema.d.ts must match `bole openapi` (regenerate with `cd web && npm run gen:api`).
web-test: web
ifeq ($(HAVE_WEB),)
	@echo "web-test: no web/package.json yet; skipping"
else
	@mkdir -p target
	$(CARGO) run -q --locked -p bole -- openapi > target/openapi.json
	cd web && BOLE_OPENAPI=../target/openapi.json $(NPM) run check:api
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi -e wqy -e 'noto sans cjk'; then \
	  $(call apt_install,chromium fonts-wqy-microhei fontconfig); \
	fi
	cd web && $(NPM) test
endif

# Screenshots of the main pages at phone and desktop size into docs/screenshots/ (shown in the README).
screenshots: web
	cd web && $(NPM) run screenshots

# --------------------------------------------------------------------------------------------- gate

# The web app is built first: debug servers and the browser tests serve web/dist.
test:
	$(MAKE) fmt-check
ifneq ($(HAVE_WEB),)
	$(MAKE) web
endif
	$(MAKE) lint
	$(MAKE) test-rust
	$(MAKE) openapi-check
ifneq ($(HAVE_WEB),)
	$(MAKE) web-test
else
	@echo "web-test: no web/package.json yet; skipping"
endif

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

lint: clippy check-deps

clippy:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

check-deps: test-deps
	bash scripts/check-deps.sh

# System tools the gate needs besides cargo; PostgreSQL is scripts/ensure-postgres.sh's job.
test-deps:
	@command -v $(PYTHON) >/dev/null || { $(call apt_install,python3 python3-pip); }

# The notification test talks to a real SMTP server: Debian's aiosmtpd, run by Debian's python3.
test-rust: test-deps
	@/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || { $(call apt_install,python3-aiosmtpd); }
# Payslip PDFs need a CJK font (bole-pdf looks for WenQuanYi Micro Hei first); their tests read the PDFs
# back with poppler's pdftotext / pdfinfo.
	@{ [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] && command -v pdftotext >/dev/null; } || \
	  { $(call apt_install,fonts-wqy-microhei poppler-utils); }
	@url="$$(bash scripts/ensure-postgres.sh | tail -n 1)"; \
	export BOLE_TEST_PG_URL="$$url"; \
	echo "test-rust: BOLE_TEST_PG_URL=$$(sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$$url")"; \
	if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  $(CARGO) nextest run --workspace --locked --profile $(NEXTEST_PROFILE) $(TEST_ARGS); \
	else \
	  echo "test-rust: cargo-nextest not found; using cargo test" >&2; \
	  $(CARGO) test --workspace --locked $(TEST_ARGS); \
	fi

openapi-check: test-deps
	@mkdir -p target
	$(CARGO) run -q --locked -p bole -- openapi > target/openapi.json
	$(PYTHON) scripts/check-openapi.py target/openapi.json

# -------------------------------------------------------------------------------------------- bench

bench:
	@ran=; \
	if $(CARGO) pkgid -q bole-bench >/dev/null 2>&1; then \
	  ran=1; $(CARGO) bench --locked -p bole-bench; \
	fi; \
	if [ -f bench/run.sh ]; then \
	  ran=1; bash bench/run.sh; \
	fi; \
	if [ -z "$$ran" ]; then \
	  echo "bench: no benchmarks yet (no bole-bench crate, no bench/run.sh); see bench/README.md"; \
	fi

# -------------------------------------------------------------------------------------------- clean

# DATA_DIR is left alone on purpose: it holds the demo's (or your) data.
clean:
	$(CARGO) clean
	rm -rf web/dist
