"""Every value of every hand-read golden file, checked through the built marts.

The warehouse is built once per session from data/raw/ (the `built_warehouse`
fixture runs the real pipeline: parse → DuckDB → pandera checks → dbt build).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from parsers.evaluate import legacy_fact_target

GOLDEN_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "golden"
GOLDEN = sorted(GOLDEN_DIR.glob("*.json"))
APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
RESULTS = ("maintained", "corrected", "other", "pending", "total")

@pytest.fixture(scope="module")
def marts(built_warehouse):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()


def one(con, sql, params=()):
    rows = con.execute(sql, params).fetchall()
    assert len(rows) == 1, f"expected one row for {sql} {params}, got {rows}"
    return rows[0][0]


@pytest.mark.parametrize("golden_path", GOLDEN, ids=lambda p: p.stem)
def test_golden_values_reach_the_marts(marts, golden_path):
    golden = json.loads(golden_path.read_text())
    source = golden_path.stem + ".txt"
    report = marts.execute(
        "select report_id, agency_id, year, template, published_date, is_selected, agency_name_raw "
        "from marts.dim_report where source_file = ?", [source]).fetchone()
    assert report, f"{source} missing from dim_report"
    report_id, agency_id, year, template, published, selected, name_raw = report
    assert selected, f"{source} is not the selected report of its agency-year"
    assert (year, template) == (golden["year"], golden["template"])
    assert (published.isoformat() if published else None) == golden["published"]
    agency = marts.execute("select agency_name, province, city, county from marts.dim_agency where agency_id = ?",
                           [agency_id]).fetchone()
    assert agency[0] == golden["agency"]
    assert name_raw in [golden["agency"], *golden.get("agency_aliases", [])]
    assert dict(zip(("province", "city", "county"), agency[1:])) == golden["region"]

    checked = 0
    where = "report_id = ?"
    for measure, values in golden.get("applications", {}).items():
        for applicant, expected in zip(APPLICANTS, values):
            got = one(marts, f"select {measure} from marts.fct_applications where {where} and applicant_type = ?",
                      [report_id, applicant])
            assert got == expected, f"applications.{measure}.{applicant}"
            checked += 1
    for code, values in golden.get("outcomes", {}).items():
        if values is None:  # a row the report's template does not have
            assert not marts.execute("select 1 from marts.fct_outcomes where report_id = ? and outcome_code = ?",
                                     [report_id, code]).fetchall(), f"outcomes.{code} should be absent"
            continue
        for applicant, expected in zip(APPLICANTS, values):
            got = one(marts, f"select count from marts.fct_outcomes where {where} and outcome_code = ? "
                             "and applicant_type = ?", [report_id, code, applicant])
            assert got == expected, f"outcomes.{code}.{applicant}"
            checked += 1
    for proceeding, values in golden.get("litigation", {}).items():
        for result, expected in zip(RESULTS, values):
            got = one(marts, f"select count from marts.fct_litigation where {where} and proceeding = ? and result = ?",
                      [report_id, proceeding, result])
            assert got == expected, f"litigation.{proceeding}.{result}"
            checked += 1
    for item, measures in golden.get("disclosure", {}).items():
        for measure, expected in measures.items():
            if measure == "amount_10k_yuan":  # the warehouse keeps money in yuan
                measure, expected = "amount_yuan", round(expected * 10_000)
            got = one(marts, f"select value from marts.fct_disclosure where {where} and item = ? and measure = ?",
                      [report_id, item, measure])
            assert got == expected, f"disclosure.{item}.{measure}"
            checked += 1
    for fact, expected in golden.get("facts", {}).items():
        table, condition, column = legacy_fact_target(fact)
        got = one(marts, f"select {column} from marts.{table} where {where} and {condition}", [report_id])
        assert got == expected, f"facts.{fact}"
        checked += 1
    assert checked >= 15


def test_golden_files_are_all_checked():
    assert len(GOLDEN) == 5
