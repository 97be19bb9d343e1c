"""Build privately, publish whole: what `ogi build --warehouse FILE` leaves next to FILE.

    FILE                        e.g. data/warehouse/ogi.duckdb — the serving copy; readers
                                open it read-only (`duckdb -readonly FILE`)
    <stem>.marts/<table>.parquet every table of schema `marts` (data/warehouse/ogi.marts/)
    FILE.build/<build id>/<FILE name>
                                the private working database of the running build
                                (parse → load → checks → dbt all write here, nobody reads it)
    FILE.lock                   the build lock (an flock; see orchestration/cli.py)

A build writes only into FILE.build/. When its blocking checks and dbt tests have
passed, `publish` copies the whole working database into a temporary file next to
FILE (`ATTACH … ; COPY FROM DATABASE …`) and writes each mart to a temporary
Parquet file, then moves them into place with os.replace: Parquet files first,
FILE last. So:

* a reader never blocks a build (the build never opens FILE for writing), and never
  sees half a build: a connection to FILE sees the whole of one build until it
  reconnects, and each Parquet file is one build's table;
* a build that fails or is killed leaves the last published FILE and Parquet
  files as they were; its leftovers (working folder, temporary files) are removed
  by the next build, under the lock. Each build works in a folder of its own, so
  a straggler of a killed build (say its `dbt` child, which outlives a SIGKILL of
  the parent) can only write into a folder that is no longer used.

Every published copy says which build it is: table `main.ogi_build` in FILE, and
the key `ogi_build_id` in each Parquet file's key-value metadata
(`select * from parquet_kv_metadata('…/dim_report.parquet')`). Parquet files are
replaced one by one, so a reader that needs several tables of one build should
read FILE, or check that the build ids agree. DuckDB opens a Parquet file more than
once per query: a query that spans the os.replace of its file can fail (in tests it
failed, never returned mixed rows) and should be retried; FILE, opened once per
connection, has no such window.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"
BUILD_INFO_TABLE = "main.ogi_build"
_TMP_TAG = ".publish-"


@dataclass(frozen=True)
class Layout:
    warehouse: Path    # the serving DuckDB file
    work_dir: Path     # FILE.build/
    parquet_dir: Path  # <stem>.marts/

    @classmethod
    def of(cls, warehouse: str | Path) -> "Layout":
        warehouse = Path(warehouse)
        return cls(warehouse, warehouse.with_name(warehouse.name + ".build"),
                   warehouse.with_name(warehouse.stem + ".marts"))

    def work_db(self, build_id: str) -> Path:
        """The working database of one build (FILE's own name, so that the DuckDB
        catalog name, which dbt writes into its relations, is the same in the copy)."""
        return self.work_dir / build_id / self.warehouse.name

    def temp_file(self) -> Path:
        return self.warehouse.with_name(f".{self.warehouse.name}{_TMP_TAG}{os.getpid()}")


def new_build_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_leftovers(layout: Layout) -> list[Path]:
    """Remove what a failed or killed build left: its working folder and temporary
    files. Call only while holding the build lock (nobody else is building)."""
    found = []
    if layout.work_dir.exists():
        found.append(layout.work_dir)
    found += layout.warehouse.parent.glob(f".{layout.warehouse.name}{_TMP_TAG}*")
    if layout.parquet_dir.is_dir():
        found += layout.parquet_dir.glob(f".*{_TMP_TAG}*")
    for path in found:
        _remove(path)
    return found


def prepare_work(layout: Layout, build_id: str) -> Path:
    """A fresh, empty working folder; returns the working database's path."""
    remove_leftovers(layout)
    work_db = layout.work_db(build_id)
    work_db.parent.mkdir(parents=True)
    return work_db


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass(frozen=True)
class Published:
    build_id: str
    warehouse: Path
    parquet_dir: Path
    tables: dict[str, int]  # mart -> rows
    seconds: float


def publish(layout: Layout, build_id: str, raw_dir: str | Path | None = None) -> Published:
    """Copy the finished working database to FILE and every mart to Parquet, each
    through a temporary file and os.replace. Raises on any error, with FILE and
    the Parquet files left as they were (temporary files removed)."""
    started = time.perf_counter()
    temp_db = layout.temp_file()
    temp_parquet: dict[str, Path] = {}
    layout.parquet_dir.mkdir(parents=True, exist_ok=True)
    try:
        _remove(temp_db)
        con = duckdb.connect(str(layout.work_db(build_id)))
        try:
            work = con.execute("SELECT current_database()").fetchone()[0]
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = ? AND table_schema = ? AND table_type = 'BASE TABLE' ORDER BY 1",
                [work, MARTS_SCHEMA]).fetchall()]
            if not tables:
                raise RuntimeError(f"the build made no table in schema {MARTS_SCHEMA}; nothing to publish")
            counts = {}
            for table in tables:
                counts[table] = con.execute(f'SELECT count(*) FROM {MARTS_SCHEMA}."{table}"').fetchone()[0]
                temp = layout.parquet_dir / f".{table}.parquet{_TMP_TAG}{os.getpid()}"
                temp_parquet[table] = temp
                con.execute(
                    f'COPY {MARTS_SCHEMA}."{table}" TO {_quote(temp)} '
                    f"(FORMAT parquet, KV_METADATA {{ogi_build_id: '{build_id}'}})")
            con.execute(f"ATTACH {_quote(temp_db)} AS ogi_publish")
            con.execute(f'COPY FROM DATABASE "{work}" TO ogi_publish')
            con.execute(
                f"CREATE OR REPLACE TABLE ogi_publish.{BUILD_INFO_TABLE} AS SELECT ? AS build_id, "
                "? AS raw_dir, now()::TIMESTAMPTZ AS published_at",
                [build_id, str(raw_dir) if raw_dir is not None else None])
            con.execute("CHECKPOINT ogi_publish")
            con.execute("DETACH ogi_publish")
        finally:
            con.close()
        for path in [*temp_parquet.values(), temp_db]:
            _fsync(path)
        if temp_db.with_name(temp_db.name + ".wal").exists():
            raise RuntimeError(f"{temp_db}.wal remains after CHECKPOINT; not publishing an incomplete copy")
        # The switch: each os.replace is atomic; FILE goes last.
        for table, temp in temp_parquet.items():
            os.replace(temp, layout.parquet_dir / f"{table}.parquet")
        for stale in layout.parquet_dir.glob("*.parquet"):
            if stale.stem not in temp_parquet:  # a mart that no longer exists
                stale.unlink(missing_ok=True)
        # A WAL beside FILE would belong to a writer of the old file (nobody should
        # write FILE); DuckDB must not replay it into the new one.
        layout.warehouse.with_name(layout.warehouse.name + ".wal").unlink(missing_ok=True)
        os.replace(temp_db, layout.warehouse)
        dir_fd = os.open(layout.warehouse.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        for path in [*temp_parquet.values(), temp_db, temp_db.with_name(temp_db.name + ".wal")]:
            path.unlink(missing_ok=True)
    return Published(build_id, layout.warehouse, layout.parquet_dir, counts, time.perf_counter() - started)
