"""The national form's vocabulary: row labels, column codes and expected widths.

Label patterns are matched against normalised label text (simplified characters,
halfwidth punctuation, no spaces). Order matters: rows are searched in the order
the form prints them, each search starting where the previous row was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.schema import APPLICANT_TYPES
from parsers.schema import FORM_PROCEEDINGS as PROCEEDINGS  # the 2019/2021 form's three (no `suit`)
from parsers.schema import LITIGATION_RESULTS as RESULTS


@dataclass(frozen=True)
class RowSpec:
    table: str
    code: str
    pattern: re.Pattern
    columns: tuple[str, ...]


def _row(table: str, code: str, pattern: str, columns=APPLICANT_TYPES) -> RowSpec:
    return RowSpec(table, code, re.compile(pattern), tuple(columns))


# Table 三, in print order. The (六) rows differ by template: see `table3_rows`.
_TABLE3_HEAD = [
    # The first words suffice: a label wrapped in a narrow PDF column may print 申请数量 after the cells.
    _row("applications", "new_received", r"本年新收"),
    _row("applications", "carried_over", r"上年结转"),
    _row("outcomes", "granted", r"予以公开"),
    _row("outcomes", "partially_granted", r"部分公开"),
    _row("outcomes", "denied_state_secret", r"国家秘密"),
    _row("outcomes", "denied_law_prohibited", r"禁止公开"),
    _row("outcomes", "denied_three_safeties", r"三安全一稳定"),
    _row("outcomes", "denied_third_party", r"第三方合法权益"),
    _row("outcomes", "denied_internal_affairs", r"内部事务"),
    _row("outcomes", "denied_process_info", r"过程性信息"),
    _row("outcomes", "denied_enforcement_file", r"行政执法案卷"),
    _row("outcomes", "denied_admin_query", r"行政查询事项"),
    _row("outcomes", "unable_not_held", r"不掌握"),
    _row("outcomes", "unable_needs_creation", r"另行制作"),
    _row("outcomes", "unable_unclear", r"仍不明确"),
    _row("outcomes", "not_processed_petition", r"信访举报投诉"),
    _row("outcomes", "not_processed_repeat", r"重复申请"),
    _row("outcomes", "not_processed_publication", r"公开出版物"),
    _row("outcomes", "not_processed_mass_repeat", r"大量反复"),
    _row("outcomes", "not_processed_confirm", r"确认或重新出具"),
]
_OTHER_2019 = [_row("outcomes", "other", r"其他处理")]
_OTHER_2021 = [
    _row("outcomes", "other_no_correction", r"逾期不补正"),
    _row("outcomes", "other_no_fee", r"收费通知|缴纳费用"),
    _row("outcomes", "other", r"(?:^|(?<=\x1f))(?:\(六\))?(?:3[.、])?其他(?=\x1f|$)"),
]
_TABLE3_TAIL = [
    _row("outcomes", "total", r"总计"),
    _row("applications", "carried_forward", r"结转下年度"),
]


def table3_rows(template: str) -> list[RowSpec]:
    other = _OTHER_2021 if template == "2021" else _OTHER_2019
    return _TABLE3_HEAD + other + _TABLE3_TAIL


# Table 四: one row of 15 cells, review then suits without and after review.
LITIGATION_COLUMNS = tuple((p, r) for p in PROCEEDINGS for r in RESULTS)

# Table 二, per template: (item, label pattern, measures).
_DISCLOSURE_2019 = [
    ("regulations", r"规章", ("made", "published", "in_force")),
    ("normative_documents", r"规范性文件", ("made", "published", "in_force")),
    ("licensing", r"行政许可", ("previous_items", "change", "decisions")),
    ("other_services", r"其他对外管理服务事项", ("previous_items", "change", "decisions")),
    ("punishment", r"行政处罚", ("previous_items", "change", "decisions")),
    ("coercion", r"行政强制", ("previous_items", "change", "decisions")),
    ("fees", r"行政事业性收费", ("previous_items", "change")),
    ("procurement", r"政府集中采购", ("projects", "amount_yuan")),
]
_DISCLOSURE_2021 = [
    ("regulations", r"规章", ("made", "repealed", "in_force")),
    ("normative_documents", r"规范性文件", ("made", "repealed", "in_force")),
    ("licensing", r"行政许可", ("decisions",)),
    ("punishment", r"行政处罚", ("decisions",)),
    ("coercion", r"行政强制", ("decisions",)),
    ("fees", r"行政事业性收费", ("amount_yuan",)),
]


def disclosure_rows(template: str) -> list[RowSpec]:
    rows = _DISCLOSURE_2021 if template == "2021" else _DISCLOSURE_2019
    return [_row("disclosure", item, pat, measures) for item, pat, measures in rows]


# Headings that bound the tables (matched on label tokens only, never on prose).
TABLE2_START = re.compile(r"主动公开政府信息情况")
TABLE3_START = re.compile(r"收到和处理政府信息公开申请")
TABLE4_START = re.compile(r"行政复议")
TABLE4_END = re.compile(r"(?:^|(?<=\x1f))五、|存在的主要问题|其他需要报告")

# Markers that decide the template from the table itself, not from the year.
TEMPLATE_2021_MARKERS = re.compile(r"本年制发件数|本年废止件数|现行有效件数|逾期不补正|收费通知要求")
TEMPLATE_2019_MARKERS = re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|其他处理")
