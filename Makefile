# Runnable Notes — the two commands: `make serve` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
# Write bytecode caches (__pycache__, ignored by git) even where the environment turns them off:
# the build and the tests start a hundred Python processes that import the same modules.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: help install serve build test test-fast browser-deps bench clean

help:
	@echo "make serve  - install if needed, build and serve the site at http://127.0.0.1:8000"
	@echo "make test   - install if needed, run unit tests, page doc-tests, strict build, browser tests"
	@echo "make build  - build the site into site/"
	@echo "make bench  - run the benchmarks and save results/bench/*.json"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the pins or the package metadata change.
$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --no-strict

build: $(STAMP)
	$(BIN)/mkdocs build --strict

# Debian chromium (and a CJK font for screenshots) for the browser tests.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

test: $(STAMP) browser-deps
	@start=$$(date +%s); \
	$(BIN)/mkdocs build --strict 2>&1 | tee .cache-build.log | grep -E "sitekit:|Documentation built|ERROR|WARNING|Aborted" ; \
	test $${PIPESTATUS[0]} -eq 0 || { cat .cache-build.log; exit 1; }; \
	$(BIN)/python -m pytest -n auto --dist loadgroup $(PYTEST_ARGS); status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s"; exit $$status

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf site .cache .cache-build.log
