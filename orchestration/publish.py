"""Build privately, publish whole: what `ogi build --warehouse FILE` leaves next to FILE.

    FILE                        e.g. data/warehouse/ogi.duckdb — the serving copy; readers
                                open it read-only (`duckdb -readonly FILE`)
    <stem>.marts/<table>.parquet every table of schema `marts` (data/warehouse/ogi.marts/)
    FILE.build/work/<FILE name> the private working database of the running build
                                (parse → load → checks → dbt all write here, nobody reads it);
                                FILE.build/<build id>/ instead while a killed build's dbt
                                still runs in work/ (see prepare_work)
    FILE.build/dbt.lock         held by the dbt working in work/ (orchestration/dbt_guard.py)
    FILE.lock                   the build lock (an flock, `warehouse_lock` below)

A build writes only into FILE.build/ (the BuildTarget resource holds the lock
and names the folder for the whole run, whoever started it). When its blocking
checks and dbt tests have passed, the `published/warehouse` asset calls `publish`:
it stamps the working database, checkpoints it, writes each mart to a temporary
Parquet file, then moves them into place with os.replace: Parquet files first,
the working database over FILE last (FILE.build/ is on FILE's file system, so
this is a rename, not a copy). So:

* a reader never blocks a build (the build never opens FILE for writing), and never
  sees half a build: a connection to FILE sees the whole of one build until it
  reconnects, and each Parquet file is one build's table;
* a build that fails or is killed leaves the last published FILE and Parquet
  files as they were; its leftovers (working folder, temporary files) are removed
  by the next build, under the lock. A straggler of a killed build (its `dbt`
  child, which outlives a SIGKILL of the parent) never writes into the next
  build's folder: it holds FILE.build/dbt.lock while it runs, the next build then
  works in a folder of its own, and a straggler that starts late finds another
  build's id in work/BUILD and exits (orchestration/dbt_guard.py).

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

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from orchestration.paths import build_process_memory_limit

MARTS_SCHEMA = "marts"
BUILD_INFO_TABLE = "main.ogi_build"
_TMP_TAG = ".publish-"


class WarehouseLocked(RuntimeError):
    """Another build holds the warehouse's lock (the CLI exits 75 on it)."""


_HELD_HERE: dict[Path, int] = {}  # locks this process holds -> nesting depth


@contextlib.contextmanager
def warehouse_lock(warehouse: Path, wait: float = 0, on_wait=None):
    """One build per warehouse file at a time (an flock on FILE.lock), whoever
    starts it: `ogi build`, the schedule, the sensor or the Dagster UI.

    Re-entrant within a process: `ogi build` takes the lock before it starts the
    run, and the run's BuildTarget takes it again. The kernel drops an flock when
    its holder dies, so a lock file left by a killed build never blocks the next
    one (the pid in it is only informative). With `wait` > 0, waits up to that
    many seconds, then raises WarehouseLocked; `on_wait(holder pid)` is called once
    when the wait begins."""
    key = Path(warehouse).resolve()
    if _HELD_HERE.get(key):
        _HELD_HERE[key] += 1
        try:
            yield
        finally:
            _HELD_HERE[key] -= 1
        return
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    with open(lock_path, "a+") as fh:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip()
                if time.monotonic() < deadline and on_wait is not None:
                    on_wait(holder)
                    on_wait = None
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(
                        f"another ogi build holds the lock on {warehouse}" + (f" (pid {holder})" if holder else "")
                        + (f" (waited {wait:g} s)" if wait > 0 else "; retry later, or pass --wait SECONDS")
                    ) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        _HELD_HERE[key] = 1
        try:
            yield
        finally:
            _HELD_HERE.pop(key, None)
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


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

    @property
    def stable_dir(self) -> Path:
        """FILE.build/work/: where builds work, one at a time (see WorkFolder)."""
        return self.work_dir / "work"

    @property
    def dbt_lock(self) -> Path:
        """Held by the dbt process working in stable_dir (orchestration/dbt_guard.py).
        Never deleted: a straggler's lock must stay visible to the next build."""
        return self.work_dir / "dbt.lock"

    @property
    def kept(self) -> tuple[Path, ...]:
        """What FILE.build/ keeps from build to build."""
        return (self.dbt_lock,)

    def work_leftovers(self) -> list[Path]:
        """What FILE.build/ holds besides what it keeps (nothing after a published build)."""
        return [p for p in self.work_dir.iterdir() if p not in self.kept] if self.work_dir.is_dir() else []

    @property
    def marker(self) -> Path:
        """stable_dir's owner: the id of the build working there."""
        return self.stable_dir / "BUILD"


@dataclass(frozen=True)
class WorkFolder:
    """Where one build works. Normally FILE.build/work/ (a stable path, so dbt's
    partial parsing holds across builds); FILE.build/<build id>/ when the dbt of a
    killed build still runs in work/. The working database has FILE's own name, so
    the DuckDB catalog name, which dbt writes into its relations, is the same in
    the published copy."""

    dir: Path
    db: Path
    guarded: bool  # dbt must run behind the lock (work/), see dbt_env

    def dbt_env(self, layout: Layout, build_id: str) -> dict[str, str]:
        """dbt runs in FILE.build/ (OGI_DBT_CWD, orchestration/dbt_guard.py) and opens its
        database by a path relative to it, work/<FILE name>: the profile, and so dbt's
        partial-parse state, is then the same for every warehouse of that name (a new
        one is not parsed in full, ~6 s; orchestration/assets/dbt.py keeps that state)."""
        env = {"OGI_WAREHOUSE": str(self.db.relative_to(layout.work_dir)), "OGI_DBT_CWD": str(layout.work_dir),
               "OGI_BUILD_ID": build_id}
        if self.guarded:
            env.update(OGI_DBT_LOCK=str(layout.dbt_lock), OGI_DBT_MARKER=str(layout.marker))
        return env


def new_build_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_leftovers(layout: Layout, keep: tuple[Path, ...] = ()) -> list[Path]:
    """Remove what failed or killed builds left: working folders and temporary
    files (never what the layout keeps, nor the folders in `keep`). Call only while holding
    the build lock (nobody else is building)."""
    found = []
    if layout.work_dir.is_dir():
        found += [p for p in layout.work_dir.iterdir() if p not in layout.kept and p not in keep]
    if layout.parquet_dir.is_dir():
        found += layout.parquet_dir.glob(f".*{_TMP_TAG}*")
    for path in found:
        _remove(path)
    return found


@contextlib.contextmanager
def _dbt_lock_if_free(layout: Layout):
    """Yield True holding FILE.build/dbt.lock, or False when a dbt process holds it."""
    layout.work_dir.mkdir(parents=True, exist_ok=True)
    with open(layout.dbt_lock, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def prepare_work(layout: Layout, build_id: str) -> WorkFolder:
    """A fresh, empty working folder for this build (under the build lock)."""
    with _dbt_lock_if_free(layout) as free:
        if free:
            remove_leftovers(layout)
            layout.stable_dir.mkdir()
            layout.marker.write_text(build_id + "\n")
            folder = WorkFolder(layout.stable_dir, layout.stable_dir / layout.warehouse.name, guarded=True)
        else:  # a straggler dbt still works in work/: leave it alone
            remove_leftovers(layout, keep=(layout.stable_dir,))
            own = layout.work_dir / build_id
            own.mkdir()
            folder = WorkFolder(own, own / layout.warehouse.name, guarded=False)
    return folder


def published_code_version(warehouse: Path) -> str | None:
    """The code_version FILE was built with (None: no FILE, or one from before it was recorded)."""
    if not warehouse.is_file():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute(f"SELECT code_version FROM {BUILD_INFO_TABLE}").fetchall()[0][0]
    except (duckdb.Error, IndexError):
        return None
    finally:
        con.close()


def seed_from_published(layout: Layout, work_db: Path) -> bool:
    """Start the working database as a copy of FILE when FILE was built by the same
    code (orchestration/code_version.py), so the build only applies what changed:
    the load replaces the rows of changed files, dbt's per-report models add and drop
    reports. Otherwise the build starts empty (a full build). A copy, not a link:
    readers keep FILE, and a failed build leaves it untouched."""
    from orchestration.code_version import warehouse_code_version  # imports polars: not at CLI start

    if published_code_version(layout.warehouse) != warehouse_code_version():
        return False
    temp = work_db.with_name(work_db.name + ".seeding")
    shutil.copyfile(layout.warehouse, temp)
    os.replace(temp, work_db)
    return True


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


def publish(layout: Layout, work_db: Path, build_id: str, raw_dir: str | Path | None = None) -> Published:
    """Stamp the finished working database, write every mart to Parquet, then
    move them into place with os.replace: Parquet files first, the working
    database over FILE last (a rename within one file system, so no copy).
    Raises on any error, with FILE and the Parquet files left as they were
    (temporary Parquet files removed)."""
    from orchestration.code_version import warehouse_code_version

    started = time.perf_counter()
    temp_parquet: dict[str, Path] = {}
    layout.parquet_dir.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(work_db), config={"memory_limit": build_process_memory_limit()})
        try:
            counts = _write_parquet(con, layout, build_id, temp_parquet)
            con.execute(
                f"CREATE OR REPLACE TABLE {BUILD_INFO_TABLE} AS SELECT ? AS build_id, "
                "? AS raw_dir, now()::TIMESTAMPTZ AS published_at, ? AS code_version",
                [build_id, str(raw_dir) if raw_dir is not None else None, warehouse_code_version()])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        for path in [*temp_parquet.values(), work_db]:
            _fsync(path)
        if work_db.with_name(work_db.name + ".wal").exists():
            raise RuntimeError(f"{work_db}.wal remains after CHECKPOINT; not publishing an incomplete database")
        # The switch: each os.replace is atomic; FILE goes last.
        for table, temp in temp_parquet.items():
            os.replace(temp, layout.parquet_dir / f"{table}.parquet")
        for stale in layout.parquet_dir.glob("*.parquet"):
            if stale.stem not in temp_parquet:  # a mart that no longer exists
                stale.unlink(missing_ok=True)
        # A WAL beside FILE would belong to a writer of the old file (nobody should
        # write FILE); DuckDB must not replay it into the new one.
        layout.warehouse.with_name(layout.warehouse.name + ".wal").unlink(missing_ok=True)
        os.replace(work_db, layout.warehouse)
        dir_fd = os.open(layout.warehouse.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        for path in temp_parquet.values():
            path.unlink(missing_ok=True)
    return Published(build_id, layout.warehouse, layout.parquet_dir, counts, time.perf_counter() - started)


def _write_parquet(con, layout: Layout, build_id: str, temp_parquet: dict[str, Path]) -> dict[str, int]:
    """Every table of schema marts to a temporary Parquet file (recorded in
    temp_parquet as it is made) stamped with the build id; returns row counts."""
    work = con.execute("SELECT current_database()").fetchall()[0][0]
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = ? AND table_schema = ? AND table_type = 'BASE TABLE' ORDER BY 1",
        [work, MARTS_SCHEMA]).fetchall()]
    if not tables:
        raise RuntimeError(f"the build made no table in schema {MARTS_SCHEMA}; nothing to publish")
    # Both threads write each file: the rows are the table's, in an order that may
    # differ from build to build (a mart has no order). fct_outcomes, 5.5 million rows
    # at 100k reports: 2.55-2.68 s -> 2.01-2.08 s.
    con.execute("SET preserve_insertion_order = false")
    counts = {}
    for table in tables:
        counts[table] = con.execute(f'SELECT count(*) FROM {MARTS_SCHEMA}."{table}"').fetchall()[0][0]
        temp = layout.parquet_dir / f".{table}.parquet{_TMP_TAG}{os.getpid()}"
        temp_parquet[table] = temp
        con.execute(
            f'COPY {MARTS_SCHEMA}."{table}" TO {_quote(temp)} '
            f"(FORMAT parquet, KV_METADATA {{ogi_build_id: '{build_id}'}})")
    return counts
