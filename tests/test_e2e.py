"""The whole graph — parse, load, blocking checks, dbt build — materialized
in-process through `ogi_build_job`, with real dbt and DuckDB, on data/raw/."""

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, Definitions

from orchestration.definitions import ASSETS, CHECKS, defs, ogi_build_job
from orchestration.publish import Layout
from orchestration.resources import make_resources
from tests.conftest import sample_files


@pytest.fixture(scope="module")
def e2e_run(sample_raw_copy, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("e2e") / "ogi.duckdb"
    local = Definitions(
        assets=ASSETS,
        asset_checks=CHECKS,
        jobs=[ogi_build_job],
        resources=make_resources(sample_raw_copy, warehouse),
    )
    with DagsterInstance.ephemeral() as instance:
        result = local.resolve_job_def("ogi_build_job").execute_in_process(
            instance=instance, raise_on_error=False
        )
    return result, warehouse


def test_job_succeeds(e2e_run):
    result, _ = e2e_run
    assert result.success


def test_every_asset_materialized(e2e_run):
    result, _ = e2e_run
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    expected = set(defs.resolve_job_def("ogi_build_job").asset_layer.executable_asset_keys)
    assert expected - materialized == set()
    assert AssetKey(["marts", "dim_report"]) in materialized


def test_checks_pass(e2e_run):
    result, _ = e2e_run
    failed = [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    assert not failed
    names = {e.check_name for e in result.get_asset_check_evaluations()}
    assert {"reports_contract", "cells_contract", "issues_contract"} <= names


def test_every_raw_file_in_dim_report(e2e_run):
    _, warehouse = e2e_run
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("SELECT source_file FROM marts.dim_report").fetchall()
    finally:
        con.close()
    in_marts = [r[0] for r in rows]
    assert sorted(in_marts) == sample_files()  # each file exactly once


def test_the_job_publishes_its_build(e2e_run):
    """The scheduled/sensor job builds privately and publishes like `ogi build`:
    FILE and every Parquet mart carry one build id, and the working folder is gone."""
    result, warehouse = e2e_run
    (event,) = [e for e in result.get_asset_materialization_events()
                if e.asset_key == AssetKey(["published", "warehouse"])]
    build_id = event.materialization.metadata["build_id"].value
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("SELECT build_id FROM main.ogi_build").fetchall() == [(build_id,)]
        marts = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}
        layout = Layout.of(warehouse)
        parquet = sorted(layout.parquet_dir.glob("*.parquet"))
        assert {p.stem for p in parquet} == marts
        for path in parquet:
            (kv,) = con.execute("SELECT value::VARCHAR FROM parquet_kv_metadata(?) WHERE key::VARCHAR = 'ogi_build_id'",
                                [str(path)]).fetchall()
            assert kv == (build_id,)
    finally:
        con.close()
    assert layout.work_leftovers() == []
