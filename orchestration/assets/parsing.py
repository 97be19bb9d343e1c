"""Parsing: raw files → raw.reports, raw.cells, raw.issues (one multi-asset)."""

import time

import polars as pl
from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, MetadataValue, ResourceParam, multi_asset

import parsers.batch as batch
from orchestration.progress import Progress
from orchestration.resources import WarehouseConfig
from orchestration.warehouse import replace_raw_tables

RAW_KEYS = {name: ["raw", name] for name in ("reports", "cells", "issues")}

_DESCRIPTIONS = {
    "reports": "One row per input file, parsed or not (docs/architecture.md).",
    "cells": "One row per table cell read, long format.",
    "issues": "One row per problem the parser found.",
}


def _counts(df: pl.DataFrame, column: str) -> dict[str, int]:
    if df.height == 0 or column not in df.columns:
        return {}
    rows = df.group_by(column).len().sort(column, nulls_last=True).iter_rows()
    return {str(k): int(n) for k, n in rows}


@multi_asset(
    name="parse_raw_files",
    specs=[
        AssetSpec(key=key, group_name="parsing", description=_DESCRIPTIONS[name], kinds={"duckdb", "polars"})
        for name, key in RAW_KEYS.items()
    ],
)
def parse_raw_files(
    context: AssetExecutionContext,
    warehouse: WarehouseConfig,
    progress: ResourceParam[Progress],
):
    raw_dir = warehouse.raw_path
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")

    next_log = [0]

    def on_progress(done: int, total: int) -> None:
        progress.parsed(done, total)
        if done >= next_log[0] or done == total:
            context.log.info(f"parsed {done}/{total} files")
            next_log[0] = done + max(1, total // 20)  # about every 5 %

    progress.phase("parse", str(raw_dir))
    started = time.perf_counter()
    parsed = batch.parse_files(raw_dir, progress=on_progress)
    parse_seconds = time.perf_counter() - started

    progress.phase("load", str(warehouse.warehouse_path))
    frames = {"reports": parsed.reports, "cells": parsed.cells, "issues": parsed.issues}
    counts = replace_raw_tables(warehouse.warehouse_path, frames)
    context.log.info(f"loaded raw tables into {warehouse.warehouse_path}: {counts}")

    common = {"warehouse": MetadataValue.path(str(warehouse.warehouse_path))}
    yield MaterializeResult(
        asset_key=RAW_KEYS["reports"],
        metadata={
            **common,
            "dagster/row_count": counts["reports"],
            "raw_dir": MetadataValue.path(str(raw_dir)),
            "parse_seconds": round(parse_seconds, 2),
            "parse_status": MetadataValue.json(_counts(parsed.reports, "parse_status")),
            "layout": MetadataValue.json(_counts(parsed.reports, "layout")),
            "template": MetadataValue.json(_counts(parsed.reports, "template")),
        },
    )
    yield MaterializeResult(
        asset_key=RAW_KEYS["cells"],
        metadata={
            **common,
            "dagster/row_count": counts["cells"],
            "table_name": MetadataValue.json(_counts(parsed.cells, "table_name")),
        },
    )
    yield MaterializeResult(
        asset_key=RAW_KEYS["issues"],
        metadata={
            **common,
            "dagster/row_count": counts["issues"],
            "severity": MetadataValue.json(_counts(parsed.issues, "severity")),
            "check_name": MetadataValue.json(_counts(parsed.issues, "check_name")),
        },
    )
