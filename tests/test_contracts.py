"""The pandera contracts of raw.* and their blocking checks.

A parse that breaks a contract (negative count, unknown table_name) fails the
blocking check and nothing downstream (dbt) is built; a valid parse passes."""

import duckdb
import polars as pl
import pytest
from dagster import AssetKey, DagsterInstance, materialize

import parsers.batch as batch
from orchestration.checks import RAW_CHECKS, validate_stored_table, validate_table
from orchestration.cli import failure_reason
from orchestration.contracts import CONTRACTS
from orchestration.definitions import ASSETS, BUILD_SELECTION, CHECKS
from orchestration.assets.parsing import parse_raw_files
from orchestration.publish import Layout
from orchestration.resources import make_resources
from orchestration.warehouse import RAW_TABLES
from parsers.schema import CELLS_SCHEMA, ISSUES_SCHEMA, REPORTS_SCHEMA

SCHEMAS = {"reports": REPORTS_SCHEMA, "cells": CELLS_SCHEMA, "issues": ISSUES_SCHEMA}
RID = "0123456789abcdef"


# ------------------------------------------------------------------ the models


@pytest.mark.parametrize("table", ["reports", "cells", "issues"])
def test_contract_columns_follow_parsers_schema(table):
    """A column added to parsers/schema.py must get a rule in orchestration/contracts.py."""
    model_columns = set(CONTRACTS[table].to_schema().columns)
    assert model_columns == set(SCHEMAS[table]), "contracts.py and parsers/schema.py disagree"
    assert [c for c, _ in RAW_TABLES[table]] == list(SCHEMAS[table])


@pytest.mark.parametrize("table", ["reports", "cells", "issues"])
def test_empty_tables_pass(table):
    assert validate_table(pl.DataFrame(schema=SCHEMAS[table]), table).passed


def _cells(rows):
    keys = list(CELLS_SCHEMA)
    return pl.DataFrame([dict(zip(keys, r)) for r in rows], schema=CELLS_SCHEMA)


def test_cells_rules():
    good = _cells([
        (RID, "applications", "new_received", "natural_person", 3, "3", False),
        (RID, "outcomes", "granted", "total", None, None, False),
        (RID, "disclosure", "regulations", "change", -2, "-2", False),  # 本年增/减 may be negative
        (RID, "litigation", "review", "maintained", 0, "0", True),
        (RID, "legacy", "applications_received", "total", 10, "10", False),
    ])
    assert validate_table(good, "cells").passed

    bad = _cells([
        (RID, "applications", "new_received", "natural_person", -1, "-1", False),  # negative count
        (RID, "bogus", "x", "y", 1, "1", False),  # unknown table
        (RID, "outcomes", "granted", "martian", 1, "1", False),  # unknown applicant column
        (RID, "applications", "new_received", "natural_person", 4, "4", False),  # grain duplicate
        ("not-hex", "litigation", "review", "total", 1, "1", False),
    ])
    result = validate_table(bad, "cells")
    assert not result.passed
    checks = " ".join(result.metadata["failed_checks"].value)
    for expected in ("count_non_negative", "isin", "row_and_col_codes", "unique", "str_matches"):
        assert expected in checks, expected
    assert result.metadata["failure_count"].value >= 5


def test_stored_tables_are_validated_in_slices_with_the_same_verdict(tmp_path):
    """Slices cut by report_id keep every rule exact, the grain included: a
    duplicate cell and a bad code are found whatever the slice size."""
    rids = [f"{n:016x}" for n in range(40)]
    rows = [(rid, "applications", "new_received", col, n, str(n), False)
            for n, rid in enumerate(rids) for col in ("natural_person", "total")]
    rows += [(rids[7], "applications", "new_received", "total", 99, "99", False),  # grain duplicate
             (rids[21], "bogus", "x", "y", 1, "1", False),                        # unknown table
             (None, "applications", "new_received", "total", 1, "1", False),     # no report_id
             ("o'hare", "applications", "new_received", "total", 1, "1", False)]  # not an id
    cells = _cells(rows)
    db = tmp_path / "w.duckdb"
    cells.write_parquet(tmp_path / "cells.parquet")  # no pyarrow here: DuckDB reads the Parquet
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA raw")
    con.execute(f"CREATE TABLE raw.cells AS SELECT * FROM '{tmp_path / 'cells.parquet'}'")
    con.close()
    whole = validate_table(cells, "cells")
    for slice_rows in (7, 30, 10_000):
        sliced = validate_stored_table(db, "cells", slice_rows=slice_rows)
        assert not sliced.passed
        assert sliced.metadata["rows"].value == cells.height
        assert sliced.metadata["failure_count"].value == whole.metadata["failure_count"].value
        assert sorted(sliced.metadata["failed_checks"].value) == sorted(whole.metadata["failed_checks"].value)
    found = " ".join(whole.metadata["failed_checks"].value)
    assert "unique" in found and "str_matches" in found and "not_nullable" in found


def test_stored_reports_are_validated_in_slices_with_the_whole_tables_uniqueness(tmp_path):
    """raw.reports is read in slices too; a source_file shared by two reports in
    different slices is still found, once per row, as a whole-frame validation does."""
    base = {c: None for c in REPORTS_SCHEMA} | {
        "file_size_bytes": 10, "layout": "pipe", "admin_level": "other", "parse_status": "ok", "year": 2020}
    rows = [base | {"report_id": f"{n:016x}", "source_file": f"f{n}.txt"} for n in range(30)]
    rows[29]["source_file"] = "f0.txt"  # the first and the last report_id: never in one slice of 10
    rows[5]["year"] = 1890
    reports = pl.DataFrame(rows, schema=REPORTS_SCHEMA)
    db = tmp_path / "w.duckdb"
    reports.write_parquet(tmp_path / "reports.parquet")
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA raw")
    con.execute(f"CREATE TABLE raw.reports AS SELECT * FROM '{tmp_path / 'reports.parquet'}'")
    con.close()
    whole = validate_table(reports, "reports")
    for slice_rows in (10, 1_000):
        sliced = validate_stored_table(db, "reports", slice_rows=slice_rows)
        assert not sliced.passed
        assert sliced.metadata["rows"].value == reports.height
        assert sliced.metadata["failure_count"].value == whole.metadata["failure_count"].value == 3
        assert sorted(sliced.metadata["failed_checks"].value) == sorted(whole.metadata["failed_checks"].value)
    assert any("source_file: field_uniqueness (2)" in c for c in whole.metadata["failed_checks"].value)


def test_a_duplicate_source_file_within_one_slice_alone_fails_with_its_cases(tmp_path):
    """The slice's own uniqueness cases are replaced by the whole table's: the check
    still fails, with the two rows, and nothing else."""
    base = {c: None for c in REPORTS_SCHEMA} | {
        "file_size_bytes": 10, "layout": "pipe", "admin_level": "other", "parse_status": "ok", "year": 2020}
    rows = [base | {"report_id": f"{n:016x}", "source_file": "same.txt" if n < 2 else f"f{n}.txt"} for n in range(5)]
    db = tmp_path / "w.duckdb"
    pl.DataFrame(rows, schema=REPORTS_SCHEMA).write_parquet(tmp_path / "reports.parquet")
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA raw")
    con.execute(f"CREATE TABLE raw.reports AS SELECT * FROM '{tmp_path / 'reports.parquet'}'")
    con.close()
    result = validate_stored_table(db, "reports")
    assert not result.passed
    assert result.metadata["failure_count"].value == 2
    assert result.metadata["failed_checks"].value == ["source_file: field_uniqueness (2)"]


def test_reports_rules():
    row = {c: None for c in REPORTS_SCHEMA} | {
        "report_id": RID, "source_file": "a.txt", "file_size_bytes": 10, "layout": "pipe",
        "admin_level": "other", "parse_status": "ok", "year": 2020,
    }
    assert validate_table(pl.DataFrame([row], schema=REPORTS_SCHEMA), "reports").passed
    bad = [row | {"year": 1890}, row | {"report_id": "abc", "parse_status": "great"}]
    result = validate_table(pl.DataFrame(bad, schema=REPORTS_SCHEMA), "reports")
    assert not result.passed
    checks = " ".join(result.metadata["failed_checks"].value)
    assert "year" in checks and "parse_status" in checks and "source_file" in checks  # duplicate


def test_issues_rules():
    row = {"report_id": RID, "source_file": "a.txt", "severity": "error",
           "check_name": "identity_row_total", "location": None, "message": "Row does not add up."}
    assert validate_table(pl.DataFrame([row], schema=ISSUES_SCHEMA), "issues").passed
    result = validate_table(pl.DataFrame([row | {"severity": "fatal"}], schema=ISSUES_SCHEMA), "issues")
    assert not result.passed


def test_checks_are_blocking():
    for check in RAW_CHECKS:
        assert all(spec.blocking for spec in check.check_specs)


# ------------------------------------------------------------------ the graph


def _work_db(warehouse):
    """The working database a run left behind (published only by a whole build)."""
    (work_db,) = Layout.of(warehouse).work_dir.glob(f"*/{warehouse.name}")
    return work_db


def _run(assets, raw_dir, warehouse):
    return materialize(
        assets,
        selection=BUILD_SELECTION,
        resources=make_resources(raw_dir, warehouse),
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_invalid_parse_blocks_dbt(monkeypatch, sample_raw_copy, tmp_path):
    """The parse workers write the Parquet files (parsers.batch.write_parsed_chunks);
    one report's cells in the first chunk they wrote are replaced by bad ones
    before the load."""
    real_write = batch.write_parsed_chunks
    corrupted = []

    def write_then_corrupt(raw_dir, out_dir, batch_id, *args, **kw):
        counts = real_write(raw_dir, out_dir, batch_id, *args, **kw)
        first = out_dir / "cells-000000.parquet"
        cells = pl.read_parquet(first)
        rid = pl.read_parquet(out_dir / "reports-000000.parquet")["report_id"][0]
        extra = _cells([
            (rid, "applications", "new_received", "research", -7, "-7", False),
            (rid, "no_such_table", "x", "y", 1, "1", False),
        ]).with_columns(pl.lit(batch_id).alias("batch_id"))
        pl.concat([cells.filter(pl.col("report_id") != rid), extra]).write_parquet(first)
        corrupted.append(first)
        return counts

    monkeypatch.setattr(batch, "write_parsed_chunks", write_then_corrupt)
    warehouse = tmp_path / "ogi.duckdb"
    result = _run([*ASSETS, *CHECKS], sample_raw_copy, warehouse)

    assert corrupted, "the parse did not go through parsers.batch.write_parsed_chunks"
    assert not result.success
    evaluations = {e.asset_key: e for e in result.get_asset_check_evaluations()}
    cells = evaluations[AssetKey(["raw", "cells"])]
    assert not cells.passed
    cases = cells.metadata["failure_cases_json"].value
    assert 1 <= len(cases) <= 20
    assert any(c["failure_case"] == "no_such_table" for c in cases)
    assert evaluations[AssetKey(["raw", "reports"])].passed

    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {AssetKey(["raw", t]) for t in ("reports", "cells", "issues")}
    assert not warehouse.exists(), "a build whose blocking check failed was published"
    con = duckdb.connect(str(_work_db(warehouse)), read_only=True)
    try:
        schemas = {r[0] for r in con.execute("SELECT schema_name FROM information_schema.schemata").fetchall()}
    finally:
        con.close()
    assert "marts" not in schemas, "dbt ran although a blocking check failed"

    reason, code = failure_reason(result)
    assert code != 0 and "\n" not in reason
    assert reason.startswith("blocking check cells_contract failed on raw.cells")


def test_valid_parse_passes_checks(sample_raw_copy, tmp_path):
    warehouse = tmp_path / "ogi.duckdb"
    result = _run([parse_raw_files, *CHECKS], sample_raw_copy, warehouse)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 3 and all(e.passed for e in evaluations)
    con = duckdb.connect(str(_work_db(warehouse)), read_only=True)  # not published: no marts in this run
    try:
        n = con.execute("SELECT count(*) FROM raw.reports").fetchall()[0][0]
    finally:
        con.close()
    assert n == len(list(p for p in sample_raw_copy.rglob("*") if p.is_file()))
