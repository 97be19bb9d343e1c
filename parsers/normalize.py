"""Text normalisation applied to every report before reading it.

Order matters: fullwidth → halfwidth first (so ruby parentheses are ASCII),
then pinyin ruby removal, then traditional → simplified, then whitespace.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

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


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_ONE_PASS = str.maketrans({**_FULLWIDTH, **_ZERO_WIDTH, **_DASHES})


def to_halfwidth(text: str) -> str:
    return text.translate(_ONE_PASS)


def strip_pinyin_ruby(text: str) -> str:
    return _RUBY.sub(r"\1", text)


# Characters OpenCC t2s rewrites although they are right in simplified text too
# (乾安县 and 乾县 are places, not 干安县; 於 is a surname). A converted text keeps
# them where the original had them.
KEEP_AS_PRINTED = frozenset("乾於")


def to_simplified(text: str) -> str:
    converted = _t2s().convert(text)
    if len(converted) != len(text) or not KEEP_AS_PRINTED.intersection(text):
        return converted
    return "".join(o if o in KEEP_AS_PRINTED else c for o, c in zip(text, converted))


def normalize_text(text: str) -> str:
    """Halfwidth, no pinyin ruby, simplified characters, Unix newlines."""
    text = to_halfwidth(text).replace("\r\n", "\n").replace("\r", "\n")
    text = strip_pinyin_ruby(text)
    return to_simplified(text)
