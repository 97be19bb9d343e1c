"""Bad inputs of issue 5, written next to copies of the five seeds.

`make_bad_raw_dir(dest, outside)` fills `dest` with the seeds and every bad input
and returns the expectations: relative path -> Case (what dim_report and
report_issues must say about it). Used by tests/test_bad_inputs.py; importable
on its own to look at the folder by hand:

    .venv/bin/python -c "from tests.bad_inputs import *; make_bad_raw_dir(Path('/tmp/bad'), Path('/tmp/out'))"
"""

from __future__ import annotations

import os
import random
import re
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RAW = REPO_ROOT / "data" / "raw"
SEEDS = sorted(p.name for p in SAMPLE_RAW.glob("00[0-4]_*.txt"))
BIG_FILE_BYTES = 100 * 1024 * 1024


@dataclass
class Case:
    name: str                      # what the case is (issue 5's words)
    status: str | tuple[str, ...]  # expected parse_status (one of a tuple when either is honest)
    check: str | None              # check_name of the issue that explains it (None: none expected)
    message: str = ""              # a fragment the message must hold
    encoding: str | None = "any"   # expected dim_report.encoding ("any": not checked)
    extra: dict = field(default_factory=dict)


def seed_text(name: str) -> str:
    return (SAMPLE_RAW / name).read_text(encoding="utf-8")


def encode_as(text: str, encoding: str) -> bytes:
    """`text` in `encoding`; a character the encoding lacks (an en space, say) becomes a space,
    as a real GBK/Big5 file would have it."""
    return "".join(ch if _encodable(ch, encoding) else " " for ch in text).encode(encoding)


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def png_bytes() -> bytes:
    """A real 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pdf_bytes(text: str) -> bytes:
    """A real one-page PDF whose text layer is `text` (ASCII, Helvetica)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


NEWS_ARTICLE = """\
市政府召开第42次常务会议 研究部署安全生产和防汛工作

2023年6月12日，市长主持召开市政府第42次常务会议，传达学习全省安全生产电视电话会议精神，
研究部署近期安全生产和防汛抗旱工作。

会议指出，当前已进入主汛期，各地各部门要坚持人民至上、生命至上，压紧压实责任，
全面排查整治重点行业领域风险隐患，确保人民群众生命财产安全。

会议还研究了城市更新、老旧小区改造等事项。市政府副市长、秘书长，各县(市、区)政府
主要负责人列席会议。

来源：市政府办公室    编辑：张明    2023-06-12 18:30
"""

NOT_FOUND_HTML = """\
<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>404 Not Found - 页面不存在</title></head>
<body>
<div class="error"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除。</p>
<p><a href="/">返回首页</a></p></div>
<hr><center>nginx</center>
</body>
</html>
"""


def _without_tables(text: str) -> str:
    """Drop every line from table 二 (二、主动公开…) to the end of table 四, keeping the prose."""
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("二、主动公开"))
    end = next(i for i, ln in enumerate(lines) if i > start and ln.strip().startswith("五、"))
    return "\n".join(lines[:start] + lines[end:])


def make_bad_raw_dir(dest: Path, outside: Path, big_file: bool = True, chmod_case: bool | None = None) -> dict[str, Case]:
    """Seeds + every bad input of issue 5 under `dest`; `outside` receives the
    symlink's target. Returns relative path -> expected Case. `chmod_case`: add a
    chmod-000 file (default: when not root; root reads it unless its capabilities
    are dropped, see tests/test_bad_inputs.py)."""
    dest.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    for name in SEEDS:
        shutil.copy(SAMPLE_RAW / name, dest / name)
        os.chmod(dest / name, 0o644)
    bad = dest / "bad"
    bad.mkdir()
    rng = random.Random(5)
    cases: dict[str, Case] = {}

    def put(rel: str, data: bytes, case: Case) -> None:
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        cases[rel] = case

    s002 = seed_text("002_2dd042ee9b6b28f7.txt")   # 汉阳区统计局 2023, 2021 template, pipe layout
    s003 = seed_text("003_0e7b839799d88c56.txt")   # 南谯区经信局 2020, 2019 template
    s004 = seed_text("004_4455f420e810b9a4.txt")   # 沙坡头区统计局 2020, tab layout

    put("bad/empty.txt", b"", Case("empty file", "failed", "empty_file", "empty", None))
    put("bad/random.txt", rng.randbytes(64 * 1024),
        Case("random binary", "failed", "undecodable", "no supported encoding", None))
    put("bad/image.txt", png_bytes(), Case("PNG renamed .txt", "failed", "undecodable", "PNG image", None))
    put("bad/document.txt", pdf_bytes("Invoice 2023-0042 for consulting services, total due 1,200.00 USD."),
        Case("PDF renamed .txt (not a report)", "failed", "not_a_report", "政府信息公开", None))

    # Truncated in the middle of table 三 (the outcome rows of 2023's 002): the file
    # just stops, as a download cut short does.
    cut = s002.index("(三)不予公开")
    put("bad/truncated.txt", s002[:cut + 40].encode(),
        Case("truncated in table 三", ("partial", "failed"), "table_missing", "table 四", "utf-8"))

    # Encoded copies of seeds, moved to another year so that each is its own agency-year
    # (its values can then be compared with the seed's, and the seed stays selected).
    put("bad/gbk.txt", encode_as(s003.replace("2020", "2016").replace("2021", "2017"), "gbk"),
        Case("GBK without declaration", ("ok", "repaired", "partial"), None, "", "gb18030"))
    trad = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", "", seed_text("000_163667a5158eaada.txt"))
    put("bad/big5.txt", encode_as(trad.replace("2020", "2015").replace("2021", "2016"), "big5"),
        Case("Big5 without declaration", ("ok", "repaired", "partial"), None, "", "big5"))
    put("bad/utf16.txt", s004.replace("2020", "2014").replace("2021", "2015").encode("utf-16"),
        Case("UTF-16 (with BOM)", ("ok", "repaired", "partial"), None, "", "utf-16"))

    put("bad/news.txt", NEWS_ARTICLE.encode(),
        Case("news article", "failed", "not_a_report", "政府信息公开", "utf-8"))
    put("bad/404.html", NOT_FOUND_HTML.encode(),
        Case("404 page", "failed", "not_a_report", "政府信息公开", "utf-8"))
    put("bad/no_tables.txt", _without_tables(s004).encode(),
        Case("report with its tables removed", "failed", "table_missing", "table 三", "utf-8"))

    put("bad/copy of 002.txt", (SAMPLE_RAW / "002_2dd042ee9b6b28f7.txt").read_bytes(),
        Case("byte-identical to a seed", "failed", "duplicate_file", "byte-identical to 002_2dd042ee9b6b28f7.txt", None))
    # Another file for 003's agency-year: an earlier draft without table 四, so the seed
    # (complete) is the one selected.
    lines = s003.split("\n")
    t4 = next(i for i, ln in enumerate(lines) if ln.strip().startswith("四、政府信息公开行政复议"))
    t5 = next(i for i, ln in enumerate(lines) if i > t4 and ln.strip().startswith("五、"))
    other = "\n".join(lines[:t4] + lines[t5:])
    put("bad/same agency-year.txt", other.encode(),
        Case("second file for an agency-year", "partial", "not_selected",
             "003_0e7b839799d88c56.txt", "utf-8"))

    nul = s002[:2000] + "\x00\x00\x00" + s002[2000:]
    put("bad/nul.txt", nul.replace("2023", "2013").encode(),
        Case("NUL bytes", ("ok", "repaired", "partial", "failed"), "nul_bytes", "NUL", "utf-8"))

    put("bad/sub dir/汉阳 统计局/2011 年度 报告.txt", s002.replace("2023", "2011").replace("2024", "2012").encode(),
        Case("path with spaces and non-ASCII names", ("ok", "repaired", "partial"), None, "", "utf-8"))

    target = outside / "secret.txt"
    target.write_text("outside the raw folder: must never be read\n", encoding="utf-8")
    (bad / "link.txt").symlink_to(target)
    cases["bad/link.txt"] = Case("symlink leading outside", "failed", "symlink_skipped", "not followed", None)

    # A file that cannot be read: a FIFO named like a report. Opening it for reading
    # would block forever; the parser must refuse it as "not a regular file" (root can
    # read chmod-000 files, so chmod alone would prove nothing here).
    os.mkfifo(bad / "unreadable.txt")
    cases["bad/unreadable.txt"] = Case("unreadable file (FIFO)", "failed", "unreadable", "not a regular file", None)

    if chmod_case if chmod_case is not None else os.geteuid() != 0:
        locked = bad / "no permission.txt"
        locked.write_bytes(s002.replace("2023", "2010").encode())
        locked.chmod(0)
        cases["bad/no permission.txt"] = Case("unreadable file (chmod 000)", "failed", "unreadable",
                                              "Permission denied", None)

    if big_file:
        line = ("这是一行重复的文字，用来把文件撑到一百兆字节。" * 4 + "\n").encode()
        with open(bad / "huge.txt", "wb") as fh:
            block = line * (1024 * 1024 // len(line) + 1)
            written = 0
            while written < BIG_FILE_BYTES:
                fh.write(block)
                written += len(block)
        cases["bad/huge.txt"] = Case("100 MB file", "failed", "file_too_large", "limit", None)
        os.link(bad / "huge.txt", bad / "huge_copy.txt")  # the same bytes again (a hard link: no disk)
        cases["bad/huge_copy.txt"] = Case("100 MB file, twice", "failed", "duplicate_file", "bad/huge.txt", None)
    return cases
