"""Resources: where the raw files and the warehouse are, and how to call dbt."""

from __future__ import annotations

import contextlib
import shutil
import sys
from functools import cached_property
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import PrivateAttr

from orchestration.paths import dbt_executable, raw_dir_from_env, state_dir_for, warehouse_from_env
from orchestration.progress import Progress


class WarehouseConfig(ConfigurableResource):
    """The raw folder read by the parser, the published DuckDB file and the
    incremental-ingest state next to it (builds write elsewhere: BuildTarget).

    Defaults come from OGI_RAW_DIR / OGI_WAREHOUSE, else data/raw/ and
    data/warehouse/ogi.duckdb under the repository root (see `from_env`).
    """

    raw_dir: str
    warehouse: str
    state: str = ""  # incremental-ingest state; default FILE.state/ next to the warehouse

    @classmethod
    def from_env(cls, raw_dir: str | Path | None = None, warehouse: str | Path | None = None):
        return cls(
            raw_dir=str(Path(raw_dir).resolve() if raw_dir else raw_dir_from_env()),
            warehouse=str(Path(warehouse).resolve() if warehouse else warehouse_from_env()),
        )

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)

    @property
    def state_path(self) -> Path:
        return Path(self.state) if self.state else state_dir_for(self.warehouse_path)


class BuildTarget(ConfigurableResource):
    """Where a build writes, and how it is published (orchestration/publish.py).

    For the whole run it holds the warehouse's build lock and a private working
    database in FILE.build/ (publish.prepare_work); `raw/*`, the checks and dbt write and read
    there, and the `published/warehouse` asset copies it over FILE and the
    Parquet marts. So every build, whether `ogi build`, the schedule, the sensor
    or the UI starts it, is private until it has passed, and two never overlap.
    Needs the in-process executor (one resource instance per run; definitions.py).
    """

    warehouse: str
    lock_wait_seconds: float = 0.0  # wait this long for another build's lock, then fail

    _stack: contextlib.ExitStack | None = PrivateAttr(default=None)
    _build_id: str | None = PrivateAttr(default=None)
    _folder: object = PrivateAttr(default=None)  # publish.WorkFolder
    _seeded: bool = PrivateAttr(default=False)  # the working database started as a copy of FILE
    _published: bool = PrivateAttr(default=False)

    @property
    def layout(self):
        from orchestration.publish import Layout

        return Layout.of(self.warehouse)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        from orchestration.publish import new_build_id, prepare_work, seed_from_published, warehouse_lock

        Path(self.warehouse).parent.mkdir(parents=True, exist_ok=True)
        stack = contextlib.ExitStack()
        stack.enter_context(warehouse_lock(Path(self.warehouse), self.lock_wait_seconds))
        try:
            run = context.run
            build_id = (run.tags.get("ogi/build_id") if run else None) or new_build_id()
            folder = prepare_work(self.layout, build_id)  # also removes a failed build's leftovers
            self._seeded = seed_from_published(self.layout, folder.db)
        except BaseException:
            stack.close()
            raise
        self._stack, self._build_id, self._folder, self._published = stack, build_id, folder, False

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        # A failed build's working folder stays for inspection until the next build.
        if self._published and self._folder is not None:
            shutil.rmtree(self._folder.dir, ignore_errors=True)
        if self._stack is not None:
            self._stack.close()
            self._stack = None

    @property
    def build_id(self) -> str:
        if self._build_id is None:
            raise RuntimeError("BuildTarget is used outside a run (setup_for_execution did not run)")
        return self._build_id

    @property
    def work_db(self) -> Path:
        """The DuckDB file this run builds into."""
        self.build_id  # noqa: B018 - raises outside a run
        return self._folder.db

    @property
    def seeded(self) -> bool:
        """Whether this run's working database started as a copy of the published one."""
        return self._seeded

    @property
    def in_stable_folder(self) -> bool:
        """Whether this run works in FILE.build/work/ (dbt behind its lock), not a folder of its own."""
        return self._folder.guarded

    def dbt_env(self) -> dict[str, str]:
        """Environment of this run's dbt: its database, and the guard of a stable folder."""
        return self._folder.dbt_env(self.layout, self.build_id)

    def publish(self, raw_dir: Path | None = None):
        from orchestration.publish import publish

        published = publish(self.layout, self.work_db, self.build_id, raw_dir)
        self._published = True
        return published


class OgiDbtCliResource(DbtCliResource):
    """DbtCliResource without two costs we do not need (measured: ~6 s of a ~16 s build).

    * `_cli_version` runs `dbt --version` in a subprocess (~1.4 s, once per run):
      when the executable is the venv's own dbt, the importable dbt-core *is* it.
    * `_initialize_dbt_core_adapter` loads dbt and the profile in-process (~3.5 s)
      only to fetch column metadata / row counts, which this project does not
      request (`.fetch_column_metadata()` / `.fetch_row_counts()`); with no
      adapter dagster-dbt skips those.
    Both override private methods of dagster-dbt 0.29.x (pinned); if they vanish
    in a later release the overrides are simply never called.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            from dbt.version import __version__

            return version.parse(__version__)
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):  # noqa: D102
        return None


def make_dbt_resource() -> DbtCliResource:
    from orchestration.dbt_project import get_dbt_project

    project = get_dbt_project()
    return OgiDbtCliResource(
        project_dir=project,
        profiles_dir=str(project.profiles_dir),
        dbt_executable=dbt_executable(guarded=True),
    )


def make_resources(
    raw_dir: str | Path | None = None,
    warehouse: str | Path | None = None,
    progress: Progress | None = None,
    state: str | Path | None = None,
    lock_wait_seconds: float = 0.0,
) -> dict:
    """The resource dict every entry point uses (definitions, CLI, tests)."""
    config = WarehouseConfig.from_env(raw_dir, warehouse)
    if state:
        config = WarehouseConfig(raw_dir=config.raw_dir, warehouse=config.warehouse, state=str(Path(state).resolve()))
    return {
        "warehouse": config,
        "build": BuildTarget(warehouse=config.warehouse, lock_wait_seconds=lock_wait_seconds),
        "dbt": make_dbt_resource(),
        "progress": progress or Progress(),
    }
