"""metadata._PUBLISHED_CORE finds the date groups PUBLISHED_RE finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import metadata as M

_ALPHABET = st.sampled_from(list("发布文成时间日期:： 2019-/.年月日0123456789其"))


@settings(max_examples=800, deadline=None, derandomize=True, database=None)
@given(st.text(_ALPHABET, max_size=40))
def test_the_core_pattern_finds_the_same_date(text):
    fast, slow = M._PUBLISHED_CORE.search(text), M.PUBLISHED_RE.search(text)
    assert (fast and fast.groups()) == (slow and slow.groups())
