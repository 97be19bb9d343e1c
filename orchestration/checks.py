"""Blocking asset checks: each raw table, read back from DuckDB in slices, must
satisfy its pandera contract (orchestration/contracts.py). A failed check stops
the run before the dbt assets downstream."""

from dataclasses import dataclass, field
from pathlib import Path

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
from orchestration.resources import BuildTarget
from orchestration.warehouse import duplicated_values, iter_raw_table_slices

MAX_FAILURE_CASES = 20
SLICE_ROWS = 250_000  # rows of a raw table validated at a time (~80 MB at its peak)


def _markdown_table(df: pl.DataFrame) -> str:
    cols = df.columns
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.iter_rows():
        cells = [str(v).replace("|", "\\|").replace("\n", " ")[:200] for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass
class Validation:
    """What pandera found in one frame (or several slices of one table, merged)."""

    rows: int = 0
    cases: list[pl.DataFrame] = field(default_factory=list)  # failure cases, as strings
    errors: list[str] = field(default_factory=list)          # non-lazy SchemaErrors

    def add(self, other: "Validation") -> None:
        self.rows += other.rows
        self.cases += other.cases
        self.errors += other.errors


def _validate(df: pl.DataFrame, table: str) -> Validation:
    try:
        CONTRACTS[table].validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        if not isinstance(cases, pl.DataFrame):  # pragma: no cover - other backends
            cases = pl.DataFrame(cases)
        cases = cases.with_columns(pl.col(c).cast(pl.String) for c in cases.columns)
        return Validation(df.height, [cases])
    except pa.errors.SchemaError as err:  # non-lazy errors (e.g. wrong dtype on an empty frame)
        return Validation(df.height, errors=[str(err).splitlines()[0]])
    return Validation(df.height)


def _result(table: str, found: Validation) -> AssetCheckResult:
    if found.errors:
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            description=f"raw.{table} breaks its contract: {found.errors[0]}",
            metadata={"rows": found.rows, "failure_count": len(found.errors),
                      "failed_checks": MetadataValue.json(found.errors)},
        )
    if not found.cases:
        return AssetCheckResult(passed=True, metadata={"rows": found.rows, "failure_count": 0})
    cases = pl.concat(found.cases, how="diagonal")
    by_check = (
        cases.group_by("column", "check").len().sort("len", "column", "check", descending=[True, False, False])
        .select(pl.format("{}: {} ({})", "column", "check", "len")).to_series().to_list()
    )
    head = cases.head(MAX_FAILURE_CASES)
    return AssetCheckResult(
        passed=False,
        severity=AssetCheckSeverity.ERROR,
        description=f"raw.{table} breaks its contract: " + "; ".join(by_check[:5]),
        metadata={
            "rows": found.rows,
            "failure_count": cases.height,
            "failed_checks": MetadataValue.json(by_check),
            "failure_cases": MetadataValue.md(_markdown_table(head)),
            "failure_cases_json": MetadataValue.json(head.to_dicts()),
        },
    )


def validate_table(df: pl.DataFrame, table: str) -> AssetCheckResult:
    """Validate a whole frame against raw.<table>'s contract."""
    return _result(table, _validate(df, table))


def validate_stored_table(db: Path, table: str, slice_rows: int = SLICE_ROWS) -> AssetCheckResult:
    """Validate raw.<table> in the DuckDB file `db`, a slice of about `slice_rows`
    rows at a time, so memory follows the slice, not the corpus. Slices are ranges
    of report_id and never split a report, so every rule of the contracts, the grain
    (unique per report) included, is exact per slice; a column that must be unique
    across reports (raw.reports' source_file) is checked over the whole table.

    Only the reports this build's load wrote are read (raw.load_delta; all of them
    after a full load): the other rows were loaded by a build that passed these
    checks and was published, with the same contracts (a build starts from the
    published database only when the code is the same, orchestration/code_version.py),
    and a report's rules never involve another (but for that uniqueness)."""
    found = Validation()
    for part in iter_raw_table_slices(db, table, slice_rows, changed_only=True):
        found.add(_validate(part, table))
    for column in _unique_across_reports(table):
        _check_unique_over_table(db, table, column, found)
    return _result(table, found)


def _unique_across_reports(table: str) -> list[str]:
    """Columns the contract keeps unique, other than report_id (whose uniqueness the
    slices keep exact): one slice cannot tell whether another holds the same value."""
    columns = CONTRACTS[table].to_schema().columns
    return [name for name, column in columns.items() if column.unique and name != "report_id"]


def _check_unique_over_table(db: Path, table: str, column: str, found: Validation) -> None:
    """Replace what the slices said of `column`'s uniqueness with the whole table's
    answer, one failure case per row whose value another row shares, as pandera
    gives them for one frame."""
    duplicate = (pl.col("column") == column) & (pl.col("check") == "field_uniqueness")
    # A slice whose only failures were these leaves no frame (an empty one would fail the check with no case).
    found.cases = [kept for kept in (cases.filter(~duplicate) for cases in found.cases) if kept.height]
    values = duplicated_values(db, table, column)
    if values:
        found.cases.append(pl.DataFrame(
            {"failure_case": [str(v) for v in values], "schema_context": "Column", "column": column,
             "check": "field_uniqueness", "check_number": None, "index": None},
            schema=dict.fromkeys(("failure_case", "schema_context", "column", "check", "check_number", "index"),
                                 pl.String)))


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
        build: BuildTarget,
        progress: ResourceParam[Progress],
    ) -> AssetCheckResult:
        progress.phase("checks", f"raw.{table}")
        result = validate_stored_table(build.work_db, table)
        progress.check(table, result.passed, result.description or "")
        if not result.passed:
            context.log.error(result.description)
        return result

    return _check


reports_contract = _make_check("reports")
cells_contract = _make_check("cells")
issues_contract = _make_check("issues")

RAW_CHECKS = [reports_contract, cells_contract, issues_contract]
