"""`ogi build` publishes whole or not at all (orchestration/publish.py): the serving
DuckDB file and one Parquet file per mart, replaced atomically after the checks and
dbt tests pass; a failed build leaves the last published files byte for byte."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb

from orchestration.publish import Layout
from tests.conftest import REPO_ROOT, ogi_command
from tests.snapshots import parquet_dir, parquet_state, state


def test_published_files_are_one_whole_build(built_warehouse_run, built_warehouse):
    layout = Layout.of(built_warehouse)
    build_id, fps = state(built_warehouse)
    printed = re.search(r"published: build (\S+), (\d+) marts as Parquet in (.+)$", built_warehouse_run.proc.stdout, re.M)
    assert printed, built_warehouse_run.proc.stdout
    assert printed.group(1) == build_id
    assert int(printed.group(2)) == len(fps) >= 8
    assert Path(printed.group(3)) == layout.parquet_dir == parquet_dir(built_warehouse)
    # every mart as Parquet, with the same rows, stamped with the same build id
    assert parquet_state(built_warehouse) == fps
    con = duckdb.connect()
    try:
        for table in fps:
            kv = dict(con.execute("SELECT decode(key), decode(value) FROM parquet_kv_metadata(?)",
                                  [str(layout.parquet_dir / f"{table}.parquet")]).fetchall())
            assert kv.get("ogi_build_id") == build_id, table
    finally:
        con.close()
    # nothing left behind: no working folder, no temporary file, no WAL
    leftovers = [p.name for p in built_warehouse.parent.iterdir()
                 if p.name.startswith(".") or p.suffix == ".wal"]
    leftovers += [p.name for p in layout.work_leftovers()]
    leftovers += [p.name for p in layout.parquet_dir.iterdir() if p.suffix != ".parquet"]
    assert leftovers == []


def test_published_copy_is_complete(built_warehouse):
    """The copy holds every schema of the working database (raw, staging views too)."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        schemas = {r[0] for r in con.execute(
            "SELECT DISTINCT schema_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
        assert {"raw", "marts", "ref", "intermediate"} <= schemas
        assert con.execute("SELECT count(*) FROM staging.stg_reports").fetchone()[0] == \
            con.execute("SELECT count(*) FROM marts.dim_report").fetchone()[0]
        assert con.execute("SELECT count(*) FROM main.ogi_build").fetchone()[0] == 1
    finally:
        con.close()


def _digests(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_failed_build_leaves_the_last_published_warehouse(built_warehouse, sample_raw_copy, tmp_path):
    """A dbt test that fails (real dbt, on a copy of the project with one failing
    singular test): exit 1, one line naming the test, and FILE and every Parquet
    file exactly as the last good build left them."""
    warehouse = tmp_path / "w" / "ogi.duckdb"
    warehouse.parent.mkdir()
    shutil.copy2(built_warehouse, warehouse)
    shutil.copytree(parquet_dir(built_warehouse), parquet_dir(warehouse))
    published = [warehouse, *sorted(parquet_dir(warehouse).iterdir())]
    before = _digests(published)

    project = tmp_path / "dbt_project"
    shutil.copytree(REPO_ROOT / "dbt_project", project,
                    ignore=shutil.ignore_patterns("logs", "ogi_dbt-*", ".parse-*", "*.lock"))
    (project / "tests" / "assert_publish_guard_fails.sql").write_text(
        "-- fails on purpose (tests/test_publish.py)\nselect 1 as failure\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("OGI_RAW_DIR", "OGI_WAREHOUSE")}
    env["OGI_DBT_PROJECT_DIR"] = str(project)
    proc = subprocess.run([*ogi_command(), "build", "--raw-dir", str(sample_raw_copy), "--warehouse", str(warehouse)],
                          capture_output=True, text=True, timeout=600, cwd=REPO_ROOT, env=env)
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("ogi build: ") and "dbt build failed" in lines[-1], lines[-1]
    assert "assert_publish_guard_fails" in lines[-1]
    assert "unchanged" in lines[-1]
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert _digests(published) == before
    assert sorted(p.name for p in parquet_dir(warehouse).iterdir()) == sorted(p.name for p in published[1:])
    # The failed build's working copy is kept for a look (and removed by the next build).
    assert list(Layout.of(warehouse).work_dir.glob("*/ogi.duckdb"))
