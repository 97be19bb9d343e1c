"""The stable working folder FILE.build/work/ (orchestration/publish.py) and its
guard, `ogi-dbt` (orchestration/dbt_guard.py): dbt's partial parsing needs the
same database path every build, and a straggler dbt of a killed build must never
write into the next build's folder."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from orchestration.paths import dbt_executable
from orchestration.publish import Layout, prepare_work

GUARD = dbt_executable(guarded=True)


def _guarded_env(layout: Layout, build_id: str) -> dict[str, str]:
    return {**os.environ, "OGI_BUILD_ID": build_id,
            "OGI_DBT_LOCK": str(layout.dbt_lock), "OGI_DBT_MARKER": str(layout.marker)}


def _wait_until_locked(path: Path, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(path, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            fcntl.flock(fh, fcntl.LOCK_UN)
        time.sleep(0.05)
    raise AssertionError(f"nobody took {path}")


def test_builds_share_one_stable_folder(tmp_path):
    layout = Layout.of(tmp_path / "ogi.duckdb")
    first = prepare_work(layout, "b1")
    assert first.guarded and first.db == layout.work_dir / "work" / "ogi.duckdb"
    first.db.write_bytes(b"left by a failed build")
    second = prepare_work(layout, "b2")
    assert second.db == first.db and not second.db.exists()  # emptied for the new build
    assert layout.marker.read_text().strip() == "b2"
    env = second.dbt_env(layout, "b2")
    assert env["OGI_DBT_MARKER"] == str(layout.marker)
    # dbt opens work/ogi.duckdb from FILE.build/: the profile is the same for every
    # warehouse named ogi.duckdb, so is dbt's partial-parse state (test_incremental.py).
    assert env["OGI_WAREHOUSE"] == "work/ogi.duckdb" and Path(env["OGI_DBT_CWD"]) / env["OGI_WAREHOUSE"] == second.db


def test_a_straggler_dbt_keeps_its_folder_and_the_next_build_works_elsewhere(tmp_path):
    layout = Layout.of(tmp_path / "ogi.duckdb")
    prepare_work(layout, "killed")
    (layout.stable_dir / "ogi.duckdb").write_bytes(b"the straggler's database")
    # The straggler: ogi-dbt of build 'killed', holding the lock while "dbt" (here a
    # sleep in place of the exec) runs.
    straggler = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from orchestration.dbt_guard import main; sys.argv=['ogi-dbt']; "
         "import os; os.execvp = lambda *a: __import__('time').sleep(30); main()"],
        env=_guarded_env(layout, "killed"))
    try:
        _wait_until_locked(layout.dbt_lock)
        folder = prepare_work(layout, "next")
        assert not folder.guarded
        assert folder.db == layout.work_dir / "next" / "ogi.duckdb" and folder.db.parent.is_dir()
        assert (layout.stable_dir / "ogi.duckdb").read_bytes() == b"the straggler's database"
        env = folder.dbt_env(layout, "next")
        assert "OGI_DBT_LOCK" not in env and Path(env["OGI_DBT_CWD"]) / env["OGI_WAREHOUSE"] == folder.db
    finally:
        straggler.kill()
        straggler.wait()
    # Once the straggler is gone, builds return to the stable folder.
    assert prepare_work(layout, "later").guarded
    assert not (layout.work_dir / "next").exists()


def test_a_late_straggler_finds_another_build_and_does_not_run_dbt(tmp_path):
    layout = Layout.of(tmp_path / "ogi.duckdb")
    prepare_work(layout, "current")
    proc = subprocess.run([GUARD, "--version"], env=_guarded_env(layout, "killed"),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3, proc
    assert "belongs to build current" in proc.stderr and "dbt" not in proc.stdout.lower()


def test_the_guard_runs_dbt_for_its_own_build(tmp_path):
    layout = Layout.of(tmp_path / "ogi.duckdb")
    prepare_work(layout, "current")
    proc = subprocess.run([GUARD, "--version"], env=_guarded_env(layout, "current"),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Core" in proc.stdout + proc.stderr, proc
    assert Path(GUARD).name == "ogi-dbt"


def test_a_build_starts_from_the_published_database_only_when_the_code_is_the_same(built_warehouse, tmp_path):
    from orchestration.code_version import warehouse_code_version
    from orchestration.publish import published_code_version, seed_from_published

    warehouse = tmp_path / "ogi.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    assert published_code_version(warehouse) == warehouse_code_version()
    layout = Layout.of(warehouse)
    folder = prepare_work(layout, "same-code")
    assert seed_from_published(layout, folder.db) and folder.db.read_bytes() == warehouse.read_bytes()

    con = duckdb.connect(str(warehouse))
    con.execute("UPDATE main.ogi_build SET code_version = 'another'")
    con.close()
    folder = prepare_work(layout, "other-code")
    assert not seed_from_published(layout, folder.db) and not folder.db.exists()
