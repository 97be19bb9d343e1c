"""Score parsed reports against hand-read truth files (the golden JSON shape).

Every truth cell is one of: correct; missing (NULL where truth has a value);
wrong but flagged (the report carries a warning/error issue on that row or an
identity); wrong and NOT flagged — *silent*, the worst outcome. Agency and year
are scored per file. Reports can come from a built warehouse (the marts) or
straight from the parser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from parsers.vocabulary import APPLICANT_TYPES, RESULTS

TABLES = ("applications", "outcomes", "litigation")

# Pre-2019 facts: the truth files name them ad hoc. These names (this year's
# figures only, never *_cumulative) mean the same as the parser's legacy facts.
TRUTH_FACT_ALIASES = [
    (r"(applications_received|stat_applications)(_\d{4})?", "applications_received"),
    (r"stat_reply_agree(_\d{4})?", "granted"),
    (r"stat_reply_partial(_\d{4})?", "partially_granted"),
    (r"stat_reply_reject(_\d{4})?", "denied"),
    (r"(admin_review_applications|stat_admin_review(_\d{4})?)", "administrative_reviews"),
    (r"stat_admin_litigation(_\d{4})?", "lawsuits"),
    (r"(fees|fees_charged|fees_collected)", "fees_collected"),
]
# A legacy fact → (mart, condition, column) it lands in (see the legacy_crosswalk seed).
LEGACY_FACT_TARGETS = {
    "applications_received": ("fct_applications", "applicant_type = 'total'", "new_received"),
    "applications_answered": ("fct_applications", "applicant_type = 'total'", "processed"),
    "carried_forward": ("fct_applications", "applicant_type = 'total'", "carried_forward"),
    "already_public": ("fct_outcomes", "outcome_code = 'legacy_already_public'", "count"),
    "granted": ("fct_outcomes", "outcome_code = 'granted' and applicant_type = 'total'", "count"),
    "partially_granted": ("fct_outcomes", "outcome_code = 'partially_granted' and applicant_type = 'total'", "count"),
    "denied": ("fct_outcomes", "outcome_code = 'legacy_denied'", "count"),
    "administrative_reviews": ("fct_litigation", "proceeding = 'review' and result = 'total'", "count"),
    "lawsuits": ("fct_litigation", "proceeding = 'suit' and result = 'total'", "count"),
    "fees_collected": ("fct_disclosure", "item = 'fees_collected' and measure = 'amount_yuan'", "value"),
    "proactive_items": ("fct_disclosure", "item = 'proactive_items' and measure = 'count'", "value"),
}
DISCLOSURE_FACTS = {"fees_collected": ("fees_collected", "amount_yuan"), "proactive_items": ("proactive_items", "count")}


def legacy_fact_target(fact: str) -> tuple[str, str, str]:
    if fact in LEGACY_FACT_TARGETS:
        return LEGACY_FACT_TARGETS[fact]
    if fact.startswith("denied_"):
        return "fct_outcomes", f"outcome_code = 'legacy_{fact}'", "count"
    raise KeyError(fact)


def canonical_fact(truth_name: str) -> str | None:
    for pattern, fact in TRUTH_FACT_ALIASES:
        if re.fullmatch(pattern, truth_name):
            return fact
    try:
        legacy_fact_target(truth_name)
        return truth_name
    except KeyError:
        return None


def _got_fact(got: dict, fact: str):
    if fact in DISCLOSURE_FACTS:
        item, measure = DISCLOSURE_FACTS[fact]
        return ((got.get("disclosure") or {}).get(item) or {}).get(measure)
    return (got.get("facts") or {}).get(fact)


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
    not_selected: bool = False  # warehouse only: another file is the agency-year's, so no facts by design
    details: list[str] = field(default_factory=list)


def score_report(truth: dict, got: dict | None, flagged_rows: set[str], truth_name: str) -> FileScore:
    """flagged_rows: 'table.row' locations with a warning/error, or '*' for a report-wide identity break."""
    score = FileScore(truth_name, got.get("source_file") if got else None)
    if got is None:
        score.details.append("report not found")
    got = got or {}
    score.agency_ok = got.get("agency") == truth.get("agency")
    score.year_ok = got.get("year") == truth.get("year")
    if got.get("not_selected"):
        score.not_selected = True
        score.details.append("not selected: another file is this agency-year's, its values are not in the facts")
        return score
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
    for name, want in (truth.get("facts") or {}).items():
        fact = canonical_fact(name)
        want = want.get("value") if isinstance(want, dict) else want
        if fact is None or want is None:
            continue  # a figure the warehouse does not model (e.g. proactive categories)
        score.compared += 1
        have = _got_fact(got, fact)
        if have == want:
            score.correct += 1
        elif have is None:
            score.missing += 1
        elif f"legacy.{fact}" in flagged_rows:
            score.wrong_flagged += 1
            score.details.append(f"facts.{name}: {have} (truth {want}), flagged")
        else:
            score.wrong_silent += 1
            score.details.append(f"facts.{name}: {have} (truth {want}) SILENT")
    return score


def reports_from_warehouse(path: Path) -> dict[str, tuple[dict, set[str]]]:
    """source_file → (golden-shaped dict, flagged rows), read from the marts."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out: dict[str, tuple[dict, set[str]]] = {}
        # The agency as read from this file (dim_report.agency_name); dim_agency holds
        # one name per agency across its files, which may be another of its spellings.
        reports = con.execute("""
            select report_id, source_file, agency_name, year, parse_status <> 'failed' and not is_selected
            from marts.dim_report""").fetchall()
        for rid, src, agency, year, not_selected in reports:
            out[src] = ({"source_file": src, "agency": agency, "year": year, "not_selected": not_selected}, set())
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
        for fact in (*LEGACY_FACT_TARGETS, *(f"denied_{r}" for r in (
                "state_secret", "trade_secret", "personal_privacy", "process_info", "not_this_agency",
                "not_exist", "unclear_or_redirected", "other"))):
            table, condition, column = legacy_fact_target(fact)
            for rid, value in con.execute(f"select report_id, {column} from marts.{table} where {condition}").fetchall():
                d = out[by_id[rid]][0]
                if fact in DISCLOSURE_FACTS:
                    item, measure = DISCLOSURE_FACTS[fact]
                    d.setdefault("disclosure", {}).setdefault(item, {})[measure] = value
                else:
                    d.setdefault("facts", {})[fact] = value
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
    total["files_not_selected"] = sum(s.not_selected for s in scores)
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
