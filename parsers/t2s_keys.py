"""What OpenCC's t2s conversion can change, so that texts it leaves alone skip it.

OpenCC replaces each dictionary key it finds in the text by the key's value. A
text in which no key with a different value occurs comes back unchanged: every
match is then a key whose value is itself. `t2s_keys.txt` lists those changing
keys of the dictionaries t2s.json uses (one character, or a phrase none of
whose characters is a changing character on its own); `CHANGING` is a pattern
for polars that finds any of the characters, and one character of each phrase
(a text holding the phrase holds it). Most reports are in simplified characters
and match nothing.

The list is made from the installed dictionaries (`python -m parsers.t2s_keys`,
which needs the opencc_dict tool shipped with the opencc wheel) and is used only
with the OpenCC version it was made from (else `CHANGING` is None: every text is
converted); tests/parsers/test_t2s_keys.py remakes it and compares.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import opencc

KEYS_FILE = Path(__file__).with_name("t2s_keys.txt")
# The dictionaries of opencc's t2s.json (normalization, then the conversion chain).
_DICTIONARIES = ("CJK_Compatibility_Ideographs", "TSPhrases", "TSCharactersExt", "TSCharacters")


def changing_keys(share_dir: Path, tool: Path) -> list[str]:
    """The keys of the t2s dictionaries whose value (the first, which OpenCC uses)
    differs from them: every changing character, then the changing phrases that no
    changing character of their own would find."""
    chars, phrases = set(), set()
    with tempfile.TemporaryDirectory() as tmp:
        for name in _DICTIONARIES:
            out = Path(tmp) / f"{name}.txt"
            subprocess.run([str(tool), "-i", str(share_dir / f"{name}.ocd2"), "-o", str(out),
                            "-f", "ocd2", "-t", "text"], check=True, capture_output=True)
            for line in out.read_text(encoding="utf-8").split("\n"):
                key, _, values = line.partition("\t")
                if key and values.split(" ")[0] != key:
                    (chars if len(key) == 1 else phrases).add(key)
    return sorted(chars) + sorted(p for p in phrases if chars.isdisjoint(p))


def _opencc_dirs() -> tuple[Path, Path]:
    clib = Path(opencc.__file__).parent / "clib"
    return clib / "share" / "opencc", clib / "bin" / "opencc_dict"


def _header() -> str:
    return f"# changing keys of OpenCC t2s, opencc {getattr(opencc, '__version__', None)}"


def _pattern() -> str | None:
    lines = KEYS_FILE.read_text(encoding="utf-8").split("\n") if KEYS_FILE.exists() else []
    if not lines or lines[0] != _header():  # another OpenCC: its dictionaries may differ
        return None
    keys = [k for k in lines[1:] if k]
    chars = {k for k in keys if len(k) == 1} | _finders([k for k in keys if len(k) > 1])
    # One character class: polars compiles the pattern at each call, and an
    # alternation of the phrases costs more than OpenCC saves.
    return f"[{re.escape(''.join(sorted(chars)))}]"


def _finders(phrases: list[str]) -> set[str]:
    """A few characters, one of each phrase (a text holding the phrase holds it):
    the character most phrases share first (沈 of 深沈, 浮沈 …), ties to the later
    code point (衹 of 衹得, not the common 得). Any choice is right; these make few
    simplified texts match."""
    chosen: set[str] = set()
    left = set(phrases)
    while left:
        count = Counter(ch for p in left for ch in set(p))
        best = max(count, key=lambda ch: (count[ch], ch))
        chosen.add(best)
        left = {p for p in left if best not in p}
    return chosen


CHANGING = _pattern()

if __name__ == "__main__":
    KEYS_FILE.write_text("\n".join([_header(), *changing_keys(*_opencc_dirs())]) + "\n", encoding="utf-8")
