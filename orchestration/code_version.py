"""The version of everything that shapes the warehouse's rows, as one hash.

A build starts from a copy of the last published database (then loads only the
files that changed, and dbt's per-report models add only the reports that changed)
only when that database was built by the same code: the parser, the raw tables'
DDL and contracts, the dbt project, and the versions of dbt and DuckDB. Any change
makes the next build start from an empty database, i.e. a full build.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from orchestration.ingest import parser_version
from orchestration.paths import REPO_ROOT, dbt_project_dir

# Python files that decide what raw.* holds and what passes into it.
_RAW_LAYER = ("orchestration/warehouse.py", "orchestration/contracts.py", "orchestration/ingest.py")
_DBT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
_PACKAGES = ("duckdb", "dbt-core", "dbt-duckdb")


def _files(root: Path, parts: tuple[str, ...]) -> list[Path]:
    found = []
    for part in parts:
        path = root / part
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file())
        elif path.exists():
            found.append(path)
    return found


@lru_cache(maxsize=1)
def warehouse_code_version() -> str:
    h = hashlib.sha256(b"parser " + parser_version().encode())
    for root, parts in ((REPO_ROOT, _RAW_LAYER), (dbt_project_dir(), _DBT_PARTS)):
        for path in _files(root, parts):
            h.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    for package in _PACKAGES:
        h.update(f"\0{package}=={metadata.version(package)}".encode())
    return h.hexdigest()[:16]
