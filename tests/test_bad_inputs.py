"""Issue 5's bad inputs, mixed with the five seeds in one raw folder, through a
real `ogi build`: each is a row of marts.dim_report with its parse_status and a
reason in marts.report_issues; the seeds build exactly as they do alone; the
build exits 0; parsing time stays bounded (tests/bad_inputs.py writes the folder).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from parsers.batch import find_duplicates, list_raw_files, read_one
from tests.bad_inputs import SEEDS, Case, make_bad_raw_dir
from tests.conftest import REPO_ROOT, ogi_command

GOLDEN_DIR = REPO_ROOT.parent / "shared" / "golden"
APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
FACTS = {  # mart -> its columns that do not name the report
    "fct_applications": "applicant_type, new_received, carried_over, processed, carried_forward, is_imputed",
    "fct_outcomes": "applicant_type, outcome_code, outcome_group, count, is_imputed",
    "fct_litigation": "proceeding, result, count, is_imputed",
}


@dataclass
class BadBuild:
    raw: Path
    warehouse: Path
    cases: dict[str, Case]
    proc: object
    seconds: float


DROP_READ_CAPS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _unprivileged_prefix(probe_dir: Path) -> list[str] | None:
    """How to run the build so that chmod 000 really stops reads: nothing when not
    root; as root, without the capabilities that override file permissions
    (setpriv), if that works here; else None."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        return None
    probe = probe_dir / "probe.txt"
    probe.write_text("x")
    probe.chmod(0)
    try:
        proc = subprocess.run([*DROP_READ_CAPS, sys.executable, "-c", f"open({str(probe)!r}).read()"],
                              capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    finally:
        probe.unlink()
    return DROP_READ_CAPS if "PermissionError" in proc.stderr else None


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_inputs")
    raw = root / "raw"
    prefix = _unprivileged_prefix(root)
    cases = make_bad_raw_dir(raw, root / "outside", chmod_case=prefix is not None)
    warehouse = root / "w" / "ogi.duckdb"
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k not in ("OGI_RAW_DIR", "OGI_WAREHOUSE")}
    proc = subprocess.run([*(prefix or []), *ogi_command(), "build", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
                          capture_output=True, text=True, timeout=900, cwd=REPO_ROOT, env=env)
    yield BadBuild(raw, warehouse, cases, proc, time.perf_counter() - started)
    for name in ("huge.txt", "huge_copy.txt"):  # do not keep 100 MB in pytest's temp folders
        (raw / "bad" / name).unlink(missing_ok=True)


@pytest.fixture(scope="module")
def marts(bad_build):
    assert bad_build.proc.returncode == 0, bad_build.proc.stderr[-3000:]
    con = duckdb.connect(str(bad_build.warehouse), read_only=True)
    yield con
    con.close()


def test_build_exits_0_and_records_every_file(bad_build, marts):
    n = len(list_raw_files(bad_build.raw))
    assert n == len(SEEDS) + len(bad_build.cases)
    assert f"reports read: {n}" in bad_build.proc.stdout
    assert "Traceback" not in bad_build.proc.stderr
    files = {r[0] for r in marts.execute("SELECT source_file FROM marts.dim_report").fetchall()}
    assert files == set(SEEDS) | set(bad_build.cases)


def test_each_bad_input_is_recorded_with_its_reason(bad_build, marts):
    problems, table = [], []
    for rel, case in bad_build.cases.items():
        row = marts.execute("SELECT parse_status, encoding, report_id FROM marts.dim_report WHERE source_file = ?",
                            [rel]).fetchone()
        if row is None:
            problems.append(f"{case.name} ({rel}): no row in dim_report")
            continue
        status, encoding, report_id = row
        issues = marts.execute("SELECT severity, check_name, message FROM marts.report_issues "
                               "WHERE report_id = ? ORDER BY severity, check_name", [report_id]).fetchall()
        statuses = case.status if isinstance(case.status, tuple) else (case.status,)
        if status not in statuses:
            problems.append(f"{case.name}: parse_status {status}, expected {statuses}")
        if case.encoding != "any" and encoding != case.encoding:
            problems.append(f"{case.name}: encoding {encoding}, expected {case.encoding}")
        if case.check is not None:
            hits = [i for i in issues if i[1] == case.check and case.message in i[2]]
            if not hits:
                problems.append(f"{case.name}: no {case.check} issue with {case.message!r}; has {issues}")
        if status == "failed" and not any(i[0] in ("error", "warning") for i in issues):
            problems.append(f"{case.name}: failed without an error or warning saying why")
        reason = next((f"{i[1]}: {i[2]}" for i in issues if i[1] == case.check), "-")
        table.append(f"{case.name:40} {status:9} {encoding or '-':8} {reason[:110]}")
    print("\n" + "\n".join(table))
    assert not problems, "\n".join(problems)


def test_seeds_build_as_they_do_alone(marts, built_warehouse):
    """Each seed's report row and facts equal those of the session's build of data/raw/."""
    alone = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        for seed in SEEDS:
            sql = ("SELECT report_id, agency_id, year, template, layout, encoding, parse_status, is_selected, "
                   "published_date FROM marts.dim_report WHERE source_file = ?")
            mine, theirs = marts.execute(sql, [seed]).fetchone(), alone.execute(sql, [seed]).fetchone()
            assert mine == theirs, seed
            assert mine[-2], f"{seed} is not selected"
            for mart, cols in FACTS.items():
                q = f"SELECT {cols} FROM marts.{mart} WHERE report_id = ? ORDER BY ALL"
                assert marts.execute(q, [mine[0]]).fetchall() == alone.execute(q, [mine[0]]).fetchall(), (seed, mart)
    finally:
        alone.close()


@pytest.mark.parametrize("seed", [s for s in SEEDS if (GOLDEN_DIR / f"{Path(s).stem}.json").exists()])
def test_seed_golden_values_spot_check(marts, seed):
    golden = json.loads((GOLDEN_DIR / f"{Path(seed).stem}.json").read_text())
    report_id, year, agency = marts.execute(
        "SELECT r.report_id, r.year, a.agency_name FROM marts.dim_report r JOIN marts.dim_agency a USING (agency_id) "
        "WHERE r.source_file = ?", [seed]).fetchone()
    assert (year, agency) == (golden["year"], golden["agency"])
    expected = golden.get("applications", {}).get("new_received")
    if expected is None:  # pre-2019: the applications received, via the legacy crosswalk
        expected_total = golden.get("facts", {}).get("applications_received")
        if expected_total is None:
            pytest.skip("no applications figure in this golden file")
        got = marts.execute("SELECT new_received FROM marts.fct_applications WHERE report_id = ? "
                            "AND applicant_type = 'total'", [report_id]).fetchone()
        assert got[0] == expected_total
        return
    got = dict(marts.execute("SELECT applicant_type, new_received FROM marts.fct_applications WHERE report_id = ?",
                             [report_id]).fetchall())
    assert [got[a] for a in APPLICANTS] == expected


@pytest.mark.parametrize("copy, seed", [
    ("bad/gbk.txt", "003_0e7b839799d88c56.txt"),
    ("bad/big5.txt", "000_163667a5158eaada.txt"),
    ("bad/utf16.txt", "004_4455f420e810b9a4.txt"),
    ("bad/nul.txt", "002_2dd042ee9b6b28f7.txt"),
    ("bad/sub dir/汉阳 统计局/2011 年度 报告.txt", "002_2dd042ee9b6b28f7.txt"),
])
def test_reencoded_and_moved_copies_read_like_their_seed(marts, copy, seed):
    """GBK, Big5 and UTF-16 without declaration, NUL bytes, a path with spaces and
    Chinese names: another year of the seed's agency, with the seed's figures."""
    ids = dict(marts.execute("SELECT source_file, report_id FROM marts.dim_report WHERE source_file IN (?, ?)",
                             [copy, seed]).fetchall())
    agencies = marts.execute("SELECT count(DISTINCT agency_id), count(DISTINCT year), bool_and(is_selected) "
                             "FROM marts.dim_report WHERE source_file IN (?, ?)", [copy, seed]).fetchone()
    assert agencies == (1, 2, True)
    for mart, cols in FACTS.items():
        q = f"SELECT {cols} FROM marts.{mart} WHERE report_id = ? ORDER BY ALL"
        got = marts.execute(q, [ids[copy]]).fetchall()
        assert got and got == marts.execute(q, [ids[seed]]).fetchall(), mart


def test_duplicates_leave_the_seed_selected(marts):
    rows = {r[0]: r[1:] for r in marts.execute(
        "SELECT source_file, parse_status, is_selected, candidate_count, report_id FROM marts.dim_report "
        "WHERE source_file IN ('002_2dd042ee9b6b28f7.txt', 'bad/copy of 002.txt', "
        "'003_0e7b839799d88c56.txt', 'bad/same agency-year.txt')").fetchall()}
    # byte-identical: its own report_id, recorded, not parsed, not a candidate
    assert rows["bad/copy of 002.txt"][:2] == ("failed", False)
    assert rows["bad/copy of 002.txt"][3] != rows["002_2dd042ee9b6b28f7.txt"][3]
    assert rows["002_2dd042ee9b6b28f7.txt"][1]
    # a second, worse file for 003's agency-year: kept, not selected, and told why
    assert rows["003_0e7b839799d88c56.txt"][1:3] == (True, 2)
    assert rows["bad/same agency-year.txt"][1:3] == (False, 2)
    message = marts.execute("SELECT message FROM marts.report_issues WHERE source_file = 'bad/same agency-year.txt' "
                            "AND check_name = 'not_selected'").fetchone()[0]
    assert "003_0e7b839799d88c56.txt was selected" in message


def test_symlink_target_is_not_read(bad_build, marts):
    row = marts.execute("SELECT file_size_bytes, encoding, layout FROM marts.dim_report "
                        "WHERE source_file = 'bad/link.txt'").fetchone()
    assert row == (0, None, "unknown")
    assert marts.execute("SELECT count(*) FROM marts.report_issues WHERE message LIKE '%must never be read%'"
                         ).fetchone()[0] == 0


def test_parse_time_is_bounded(bad_build):
    """The whole parse (100 MB file included) from the build's progress lines, and
    each file on its own."""
    stamps = {m.group(2): float(m.group(1)) for m in
              re.finditer(r"^\[\s*([\d.]+)s\] (parse|load):", bad_build.proc.stderr, re.M)}
    assert stamps["load"] - stamps["parse"] < 20, stamps
    raw = bad_build.raw
    duplicates = find_duplicates(list_raw_files(raw), raw)
    slow = {}
    for path in list_raw_files(raw):
        started = time.perf_counter()
        read_one(path, raw, duplicates.get(str(path)))
        seconds = time.perf_counter() - started
        if seconds > 3:
            slow[path.relative_to(raw).as_posix()] = round(seconds, 2)
    assert not slow


def test_unreadable_by_permissions(bad_build, marts):
    """chmod 000 is a real read failure only when the build cannot override file
    permissions: not root, or root run through setpriv without CAP_DAC_OVERRIDE /
    CAP_DAC_READ_SEARCH. (bad/unreadable.txt, a FIFO, is unreadable in any case.)"""
    if "bad/no permission.txt" not in bad_build.cases:
        pytest.skip("running as root without setpriv: chmod 000 does not stop reads, so the case would "
                    "test nothing (bad/unreadable.txt, a FIFO, covers an unreadable file)")
    row = marts.execute("SELECT d.parse_status, i.check_name, i.message FROM marts.dim_report d "
                        "JOIN marts.report_issues i USING (report_id) WHERE d.source_file = 'bad/no permission.txt'"
                        ).fetchall()
    assert row == [("failed", "unreadable", "cannot read the file: Permission denied")]
