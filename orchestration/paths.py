"""Where things live. Import-light on purpose: the CLI uses it before Dagster loads."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_RAW_DIR = REPO_ROOT / "data" / "raw"
DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "warehouse" / "ogi.duckdb"


def dbt_project_dir() -> Path:
    """The dbt project; OGI_DBT_PROJECT_DIR overrides it (tests, experiments)."""
    return Path(os.environ.get("OGI_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project").resolve()


def raw_dir_from_env() -> Path:
    return Path(os.environ.get("OGI_RAW_DIR") or DEFAULT_RAW_DIR).resolve()


def warehouse_from_env() -> Path:
    return Path(os.environ.get("OGI_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve()


def dbt_executable(guarded: bool = False) -> str:
    """The dbt next to the running interpreter (the venv's), else the one on PATH.
    guarded: `ogi-dbt` (orchestration/dbt_guard.py), the one data builds use."""
    candidate = Path(sys.executable).parent / ("ogi-dbt" if guarded else "dbt")
    if candidate.exists():
        return str(candidate)
    return shutil.which(candidate.name) or candidate.name


def state_dir_for(warehouse: Path) -> Path:
    """Incremental-ingest state of a warehouse (orchestration/ingest.py): FILE.state/."""
    return warehouse.with_name(warehouse.name + ".state")


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for the build's connections and for dbt (it spills to
    disk beyond it): OGI_DUCKDB_MEMORY_LIMIT, default 512MB. DuckDB's own default is
    80% of RAM, which lets a 100k build's RSS grow with the corpus."""
    return os.environ.get("OGI_DUCKDB_MEMORY_LIMIT") or "512MB"


def build_process_memory_limit() -> str:
    """DuckDB's memory limit for the connections of the `ogi build` process itself
    (load, checks, publish): OGI_BUILD_DUCKDB_MEMORY_LIMIT, default 256MB, half of
    dbt's. That process also holds Dagster's, dbt's and polars' imports (~250 MB);
    with 512MB it was the peak of a 100k build (706 MB, during the load), while the
    load alone took 6.9-7.4 s with 512MB and 7.5-7.8 s with 256MB (450 -> 390 MB)."""
    return os.environ.get("OGI_BUILD_DUCKDB_MEMORY_LIMIT") or "256MB"
