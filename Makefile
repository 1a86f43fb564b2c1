# `make run` serves Hubbub on http://localhost:8065 (SQLite in ./data); `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
# Parallel test processes (pytest-xdist); each gets its own databases.
TEST_WORKERS ?= 2

.PHONY: run test services bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(TEST_STAMP): requirements.txt requirements-test.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $(RUN_STAMP) $@

run: $(RUN_STAMP)
	$(PY) -m hub serve

services:
	bash scripts/services.sh

test: $(TEST_STAMP) services
	$(PY) -m pytest -q -n $(TEST_WORKERS)

bench: $(RUN_STAMP)
	$(PY) bench/bench_posts.py
	$(PY) bench/bench_webhooks.py

clean:
	rm -rf $(VENV)
