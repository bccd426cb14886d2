PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
DEMO_STAMP := $(VENV)/.installed

# One pytest worker per core (pytest-xdist); the long integration tests are stolen by idle workers.
PYTEST_WORKERS ?= -n auto --dist worksteal

.PHONY: demo test lint typecheck pytest bench clean docs postgres mysql

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(DEMO_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	@bash scripts/demo.sh

test: $(STAMP) postgres mysql
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict oncall
	$(BIN)/python -m pytest $(PYTEST_WORKERS)

# Some tests start a real PostgreSQL server (tests/support/postgres.py). Debian keeps its
# binaries off PATH, in /usr/lib/postgresql/<version>/bin; install them when neither has one.
postgres:
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "make: no PostgreSQL server found; installing Debian's postgresql package"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; \
	else \
	  echo "make: no PostgreSQL server found (install postgresql); its tests will be skipped"; \
	fi

# The sql state source tests on MySQL start a real MariaDB (tests/support/mysql.py): Debian's
# server and client cores (about 9 MB, no service started) when no server is found.
mysql:
	@if command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null && command -v my_print_defaults >/dev/null; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "make: no MariaDB server found; installing Debian's mariadb-server-core"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mariadb-server-core mariadb-client-core; \
	else \
	  echo "make: no MariaDB server found (install mariadb-server-core mariadb-client-core); its tests will be skipped"; \
	fi

bench: $(STAMP)
	$(BIN)/python -m bench

docs: $(STAMP)
	$(BIN)/python -m oncall.cli.docgen > docs/cli.md
	$(BIN)/oncall schema --output schemas

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
