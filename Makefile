# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
DEV_MAIL_PORT ?= 8025
export FLASK_APP := conference

.PHONY: run test install install-test browser node-tools wrk lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m scheduler compile
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,test,bench]'
	$(BIN)/python -m scheduler compile
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Installs Debian packages $(1) (each also the name of its command) when missing and root;
# otherwise says what will be skipped.
define debian_packages
	@missing=""; for tool in $(1); do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's$$missing..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "Not installed:$$missing. $(2)"; fi
endef

# Debian's Chromium for the Playwright tests (Playwright never downloads a browser here),
# khal, an independent reader of the calendar feeds, and wrk, which the load benchmarks
# (and the test of their wrk driver) run.
browser:
	$(call debian_packages,chromium khal wrk,Browser and khal and wrk tests are skipped outside CI.)

# Node.js tools of the tests, from the npm registry: a real OpenID Connect provider
# (panva/node-oidc-provider) for the single sign-on tests and axe-core for the accessibility
# checks; installed once per change of their lock file.
NODE_TOOLS := tests/node_tools
node-tools:
	@if [ -f $(NODE_TOOLS)/node_modules/.package-lock.json ] && \
		[ $(NODE_TOOLS)/node_modules/.package-lock.json -nt $(NODE_TOOLS)/package-lock.json ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
		echo "Installing the tests' Node.js tools (npm ci)..."; \
		cd $(NODE_TOOLS) && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the single sign-on and accessibility tests are skipped outside CI."; fi

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --if-empty
	@echo ""
	@echo "  Conference planner: http://$(HOST):$(PORT)/"
	@echo ""
	@# The huey consumer sends e-mails (and runs later background jobs); it stops with the server.
	@# Without MAIL_SERVER, a local SMTP server catches every e-mail and prints it here.
	@if [ -z "$$MAIL_SERVER" ]; then \
		export MAIL_SERVER=127.0.0.1 MAIL_PORT=$(DEV_MAIL_PORT); \
		echo "  E-mails are printed below by a local SMTP server on 127.0.0.1:$(DEV_MAIL_PORT)."; \
		$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(DEV_MAIL_PORT) -c aiosmtpd.handlers.Debugging & mail=$$!; \
	fi; \
	$(BIN)/huey_consumer conference.tasks.huey -w 1 & consumer=$$!; \
	trap 'kill $$consumer $$mail 2>/dev/null; wait $$consumer 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check conference scheduler tests bench

test: install-test browser node-tools lint
	$(BIN)/pytest

# Debian's wrk for the feed load test; without it bench/load_feeds.py uses a small Python client.
wrk:
	$(call debian_packages,wrk,The feed load test uses its Python load generator.)

bench: install-test wrk
	$(BIN)/python bench/solver_bench.py
	$(BIN)/python bench/pydata_compare.py
	$(BIN)/python bench/app_bench.py
	$(BIN)/python bench/load_feeds.py
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python bench/archive_bench.py
	$(BIN)/python bench/load_bench.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
