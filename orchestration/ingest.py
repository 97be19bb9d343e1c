"""Incremental ingest: which raw files must be parsed, in which ingest batch.

The raw folder is compared with the file index of the previous build
(path → size, mtime, batch). Files that are new or changed since — or all
files, when the parser's code changed — form a new *ingest batch*, which is a
partition of the Dagster parse asset. Each batch's parse results are kept as
Parquet under the state folder; the raw tables are rebuilt from the latest batch
of every file still present, so removed files leave the warehouse and a changed
file replaces its old version.

    <state>/files.parquet            source_file, size, mtime_ns, batch_id (the index)
    <state>/parser_version           hash of parsers/*.py of the batches in the index
    <state>/batches/<id>.json        the files (path, size, mtime) and parser version of a batch
    <state>/parsed/<id>/*.parquet    parse results of one batch (reports, cells, issues)
    <state>/parsed/<id>/copies.json  the files of the batch recorded as copies -> their original
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import polars as pl

PARSERS_DIR = Path(__file__).resolve().parents[1] / "parsers"
COPIES_FILE = "copies.json"  # in parsed/<batch>/: copy -> original, for the files recorded as copies
INDEX_SCHEMA = {"source_file": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64, "batch_id": pl.String}


@lru_cache(maxsize=1)
def parser_version() -> str:
    """Hash of the parser's source: results of another parser version are not reused."""
    h = hashlib.sha256()
    for path in sorted(PARSERS_DIR.rglob("*.py")):
        h.update(path.relative_to(PARSERS_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


@dataclass(frozen=True)
class FileEntry:
    source_file: str
    size: int
    mtime_ns: int


def scan(raw_dir: Path, settle_seconds: float = 0, now: float | None = None) -> tuple[dict[str, FileEntry], list[str]]:
    """Every entry below raw_dir (symlinks listed, not followed), and the files
    skipped because they changed less than `settle_seconds` ago (still being written)."""
    now = time.time() if now is None else now
    entries, unsettled = {}, []
    top = os.fspath(raw_dir)
    for root, dirs, files in os.walk(top, followlinks=False):
        dirs.sort()
        prefix = os.path.relpath(root, top).replace(os.sep, "/") + "/" if root != top else ""
        for name in sorted(files):  # plain strings: Path.relative_to cost 2 s per 100k files
            source = prefix + name
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                entries[source] = FileEntry(source, -1, -1)  # vanished or unreadable: parse records why
                continue
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime < settle_seconds:
                unsettled.append(source)
                continue
            entries[source] = FileEntry(source, st.st_size, st.st_mtime_ns)
    return entries, unsettled


@dataclass
class Plan:
    to_parse: list[str]    # new or changed files (or all, after a parser change)
    removed: list[str]     # in the index, no longer in the raw folder
    unchanged: int
    full_reparse: bool

    @property
    def has_changes(self) -> bool:
        return bool(self.to_parse or self.removed)


class State:
    def __init__(self, state_dir: Path):
        self.dir = Path(state_dir)

    @property
    def index_path(self) -> Path:
        return self.dir / "files.parquet"

    def index(self) -> pl.DataFrame:
        if not self.index_path.exists():
            return pl.DataFrame(schema=INDEX_SCHEMA)
        return pl.read_parquet(self.index_path)

    def stored_version(self) -> str | None:
        p = self.dir / "parser_version"
        return p.read_text().strip() if p.exists() else None

    def parsed_dir(self, batch_id: str) -> Path:
        return self.dir / "parsed" / batch_id

    def batch_file(self, batch_id: str) -> Path:
        return self.dir / "batches" / f"{batch_id}.json"

    def plan(self, scanned: dict[str, FileEntry]) -> Plan:
        covered = self._coverage(scanned)
        indexed = set(self.index()["source_file"].to_list())
        to_parse = sorted(set(scanned) - set(covered))
        return Plan(to_parse, sorted(indexed - set(scanned)), len(covered),
                    self.stored_version() != parser_version())

    def new_batch(self, files: list[str], scanned: dict[str, FileEntry]) -> str:
        """Register a batch of files to parse; its id sorts by time."""
        batch_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.batch_file(batch_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"parser_version": parser_version(),
                   "files": [[s, scanned[s].size, scanned[s].mtime_ns] for s in files]}
        _write_atomic(path, json.dumps(payload, ensure_ascii=False).encode())
        return batch_id

    def batch_files(self, batch_id: str) -> list[FileEntry]:
        payload = json.loads(self.batch_file(batch_id).read_text())
        return [FileEntry(*f) for f in payload["files"]]

    def parsed_batches(self) -> list[str]:
        """Batches whose parse is complete (their Parquet folder exists), oldest first."""
        root = self.dir / "parsed"
        return sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.endswith(".tmp")) if root.exists() else []

    def _coverage(self, scanned: dict[str, FileEntry]) -> dict[str, str]:
        """source_file → the latest completed batch that parsed its current version
        (same size and mtime, same parser)."""
        version = parser_version()
        covered: dict[str, str] = {}
        done = self.parsed_batches()
        in_index: set[str] = set()
        if self.stored_version() == version:
            complete = set(done)  # one listing, not a stat per file (100k files: 3 s)
            index = self.index()
            for source, size, mtime_ns, batch_id in zip(*(index[c].to_list() for c in INDEX_SCHEMA)):
                e = scanned.get(source)
                if e and e.size == size and e.mtime_ns == mtime_ns and batch_id in complete:
                    covered[source] = batch_id
            in_index = set(index["batch_id"].unique().to_list())
        for batch_id in done:
            # A batch the index names was complete when the index was written, so
            # the index holds what its file list would add (reading the list of a
            # 100k batch cost ~0.5 s per call). Skipping it can only leave a file
            # uncovered, i.e. parsed again (one that left and came back unchanged).
            if batch_id in in_index or not self.batch_file(batch_id).exists():
                continue
            payload = json.loads(self.batch_file(batch_id).read_text())
            if payload["parser_version"] != version:
                continue
            for source, size, mtime_ns in payload["files"]:
                e = scanned.get(source)
                if e and (e.size, e.mtime_ns) == (size, mtime_ns):
                    covered[source] = max(batch_id, covered.get(source, ""))
        return self._drop_orphaned_copies(covered)

    def _drop_orphaned_copies(self, covered: dict[str, str]) -> dict[str, str]:
        """A file recorded as a copy stays covered only while its original is
        covered by the same or an earlier batch: if the original left or was
        parsed again (it changed), the copy is parsed again too, so its content
        is never lost with the original."""
        copies: dict[str, dict[str, str]] = {}
        for source, batch_id in list(covered.items()):
            if batch_id not in copies:
                path = self.parsed_dir(batch_id) / COPIES_FILE
                copies[batch_id] = json.loads(path.read_text()) if path.exists() else {}
            original = copies[batch_id].get(source)
            if original is not None and not (original in covered and covered[original] <= batch_id):
                del covered[source]
        return covered

    def reconcile(self, scanned: dict[str, FileEntry]) -> list[str]:
        """Write the index (each present file → its covering batch; removed files
        leave it) and return the files no completed batch covers yet."""
        covered = self._coverage(scanned)
        sources = sorted(covered)
        columns = {"source_file": sources, "size": [scanned[s].size for s in sources],
                   "mtime_ns": [scanned[s].mtime_ns for s in sources], "batch_id": [covered[s] for s in sources]}
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.index_path.with_suffix(".tmp.parquet")
        pl.DataFrame(columns, schema=INDEX_SCHEMA).write_parquet(tmp)
        os.replace(tmp, self.index_path)
        _write_atomic(self.dir / "parser_version", parser_version().encode())
        return sorted(set(scanned) - set(covered))

    def content_ids(self, exclude: set[str] = frozenset()) -> dict[str, str]:
        """report_id -> source_file of the indexed files (but `exclude`). A file
        read in full has report_id = the hash of its bytes (parsers/report.py),
        so a new file with that hash is a byte-identical copy."""
        index = self.index().filter(~pl.col("source_file").is_in(list(exclude)))
        if index.height == 0:
            return {}
        reports = pl.scan_parquet(
            [self.parsed_dir(b) / "reports-*.parquet" for b in sorted(set(index["batch_id"].to_list()))])
        rows = (reports.select("report_id", "source_file", "batch_id")
                .join(index.lazy().select("source_file", "batch_id"), on=["source_file", "batch_id"])
                .collect())
        return dict(zip(rows["report_id"].to_list(), rows["source_file"].to_list()))

    def live_batches(self) -> list[str]:
        return sorted(set(self.index()["batch_id"].to_list()))

    def prune(self) -> None:
        """Drop completed batches that no file of the index points to any more
        (batches registered but not parsed yet are kept)."""
        live = set(self.live_batches())
        for batch_id in self.parsed_batches():
            if batch_id not in live:
                _rmtree(self.parsed_dir(batch_id))
                self.batch_file(batch_id).unlink(missing_ok=True)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------ parse and load

def parse_batch(state: State, batch_id: str, raw_dir: Path, progress=None,
                duplicates: dict[str, str] | None = None) -> dict[str, int]:
    """Parse the files of one batch into <state>/parsed/<batch_id>/, chunk by chunk
    (memory bounded by a chunk; the parse workers write the Parquet files).
    `duplicates` (path → original) lets a file that is byte-identical to one of
    another batch be recorded as its copy. Returns row counts."""
    from parsers.batch import write_parsed_chunks

    out = state.parsed_dir(batch_id)
    tmp = out.with_name(out.name + ".tmp")
    _rmtree(tmp)
    tmp.mkdir(parents=True)
    files = [raw_dir / f.source_file for f in state.batch_files(batch_id)]
    counts = write_parsed_chunks(raw_dir, tmp, batch_id, files, progress=progress, duplicates=duplicates)
    copies = {Path(p).relative_to(raw_dir).as_posix(): o for p, o in (duplicates or {}).items()}
    _write_atomic(tmp / COPIES_FILE, json.dumps(copies, ensure_ascii=False).encode())
    _rmtree(out)
    os.replace(tmp, out)
    return counts


def file_content_id(path: Path) -> str | None:
    """The report_id a file read in full gets: the hash of its bytes (None if unreadable)."""
    from parsers.report import report_id_of

    try:
        return report_id_of(path.read_bytes())
    except OSError:
        return None


def batch_duplicates(state: State, batch_id: str, raw_dir: Path,
                     present: dict[str, FileEntry] | None = None) -> dict[str, str]:
    """path -> original of each file of the batch that is byte-identical to
    another present file (`present`: the scan of raw_dir, made here if not given).
    Files of the index (parsed before) come first and are known by their
    report_id, so a nightly batch costs the batch, not the corpus; among the
    others (this batch and batches not yet in the index, say a backfill parsed as
    partitions) the first by name is the original, whatever batch parses first
    (parsers.batch.find_duplicates)."""
    from parsers.batch import find_duplicates
    from parsers.report import MAX_BYTES

    in_batch = {f.source_file for f in state.batch_files(batch_id)}
    indexed = set(state.index()["source_file"].to_list()) - in_batch
    present = scan(raw_dir)[0] if present is None else present
    pending = [raw_dir / s for s in present if s not in indexed]
    duplicates = {p: o for p, o in find_duplicates(pending, raw_dir).items()
                  if Path(p).relative_to(raw_dir).as_posix() in in_batch}
    known = state.content_ids(exclude=in_batch) if indexed else {}
    for source in sorted(in_batch) if known else ():
        path = raw_dir / source
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_BYTES:
            continue
        original = known.get(file_content_id(path))
        if original is not None:  # a copy of a file parsed before: that one stays the original
            duplicates[str(path)] = original
    return duplicates


def parsed_files(state: State, name: str, batch_ids) -> list[str]:
    """The Parquet files of table `name` (reports, cells, issues) of these batches."""
    return [p.as_posix() for b in sorted(set(batch_ids)) for p in sorted(state.parsed_dir(b).glob(f"{name}-*.parquet"))]


def parsed_source(state: State):
    """The parses of the state's index, for warehouse.load_raw_tables."""
    from orchestration.warehouse import ParsedSource

    index = state.index_path if len(state.index()) else None
    return ParsedSource(index=index, files=lambda name, batch_ids: parsed_files(state, name, batch_ids))
