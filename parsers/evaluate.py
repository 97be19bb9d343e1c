"""Score parsed reports against hand-read truth files (the golden JSON shape).

Every truth cell is one of: correct; missing (NULL where truth has a value);
wrong but flagged (the report carries a warning/error issue on that row or an
identity); wrong and NOT flagged — *silent*, the worst outcome. Agency and year
are scored per file. Reports can come from a built warehouse (the marts) or
straight from the parser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from parsers.vocabulary import APPLICANT_TYPES, RESULTS

TABLES = ("applications", "outcomes", "litigation")


@dataclass
class FileScore:
    truth_file: str
    source_file: str | None
    agency_ok: bool = False
    year_ok: bool = False
    compared: int = 0
    correct: int = 0
    missing: int = 0
    wrong_flagged: int = 0
    wrong_silent: int = 0
    details: list[str] = field(default_factory=list)


def score_report(truth: dict, got: dict | None, flagged_rows: set[str], truth_name: str) -> FileScore:
    """flagged_rows: 'table.row' locations with a warning/error, or '*' for a report-wide identity break."""
    score = FileScore(truth_name, got.get("source_file") if got else None)
    if got is None:
        score.details.append("report not found")
    got = got or {}
    score.agency_ok = got.get("agency") == truth.get("agency")
    score.year_ok = got.get("year") == truth.get("year")
    for table in TABLES:
        for row, values in (truth.get(table) or {}).items():
            if values is None:
                continue
            printed = (got.get(table) or {}).get(row) or [None] * len(values)
            cols = RESULTS if table == "litigation" else APPLICANT_TYPES
            for col, want, have in zip(cols, values, printed):
                if want is None:
                    continue
                score.compared += 1
                if have == want:
                    score.correct += 1
                elif have is None:
                    score.missing += 1
                elif f"{table}.{row}" in flagged_rows or "*" in flagged_rows:
                    score.wrong_flagged += 1
                    score.details.append(f"{table}.{row}.{col}: {have} (truth {want}), flagged")
                else:
                    score.wrong_silent += 1
                    score.details.append(f"{table}.{row}.{col}: {have} (truth {want}) SILENT")
    return score


def reports_from_warehouse(path: Path) -> dict[str, tuple[dict, set[str]]]:
    """source_file → (golden-shaped dict, flagged rows), read from the marts."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out: dict[str, tuple[dict, set[str]]] = {}
        reports = con.execute("""
            select r.report_id, r.source_file, a.agency_name, r.year
            from marts.dim_report r left join marts.dim_agency a using (agency_id)""").fetchall()
        for rid, src, agency, year in reports:
            out[src] = ({"source_file": src, "agency": agency, "year": year}, set())
        by_id = {rid: src for rid, src, *_ in reports}
        for rid, applicant, new, over, fwd, processed in con.execute(
                "select report_id, applicant_type, new_received, carried_over, carried_forward, processed "
                "from marts.fct_applications").fetchall():
            d = out[by_id[rid]][0]
            i = APPLICANT_TYPES.index(applicant)
            for row, v in (("new_received", new), ("carried_over", over), ("carried_forward", fwd)):
                d.setdefault("applications", {}).setdefault(row, [None] * 7)[i] = v
        for rid, applicant, code, count in con.execute(
                "select report_id, applicant_type, outcome_code, count from marts.fct_outcomes").fetchall():
            out[by_id[rid]][0].setdefault("outcomes", {}).setdefault(code, [None] * 7)[APPLICANT_TYPES.index(applicant)] = count
        for rid, proceeding, result, count in con.execute(
                "select report_id, proceeding, result, count from marts.fct_litigation").fetchall():
            out[by_id[rid]][0].setdefault("litigation", {}).setdefault(proceeding, [None] * 5)[RESULTS.index(result)] = count
        for rid, location, check in con.execute(
                "select report_id, location, check_name from marts.report_issues "
                "where severity in ('warning', 'error')").fetchall():
            if rid in by_id:
                flags = out[by_id[rid]][1]
                flags.add("*" if check.startswith("identity_") else ".".join((location or "").split(".")[:2]))
        return out
    finally:
        con.close()


def reports_from_parser(raw_dir: Path) -> dict[str, tuple[dict, set[str]]]:
    from parsers.batch import list_raw_files
    from parsers.render import report_as_dict
    out = {}
    for path in list_raw_files(raw_dir):
        d = report_as_dict(path)
        flags = {("*" if i["check_name"].startswith("identity_") else ".".join((i["location"] or "").split(".")[:2]))
                 for i in d["issues"] if i["severity"] in ("warning", "error")}
        out[path.relative_to(raw_dir).as_posix()] = (d, flags)
    return out


def evaluate(truth_dirs: list[Path], reports: dict[str, tuple[dict, set[str]]]) -> list[FileScore]:
    by_stem = {Path(src).stem: src for src in reports}
    scores = []
    for truth_dir in truth_dirs:
        for truth_path in sorted(Path(truth_dir).glob("*.json")):
            truth = json.loads(truth_path.read_text())
            src = by_stem.get(truth_path.stem)
            got, flags = reports.get(src, (None, set()))
            scores.append(score_report(truth, got, flags, truth_path.name))
    return scores


def summary(scores: list[FileScore]) -> dict:
    total = {k: sum(getattr(s, k) for s in scores)
             for k in ("compared", "correct", "missing", "wrong_flagged", "wrong_silent")}
    total["files"] = len(scores)
    total["agency_correct"] = sum(s.agency_ok for s in scores)
    total["year_correct"] = sum(s.year_ok for s in scores)
    total["cell_accuracy"] = round(total["correct"] / total["compared"], 4) if total["compared"] else None
    return total


def format_report(scores: list[FileScore]) -> str:
    lines = [f"{'truth file':<32} {'agency':>6} {'year':>4} {'cells':>6} {'ok':>6} {'miss':>5} {'flag':>5} {'SILENT':>6}"]
    for s in scores:
        lines.append(f"{s.truth_file:<32} {'ok' if s.agency_ok else 'WRONG':>6} {'ok' if s.year_ok else 'WRONG':>4} "
                     f"{s.compared:>6} {s.correct:>6} {s.missing:>5} {s.wrong_flagged:>5} {s.wrong_silent:>6}")
        lines.extend(f"    {d}" for d in s.details[:10])
    t = summary(scores)
    lines.append(json.dumps(t, ensure_ascii=False))
    return "\n".join(lines)
