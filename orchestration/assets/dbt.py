"""The dbt project as Dagster assets: one `dbt build` (models, seeds, tests)."""

import contextlib
import os
import shutil
import time
from pathlib import Path
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, Failure, ResourceParam
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_dbt.asset_utils import group_from_dbt_resource_props_fallback_to_directory

from orchestration.dbt_project import ensure_manifest
from orchestration.progress import Progress
from orchestration.ingest import State, parsed_source
from orchestration.paths import duckdb_memory_limit
from orchestration.resources import BuildTarget, WarehouseConfig
from orchestration.warehouse import has_raw_tables, load_raw_tables

dbt_project = ensure_manifest()


SEEDS_GROUP = "seeds"


class OgiDbtTranslator(DagsterDbtTranslator):
    """Default keys (sources carry meta.dagster.asset_key raw/*; models are
    [schema, name] when a schema is configured); groups by folder (staging, marts...)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return SEEDS_GROUP
        return group_from_dbt_resource_props_fallback_to_directory(dbt_resource_props) or "dbt"


# What a data build skips, each run by CI instead (tests/dbt/test_dbt_build.py runs a
# plain `dbt build`): unit tests check the SQL, not the data (as dbt's docs advise for
# production); tests tagged reference_data check the seeds' CSVs, which change only
# with the code (dbt_project.yml). dbt's per-node overhead is most of a small build
# (215 nodes took 12.5 s on 19 reports; a data build now runs 94). Its debug log file
# (target/*/dbt.log) cost another ~2 s; `ogi build` keeps the info events in FILE.build.log.
DBT_BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test", "--log-level-file", "info",
                  "--exclude", "tag:reference_data"]

SKIP_SEEDS = ["--exclude-resource-type", "seed"]


def dbt_build_args(build: BuildTarget) -> list[str]:
    """DBT_BUILD_ARGS, and no seed load when the working database is a copy of the
    published one: that was built by the same code (code_version.py), so its seed
    tables already hold these CSVs."""
    return DBT_BUILD_ARGS + (SKIP_SEEDS if build.seeded else [])


KEEP_TARGETS = 5
TARGET_MAX_AGE_S = 3600


def prune_old_targets(target_root: Path, keep: int = KEEP_TARGETS) -> None:
    """dagster-dbt writes each invocation into target/<op>-<run>-<uuid>/; keep the
    newest few and anything younger than an hour (another build may be using it)."""
    dirs = sorted(
        (p for p in target_root.glob("ogi_dbt-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime, reverse=True,
    )
    now = time.time()
    for p in dirs[keep:]:
        if now - p.stat().st_mtime > TARGET_MAX_AGE_S:
            shutil.rmtree(p, ignore_errors=True)


PARTIAL_PARSE = "partial_parse.msgpack"


def kept_partial_parse(target_root: Path, build: BuildTarget) -> Path:
    """dbt's partial-parse state after the last build of a warehouse of this file name.
    It is valid only for the profile it was made with, whose database path is
    work/<FILE name> for every warehouse of that name (WorkFolder.dbt_env); dbt checks
    that and every project file's hash itself, and parses again whatever differs."""
    return target_root / f"ogi_build-{build.layout.warehouse.name}.{PARTIAL_PARSE}"


def invocation_target(target_root: Path, build: BuildTarget) -> Path:
    """This build's dbt target folder, started with the kept partial-parse state (dbt
    then parses only what changed since the last build; a full parse is about 6 s)."""
    target = target_root / f"ogi_dbt-{build.build_id}"
    target.mkdir(parents=True, exist_ok=True)
    kept = kept_partial_parse(target_root, build)
    if kept.exists():
        shutil.copyfile(kept, target / PARTIAL_PARSE)
    return target


def keep_partial_parse(target: Path, build: BuildTarget) -> None:
    """After a successful dbt build, keep its partial-parse state for the next build."""
    made = target / PARTIAL_PARSE
    if made.exists() and build.in_stable_folder:  # another folder means another profile
        kept = kept_partial_parse(target.parent, build)
        temp = kept.with_name(f".{kept.name}.{os.getpid()}")
        shutil.copyfile(made, temp)
        os.replace(temp, kept)  # whole, for a build of another warehouse reading it now


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _failed_nodes(run_results: Mapping[str, Any]) -> list[str]:
    out = []
    for r in run_results.get("results", []):
        if r.get("status") in ("error", "fail", "runtime error"):
            msg = " ".join((r.get("message") or "").split())
            out.append(f"{r.get('unique_id')} ({r.get('status')}{': ' + msg if msg else ''})")
    return out


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    name="ogi_dbt",
    dagster_dbt_translator=OgiDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def ogi_dbt(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseConfig,
    build: BuildTarget,
    progress: ResourceParam[Progress],
):
    selected = context.selected_asset_keys
    if build.seeded:  # the seeds are not loaded again (dbt_build_args)
        selected = {key for key in selected if context.assets_def.group_names_by_key.get(key) != SEEDS_GROUP}
    total = len(selected)
    if not has_raw_tables(build.work_db):
        # A run of dbt assets alone (say, one mart from the UI): raw.* comes from
        # the parses already in the ingest state, not from a re-parse.
        state = State(warehouse.state_path)
        load_raw_tables(build.work_db, parsed_source(state))
    progress.phase("dbt", f"{total} assets")
    target_root = Path(dbt_project.project_dir) / dbt_project.target_path
    done = 0
    # The profile reads the DuckDB path from OGI_WAREHOUSE, ogi-dbt its lock from
    # OGI_DBT_*; DbtCliResource passes os.environ to the subprocess, so set them here.
    with _env(**build.dbt_env(), OGI_DUCKDB_MEMORY_LIMIT=duckdb_memory_limit()):
        target = invocation_target(target_root, build)
        invocation = dbt.cli(dbt_build_args(build), context=context, raise_on_error=False, target_path=target)
        for event in invocation.stream():
            if hasattr(event, "asset_key") and type(event).__name__ in ("Output", "AssetMaterialization", "MaterializeResult"):
                done += 1
                progress.dbt_node(done, total, event.asset_key.to_user_string())
            yield event
    if invocation.is_successful():
        keep_partial_parse(target, build)
    prune_old_targets(target_root)
    if not invocation.is_successful():
        try:
            failed = _failed_nodes(invocation.get_artifact("run_results.json"))
        except Exception:  # no run_results.json when dbt could not start
            failed = []
        if failed:
            detail = "; ".join(failed[:3]) + (f" (+{len(failed) - 3} more)" if len(failed) > 3 else "")
        else:
            error = invocation.get_error()
            detail = str(error).strip().splitlines()[0] if error else "see the dbt log"
        raise Failure(
            description=f"dbt build failed: {detail}",
            metadata={"failed_nodes": failed, "target_path": str(invocation.target_path)},
        )
