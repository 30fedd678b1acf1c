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
# the engine would leave stale numbers: when any of them is newer than the last build, the
# build starts again from an empty _build.
INPUTS := $(wildcard data/*.csv data/*.json data/reliability/*.csv src/alliance_meta/*.py src/alliance_meta/*/*.py book/_static/* book/_ext/*.py) references.bib
BUILD_STAMP := _build/.inputs
$(BUILD_STAMP): $(INPUTS)
	rm -rf _build
	mkdir -p _build
	touch $@

book: env assets $(BUILD_STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "The book is at _build/html/index.html"

validate: env
	$(BIN)/alliance-meta validate data

test: env assets browser
	rm -rf _build
	mkdir -p _build && touch $(BUILD_STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	$(BIN)/alliance-meta validate data
	CHROMIUM=$(CHROMIUM) HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest

# Property tests with random seeds and ten times the examples (make test is derandomized:
# pin whatever this finds with @example, so that CI replays it).
explore: env
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -m property

bench: env
	$(BIN)/python benchmarks/bench_pool.py
	$(BIN)/python benchmarks/bench_multilevel_sensitivity.py

clean:
	rm -rf _build
