"""Read the national form from a token stream: find row labels, collect each
row's cells, and turn them into candidate rows for the identity solver.

Only short label-like text tokens are searched for row labels; sentences of
prose (which often name the same things) are barriers, never labels.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from parsers.tokens import _STARTS_ROW, BLANK, DASH, NUM, TEXT, Token

_SEP, _BARRIER = "\x1f", "\x1e"
MAX_LABEL_CHARS = 200  # table headers glued to a label can be long; prose is told by its 。
MAX_CANDIDATES = 5000


def is_label(token: Token) -> bool:
    return token.kind == TEXT and "。" not in token.text and len(token.text) <= MAX_LABEL_CHARS


def _label_facts(text: str) -> tuple[bool, str, bool]:
    """What the label index needs of a text token, which depends on its text alone:
    whether it is a label's (is_label), the text without whitespace, and whether it
    starts a row of its own. Kept per text (the form's labels repeat across reports)."""
    facts = ("。" not in text and len(text) <= MAX_LABEL_CHARS, "".join(text.split()), bool(_STARTS_ROW.match(text)))
    if len(_LABEL_FACTS) >= 50_000:
        _LABEL_FACTS.clear()
    _LABEL_FACTS[text] = facts
    return facts


_LABEL_FACTS: dict[str, tuple[bool, str, bool]] = {}


class LabelIndex:
    """Label tokens joined into one searchable string, mapped back to token positions."""

    def __init__(self, tokens: list[Token]) -> None:
        parts, self._starts, self._token_at = [], [], []
        pos = 0
        texts = [(i, tok.text) for i, tok in enumerate(tokens) if tok.kind == TEXT]
        known = _LABEL_FACTS.get
        facts = [known(text) or _label_facts(text) for _, text in texts]
        for k, ((i, _), (is_label, squeezed, _)) in enumerate(zip(texts, facts)):
            # A label broken over several lines or cells (确认或重新出 | 具已获取信息) is
            # joined back: the separator marks only where cells or prose stood between.
            # A token that starts a row of its own (3.其他, (六)…, 四、…) is never a continuation.
            joined = (is_label and k + 1 < len(texts) and texts[k + 1][0] == i + 1  # the next token is text,
                      and facts[k + 1][0] and not facts[k + 1][2])  # a label, and starts no row
            piece = (squeezed if is_label else _BARRIER) + ("" if joined else _SEP)
            parts.append(piece)
            self._starts.append(pos)
            self._token_at.append(i)
            pos += len(piece)
        self.text = "".join(parts)

    def token_of(self, char_pos: int) -> int:
        k = bisect.bisect_right(self._starts, char_pos) - 1
        return self._token_at[max(k, 0)] if self._token_at else 0

    def find(self, pattern: re.Pattern, start_char: int = 0, end_char: int | None = None) -> "Hit | None":
        m = pattern.search(self.text, start_char, len(self.text) if end_char is None else end_char)
        if not m:
            return None
        return Hit(self.token_of(m.start()), self.token_of(max(m.end() - 1, m.start())), m.start(), m.end())

    def char_of_token(self, token_index: int) -> int:
        k = bisect.bisect_left(self._token_at, token_index)
        return self._starts[k] if k < len(self._starts) else len(self.text)


class Hit(NamedTuple):
    """Where a label pattern matched: its first and last token, and its chars."""
    first_token: int
    last_token: int
    start_char: int
    end_char: int


class Slot(NamedTuple):
    """One printed cell: a number, or an explicit blank/dash (value None). Immutable,
    so the slot of a token is made once and shared (`slots_between`)."""
    value: float | int | None
    raw: str | None
    glued: bool = False
    unit: str | None = None


@dataclass
class FoundRow:
    table: str
    code: str
    columns: tuple[str, ...]
    slots: list[Slot] = field(default_factory=list)
    label_token: int = 0


def slots_between(tokens: list[Token], start: int, stop: int) -> list[Slot]:
    out = []
    for tok in tokens[start:stop]:
        if tok.kind != TEXT:
            slot = tok.slot or _slot_of(tok)
            if slot is not None:
                out.append(slot)
    return out


def _slot_of(tok: Token) -> Slot | None:
    """The slot of a number, blank or dash token (None for others), kept on the token."""
    if tok.kind == NUM:
        tok.slot = Slot(tok.value, tok.text, tok.glued, tok.unit)
    elif tok.kind in (BLANK, DASH):
        tok.slot = Slot(None, tok.text or None, tok.glued)
    return tok.slot


def find_rows(tokens: list[Token], index: LabelIndex, specs, start_char: int = 0, end_char: int | None = None) -> list[FoundRow]:
    """Locate each spec's label in order and give it the cells up to the next label."""
    found: list[FoundRow] = []
    pos = start_char
    for spec in specs:
        hit = index.find(spec.pattern, pos, end_char)
        if hit is None:
            continue
        pos = hit.end_char
        found.append(FoundRow(spec.table, spec.code, spec.columns, label_token=hit.last_token))
    stop_token = index.token_of(end_char) if end_char is not None and end_char < len(index.text) else len(tokens)
    for row, nxt in zip(found, found[1:] + [None]):
        stop = _label_start(tokens, index, nxt) if nxt else _row_end(tokens, row.label_token, stop_token)
        row.slots = slots_between(tokens, row.label_token + 1, stop)
    return found


def _label_start(tokens: list[Token], index: LabelIndex, row: FoundRow) -> int:
    # The next row's label may span several text tokens; numbers between them
    # belong to the previous row only if they come before its first label token.
    i = row.label_token
    while i > 0 and tokens[i - 1].kind == TEXT and is_label(tokens[i - 1]):
        i -= 1
    return i


def _row_end(tokens: list[Token], label_token: int, stop_token: int) -> int:
    """The last row of a table ends at the next label-like text after its cells."""
    i = label_token + 1
    seen_cell = False
    while i < min(stop_token, len(tokens)):
        if tokens[i].kind == TEXT:
            if seen_cell:
                break
        else:
            seen_cell = True
        i += 1
    return i


# ---------------------------------------------------------------- candidates

def placement_candidates(slots: list[Slot], width: int) -> list[list[Slot | None]]:
    """Ways to lay the printed cells of a row onto its `width` columns.

    Exactly `width` slots: one way. Fewer numbers than columns: every order-keeping
    placement, the rest unknown. More numbers than columns: every order-keeping
    choice of `width` of them (the solver accepts only an outcome all agree on).
    """
    if len(slots) == width:
        return [list(slots)]
    numbers = [s for s in slots if s.value is not None]
    if len(numbers) == width:
        return [numbers]
    if not numbers:
        return [[None] * width]
    if len(numbers) < width:
        combos = itertools.combinations(range(width), len(numbers))
        out = []
        for positions in itertools.islice(combos, MAX_CANDIDATES):
            row: list[Slot | None] = [None] * width
            for p, s in zip(positions, numbers):
                row[p] = s
            out.append(row)
        return out
    return [list(c) for c in itertools.islice(itertools.combinations(numbers, width), MAX_CANDIDATES)]


def split_candidates(slots: list[Slot], width: int, with_total: bool) -> list[list[Slot | None]]:
    """Ways to cut run-together digit strings into `width` cells.

    Each printed number may hold several cells glued together. Cells have no
    leading zeros (except 0 itself). When `with_total`, the last cell must equal
    the sum of the others, which prunes almost every split.
    """
    return [[Slot(v, str(v), glued=True) for v in cells] for cells in split_vectors(slots, width, with_total)]


def split_vectors(slots: list[Slot], width: int, with_total: bool) -> list[tuple[int, ...]]:
    """`split_candidates` as value vectors, in the same order (what the solver reads)."""
    digits = [s.raw for s in slots if s.value is not None and s.raw and s.raw.isdigit()]
    if not digits or len(digits) > width:
        return []
    out: list[tuple[int, ...]] = []
    if with_total and len(digits) == 1:
        if len(digits[0]) == width:
            # As many digits as cells (most split rows): the one cut is a digit per cell.
            cells = tuple(map(int, digits[0]))
            return [cells] if sum(cells[:-1]) == cells[-1] else []
        # One digit string, last cell the total: branches whose running sum already
        # exceeds what is left of the string cannot end in their total (the last
        # cell is a suffix of it), so they are cut early. Same splits, same order.
        _total_splits(digits[0], width, 0, (), out)
        return out
    memo: dict[tuple[str, int], list[tuple[int, ...]]] = {}

    def cut_list(s: str, n: int) -> list[tuple[int, ...]]:
        """Every cut of `s` into `n` cells without leading zeros, in order (the
        cuts of each rest are shared between the heads that leave it)."""
        key = (s, n)
        if key not in memo:
            if n == 1:
                memo[key] = [(int(s),)] if s == "0" or not s.startswith("0") else []
            else:
                cuts: list[tuple[int, ...]] = []
                for k in range(1, len(s) - n + 2):
                    head = s[:k]
                    if head != "0" and head.startswith("0"):
                        break
                    value = int(head)
                    cuts.extend((value,) + rest for rest in cut_list(s[k:], n - 1))
                memo[key] = cuts
        return memo[key]

    def cuts_of(s: str, n: int):
        """cut_list(s, n), as a list when it is small, else lazily in the same order:
        a long digit string has C(len-1, n-1) cuts (tens of millions for 30 digits into
        12 cells; one run-together report took 2 GB), and at most MAX_CANDIDATES are used."""
        return cut_list(s, n) if math.comb(len(s) - 1, n - 1) <= _LISTED_CUTS else _iter_cuts(s, n)

    for sizes in _compositions(width, [len(d) for d in digits]):
        for combo in _in_order_product([cuts_of(d, n) for d, n in zip(digits, sizes)]):
            cells = combo[0] if len(combo) == 1 else tuple(x for part in combo for x in part)
            if with_total and sum(cells[:-1]) != cells[-1]:
                continue
            out.append(cells)
            if len(out) >= MAX_CANDIDATES:
                return out
    return out


_LISTED_CUTS = 4096  # cut lists up to this size are built (and shared); longer ones are generated


def _iter_cuts(s: str, n: int):
    """The cuts of cut_list(s, n), generated one by one in the same order: a depth-first
    walk over the cells' ends with an explicit stack (a generator per cell cost ~20 µs
    per cut; a run-together table 四 may take 5,000 of them)."""
    if n == 1:
        if s == "0" or not s.startswith("0"):
            yield (int(s),)
        return
    size, last = len(s), n - 1
    may_lead = [ch != "0" for ch in s]  # a cell of several digits may start here
    fewest = _fewest_cells(s)
    starts, ends, values = [0] * n, [0] * n, [0] * n  # ends[m] == starts[m]: cell m not cut yet
    m = 0
    while m >= 0:
        start, end = starts[m], ends[m] + 1
        if end > size - (last - m) or (end > start + 1 and not may_lead[start]):
            m -= 1  # no longer cell m fits: cut the cell before it longer
            continue
        ends[m] = end
        if fewest[end] > last - m:  # the rest cannot make the cells left: skip it (it yields nothing)
            continue
        values[m] = int(s[start:end])
        if m + 1 < last:
            m += 1
            starts[m] = ends[m] = end
        elif end + 1 == size or may_lead[end]:  # the rest is the last cell
            values[last] = int(s[end:])
            yield tuple(values)


def _fewest_cells(s: str) -> list[int]:
    """For each start i, the fewest cells s[i:] cuts into: each leading 0 is a cell of
    its own, and a cell that starts with another digit may run to the end."""
    out = [0] * (len(s) + 1)
    for i in range(len(s) - 1, -1, -1):
        out[i] = 1 + out[i + 1] if s[i] == "0" else 1
    return out


def _in_order_product(factors: list):
    """itertools.product(*factors) in its order, without materializing a generator
    factor that comes first (product() would list every factor up front). Later
    factors are lists or are listed (they are re-read for each earlier item)."""
    if not factors:
        yield ()
        return
    first, rest = factors[0], [f if isinstance(f, list) else list(f) for f in factors[1:]]
    for item in first:
        for tail in itertools.product(*rest):
            yield (item,) + tail


def _total_splits(s: str, parts: int, running: int, head: tuple[int, ...], out: list) -> bool:
    """Cuts of `s` into `parts` cells (after the cells `head`, adding up to `running`)
    whose last cell equals the sum of all the others. False once MAX_CANDIDATES are out."""
    if parts == 1:
        if (s == "0" or not s.startswith("0")) and int(s) == running:
            out.append(head + (running,))
            if len(out) >= MAX_CANDIDATES:
                return False
        return True
    leading_zero = s[:1] == "0"
    for k in range(1, len(s) - parts + 2):
        if k > 1 and leading_zero:  # a cell of several digits starting with 0
            break
        value = int(s[:k])
        rest = s[k:]
        total = running + value
        if total > int(rest):  # grows with k while the rest shrinks: no later cut fits either
            break
        if not _total_splits(rest, parts - 1, total, head + (value,), out):
            return False
    return True


def _compositions(total: int, maxima: list[int]):
    """Ways to give each token 1..len(token) cells so they add up to `total`."""
    if not maxima:
        if total == 0:
            yield []
        return
    for n in range(1, min(maxima[0], total) + 1):
        for rest in _compositions(total - n, maxima[1:]):
            yield [n] + rest
