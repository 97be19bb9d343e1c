"""The layout features counted by polars over a batch (parsers/tokens.py) are the
per-line Python tests they replace: same character classes, same counts."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.tokens import _LAYOUT_FEATURES, RUST_DIGIT, RUST_SPACE, detect_layouts

import polars as pl


def _python_features(text: str) -> dict:
    """The definitions, line by line in Python (what detect_layout used to run)."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    return {
        "md_rows": sum(1 for ln in lines if ln.lstrip().startswith("|") and ln.rstrip().endswith("|")),
        "md_separator": any(re.match(r"^\s*\|[\s:|-]+\|\s*$", ln) for ln in lines),
        "pipe_rows": sum(1 for ln in lines if ln.rstrip().endswith("|")),
        "tab_rows": sum(1 for ln in lines if "\t" in ln.strip()),
        "num_lines": sum(1 for ln in lines if re.fullmatch(r"\s*\d+(\.\d+)?\s*", ln)),
        "glued_runs": len(re.findall(r"[\u4e00-\u9fff)]\d{5,}[\u4e00-\u9fff(]", text)),
    }


def _polars_features(texts: list[str]) -> list[dict]:
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    return frame.select(
        pl.col("text").str.count_matches(p).alias(n) if n != "md_separator" else pl.col("text").str.contains(p).alias(n)
        for n, p in _LAYOUT_FEATURES.items()).to_dicts()


def test_character_classes_are_pythons_digit_and_space():
    chars = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)
    series = pl.Series([chars])
    digits = series.str.extract_all(f"[{RUST_DIGIT}]").to_list()[0]
    spaces = series.str.extract_all(f"[{RUST_SPACE}]").to_list()[0]
    assert "".join(digits) == "".join(c for c in chars if c.isdecimal())
    assert "".join(spaces) == "".join(c for c in chars if c.isspace() and c != "\n")


_ALPHABET = st.sampled_from(list("0123456789 \t\n|:-.()年度报告申请\u3000\x1c\x85٣") + ["\u2028"])


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.text(_ALPHABET, max_size=200), min_size=1, max_size=8))
def test_polars_features_count_what_the_python_lines_count(texts):
    assert _polars_features(texts) == [_python_features(t) for t in texts]


def test_layouts_of_a_batch():
    pipe = "\n".join(f"| 行{i} | 1 | 2 |" for i in range(25))
    tab = "\n".join(f"行{i}\t1\t2" for i in range(12))
    cells = "\n".join(["标题"] + [str(i) for i in range(25)])
    assert detect_layouts([pipe, tab, cells, "  \n ", "<td>1</td>", "一段文字。"],
                          ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"]) == \
        ["pipe", "tab", "cell_per_line", "unknown", "html", "prose"]
