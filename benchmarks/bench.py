"""Benchmarks of issue 4: parse throughput, `ogi build` at several corpus sizes,
an incremental rebuild, and where the time goes. Prints a table with the
targets (met / not met) and appends it, dated, to benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/bench.py --sizes 1000,10000,100000   # make bench
    .venv/bin/python benchmarks/bench.py --sizes 1000                 # a quick look

Corpora come from `ogi synth` (one deterministic generator, the real mix of
layouts and templates, a few per cent broken). Smaller corpora are hard links
into the largest, so every size holds the same kind of reports.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OGI = str(Path(sys.executable).parent / "ogi")
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

TARGET_PARSE_RPS = 2000          # reports/s on the whole machine
TARGET_BUILD_100K_S = 180        # full ogi build of 100,000 reports
TARGET_RSS_100K_MB = 4096
TARGET_RSS_RATIO = 1.5           # RSS at 100k / RSS at 10k
TARGET_INCREMENTAL_S = 30        # rebuild after adding 1,000 files to the 100k corpus
RUNS = 3                         # runs per figure (parse, builds, rebuild); the table quotes the median


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def synth(out: Path, n: int, seed: int, start: int = 0) -> None:
    if (out / "raw").is_dir() and len(os.listdir(out / "raw")) == n:
        return
    shutil.rmtree(out, ignore_errors=True)
    proc = run([OGI, "synth", "--n", str(n), "--out", str(out), "--seed", str(seed), "--start", str(start)])
    if proc.returncode:
        sys.exit(f"ogi synth failed: {proc.stderr.strip().splitlines()[-1:]}")


def linked_subset(source: Path, dest: Path, n: int) -> Path:
    """The first n files of `source` as hard links (same bytes, regular files)."""
    if dest.is_dir() and len(os.listdir(dest)) == n:
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in sorted(os.listdir(source))[:n]:
        os.link(source / name, dest / name)
    return dest


def corpus_mb(raw: Path) -> float:
    return sum(p.stat().st_size for p in raw.iterdir()) / 1e6


def parse_throughput(raw: Path, workers: int) -> dict:
    """reports/s and MB/s of parsers.batch over a folder, and the per-phase split (1 worker)."""
    import parsers.timing as timing
    from parsers.batch import iter_parsed_chunks, list_raw_files

    files = list_raw_files(raw)
    timing.PHASE_SECONDS.clear()
    timing.enabled = workers == 1
    started = time.perf_counter()
    for _ in iter_parsed_chunks(raw, files, workers=workers):
        pass
    seconds = time.perf_counter() - started
    timing.enabled = False
    return {"reports_s": len(files) / seconds, "mb_s": corpus_mb(raw) / seconds, "seconds": seconds,
            "phases": dict(timing.PHASE_SECONDS)}


# Phase starts as `ogi build` prints them; "checks" lines come when each check ends,
# so the load phase includes the blocking checks.
_STAMP = re.compile(r"^\[\s*([\d.]+)s\] (parse|load|checks|dbt|publish)\b")


def build(raw: Path, warehouse: Path) -> dict:
    """Wall time, peak RSS (largest process of the build, GNU time %M) and phase times."""
    proc = run(["/usr/bin/time", "-f", "__rss_kb=%M __wall=%e", OGI, "build", "--raw-dir", str(raw),
                "--warehouse", str(warehouse)])
    if proc.returncode:
        sys.exit(f"ogi build failed: {proc.stderr.strip().splitlines()[-3:]}")
    m = re.search(r"__rss_kb=(\d+) __wall=([\d.]+)", proc.stderr)
    starts: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        s = _STAMP.match(line)
        if s and s.group(2) not in starts:
            starts[s.group(2)] = float(s.group(1))
    wall = float(m.group(2))
    order = sorted(starts.items(), key=lambda kv: kv[1])
    phases = {name: (order[i + 1][1] if i + 1 < len(order) else wall) - t for i, (name, t) in enumerate(order)}
    phases["startup"] = order[0][1] if order else 0.0
    build_id = re.search(r"ogi build (\S+):", proc.stderr)
    return {"wall": wall, "rss_mb": int(m.group(1)) / 1024, "phases": phases,
            "dbt": dbt_split(build_id.group(1), phases.get("dbt")) if build_id else None}


def dbt_split(build_id: str, dbt_phase: float | None) -> dict | None:
    """The dbt phase cut in three from that build's dbt log (JSON lines in
    dbt_project/target/ogi_dbt-<build id>/dbt.log): from dbt's first log line to
    'Found N models' (adapter and partial parse), the nodes (dbt's own execution
    time), and the rest of the phase (starting the process, importing dbt, Dagster's
    handling of the results)."""
    import json

    log = ROOT / "dbt_project" / "target" / f"ogi_dbt-{build_id}" / "dbt.log"
    if dbt_phase is None or not log.exists():
        return None
    stamps, nodes = {}, None
    for line in log.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        code, ts = event["info"]["code"], datetime.fromisoformat(event["info"]["ts"].replace("Z", "+00:00"))
        stamps.setdefault(code, ts)
        if "execution_time" in event["data"] and "stat_line" in event["data"]:  # "Finished running ..."
            nodes = float(event["data"]["execution_time"])
    if "A001" not in stamps or "W006" not in stamps or nodes is None:
        return None
    parse = (stamps["W006"] - stamps["A001"]).total_seconds()
    return {"parse": parse, "nodes": nodes, "start and rest": dbt_phase - parse - nodes}


def median_run(runs: list[dict], key: str) -> dict:
    """The run with the median `key`, with every run's value under `<key>_all`."""
    ordered = sorted(runs, key=lambda r: r[key])
    return {**ordered[len(ordered) // 2], f"{key}_all": [round(r[key], 1) for r in runs]}


def full_builds(raw: Path, warehouse: Path) -> dict:
    """RUNS full builds, each into an empty folder (the last one stays, for the
    rebuild). The median run by wall time; its `rss_mb` is the highest peak of all
    runs (the target is a ceiling), each run's peak in `rss_all`."""
    runs = []
    for _ in range(RUNS):
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        runs.append(build(raw, warehouse))
    run = median_run(runs, "wall")
    return {**run, "rss_mb": max(r["rss_mb"] for r in runs), "rss_all": [round(r["rss_mb"]) for r in runs]}


def rebuilds(raw: Path, folder: Path) -> dict:
    """RUNS rebuilds of the same change, each from the same built warehouse: a
    snapshot of `folder` by hard links (a build never writes into a published file:
    it replaces FILE, the Parquet files and the state's index by rename), restored
    before each run. Returns the median run, with every wall time in `walls`."""
    snapshot = folder.with_name(folder.name + "-before-rebuild")
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(folder, snapshot, copy_function=os.link)
    runs = []
    for i in range(RUNS):
        if i:
            shutil.rmtree(folder)
            shutil.copytree(snapshot, folder, copy_function=os.link)
        runs.append(build(raw, folder / "ogi.duckdb"))
    shutil.rmtree(snapshot)
    run = median_run(runs, "wall")
    return {**run, "walls": run["wall_all"]}


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) // 1024 // 1024 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="corpus sizes for ogi build (comma-separated)")
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("OGI_BENCH_DIR", "/tmp/ogi-bench")))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-record", action="store_true", help="do not append to benchmarks/RESULTS.md")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    largest = sizes[-1]
    args.work.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    synth(args.work / f"corpus-{largest}", largest, args.seed)
    print(f"corpus of {largest:,} reports ready in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    source = args.work / f"corpus-{largest}" / "raw"

    parse_dir = linked_subset(source, args.work / "parse-sample", min(largest, 5000))
    one = median_run([parse_throughput(parse_dir, 1) for _ in range(RUNS)], "seconds")
    full = median_run([parse_throughput(parse_dir, os.cpu_count() or 1) for _ in range(RUNS)], "seconds")
    print(f"parse: {one['reports_s']:.0f} reports/s on 1 core, {full['reports_s']:.0f} on all", file=sys.stderr)

    builds = {}
    for n in sizes:
        raw = linked_subset(source, args.work / f"raw-{n}", n)
        builds[n] = full_builds(raw, args.work / f"wh-{n}" / "ogi.duckdb")
        print(f"build {n:,}: {builds[n]['wall']:.1f} s (runs {builds[n]['wall_all']}), "
              f"peak RSS {builds[n]['rss_mb']:.0f} MB", file=sys.stderr)

    extra = args.work / f"extra-1000-from-{largest}"  # reports numbered after the corpus: all new
    synth(extra, 1000, args.seed, start=largest)
    raw = args.work / f"raw-{largest}"
    added = [p.name for p in sorted((extra / "raw").iterdir()) if not (raw / p.name).exists()]
    assert len(added) == 1000, f"expected 1,000 new files, got {len(added)}"
    for name in added:
        os.link(extra / "raw" / name, raw / name)
    incremental = rebuilds(raw, args.work / f"wh-{largest}")
    for name in added:  # leave raw-<largest> as it was, for the next run
        (raw / name).unlink()
    print(f"incremental (+1,000): {incremental['wall']:.1f} s (median of {incremental['walls']})", file=sys.stderr)

    table = report(sizes, one, full, builds, incremental, parse_dir)
    print(table)
    if not args.no_record:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(f"\n## {stamp}\n\nMachine: {machine()}.\n\n{table}\n")


def report(sizes, one, full, builds, incremental, parse_dir) -> str:
    b100 = builds.get(100_000)
    b10 = builds.get(10_000)
    rows = [
        ("parse, 1 core (median of 3)", f"{one['reports_s']:,.0f} reports/s, {one['mb_s']:.1f} MB/s", "", ""),
        (f"parse, {os.cpu_count()} cores (median of 3)", f"{full['reports_s']:,.0f} reports/s, {full['mb_s']:.1f} MB/s",
         f"≥ {TARGET_PARSE_RPS:,} reports/s", verdict(full["reports_s"] >= TARGET_PARSE_RPS)),
    ]
    for n in sizes:
        b = builds[n]
        target, ok = "", None
        if n == 100_000:
            target, ok = f"< {TARGET_BUILD_100K_S} s, RSS < {TARGET_RSS_100K_MB} MB", \
                b["wall"] < TARGET_BUILD_100K_S and b["rss_mb"] < TARGET_RSS_100K_MB
        rows.append((f"ogi build, {n:,} reports, median of {len(b['wall_all'])}",
                     f"{b['wall']:.1f} s (runs: {', '.join(f'{w:.1f}' for w in b['wall_all'])}); "
                     f"peak RSS {b['rss_mb']:,.0f} MB (highest of {', '.join(str(r) for r in b['rss_all'])})",
                     target, verdict(ok)))
    if b100 and b10:
        ratio = b100["rss_mb"] / b10["rss_mb"]
        rows.append(("RSS 100k / RSS 10k (highest peaks)", f"{ratio:.2f}", f"≤ {TARGET_RSS_RATIO}", verdict(ratio <= TARGET_RSS_RATIO)))
    big = max(sizes)
    rows.append((f"rebuild after +1,000 files ({big:,} corpus), median of {len(incremental['walls'])}",
                 f"{incremental['wall']:.1f} s (runs: {', '.join(f'{w:.1f}' for w in incremental['walls'])})",
                 f"< {TARGET_INCREMENTAL_S} s" if big == 100_000 else "", verdict(
                     incremental["wall"] < TARGET_INCREMENTAL_S if big == 100_000 else None)))
    lines = ["| measure | measured | target | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    total = sum(one["phases"].values()) or 1
    split = ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(one["phases"].items(), key=lambda kv: -kv[1]))
    lines.append("")
    lines.append("Each build and rebuild figure is its median run by wall time; a build's phases below are "
                 "that run's. Peak RSS is the largest process of a run (GNU time), the highest over the runs.")
    lines.append(f"Parse time by phase (1 core, {len(os.listdir(parse_dir)):,} reports): {split}.")
    for n in sizes:
        ph = builds[n]["phases"]
        lines.append(f"ogi build {n:,}: " + ", ".join(f"{k} {v:.1f} s" for k, v in ph.items()) + ".")
    lines.append("Incremental: " + ", ".join(f"{k} {v:.1f} s" for k, v in incremental["phases"].items()) + ".")
    for name, b in [*((f"ogi build {n:,}", builds[n]) for n in sizes), ("Incremental", incremental)]:
        if b.get("dbt"):
            lines.append(f"{name}, dbt phase: " + ", ".join(f"{k} {v:.1f} s" for k, v in b["dbt"].items()) + ".")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
