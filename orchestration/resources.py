"""Resources: where the raw files and the warehouse are, and how to call dbt."""

from __future__ import annotations

import sys
from functools import cached_property
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.paths import dbt_executable, raw_dir_from_env, state_dir_for, warehouse_from_env
from orchestration.progress import Progress


class WarehouseConfig(ConfigurableResource):
    """The raw folder read by the parser and the DuckDB file everything is written to.

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
        dbt_executable=dbt_executable(),
    )


def make_resources(
    raw_dir: str | Path | None = None,
    warehouse: str | Path | None = None,
    progress: Progress | None = None,
    state: str | Path | None = None,
) -> dict:
    """The resource dict every entry point uses (definitions, CLI, tests)."""
    config = WarehouseConfig.from_env(raw_dir, warehouse)
    if state:
        config = WarehouseConfig(raw_dir=config.raw_dir, warehouse=config.warehouse, state=str(Path(state).resolve()))
    return {
        "warehouse": config,
        "dbt": make_dbt_resource(),
        "progress": progress or Progress(),
    }
