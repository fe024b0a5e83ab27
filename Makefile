# `make run` opens the product on demo data; `make test` runs the whole suite. Both set up .venv first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed
# Two workers for two cores. Pytest's own CPU time for the suite (292 tests, mostly CLI subprocesses) was
# 35 s serial and 41 s over two workers, so on an idle machine -n 2 roughly halves the wall time; with only
# quick tests it cost ~4 s of worker start-up. `make test PYTEST_ARGS='-n 0 -k store'` to narrow a run.
PYTEST_ARGS ?= -n 2
PYTEST := $(VENV)/bin/pytest -q $(PYTEST_ARGS)

.PHONY: $(VENV) run lint test test-pg bench bench-smoke clean

$(VENV): $(STAMP)

# Re-installs whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: need python3.11 or python3 on PATH" >&2; exit 1; }
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e '.[test,bench]'
	touch $@

run: $(STAMP)
	$(VENV)/bin/tui-profiles demo

# Lint first: a test run on code that does not lint is not worth its minutes. lint-imports checks the
# layer contracts in pyproject.toml ([tool.importlinter]).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# The PostgreSQL half runs against $$TUI_PROFILES_TEST_PG_URL when it is set, else against a throwaway
# server from .ci/pg. Without server binaries it is skipped, except in CI, where .ci/pg installs them.
test: lint
	@if [ -n "$$TUI_PROFILES_TEST_PG_URL" ]; then \
		echo "make test: PostgreSQL tests use \$$TUI_PROFILES_TEST_PG_URL"; \
		$(PYTEST); \
	elif [ "$$CI" = true ] || .ci/pg available; then \
		.ci/pg run -- $(PYTEST); \
	else \
		echo "make test: NOTICE: no PostgreSQL server binaries found (initdb, pg_ctl), so the PostgreSQL"; \
		echo "make test: NOTICE: tests are SKIPPED and only SQLite is tested. 'make test-pg' installs them (root, apt)."; \
		$(PYTEST); \
	fi

test-pg: $(STAMP)
	.ci/pg run -- $(PYTEST)

bench: $(STAMP)
	$(VENV)/bin/python -m tests.bench

bench-smoke: $(STAMP)
	$(VENV)/bin/python -m tests.bench --smoke

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .pgdata .demo snapshot_report.html bench-results.json bench-growth.json bench-growth.md
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
