"""One report file → its row of raw.reports, its cells and its issues."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from parsers.decode import decode_bytes
from parsers.form import LabelIndex
from parsers.metadata import read_metadata
from parsers.normalize import normalize_texts
from parsers.pdf import PdfError, pdf_text
from parsers.prose import read_prose
from parsers.regions import resolve_region
from parsers.tables import (Cell, Issue, detect_template, may_name_a_template, may_name_a_template_in_lines,
                            read_table2, read_table3_and_4)
from parsers.timing import timed
from parsers.tokens import MARKUP_LAYOUTS, detect_layouts, html_title, split_cells, tokenize

MAX_BYTES = 20 * 1024 * 1024  # larger files are recorded, not read: no report is that long
REPORT_MARKERS = ("政府信息公开", "信息公开")


@dataclass
class ParsedReport:
    report: dict
    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def report_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _empty_record(report_id: str, source_file: str, size: int) -> dict:
    return {
        "report_id": report_id, "source_file": source_file, "file_size_bytes": size,
        "encoding": None, "layout": "unknown", "template": None, "agency_name_raw": None,
        "agency_name": None, "agency_key": None, "year": None, "published_date": None, "province": None,
        "city": None, "county": None, "adcode": None, "admin_level": "other", "parse_status": "failed",
    }


def failed_report(source_file: str, check: str, message: str, data: bytes | None = None) -> ParsedReport:
    """The record of a file that could not be read or parsed at all. Without bytes
    (unreadable, symlink) the id is a hash of the path, so it stays unique."""
    report_id = report_id_of(data) if data is not None else report_id_of(b"path:" + source_file.encode())
    parsed = ParsedReport(_empty_record(report_id, source_file, len(data) if data is not None else 0))
    return _fail(parsed, check, message)


def parse_report(data: bytes, source_file: str) -> ParsedReport:
    """Never raises for bad input: every problem becomes an issue on the record."""
    return parse_reports([(data, source_file)])[0]


def parse_reports(files: list[tuple[bytes, str]]) -> list[ParsedReport]:
    """(bytes, source_file) of a batch of files → their records, in order.

    Decoding is per file; normalisation runs once over the batch's texts (polars
    string expressions, `parsers.normalize.normalize_texts`); then each report is
    read on its own. Like `parse_report`, never raises for bad input (a parser bug
    does raise: `parsers.batch` then parses the batch's files one by one)."""
    staged = [_decode(data, source_file) for data, source_file in files]
    to_read = [(parsed, text, layout, source_file)
               for (parsed, text, layout), (_, source_file) in zip(staged, files) if text is not None]
    with timed("normalise"):
        texts = normalize_texts([text for _, text, _, _ in to_read])
    with timed("tokenise"):
        layouts = detect_layouts(texts, [source_file for _, _, _, source_file in to_read])
    for (parsed, _, known_layout, source_file), text, layout in zip(to_read, texts, layouts):
        # A PDF's text layer is read as plain lines, whatever it looks like.
        _read_text(parsed, text, source_file, known_layout or layout)
    return [parsed for parsed, _, _ in staged]


def _decode(data: bytes, source_file: str) -> tuple[ParsedReport, str | None, str | None]:
    """The record so far, the text to normalise and read (None: nothing to read),
    and the layout when the kind of file decides it (a PDF's text layer)."""
    report = _empty_record(report_id_of(data), source_file, len(data))
    parsed = ParsedReport(report)
    if len(data) > MAX_BYTES:
        message = f"{len(data):,} bytes is over the {MAX_BYTES:,}-byte limit for one report"
        return _fail(parsed, "file_too_large", message), None, None
    with timed("decode"):
        decoded = decode_bytes(data)
    if decoded.kind == "pdf":
        report["layout"] = "pdf"
        try:
            with timed("decode"):
                text = pdf_text(data)
        except PdfError as exc:
            return _fail(parsed, "pdf_unreadable", str(exc)), None, None
        return parsed, text, "pdf"
    if decoded.text is None:
        check = {"empty": "empty_file"}.get(decoded.kind, "undecodable")
        return _fail(parsed, check, decoded.reason), None, None
    report["encoding"] = decoded.encoding
    if "\x00" in decoded.text:
        parsed.issues.append(Issue("warning", "nul_bytes", None, "the text holds NUL bytes; they were removed"))
    return parsed, decoded.text.replace("\x00", ""), None


def agency_key(name: str | None, region) -> str | None:
    """Identity of an agency across reports: its division code plus its name
    without the division names in front (滁州市南谯区经济和信息化局 and
    南谯区经信局 both give '341103|经济和信息化局')."""
    if not name:
        return None
    core = name
    for division in (region.province, region.city, region.county):
        if division and core.startswith(division):
            core = core[len(division):]
    return f"{region.adcode or ''}|{core or name}"


def _fail(parsed: ParsedReport, check: str, message: str) -> ParsedReport:
    parsed.issues.append(Issue("error", check, None, message))
    return parsed


def _read_text(parsed: ParsedReport, text: str, source_file: str, layout: str) -> None:
    report = parsed.report
    with timed("tokenise"):
        report["layout"] = layout
        title = html_title(text) if layout == "html" else None
        # The cells of other layouts are made only when tokens are (most pre-2019
        # reports are read as prose without them).
        cells_text = split_cells(text, layout) if layout in MARKUP_LAYOUTS else None
        plain = "\n".join(filter(None, cells_text)) if layout == "html" else text
    if not any(m in plain for m in REPORT_MARKERS):
        # No agency or year is read from a page that is not a report (a news item
        # names agencies and years that are not a report's).
        _fail(parsed, "not_a_report", "no mention of 政府信息公开: this does not look like an annual OGI report")
        return
    with timed("metadata"):
        meta = read_metadata(plain, title)
        region = resolve_region(meta.agency_name, plain[:3000])
    report.update(agency_name_raw=meta.agency_name_raw, agency_name=meta.agency_name,
                  year=meta.year, published_date=meta.published_date)
    report.update(province=region.province, city=region.city, county=region.county,
                  adcode=region.adcode, admin_level=region.admin_level,
                  agency_key=agency_key(meta.agency_name, region))
    _missing_metadata(parsed, meta)
    parsed.issues.extend(Issue(*note) for note in meta.notes)  # e.g. place_name_corrected
    with timed("tokenise"):
        # Tokens serve the tables only: a pre-2019 report whose cells cannot name a
        # template marker is read as prose without them (same template, see may_name_a_template).
        may_name = may_name_a_template(cells_text) if cells_text is not None else may_name_a_template_in_lines(text)
        if may_name or (meta.year is not None and meta.year >= 2019):
            if cells_text is None:
                cells_text = split_cells(text, layout)
            tokens = tokenize(cells_text, explicit_cells=layout in MARKUP_LAYOUTS)
            index = LabelIndex(tokens)
            template = detect_template(index)
        else:
            template = None
    if template is None and (meta.year is None or meta.year < 2019):
        report["template"] = "pre2019"
        if layout != "prose":
            report["layout"] = "prose"
        with timed("prose"):
            parsed.cells, prose_issues = read_prose(plain)
        parsed.issues.extend(prose_issues)
        report["parse_status"] = "partial" if parsed.cells else "failed"
        if not parsed.cells:
            _fail(parsed, "no_figures", "pre-2019 report: no figure on applications, reviews or suits was recognised")
        return
    report["template"] = template or ("2021" if meta.year and meta.year >= 2021 else "2019")
    if template is None:
        parsed.issues.append(Issue("warning", "template_from_year", None,
                                   f"no template marker in the tables; assumed {report['template']} from the year"))
    with timed("tables"):
        reads = (read_table2(tokens, index, report["template"]), read_table3_and_4(tokens, index, report["template"]))
    for read in reads:
        parsed.cells.extend(read.cells)
        parsed.issues.extend(read.issues)
    report["parse_status"] = _status(parsed)


def _missing_metadata(parsed: ParsedReport, meta) -> None:
    if meta.agency_inferred and meta.agency_name:
        parsed.issues.append(Issue("warning", "agency_inferred", None,
                                   f"no title, 来源 or signature names the agency; {meta.agency_name}, "
                                   "the division the text names most, is assumed"))
    if meta.agency_name is None:
        parsed.issues.append(Issue("error", "agency_not_found", None, "no agency name in the title, body, source line or signature"))
    if meta.year is None:
        parsed.issues.append(Issue("error", "year_not_found", None, "no report year in the title or the 统计期限"))


def _status(parsed: ParsedReport) -> str:
    counts = [c for c in parsed.cells if c.table_name in ("applications", "outcomes", "litigation")]
    if not counts or all(c.value is None for c in counts):
        return "failed"
    if any(i.severity == "error" for i in parsed.issues) or any(c.value is None for c in counts):
        return "partial"
    if any(c.is_imputed for c in parsed.cells):
        return "repaired"
    return "ok"
