"""may_name_a_template is a sound shortcut: when it says no, detect_template finds
no marker in the label index, whatever the layout made of the cells."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import vocabulary as V
from parsers.form import LabelIndex
from parsers.tables import detect_template, may_name_a_template
from parsers.tokens import tokenize

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
