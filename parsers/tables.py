"""Tables 二, 三 and 四 of the 2019/2021 form: tokens → cells and issues."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers import vocabulary as V
from parsers.form import (FoundRow, LabelIndex, Slot, find_rows, placement_candidates, slots_between,
                          split_candidates)
from parsers.solver import Identity, RowInput, solve
from parsers.tokens import Token

TEN_THOUSAND = 10_000


@dataclass
class Issue:
    severity: str
    check_name: str
    location: str | None
    message: str


@dataclass
class Cell:
    table_name: str
    row_code: str
    col_code: str
    value: int | None
    raw_text: str | None
    is_imputed: bool = False


@dataclass
class TableRead:
    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def detect_template(index: LabelIndex) -> str | None:
    if V.TEMPLATE_2021_MARKERS.search(index.text):
        return "2021"
    if V.TEMPLATE_2019_MARKERS.search(index.text):
        return "2019"
    return None


# ------------------------------------------------------------------ identities

def _keys(table: str, row: str, cols) -> list[tuple[str, str, str]]:
    return [(table, row, c) for c in cols]


def table3_identities(rows: list[FoundRow], specs) -> list[Identity]:
    present = {(r.table, r.code) for r in rows}
    idents = []
    for r in rows:  # (2) six applicant columns add up to the total
        ks = _keys(r.table, r.code, V.APPLICANT_TYPES)
        idents.append(Identity("identity_row_total", f"{r.table}.{r.code}",
                               tuple((k, 1) for k in ks[:-1]) + ((ks[-1], -1),)))
    # Every outcome row of the template, found or not: a row that was not found
    # makes the identity unknown (the solver skips it), never a smaller sum.
    outcome_rows = [s.code for s in specs if s.table == "outcomes" and s.code != "total"]
    for c in V.APPLICANT_TYPES:
        if {("applications", "new_received"), ("applications", "carried_over"),
                ("outcomes", "total"), ("applications", "carried_forward")} <= present:
            idents.append(Identity("identity_column_balance", f"applications.{c}", (
                (("applications", "new_received", c), 1), (("applications", "carried_over", c), 1),
                (("outcomes", "total", c), -1), (("applications", "carried_forward", c), -1))))
        if ("outcomes", "total") in present:
            idents.append(Identity("identity_outcome_total", f"outcomes.{c}",
                                   tuple((("outcomes", r, c), 1) for r in outcome_rows)
                                   + ((("outcomes", "total", c), -1),)))
    return idents


def litigation_identities() -> list[Identity]:
    return [Identity("identity_litigation_total", f"litigation.{p}",
                     tuple((("litigation", p, r), 1) for r in V.RESULTS[:-1])
                     + ((("litigation", p, "total"), -1),)) for p in V.PROCEEDINGS]


# ------------------------------------------------------------------ reading

def _as_count(slot: Slot | None) -> int | None:
    if slot is None or slot.value is None:
        return None
    return int(slot.value) if float(slot.value).is_integer() else None


def _row_candidates(slots: list[Slot], width: int, row_total: bool):
    """Candidate value vectors for a row, and why it was ambiguous (None if not)."""
    numbers = [s for s in slots if s.value is not None]
    if any(s.glued for s in numbers) and len(numbers) < width:
        splits = split_candidates(slots, width, with_total=row_total)
        reason = f"digits run together ({' '.join(s.raw for s in numbers)})"
        return [tuple(_as_count(s) for s in c) for c in splits], reason
    cands = placement_candidates(slots, width)
    reason = None if len(cands) == 1 else f"{len(numbers)} numbers printed for {width} columns"
    return [tuple(_as_count(s) for s in c) for c in cands], reason


def _solve_rows(rows: list[tuple[list, list, str | None, str]], identities, table_read: TableRead):
    """rows: (keys, candidates, ambiguous_reason, raw_text). Writes cells + issues."""
    inputs = [RowInput(keys, cands, reason) for keys, cands, reason, _ in rows]
    res = solve(inputs, identities)
    for (keys, cands, reason, raw), _ in zip(rows, inputs):
        for i, key in enumerate(keys):
            value = res.values.get(key)
            imputed = key in res.imputed and value is not None
            printed = cands[0][i] if len(cands) == 1 else None
            table_read.cells.append(Cell(key[0], key[1], key[2], value,
                                         raw if len(cands) != 1 else (None if printed is None else str(printed)),
                                         imputed))
            if imputed:
                table_read.issues.append(Issue("info", "imputed_cell", ".".join(key),
                                               f"cell not printed; set to {value} by {res.imputed[key]}"))
        if reason and not any(keys == k for k, _ in res.unresolved_rows):
            table_read.issues.append(Issue("info", "row_resolved_by_identities", f"{keys[0][0]}.{keys[0][1]}",
                                           f"{reason}; the identities accept exactly one reading"))
    for keys, why in res.unresolved_rows:
        table_read.issues.append(Issue("warning", "row_unresolved", f"{keys[0][0]}.{keys[0][1]}",
                                       f"cells left NULL: {why}"))
    for ident in res.broken:
        terms = " + ".join(f"{'-' if c < 0 else ''}{k[1]}.{k[2]}={res.values[k]}" for k, c in ident.terms)
        table_read.issues.append(Issue("error", ident.check_name, ident.location,
                                       f"identity does not hold: {terms} ≠ 0"))


def read_table3_and_4(tokens: list[Token], index: LabelIndex, template: str) -> TableRead:
    out = TableRead()
    start = index.find(V.TABLE3_START)
    start_char = start.end_char if start else 0
    specs = V.table3_rows(template)
    found = find_rows(tokens, index, specs, start_char)
    if not any(r.code == "new_received" for r in found) and not any(r.code == "total" for r in found):
        out.issues.append(Issue("error", "table_missing", "table3",
                                "table 三 (收到和处理政府信息公开申请情况) was not found"))
        return out
    missing = [s.code for s in specs if not any(r.code == s.code and r.table == s.table for r in found)]
    for code in missing:
        out.issues.append(Issue("warning", "row_missing", f"table3.{code}", "row label not found; its cells are NULL"))
    rows = []
    for r in found:
        cands, reason = _row_candidates(r.slots, 7, row_total=True)
        if not cands:
            cands, reason = [(None,) * 7], f"{reason}; no split fits"
        rows.append((_keys(r.table, r.code, V.APPLICANT_TYPES), cands, reason,
                     " ".join(s.raw or "_" for s in r.slots)))
    _solve_rows(rows, table3_identities(found, specs), out)
    last = found[-1]
    _read_litigation(tokens, index, last, out)
    return out


def _read_litigation(tokens: list[Token], index: LabelIndex, after: FoundRow, out: TableRead) -> None:
    begin = index.find(V.TABLE4_START, index.char_of_token(after.label_token + 1))
    if begin is None:
        out.issues.append(Issue("error", "table_missing", "table4", "table 四 (行政复议、行政诉讼) was not found"))
        return
    end = index.find(V.TABLE4_END, begin.end_char)
    stop = end.first_token if end else len(tokens)
    slots = slots_between(tokens, begin.last_token + 1, stop)
    keys = [("litigation", p, r) for p, r in V.LITIGATION_COLUMNS]
    cands, reason = _row_candidates(slots, len(keys), row_total=False)
    if not cands:
        cands, reason = [(None,) * len(keys)], f"{reason}; no split fits"
    raw = " ".join(s.raw or "_" for s in slots)
    if len([s for s in slots if s.value is not None]) > len(keys):
        out.issues.append(Issue("warning", "extra_numbers", "litigation",
                                f"{len(slots)} numbers printed for {len(keys)} cells: {raw}"))
    _solve_rows([(keys, cands, reason, raw)], litigation_identities(), out)


def read_table2(tokens: list[Token], index: LabelIndex, template: str) -> TableRead:
    out = TableRead()
    start = index.find(V.TABLE2_START)
    begin_char = start.end_char if start else 0
    end = index.find(V.TABLE3_START, begin_char)
    specs = V.disclosure_rows(template)
    found = find_rows(tokens, index, specs, begin_char, end.start_char if end else None)
    if not found:
        out.issues.append(Issue("warning", "table_missing", "table2", "table 二 (主动公开政府信息情况) was not found"))
        return out
    prev_char = begin_char
    for r in found:
        label_char = index.char_of_token(r.label_token)
        header = index.text[prev_char:label_char]
        prev_char = label_char
        numbers = [s for s in r.slots if s.value is not None]
        width = len(r.columns)
        slots = r.slots if len(r.slots) == width else numbers
        if len(slots) != width:
            out.issues.append(Issue("warning", "row_unresolved", f"disclosure.{r.code}",
                                    f"{len(numbers)} numbers printed for {width} cells; cells left NULL"))
            slots = [None] * width
        for measure, slot in zip(r.columns, slots):
            value, issue = _disclosure_value(measure, slot, header)
            if issue:
                out.issues.append(Issue("warning", issue[0], f"disclosure.{r.code}.{measure}", issue[1]))
            out.cells.append(Cell("disclosure", r.code, measure, value, slot.raw if slot else None))
    return out


def _disclosure_value(measure: str, slot: Slot | None, header: str):
    if slot is None or slot.value is None:
        return None, None
    if measure != "amount_yuan":
        if not float(slot.value).is_integer():
            return None, ("garbled_cell", f"count printed as {slot.raw}")
        return int(slot.value), None
    unit = slot.unit or ("万元" if "万元" in header else ("元" if "(元)" in header or "单位:元" in header else None))
    if unit == "万元":
        return round(slot.value * TEN_THOUSAND), None
    if unit == "元":
        return round(slot.value), None
    if slot.value == 0:
        return 0, None
    return None, ("unit_unknown", f"amount {slot.raw} printed without a unit (元 or 万元); left NULL")
