"""Real builds (real processes, DuckDB and dbt) that readers watch, that race
each other and that are killed.

* A reader process queries the published marts in a loop (a new read-only
  connection per query, plus one connection held open throughout) while three
  `ogi build`s of different inputs run on the same warehouse: every query
  succeeds and sees one complete build's marts.
* Two builds at once: the second refuses (exit 75, one line naming the holder's
  pid) or, with --wait, waits and then builds.
* Two builds of the same input give the same marts, row for row.
* SIGKILL at seeded random points of parse, load, dbt and publish: the published
  warehouse stays whole, the dead build's lock never blocks, and the next build
  succeeds with the marts of a complete build.

Input S is data/raw/ (the session's `built_warehouse`); input A is the five seeds.
What a reader saw is compared with what was published at quiet moments of the
same run, and a build with one that ran beside it, so that the tests hold even
while someone edits the parser in the same tree. OGI_KILL_SEED picks other kill
times (default 5).
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.publish import Layout, warehouse_lock
from tests.conftest import REPO_ROOT, SAMPLE_RAW, ogi_command
from tests.snapshots import all_rows, parquet_dir, parquet_state, state

KILL_SEED = int(os.environ.get("OGI_KILL_SEED", "5"))
BUILD_TIMEOUT = 600


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("OGI_RAW_DIR", "OGI_WAREHOUSE")}


@dataclass
class Build:
    """An `ogi build` running in its own process group, its stderr in a file."""
    proc: subprocess.Popen
    err: Path
    out: Path

    @classmethod
    def start(cls, raw: Path, warehouse: Path, *extra: str, tag: str) -> "Build":
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        err = warehouse.parent / f"{tag}.stderr"
        out = warehouse.parent / f"{tag}.stdout"
        with open(err, "w") as e, open(out, "w") as o:
            proc = subprocess.Popen(
                [*ogi_command(), "build", "--raw-dir", str(raw), "--warehouse", str(warehouse), *extra],
                stdout=o, stderr=e, cwd=REPO_ROOT, env=_env(), start_new_session=True)
        return cls(proc, err, out)

    @property
    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    @property
    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, text: str, timeout: float = BUILD_TIMEOUT) -> bool:
        """Poll stderr until `text` appears (True) or the build ends first (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.stderr:
                return True
            if self.proc.poll() is not None:
                return text in self.stderr
            time.sleep(0.01)
        raise TimeoutError(f"{text!r} not seen in {timeout} s")

    def wait(self, timeout: float = BUILD_TIMEOUT) -> int:
        return self.proc.wait(timeout)

    def kill_group(self) -> None:
        """End whatever is left of this build (its dbt child outlives a SIGKILL of the parent)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def build(raw: Path, warehouse: Path, *extra: str, tag: str) -> Build:
    b = Build.start(raw, warehouse, *extra, tag=tag)
    b.wait()
    return b


def seed_warehouse(source: Path, dest: Path) -> None:
    """Put a published warehouse (FILE + Parquet folder) at dest, as a previous build would."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, dest)
    shutil.copytree(parquet_dir(source), parquet_dir(dest))


def phase_times(stderr: str) -> dict[str, float]:
    """Elapsed seconds at which each progress phase started ('[  8.5s] dbt: build …')."""
    out = {}
    for m in re.finditer(r"^\[\s*([\d.]+)s\] (parse|load|checks|dbt|publish):", stderr, re.M):
        out.setdefault(m.group(2), float(m.group(1)))
    return out


@pytest.fixture(scope="module")
def input_a(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("input_a") / "raw"
    raw.mkdir()
    for p in sorted(SAMPLE_RAW.glob("00[0-4]_*.txt")):
        shutil.copy(p, raw / p.name)
    return raw


@dataclass
class Snapshot:
    """A published warehouse at a quiet moment (no build running on it)."""
    build_id: str
    fps: dict
    rows: dict | None = None

    @classmethod
    def of(cls, warehouse: Path, rows: bool = False) -> "Snapshot":
        build_id, fps = state(warehouse)
        return cls(build_id, fps, all_rows(warehouse) if rows else None)


def published_id(b: Build) -> str:
    m = re.search(r"^published: build (\S+),", b.stdout, re.M)
    assert m, b.stdout + b.stderr[-2000:]
    return m.group(1)


# ------------------------------------------------------------------ readers and racing builds


@dataclass
class Race:
    warehouse: Path
    first: Build    # input A, started first
    refused: Build  # input S, no --wait, while `first` runs
    waiting: Build  # input S, --wait, while `first` runs
    snapshots: list[Snapshot]  # what was published, in order: the copy of S, then first's, then waiting's
    records: list[dict]
    seconds: float


@pytest.fixture(scope="module")
def race(built_warehouse, input_a, sample_raw_copy, tmp_path_factory) -> Race:
    root = tmp_path_factory.mktemp("race")
    warehouse = root / "ogi.duckdb"
    seed_warehouse(built_warehouse, warehouse)  # the last good build: the session's build of S
    snapshots = [Snapshot.of(warehouse)]
    records_path, held_path, stop = root / "reader.jsonl", root / "holder.json", root / "stop"
    script = str(REPO_ROOT / "tests" / "snapshots.py")
    readers = [subprocess.Popen([sys.executable, script, role, str(warehouse), str(path), str(stop)], cwd=REPO_ROOT)
               for role, path in (("reader", records_path), ("holder", held_path))]
    builds: list[Build] = []
    started = time.monotonic()
    try:
        deadline = time.monotonic() + 60
        while not (records_path.exists() and records_path.read_text().count('"kind": "duckdb"') >= 3
                   and held_path.exists()):
            assert all(r.poll() is None for r in readers) and time.monotonic() < deadline, "a reader did not start"
            time.sleep(0.05)
        first = Build.start(input_a, warehouse, tag="first")
        builds.append(first)
        assert first.wait_for(f"-> {warehouse}"), first.stderr  # printed once the lock is held
        refused = build(sample_raw_copy, warehouse, tag="refused")
        waiting = Build.start(sample_raw_copy, warehouse, "--wait", "600", tag="waiting")
        builds.append(waiting)
        first.wait()
        # What `first` published, read before `waiting` (parse + dbt, ~15 s) can replace it.
        snapshots.append(Snapshot.of(warehouse))
        assert first.proc.returncode == 0, first.stderr[-2000:]
        assert snapshots[-1].build_id == published_id(first), "the waiting build published too soon to check"
        waiting.wait()
        assert waiting.proc.returncode == 0, waiting.stderr[-2000:]
        snapshots.append(Snapshot.of(warehouse))
        time.sleep(1.0)  # a few more queries of the final state
    finally:
        stop.touch()
        try:
            for r in readers:
                r.wait(60)
        finally:
            for b in builds:
                b.kill_group()
    records = [json.loads(line) for line in records_path.read_text().splitlines()]
    records += [json.loads(held_path.read_text())]
    return Race(warehouse, first, refused, waiting, snapshots, records, time.monotonic() - started)


def test_builds_on_one_warehouse_run_one_at_a_time(race):
    assert race.first.proc.returncode == 0, race.first.stderr[-2000:]
    # the second build refuses at once, in one line naming the holder
    assert race.refused.proc.returncode == 75, race.refused.stderr
    lines = race.refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ogi build: another ogi build holds the lock on "), lines
    assert f"(pid {race.first.proc.pid})" in lines[0]
    assert race.refused.stdout == ""
    # the third waits (--wait), then builds
    assert race.waiting.proc.returncode == 0, race.waiting.stderr[-2000:]
    assert f"(pid {race.first.proc.pid}); waiting up to 600 s" in race.waiting.stderr
    assert "ogi build finished" in race.waiting.stdout
    assert [s.build_id for s in race.snapshots][1:] == [published_id(race.first), published_id(race.waiting)]


def test_readers_never_fail_and_only_see_whole_builds(race):
    errors = [r["error"] for r in race.records if r["kind"] == "error"]
    assert errors == []
    seen = [r for r in race.records if r["kind"] == "duckdb"]
    assert len(seen) >= 20, f"only {len(seen)} queries"
    whole = {s.build_id: s for s in race.snapshots}
    assert len(whole) == 3
    # every snapshot a reader saw is one whole published build: its id and all its marts
    for r in seen:
        assert r["build_id"] in whole and r["fp"] == whole[r["build_id"]].fps, r
    # in the order they were published (copy of S → first (A) → waiting (S))
    ids = [r["build_id"] for r in seen]
    assert [b for i, b in enumerate(ids) if i == 0 or b != ids[i - 1]] == [s.build_id for s in race.snapshots]
    # each Parquet file read is one whole build's table
    for r in (r for r in race.records if r["kind"] == "parquet"):
        assert any(r["fp"] == s.fps[r["table"]] for s in race.snapshots), r
    # A Parquet read that spans the replacement of its file may fail (DuckDB opens the
    # file more than once per query); it never returns mixed rows, and its retry works
    # (no "error" above). At most one such failure per file per publish.
    failed_once = [r for r in race.records if r["kind"] == "parquet_error"]
    assert len(failed_once) <= 2 * len(race.snapshots[0].fps), failed_once
    assert race.snapshots[0].fps != race.snapshots[1].fps  # A and S differ, so a mix would show


def test_a_held_connection_keeps_its_snapshot(race):
    """A BI tool that keeps its read-only connection open is not in the builds' way,
    and sees the build it connected to until it reconnects."""
    held = [r for r in race.records if r["kind"] == "held"]
    assert len(held) == 1 and "last" in held[0], held
    assert held[0]["first"] == held[0]["last"] == [race.snapshots[0].build_id, race.snapshots[0].fps]


# ------------------------------------------------------------------ locks


def test_a_killed_holder_does_not_keep_the_lock(tmp_path):
    """fcntl locks die with their process: SIGKILL the holder, the lock is free
    (the stale lock file, with the dead pid in it, stays and does not matter)."""
    warehouse = tmp_path / "w.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fh = open({str(warehouse) + '.lock'!r}, 'a+')\n"
        "fcntl.flock(fh, fcntl.LOCK_EX); fh.write(str(os.getpid())); fh.flush()\n"
        "print('held', flush=True); time.sleep(600)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with open(str(warehouse) + ".lock", "a+") as probe:
            with pytest.raises(BlockingIOError):
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (tmp_path / "w.duckdb.lock").read_text() == str(holder.pid)
    with warehouse_lock(warehouse):
        assert (tmp_path / "w.duckdb.lock").read_text() == str(os.getpid())


# ------------------------------------------------------------------ SIGKILL


@dataclass
class Kill:
    phase: str          # the progress line waited for
    delay: float        # seconds after it
    last_line: str = ""  # the last progress line before the kill
    returncode: int | None = None
    published: str = ""  # what FILE held afterwards: S or A


@dataclass
class Killed:
    kills: list[Kill]
    after: list[tuple[Kill, str, dict, dict]]  # each kill, then FILE's build id and marts, and the Parquet files
    s0: Snapshot          # what was published before (a copy of the session's build of S)
    last: Snapshot        # the build after the kills, left to finish
    clean: Snapshot       # an undisturbed build of the same input, run beside `last`
    warehouse: Path
    stale_lock_pids: list[int]


@pytest.fixture(scope="module")
def killed(race, input_a, built_warehouse, tmp_path_factory) -> Killed:
    """SIGKILL `ogi build` of input A at seeded random times in each phase (the times
    in dbt from the race's first build, which built A), each next build started at
    once; then one build left to finish and, beside it, an undisturbed one."""
    rng = random.Random(KILL_SEED)
    phases = phase_times(race.first.stderr)
    dbt_seconds = max(0.5, phases.get("publish", 15) - phases.get("dbt", 5))
    kills = [
        Kill("parse: reading", rng.uniform(0, 0.15)),
        Kill("load: raw.reports", rng.uniform(0, 0.25)),  # load, then the blocking checks
        Kill("dbt: build", rng.uniform(0, dbt_seconds * 0.7)),  # that build ran beside a reader: keep inside
        Kill("publish:", rng.uniform(0, 0.3)),
    ]
    root = tmp_path_factory.mktemp("kills")
    warehouse = root / "w" / "ogi.duckdb"
    seed_warehouse(built_warehouse, warehouse)
    s0 = Snapshot.of(warehouse)
    after, builds, stale = [], [], []
    try:
        for i, kill in enumerate(kills):
            b = Build.start(input_a, warehouse, tag=f"kill{i}")
            builds.append(b)
            if b.wait_for(kill.phase):
                time.sleep(kill.delay)
            lines = [ln for ln in b.stderr.splitlines() if ln.startswith("[")]
            kill.last_line = re.sub(r"^\[\s*[\d.]+s\] ", "", lines[-1])[:40] if lines else ""
            try:
                os.kill(b.proc.pid, signal.SIGKILL)  # the build process only, as the OOM killer would
            except ProcessLookupError:
                pass
            kill.returncode = b.wait()
            build_id, fps = state(warehouse)
            after.append((kill, build_id, fps, parquet_state(warehouse)))
            holder = Path(str(warehouse) + ".lock").read_text()
            assert holder in (str(b.proc.pid), ""), holder  # "" when killed after it let go of the lock
            if holder:
                stale.append(b.proc.pid)
        for b in builds:
            b.kill_group()
        last = Build.start(input_a, warehouse, tag="after_kills")
        clean = Build.start(input_a, root / "clean" / "ogi.duckdb", tag="clean")
        for b in (last, clean):
            b.wait()
            assert b.proc.returncode == 0, b.stderr[-2000:]
    finally:
        for b in builds:
            b.kill_group()
    return Killed(kills, after, s0, Snapshot.of(warehouse, rows=True),
                  Snapshot.of(root / "clean" / "ogi.duckdb", rows=True), warehouse, stale)


def test_sigkill_at_random_points(killed):
    """After each kill the published warehouse is whole (S as it was, or A if the
    kill came after the switch), a stale lock file with the dead pid does not
    block, and the next build goes on (the killed build's dbt child may still be
    running). The build after the kills gives the marts of an undisturbed build."""
    assert sum(k.returncode == -signal.SIGKILL for k in killed.kills) >= 3, killed.kills
    assert killed.stale_lock_pids, "no kill left a lock file behind to test"
    s0, ref = killed.s0, killed.clean
    assert killed.last.rows == ref.rows
    assert parquet_state(killed.warehouse) == ref.fps
    for kill, build_id, fps, parquet in killed.after:  # whole after every kill
        kill.published = "S" if (build_id, fps) == (s0.build_id, s0.fps) else "A" if fps == ref.fps else "HALF"
        assert kill.published != "HALF", kill
        assert parquet.keys() == s0.fps.keys(), kill
        assert all(fp in (s0.fps[t], ref.fps[t]) for t, fp in parquet.items()), kill
    layout = Layout.of(killed.warehouse)
    assert layout.work_leftovers() == []
    assert not [p for p in killed.warehouse.parent.iterdir() if ".publish-" in p.name]
    assert not [p for p in layout.parquet_dir.iterdir() if p.suffix != ".parquet"]
    print("\nkills (seed %d): " % KILL_SEED + "; ".join(
        f"{k.phase}+{k.delay:.2f}s → killed in '{k.last_line}', rc {k.returncode}, published {k.published}"
        for k in killed.kills))


def test_two_builds_of_the_same_input_give_identical_marts(killed):
    """The build after the kills and the undisturbed one beside it (input A): every
    mart, row for row, each sorted by all its columns; only the build id differs."""
    assert killed.last.rows.keys() == killed.clean.rows.keys() and len(killed.clean.rows) >= 8
    for table, rows in killed.clean.rows.items():
        assert killed.last.rows[table] == rows, table
    assert killed.last.build_id != killed.clean.build_id
