"""split_vectors (shared cuts, the row total pruning early) gives the splits of the
plain definition, in the same order: every cut of each digit run into cells
without leading zeros, the runs' cells adding up to the width, and with a total
the last cell equal to the sum of the others."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.form import MAX_CANDIDATES, Slot, _compositions, split_vectors


def _cuts(s: str, parts: int):
    if parts == 1:
        if s == "0" or not s.startswith("0"):
            yield [s]
        return
    for k in range(1, len(s) - parts + 2):
        head = s[:k]
        if head != "0" and head.startswith("0"):
            break
        for rest in _cuts(s[k:], parts - 1):
            yield [head] + rest


def _definition(digits: list[str], width: int, with_total: bool) -> list[tuple[int, ...]]:
    if not digits or len(digits) > width:
        return []
    out = []
    for sizes in _compositions(width, [len(d) for d in digits]):
        for combo in itertools.product(*[list(_cuts(d, n)) for d, n in zip(digits, sizes)]):
            cells = tuple(int(x) for part in combo for x in part)
            if with_total and sum(cells[:-1]) != cells[-1]:
                continue
            out.append(cells)
            if len(out) >= MAX_CANDIDATES:
                return out
    return out


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.lists(st.text("0000123456789", min_size=1, max_size=9), min_size=1, max_size=3),
       st.integers(2, 8), st.booleans())
def test_split_vectors_are_the_definition(digits, width, with_total):
    slots = [Slot(int(d), d, glued=True) for d in digits]
    assert split_vectors(slots, width, with_total) == _definition(digits, width, with_total)


def test_a_long_run_with_its_total():
    slots = [Slot(int("1460000175"), "1460000175", glued=True)]
    assert split_vectors(slots, 7, True) == _definition(["1460000175"], 7, True)
