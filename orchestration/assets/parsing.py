"""Parsing, incrementally: raw files → ingest batches (Parquet) → raw.reports, raw.cells, raw.issues.

* `parsed_batch` is partitioned by **ingest batch** (dynamic partitions
  `ingest_batches`): one partition parses the files registered in one batch
  (orchestration/ingest.py). A nightly batch of a few hundred files, or a
  backfill split into many batches run in parallel by a distributed executor,
  touches only its own files.
* `raw/*` reconciles the batches with the raw folder: each present file's latest
  parse is loaded; removed files leave; files no batch covers yet (a build without
  a sensor, say) are parsed inline in a batch of their own first. The three tables
  are rebuilt from Parquet by DuckDB in one transaction.
"""

import time

import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetSpec,
    DynamicPartitionsDefinition,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    asset,
    multi_asset,
)

from orchestration.ingest import State, batch_duplicates, parse_batch, parsed_source, scan
from orchestration.progress import Progress
from orchestration.resources import BuildTarget, WarehouseConfig
from orchestration.warehouse import load_raw_tables

RAW_KEYS = {name: ["raw", name] for name in ("reports", "cells", "issues")}
ingest_batches = DynamicPartitionsDefinition(name="ingest_batches")

_DESCRIPTIONS = {
    "reports": "One row per input file, parsed or not (docs/architecture.md).",
    "cells": "One row per table cell read, long format.",
    "issues": "One row per problem the parser found.",
}


def _progress_logger(context, progress: Progress):
    next_log = [0]

    def on_progress(done: int, total: int) -> None:
        progress.parsed(done, total)
        if done >= next_log[0] or done == total:
            context.log.info(f"parsed {done}/{total} files")
            next_log[0] = done + max(1, total // 20)  # about every 5 %

    return on_progress


def _parse(context, warehouse: WarehouseConfig, progress: Progress, state: State, batch_id: str,
           present: dict | None = None) -> dict:
    raw_dir = warehouse.raw_path
    batch_files = state.batch_files(batch_id)
    duplicates = batch_duplicates(state, batch_id, raw_dir, present)
    started = time.perf_counter()
    counts = parse_batch(state, batch_id, raw_dir, _progress_logger(context, progress), duplicates)
    return {**counts, "files": len(batch_files), "parse_seconds": round(time.perf_counter() - started, 2)}


@asset(
    name="parsed_batch",
    key_prefix=["ingest"],
    partitions_def=ingest_batches,
    group_name="parsing",
    kinds={"polars", "parquet"},
    description="The parse of one ingest batch: Parquet files of reports, cells and issues under FILE.state/parsed/.",
)
def parsed_batch(context: AssetExecutionContext, warehouse: WarehouseConfig, progress: ResourceParam[Progress]):
    state = State(warehouse.state_path)
    progress.phase("parse", f"batch {context.partition_key}")
    counts = _parse(context, warehouse, progress, state, context.partition_key)
    return MaterializeResult(metadata={**counts, "state": MetadataValue.path(str(state.dir))})


def _counts(df: pl.DataFrame, column: str) -> dict[str, int]:
    if df.height == 0 or column not in df.columns:
        return {}
    rows = df.group_by(column).len().sort(column, nulls_last=True).iter_rows()
    return {str(k): int(n) for k, n in rows}


@multi_asset(
    name="parse_raw_files",
    specs=[
        AssetSpec(key=key, group_name="parsing", description=_DESCRIPTIONS[name], kinds={"duckdb"},
                  deps=[parsed_batch])
        for name, key in RAW_KEYS.items()
    ],
)
def parse_raw_files(context: AssetExecutionContext, warehouse: WarehouseConfig, build: BuildTarget,
                    progress: ResourceParam[Progress]):
    raw_dir = warehouse.raw_path
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    state = State(warehouse.state_path)
    scanned, _ = scan(raw_dir)
    uncovered = state.reconcile(scanned)
    parse_meta = {"files": len(scanned), "parsed_now": len(uncovered)}
    if uncovered:
        progress.phase("parse", f"{len(uncovered)} new or changed of {len(scanned)} files in {raw_dir}")
        parse_meta.update(_parse(context, warehouse, progress, state, state.new_batch(uncovered, scanned), scanned))
        # A copy whose original this batch changed is a copy no more: parse it too.
        for _ in range(2):
            again = state.reconcile(scanned)
            if not again:
                break
            progress.phase("parse", f"{len(again)} copies of files that changed or left")
            _parse(context, warehouse, progress, state, state.new_batch(again, scanned), scanned)
            parse_meta["parsed_now"] += len(again)
    else:
        progress.phase("parse", f"nothing new in {raw_dir} ({len(scanned)} files parsed before)")
        progress.parsed(len(scanned), len(scanned))

    how = "changed files only, onto the published build" if build.seeded else "every file, into an empty database"
    progress.phase("load", f"{build.work_db} ({how})")
    counts = load_raw_tables(build.work_db, parsed_source(state))
    state.prune()
    context.log.info(f"loaded raw tables into {build.work_db}: {counts}")

    common = {"working_database": MetadataValue.path(str(build.work_db))}
    summary = counts.pop("_summary")
    yield MaterializeResult(
        asset_key=RAW_KEYS["reports"],
        metadata={**common, **parse_meta, "dagster/row_count": counts["reports"],
                  "seeded_from_published": build.seeded,
                  "files_added": summary["files_added"], "files_gone": summary["files_gone"],
                  "raw_dir": MetadataValue.path(str(raw_dir)),
                  "parse_status": MetadataValue.json(summary["parse_status"]),
                  "layout": MetadataValue.json(summary["layout"])},
    )
    yield MaterializeResult(asset_key=RAW_KEYS["cells"], metadata={**common, "dagster/row_count": counts["cells"]})
    yield MaterializeResult(
        asset_key=RAW_KEYS["issues"],
        metadata={**common, "dagster/row_count": counts["issues"],
                  "severity": MetadataValue.json(summary["severity"])},
    )
