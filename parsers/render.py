"""A parsed report as a nested dict in the shape of the hand-read truth files
(`../shared/golden/*.json`): what `ogi parse` prints and what `ogi eval` compares."""

from __future__ import annotations

from pathlib import Path

from parsers.report import ParsedReport, parse_report
from parsers.vocabulary import APPLICANT_TYPES, RESULTS


def report_as_dict(path: Path) -> dict:
    path = Path(path)
    return parsed_as_dict(parse_report(path.read_bytes(), path.name))


def parsed_as_dict(parsed: ParsedReport) -> dict:
    r = parsed.report
    out = {
        "report_id": r["report_id"], "source_file": r["source_file"],
        "agency": r["agency_name"], "agency_name_raw": r["agency_name_raw"], "year": r["year"],
        "template": r["template"], "layout": r["layout"], "encoding": r["encoding"],
        "parse_status": r["parse_status"],
        "region": {"province": r["province"], "city": r["city"], "county": r["county"], "adcode": r["adcode"]},
        "published": r["published_date"].isoformat() if r["published_date"] else None,
    }
    grids: dict[str, dict] = {}
    for c in parsed.cells:
        if c.table_name in ("applications", "outcomes", "litigation"):
            cols = RESULTS if c.table_name == "litigation" else APPLICANT_TYPES
            row = grids.setdefault(c.table_name, {}).setdefault(c.row_code, [None] * len(cols))
            row[cols.index(c.col_code)] = c.value
        elif c.table_name == "disclosure":
            grids.setdefault("disclosure", {}).setdefault(c.row_code, {})[c.col_code] = c.value
        else:
            grids.setdefault("facts", {})[c.row_code] = c.value
    out.update(grids)
    out["issues"] = [{"severity": i.severity, "check_name": i.check_name, "location": i.location,
                      "message": i.message} for i in parsed.issues]
    return out
