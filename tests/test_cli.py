"""The `ogi` command line: exit codes, one-line failures, the closing summary."""

import fcntl
import hashlib
import json
import time

import duckdb
import pytest

from tests.conftest import REPO_ROOT, SAMPLE_RAW, run_ogi, sample_files


def test_build_exits_0_with_summary(built_warehouse_run):
    run = built_warehouse_run
    assert run.proc.returncode == 0, run.proc.stderr[-2000:]
    out, err = run.proc.stdout, run.proc.stderr
    n = len(sample_files())
    assert f"reports read: {n}" in out
    for status in ("ok", "repaired", "partial", "failed"):
        assert f"{status} " in out
    assert "issues:" in out
    assert f"warehouse: {run.warehouse}" in out
    # progress on stderr: parse count, then each phase
    assert f"parsed {n}/{n} files" in err
    for phase in ("load:", "checks: raw.reports ok", "checks: raw.cells ok", "dbt:"):
        assert phase in err
    assert "Traceback" not in err


def test_summary_counts_match_warehouse(built_warehouse_run, built_warehouse):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        failed = con.execute("SELECT count(*) FROM marts.dim_report WHERE parse_status = 'failed'").fetchall()[0][0]
    finally:
        con.close()
    assert f"failed {failed})" in built_warehouse_run.proc.stdout


def _assert_one_line_failure(proc, code=None):
    assert proc.returncode != 0
    if code is not None:
        assert proc.returncode == code
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("ogi ")
    assert "Traceback" not in proc.stderr


def test_missing_raw_dir(tmp_path):
    proc = run_ogi("build", "--raw-dir", str(tmp_path / "missing"), "--warehouse", str(tmp_path / "w.duckdb"))
    _assert_one_line_failure(proc, 2)
    assert "raw folder not found" in proc.stderr
    assert proc.stdout == ""
    assert not (tmp_path / "w.duckdb").exists()


def test_lock_held(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with open(tmp_path / "w.duckdb.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242")
        held.flush()
        proc = run_ogi("build", "--raw-dir", str(SAMPLE_RAW), "--warehouse", str(warehouse))
    _assert_one_line_failure(proc, 75)
    assert "another ogi build holds the lock" in proc.stderr and "(pid 4242)" in proc.stderr
    assert "--wait" in proc.stderr
    assert not warehouse.exists()


def test_lock_wait_gives_up_after_the_wait(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with open(tmp_path / "w.duckdb.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        proc = run_ogi("build", "--raw-dir", str(SAMPLE_RAW), "--warehouse", str(warehouse), "--wait", "1.5")
        waited = time.monotonic() - started
    assert proc.returncode == 75, proc.stderr
    assert waited >= 1.5
    assert "waiting up to 1.5 s" in proc.stderr  # said once, on the progress stream
    assert proc.stderr.strip().splitlines()[-1].endswith("(waited 1.5 s)")


# A reader holding the published file no longer blocks a build (it was exit 75
# before builds published by copy): tests/test_reliability.py holds a read-only
# connection open through three real builds.


def test_parse_prints_json():
    pytest.importorskip("parsers.render")
    path = sorted(p for p in SAMPLE_RAW.iterdir() if p.suffix == ".txt")[0]
    proc = run_ogi("parse", str(path))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert isinstance(report, dict)
    assert report["report_id"] == hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def test_parse_missing_file(tmp_path):
    proc = run_ogi("parse", str(tmp_path / "nope.txt"))
    _assert_one_line_failure(proc, 2)


def test_usage():
    proc = run_ogi("--help")
    assert proc.returncode == 0
    assert "build" in proc.stdout and "parse" in proc.stdout


def test_synth_help_names_every_layout():
    """The help lists the layouts by hand (importing parsers.synth at start costs ~0.4 s of
    every command); it must not drift from synth's own list."""
    from parsers.synth import LAYOUTS

    proc = run_ogi("synth", "--help")
    assert proc.returncode == 0
    listed = " ".join(proc.stdout.split())
    assert all(layout in listed for layout in LAYOUTS), (LAYOUTS, listed)


def test_eval_scores_the_built_warehouse_against_the_golden_files(built_warehouse):
    golden = REPO_ROOT.parent / "shared" / "golden"
    proc = run_ogi("eval", "--truth", str(golden), "--warehouse", str(built_warehouse))
    assert proc.returncode == 0, proc.stderr
    totals = json.loads(proc.stdout.strip().splitlines()[-1])
    assert totals["files"] == 5 and totals["wrong_silent"] == 0
    assert totals["correct"] == totals["compared"] == 734  # 718 table cells of the 2019+ seeds + 16 facts of seed 001


def test_parse_progress_gives_the_rate_and_the_time_left():
    """Off a terminal, a line every 5 %; once a second has passed, with files/s and
    the time left at that rate, and the rate alone on the last line."""
    import io

    from orchestration.cli import StderrProgress

    now = [100.0]
    out = io.StringIO()
    progress = StderrProgress(stream=out, clock=lambda: now[0])
    progress.phase("parse", "100,000 new or changed of 100,000 files")
    progress.parsed(10, 100_000)  # no time has passed: no rate yet
    now[0] += 50.0
    progress.parsed(50_010, 100_000)
    now[0] += 49.98
    progress.parsed(99_990, 100_000)  # 0.01 s left at that rate: said as 1 s, never 0
    now[0] += 0.02
    progress.parsed(100_000, 100_000)
    lines = out.getvalue().splitlines()
    assert lines[1].endswith("parsed 10/100000 files")
    assert lines[2].endswith("parsed 50010/100000 files (1,000 files/s, about 50 s left)")
    assert lines[3].endswith("parsed 99990/100000 files (1,000 files/s, about 1 s left)")
    assert lines[4].endswith("parsed 100000/100000 files (1,000 files/s)")
    assert lines[4].startswith("[ 100.0s]")


def test_durations_read_naturally():
    from orchestration.cli import _duration

    assert [_duration(s) for s in (0, 59, 60, 245, 3599, 3720)] == [
        "0 s", "59 s", "1 min 00 s", "4 min 05 s", "59 min 59 s", "1 h 02 min"]
