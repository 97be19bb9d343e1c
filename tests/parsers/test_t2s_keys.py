"""The keys OpenCC t2s changes (parsers/t2s_keys.txt), with which normalize_texts
skips OpenCC for texts that hold none of them: the list is the installed
dictionaries', and skipping changes no text."""

from __future__ import annotations

import random

import polars as pl
import pytest

from parsers import t2s_keys
from parsers.normalize import normalize_texts, to_simplified
from parsers.synth import generate
from parsers.decode import decode_bytes


def _keys_file() -> list[str]:
    return [k for k in t2s_keys.KEYS_FILE.read_text(encoding="utf-8").split("\n")[1:] if k]


def test_keys_file_is_made_from_the_installed_dictionaries():
    share, tool = t2s_keys._opencc_dirs()
    if not tool.exists():
        pytest.skip("opencc_dict is not shipped with this opencc")
    assert t2s_keys.CHANGING is not None, "t2s_keys.txt was made for another opencc: run python -m parsers.t2s_keys"
    assert _keys_file() == t2s_keys.changing_keys(share, tool)


def test_the_pattern_finds_every_key_and_opencc_changes_every_key():
    keys = _keys_file()
    assert pl.Series(keys).str.contains(t2s_keys.CHANGING).all()
    # a changing key converts unless a longer key around it wins; alone it always does
    assert [k for k in keys if to_simplified(k) == k and k not in "乾於"] == []


def _texts() -> list[str]:
    texts = [decode_bytes(data).text or "" for _, data, _ in generate(seed=5, n=300)]
    rng = random.Random(7)
    keys = _keys_file()
    # simplified text with one changing key (or a character of one) put in at random
    for text in texts[:100]:
        key = rng.choice(keys)
        at = rng.randrange(len(text) + 1)
        texts.append(text[:at] + key + text[at:])
        texts.append(text[:at] + key[rng.randrange(len(key))] + text[at:])
    return texts


def test_skipping_opencc_changes_no_text():
    texts = _texts()
    assert any(to_simplified(t) != t for t in texts)  # the sample does hold traditional text
    converts = pl.Series(texts).str.contains(t2s_keys.CHANGING).to_list()
    assert [t for t, c in zip(texts, converts) if not c and to_simplified(t) != t] == []


def test_normalize_texts_is_the_same_with_and_without_the_skip(monkeypatch):
    texts = _texts()
    fast = normalize_texts(texts)
    monkeypatch.setattr("parsers.normalize._T2S_CHANGING", None)
    assert fast == normalize_texts(texts)
