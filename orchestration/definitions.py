"""The Dagster code location: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)

from orchestration.assets.dbt import ogi_dbt
from orchestration.assets.parsing import parse_raw_files, parsed_batch
from orchestration.assets.publish import published_warehouse
from orchestration.checks import RAW_CHECKS
from orchestration.resources import make_resources
from orchestration.sensors import JOB_NAME, raw_files_sensor

ASSETS = [parsed_batch, parse_raw_files, ogi_dbt, published_warehouse]
CHECKS = RAW_CHECKS
# Everything but the partitioned parse: raw.* parses inline whatever no batch
# covers; the run ends by publishing (orchestration/assets/publish.py).
BUILD_SELECTION = AssetSelection.all() - AssetSelection.assets(parsed_batch)

# In-process: one process per run instead of one per step (STACK.md: 13 s vs 30 s).
ogi_build_job = define_asset_job(
    JOB_NAME,
    selection=BUILD_SELECTION,
    executor_def=in_process_executor,
    description="Parse what is new in data/raw, load raw.*, check the contracts, dbt build, publish.",
)

# One ingest batch per run; a backfill of many batches can run them in parallel
# (docs/scaling.md), then ogi_build_job loads them all.
parse_batch_job = define_asset_job(
    "parse_batch_job",
    selection=AssetSelection.assets(parsed_batch),
    description="Parse the files of one ingest batch into Parquet.",
)

daily_ogi_build = ScheduleDefinition(
    name="daily_ogi_build",
    job=ogi_build_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.RUNNING,
)

defs = Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=[ogi_build_job, parse_batch_job],
    schedules=[daily_ogi_build],
    sensors=[raw_files_sensor],
    # A scheduled or sensor run waits up to 15 min for a build already running (say `ogi build`).
    resources=make_resources(lock_wait_seconds=900),
    # In-process for every run, also an ad-hoc materialization from the UI: BuildTarget
    # (the lock and the working database) must be one instance for the whole run.
    executor=in_process_executor,
)
