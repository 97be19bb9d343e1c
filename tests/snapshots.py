"""What a published warehouse holds, in forms that compare: fingerprints of every
mart (row count + sum of row hashes), every mart's rows sorted, the build id.

Also runnable as the BI reader of tests/test_reliability.py:

    python tests/snapshots.py reader FILE OUT.jsonl STOP_FILE
    python tests/snapshots.py holder FILE OUT.json STOP_FILE

`reader` queries the published marts in a loop until STOP_FILE exists, each time on
a new read-only connection, and appends one JSON line per query (or per error) to
OUT; `holder` keeps one read-only connection open all along and writes what it saw
first and last.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

def marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_schema = 'marts' ORDER BY 1").fetchall()]


def _fp_sql(source: str) -> str:
    # hash() of the whole row (a struct); summed as HUGEINT, so order does not matter.
    return f"SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM {source} AS t"


def fingerprint(con: duckdb.DuckDBPyConnection, source: str) -> list:
    """[row count, sum of row hashes] of a table or table function."""
    return list(con.execute(_fp_sql(source)).fetchone())


def fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    return {t: fingerprint(con, f"marts.{t}") for t in marts(con)}


def parquet_fingerprint(con: duckdb.DuckDBPyConnection, path: Path) -> list:
    return fingerprint(con, f"read_parquet('{path}')")


def build_id(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        return con.execute("SELECT build_id FROM main.ogi_build").fetchone()[0]
    except duckdb.CatalogException:
        return None


def parquet_dir(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.stem + ".marts")


def state(warehouse: Path) -> tuple[str | None, dict[str, list]]:
    """(build id, fingerprints) of the published FILE."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return build_id(con), fingerprints(con)
    finally:
        con.close()


def parquet_state(warehouse: Path) -> dict[str, list]:
    con = duckdb.connect()
    try:
        return {p.stem: parquet_fingerprint(con, p) for p in sorted(parquet_dir(warehouse).glob("*.parquet"))}
    finally:
        con.close()


def all_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every mart, every row, sorted by all columns."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM marts.{t} ORDER BY ALL").fetchall() for t in marts(con)}
    finally:
        con.close()


def key(fps: dict[str, list]) -> str:
    return json.dumps(fps, sort_keys=True)


def reader(warehouse: Path, out: Path, stop: Path, pause: float = 0.05) -> None:
    """Reconnects for every query. (Within one process DuckDB hands a new
    connection the database instance that is already open for the same path, so a
    reader that holds a connection must be a process of its own: see `holder`.)"""
    mem = duckdb.connect()
    with open(out, "a", encoding="utf-8") as log:
        def emit(**rec) -> None:
            log.write(json.dumps({"t": time.time(), **rec}) + "\n")
            log.flush()

        while not stop.exists():
            try:
                con = duckdb.connect(str(warehouse), read_only=True)
                try:
                    emit(kind="duckdb", build_id=build_id(con), fp=fingerprints(con))
                finally:
                    con.close()
            except Exception as exc:  # every failure is recorded; the test requires none
                emit(kind="error", error=f"{type(exc).__name__}: {exc}")
            for p in sorted(parquet_dir(warehouse).glob("*.parquet")):
                # DuckDB opens a Parquet file more than once per query, so a read that
                # spans the os.replace of that file can fail ("Prefetch registered for
                # bytes outside file"); a BI tool retries. Recorded, then retried once.
                for attempt in (1, 2):
                    try:
                        emit(kind="parquet", table=p.stem, fp=parquet_fingerprint(mem, p), attempt=attempt)
                        break
                    except Exception as exc:
                        emit(kind="parquet_error" if attempt == 1 else "error", table=p.stem,
                             error=f"{type(exc).__name__}: {exc}")
                        time.sleep(pause)
            time.sleep(pause)


def holder(warehouse: Path, out: Path, stop: Path) -> None:
    """A BI tool that opens one read-only connection and never reconnects."""
    held = duckdb.connect(str(warehouse), read_only=True)
    first = [build_id(held), fingerprints(held)]
    out.write_text(json.dumps({"kind": "held", "first": first}) + "\n")
    while not stop.exists():
        time.sleep(0.1)
    last = [build_id(held), fingerprints(held)]
    held.close()
    out.write_text(json.dumps({"kind": "held", "first": first, "last": last}) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] in ("reader", "holder"):
        {"reader": reader, "holder": holder}[sys.argv[1]](Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        sys.exit(__doc__)
