"""The Dagster definitions load and hold what the project promises; the raw-files
sensor fires on settled changes only and never overlaps a running build."""

import json
import os
import time
import uuid
from pathlib import Path

import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    Definitions,
)

from orchestration.definitions import defs
from orchestration.sensors import SETTLE_SECONDS
from tests.conftest import sensor_tick

RAW_KEYS = [AssetKey(["raw", t]) for t in ("reports", "cells", "issues")]
MART_KEYS = [
    AssetKey(["marts", t])
    for t in (
        "dim_report", "dim_agency", "fct_applications", "fct_outcomes", "fct_litigation",
        "fct_disclosure", "report_issues", "agency_year_summary",
    )
]


def test_definitions_load():
    Definitions.validate_loadable(defs)


def test_asset_keys():
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    missing = [k.to_user_string() for k in RAW_KEYS + MART_KEYS if k not in keys]
    assert not missing, f"missing assets: {missing}"
    for key in RAW_KEYS:
        assert graph.get(key).group_name == "parsing"


def test_marts_depend_on_raw_tables():
    graph = defs.resolve_asset_graph()
    upstream = graph.get(AssetKey(["marts", "dim_report"])).parent_keys
    seen, stack = set(), list(upstream)
    while stack:  # transitive parents
        key = stack.pop()
        if key not in seen:
            seen.add(key)
            stack.extend(graph.get(key).parent_keys)
    assert AssetKey(["raw", "reports"]) in seen


def test_publish_is_the_last_step_of_a_build():
    graph = defs.resolve_asset_graph()
    published = AssetKey(["published", "warehouse"])
    assert set(MART_KEYS) <= graph.get(published).parent_keys  # runs only after every mart and its tests
    build_job = defs.resolve_job_def("ogi_build_job")
    assert published in build_job.asset_layer.executable_asset_keys
    parse_job = defs.resolve_job_def("parse_batch_job")
    assert published not in parse_job.asset_layer.executable_asset_keys
    # one BuildTarget (lock + working database) per run, whatever starts it
    assert defs.resolve_job_def("__ASSET_JOB").executor_def.name == "in_process"


def test_a_job_run_refuses_a_locked_warehouse(tmp_path):
    """The schedule, the sensor and the UI take the same lock as `ogi build`."""
    from orchestration.definitions import ASSETS, CHECKS, ogi_build_job
    import fcntl

    from orchestration.resources import make_resources

    raw = tmp_path / "raw"
    raw.mkdir()
    warehouse = tmp_path / "w.duckdb"
    local = Definitions(assets=ASSETS, asset_checks=CHECKS, jobs=[ogi_build_job],
                        resources=make_resources(raw, warehouse))
    with open(tmp_path / "w.duckdb.lock", "a+") as held, DagsterInstance.ephemeral() as instance:
        fcntl.flock(held, fcntl.LOCK_EX)  # as another build would (an flock of its own)
        result = local.resolve_job_def("ogi_build_job").execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "RESOURCE_INIT_FAILURE"]
    assert failures and "another ogi build holds the lock" in failures[0].event_specific_data.error.message
    assert not warehouse.exists()


def test_blocking_contract_checks():
    graph = defs.resolve_asset_graph()
    for table in ("reports", "cells", "issues"):
        key = AssetCheckKey(AssetKey(["raw", table]), f"{table}_contract")
        assert key in graph.asset_check_keys
        assert graph.get_check_spec(key).blocking


def test_job_schedule_sensor():
    job = defs.resolve_job_def("ogi_build_job")
    job_keys = set(job.asset_layer.executable_asset_keys)
    assert set(RAW_KEYS + MART_KEYS) <= job_keys
    assert job.executor_def.name == "in_process"

    schedule = defs.resolve_schedule_def("daily_ogi_build")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == "ogi_build_job"

    sensor = defs.resolve_sensor_def("raw_files_sensor")
    assert sensor.job_name == "ogi_build_job"


# ------------------------------------------------------------------ sensor


def _write(path: Path, text: str, age_seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    t = time.time() - age_seconds
    os.utime(path, (t, t))


def test_sensor_fires_on_settled_changes_only(tmp_path, instance):
    raw = tmp_path / "raw"
    _write(raw / "a.txt", "report a", age_seconds=120)

    first = sensor_tick(instance, raw, None)  # first tick: the existing settled file is new
    assert len(first.run_requests) == 1
    cursor = json.loads(first.cursor)
    assert list(cursor) == ["a.txt"] and len(cursor["a.txt"]) == 2  # [size, mtime_ns]

    quiet = sensor_tick(instance, raw, first.cursor)
    assert not quiet.run_requests and quiet.skip_message

    # A file being written (younger than 30 s) is ignored and left out of the cursor.
    _write(raw / "sub" / "b.txt", "half-written", age_seconds=1)
    young = sensor_tick(instance, raw, first.cursor)
    assert not young.run_requests
    assert young.cursor in (None, first.cursor)

    # Once settled, it fires.
    _write(raw / "sub" / "b.txt", "finished report b", age_seconds=SETTLE_SECONDS + 5)
    settled = sensor_tick(instance, raw, first.cursor)
    assert len(settled.run_requests) == 1
    assert "sub/b.txt" in json.loads(settled.cursor)

    # A change to a known file (size/mtime) and a removal fire too.
    _write(raw / "a.txt", "report a, revised", age_seconds=90)
    changed = sensor_tick(instance, raw, settled.cursor)
    assert len(changed.run_requests) == 1
    (raw / "sub" / "b.txt").unlink()
    removed = sensor_tick(instance, raw, changed.cursor)
    assert len(removed.run_requests) == 1
    assert list(json.loads(removed.cursor)) == ["a.txt"]


# (QUEUED runs need a real code-location origin to be created here; it is in the same filter.)
@pytest.mark.parametrize("status", [DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTED])
def test_sensor_skips_while_a_build_is_queued_or_running(tmp_path, instance, status):
    raw = tmp_path / "raw"
    _write(raw / "a.txt", "report a", age_seconds=120)
    run_id = str(uuid.uuid4())
    instance.add_run(DagsterRun(job_name="ogi_build_job", run_id=run_id, status=status))
    busy = sensor_tick(instance, raw, None)
    assert not busy.run_requests
    assert "running" in busy.skip_message
    assert busy.cursor is None  # not advanced: the change is picked up after the run

    # Once no run is active (only finished ones), the pending change fires.
    instance.delete_run(run_id)
    instance.add_run(DagsterRun(job_name="ogi_build_job", run_id=str(uuid.uuid4()), status=DagsterRunStatus.SUCCESS))
    after = sensor_tick(instance, raw, None)
    assert len(after.run_requests) == 1


def test_sensor_skips_missing_raw_dir(tmp_path, instance):
    result = sensor_tick(instance, tmp_path / "nope", None)
    assert not result.run_requests and "not found" in result.skip_message
