"""Bytes → text: detect what a file is and which encoding it uses.

Nothing here guesses silently: a file that is not text, or that no encoding
decodes cleanly, comes back with `text=None` and a reason a person can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Magic numbers of formats that are sometimes saved under a .txt name.
_BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\xd0\xcf\x11\xe0": "an old Office document",
    b"\x1f\x8b": "a gzip archive",
}

# Words every real report contains, in simplified and traditional form; used to
# choose between encodings that both decode without error.
_REPORT_WORDS = ("政府信息公开", "政府信息公開", "年度报告", "年度報告", "申请", "申請", "公开", "公開")


@dataclass(frozen=True)
class Decoded:
    text: str | None
    encoding: str | None
    kind: str  # 'text' | 'empty' | 'binary' | 'pdf' | 'undecodable'
    reason: str | None = None


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of `data`, or None when it may be text."""
    for magic, name in _BINARY_SIGNATURES.items():
        if data.startswith(magic):
            return name
    return None


def _score(text: str) -> float:
    """How much a decoded text looks like a Chinese report (higher is better)."""
    hits = sum(text.count(w) for w in _REPORT_WORDS)
    head = text[:20000]
    cjk = _CJK.subn("", head)[1]  # how many characters match, counted in C (not a loop per character)
    rare = _RARE.subn("", head)[1]
    return hits * 50 + cjk - rare * 20


_CJK = re.compile("[\u4e00-\u9fff]")
_RARE = re.compile("[\ue000-\uf8ff\ufffd]")  # private use, replacement character: a wrong decoding


def decode_bytes(data: bytes) -> Decoded:
    if not data.strip():
        return Decoded(None, None, "empty", "the file is empty")
    binary = sniff_binary(data)
    if binary == "a PDF document":
        return Decoded(None, None, "pdf", "a PDF document: its text layer is read by parsers.pdf")
    if binary:
        return Decoded(None, None, "binary", f"the file is {binary}, not a text report")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", label="utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", label="utf-16")
    if b"\x00" in data[:4096] and _looks_utf16(data):
        return _strict(data, "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be", label="utf-16")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "text")
    except UnicodeDecodeError:
        pass
    candidates = []
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_score(text), enc, text))
    if not candidates:
        return Decoded(None, None, "undecodable",
                       "no supported encoding (UTF-8, UTF-16, GB18030, Big5) decodes the file without errors")
    _, enc, text = max(candidates)
    return Decoded(text, enc, "text")


def _looks_utf16(data: bytes) -> bool:
    head = data[:4096]
    return head[1::2].count(0) > len(head) // 5 or head[0::2].count(0) > len(head) // 5


def _strict(data: bytes, codec: str, label: str) -> Decoded:
    try:
        return Decoded(data.decode(codec), label, "text")
    except UnicodeDecodeError as exc:
        return Decoded(None, None, "undecodable", f"declared {label} but does not decode: {exc.reason} at byte {exc.start}")
