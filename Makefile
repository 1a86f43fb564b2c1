# `make run` serves Hubbub on http://localhost:8065 (SQLite in ./data); `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
WEB_STAMP := server/web/node_modules/.installed
# Parallel test processes (pytest-xdist); each gets its own databases.
TEST_WORKERS ?= 2

.PHONY: run test lint test-browser services browser bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(TEST_STAMP): requirements.txt requirements-test.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $(RUN_STAMP) $@

$(WEB_STAMP): server/web/package.json server/web/package-lock.json | $(PY)
	bash scripts/web_modules.sh $(PY)
	touch $@

run: $(RUN_STAMP) $(WEB_STAMP)
	$(PY) -m hub serve

services:
	bash scripts/services.sh

browser:
	bash scripts/browser.sh

# Lint, format and types first: they take seconds and fail before the suite's minutes.
lint: $(TEST_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# The browser tests run after the rest, in one process, on SQLite: they test the page, not the databases.
test: lint $(WEB_STAMP) services browser
	$(PY) -m pytest -q -n $(TEST_WORKERS) -m "not browser"
	$(PY) -m pytest -q -m browser

test-browser: $(TEST_STAMP) $(WEB_STAMP) browser
	$(PY) -m pytest -q -m browser

bench: $(TEST_STAMP) $(WEB_STAMP) browser
	bash scripts/bench_tools.sh
	$(PY) bench/bench_post_path.py
	$(PY) bench/bench_posts.py
	$(PY) bench/bench_webhooks.py
	$(PY) bench/bench_oversize.py
	$(PY) bench/bench_markdown.py
	$(PY) bench/bench_web.py --minutes 5

clean:
	rm -rf $(VENV) server/web/node_modules
