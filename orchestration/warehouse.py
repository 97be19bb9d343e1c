"""The `raw` schema of the DuckDB warehouse: its DDL, the loader and a reader.

Column types follow docs/architecture.md (mapped from parsers/schema.py). Constraints (not null, unique, codes)
are deliberately *not* DDL: a DDL violation would abort the load on its first
bad row, while the blocking pandera checks (orchestration/checks.py) report
every violation with its failure cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from orchestration.paths import build_process_memory_limit
from parsers.schema import CELLS_SCHEMA, ISSUES_SCHEMA, REPORTS_SCHEMA

RAW_SCHEMA = "raw"

# polars dtype of parsers/schema.py -> DuckDB type of docs/architecture.md
DUCKDB_TYPES: dict[pl.DataType, str] = {
    pl.String: "VARCHAR",
    pl.Int64: "BIGINT",
    pl.Int32: "INTEGER",
    pl.Date: "DATE",
    pl.Boolean: "BOOLEAN",
    pl.Float64: "DOUBLE",
}


def _columns(schema: dict) -> list[tuple[str, str]]:
    out = []
    for name, dtype in schema.items():
        if dtype not in DUCKDB_TYPES:
            raise TypeError(f"no DuckDB type for {name}: {dtype}")
        out.append((name, DUCKDB_TYPES[dtype]))
    return out


# The columns and types of raw.*: parsers/schema.py is the single source, so a
# column the parser adds is loaded (and must then be added to contracts.py).
RAW_TABLES: dict[str, list[tuple[str, str]]] = {
    "reports": _columns(REPORTS_SCHEMA),
    "cells": _columns(CELLS_SCHEMA),
    "issues": _columns(ISSUES_SCHEMA),
}


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": build_process_memory_limit()})


# Bookkeeping of the load, in schema raw beside the three tables.
LOAD_INDEX = f"{RAW_SCHEMA}.load_index"  # source_file, batch_id, report_id of every loaded file
LOAD_DELTA = f"{RAW_SCHEMA}.load_delta"  # report_id of the reports whose rows the last load (re)wrote
# agency_key, year of the reports whose rows the last load deleted or inserted: the
# agency-years dbt's costly tests read (dbt_project/macros/build_scope.sql)
LOAD_SCOPE = f"{RAW_SCHEMA}.load_scope"


@dataclass(frozen=True)
class ParsedSource:
    """Where the parses are: the ingest index (source_file → batch_id of its
    current parse) and the Parquet files of a table for given batches."""

    index: Path | None                              # None: no file at all
    files: Callable[[str, Iterable[str]], list[str]]  # (table, batch ids) -> Parquet paths


def load_raw_tables(path: str | Path, source: ParsedSource) -> dict:
    """Bring raw.* in line with the ingest index in ONE transaction, touching only
    what changed: the rows of files whose current parse (source_file, batch_id) is
    not the loaded one are deleted, and the current parse of every file not loaded
    yet is inserted. From an empty database this is a full load; from a copy of the
    published one (publish.seed_from_published) it moves only the changed files.
    Returns row counts and a summary (parse_status, layout, severity counts)."""
    con = connect(path)
    try:
        con.execute("BEGIN TRANSACTION")
        _create_raw_tables(con)
        changed = _apply_changes(con, source)
        counts: dict = {name: con.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.{name}").fetchall()[0][0]
                        for name in RAW_TABLES}

        def by(table: str, column: str) -> dict[str, int]:
            rows = con.execute(f"SELECT {column}, count(*) FROM {RAW_SCHEMA}.{table} GROUP BY 1 ORDER BY 1").fetchall()
            return {str(k): int(n) for k, n in rows}

        counts["_summary"] = {"parse_status": by("reports", "parse_status"), "layout": by("reports", "layout"),
                              "severity": by("issues", "severity"), **changed}
        con.execute("COMMIT")
        return counts
    except Exception:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise
    finally:
        con.close()


def _create_raw_tables(con) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    for name, cols in RAW_TABLES.items():
        ddl = ", ".join(f'"{c}" {t}' for c, t in cols)
        con.execute(f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{name} ({ddl})")
    con.execute(f"CREATE TABLE IF NOT EXISTS {LOAD_INDEX} (source_file VARCHAR, batch_id VARCHAR, report_id VARCHAR)")


def _sql_string(text: str) -> str:
    """A SQL string literal of `text` (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _parquet(paths: list[str]) -> str:
    return "read_parquet([" + ", ".join(map(_sql_string, paths)) + "], union_by_name = true)"


def _apply_changes(con, source: ParsedSource) -> dict[str, int]:
    """Delete the rows of files gone or re-parsed, insert those of files added or
    re-parsed; record the touched reports in raw.load_delta (the checks validate them)
    and their agency-years in raw.load_scope (dbt's costly tests read those)."""
    current = (f"SELECT source_file, batch_id FROM read_parquet('{source.index.as_posix()}')" if source.index
               else "SELECT NULL::VARCHAR AS source_file, NULL::VARCHAR AS batch_id WHERE false")
    con.execute(f"CREATE TEMP TABLE current_files AS {current}")
    con.execute(f"CREATE TEMP TABLE gone AS SELECT * FROM {LOAD_INDEX} ANTI JOIN current_files USING (source_file, batch_id)")
    con.execute(f"CREATE TEMP TABLE added AS SELECT * FROM current_files ANTI JOIN {LOAD_INDEX} USING (source_file, batch_id)")
    new_batches = [r[0] for r in con.execute("SELECT DISTINCT batch_id FROM added").fetchall()]
    cols = {name: ", ".join(f'"{c}"' for c, _ in table_cols) for name, table_cols in RAW_TABLES.items()}

    reports_files = source.files("reports", new_batches) if new_batches else []
    new_reports = (f"SELECT r.* FROM {_parquet(reports_files)} r SEMI JOIN added USING (source_file, batch_id)"
                   if reports_files else f"SELECT {cols['reports']}, NULL::VARCHAR AS batch_id FROM {RAW_SCHEMA}.reports WHERE false")
    con.execute(f"CREATE TEMP TABLE new_reports AS {new_reports}")
    con.execute(f"CREATE OR REPLACE TABLE {LOAD_SCOPE} AS SELECT agency_key, year FROM {RAW_SCHEMA}.reports "
                "WHERE source_file IN (SELECT source_file FROM gone) UNION SELECT agency_key, year FROM new_reports")
    for name in ("reports", "issues"):
        con.execute(f"DELETE FROM {RAW_SCHEMA}.{name} WHERE source_file IN (SELECT source_file FROM gone)")
    con.execute(f"INSERT INTO {RAW_SCHEMA}.reports ({cols['reports']}) SELECT {cols['reports']} FROM new_reports")
    issues_files = source.files("issues", new_batches) if new_batches else []
    if issues_files:
        con.execute(f"INSERT INTO {RAW_SCHEMA}.issues ({cols['issues']}) SELECT {cols['issues']} "
                    f"FROM {_parquet(issues_files)} SEMI JOIN added USING (source_file, batch_id)")

    con.execute(f"DELETE FROM {LOAD_INDEX} AS l USING gone AS g "
                "WHERE l.source_file = g.source_file AND l.batch_id = g.batch_id")
    con.execute(f"INSERT INTO {LOAD_INDEX} SELECT source_file, batch_id, report_id FROM new_reports")
    # A report's cells come from one batch (the latest parse of its id), as in a full load.
    con.execute(f"CREATE OR REPLACE TABLE {LOAD_DELTA} AS SELECT report_id FROM gone UNION SELECT report_id FROM new_reports")
    con.execute(f"DELETE FROM {RAW_SCHEMA}.cells WHERE report_id IN (SELECT report_id FROM {LOAD_DELTA})")
    con.execute(f"CREATE TEMP TABLE chosen AS SELECT report_id, max(batch_id) AS batch_id FROM {LOAD_INDEX} "
                f"SEMI JOIN {LOAD_DELTA} USING (report_id) GROUP BY report_id")
    chosen_batches = [r[0] for r in con.execute("SELECT DISTINCT batch_id FROM chosen").fetchall()]
    cells_files = source.files("cells", chosen_batches) if chosen_batches else []
    if cells_files:
        con.execute(f"INSERT INTO {RAW_SCHEMA}.cells ({cols['cells']}) SELECT {cols['cells']} "
                    f"FROM {_parquet(cells_files)} JOIN chosen USING (report_id, batch_id)")
    counts = {f"files_{k}": con.execute(f"SELECT count(*) FROM {k}").fetchall()[0][0] for k in ("gone", "added")}
    for temp in ("current_files", "gone", "added", "new_reports", "chosen"):
        con.execute(f"DROP TABLE {temp}")
    return counts


def has_raw_tables(path: str | Path) -> bool:
    """Whether every raw.* table exists in the DuckDB file at path."""
    if not Path(path).exists():
        return False
    con = connect(path, read_only=True)
    try:
        found = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [RAW_SCHEMA]).fetchall()}
    finally:
        con.close()
    return set(RAW_TABLES) <= found


def duplicated_values(path: str | Path, name: str, column: str) -> list:
    """The `column` value of every row of raw.<name> whose value another row shares
    (one entry per such row, sorted), over the whole table: a GROUP BY in DuckDB,
    which spills to disk, not a frame of the whole table."""
    con = connect(path, read_only=True)
    try:
        return [row[0] for row in con.execute(
            f'SELECT "{column}" FROM {RAW_SCHEMA}.{name} WHERE "{column}" IN '
            f'(SELECT "{column}" FROM {RAW_SCHEMA}.{name} GROUP BY 1 HAVING count(*) > 1) ORDER BY 1').fetchall()]
    finally:
        con.close()


def iter_raw_table_slices(path: str | Path, name: str, slice_rows: int, changed_only: bool = False) -> Iterator[pl.DataFrame]:
    """raw.<name> in about count/slice_rows slices cut into ranges of report_id: each
    report's rows fall in exactly one slice (rows without a report_id in the first).
    changed_only: only the reports the last load wrote (raw.load_delta), when the
    database records them. Empty: one empty slice."""
    con = connect(path, read_only=True)
    try:
        scope = f"{RAW_SCHEMA}.{name}"
        if changed_only and _delta_is_partial(con):
            scope = f"(SELECT * FROM {scope} SEMI JOIN {LOAD_DELTA} USING (report_id))"
        total = con.execute(f"SELECT count(*) FROM {scope}").fetchall()[0][0]
        n = max(1, -(-total // max(slice_rows, 1)))
        for where in _report_id_ranges(con, scope, n):
            # pl.DataFrame(relation) goes through the Arrow PyCapsule interface: no pyarrow
            # (DuckDB's batch readers, to_arrow_reader, would need it).
            yield pl.DataFrame(con.sql(f"SELECT * FROM {scope}{where}"))
    finally:
        con.close()


_RANGE_SAMPLE = 20_000  # rows sampled to cut the ranges (raw.cells at 100k: slices of 221k-272k rows for 250k)


def _report_id_ranges(con, scope: str, n: int) -> list[str]:
    """WHERE clauses of n ranges of report_id that cover every row of `scope` once,
    cut at quantiles of a sample of its rows' report ids (a quantile of every row
    would hold them all in memory). Ranges, not hash(report_id) % n: a range is read
    from the table in one cheap comparison per row (at 100k reports, raw.cells in 34
    slices took 2.5 s this way, 5.3 s by hash)."""
    if n == 1:
        return [""]
    sample = f"(SELECT report_id FROM {scope} USING SAMPLE reservoir({_RANGE_SAMPLE} ROWS) REPEATABLE (1))"
    cuts = con.execute(f"SELECT quantile_disc(report_id, {[k / n for k in range(1, n)]}) FROM {sample}").fetchall()[0][0]
    cuts = sorted({c for c in cuts or () if c is not None})
    quoted = [_sql_string(c) for c in cuts]
    if not quoted:
        return [""]
    wheres = [f" WHERE report_id <= {quoted[0]} OR report_id IS NULL"]
    wheres += [f" WHERE report_id > {lo} AND report_id <= {hi}" for lo, hi in zip(quoted, quoted[1:])]
    return wheres + [f" WHERE report_id > {quoted[-1]}"]


def _delta_is_partial(con) -> bool:
    """Whether raw.load_delta exists and leaves some report out (after a full load it
    holds every report: then the slices read the table itself, not a join per slice)."""
    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                        [RAW_SCHEMA, LOAD_DELTA.split(".")[1]]).fetchall()[0][0]
    if not found:
        return False
    return con.execute(f"SELECT EXISTS (SELECT 1 FROM {RAW_SCHEMA}.reports ANTI JOIN {LOAD_DELTA} USING (report_id))"
                       ).fetchall()[0][0]
