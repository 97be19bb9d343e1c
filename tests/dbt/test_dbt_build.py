"""Run the real dbt project against a small hand-made raw schema in DuckDB.

The fixture has two agencies and covers: a 2019-template report, a 2021-template
report, a pre-2019 report with legacy facts, failed reports, two reports for one
agency-year, a report with a broken identity plus its issue row, and an imputed cell.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"

APPLICANTS = ["natural_person", "commercial", "research", "social_org", "legal_service", "other_org"]
OUTCOMES_2019 = [
    "granted", "partially_granted",
    "denied_state_secret", "denied_law_prohibited", "denied_three_safeties", "denied_third_party",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_admin_query",
    "unable_not_held", "unable_needs_creation", "unable_unclear",
    "not_processed_petition", "not_processed_repeat", "not_processed_publication",
    "not_processed_mass_repeat", "not_processed_confirm",
    "other",
]
OUTCOMES_2021 = OUTCOMES_2019[:-1] + ["other_no_correction", "other_no_fee", "other"]
PROCEEDINGS = ["review", "suit_direct", "suit_after_review"]
RESULTS = ["maintained", "corrected", "other", "pending"]

DDL = """
create schema raw;
create table raw.reports (
    report_id varchar not null unique, source_file varchar not null unique,
    file_size_bytes bigint not null, encoding varchar, layout varchar not null,
    template varchar, agency_name_raw varchar, agency_name varchar, agency_key varchar, year integer,
    published_date date, province varchar, city varchar, county varchar,
    adcode varchar, admin_level varchar not null, parse_status varchar not null
);
create table raw.cells (
    report_id varchar not null, table_name varchar not null, row_code varchar not null,
    col_code varchar not null, value bigint, raw_text varchar, is_imputed boolean not null
);
create table raw.issues (
    report_id varchar not null, source_file varchar not null, severity varchar not null,
    check_name varchar not null, location varchar, message varchar not null
);
"""

AGENCY_A = "泸州市统计局"
AGENCY_B = "南充市统计局"
LOC_A = dict(province="四川省", city="泸州市", county=None, adcode="510500", admin_level="city")
LOC_B = dict(province="四川省", city="南充市", county=None, adcode="511300", admin_level="city")


def report(report_id, source_file, agency, year, template, status, loc, layout="pipe",
           published=None, encoding="utf-8"):
    return dict(
        report_id=report_id, source_file=source_file, file_size_bytes=1000 + len(report_id),
        encoding=encoding, layout=layout, template=template, agency_name_raw=agency,
        agency_name=agency, agency_key=agency and f"{loc.get('adcode') or ''}|{agency}",
        year=year, published_date=published,
        province=loc.get("province"), city=loc.get("city"), county=loc.get("county"),
        adcode=loc.get("adcode"), admin_level=loc.get("admin_level", "other"),
        parse_status=status,
    )


def form_cells(report_id, template, columns, litigation, disclosure):
    """Cells of a consistent 2019/2021 form.

    columns: applicant_type -> {"new": n, "over": n, "outcomes": {code: n}}; absent
    applicant columns are all zero. carried_forward and the total column follow from
    the identities, so every identity holds.
    """
    outcome_codes = OUTCOMES_2021 if template == "2021" else OUTCOMES_2019
    cells = {}
    totals = {}
    for app in APPLICANTS:
        spec = columns.get(app, {})
        outcomes = {code: spec.get("outcomes", {}).get(code, 0) for code in outcome_codes}
        processed = sum(outcomes.values())
        values = {
            ("applications", "new_received"): spec.get("new", 0),
            ("applications", "carried_over"): spec.get("over", 0),
            ("applications", "carried_forward"): spec.get("new", 0) + spec.get("over", 0) - processed,
            ("outcomes", "total"): processed,
        }
        values.update({("outcomes", code): n for code, n in outcomes.items()})
        for (table, row), v in values.items():
            cells[(table, row, app)] = v
            totals[(table, row)] = totals.get((table, row), 0) + v
    for (table, row), v in totals.items():
        cells[(table, row, "total")] = v
    for proc in PROCEEDINGS:
        results = litigation.get(proc, {})
        for res in RESULTS:
            cells[("litigation", proc, res)] = results.get(res, 0)
        cells[("litigation", proc, "total")] = sum(results.get(r, 0) for r in RESULTS)
    for (item, measure), v in disclosure.items():
        cells[("disclosure", item, measure)] = v
    return {
        key: dict(report_id=report_id, table_name=key[0], row_code=key[1], col_code=key[2],
                  value=v, raw_text=None if v is None else str(v), is_imputed=False)
        for key, v in cells.items()
    }


def legacy_cells(report_id, facts, disclosure):
    rows = [dict(report_id=report_id, table_name="legacy", row_code=k, col_code="total",
                 value=v, raw_text=str(v), is_imputed=False) for k, v in facts.items()]
    rows += [dict(report_id=report_id, table_name="disclosure", row_code=item, col_code=measure,
                  value=v, raw_text=str(v), is_imputed=False) for (item, measure), v in disclosure.items()]
    return rows


def issue(report_id, source_file, severity, check_name, location, message):
    return dict(report_id=report_id, source_file=source_file, severity=severity,
                check_name=check_name, location=location, message=message)


def build_fixture(with_identity_issue: bool = True):
    reports, cells, issues = [], [], []

    # Agency A, 2018: pre-2019 prose with legacy facts (cf. golden 001).
    reports.append(report("a2018pre", "a/2018.txt", AGENCY_A, 2018, "pre2019", "ok", LOC_A, layout="prose"))
    cells += legacy_cells("a2018pre", {
        "applications_received": 246, "applications_answered": 246, "carried_forward": 3,
        "already_public": 231, "granted": 0, "partially_granted": 0, "denied": 15,
        "denied_trade_secret": 4, "denied_not_this_agency": 1, "denied_not_exist": 5,
        "denied_unclear_or_redirected": 5, "denied_other": 0,
        "administrative_reviews": 2, "lawsuits": 1,
    }, {("proactive_items", "count"): 811, ("fees_collected", "amount_yuan"): 0})

    # Agency A, 2019: two reports. The repaired one is selected over the partial one even
    # though the partial one has more non-NULL cells (status comes first).
    reports.append(report("a2019sel", "a/2019.txt", AGENCY_A, 2019, "2019", "repaired", LOC_A,
                          published=date(2020, 1, 20)))
    sel = form_cells("a2019sel", "2019", {
        "natural_person": {"new": 8, "over": 5, "outcomes": {
            "granted": 6, "partially_granted": 2, "denied_third_party": 1, "unable_not_held": 1}},
        "commercial": {"new": 2, "outcomes": {"granted": 1}},
    }, {"review": {"maintained": 1, "corrected": 1}, "suit_direct": {"corrected": 1}},
        {("regulations", "made"): 1, ("procurement", "projects"): 4, ("procurement", "amount_yuan"): 391100})
    # The imputed cell: natural_person new_received was blank and follows from identity 1.
    sel[("applications", "new_received", "natural_person")].update(raw_text=None, is_imputed=True)
    cells += sel.values()
    issues.append(issue("a2019sel", "a/2019.txt", "info", "imputed_cell",
                        "applications.new_received.natural_person",
                        "Blank cell filled with 8 from new + carried over = processed + carried forward."))

    reports.append(report("a2019dup", "a/2019_copy.html", AGENCY_A, 2019, "2019", "partial", LOC_A,
                          layout="html", published=date(2020, 2, 1)))
    dup = form_cells("a2019dup", "2019", {"natural_person": {"new": 99, "outcomes": {"granted": 99}}},
                     {}, {("regulations", "made"): 1, ("regulations", "published"): 1,
                          ("regulations", "in_force"): 1, ("licensing", "decisions"): 2,
                          ("coercion", "decisions"): 3})
    cells += dup.values()
    issues.append(issue("a2019dup", "a/2019_copy.html", "warning", "missing_section",
                        "disclosure", "Table 二 is incomplete."))

    # Agency A, 2020: a failed report with agency and year is never selected.
    reports.append(report("a2020bad", "a/2020.pdf", AGENCY_A, 2020, None, "failed", LOC_A, layout="pdf",
                          encoding=None))
    issues.append(issue("a2020bad", "a/2020.pdf", "error", "unsupported_pdf", None,
                        "PDF reading is not supported yet."))

    # A failed file that is not a report at all.
    reports.append(report("junk0001", "misc/readme.txt", None, None, None, "failed", {}, layout="unknown"))
    issues.append(issue("junk0001", "misc/readme.txt", "error", "not_a_report", None,
                        "The file is not an annual report."))

    # Agency B, 2020: 2019 template, identity 1 broken on natural_person and total
    # (carried_forward printed as 1 where 0 follows), flagged by the parser.
    reports.append(report("b2020brk", "b/2020.txt", AGENCY_B, 2020, "2019", "partial", LOC_B,
                          layout="tab", published=date(2021, 1, 26)))
    brk = form_cells("b2020brk", "2019", {"natural_person": {"new": 3, "outcomes": {"granted": 3}}},
                     {}, {("punishment", "change"): 16, ("punishment", "decisions"): 16})
    brk[("applications", "carried_forward", "natural_person")]["value"] = 1
    brk[("applications", "carried_forward", "total")]["value"] = 1
    cells += brk.values()
    if with_identity_issue:
        issues.append(issue("b2020brk", "b/2020.txt", "error", "identity_column_balance",
                            "applications.natural_person",
                            "New 3 + carried over 0 ≠ processed 3 + carried forward 1; check the row."))

    # Agency B, 2021: 2021 template; carried_over total 1 = 2020 carried_forward total 1.
    # One NULL litigation cell makes identity 4 unknown for suit_after_review.
    reports.append(report("b2021ok", "b/2021.md", AGENCY_B, 2021, "2021", "ok", LOC_B,
                          layout="markdown", published=date(2022, 1, 15)))
    ok21 = form_cells("b2021ok", "2021", {
        "natural_person": {"new": 4, "over": 1, "outcomes": {
            "granted": 2, "other_no_correction": 1, "other_no_fee": 1}},
        "legal_service": {"new": 1, "outcomes": {"not_processed_repeat": 1}},
    }, {"review": {"pending": 2}},
        {("regulations", "made"): 0, ("regulations", "repealed"): 1, ("regulations", "in_force"): 3,
         ("fees", "amount_yuan"): 20000})
    ok21[("litigation", "suit_after_review", "pending")].update(value=None, raw_text=None)
    cells += ok21.values()

    return reports, cells, issues


def write_warehouse(path: Path, reports, cells, issues) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
        for table, rows in (("reports", reports), ("cells", cells), ("issues", issues)):
            if not rows:
                continue
            cols = list(rows[0])
            con.executemany(
                f"insert into raw.{table} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
                [[r[c] for c in cols] for r in rows],
            )
    finally:
        con.close()


def run_dbt_build(warehouse: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        **__import__("os").environ,
        "OGI_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.run(
        [str(DBT), "build", "--profiles-dir", ".",
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("dbt_ok")
    warehouse = tmp_path / "ogi.duckdb"
    write_warehouse(warehouse, *build_fixture(with_identity_issue=True))
    start = time.monotonic()
    proc = run_dbt_build(warehouse, tmp_path)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-4000:]
    print(f"dbt build took {elapsed:.1f}s")
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con, proc
    con.close()


def q(con, sql):
    return con.execute(sql).fetchall()


def test_build_passes_and_runs_everything(built):
    con, proc = built
    out = proc.stdout
    assert "ERROR=0" in out
    # unit tests ran
    assert "int_report_selection_rule" in out and "int_legacy_facts_crosswalk" in out
    schemas = {r[0] for r in q(con, "select distinct table_schema from information_schema.tables")}
    assert {"raw", "ref", "staging", "intermediate", "marts"} <= schemas
    marts = {r[0] for r in q(con, "select table_name from information_schema.tables where table_schema = 'marts'")}
    assert marts == {"dim_report", "dim_agency", "fct_applications", "fct_outcomes", "fct_litigation",
                     "fct_disclosure", "report_issues", "agency_year_summary"}


def test_dim_report_and_selection(built):
    con, _ = built
    rows = dict(q(con, "select report_id, is_selected from marts.dim_report"))
    assert rows == {"a2018pre": True, "a2019sel": True, "a2019dup": False, "a2020bad": False,
                    "junk0001": False, "b2020brk": True, "b2021ok": True}
    # the partial duplicate had more non-NULL cells but loses on status
    sel, dup = q(con, "select nonnull_cell_count from marts.dim_report "
                      "where report_id in ('a2019sel', 'a2019dup') order by report_id desc")
    assert dup[0] > sel[0]  # more non-NULL cells, yet status decides
    assert q(con, "select agency_id, template from marts.dim_report where report_id = 'junk0001'") == [(None, None)]
    # issue_count counts parser issues plus warehouse checks
    counts = dict(q(con, "select report_id, issue_count from marts.dim_report"))
    assert counts["a2019sel"] == 2  # imputed_cell + cross_year_carry_mismatch
    assert counts["b2021ok"] == 0
    # facts hold only selected reports
    assert q(con, "select count(*) from marts.fct_outcomes where report_id in ('a2019dup', 'a2020bad')") == [(0,)]


def test_dim_agency(built):
    con, _ = built
    rows = q(con, "select agency_name, province, city, admin_level, adcode, agency_id from marts.dim_agency order by agency_name")
    assert [r[:5] for r in rows] == [("南充市统计局", "四川省", "南充市", "city", "511300"),
                                      ("泸州市统计局", "四川省", "泸州市", "city", "510500")]
    import hashlib
    # agency_id hashes the parser's agency_key ("adcode|name"), not the display name
    assert rows[1][5] == hashlib.md5(f"510500|{AGENCY_A}".encode()).hexdigest()[:16]


def test_applications_pivot(built):
    con, _ = built
    rows = {r[0]: r[1:] for r in q(con, """
        select applicant_type, new_received, carried_over, processed, carried_forward, is_imputed
        from marts.fct_applications where report_id = 'a2019sel'""")}
    assert len(rows) == 7
    assert rows["natural_person"] == (8, 5, 10, 3, True)
    assert rows["commercial"] == (2, 0, 1, 1, False)
    assert rows["research"] == (0, 0, 0, 0, False)
    assert rows["total"] == (10, 5, 11, 4, False)
    # 2021 template
    assert q(con, """select new_received, carried_over, processed, carried_forward from marts.fct_applications
                     where report_id = 'b2021ok' and applicant_type = 'total'""") == [(5, 1, 5, 1)]


def test_legacy_crosswalk(built):
    con, _ = built
    assert q(con, """select applicant_type, new_received, carried_over, processed, carried_forward, is_legacy
                     from marts.fct_applications where report_id = 'a2018pre'""") == [
        ("total", 246, None, 246, 3, True)]
    outcomes = dict(q(con, """select outcome_code || ':' || outcome_group, "count" from marts.fct_outcomes
                              where report_id = 'a2018pre' and applicant_type = 'total'"""))
    assert outcomes == {
        "total:total": 246, "granted:granted": 0, "partially_granted:partially_granted": 0,
        "legacy_already_public:granted": 231, "legacy_denied:denied": 15,
        "legacy_denied_trade_secret:denied_breakdown": 4,
        "legacy_denied_not_this_agency:denied_breakdown": 1,
        "legacy_denied_not_exist:denied_breakdown": 5,
        "legacy_denied_unclear_or_redirected:denied_breakdown": 5,
        "legacy_denied_other:denied_breakdown": 0,
    }
    assert sorted(q(con, """select proceeding, result, "count" from marts.fct_litigation
                            where report_id = 'a2018pre'""")) == [("review", "total", 2), ("suit", "total", 1)]
    assert sorted(q(con, """select item, measure, value, unit from marts.fct_disclosure
                            where report_id = 'a2018pre'""")) == [
        ("fees_collected", "amount_yuan", 0, "yuan"), ("proactive_items", "count", 811, "count")]


def test_outcomes_and_disclosure(built):
    con, _ = built
    assert q(con, """select count(*), count(distinct outcome_code) from marts.fct_outcomes
                     where report_id = 'a2019sel'""") == [(7 * 20, 20)]
    assert q(con, """select count(distinct outcome_code) from marts.fct_outcomes
                     where report_id = 'b2021ok'""") == [(22,)]
    assert q(con, """select outcome_group, "count" from marts.fct_outcomes where report_id = 'b2021ok'
                     and applicant_type = 'natural_person' and outcome_code = 'other_no_fee'""") == [("other", 1)]
    assert q(con, """select value, unit from marts.fct_disclosure
                     where report_id = 'b2021ok' and item = 'fees' and measure = 'amount_yuan'""") == [(20000, "yuan")]
    assert q(con, """select value from marts.fct_disclosure
                     where report_id = 'a2019sel' and item = 'procurement' and measure = 'amount_yuan'""") == [(391100,)]
    # NULL stays NULL
    assert q(con, """select "count" from marts.fct_litigation where report_id = 'b2021ok'
                     and proceeding = 'suit_after_review' and result = 'pending'""") == [(None,)]


def test_summary(built):
    con, _ = built
    cols = ["new_received", "processed", "outcomes_granted", "outcomes_partially_granted",
            "outcomes_denied", "outcomes_unable", "outcomes_not_processed", "outcomes_other",
            "outcomes_total", "review_corrected", "review_total", "suit_direct_corrected",
            "suits_total", "share_granted", "share_reviews_corrected", "share_suits_corrected"]
    rows = {r[0]: dict(zip(cols, r[1:])) for r in q(con, f"""
        select report_id, {', '.join(cols)} from marts.agency_year_summary""")}
    assert set(rows) == {"a2018pre", "a2019sel", "b2020brk", "b2021ok"}
    legacy = rows["a2018pre"]
    # granted group = granted 0 + already_public 231; denied = stated total only (not 15 + 15)
    assert legacy["outcomes_granted"] == 231
    assert legacy["outcomes_denied"] == 15
    assert legacy["outcomes_total"] == 246
    assert legacy["share_granted"] == pytest.approx(231 / 246)
    assert legacy["review_total"] == 2 and legacy["suits_total"] == 1
    assert legacy["share_reviews_corrected"] is None and legacy["share_suits_corrected"] is None
    a19 = rows["a2019sel"]
    assert (a19["new_received"], a19["processed"]) == (10, 11)
    assert (a19["outcomes_granted"], a19["outcomes_partially_granted"], a19["outcomes_denied"],
            a19["outcomes_unable"], a19["outcomes_total"]) == (7, 2, 1, 1, 11)
    assert a19["share_granted"] == pytest.approx(7 / 11)
    assert a19["share_reviews_corrected"] == pytest.approx(0.5)
    assert a19["share_suits_corrected"] == pytest.approx(1.0)
    b21 = rows["b2021ok"]
    assert (b21["outcomes_other"], b21["outcomes_not_processed"], b21["outcomes_total"]) == (2, 1, 5)
    assert b21["share_suits_corrected"] is None  # no suits: NULL-safe division
    # totals of the summary agree with the facts
    assert q(con, """select count(*) from marts.agency_year_summary s
                     join marts.fct_applications f on f.report_id = s.report_id and f.applicant_type = 'total'
                     where s.new_received is distinct from f.new_received""") == [(0,)]


def test_report_issues_and_cross_year_warning(built):
    con, _ = built
    warnings = q(con, """select report_id, severity, location, origin, message from marts.report_issues
                         where check_name = 'cross_year_carry_mismatch'""")
    # A: 2018 carried_forward 3 vs 2019 carried_over 5 -> warning on the 2019 report.
    # B: 2020 carried_forward 1 = 2021 carried_over 1 -> no warning.
    assert len(warnings) == 1
    report_id, severity, location, origin, message = warnings[0]
    assert (report_id, severity, location, origin) == (
        "a2019sel", "warning", "applications.carried_over.total", "warehouse")
    assert "5" in message and "3" in message and "a/2018.txt" in message
    parser_issues = q(con, "select count(*) from marts.report_issues where origin = 'parser'")
    assert parser_issues == [(5,)]
    assert q(con, "select count(*) from marts.report_issues where check_name = 'legacy_fact_unmapped'") == [(0,)]


def test_unrecorded_broken_identity_fails_build(tmp_path):
    warehouse = tmp_path / "ogi.duckdb"
    write_warehouse(warehouse, *build_fixture(with_identity_issue=False))
    proc = run_dbt_build(warehouse, tmp_path)
    assert proc.returncode != 0, proc.stdout[-4000:]
    failing = [line for line in proc.stdout.splitlines() if "FAIL" in line and "identity_" in line]
    assert failing, proc.stdout[-8000:]
    assert all("identity_column_balance" in line for line in failing), failing


def test_build_with_only_failed_reports(tmp_path):
    """The placeholder parser's output (every report failed, no cells, no issues) builds to empty facts."""
    warehouse = tmp_path / "ogi.duckdb"
    reports = [report("junk0001", "misc/readme.txt", None, None, None, "failed", {}, layout="unknown"),
               report("junk0002", "misc/other.pdf", None, None, None, "failed", {}, layout="pdf")]
    write_warehouse(warehouse, reports, [], [])
    proc = run_dbt_build(warehouse, tmp_path)
    assert proc.returncode == 0, proc.stdout[-8000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert q(con, "select count(*), count(*) filter (where is_selected) from marts.dim_report") == [(2, 0)]
        for table in ("dim_agency", "fct_applications", "fct_outcomes", "fct_litigation",
                      "fct_disclosure", "report_issues", "agency_year_summary"):
            assert q(con, f"select count(*) from marts.{table}") == [(0,)], table
    finally:
        con.close()


def test_scoped_tests_read_the_agency_years_of_the_last_load(tmp_path):
    """The grain test of fct_outcomes reads only the agency-years in raw.load_scope
    (macros/build_scope.sql), and every row when that table is missing. A duplicate
    row planted in one agency-year is found exactly when its agency-year is in scope."""
    warehouse = tmp_path / "ogi.duckdb"
    write_warehouse(warehouse, *build_fixture(with_identity_issue=True))
    assert run_dbt_build(warehouse, tmp_path).returncode == 0
    con = duckdb.connect(str(warehouse))
    try:
        planted = q(con, """select r.agency_key, r.year from marts.fct_outcomes f
                            join raw.reports r using (report_id) limit 1""")[0]
        other = con.execute("select agency_key, year from raw.reports where agency_key is not null "
                            "and (agency_key, year) <> (?, ?) limit 1", list(planted)).fetchall()[0]
        con.execute("""insert into marts.fct_outcomes select * from marts.fct_outcomes f
                       where report_id in (select report_id from raw.reports
                                           where agency_key = ? and year = ?) limit 1""", list(planted))
    finally:
        con.close()

    def grain_test_status(scope: list[tuple] | None) -> int:
        con = duckdb.connect(str(warehouse))
        try:
            con.execute("drop table if exists raw.load_scope")
            if scope is not None:
                con.execute("create table raw.load_scope (agency_key varchar, year integer)")
                con.executemany("insert into raw.load_scope values (?, ?)", scope)
        finally:
            con.close()
        env = {**__import__("os").environ, "OGI_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        return subprocess.run(
            [str(DBT), "test", "--profiles-dir", ".", "--target-path", str(tmp_path / "target"),
             "--log-path", str(tmp_path / "logs"), "--select",
             "unique_combination_of_columns_fct_outcomes_agency_id__year__applicant_type__outcome_code"],
            cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=600).returncode

    assert grain_test_status(None) != 0          # no scope recorded: every row is read
    assert grain_test_status([other]) == 0       # the planted agency-year is out of scope
    assert grain_test_status([other, planted]) != 0


def test_not_null_columns_finds_a_null_in_any_of_its_columns(tmp_path):
    """The one-node not_null of several columns (tests/generic/not_null_columns.sql)
    fails on a NULL in any listed column, the last one included, and passes without."""
    warehouse = tmp_path / "ogi.duckdb"
    write_warehouse(warehouse, *build_fixture(with_identity_issue=True))
    assert run_dbt_build(warehouse, tmp_path).returncode == 0
    env = {**__import__("os").environ, "OGI_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}

    def status(model: str) -> int:
        return subprocess.run(
            [str(DBT), "test", "--profiles-dir", ".", "--target-path", str(tmp_path / "target"),
             "--log-path", str(tmp_path / "logs"), "--select", f"{model},test_name:not_null_columns"],
            cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=600).returncode

    for model, column in (("int_agencies", "admin_level"), ("int_fact_cells", "col_code"),
                          ("int_report_selection", "is_selected")):
        assert status(model) == 0, model
        con = duckdb.connect(str(warehouse))
        try:
            con.execute(f"create table saved as select * from intermediate.{model}")
            con.execute(f"update intermediate.{model} set {column} = null where rowid = (select min(rowid) from intermediate.{model})")
        finally:
            con.close()
        assert status(model) != 0, model
        con = duckdb.connect(str(warehouse))
        try:
            con.execute(f"delete from intermediate.{model}")
            con.execute(f"insert into intermediate.{model} select * from saved")
            con.execute("drop table saved")
        finally:
            con.close()
