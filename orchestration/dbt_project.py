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
import subprocess
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


def run_dbt_parse(project: DbtProject) -> None:
    """`dbt parse` into the project's target/, serialised by a lock file so that
    concurrent builds and test sessions do not write the manifest at the same time."""
    root = Path(project.project_dir)
    target = root / project.target_path
    target.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("OGI_WAREHOUSE", str(warehouse_from_env()))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    with open(target / ".ogi-parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.run(
            [dbt_executable(), "parse", "--quiet",
             "--project-dir", str(root), "--profiles-dir", str(project.profiles_dir),
             "--target-path", str(target)],
            cwd=root, env=env, capture_output=True, text=True,
        )
    if proc.returncode != 0 or not project.manifest_path.exists():
        detail = (proc.stdout + proc.stderr).strip().splitlines()
        raise RuntimeError(
            f"dbt parse failed in {root}: " + (detail[-1] if detail else f"exit {proc.returncode}")
        )


def ensure_manifest(*, check_stale: bool = True) -> DbtProject:
    """Make sure target/manifest.json exists (and, by default, is newer than the
    project's sources). This is `prepare_if_dev()` without its cost of re-parsing
    on every import in every process: it parses only when something changed."""
    project = get_dbt_project()
    if not project.manifest_path.exists() or (check_stale and manifest_is_stale(project)):
        run_dbt_parse(project)
    return project


def prepare_if_dev() -> DbtProject:
    """Under `dagster dev`, refresh a stale manifest; otherwise only create a missing one."""
    return ensure_manifest(check_stale=True)
