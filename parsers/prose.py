"""Pre-2019 reports: figures stated in prose, read by phrase patterns.

Each legacy fact has a few phrasings; the first match in the text wins and the
matched sentence fragment is kept as the cell's raw text. Facts a report does
not state stay absent (not 0). The crosswalk to the 2019 codes is a dbt seed.
"""

from __future__ import annotations

import re

from parsers.tables import Cell, Issue

_N = r"\s*(\d+)\s*"
_UNIT = r"(?:件|条|个|份|宗)"

LEGACY_PATTERNS: dict[str, list[str]] = {
    "applications_received": [
        rf"(?:受理|收到)[^。;,]{{0,16}}?(?:信息公开|公开信息)[^。;,]{{0,6}}?申请{_N}{_UNIT}",
        rf"(?:受理|收到)[^。;]{{0,10}}?申请(?:总)?数{_N}",
    ],
    "applications_answered": [rf"(?:共)?(?:办理)?答复{_N}{_UNIT}", rf"答复总数{_N}"],
    "carried_forward": [rf"转(?:结)?下一?年(?:度)?(?:办理|继续办理)?(?:答复)?{_N}{_UNIT}"],
    "already_public": [rf"属于已(?:主动)?公开(?:范围)?的?{_N}{_UNIT}"],
    "granted": [rf"(?<!部分)同意公开(?:答复)?(?:数)?{_N}{_UNIT}?"],
    "partially_granted": [rf"(?:同意)?部分公开(?:答复)?(?:数)?{_N}{_UNIT}?"],
    "denied": [rf"不予公开(?:答复)?(?:数)?{_N}{_UNIT}", rf"否决公开答复总数{_N}"],
    "denied_state_secret": [rf"国家秘密(?:的)?{_N}{_UNIT}"],
    "denied_trade_secret": [rf"商业秘密(?:的)?{_N}{_UNIT}"],
    "denied_personal_privacy": [rf"个人隐私(?:的)?{_N}{_UNIT}"],
    "denied_process_info": [rf"过程性信息(?:的)?{_N}{_UNIT}"],
    "denied_not_this_agency": [rf"不属于本(?:行政)?机关(?:公开范围|职责范围)?(?:的)?{_N}{_UNIT}"],
    "denied_not_exist": [rf"(?:申请)?信息不存在(?:的)?{_N}{_UNIT}"],
    "denied_unclear_or_redirected": [rf"申请内容不明确(?:或转其他途径办理)?(?:的)?{_N}{_UNIT}"],
    "denied_other": [rf"其他原因(?:的)?{_N}{_UNIT}"],
    "administrative_reviews": [rf"行政复议(?:申请|案件)?(?:数)?{_N}{_UNIT}"],
    "lawsuits": [rf"行政诉讼(?:案件)?(?:数)?{_N}{_UNIT}"],
}
# Statements of "none" (无 / 未 / 没有 …) that make a fact zero.
ZERO_PATTERNS: dict[str, str] = {
    "applications_received": r"(?:没有|未|无)(?:收到|受理)[^。]{0,12}申请",
    "administrative_reviews": r"(?:没有|未|无)(?:发生|收到|出现)?[^。]{0,20}行政复议",
    "lawsuits": r"(?:没有|未|无)(?:发生|收到|出现)?[^。]{0,30}行政诉讼",
}
DISCLOSURE_PATTERNS: dict[tuple[str, str], list[str]] = {
    ("proactive_items", "count"): [rf"主动公开(?:政府)?信息{_N}{_UNIT}"],
}
ZERO_DISCLOSURE = {("fees_collected", "amount_yuan"): r"(?:未|没有|无)收取(?:任何)?费用|不收取费用|无收费|暂不收费"}


# The 统计表 at the end of old reports: label, unit, this year's figure and often a
# cumulative figure (累计). Only this year's figure is taken.
STAT_TABLE_LABELS: dict[str, str] = {
    "applications_received": r"申请公开(?:信息)?总数",
    "applications_answered": r"对申请的答复(?:总)?数",
    "granted": r"(?<!部分)同意公开答复数",
    "partially_granted": r"同意部分公开答复数",
    "denied": r"(?:否决公开|不予公开)答复(?:总)?数",
    "administrative_reviews": r"行政复议数",
    "lawsuits": r"(?<![、])行政诉讼数",
}


class AnchoredPattern:
    """`pattern.search` for a pattern whose every match holds `anchor` (a plain word)
    at most `lead` characters after the match's start: only the starts up to `lead`
    characters before each `anchor` are tried, in order, so the first match is the
    one `search` finds (a pattern that begins with optional words has no literal
    prefix for re to skip ahead with, and tries every position of the text)."""

    __slots__ = ("pattern", "anchor", "lead")

    def __init__(self, pattern: str, anchor: str, lead: int) -> None:
        self.pattern, self.anchor, self.lead = re.compile(pattern), anchor, lead

    def search(self, text: str) -> re.Match | None:
        find, match, anchor, lead = text.find, self.pattern.match, self.anchor, self.lead
        tried = -1
        at = find(anchor)
        while at >= 0:
            for start in range(max(at - lead, tried + 1), at + 1):
                if m := match(text, start):
                    return m
            tried = at
            at = find(anchor, at + 1)
        return None


_STAT_TABLE_FIGURES = r"\s*(?:条|件|个)?\s*(\d+)(?:\s+(\d+))?(?=\s|\D|$)"  # after a 统计表 label

# Patterns with optional words or a look-behind in front (the slowest to search), and
# the word every match holds after at most `lead` characters (tests/parsers/test_prose_anchors.py).
_ANCHORS = {rf"(?:共)?(?:办理)?答复{_N}{_UNIT}": ("答复", 3),
            rf"(?:申请)?信息不存在(?:的)?{_N}{_UNIT}": ("信息不存在", 2),
            rf"(?:同意)?部分公开(?:答复)?(?:数)?{_N}{_UNIT}?": ("部分公开", 2),
            rf"(?<!部分)同意公开(?:答复)?(?:数)?{_N}{_UNIT}?": ("同意公开", 0),
            STAT_TABLE_LABELS["granted"] + _STAT_TABLE_FIGURES: ("同意公开答复数", 0),
            STAT_TABLE_LABELS["denied"] + _STAT_TABLE_FIGURES: ("公开答复", 2),
            STAT_TABLE_LABELS["lawsuits"] + _STAT_TABLE_FIGURES: ("行政诉讼数", 0),
            ZERO_DISCLOSURE[("fees_collected", "amount_yuan")]: ("收", 2)}


def _compiled(pattern: str):
    return AnchoredPattern(pattern, *_ANCHORS[pattern]) if pattern in _ANCHORS else re.compile(pattern)


# The patterns above, compiled once (re's own cache costs a lookup per search).
_LEGACY_RE = {fact: [_compiled(p) for p in patterns] for fact, patterns in LEGACY_PATTERNS.items()}
_ZERO_RE = {fact: re.compile(p) for fact, p in ZERO_PATTERNS.items()}
_DISCLOSURE_RE = {key: [re.compile(p) for p in patterns] for key, patterns in DISCLOSURE_PATTERNS.items()}
_ZERO_DISCLOSURE_RE = {key: _compiled(p) for key, p in ZERO_DISCLOSURE.items()}
_STAT_TABLE_RE = {fact: _compiled(label + _STAT_TABLE_FIGURES) for fact, label in STAT_TABLE_LABELS.items()}
_WS_RUN = re.compile(r"\s+")
_TWO_COLUMNS = re.compile(r"数\s*(?:条|件)\s+\d+\s+\d+")
_ENUMERATOR_NEXT = re.compile(r"[、.]\D")


def read_prose(text: str) -> tuple[list[Cell], list[Issue]]:
    flat = "".join(text.split())  # _WS_RUN.sub("", text): str.split's whitespace is re's \s
    spaced = _spaced(text)
    two_columns = "累计" in flat or bool(_TWO_COLUMNS.search(spaced))
    cells, issues = [], []
    for fact, patterns in _LEGACY_RE.items():
        cell = _first_number(flat, patterns, "legacy", fact, "total")
        if cell is None and fact in _ZERO_RE and (m := _ZERO_RE[fact].search(flat)):
            cell = Cell("legacy", fact, "total", 0, m.group(0))
        table_cell, why = _stat_table_cell(spaced, fact, two_columns)
        if why:
            issues.append(Issue("warning", "stat_table_unreadable", f"legacy.{fact}", why))
        if cell and table_cell and cell.value != table_cell.value:
            issues.append(Issue("warning", "prose_table_mismatch", f"legacy.{fact}",
                                f"prose says {cell.value} ({cell.raw_text}), the 统计表 says {table_cell.value}; prose kept"))
        cell = cell or table_cell
        if cell:
            cells.append(cell)
    for (item, measure), patterns in _DISCLOSURE_RE.items():
        cell = _first_number(flat, patterns, "disclosure", item, measure)
        if cell:
            cells.append(cell)
    for (item, measure), pattern in _ZERO_DISCLOSURE_RE.items():
        if m := pattern.search(flat):
            cells.append(Cell("disclosure", item, measure, 0, m.group(0)))
    return cells, issues


def _spaced(text: str) -> str:
    """_WS_RUN.sub(" ", text) (each run of whitespace one space, the ends too), by
    str.split, several times faster (its whitespace is re's \\s: a test compares them)."""
    words = text.split()
    if not words:
        return " " if text else ""
    return (" " if text[0].isspace() else "") + " ".join(words) + (" " if text[-1].isspace() else "")


def _stat_table_cell(spaced: str, fact: str, two_columns: bool) -> tuple[Cell | None, str | None]:
    """This year's figure of a 统计表 row, or (None, reason) when its digits are ambiguous."""
    pattern = _STAT_TABLE_RE.get(fact)
    m = pattern and pattern.search(spaced)
    if not m:
        return None, None
    digits, after = m.group(1), spaced[m.end(1):m.end(1) + 2]
    if m.group(2) is None and _ENUMERATOR_NEXT.match(after) and len(digits) > 1:
        digits = digits[:-1]  # "…条002、网上申请数": the 2 is the next row's enumerator
    if m.group(2) is not None or not two_columns or len(digits) == 1:
        return Cell("legacy", fact, "total", int(digits), m.group(0).strip()), None
    # this year's and the cumulative figure run together: accept the split only if unique
    splits = [(digits[:k], digits[k:]) for k in range(1, len(digits))
              if (digits[:k] == "0" or digits[0] != "0") and (digits[k:] == "0" or digits[k] != "0")
              and int(digits[:k]) <= int(digits[k:])]
    if len(splits) == 1:
        return Cell("legacy", fact, "total", int(splits[0][0]), m.group(0).strip()), None
    return None, f"统计表 figures run together ({digits}): this year's figure is not certain"


def _first_number(flat: str, patterns: list[re.Pattern], table: str, row: str, col: str) -> Cell | None:
    # A figure that ends the text may have been cut off (同意公开1 of 同意公开168): not read.
    hits = [m for p in patterns if (m := p.search(flat)) and m.end(1) < len(flat)]
    if not hits:
        return None
    m = min(hits, key=lambda h: h.start())
    return Cell(table, row, col, int(m.group(1)), m.group(0))
