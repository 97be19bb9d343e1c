"""Text normalisation applied to every report before reading it.

Order matters: fullwidth → halfwidth first (so ruby parentheses are ASCII),
then pinyin ruby removal, then traditional → simplified, then whitespace.

The texts of a batch of files are normalised together: the character map and
the ruby removal are polars string expressions over the whole batch (one
`str.replace_many` and one `str.replace_all`); only OpenCC runs per text, and only
on texts that hold something it changes.
`normalize_text` is a batch of one.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc
import polars as pl

from parsers.t2s_keys import CHANGING as _T2S_CHANGING

# Fullwidth ASCII block → ASCII; ideographic space → space. Chinese quotes and
# the enumeration comma 、 are kept: labels are matched with them.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})
_FULLWIDTH.update({0x3010: ord("["), 0x3011: ord("]"), 0x3014: ord("("), 0x3015: ord(")")})
_ZERO_WIDTH = dict.fromkeys([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD], None)
_DASHES = {0x2014: "—", 0x2013: "—", 0x2015: "—", 0xFF0D: "-"}

# A CJK character followed by its pinyin in parentheses, e.g. 統(tǒng). A tone mark
# (or ü) is required so that ordinary parenthesised latin text is left alone.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_RUBY = re.compile(rf"([\u3400-\u9fff])\(([a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*)\)")
_RUBY_RUST = _RUBY.pattern.replace("\\u3400", "\\x{3400}").replace("\\u9fff", "\\x{9fff}")  # the same, for polars


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# One character → its replacement ("" drops it). The patterns are single characters,
# so replacing them all at once (polars `str.replace_many`) is a translation.
_ONE_PASS = {**{cp: chr(to) for cp, to in _FULLWIDTH.items()}, **{cp: "" for cp in _ZERO_WIDTH}, **_DASHES}
_MAP_FROM = [chr(cp) for cp in _ONE_PASS]
_MAP_TO = list(_ONE_PASS.values())
_SURROGATE = re.compile("[\ud800-\udfff]")


# Characters OpenCC t2s rewrites although they are right in simplified text too
# (乾安县 and 乾县 are places, not 干安县; 於 is a surname). A converted text keeps
# them where the original had them.
KEEP_AS_PRINTED = frozenset("乾於")
_KEEP = re.compile(f"[{''.join(sorted(KEEP_AS_PRINTED))}]")


def to_simplified(text: str) -> str:
    converted = _t2s().convert(text)
    if len(converted) != len(text) or not _KEEP.search(text):
        return converted
    chars = list(converted)
    for m in _KEEP.finditer(text):
        chars[m.start()] = m.group()
    return "".join(chars)


def normalize_texts(texts: list[str]) -> list[str]:
    """`normalize_text` of every text of a batch, with the character passes run
    once over the batch as polars string expressions."""
    if not texts:
        return []
    try:
        series = pl.Series("text", texts, dtype=pl.String)
    except UnicodeEncodeError:  # a lone surrogate (no decoder here makes one) is not a character
        series = pl.Series("text", [_SURROGATE.sub("\ufffd", t) for t in texts], dtype=pl.String)
    mapped = series.str.replace_many(_MAP_FROM, _MAP_TO)
    if any("\r" in t for t in texts):  # else both passes change nothing (the map makes no \r)
        mapped = mapped.str.replace_all("\r\n", "\n", literal=True).str.replace_all("\r", "\n", literal=True)
    mapped = mapped.str.replace_all(_RUBY_RUST, "${1}")
    if _T2S_CHANGING is None:
        return [to_simplified(t) for t in mapped.to_list()]
    # OpenCC leaves a text without any key it changes as it is (parsers.t2s_keys): most
    # reports are simplified already, and one search over the batch costs less than OpenCC.
    converts = mapped.str.contains(_T2S_CHANGING).to_list()
    return [to_simplified(t) if c else t for t, c in zip(mapped.to_list(), converts)]


def normalize_text(text: str) -> str:
    """Halfwidth, no pinyin ruby, simplified characters, Unix newlines."""
    return normalize_texts([text])[0]
