"""The parse pool `ogi build` starts ahead of the parse
(orchestration.ingest.prestart_parse_pool): the parses run on it, give the same
files as without it, and it is shut down with no process left behind, also when
one of its workers died while idle."""

import os
import signal
import subprocess
import sys
import time

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import orchestration.ingest as ingest
import parsers.batch as batch
from tests.conftest import SAMPLE_RAW


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_gone(pids, seconds=10.0):
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


def _parse_here(*args, **kw):
    raise AssertionError("parsed in the parent process")


def no_parse_here(monkeypatch):
    """Parsing in this process fails the test (spawned workers import the real
    code, unpatched); the new process pools are listed."""
    made = []
    real = batch.ProcessPoolExecutor

    def counted(*args, **kw):
        made.append(kw)
        return real(*args, **kw)

    monkeypatch.setattr(batch, "_read_many", _parse_here)
    monkeypatch.setattr(batch, "ProcessPoolExecutor", counted)
    return made


@pytest.fixture
def prestarted():
    pool = ingest.prestart_parse_pool(workers=2)
    assert pool is not None and ingest._PARSE_POOL is pool
    for warmed in pool.warmed:
        warmed.result(timeout=60)  # the workers imported the parser
    pids = list(pool.executor._processes)
    yield pool, pids
    ingest.shutdown_parse_pool()


def _files():
    return sorted(p for p in SAMPLE_RAW.iterdir() if p.is_file())


def _written(folder):
    return {p.name: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def _same_files(a, b):
    assert list(a) == list(b) and a
    for name in a:
        assert_frame_equal(a[name], b[name], check_exact=True)


def test_the_parse_runs_on_the_prestarted_workers_with_the_same_result(tmp_path, prestarted, monkeypatch):
    """The batch is below POOL_THRESHOLD: without the pool it would parse here."""
    pool, pids = prestarted
    assert len(set(pids)) == 2 and os.getpid() not in pids  # two workers, both started
    files = _files()
    monkeypatch.setattr(batch, "CHUNK_FILES", 4)  # several chunks from the sample
    reference = tmp_path / "reference"
    reference.mkdir()
    expected_counts = batch.write_parsed_chunks(SAMPLE_RAW, reference, "B", files, workers=1)  # in this process
    expected_frames = list(batch.iter_parsed_chunks(SAMPLE_RAW, files, workers=1))

    made = no_parse_here(monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    progress = []
    counts = batch.write_parsed_chunks(SAMPLE_RAW, out, "B", files, progress=lambda d, t: progress.append((d, t)),
                                       pool=pool)
    frames = list(batch.iter_parsed_chunks(SAMPLE_RAW, files, pool=pool))
    assert made == []  # no pool but the pre-started one, no parse in this process
    assert counts == expected_counts
    _same_files(_written(out), _written(reference))
    assert len(frames) == len(expected_frames) > 1
    for got, want in zip(frames, expected_frames):
        for table in batch.TABLES:
            assert_frame_equal(getattr(got, table), getattr(want, table), check_exact=True)
    assert progress[-1] == (len(files), len(files)) and len(progress) == len(frames)
    assert sorted(pool.executor._processes) == sorted(pids) and not pool.broken  # the same two workers

    ingest.shutdown_parse_pool()
    assert ingest._PARSE_POOL is None
    assert _wait_gone(pids) == []


def test_a_prestarted_pool_whose_worker_died_idle_is_replaced(tmp_path, prestarted, monkeypatch):
    pool, pids = prestarted
    files = _files()
    monkeypatch.setattr(batch, "CHUNK_FILES", 4)
    reference = tmp_path / "reference"
    reference.mkdir()
    batch.write_parsed_chunks(SAMPLE_RAW, reference, "B", files, workers=1)

    os.kill(pids[0], signal.SIGKILL)
    out = tmp_path / "out"
    out.mkdir()
    batch.write_parsed_chunks(SAMPLE_RAW, out, "B", files, pool=pool)
    _same_files(_written(out), _written(reference))  # no file lost, nothing recorded as crashed
    assert pool.broken
    ingest.shutdown_parse_pool()
    assert _wait_gone(pids) == []


def test_without_a_prestarted_pool_a_small_batch_parses_here(tmp_path, monkeypatch):
    made = no_parse_here(monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(AssertionError, match="parsed in the parent"):
        batch.write_parsed_chunks(SAMPLE_RAW, out, "B", _files())
    assert made == []


def test_ogi_build_prestarts_the_pool_parses_on_it_and_stops_it(sample_raw_copy, tmp_path, monkeypatch):
    from orchestration.cli import run_build

    started, used = [], []
    real_prestart, real_write = ingest.prestart_parse_pool, batch.write_parsed_chunks

    def spy_prestart(*args, **kw):
        pool = real_prestart(*args, **kw)
        started.append((pool, list(pool.executor._processes)))
        return pool

    def spy_write(*args, **kw):
        used.append(kw.get("pool"))
        return real_write(*args, **kw)

    monkeypatch.setattr(ingest, "prestart_parse_pool", spy_prestart)
    monkeypatch.setattr(batch, "write_parsed_chunks", spy_write)
    run_build(sample_raw_copy, tmp_path / "ogi.duckdb")

    [(pool, pids)] = started
    assert used and all(p is pool for p in used)  # every parse of the build ran on it
    assert ingest._PARSE_POOL is None  # stopped by the build (parse_raw_files), not at exit
    assert pids and _wait_gone(pids, seconds=0.5) == []


def test_prestarting_does_not_load_the_parser_here():
    """A build that parses nothing must not pay for importing the parser: only
    the workers import it."""
    code = ("import sys\n"
            "from orchestration.ingest import prestart_parse_pool, shutdown_parse_pool\n"
            "pool = prestart_parse_pool(2)\n"
            "[f.result(timeout=60) for f in pool.warmed]\n"
            "print(sorted(m for m in sys.modules if m.startswith('parsers')))\n"
            "shutdown_parse_pool()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"
