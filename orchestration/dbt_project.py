"""The dbt project as Dagster sees it.

Kept in its own module (see ../shared/STACK.md): `dagster_dbt` needs
`target/manifest.json` before the asset definitions import, so the manifest is
made at build time (`make setup` runs `dbt parse`) and, as a fallback,
by `ensure_manifest()` when it is missing or older than the project's sources.
"""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.paths import dbt_project_dir, dbt_executable, warehouse_from_env

# Files whose change makes the manifest stale.
_SOURCE_DIRS = ("models", "seeds", "macros", "snapshots", "tests", "analyses")
_SOURCE_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")


@functools.cache
def get_dbt_project() -> DbtProject:
    project_dir = dbt_project_dir()
    return DbtProject(project_dir=project_dir, profiles_dir=project_dir)


def manifest_is_stale(project: DbtProject) -> bool:
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime_ns
    root = Path(project.project_dir)
    for name in _SOURCE_FILES:
        p = root / name
        if p.exists() and p.stat().st_mtime_ns > built:
            return True
    for d in _SOURCE_DIRS:
        for p in (root / d).rglob("*") if (root / d).is_dir() else ():
            if p.is_file() and p.stat().st_mtime_ns > built:
                return True
    return False


def run_dbt_parse(project: DbtProject, *, only_if_stale: bool = False) -> None:
    """`dbt parse`, published atomically into target/manifest.json.

    Serialised by a lock file so that concurrent builds and test sessions do not
    parse at the same time (the second re-checks and usually finds it fresh); the
    parse writes into a private folder (seeded with partial_parse.msgpack, so
    partial parsing still works) and the manifest is moved into place with
    os.replace, so a reader never sees a half-written manifest."""
    root = Path(project.project_dir)
    target = root / project.target_path
    target.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("OGI_WAREHOUSE", str(warehouse_from_env()))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    with open(target / ".ogi-parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if only_if_stale and not manifest_is_stale(project):
            return
        work = Path(tempfile.mkdtemp(prefix=".parse-", dir=target))
        try:
            partial = target / "partial_parse.msgpack"
            if partial.exists():
                shutil.copy2(partial, work / partial.name)
            proc = subprocess.run(
                [dbt_executable(), "parse", "--quiet",
                 "--project-dir", str(root), "--profiles-dir", str(project.profiles_dir),
                 "--target-path", str(work), "--log-path", str(work)],
                cwd=root, env=env, capture_output=True, text=True,
            )
            if proc.returncode != 0 or not (work / "manifest.json").exists():
                detail = [line for line in (proc.stdout + proc.stderr).strip().splitlines() if line.strip()]
                raise RuntimeError(
                    f"dbt parse failed in {root}: "
                    + (" ".join(detail[-3:]) if detail else f"exit {proc.returncode}")
                )
            for name in ("partial_parse.msgpack", "semantic_manifest.json", "manifest.json"):
                if (work / name).exists():
                    os.replace(work / name, target / name)  # manifest last
        finally:
            shutil.rmtree(work, ignore_errors=True)


def ensure_manifest(*, check_stale: bool = True) -> DbtProject:
    """Make sure target/manifest.json exists (and, by default, is newer than the
    project's sources). This is `prepare_if_dev()` without its cost of re-parsing
    on every import in every process: it parses only when something changed."""
    project = get_dbt_project()
    if not project.manifest_path.exists() or (check_stale and manifest_is_stale(project)):
        run_dbt_parse(project, only_if_stale=True)
    return project


def prepare_if_dev() -> DbtProject:
    """Under `dagster dev`, refresh a stale manifest; otherwise only create a missing one."""
    return ensure_manifest(check_stale=True)
