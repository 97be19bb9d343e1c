"""Parsing each seed directly (no warehouse) gives back the hand-read values."""

import json
from pathlib import Path

import pytest

from parsers.render import report_as_dict

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT.parent / "shared" / "golden").glob("*.json"))


@pytest.mark.parametrize("golden_path", GOLDEN, ids=lambda p: p.stem)
def test_seed_tables_match_golden(golden_path):
    golden = json.loads(golden_path.read_text())
    got = report_as_dict(ROOT / "data" / "raw" / (golden_path.stem + ".txt"))
    assert (got["agency"], got["year"], got["template"]) == (golden["agency"], golden["year"], golden["template"])
    for table in ("applications", "outcomes", "litigation"):
        for row, values in golden.get(table, {}).items():
            assert got.get(table, {}).get(row) == values, f"{table}.{row}"
    assert got["parse_status"] in ("ok", "repaired", "partial")
    # Every cell the parser filled in carries an issue that says how.
    imputed = [i for i in got["issues"] if i["check_name"] == "imputed_cell"]
    if golden_path.stem.startswith("002"):
        assert any(i["location"] == "applications.new_received.natural_person" for i in imputed)


def test_parse_never_raises_on_garbage():
    from parsers.report import parse_report
    for data in (b"", b"\x00\x01\x02", "随便写点什么".encode(), "政府信息公开 一、本年新收政府信息公开申请数量 9999".encode()):
        parsed = parse_report(data, "x.txt")
        assert parsed.report["parse_status"] in ("failed", "partial")


def test_files_that_cannot_be_read_are_recorded_with_distinct_ids(tmp_path):
    from parsers.batch import parse_files
    (tmp_path / "real.txt").write_text("政府信息公开工作年度报告", encoding="utf-8")
    (tmp_path / "link1.txt").symlink_to("/etc/hostname")
    (tmp_path / "link2.txt").symlink_to("/etc/hosts")
    batch = parse_files(tmp_path)
    reports = {r["source_file"]: r for r in batch.reports.to_dicts()}
    assert set(reports) == {"real.txt", "link1.txt", "link2.txt"}
    assert batch.reports["report_id"].n_unique() == 3
    checks = {i["source_file"]: i["check_name"] for i in batch.issues.to_dicts()}
    assert checks["link1.txt"] == checks["link2.txt"] == "symlink_skipped"
    assert reports["link1.txt"]["parse_status"] == "failed"


def test_several_empty_files_get_distinct_report_ids(tmp_path):
    from parsers.batch import parse_files
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_bytes(b"")
    batch = parse_files(tmp_path)
    assert batch.reports["report_id"].n_unique() == 3
    assert set(batch.issues["check_name"]) == {"empty_file", "duplicate_file"}
