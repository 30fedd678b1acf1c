# Two entry points do everything on a fresh machine:
#   make book   virtual environment + pinned stack + offline assets, then a strict book build
#   make test   the same set-up, the strict book build from an empty _build, the dataset
#               check, and the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB_FLAGS := -W -n --keep-going

.PHONY: book test clean env assets browser validate bench explore

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,test]"
	touch $(STAMP)

env: $(STAMP)

# MathJax and axe-core come from the npm registry at set-up, never from a CDN at view time.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

assets: $(NODE_STAMP)

# Debian's Chromium for the browser tests (never a browser download by a test tool).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) apt-get install -y --no-install-recommends chromium || \
	  ( $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium )

browser: $(CHROMIUM)

# The execution cache keys on code cells only, so a change in the data, the bibliography or
# the engine would leave stale numbers: book/_ext/build_book.py compares a SHA-256 of those
# inputs (content, not timestamps) with the last build's and starts from an empty cache when it
# differs. It builds in _build/stage and replaces _build/html only when the strict build passes,
# and names each failing chapter in one line.
book: env assets
	$(BIN)/python book/_ext/build_book.py

validate: env
	$(BIN)/alliance-meta validate data

test: env assets browser
	rm -rf _build
	$(BIN)/python book/_ext/build_book.py --fresh
	$(BIN)/alliance-meta validate data
	CHROMIUM=$(CHROMIUM) HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest

# Property tests with random seeds and ten times the examples (make test is derandomized:
# pin whatever this finds with @example, so that CI replays it).
explore: env
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -m property

bench: env
	$(BIN)/python benchmarks/bench_pool.py
	$(BIN)/python benchmarks/bench_multilevel_sensitivity.py
	$(BIN)/python benchmarks/bench_vs_metafor.py

clean:
	rm -rf _build
