"""Blocking asset checks: each raw table, read back from DuckDB, must satisfy its
pandera contract (orchestration/contracts.py). A failed check stops the run
before the dbt assets downstream."""

import pandera.polars as pa
import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    ResourceParam,
    asset_check,
)

from orchestration.contracts import CONTRACTS
from orchestration.progress import Progress
from orchestration.resources import WarehouseConfig
from orchestration.warehouse import read_raw_table

MAX_FAILURE_CASES = 20


def _markdown_table(df: pl.DataFrame) -> str:
    cols = df.columns
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.iter_rows():
        cells = [str(v).replace("|", "\\|").replace("\n", " ")[:200] for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def validate_table(df: pl.DataFrame, table: str) -> AssetCheckResult:
    model = CONTRACTS[table]
    try:
        model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        if not isinstance(cases, pl.DataFrame):  # pragma: no cover - other backends
            cases = pl.DataFrame(cases)
        cases = cases.with_columns(pl.col(c).cast(pl.String) for c in cases.columns)
        by_check = (
            cases.group_by("column", "check").len().sort("len", descending=True)
            .select(pl.format("{}: {} ({})", "column", "check", "len")).to_series().to_list()
        )
        head = cases.head(MAX_FAILURE_CASES)
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            description=f"raw.{table} breaks its contract: " + "; ".join(by_check[:5]),
            metadata={
                "rows": df.height,
                "failure_count": cases.height,
                "failed_checks": MetadataValue.json(by_check),
                "failure_cases": MetadataValue.md(_markdown_table(head)),
                "failure_cases_json": MetadataValue.json(head.to_dicts()),
            },
        )
    except pa.errors.SchemaError as err:  # non-lazy errors (e.g. wrong dtype on an empty frame)
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            description=f"raw.{table} breaks its contract: {err}".splitlines()[0],
            metadata={"rows": df.height, "failure_count": 1, "failed_checks": MetadataValue.json([str(err)])},
        )
    return AssetCheckResult(passed=True, metadata={"rows": df.height, "failure_count": 0})


def _make_check(table: str):
    @asset_check(
        asset=AssetKey(["raw", table]),
        name=f"{table}_contract",
        blocking=True,
        description=f"raw.{table} satisfies the pandera contract {CONTRACTS[table].__name__} "
        "(dtypes, nullability, codes, ranges, grain).",
    )
    def _check(
        context: AssetCheckExecutionContext,
        warehouse: WarehouseConfig,
        progress: ResourceParam[Progress],
    ) -> AssetCheckResult:
        progress.phase("checks", f"raw.{table}")
        df = read_raw_table(warehouse.warehouse_path, table)
        result = validate_table(df, table)
        progress.check(table, result.passed, result.description or "")
        if not result.passed:
            context.log.error(result.description)
        return result

    return _check


reports_contract = _make_check("reports")
cells_contract = _make_check("cells")
issues_contract = _make_check("issues")

RAW_CHECKS = [reports_contract, cells_contract, issues_contract]
