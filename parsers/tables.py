"""Tables 二, 三 and 四 of the 2019/2021 form: tokens → cells and issues."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import add
from typing import NamedTuple

from parsers import vocabulary as V
from parsers.form import (MAX_CANDIDATES, FoundRow, LabelIndex, Slot, _label_start, find_rows, is_label,
                          placement_candidates, slots_between, split_vectors)
from parsers.solver import Identity, RowInput, solve
from parsers.tokens import _STARTS_ROW, TEXT, Token

TEN_THOUSAND = 10_000


@dataclass(slots=True)
class Issue:
    severity: str
    check_name: str
    location: str | None
    message: str


class Cell(NamedTuple):
    """One row of raw.cells. A tuple: a report has ~80 of them, and tuples are made
    and turned into columns (`parsers.batch._frames`) much faster than objects."""
    table_name: str
    row_code: str
    col_code: str
    value: int | None
    raw_text: str | None
    is_imputed: bool = False


# Cell from one tuple of its six fields, (table, row, col) + (value, raw_text, is_imputed):
# what Cell(...) makes, without a Python-level call per cell (the tables' hot loop).
_cell_of = partial(tuple.__new__, Cell)


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


def may_name_a_template(cells: list[str | None]) -> bool:
    """False when `detect_template` is None for these cells whatever their tokens.

    The label index is made of the text of label tokens without whitespace; a run of
    them joined without a separator is a run of consecutive tokens, whose texts are
    consecutive characters of the cells (tokenising drops only whitespace, and a
    number or dash between two texts is a token of its own, which ends the run). So
    a marker found in the index is found in the cells run together without
    whitespace. (The markers are plain words: vocabulary.TEMPLATE_*_MARKERS.)"""
    return _names_a_marker("".join("".join(filter(None, cells)).split()))  # the same: all whitespace dropped


def may_name_a_template_in_lines(text: str) -> bool:
    """`may_name_a_template(split_cells(text, layout))` for the layouts whose cells are
    the text split at newlines, tabs and |, without making the cells: those cells run
    together are the text without \n, \t and | (cells of whitespace only drop out
    with the whitespace), and every whitespace character is dropped in both."""
    return _names_a_marker("".join(text.replace("|", "").split()))


def _names_a_marker(run: str) -> bool:
    return bool(V.TEMPLATE_2021_MARKERS.search(run) or V.TEMPLATE_2019_MARKERS.search(run))


# ------------------------------------------------------------------ identities

_INTERNED: dict[tuple[str, str, str], tuple[str, str, str]] = {}


def _key(table: str, row: str, col: str) -> tuple[str, str, str]:
    """One tuple object per cell key (a few hundred exist): the rows' keys and the
    identities' are the same objects, which the solver's dict lookups then compare by
    identity, not item by item."""
    key = (table, row, col)
    return _INTERNED.setdefault(key, key)


@lru_cache(maxsize=1024)
def _keys(table: str, row: str, cols: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple(_key(table, row, c) for c in cols)


def table3_identities(rows: list[FoundRow], specs) -> list[Identity]:
    # Every outcome row of the template, found or not: a row that was not found
    # makes the identity unknown (the solver skips it), never a smaller sum.
    outcome_rows = tuple(s.code for s in specs if s.table == "outcomes" and s.code != "total")
    return list(_table3_identities(tuple((r.table, r.code) for r in rows), outcome_rows))


@lru_cache(maxsize=256)
def _table3_identities(rows: tuple[tuple[str, str], ...], outcome_rows: tuple[str, ...]) -> tuple[Identity, ...]:
    """The identities of table 三 given the rows found (few distinct sets occur: cached)."""
    present = set(rows)
    idents = []
    for table, code in rows:  # (2) six applicant columns add up to the total
        ks = _keys(table, code, V.APPLICANT_TYPES)
        idents.append(Identity("identity_row_total", f"{table}.{code}",
                               tuple((k, 1) for k in ks[:-1]) + ((ks[-1], -1),)))
    for c in V.APPLICANT_TYPES:
        if {("applications", "new_received"), ("applications", "carried_over"),
                ("outcomes", "total"), ("applications", "carried_forward")} <= present:
            idents.append(Identity("identity_column_balance", f"applications.{c}", (
                (_key("applications", "new_received", c), 1), (_key("applications", "carried_over", c), 1),
                (_key("outcomes", "total", c), -1), (_key("applications", "carried_forward", c), -1))))
        if ("outcomes", "total") in present:
            idents.append(Identity("identity_outcome_total", f"outcomes.{c}",
                                   tuple((_key("outcomes", r, c), 1) for r in outcome_rows)
                                   + ((_key("outcomes", "total", c), -1),)))
    return tuple(idents)


@lru_cache(maxsize=1)
def _litigation_identities() -> tuple[Identity, ...]:
    return tuple(Identity("identity_litigation_total", f"litigation.{p}",
                          tuple((_key("litigation", p, r), 1) for r in V.RESULTS[:-1])
                          + ((_key("litigation", p, "total"), -1),)) for p in V.PROCEEDINGS)


def litigation_identities() -> list[Identity]:
    return list(_litigation_identities())


# ------------------------------------------------------------------ reading

def _as_count(slot: Slot | None) -> int | None:
    if slot is None or slot.value is None:
        return None
    if type(slot.value) is int and -_BIG < slot.value < _BIG:  # the common case, as below without float()
        return slot.value
    return int(slot.value) if float(slot.value).is_integer() else None


_BIG = 1 << 1000  # float() of a count this large may fail (as it always did: no silent change)


def _row_candidates(slots: list[Slot], width: int, row_total: bool):
    """Candidate value vectors for a row, and why it was ambiguous (None if not)."""
    numbers = [s for s in slots if s.value is not None]
    if len(numbers) < width and any(s.glued for s in numbers):
        splits = split_vectors(slots, width, with_total=row_total)
        reason = f"digits run together ({' '.join(s.raw for s in numbers)})"
        if any(s.raw and len(s.raw) > 300 for s in numbers):  # as _as_count does: float() of a huge count fails
            splits = [tuple(_as_count(Slot(v, None)) for v in c) for c in splits]
        return splits, reason
    cands = placement_candidates(slots, width)
    reason = None if len(cands) == 1 else f"{len(numbers)} numbers printed for {width} columns"
    return [tuple([v if type(v := s and s.value) is int and -_BIG < v < _BIG else _as_count(s) for s in c])
            for c in cands], reason


def _solve_rows(rows: list[tuple[list, list, str | None, str]], identities, table_read: TableRead):
    """rows: (keys, candidates, ambiguous_reason, raw_text). Writes cells + issues."""
    inputs = [RowInput(keys, cands, reason) for keys, cands, reason, _ in rows]
    res = solve(inputs, identities)
    values, imputed_by = res.values, res.imputed
    cells, issues = table_read.cells, table_read.issues
    for keys, cands, reason, raw in rows:
        printed = cands[0] if len(cands) == 1 else None
        blank_by_row: dict[tuple[str, str], int] = {}
        row_values = list(map(values.get, keys))
        if printed is None:
            raws = [raw] * len(keys)
        else:
            raws = list(map(str, printed)) if None not in printed else [None if p is None else str(p) for p in printed]
        if None not in row_values and (not imputed_by or imputed_by.keys().isdisjoint(keys)):
            # The common case, as the loop below: every cell known, none imputed. Each cell is
            # key + (value, raw_text, False), made by C-level maps (no bytecode per cell).
            cells.extend(map(_cell_of, map(add, keys, zip(row_values, raws, itertools.repeat(False)))))
        else:
            _row_cells(keys, row_values, raws, imputed_by, blank_by_row, cells, issues)
        unresolved = any(keys == k for k, _ in res.unresolved_rows)
        if reason and not unresolved and "no split fits" not in reason:
            table_read.issues.append(Issue("info", "row_resolved_by_identities", f"{keys[0][0]}.{keys[0][1]}",
                                           f"{reason}; the identities accept exactly one reading"))
        if not unresolved and (reason is None or "no split fits" not in reason):
            for (table, row), blank in blank_by_row.items():
                if blank:  # NULL is never silent: say that nothing determines these cells
                    table_read.issues.append(Issue("warning", "blank_cells", f"{table}.{row}",
                                                   f"{blank} cell(s) printed blank, as a dash or not at all, "
                                                   "and no identity determines them; left NULL"))
    for keys, why in res.unresolved_rows:
        # One warning per form row: table 四's 15 cells are three rows (review, suits).
        for table, row in dict.fromkeys((k[0], k[1]) for k in keys):
            table_read.issues.append(Issue("warning", "row_unresolved", f"{table}.{row}", f"cells left NULL: {why}"))
        if why.endswith("no reading satisfies the identities"):
            # Under every reading of this row some identity fails: a number printed
            # elsewhere is wrong too, and may sit in a row that looked consistent.
            table_read.issues.append(Issue("error", "identity_no_reading", f"{keys[0][0]}.{keys[0][1]}",
                                           "no reading of this row satisfies the identities, so a printed number "
                                           "of the table is wrong; every value of the table is unsure"))
    for ident in res.broken:
        terms = " + ".join(f"{'-' if c < 0 else ''}{k[1]}.{k[2]}={res.values[k]}" for k, c in ident.terms)
        table_read.issues.append(Issue("error", ident.check_name, ident.location,
                                       f"identity does not hold: {terms} ≠ 0"))


def _row_cells(keys, row_values, raws, imputed_by, blank_by_row, cells: list, issues: list) -> None:
    """The cells of one solved row (and an issue per imputed cell); counts its blanks."""
    for key, value, raw_text in zip(keys, row_values, raws):
        if value is None:
            blank_by_row[key[:2]] = blank_by_row.get(key[:2], 0) + 1
            cells.append(_cell_of(key + (None, raw_text, False)))
        elif key in imputed_by:
            cells.append(_cell_of(key + (value, raw_text, True)))
            issues.append(Issue("info", "imputed_cell", ".".join(key),
                                f"cell not printed; set to {value} by {imputed_by[key]}"))
        else:
            cells.append(_cell_of(key + (value, raw_text, False)))


def read_table3_and_4(tokens: list[Token], index: LabelIndex, template: str) -> TableRead:
    out = TableRead()
    start = index.find(V.TABLE3_START)
    start_char = start.end_char if start else 0
    specs = V.table3_rows(template)
    # Table 三 ends where table 四 begins: its 总计 columns are not table 三's (七)总计 row.
    table4 = index.find(V.TABLE4_START, start_char)
    found = find_rows(tokens, index, specs, start_char, table4.start_char if table4 else None)
    if not any(r.code == "new_received" for r in found) and not any(r.code == "total" for r in found):
        out.issues.append(Issue("error", "table_missing", "table3",
                                "table 三 (收到和处理政府信息公开申请情况) was not found"))
        _read_litigation(tokens, index, start_char, out)  # table 四 may be there all the same
        return out
    found_rows = {(r.table, r.code) for r in found}
    missing = [s.code for s in specs if (s.table, s.code) not in found_rows]
    for code in missing:
        out.issues.append(Issue("warning", "row_missing", f"table3.{code}", "row label not found; its cells are NULL"))
        # The numbers of a row whose label was not found run into the row printed before it.
        k = next(i for i, s in enumerate(specs) if s.code == code)
        before = next((r for s in reversed(specs[:k]) for r in found if (r.table, r.code) == (s.table, s.code)), None)
        if before is not None:
            out.issues.append(Issue("warning", "next_row_missing", f"{before.table}.{before.code}",
                                    f"the label of the next row ({code}) was not found, so its numbers may be "
                                    "read as this row's"))
    _stray_row_starts(tokens, index, found, out)
    rows = []
    for r, nxt in zip(found, found[1:] + [None]):
        printed = [s for s in r.slots if s.value is not None]
        if len(printed) > 7:  # as for table 四: numbers from elsewhere ran in
            out.issues.append(Issue("warning", "extra_numbers", f"{r.table}.{r.code}",
                                    f"{len(printed)} numbers printed for 7 cells: "
                                    + " ".join(s.raw or "_" for s in r.slots)))
            if nxt is not None:  # usually the next row's, its label printed after its numbers (PDF text)
                out.issues.append(Issue("warning", "extra_numbers", f"{nxt.table}.{nxt.code}",
                                        f"the row before ({r.code}) printed {len(printed)} numbers for 7 cells: "
                                        "some may be this row's"))
        cands, reason = _row_candidates(r.slots, 7, row_total=True)
        if not cands:
            cands, reason = [(None,) * 7], f"{reason}; no split fits"
            out.issues.append(Issue("warning", "row_unresolved", f"{r.table}.{r.code}", f"cells left NULL: {reason}"))
        rows.append((_keys(r.table, r.code, V.APPLICANT_TYPES), cands, reason,
                     " ".join(s.raw or "_" for s in r.slots)))
    identities = table3_identities(found, specs)
    _solve_rows(rows, identities, out)
    _unconfirmed_splits(rows, identities, out)
    last = found[-1]
    if not _read_litigation(tokens, index, index.char_of_token(last.label_token + 1), out):
        out.issues.append(Issue("warning", "text_may_end_here", f"{last.table}.{last.code}",
                                "table 四 does not follow this row: if the text was cut off here, "
                                "this row's cells are incomplete"))
    return out


def _stray_row_starts(tokens: list[Token], index: LabelIndex, found: list[FoundRow], out: TableRead) -> None:
    """A text that starts a row of its own (3.补正后申请内容, (五)…) between a row's label
    and numbers that are read as that row's: no row label was found in it, so its key
    words were printed elsewhere (a wrapped PDF label whose last line, 仍不明确, comes
    after the numbers). The numbers after it may be another row's: flag this row and
    the next one found (whose label may be that last line, followed by other numbers)."""
    for r, nxt in zip(found, found[1:]):
        stop = _label_start(tokens, index, nxt)
        stray = None
        for tok in tokens[r.label_token + 1:stop]:
            if stray is None:
                if tok.kind == TEXT and _STARTS_ROW.match(tok.text):
                    stray = tok.text
            elif tok.kind != TEXT:
                break
        else:
            continue
        for row in (r, nxt):
            out.issues.append(Issue("warning", "stray_row_start", f"{row.table}.{row.code}",
                                    f"'{stray}' starts a row inside the cells of {r.code} and no row label was "
                                    "found in it: the numbers after it may belong to another row"))


def _unconfirmed_splits(rows, identities, out: TableRead) -> None:
    """A run-together row split so that its own total holds is confirmed only when the
    column identities can check it. When they cannot (another row of the column is
    unread), the split may be a coincidence (a blank cell: 146 0 0 0 _ 0 175 printed
    1460000175 also splits as 14 60 0 0 0 1 75): keep it, but flag it."""
    split = [(keys, reason) for keys, _, reason, _ in rows
             if reason and reason.startswith("digits run together") and "no split fits" not in reason]
    if not split:  # the common case: no row was split
        return
    values = {(c.table_name, c.row_code, c.col_code): c.value for c in out.cells}
    flagged = {i.location for i in out.issues if i.severity != "info"}
    checked = None
    for keys, reason in split:
        row = f"{keys[0][0]}.{keys[0][1]}"
        if row in flagged or any(values.get(k) is None for k in keys):
            continue
        if checked is None:  # cells of a column identity whose every cell is known
            checked = {t for i in identities if i.check_name != "identity_row_total"
                       and all(values.get(t) is not None for t, _ in i.terms) for t, _ in i.terms}
        unchecked = [k[2] for k in keys[:-1] if k not in checked]
        if unchecked:
            out.issues.append(Issue("warning", "split_unconfirmed", row,
                                    "digits run together, split so that the row adds up, but no column identity "
                                    f"can check the split ({', '.join(unchecked)}): it may be a coincidence"))


def _read_litigation(tokens: list[Token], index: LabelIndex, from_char: int, out: TableRead) -> bool:
    """Table 四, searched from `from_char` (after table 三). False when it is not there at all."""
    begin = index.find(V.TABLE4_START, from_char)
    if begin is None:
        out.issues.append(Issue("error", "table_missing", "table4", "table 四 (行政复议、行政诉讼) was not found"))
        return False
    end = index.find(V.TABLE4_END, begin.end_char)
    stop = end.first_token if end else len(tokens)
    keys = [_key("litigation", p, r) for p, r in V.LITIGATION_COLUMNS]
    cells = 0
    for i in range(begin.last_token + 1, stop):
        if tokens[i].kind != TEXT:
            cells += 1
        elif not is_label(tokens[i]) and (cells >= len(keys) or V.TABLE4_END.search(tokens[i].text)):
            stop = i  # prose after the table's cells, or the next heading run into prose (五、存在的…。)
            break
    slots = _without_header_blanks(slots_between(tokens, begin.last_token + 1, stop), len(keys))
    if not slots:
        out.issues.append(Issue("error", "table_missing", "table4",
                                "table 四 (行政复议、行政诉讼) has a heading but no cells"))
        return True
    if end is None and stop == len(tokens):
        for p in V.PROCEEDINGS:
            out.issues.append(Issue("warning", "text_may_end_here", f"litigation.{p}",
                                    "the text ends inside table 四: if it was cut off, its last cells are missing"))
    cands, reason = _row_candidates(slots, len(keys), row_total=False)
    if not cands:
        cands, reason = [(None,) * len(keys)], f"{reason}; no split fits"
        for p in V.PROCEEDINGS:
            out.issues.append(Issue("warning", "row_unresolved", f"litigation.{p}", f"cells left NULL: {reason}"))
    raw = " ".join(s.raw or "_" for s in slots)
    if len([s for s in slots if s.value is not None]) > len(keys):
        out.issues.append(Issue("warning", "extra_numbers", "litigation",
                                f"{len(slots)} numbers printed for {len(keys)} cells: {raw}"))
    _solve_rows([(keys, cands, reason, raw)], litigation_identities(), out)
    if reason and reason.startswith("digits run together") and "no split fits" not in reason \
            and _splits_with_a_blank(slots, len(keys)):
        unresolved = {i.location for i in out.issues if i.check_name == "row_unresolved"}
        for p in V.PROCEEDINGS:
            if f"litigation.{p}" not in unresolved:
                # Table 四 has no column identity: a cell not printed at all (no slot) splits
                # the same digits otherwise (12 0 10 _ 22 vs 1 20 1 0 22, both adding up).
                out.issues.append(Issue("warning", "split_unconfirmed", f"litigation.{p}",
                                        "digits run together, split so that each proceeding adds up, but no "
                                        "column identity can check the split (a cell not printed would split "
                                        "them otherwise): it may be a coincidence"))
    return True


def _without_header_blanks(slots: list[Slot], width: int) -> list[Slot]:
    """Table 四's slots without the empty cells of its merged header rows (HTML and
    Markdown print them), dropped from the front while more slots than cells remain
    and only while nothing was printed in them. Otherwise they make the row look
    short of cells, and the column of a dash or garbled cell among the figures is
    lost: the identities then place the blank, and may place it wrong."""
    drop = 0
    while len(slots) - drop > width and slots[drop].value is None and not slots[drop].raw:
        drop += 1
    return slots[drop:]


def _splits_with_a_blank(slots: list[Slot], width: int) -> bool:
    """Whether table 四's run-together digits also read as fewer cells, a proceeding
    printing one of its five cells not at all (its identity then fills it: at the
    total, any four cells fit), the fully printed proceedings adding up. True when
    there are too many splits to check."""
    groups = len(V.PROCEEDINGS)
    size = width // groups
    digits = [s.raw for s in slots if s.value is not None and s.raw and s.raw.isdigit()]
    # Every proceeding short of a cell: any split into width - 3 cells fits. A digit string
    # splits into any number of cells from (its leading zeros + 1) to its length.
    fewest = sum(len(d) - len(d.lstrip("0")) + (1 if d.lstrip("0") else 0) for d in digits)
    if digits and fewest <= width - groups <= sum(len(d) for d in digits):
        return True
    for blanks in range(1, groups):
        splits = split_vectors(slots, width - blanks, with_total=False)
        if len(splits) >= MAX_CANDIDATES:
            return True
        for cells in splits:
            for short in itertools.combinations(range(groups), blanks):
                at, fits = 0, True
                for g in range(groups):
                    n = size - 1 if g in short else size
                    part = cells[at:at + n]
                    at += n
                    if n == size and sum(part[:-1]) != part[-1]:
                        fits = False
                        break
                if fits:
                    return True
    return False


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
    for spec in specs:
        if not any(r.code == spec.code for r in found):
            out.issues.append(Issue("warning", "row_missing", f"disclosure.{spec.code}",
                                    "row label not found; its cells are NULL"))
    prev_char = begin_char
    for r in found:
        label_char = index.char_of_token(r.label_token)
        # The column header may share the label's token when cells run together
        # (信息内容 本年收费金额(单位:万元) 行政事业性收费 …): it is part of the header too.
        header = index.text[prev_char:label_char] + tokens[r.label_token].text
        prev_char = label_char
        numbers = [s for s in r.slots if s.value is not None]
        width = len(r.columns)
        slots = r.slots if len(r.slots) == width else numbers
        if any(s.value is None and s.glued for s in r.slots):
            out.issues.append(Issue("warning", "row_unresolved", f"disclosure.{r.code}",
                                    "a dash between run-together digits is a minus sign or an empty cell; "
                                    "cells left NULL"))
            slots = [None] * width
        elif len(slots) != width:
            out.issues.append(Issue("warning", "row_unresolved", f"disclosure.{r.code}",
                                    f"{len(numbers)} numbers printed for {width} cells; cells left NULL"))
            slots = [None] * width
        for measure, slot in zip(r.columns, slots):
            value, issue = _disclosure_value(measure, slot, header)
            if issue:
                out.issues.append(Issue("warning", issue[0], f"disclosure.{r.code}.{measure}", issue[1]))
            out.cells.append(Cell("disclosure", r.code, measure, value, slot.raw if slot else None))
    last = found[-1]
    if end is None and all(t.kind != TEXT for t in tokens[last.label_token + 1:]):
        # The text ends with this row's numbers: a cut file may have cut the last one (8946 → 894).
        out.issues.append(Issue("warning", "text_may_end_here", f"disclosure.{last.code}",
                                "the text ends inside table 二, after this row's numbers: if it was cut off, "
                                "its last number may be incomplete"))
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
