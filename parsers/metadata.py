"""Agency, year and publication date of a report.

Sources, in order of trust: the title (or an HTML <title>), a phrase such as
"现公布XX局2020年政府信息公开工作年度报告" in the body, a 来源 line, and the
signature at the end. Each rule is a regex over normalised text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from parsers.regions import correct_place_name, resolve_region, starts_with_division

AGENCY_SUFFIX = (r"(?:人民政府|政府|办公厅|办公室|委员会|管委会|委|局|厅|院|署|部|办|中心|所|站|队|馆|处|科|"
                 r"集团|公司|学校|大学|法院|检察院|街道|镇|乡|区|县|市|省|试验区|实验区)")
_YEAR = r"(20[0-3]\d|19[89]\d)\s*年\s*度?"
_REPORT = r"政府信息公开(?:工作)?(?:年度)?报告|政府信息公开工作年报|信息公开年报"
TITLE_RE = re.compile(rf"([\u4e00-\u9fff()]{{2,40}}?)\s*{_YEAR}\s*(?:{_REPORT})")
YEAR_ONLY_TITLE_RE = re.compile(rf"^\s*{_YEAR}\s*(?:{_REPORT})")
PERIOD_RE = re.compile(r"统计期限[^。]{0,12}?(20\d\d)\s*年\s*1\s*月\s*1\s*日")
# The whole run of characters after 来源: (a lazy match would stop at 管委 of 管委会).
SOURCE_RE = re.compile(r"来源\s*[:：]\s*([\u4e00-\u9fff()]{2,30}" + AGENCY_SUFFIX + r")(?![\u4e00-\u9fff])")
PUBLISHED_RE = re.compile(r"(?:发布|发文|成文)?(?:时间|日期)\s*[:：]\s*(20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})")
# PUBLISHED_RE without its optional first word: its first match has the groups of
# PUBLISHED_RE's first match (发布/发文/成文 holds no 时 or 日), and re can skip ahead to 时间/日期.
_PUBLISHED_CORE = re.compile(PUBLISHED_RE.pattern.removeprefix("(?:发布|发文|成文)?"))
CN_DATE_RE = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")

# Words that end a preamble before the agency name in body phrases.
_LEAD_WORDS = re.compile(r"^.*(?:现公布|现将|现向社会公布|向社会公布|公布|发布|编制|编写|特此|根据|关于|现就|由)")

# Common abbreviations of agency names (expanded so that both forms meet).
ABBREVIATIONS = {
    "经信局": "经济和信息化局",
    "发改委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "人社局": "人力资源和社会保障局",
    "住建局": "住房和城乡建设局",
    "市监局": "市场监督管理局",
    "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "文旅局": "文化和旅游局",
    "农业农村局": "农业农村局",
    "自然资源和规划局": "自然资源和规划局",
}

_SHORT_FORMS = tuple(ABBREVIATIONS)


@dataclass
class Metadata:
    agency_name_raw: str | None
    agency_name: str | None
    year: int | None
    published_date: date | None
    agency_inferred: bool = False  # no title, source or signature: the most named division
    # Issues for the report, as the fields of parsers.tables.Issue (severity, check_name,
    # location, message): e.g. a corrected OCR slip in the place name (place_name_corrected).
    notes: list[tuple[str, str, str, str]] = field(default_factory=list)


def expand_abbreviations(name: str) -> str:
    if not name.endswith(_SHORT_FORMS):  # no abbreviation (one C-level test for them all)
        return name
    for short, full in ABBREVIATIONS.items():
        if name.endswith(short) and not name.endswith(full):
            return name[: -len(short)] + full
    return name


# Page chrome that a page copied without line breaks glues to the front of a title
# (首页>政务公开>政府信息公开年报聊城市冠县财政局2020年…报告): breadcrumb words, and
# report words of a title or menu item before it.
_CHROME_HEAD = re.compile(r"^.*(?:当前位置|您的位置|所在位置|首页|主页|正文|详情|打印|关闭|字体|字号|分享|收藏|"
                          r"报告|年报|政府信息公开|政务公开|信息公开|公开目录|公开专栏)")
_CHROME_STRONG = re.compile(r"当前位置|您的位置|所在位置|首页|主页|正文|详情|打印|关闭|字体|字号|分享|收藏|报告|年报")


def _strip_chrome(name: str) -> str | None:
    """The agency name after chrome glued to its front, when what follows the chrome
    starts with a division (年度报告聊城市冠县财政局 → 聊城市冠县财政局). A name that
    keeps chrome words with no division after them is no agency name (None); 政务公开
    and 信息公开 alone may belong to one (南充市政务公开办公室)."""
    m = _CHROME_HEAD.match(name)
    if not m:
        return name
    rest = name[m.end():]
    if starts_with_division(rest):
        return rest
    if _CHROME_STRONG.search(name):
        return None
    return name


_SELF_WORD = re.compile(r"^(?:本|我|该)(?=" + AGENCY_SUFFIX + ")")
_ENDS_AS_AGENCY = re.compile(AGENCY_SUFFIX + "$")


def _clean_agency(candidate: str) -> str | None:
    name = _LEAD_WORDS.sub("", candidate).strip("()")
    name = _strip_chrome(name)
    if name is None:
        return None
    name = _SELF_WORD.sub("", name)  # 本局 → 局 (rejected); 本溪市 stays
    if len(name) < 2 or not _ENDS_AS_AGENCY.search(name):
        return None
    return name


def _title_lines(text: str, html_title: str | None) -> list[str]:
    lines = [ln.strip() for ln in text.split("\n", 15)[:15] if ln.strip()]  # 15 lines, the rest not split
    return ([html_title] if html_title else []) + lines


def find_agency_and_year(text: str, html_title: str | None = None):
    """(agency as printed, canonical agency, year, inferred?) — any may be None."""
    raw, year = None, None
    lines = _title_lines(text, html_title)
    for i, line in enumerate(lines):
        m = TITLE_RE.search(line)
        if m and (name := _clean_agency(m.group(1))):
            raw, year = name, int(m.group(2))
            break
        if YEAR_ONLY_TITLE_RE.match(line) and i > 0:  # agency on the line above the year
            prev = _clean_agency(re.sub(r"\s+", "", lines[i - 1]))
            if prev:
                raw, year = prev, int(YEAR_ONLY_TITLE_RE.match(line).group(1))
                break
    body_names = [(_clean_agency(m.group(1)), int(m.group(2))) for m in _title_phrases(text[:6000])]
    body_names = [(n, y) for n, y in body_names if n]
    src = SOURCE_RE.search(text[:3000])
    inferred = False
    if raw is None:
        raw = src.group(1) if src else (body_names[0][0] if body_names else signature_agency(text))
    if raw is None:
        raw, inferred = most_named_place(text), True
    if year is None:
        year = _year_from_text(text, body_names)
    canonical = _canonical_name(raw, [n for n, y in body_names if y == year or year is None])
    canonical = government_of_place(canonical, src.group(1) if src else None)
    return raw, canonical, year, inferred


_PLACE_ONLY = re.compile(r"(?:省|市|县|区|旗|盟|自治州|实验区|新区)$")


def government_of_place(name: str | None, source: str | None) -> str | None:
    """A title that names only a place (平潭综合实验区) is that place's government's report;
    when the 来源 line names the government (平潭综合实验区管委会办公室), use its name."""
    if not name or not source or not _PLACE_ONLY.search(name):
        return name
    m = re.fullmatch(re.escape(name) + r"(管委会|管理委员会|人民政府|政府)(?:办公室|办公厅)?", source)
    return name + m.group(1) if m else name


def most_named_place(text: str) -> str | None:
    """Last resort for a report with no title, source or signature: the division it
    names most often (at least 3 times), if the division list knows it."""
    counts: Counter[str] = Counter()
    for m in re.finditer(r"[\u4e00-\u9fff]+?(?:实验区|新区|自治州|市|县|区)", text[:5000]):
        run = m.group(0)
        counts.update(run[k:] for k in range(max(0, len(run) - 10), len(run) - 2))
    for name, count in sorted(counts.items(), key=lambda x: (-x[1], -len(x[0]), x[0])):
        if count < 3:
            break
        if resolve_region(name).admin_level != "other":
            return name
    return None


_REPORT_RE = re.compile(_REPORT)


def _title_phrases(text: str):
    """TITLE_RE matches, looked for only just before each 政府信息公开…报告 phrase
    (scanning the whole text with TITLE_RE's lazy prefix is slow)."""
    for phrase in _REPORT_RE.finditer(text):
        window_start = max(0, phrase.start() - 60)
        m = TITLE_RE.search(text, window_start, phrase.end())
        if m:
            yield m


def _canonical_name(raw: str | None, body_names: list[str]) -> str | None:
    """The fullest form of the agency's name the report uses for itself."""
    if raw is None:
        return None
    best = expand_abbreviations(raw)
    for name in body_names:
        full = expand_abbreviations(name)
        if len(full) > len(best) and full.endswith(best):
            best = full
    return best


def _year_from_text(text: str, body_names) -> int | None:
    m = PERIOD_RE.search(text)
    if m:
        return int(m.group(1))
    if body_names:
        return body_names[0][1]
    years = re.findall(r"(20[0-3]\d)\s*年", text[:5000])
    if years:
        # most mentioned; on a tie the earlier year (a report dated next January names both)
        return int(max(set(years), key=lambda y: (years.count(y), -int(y))))
    return None


def signature_agency(text: str) -> str | None:
    """The agency signing the report: a short line just before a date near the end,
    or, in text with no line breaks, the name run into the end of the last sentence."""
    lines = [ln.strip(" ·•\t") for ln in text.strip().split("\n") if ln.strip(" ·•\t")][-12:]  # blank lines skipped
    for i in range(len(lines) - 1, 0, -1):
        if CN_DATE_RE.search(lines[i]):
            name = re.sub(r"\s+", "", lines[i - 1])
            if 2 <= len(name) <= 40 and re.fullmatch(r"[\u4e00-\u9fff()]+" + AGENCY_SUFFIX, name):
                return name
    return _run_in_signature(text)


# The last characters of a text with no line breaks: …事项。夏县自然资源局2021年3月31日
_RUN_IN_SIGNATURE = re.compile(r"([\u4e00-\u9fff()]{2,60}?)\s*20\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[\s)）]*$")


def _run_in_signature(text: str) -> str | None:
    """A signature run into the last sentence (…无其他需要报告的事项夏县自然资源局2021年3月31日):
    the name is the longest tail of the run before the date that starts with a division
    and ends as an agency does. A name that starts with no division is not taken."""
    m = _RUN_IN_SIGNATURE.search(text[-300:].rstrip())
    if not m:
        return None
    run = m.group(1)
    for k in range(0, len(run) - 1):
        name = run[k:]
        if len(name) <= 40 and re.fullmatch(r"[\u4e00-\u9fff()]+" + AGENCY_SUFFIX, name) and starts_with_division(name):
            return name
    return None


def find_published_date(text: str, year: int | None) -> date | None:
    m = _PUBLISHED_CORE.search(text[:3000])
    candidates = [m] if m else []
    tail = text[-400:]
    candidates += list(CN_DATE_RE.finditer(tail))[-1:]
    for c in candidates:
        try:
            d = date(int(c.group(1)), int(c.group(2)), int(c.group(3)))
        except ValueError:
            continue
        if year is None or year <= d.year <= year + 2:
            return d
    return None


def read_metadata(text: str, html_title: str | None = None) -> Metadata:
    raw, canonical, year, inferred = find_agency_and_year(text, html_title)
    notes = []
    if canonical and not inferred:
        canonical, note = correct_place(canonical, text[:3000])
        notes += [note] if note else []
    return Metadata(raw, canonical, year, find_published_date(text, year), inferred, notes)


def correct_place(name: str, context: str | None) -> tuple[str, tuple[str, str, str, str] | None]:
    """The agency name with an OCR slip in its place name corrected, when the division
    list decides it (parsers.regions.correct_place_name), and the warning that says so."""
    fix = correct_place_name(name, context)
    if fix is None:
        return name, None
    return fix.name, ("warning", "place_name_corrected", "agency",
                      f"the place printed {fix.printed} is no known division; read as {fix.corrected} "
                      f"({fix.adcode}), the only division one look-alike character away (agency as printed: {name})")
