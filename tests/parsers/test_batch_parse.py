"""A chunk of files is parsed as one batch: the records are those of the files
parsed one by one, and a parser bug fails only the file that triggers it."""

from __future__ import annotations

from pathlib import Path

import parsers.report as report
from parsers.batch import _read_many, read_one

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


def _records(parsed):
    return [(p.report, p.cells, p.issues) for p in parsed]


def test_a_batch_reads_as_its_files_one_by_one():
    paths = sorted(RAW.iterdir())
    batch = _read_many([(p, None) for p in paths], RAW)
    assert _records(batch) == _records([read_one(p, RAW) for p in paths])


def test_a_parser_bug_fails_only_its_own_file(monkeypatch):
    paths = sorted(p for p in RAW.iterdir() if p.suffix == ".txt")[:4]
    bad = paths[1].name
    real = report._read_text

    def buggy(parsed, text, *args, **kwargs):
        if parsed.report["source_file"] == bad:
            raise ZeroDivisionError("a bug")
        return real(parsed, text, *args, **kwargs)

    monkeypatch.setattr(report, "_read_text", buggy)
    batch = _read_many([(p, None) for p in paths], RAW)
    assert [p.report["source_file"] for p in batch] == [p.name for p in paths]
    assert batch[1].report["parse_status"] == "failed"
    assert [i.check_name for i in batch[1].issues] == ["parser_error"]
    assert all(p.report["parse_status"] != "failed" for i, p in enumerate(batch) if i != 1)


def test_chunks_are_large_unless_the_workers_would_get_too_few():
    from parsers.batch import AHEAD_PER_WORKER, CHUNK_FILES, MIN_CHUNK_FILES, chunk_files

    assert chunk_files(100_000, 2) == CHUNK_FILES
    # 1,000 files (a nightly batch): enough chunks for every worker's queue, none idle at the end
    assert -(-1000 // chunk_files(1000, 2)) >= 2 * AHEAD_PER_WORKER
    assert chunk_files(10, 2) == MIN_CHUNK_FILES


def test_prefetching_returns_at_once_on_files_that_are_not_plain(tmp_path):
    """_prefetch runs in the build process ahead of the workers: a FIFO (whose open
    would wait for a writer), a symlink to one, a dangling symlink or a folder must
    neither block it nor raise."""
    import os
    import threading

    from parsers.batch import _prefetch

    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "to_pipe").symlink_to(tmp_path / "pipe")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "folder").mkdir()
    (tmp_path / "report.txt").write_text("政府信息公开工作年度报告")
    paths = [str(tmp_path / n) for n in ("pipe", "to_pipe", "dangling", "folder", "report.txt", "gone")]
    errors = []
    worker = threading.Thread(target=lambda: _safely(_prefetch, paths, errors), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "_prefetch blocked"
    assert errors == []


def _safely(fn, arg, errors):
    try:
        fn(arg)
    except Exception as exc:  # noqa: BLE001 - the test reports it
        errors.append(exc)
