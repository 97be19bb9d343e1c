"""Parse many report files into the three parsed tables, on all cores.

Files are parsed in chunks by a process pool; each chunk comes back as three
small polars frames, so memory is bounded by the chunk, not the corpus.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

import polars as pl

from parsers.report import ParsedReport, failed_report, parse_report
from parsers.schema import CELLS_SCHEMA, ISSUES_SCHEMA, REPORTS_SCHEMA

CHUNK_FILES = 64
POOL_THRESHOLD = 200  # below this many files a process pool costs more than it saves


@dataclass
class ParsedBatch:
    reports: pl.DataFrame
    cells: pl.DataFrame
    issues: pl.DataFrame

    @staticmethod
    def concat(batches: list["ParsedBatch"]) -> "ParsedBatch":
        if not batches:
            return _frames([])
        return ParsedBatch(*(pl.concat([getattr(b, f) for b in batches]) for f in ("reports", "cells", "issues")))


def list_raw_files(raw_dir: Path) -> list[Path]:
    """Every file below raw_dir, sorted; symlinks are listed but never followed."""
    raw_dir = Path(raw_dir)
    out = []
    for root, dirs, files in os.walk(raw_dir, followlinks=False):
        dirs.sort()
        out.extend(Path(root) / f for f in sorted(files))
    return sorted(out)


def read_one(path: Path, raw_dir: Path) -> ParsedReport:
    """Parse one file; files that cannot be read are recorded with the reason."""
    source = path.relative_to(raw_dir).as_posix()
    if path.is_symlink():
        return failed_report(source, "symlink_skipped", f"symbolic link to {os.readlink(path)} is not followed")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return failed_report(source, "unreadable", f"cannot read the file: {exc.strerror or exc}")
    try:
        return parse_report(data, source)
    except Exception as exc:  # a parser bug must not lose the file: record it
        return failed_report(source, "parser_error", f"{type(exc).__name__}: {exc}", data)


def _frames(parsed: list[ParsedReport]) -> ParsedBatch:
    reports, cells, issues = [], [], []
    for p in parsed:
        rid, src = p.report["report_id"], p.report["source_file"]
        reports.append(p.report)
        cells.extend({"report_id": rid, **asdict(c)} for c in p.cells)
        issues.extend({"report_id": rid, "source_file": src, **asdict(i)} for i in p.issues)
    return ParsedBatch(
        reports=pl.DataFrame(reports, schema=REPORTS_SCHEMA),
        cells=pl.DataFrame(cells, schema=CELLS_SCHEMA),
        issues=pl.DataFrame(issues, schema=ISSUES_SCHEMA),
    )


def _parse_chunk(args: tuple[list[str], str]) -> ParsedBatch:
    paths, raw_dir = args
    return _frames([read_one(Path(p), Path(raw_dir)) for p in paths])


def parse_files(
    raw_dir: Path,
    files: Iterable[Path] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> ParsedBatch:
    raw_dir = Path(raw_dir)
    paths = [str(p) for p in (files if files is not None else list_raw_files(raw_dir))]
    chunks = [(paths[i:i + CHUNK_FILES], str(raw_dir)) for i in range(0, len(paths), CHUNK_FILES)]
    workers = workers or os.cpu_count() or 1
    done, batches = 0, []
    if workers > 1 and len(paths) >= POOL_THRESHOLD:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for chunk, batch in zip(chunks, pool.map(_parse_chunk, chunks)):
                batches.append(batch)
                done += len(chunk[0])
                if progress:
                    progress(done, len(paths))
    else:
        for chunk in chunks:
            batches.append(_parse_chunk(chunk))
            done += len(chunk[0])
            if progress:
                progress(done, len(paths))
    return ParsedBatch.concat(batches)
