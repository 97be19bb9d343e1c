"""The raw-files sensor and files that are still being written: a file that keeps
growing across ticks starts no build until it has settled, and then starts one
with its final size in the cursor; a known file being rewritten is neither
"removed" nor "changed" until it settles."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from orchestration.sensors import SETTLE_SECONDS
from tests.conftest import sensor_tick


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def _append(path: Path, text: str, age: float = 0.5) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)
    _age(path, age)


def test_a_growing_file_is_picked_up_once_it_settles(tmp_path, instance):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "old.txt").write_text("settled report", encoding="utf-8")
    _age(raw / "old.txt", 3600)
    start = sensor_tick(instance, raw, None)
    assert len(start.run_requests) == 1
    cursor = start.cursor

    growing = raw / "new report.txt"
    for part in ("政府信息公开", "工作年度报告\n", "一、总体情况\n" * 50):
        _append(growing, part)  # written a moment ago, and bigger on every tick
        tick = sensor_tick(instance, raw, cursor)
        assert not tick.run_requests, "a file still being written started a build"
        assert "still settling" in tick.skip_message
        assert tick.cursor in (None, cursor)
        assert "new report.txt" not in json.loads(tick.cursor or cursor)

    _age(growing, SETTLE_SECONDS + 1)  # no write for longer than the settle time
    settled = sensor_tick(instance, raw, cursor)
    assert len(settled.run_requests) == 1
    assert "1 added" in settled.run_requests[0].tags["ogi/changes"]
    seen = json.loads(settled.cursor)
    assert seen["new report.txt"][0] == growing.stat().st_size  # the final size, not a partial one

    quiet = sensor_tick(instance, raw, settled.cursor)
    assert not quiet.run_requests


def test_a_known_file_being_rewritten_waits_too(tmp_path, instance):
    raw = tmp_path / "raw"
    raw.mkdir()
    report = raw / "a.txt"
    report.write_text("first version", encoding="utf-8")
    _age(report, 3600)
    cursor = sensor_tick(instance, raw, None).cursor

    report.write_text("", encoding="utf-8")  # truncated, then written again in pieces
    _age(report, 0.5)
    for part in ("second ", "version ", "of the report"):
        tick = sensor_tick(instance, raw, cursor)
        assert not tick.run_requests, "a file being rewritten started a build (or counted as removed)"
        assert json.loads(tick.cursor or cursor)["a.txt"] == json.loads(cursor)["a.txt"]
        _append(report, part)

    _age(report, SETTLE_SECONDS + 1)
    settled = sensor_tick(instance, raw, cursor)
    assert len(settled.run_requests) == 1
    assert "1 changed" in settled.run_requests[0].tags["ogi/changes"]
    assert json.loads(settled.cursor)["a.txt"][0] == len("second version of the report")
