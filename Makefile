# ogi-warehouse — everyday commands. A fresh clone needs only python3.11 and pip.
#
#   make setup   venv + locked dependencies + the project (editable) + dbt manifest
#   make run     ogi build on data/raw/ into data/warehouse/ogi.duckdb
#   make test    the whole test suite
#   make dev     Dagster UI (dagster dev) on http://127.0.0.1:3000
#   make docs    dbt docs on http://127.0.0.1:8080
#   make eval    score data/warehouse/ogi.duckdb against ../shared golden + corpus truth
#   make bench   benchmarks at 1k/10k/100k synthetic reports (long); appends to benchmarks/RESULTS.md
#   make lock    re-resolve requirements.lock from pyproject.toml (needs the index)
#   make clean   remove build outputs (warehouse, dbt target/logs, caches); keeps .venv

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
STAMP  := $(VENV)/.ogi-installed

# Byte-compile on install: this machine sets PYTHONDONTWRITEBYTECODE=1, and
# without .pyc files every import of the stack takes twice as long.
export UV_COMPILE_BYTECODE := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help setup manifest run test eval bench dev docs lock clean

help:
	@sed -n '3,12p' Makefile | sed 's/^# \{0,1\}//'

$(PY):
	$(PYTHON) -m venv $(VENV)

$(UV): | $(PY)
	$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip --upgrade >/dev/null
	$(PY) -m pip install --quiet uv

# Reinstalls only when the lock or pyproject changed; uv makes a satisfied install a no-op.
$(STAMP): requirements.lock pyproject.toml | $(UV)
	$(UV) pip install --python $(PY) -r requirements.lock
	$(UV) pip install --python $(PY) --no-deps -e .
	@touch $@

# dbt parse when target/manifest.json is missing or older than the dbt sources.
manifest: $(STAMP)
	$(PY) -c "from orchestration.dbt_project import ensure_manifest; ensure_manifest()"

setup: $(STAMP) manifest

run: setup
	$(VENV)/bin/ogi build --raw-dir data/raw --warehouse data/warehouse/ogi.duckdb

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) benchmarks/bench.py --sizes 1000,10000,100000

eval: setup
	$(VENV)/bin/ogi eval --truth ../shared/golden --truth ../shared/corpus/truth --warehouse data/warehouse/ogi.duckdb

dev: setup
	mkdir -p .dagster_home
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(VENV)/bin/dagster dev -m orchestration.definitions

docs: setup
	mkdir -p data/warehouse
	cd dbt_project && OGI_WAREHOUSE=$(CURDIR)/data/warehouse/ogi.duckdb \
		$(CURDIR)/$(VENV)/bin/dbt docs generate --profiles-dir . && \
		OGI_WAREHOUSE=$(CURDIR)/data/warehouse/ogi.duckdb \
		$(CURDIR)/$(VENV)/bin/dbt docs serve --profiles-dir . --port 8080 --no-browser

# Prefers the versions already pinned in requirements.lock (uv reads the output file).
lock: | $(UV)
	$(UV) pip compile pyproject.toml --extra dev --universal -o requirements.lock

clean:
	rm -rf data/warehouse dbt_project/target dbt_project/logs dbt_project/dbt_packages \
		.pytest_cache .hypothesis logs
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
