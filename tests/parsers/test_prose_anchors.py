"""prose.AnchoredPattern finds the match `re.search` finds (same start, same text)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import prose

_ALPHABET = st.sampled_from(list("共办理答复申请信息不存在的同意部分公开数件条个份宗 0123456789。,;其他")
                            + list("否决不予总行政诉讼复议、未没有无收取任何费用暂\n"))


@settings(max_examples=800, deadline=None, derandomize=True, database=None)
@given(st.text(_ALPHABET, max_size=60))
def test_anchored_search_is_re_search(text):
    for pattern, (anchor, lead) in prose._ANCHORS.items():
        fast, slow = prose.AnchoredPattern(pattern, anchor, lead).search(text), re.search(pattern, text)
        assert (fast and (fast.span(), fast.group(0), fast.groups())) == (slow and (slow.span(), slow.group(0), slow.groups()))


def test_every_anchored_pattern_is_a_prose_pattern():
    compiled = ([p for ps in prose._LEGACY_RE.values() for p in ps] + list(prose._STAT_TABLE_RE.values())
                + list(prose._ZERO_DISCLOSURE_RE.values()))
    anchored = [p.pattern.pattern for p in compiled if isinstance(p, prose.AnchoredPattern)]
    assert sorted(anchored) == sorted(prose._ANCHORS)


@settings(max_examples=800, deadline=None, derandomize=True, database=None)
@given(st.text(st.sampled_from(list("公开 1\t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000\u200b") ), max_size=30))
def test_whitespace_squeezing_is_the_regex(text):
    assert prose._spaced(text) == prose._WS_RUN.sub(" ", text)
    assert "".join(text.split()) == prose._WS_RUN.sub("", text)


def test_str_whitespace_is_re_whitespace():
    import sys
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    assert {c for c in chars if c.isspace()} == {c for c in chars if re.fullmatch(r"\s", c)}
