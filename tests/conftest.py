"""Shared fixtures. `built_warehouse` runs the real pipeline once per session:
`ogi build` (parse → DuckDB → blocking pandera checks → dbt build) over a copy
of data/raw/, and yields the DuckDB file. Other test files rely on its name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RAW = REPO_ROOT / "data" / "raw"


def pytest_configure(config):
    # Upstream noise (dagster-dbt uses its own deprecated context.op; sqlglotrs).
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:dagster_dbt.*")
    config.addinivalue_line("filterwarnings", "ignore:sqlglotrs is deprecated:DeprecationWarning")


def ogi_command() -> list[str]:
    """The installed `ogi` entry point of this interpreter's venv (else the module)."""
    exe = Path(sys.executable).parent / "ogi"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "orchestration.cli"]


def run_ogi(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("OGI_RAW_DIR", "OGI_WAREHOUSE")}
    return subprocess.run(
        [*ogi_command(), *args], capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT, env=env
    )


def sample_files() -> list[str]:
    """Every input file of data/raw/, relative, `/`-separated (as source_file)."""
    return sorted(
        p.relative_to(SAMPLE_RAW).as_posix()
        for p in SAMPLE_RAW.rglob("*")
        if p.is_file() or p.is_symlink()
    )


@dataclass
class BuildRun:
    proc: subprocess.CompletedProcess
    raw_dir: Path
    warehouse: Path
    seconds: float


@pytest.fixture(scope="session")
def sample_raw_copy(tmp_path_factory) -> Path:
    """A private copy of data/raw/ (tests must not write next to the real inputs)."""
    dest = tmp_path_factory.mktemp("raw") / "raw"
    shutil.copytree(SAMPLE_RAW, dest, symlinks=True)
    return dest


@pytest.fixture(scope="session")
def built_warehouse_run(sample_raw_copy, tmp_path_factory) -> BuildRun:
    warehouse = tmp_path_factory.mktemp("warehouse") / "ogi.duckdb"
    started = time.perf_counter()
    proc = run_ogi("build", "--raw-dir", str(sample_raw_copy), "--warehouse", str(warehouse))
    return BuildRun(proc, sample_raw_copy, warehouse, time.perf_counter() - started)


@pytest.fixture(scope="session")
def built_warehouse(built_warehouse_run) -> Path:
    run = built_warehouse_run
    if run.proc.returncode != 0:
        last = (run.proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        pytest.fail(f"ogi build exited {run.proc.returncode}: {last}")
    yield run.warehouse


@pytest.fixture
def instance():
    """An ephemeral Dagster instance (sensor ticks, runs)."""
    from dagster import DagsterInstance

    with DagsterInstance.ephemeral() as inst:
        yield inst


def sensor_tick(instance, raw_dir: Path, cursor):
    """One evaluation of raw_files_sensor on raw_dir, from `cursor`."""
    from dagster import build_sensor_context

    from orchestration.resources import WarehouseConfig
    from orchestration.sensors import raw_files_sensor

    context = build_sensor_context(
        instance=instance, cursor=cursor,
        resources={"warehouse": WarehouseConfig(raw_dir=str(raw_dir), warehouse=str(raw_dir.parent / "w.duckdb"))})
    return raw_files_sensor.evaluate_tick(context)
