"""may_name_a_template is a sound shortcut: when it says no, detect_template finds
no marker in the label index, whatever the layout made of the cells."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import vocabulary as V
from parsers.form import LabelIndex
from parsers.tables import detect_template, may_name_a_template, may_name_a_template_in_lines
from parsers.tokens import split_cells, tokenize

_PIECES = st.sampled_from(["本年", "制发", "件数", "新制作", "数量", "其他", "处理", "逾期", "不补正", "收费通知",
                           "要求", "1", "2.", "12", "3、", "二、", "(三)", " ", "\u3000", "-", "—", "/", "无",
                           "。", "l", "O", "2020", "年", "%", "万元", ","])
_CELLS = st.lists(st.one_of(st.none(), st.lists(_PIECES, max_size=6).map("".join)), max_size=12)


def test_the_markers_are_plain_words():
    for pattern in (V.TEMPLATE_2021_MARKERS, V.TEMPLATE_2019_MARKERS):
        assert all(re.fullmatch(r"[\u4e00-\u9fff]+", word) for word in pattern.pattern.split("|"))


@settings(max_examples=1500, deadline=None, derandomize=True, database=None)
@given(_CELLS, st.booleans())
def test_no_marker_in_the_cells_means_no_template(cells, explicit):
    if not explicit:
        cells = [c for c in cells if c and c.strip()]
    if not may_name_a_template(cells):
        assert detect_template(LabelIndex(tokenize(cells, explicit_cells=explicit))) is None


_LINE_PIECES = st.sampled_from(["本年", "制发", "件数", "其他", "处理", "逾期", "不补正", "收费通知", "要求", "12",
                                "\n", "\t", "|", " ", "\u3000", "\r", "\x1c", "\x1f", "\x85", "||", " \n "])


@settings(max_examples=1500, deadline=None, derandomize=True, database=None)
@given(st.lists(_LINE_PIECES, max_size=30).map("".join), st.sampled_from(["prose", "pipe", "tab", "cell_per_line"]))
def test_the_text_shortcut_is_the_cells_test(text, layout):
    """may_name_a_template_in_lines(text) is may_name_a_template of the text's cells (line layouts)."""
    assert may_name_a_template_in_lines(text) == may_name_a_template(split_cells(text, layout))
