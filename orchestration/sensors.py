"""`raw_files_sensor`: start ogi_build_job when files under the raw folder are
added, changed or removed."""

import json
import os
import time
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)
from orchestration.resources import WarehouseConfig

SETTLE_SECONDS = 30  # a file modified more recently may still be being written
JOB_NAME = "ogi_build_job"

# Queued or in progress (dagster's IN_PROGRESS_RUN_STATUSES leaves out QUEUED / NOT_STARTED).
ACTIVE_RUN_STATUSES = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


def snapshot_raw_dir(raw_dir: Path) -> dict[str, tuple[int, int, float]]:
    """relative path -> (size, mtime_ns, mtime) of every regular file (symlinks not followed)."""
    out: dict[str, tuple[int, int, float]] = {}
    for dirpath, _dirs, files in os.walk(raw_dir):
        for name in files:
            p = Path(dirpath) / name
            try:
                st = p.lstat()
            except FileNotFoundError:  # removed while walking
                continue
            if p.is_symlink() or not p.is_file():
                continue
            out[p.relative_to(raw_dir).as_posix()] = (st.st_size, st.st_mtime_ns, st.st_mtime)
    return out


def diff_cursor(
    previous: dict[str, list[int]], snapshot: dict[str, tuple[int, int, float]], now: float
) -> tuple[dict[str, list[int]], list[str], list[str], list[str], list[str]]:
    """The next cursor and what changed: (cursor, added, changed, removed, unsettled).

    A file younger than SETTLE_SECONDS is left as the previous cursor saw it
    (absent if new), so it is picked up on a later tick once it has settled."""
    cursor: dict[str, list[int]] = {}
    added, changed, unsettled = [], [], []
    for rel, (size, mtime_ns, mtime) in snapshot.items():
        if now - mtime < SETTLE_SECONDS:
            unsettled.append(rel)
            if rel in previous:
                cursor[rel] = previous[rel]
            continue
        cursor[rel] = [size, mtime_ns]
        if rel not in previous:
            added.append(rel)
        elif list(previous[rel]) != cursor[rel]:
            changed.append(rel)
    removed = [rel for rel in previous if rel not in snapshot]
    return cursor, sorted(added), sorted(changed), sorted(removed), sorted(unsettled)


def _job_is_active(context: SensorEvaluationContext) -> bool:
    runs = context.instance.get_run_records(
        RunsFilter(job_name=JOB_NAME, statuses=ACTIVE_RUN_STATUSES), limit=1
    )
    return len(runs) > 0


@sensor(
    name="raw_files_sensor",
    job_name=JOB_NAME,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Builds the warehouse when raw files are added, changed or removed "
    f"(files modified in the last {SETTLE_SECONDS} s wait; never overlaps a running build).",
)
def raw_files_sensor(context: SensorEvaluationContext, warehouse: WarehouseConfig):
    raw_dir = warehouse.raw_path
    if not raw_dir.is_dir():
        return SkipReason(f"raw folder not found: {raw_dir}")
    previous = json.loads(context.cursor) if context.cursor else {}
    cursor, added, changed, removed, unsettled = diff_cursor(
        previous, snapshot_raw_dir(raw_dir), time.time()
    )
    if not (added or changed or removed):
        wait = f"; {len(unsettled)} file(s) still settling" if unsettled else ""
        return SkipReason(f"no settled change under {raw_dir}{wait}")
    if _job_is_active(context):
        # Leave the cursor alone: the change is picked up after the current run.
        return SkipReason(f"{JOB_NAME} is queued or running; will retry")
    new_cursor = json.dumps(cursor, sort_keys=True, separators=(",", ":"))
    context.update_cursor(new_cursor)
    summary = f"{len(added)} added, {len(changed)} changed, {len(removed)} removed"
    context.log.info(f"raw files: {summary}")
    return RunRequest(
        tags={"ogi/trigger": "raw_files_sensor", "ogi/changes": summary},
    )
