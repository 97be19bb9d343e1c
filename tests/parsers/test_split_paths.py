"""split_vectors (shared cuts, the row total pruning early) gives the splits of the
plain definition, in the same order: every cut of each digit run into cells
without leading zeros, the runs' cells adding up to the width, and with a total
the last cell equal to the sum of the others."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.form import MAX_CANDIDATES, Slot, _compositions, _iter_cuts, split_vectors


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


@settings(max_examples=600, deadline=None, derandomize=True, database=None)
@given(st.text("0000123456789", min_size=1, max_size=14), st.integers(1, 15))
def test_generated_cuts_are_the_definition(s, parts):
    """_iter_cuts (the lazy path for long runs: a walk with an explicit stack that skips
    rests too short of cells) yields the cuts of the definition, in its order."""
    assert list(_iter_cuts(s, parts)) == [tuple(int(x) for x in cut) for cut in _cuts(s, parts)]


def test_a_long_run_with_its_total():
    slots = [Slot(int("1460000175"), "1460000175", glued=True)]
    assert split_vectors(slots, 7, True) == _definition(["1460000175"], 7, True)


def test_a_long_run_together_number_is_split_without_listing_every_cut():
    """A 30-digit run into 12 cells has C(29, 11) = 34.6 million cuts; listing them took
    2 GB for one synthetic report (syn1_0016888). The cuts are now generated in the same
    order and only the first MAX_CANDIDATES are kept."""
    import tracemalloc

    from parsers.form import _iter_cuts

    digits = "123456789012345678901234567890"
    tracemalloc.start()
    try:
        got = split_vectors([Slot(int(digits), digits)], 12, with_total=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == list(itertools.islice(_iter_cuts(digits, 12), MAX_CANDIDATES))
    assert len(got) == MAX_CANDIDATES and peak < 50_000_000, peak


def test_generated_cuts_come_in_the_order_of_the_listed_ones():
    from parsers.form import _LISTED_CUTS, _iter_cuts

    for digits, width in (("1020304", 3), ("100200", 4), ("9876543210", 5), ("0012", 2)):
        listed = split_vectors([Slot(int(digits), digits)], width, with_total=False)
        assert listed == list(_iter_cuts(digits, width))[:len(listed)]
    assert _LISTED_CUTS >= 1000  # small cases still take the shared, listed path
