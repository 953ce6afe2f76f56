# Innkeeper: `make run` to try it, `make test` to check it. Both set everything up first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve-prod test test-postgres bench stays-machine lint format browser-deps fake-seam zwave-stack zwave-mock clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	DEBUG=True $(BIN)/python manage.py migrate --noinput
	DEBUG=True $(BIN)/python manage.py seed_demo --base-url http://$(HOST):$(PORT)
	DEBUG=True $(BIN)/python manage.py serve $(HOST):$(PORT)

# The production web server (gunicorn.conf.py), with the environment of docs/OPERATIONS.md;
# the task worker is a process of its own: `manage.py qcluster`.
serve-prod: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	WEB_BIND=$${WEB_BIND:-$(HOST):$(PORT)} $(BIN)/gunicorn --config gunicorn.conf.py

test: $(STAMP) browser-deps fake-seam zwave-stack
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# The same suite on PostgreSQL with the task queue on Redis (what larger installs run).
test-postgres: $(STAMP) browser-deps fake-seam zwave-stack
	.ci/postgres-test-db.sh
	DATABASE_URL=$${DATABASE_URL:-postgres://innkeeper@127.0.0.1:5432/innkeeper_test} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} \
	  $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.bench_tick
	$(BIN)/python -m tests.benchmarks.bench_pages
	$(BIN)/python -m tests.benchmarks.bench_workers
	$(BIN)/python -m tests.benchmarks.bench_memory
	$(BIN)/python -m tests.benchmarks.bench_backups
	$(BIN)/python -m tests.benchmarks.bench_api
	$(BIN)/python -m tests.benchmarks.bench_events

# The stays' state machine on fresh random examples (every `make test` runs 25 fixed ones).
stays-machine: $(STAMP)
	STAYS_MACHINE_EXAMPLES=$${STAYS_MACHINE_EXAMPLES:-500} \
	  $(BIN)/python -m pytest -p no:xdist -q tests/machine $(PYTEST_ARGS)

browser-deps:
	.ci/browser-deps.sh

# Seam's fake server and JavaScript SDK (npm, pinned in tests/seam/package-lock.json) for the tests.
fake-seam:
	.ci/fake-seam.sh

# The Z-Wave JS stack (zwave-js on a mock controller with mock locks, Z-Wave JS Server; npm,
# pinned in tests/zwave/package-lock.json) for the zwave_js driver's tests.
zwave-stack:
	.ci/zwave-stack.sh

# That stack to try the zwave_js driver without a Z-Wave stick: a network of two mock locks
# under Z-Wave JS Server on ws://127.0.0.1:3000, and the tests' control endpoint on port 3001
# (e.g. curl -X POST 127.0.0.1:3001/nodes/2/keypad_entry -d '{"slot": 1}'). Ctrl-C stops it.
zwave-mock: zwave-stack
	ZWAVE_STACK_KEEP=1 ZWAVE_WS_PORT=$${ZWAVE_WS_PORT:-3000} ZWAVE_CONTROL_PORT=$${ZWAVE_CONTROL_PORT:-3001} \
	  node tests/zwave/mock_stack.mjs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) innkeeper.sqlite3* staticfiles .pytest_cache
