"""The `raw` schema of the DuckDB warehouse: its DDL, the loader and a reader.

Column types follow docs/architecture.md (mapped from parsers/schema.py). Constraints (not null, unique, codes)
are deliberately *not* DDL: a DDL violation would abort the load on its first
bad row, while the blocking pandera checks (orchestration/checks.py) report
every violation with its failure cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from orchestration.paths import duckdb_memory_limit
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
    return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": duckdb_memory_limit()})


def load_raw_tables(path: str | Path, queries: dict[str, str] | None) -> dict:
    """Replace raw.* in ONE transaction from SELECTs (over the ingest batches'
    Parquet files), or empty tables when `queries` is None. Returns row counts and
    a small summary (parse_status, layout, severity counts)."""
    con = connect(path)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
        counts: dict = {}
        for name, cols in RAW_TABLES.items():
            col_list = ", ".join(f'"{c}"' for c, _ in cols)
            ddl = ", ".join(f'"{c}" {t}' for c, t in cols)
            con.execute(f"CREATE OR REPLACE TABLE {RAW_SCHEMA}.{name} ({ddl})")
            if queries:
                con.execute(f"INSERT INTO {RAW_SCHEMA}.{name} ({col_list}) SELECT {col_list} FROM ({queries[name]})")
            counts[name] = con.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.{name}").fetchall()[0][0]

        def by(table: str, column: str) -> dict[str, int]:
            rows = con.execute(f"SELECT {column}, count(*) FROM {RAW_SCHEMA}.{table} GROUP BY 1 ORDER BY 1").fetchall()
            return {str(k): int(n) for k, n in rows}

        counts["_summary"] = {"parse_status": by("reports", "parse_status"), "layout": by("reports", "layout"),
                              "severity": by("issues", "severity")}
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


def read_raw_table(path: str | Path, name: str) -> pl.DataFrame:
    con = connect(path, read_only=True)
    try:
        # pl.DataFrame(relation) goes through the Arrow PyCapsule interface (no pyarrow).
        return pl.DataFrame(con.sql(f"SELECT * FROM {RAW_SCHEMA}.{name}"))
    finally:
        con.close()


def iter_raw_table_slices(path: str | Path, name: str, slice_rows: int) -> Iterator[pl.DataFrame]:
    """raw.<name> in about count/slice_rows slices cut by hash(report_id): each
    report's rows fall in exactly one slice. Empty table: one empty slice."""
    con = connect(path, read_only=True)
    try:
        total = con.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.{name}").fetchall()[0][0]
        n = max(1, -(-total // max(slice_rows, 1)))
        for k in range(n):
            where = "" if n == 1 else f" WHERE hash(report_id) % {n} = {k}"
            yield pl.DataFrame(con.sql(f"SELECT * FROM {RAW_SCHEMA}.{name}{where}"))
    finally:
        con.close()
