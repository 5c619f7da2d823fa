# PitchJudge — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PORT ?= 8501
## DEMO=0 starts with an empty database (no demo contest seeded)
DEMO ?= 1
# Error classes whose first argument is a message to translate (see pitchjudge/errors.py).
KEYWORDS := -k _ -k N_ -k pgettext:1c,2 -k PitchJudgeError -k ValidationError -k InvalidDeck -k NotFound \
	-k AccessDenied -k DeadlinePassed -k RubricLocked -k RoundStateError -k TooManyAttempts \
	-k ConfigError -k DuplicateApplication -k ConflictOfInterest -k NotAssigned \
	-k IncompleteScorecard -k MarksImportError -k RateLimited

.PHONY: run cluster test setup demo lint format i18n bench clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

setup: $(UV)
	$(UV) sync --frozen --all-extras

## Set up, seed the demo contest if the database is empty (unless DEMO=0), and serve http://localhost:$(PORT)
run: setup
	if [ "$(DEMO)" = "0" ]; then .venv/bin/pitchjudge init; else .venv/bin/pitchjudge demo --if-empty; fi
	.venv/bin/pitchjudge send-mail --loop & sender=$$!; trap 'kill $$sender' EXIT; \
	FORWARDED_ALLOW_IPS="$$(.venv/bin/python -m pitchjudge.ui.proxies)" \
	.venv/bin/streamlit run pitchjudge/ui/asgi.py --server.port $(PORT) --server.headless true

## Replicas of `make cluster` (N=3 for three), and HAProxy's port, where browsers go
N ?= 2
CLUSTER_PORT ?= 8500
CLUSTER_DB ?= postgresql+psycopg://pitch:pitch@127.0.0.1:5432/pitchjudge

## N app replicas behind HAProxy on http://localhost:$(CLUSTER_PORT), one mail sender, on
## PostgreSQL: PITCHJUDGE_DATABASE_URL if set, else the local cluster (started, and its
## `pitch` role and `pitchjudge` database created when run as root). Ctrl+C stops everything.
cluster: setup
	@if [ -z "$$PITCHJUDGE_DATABASE_URL" ]; then \
		pg_ctlcluster 15 main start 2>/dev/null || true; \
		for _ in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done; \
		if [ "$$(id -u)" = 0 ]; then \
			su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='pitch'\"" | grep -q 1 || \
				su postgres -c "psql -qc \"CREATE ROLE pitch LOGIN PASSWORD 'pitch'\""; \
			su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='pitchjudge'\"" | grep -q 1 || \
				su postgres -c "createdb -O pitch pitchjudge"; \
		fi; \
	fi
	export PITCHJUDGE_DATABASE_URL="$${PITCHJUDGE_DATABASE_URL:-$(CLUSTER_DB)}"; \
	if [ "$(DEMO)" != "0" ]; then .venv/bin/pitchjudge demo --if-empty; fi; \
	exec .venv/bin/pitchjudge cluster --replicas $(N) --port $(CLUSTER_PORT)

## Set up and run every test (PostgreSQL tests run when PITCHJUDGE_TEST_POSTGRES_URL is set)
test: setup
	.venv/bin/ruff check .
	.venv/bin/pytest

demo: setup
	.venv/bin/pitchjudge demo --force

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

## Re-extract the UI strings and merge them into the catalogs (then translate pitchjudge/locale/fr)
i18n: setup
	.venv/bin/pybabel extract -F babel.cfg $(KEYWORDS) --no-location --sort-output \
		-o pitchjudge/locale/messages.pot .
	.venv/bin/pybabel update -i pitchjudge/locale/messages.pot -d pitchjudge/locale -l fr \
		--no-fuzzy-matching --ignore-obsolete

bench: setup
	.venv/bin/python bench/bench_deck.py
	.venv/bin/python bench/bench_apply_page.py
	.venv/bin/python bench/bench_judging.py
	.venv/bin/python bench/bench_scoring.py
	.venv/bin/python bench/bench_calibration.py 50
	.venv/bin/python bench/bench_shrinkage.py 60
	.venv/bin/python bench/bench_uncertainty.py 100
	.venv/bin/python bench/bench_board.py
	.venv/bin/python bench/bench_stage.py
	.venv/bin/python bench/bench_projector.py
	.venv/bin/python bench/bench_room_board.py
	.venv/bin/python bench/bench_push.py
	.venv/bin/python bench/bench_mail.py
	.venv/bin/python bench/bench_vote.py
	.venv/bin/python bench/bench_backup.py
	.venv/bin/python bench/bench_sqlite_sync.py
	.venv/bin/python bench/bench_health.py
	.venv/bin/python bench/bench_cluster.py

clean:
	rm -rf .venv .tools .pytest_cache .ruff_cache
