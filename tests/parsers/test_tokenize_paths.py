"""tokenize's shortcuts (a cell that is one number, a cell of label text only) give
the tokens the word-by-word reader gives."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.tokens import _tokenize_cell, split_cells, tokenize

_ALPHABET = st.sampled_from(list("0123456789 .,、()-—/无－lIOo%年月日号元万件一二三四五六七八九十其他申请公开总计\u3000²٣"))


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(st.text(_ALPHABET, min_size=1, max_size=30))
def test_shortcuts_agree_with_the_word_reader(cell):
    slow: list = []
    _tokenize_cell(cell.split(), slow)
    assert tokenize([cell], explicit_cells=False) == slow


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(st.text(st.sampled_from(list("ab 一\n\t|\r\x0b\x1c\u2028\u3000")), max_size=40))
def test_line_cells_are_the_text_split_at_newlines_tabs_and_bars(text):
    """split_cells of a line layout splits with str methods: the cells of re.split."""
    assert split_cells(text, "tab") == [c for c in re.split(r"[\n\t|]", text) if c.strip()]
