"""Fuzzing the two entry points that see raw bytes: `parsers.decode.decode_bytes`
and `parsers.report.parse_report` (hypothesis).

Properties, for arbitrary bytes, arbitrary text in every supported encoding, and
the sample reports mutated (truncated, bytes flipped, junk inserted, slices
deleted or repeated, re-encoded):

* no exception escapes, and each call stays within a time bound;
* decode_bytes names what it found (text with a supported encoding, or a kind and
  a reason), and UTF-8/UTF-16 text comes back exactly;
* parse_report returns one record whose every field obeys parsers/schema.py
  (codes, types, grain), and the records pass the pandera contracts that the
  build enforces as blocking checks.

Runs are derandomized (the same examples every run, so CI is stable). Set
OGI_FUZZ_EXPLORE=1 to draw new random examples, ten times as many.
"""

from __future__ import annotations

import os
import re
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parsers import schema as S
from parsers.batch import _frames
from parsers.decode import Decoded, decode_bytes
from parsers.report import ParsedReport, parse_report, report_id_of

EXPLORE = bool(os.environ.get("OGI_FUZZ_EXPLORE"))
SAMPLES = sorted((Path(__file__).resolve().parents[2] / "data" / "raw").glob("*"))
SAMPLE_BYTES = [p.read_bytes() for p in SAMPLES if p.suffix != ".pdf"]
PDF_BYTES = [p.read_bytes() for p in SAMPLES if p.suffix == ".pdf"]
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "gbk", "big5")
SECONDS_PER_CALL = 10  # generous (a slow CI core); a catastrophic regex would take far longer

CELL_CODES = {
    "applications": (S.APPLICATION_ROWS, S.APPLICANT_TYPES),
    "outcomes": (S.OUTCOME_CODES, S.APPLICANT_TYPES),
    "litigation": (S.PROCEEDINGS, S.LITIGATION_RESULTS),
    "disclosure": (S.DISCLOSURE_ITEMS, S.DISCLOSURE_MEASURES),
    "legacy": (S.LEGACY_FACTS, ("total",)),
}


def _settings(examples: int):
    return settings(max_examples=examples * (10 if EXPLORE else 1), deadline=None, derandomize=not EXPLORE,
                    database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def timed(fn, *args):
    started = time.perf_counter()
    out = fn(*args)
    seconds = time.perf_counter() - started
    assert seconds < SECONDS_PER_CALL, f"{fn.__name__} took {seconds:.1f} s"
    return out


# ------------------------------------------------------------------ record checks


def check_decoded(d: Decoded) -> None:
    assert isinstance(d, Decoded)
    assert d.kind in ("text", "empty", "binary", "pdf", "undecodable")
    if d.kind == "text":
        assert isinstance(d.text, str)
        assert d.encoding in ("utf-8", "utf-8-sig", "gb18030", "big5", "utf-16")
    else:
        assert d.text is None and d.encoding is None
        assert isinstance(d.reason, str) and d.reason


def check_record(parsed: ParsedReport, data: bytes, source: str) -> None:
    """Every field of the record obeys parsers/schema.py."""
    assert isinstance(parsed, ParsedReport)
    r = parsed.report
    assert set(r) == set(S.REPORTS_SCHEMA)
    assert r["report_id"] == report_id_of(data)
    assert r["source_file"] == source
    assert r["file_size_bytes"] == len(data)
    assert r["encoding"] in (None, "utf-8", "utf-8-sig", "gb18030", "big5", "utf-16")
    assert r["layout"] in S.LAYOUTS
    assert r["template"] in (None, *S.TEMPLATES)
    assert r["parse_status"] in S.PARSE_STATUSES
    assert r["admin_level"] in S.ADMIN_LEVELS
    assert r["year"] is None or (isinstance(r["year"], int) and 1990 <= r["year"] <= 2100)
    assert r["published_date"] is None or isinstance(r["published_date"], date)
    assert r["adcode"] is None or re.fullmatch(r"\d{6}", r["adcode"])
    for name in ("agency_name_raw", "agency_name", "agency_key", "province", "city", "county"):
        assert r[name] is None or (isinstance(r[name], str) and r[name])
    grain = set()
    for c in parsed.cells:
        rows, cols = CELL_CODES[c.table_name]
        assert c.row_code in rows and c.col_code in cols, c
        assert c.value is None or (isinstance(c.value, int) and not isinstance(c.value, bool))
        assert isinstance(c.is_imputed, bool)
        key = (c.table_name, c.row_code, c.col_code)
        assert key not in grain, f"cell {key} twice"
        grain.add(key)
    for i in parsed.issues:
        assert i.severity in S.SEVERITIES
        assert isinstance(i.check_name, str) and re.fullmatch(r"[a-z0-9_]+", i.check_name)
        assert isinstance(i.message, str) and i.message.strip()
    if r["parse_status"] == "failed":
        assert any(i.severity in ("error", "warning") for i in parsed.issues), "failed without saying why"


def parse_and_check(data: bytes, source: str = "fuzz.txt") -> ParsedReport:
    parsed = timed(parse_report, data, source)
    check_record(parsed, data, source)
    return parsed


# ------------------------------------------------------------------ strategies

# Text that looks a little like a report: CJK, report words, numbers, table punctuation.
REPORT_WORDS = ["政府信息公开", "年度报告", "本年新收政府信息公开申请数量", "(一)予以公开", "三、本年度办理结果",
                "行政复议", "总计", "自然人", "商业企业", "|", "\t", "\n", " ", "-", "—", "无", "万元", "20", "2021年",
                "統計局", "tǒng", "(", ")", "<td>", "</td>", "<table>", "# ", "|---|"]
report_like_text = st.lists(
    st.one_of(st.sampled_from(REPORT_WORDS), st.integers(0, 10**9).map(str),
              st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=8),
              st.text(max_size=8)),
    max_size=120,
).map("".join)


@st.composite
def mutated_sample(draw) -> bytes:
    """A sample report with a few mutations applied."""
    data = bytearray(draw(st.sampled_from(SAMPLE_BYTES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "repeat", "nul"]))
        n = len(data)
        at = draw(st.integers(0, max(n - 1, 0)))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip" and n:
            for pos in draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=20)):
                data[pos] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=200))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 2000))]
        elif kind == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 3000))] * draw(st.integers(2, 5))
        elif kind == "nul":
            data[at:at] = b"\x00" * draw(st.integers(1, 8))
    return bytes(data)


@st.composite
def reencoded_sample(draw) -> bytes:
    """A sample's text in another encoding (characters it lacks become '?'), maybe cut."""
    text = draw(st.sampled_from(SAMPLE_BYTES)).decode("utf-8", errors="replace")
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


# ------------------------------------------------------------------ decode_bytes


@_settings(500)
@given(st.binary(max_size=4096))
def test_decode_arbitrary_bytes(data):
    check_decoded(timed(decode_bytes, data))


@_settings(200)
@given(report_like_text, st.sampled_from(ENCODINGS))
def test_decode_text_in_every_encoding(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode(encoding, errors="replace")
    d = timed(decode_bytes, data)
    check_decoded(d)
    if not data.strip() or (encoding in ("utf-16-le", "utf-16-be") and not text.strip()):
        return
    if encoding == "utf-8" and d.kind == "text":
        assert d.text == text
    if encoding == "utf-8-sig" and d.kind == "text":
        assert d.encoding == "utf-8-sig" and d.text == text
    if encoding == "utf-16" and text:  # with a BOM: never misread
        assert d.kind == "text" and d.encoding == "utf-16" and d.text == text


@_settings(100)
@given(st.sampled_from(range(len(SAMPLE_BYTES))), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]))
def test_decode_reencoded_samples_exactly(index, encoding):
    """Whole reports (which carry the report words) come back exactly in each
    encoding that can hold them."""
    text = SAMPLE_BYTES[index].decode("utf-8")
    data = text.encode(encoding)
    d = decode_bytes(data)
    assert d.kind == "text" and d.text == text, (d.encoding, d.reason)


# ------------------------------------------------------------------ parse_report


@_settings(400)
@given(st.binary(max_size=8192))
def test_parse_arbitrary_bytes(data):
    parsed = parse_and_check(data)
    assert parsed.report["parse_status"] == "failed" or parsed.cells


@_settings(300)
@given(report_like_text, st.sampled_from(ENCODINGS), st.sampled_from(["a.txt", "b.html", "c.md", "d.htm"]))
@example("政府信息公开0²", "utf-8", "a.txt")  # found by this test: '²'.isdigit() yet int('²') raised (tokens.py)
def test_parse_report_like_text(text, encoding, name):
    parse_and_check(text.encode(encoding, errors="replace"), name)


@_settings(500)
@given(mutated_sample())
def test_parse_mutated_samples(data):
    parse_and_check(data)


@_settings(150)
@given(reencoded_sample())
def test_parse_reencoded_samples(data):
    parse_and_check(data)


@_settings(25)
@given(st.integers(0, 10**6), st.integers(1, 200))
@example(496378, 24)  # found by this test: a damaged page raised PdfiumError out of parse_report (pdf.py)
def test_parse_broken_pdfs(cut, flips):
    """The PDF sample truncated and with bytes flipped: a record, never an exception."""
    if not PDF_BYTES:
        pytest.skip("no PDF sample")
    data = bytearray(PDF_BYTES[0][: max(cut, 8)])
    for i in range(flips):
        pos = (i * 7919 + cut) % len(data)
        data[pos] = (data[pos] + 1 + i) % 256
    parse_and_check(bytes(data), "x.pdf")


def test_fuzzed_records_pass_the_build_contracts():
    """A batch of fuzzed records (one per strategy above) through the pandera
    contracts the build enforces as blocking checks."""
    from orchestration.contracts import CONTRACTS

    records: list[ParsedReport] = []

    @_settings(100)
    @given(st.one_of(st.binary(max_size=2048), mutated_sample(), reencoded_sample(),
                     report_like_text.map(lambda t: t.encode("utf-8"))))
    def collect(data):
        parsed = parse_report(data, f"fuzz/{len(records)}.txt")
        records.append(parsed)

    collect()
    unique = list({p.report["report_id"]: p for p in records}.values())
    batch = _frames(unique)
    for table in ("reports", "cells", "issues"):
        CONTRACTS[table].validate(getattr(batch, table), lazy=True)
