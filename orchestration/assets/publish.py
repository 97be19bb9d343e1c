"""Publishing: the last step of every build (orchestration/publish.py).

`published/warehouse` depends on every mart, so it runs only when raw.* passed
its blocking checks and `dbt build` (models and tests) succeeded; it then
replaces the serving DuckDB file and the Parquet marts with this run's working
database. A run that fails before it leaves the published warehouse as it was.
"""

import duckdb
from dagster import AssetExecutionContext, Failure, MaterializeResult, MetadataValue, ResourceParam, asset

from orchestration.assets.dbt import ogi_dbt
from orchestration.progress import Progress
from orchestration.resources import BuildTarget, WarehouseConfig

MART_KEYS = sorted((key for key in ogi_dbt.keys if key.path[0] == "marts"), key=lambda k: k.path)


def missing_marts(work_db) -> list[str]:
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        present = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}
    finally:
        con.close()
    return [key.path[-1] for key in MART_KEYS if key.path[-1] not in present]


@asset(
    key=["published", "warehouse"],
    deps=MART_KEYS,
    group_name="publish",
    kinds={"duckdb", "parquet"},
    description="The serving DuckDB file and one Parquet file per mart, replaced atomically by this build's "
    "working database once its checks and dbt tests have passed.",
)
def published_warehouse(
    context: AssetExecutionContext,
    warehouse: WarehouseConfig,
    build: BuildTarget,
    progress: ResourceParam[Progress],
) -> MaterializeResult:
    layout = build.layout
    missing = missing_marts(build.work_db)
    if missing:  # a run of part of the graph: publishing would drop these marts
        raise Failure(description="not publishing a partial build: missing " + ", ".join(missing)
                      + "; materialize every asset (ogi_build_job)")
    progress.phase("publish", f"{layout.warehouse} and {layout.parquet_dir}/*.parquet")
    published = build.publish(warehouse.raw_path)
    context.log.info(f"published build {published.build_id} in {published.seconds:.1f} s")
    return MaterializeResult(metadata={
        "build_id": published.build_id,
        "warehouse": MetadataValue.path(str(published.warehouse)),
        "parquet_dir": MetadataValue.path(str(published.parquet_dir)),
        "mart_rows": MetadataValue.json(published.tables),
        "publish_seconds": round(published.seconds, 2),
    })
