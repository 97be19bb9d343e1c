"""Layout detection and tokenising: one report → a flat stream of tokens.

Layouts differ only in how cells are separated (newline, `|`, tab, spaces,
HTML cells, nothing at all). After tokenising, every layout is read by the
same form reader (`parsers.form`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

import polars as pl

TEXT, NUM, BLANK, DASH = "text", "num", "blank", "dash"

# Cells that stand for "nothing" in Chinese statistical tables. They are kept
# as explicit NULL slots (never read as 0): an identity may later determine them.
DASH_WORDS = frozenset({"-", "—", "——", "/", "无", "--", "－"})

_PIECES = re.compile(r"\d+(?:\.\d+)?|\D+")
_HAS_DIGIT = re.compile(r"\d")
_ENUMERATOR_WORD = re.compile(r"\d{1,2}[.、]")
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+")
_NEGATIVE = re.compile(r"[-—]\d+")
_UNIT = re.compile(r"^(万元|元|件|条|个|项|次|人次|笔)")
_STARTS_ROW = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[.、]\D)")
# Inside run-together text a row label starts at "二、" or "(三)": cut there.
_ROW_START_INSIDE = re.compile(r"(?=[一二三四五六七八九十]、|\([一二三四五六七八九十]\))")
_ENUMERATOR_AFTER = re.compile(r"^[.、．]\s*[^\d\s]")  # "1.属于…", "2、重复…"
# A cell of OCR look-alikes of 0 and 1 (l, I, O, o), maybe with digits: garbage, not a
# label. It is kept as an explicit empty slot, which only an identity may fill.
_GARBLED_CELL = re.compile(r"(?=\d*[lIOo])[\dlIOo]{1,6}")


@dataclass(slots=True)
class Token:
    kind: str
    text: str
    value: float | int | None = None
    glued: bool = False      # digits touching non-space text on a side: may hold several cells
    unit: str | None = None  # unit printed right after a number (万元, 元, 件 …)
    # The token's cell as the form reader sees it (parsers.form.Slot): it depends on
    # the token alone, so it is made once, on first use, and kept with the token.
    slot: object = field(default=None, compare=False, repr=False)


# Character classes for polars (Rust regex) that are exactly Python's `\d`
# (str.isdecimal) and `\s` without the newline (str.isspace): the layout features
# below count the same lines as the per-line Python tests they replace
# (tests/parsers/test_layout_features.py checks both classes against Python).
RUST_DIGIT = (
    r"\x{30}-\x{39}\x{660}-\x{669}\x{6f0}-\x{6f9}\x{7c0}-\x{7c9}\x{966}-\x{96f}\x{9e6}-\x{9ef}"
    r"\x{a66}-\x{a6f}\x{ae6}-\x{aef}\x{b66}-\x{b6f}\x{be6}-\x{bef}\x{c66}-\x{c6f}\x{ce6}-\x{cef}"
    r"\x{d66}-\x{d6f}\x{de6}-\x{def}\x{e50}-\x{e59}\x{ed0}-\x{ed9}\x{f20}-\x{f29}\x{1040}-"
    r"\x{1049}\x{1090}-\x{1099}\x{17e0}-\x{17e9}\x{1810}-\x{1819}\x{1946}-\x{194f}\x{19d0}-"
    r"\x{19d9}\x{1a80}-\x{1a89}\x{1a90}-\x{1a99}\x{1b50}-\x{1b59}\x{1bb0}-\x{1bb9}\x{1c40}-"
    r"\x{1c49}\x{1c50}-\x{1c59}\x{a620}-\x{a629}\x{a8d0}-\x{a8d9}\x{a900}-\x{a909}\x{a9d0}-"
    r"\x{a9d9}\x{a9f0}-\x{a9f9}\x{aa50}-\x{aa59}\x{abf0}-\x{abf9}\x{ff10}-\x{ff19}\x{104a0}-"
    r"\x{104a9}\x{10d30}-\x{10d39}\x{11066}-\x{1106f}\x{110f0}-\x{110f9}\x{11136}-\x{1113f}"
    r"\x{111d0}-\x{111d9}\x{112f0}-\x{112f9}\x{11450}-\x{11459}\x{114d0}-\x{114d9}\x{11650}-"
    r"\x{11659}\x{116c0}-\x{116c9}\x{11730}-\x{11739}\x{118e0}-\x{118e9}\x{11950}-\x{11959}"
    r"\x{11c50}-\x{11c59}\x{11d50}-\x{11d59}\x{11da0}-\x{11da9}\x{16a60}-\x{16a69}\x{16ac0}-"
    r"\x{16ac9}\x{16b50}-\x{16b59}\x{1d7ce}-\x{1d7ff}\x{1e140}-\x{1e149}\x{1e2f0}-\x{1e2f9}"
    r"\x{1e950}-\x{1e959}\x{1fbf0}-\x{1fbf9}"
)
RUST_SPACE = r"\x{9}\x{b}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_D, _WS, _NS = f"[{RUST_DIGIT}]", f"[{RUST_SPACE}]", f"[^\n{RUST_SPACE}]"  # digit, space (not \n), neither
# Per text, lines (split on \n) that: start and end with | (markdown rows), end
# with | (pipe rows), hold a tab between other characters (tab rows), hold one
# number only; and digits run together between Chinese characters.
_LAYOUT_FEATURES = {
    "md_rows": rf"(?m)^{_WS}*\|(?:[^\n]*\|)?{_WS}*$",
    "md_separator": rf"(?m)^{_WS}*\|(?:{_WS}|[:|\-])+\|{_WS}*$",
    "pipe_rows": rf"(?m)\|{_WS}*$",
    "tab_rows": rf"(?m)^{_WS}*{_NS}[^\n]*\t[^\n]*{_NS}",
    "num_lines": rf"(?m)^{_WS}*{_D}+(?:\.{_D}+)?{_WS}*$",
    "glued_runs": rf"[\x{{4e00}}-\x{{9fff}})]{_D}{{5,}}[\x{{4e00}}-\x{{9fff}}(]",
}
_HTML_TAG = re.compile(r"<(table|html|body|td)\b", re.I)
_SPACED_ROW = re.compile(r"(?:^|\s)\d+(?:[ ]\d+){4,}(?=\s|$)")  # a look-ahead: Python's re, per text


def detect_layout(text: str, file_name: str) -> str:
    return detect_layouts([text], [file_name])[0]


def detect_layouts(texts: list[str], file_names: list[str]) -> list[str]:
    """The layout of each text of a batch. The line features are counted for the
    whole batch at once (polars `str.count_matches`), not line by line in Python."""
    if not texts:
        return []
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    features = frame.select(
        pl.col("text").str.count_matches(pattern).alias(name) if name != "md_separator"
        else pl.col("text").str.contains(pattern).alias(name)
        for name, pattern in _LAYOUT_FEATURES.items()).to_dicts()
    return [_layout_of(text, name.lower(), f) for text, name, f in zip(texts, file_names, features)]


def _layout_of(text: str, name: str, f: dict) -> str:
    if name.endswith((".html", ".htm")) or _HTML_TAG.search(text[:20000]):
        return "html"
    if not text.strip():  # no line that is not blank
        return "unknown"
    if name.endswith(".md") or (f["md_rows"] >= 5 and f["md_separator"]):
        return "markdown"
    if f["pipe_rows"] >= 20:
        return "pipe"
    if f["tab_rows"] >= 10:
        return "tab"
    if f["num_lines"] >= 20:
        return "cell_per_line"
    if f["glued_runs"] >= 3:
        return "run_together"
    if len(_SPACED_ROW.findall(text)) >= 5:
        return "space_separated"
    return "prose"


# Layouts whose cells are not the lines (split at \n, \t and |) of the text.
MARKUP_LAYOUTS = ("html", "markdown")


def split_cells(text: str, layout: str) -> list[str | None]:
    """Cells in reading order; None marks a cell the layout shows as empty."""
    if layout == "html":
        return html_cells(text)
    if layout == "markdown":
        return markdown_cells(text)
    # re.split(r"[\n\t|]", text), by str methods (several times faster)
    return [c for c in text.replace("\t", "\n").replace("|", "\n").split("\n") if c.strip()]


_MD_SEPARATOR_ROW = re.compile(r"\|?[\s:|-]+\|?")


def markdown_cells(text: str) -> list[str | None]:
    cells: list[str | None] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if _MD_SEPARATOR_ROW.fullmatch(stripped) and "-" in stripped:
            continue  # the |---|---| separator row
        if stripped.startswith("|"):
            parts = stripped.strip("|").split("|")
            cells.extend(p if p.strip() else None for p in parts)
        elif stripped:
            cells.append(stripped.lstrip("#").strip())
    return cells


class _HtmlCells(HTMLParser):
    """Collects text in document order; each table cell is one entry ("" if empty)."""

    _SKIP = {"script", "style", "head", "title", "nav", "footer"}
    _BREAKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str | None] = []
        self._buf: list[str] = []
        self._in_cell = False
        self._skip = 0

    def _flush(self, force: bool = False) -> None:
        text = "".join(self._buf).strip()
        self._buf = []
        if text or force:
            self.cells.append(text or None)

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        elif tag in ("td", "th"):
            self._flush()
            self._in_cell = True
        elif tag in self._BREAKS and not self._in_cell:
            self._flush()

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th"):
            self._flush(force=True)
            self._in_cell = False
        elif tag in self._BREAKS and not self._in_cell:
            self._flush()

    def handle_data(self, data):
        if not self._skip:
            self._buf.append(data)


def html_cells(text: str) -> list[str | None]:
    cells = _scan_html_cells(text)
    if cells is None:
        parser = _HtmlCells()  # markup the scanner does not know: html.parser reads all of it
        parser.feed(text)
        parser.close()
        parser._flush()
        cells = parser.cells
    return cells


# The markup of ordinary pages, each construct exactly as html.parser reads it
# (tags with plain attributes, end tags, comments, declarations, processing
# instructions; script and style bodies up to their end tag). Anything else (a
# stray <, an unterminated comment, odd attribute syntax) sends the whole text to
# html.parser: the scanner is a shortcut for pages where both read the same events
# (tests/parsers/test_html_scanner.py compares them).
_S = "[ \t\n\r\f]"
_ATTRS = (rf"(?:{_S}+[a-zA-Z_:][-a-zA-Z0-9_:.]*"
          rf"""(?:{_S}*={_S}*(?:"[^"]*"|'[^']*'|[^\s"'=<>`/]+(?=[ \t\n\r\f>])))?)*{_S}*""")
_NO_EVENT = r"<!--.*?--\s*>|<!(?!--|\[)[^>]*>|<\?[^>]*>"  # comments, declarations, processing instructions
_HTML_MARKUP = re.compile(
    rf"{_NO_EVENT}|<(?P<start>[a-zA-Z][a-zA-Z0-9]*){_ATTRS}(?P<close>/?)>"
    r"|</(?P<end>[a-zA-Z][-.a-zA-Z0-9:_]*)\s*>", re.S)
_CDATA_END = {tag: re.compile(rf"</\s*{tag}\s*>", re.I) for tag in ("script", "style")}
# _scan_simple_html reads the three groups by position (m.groups(), faster than by name).
assert _HTML_MARKUP.groupindex == {"start": 1, "close": 2, "end": 3} and _HTML_MARKUP.groups == 3

def _any_case(word: str) -> str:
    """`word` in ASCII letters of either case, as _HTML_MARKUP reads tag names (re.I
    would take ſ for s)."""
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


# _HTML_MARKUP as one pass over the whole text (findall, no Python step per tag): the
# data before each markup, then the markup's groups. A script or style start tag takes
# its body (raw text, never collected: both are skipped tags) up to its end tag
# (_CDATA_END's pattern), or to the end of the text when it has none (script_end /
# style_end empty); a < that starts no markup the scanner knows is `stray`.
_HTML_EVENTS = re.compile(
    rf"([^<]*)(?:{_NO_EVENT}"
    + "".join(rf"|<(?P<{tag}>{_any_case(tag)}){_ATTRS}>(?:.*?(?P<{tag}_end>(?i:{end.pattern}))|.*)"
              for tag, end in _CDATA_END.items())
    + rf"|<(?P<start>[a-zA-Z][a-zA-Z0-9]*){_ATTRS}(?P<close>/?)>"
    r"|</(?P<end>[a-zA-Z][-.a-zA-Z0-9:_]*)\s*>|(?P<stray><)|\Z)", re.S)
assert list(_HTML_EVENTS.groupindex) == ["script", "script_end", "style", "style_end", "start", "close", "end", "stray"]
assert set(_CDATA_END) <= _HtmlCells._SKIP  # their bodies are never collected


def _scan_simple_html(text: str, parser: _HtmlCells) -> bool:
    """Feed `parser` the events html.parser would; False (parser half fed) if the
    text holds markup outside the simple forms above."""
    pos, n = 0, len(text)
    find, match = text.find, _HTML_MARKUP.match  # bound once: this loop runs once per tag
    handle_data, handle_starttag, handle_endtag = parser.handle_data, parser.handle_starttag, parser.handle_endtag
    while pos < n:
        lt = find("<", pos)
        if lt < 0:
            lt = n
        if lt > pos:
            data = text[pos:lt]
            handle_data(unescape(data) if "&" in data else data)
            if lt == n:
                break
        m = match(text, lt)
        if m is None:
            return False
        pos = m.end()
        tag, close, end_tag = m.group("start", "close", "end")
        if tag is not None:
            tag = tag.lower()
            handle_starttag(tag, [])
            if close:
                handle_endtag(tag)
            elif tag in _CDATA_END:  # the body is raw text up to </script>; none at all: the rest is dropped
                end = _CDATA_END[tag].search(text, pos)
                if end is None:
                    return True
                if end.start() > pos:
                    handle_data(text[pos:end.start()])
                handle_endtag(tag)
                pos = end.end()
        elif end_tag is not None:
            handle_endtag(end_tag.lower())
    return True


def _scan_html_cells(text: str) -> list[str | None] | None:
    """The cells `_HtmlCells` collects from the events `_scan_simple_html` feeds it,
    read from one findall (`_HTML_EVENTS`) with the collector's handlers written inline
    (a method call per tag and per text cost more than the scanning); None where
    `_scan_simple_html` returns False. tests/parsers/test_html_scanner.py compares both
    with html.parser."""
    cells: list[str | None] = []
    buf: list[str] = []
    in_cell, skip = False, 0
    skip_tags, breaks = _HtmlCells._SKIP, _HtmlCells._BREAKS

    def flush(force: bool) -> None:  # _HtmlCells._flush
        cell = "".join(buf).strip()
        buf.clear()
        if cell or force:
            cells.append(cell or None)

    for data, script, script_end, style, style_end, tag, close, end_tag, stray in _HTML_EVENTS.findall(text):
        if data and not skip:  # handle_data
            buf.append(unescape(data) if "&" in data else data)
        if stray:
            return None
        cdata = script or style
        if cdata:
            tag = cdata
        if tag:
            tag = tag.lower()
            if tag in skip_tags:  # handle_starttag
                skip += 1
            elif tag == "td" or tag == "th":
                flush(False)
                in_cell = True
            elif tag in breaks and not in_cell:
                flush(False)
            if close or cdata:
                if cdata and not (script_end or style_end):
                    break  # a script or style without its end tag: the rest is dropped
                end_tag = tag  # <br/>, or the end tag of a script or style
        if end_tag:  # handle_endtag
            end_tag = end_tag.lower()
            if end_tag in skip_tags:
                skip = max(0, skip - 1)
            elif end_tag == "td" or end_tag == "th":
                flush(True)
                in_cell = False
            elif end_tag in breaks and not in_cell:
                flush(False)
    flush(False)
    return cells


def html_title(text: str) -> str | None:
    m = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    return m.group(1).strip() if m else None


_WHOLE_NUMBER_CELL = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*(万元|元|件|条|个|项|次|人次|笔)?\s*")


def tokenize(cells: list[str | None], explicit_cells: bool) -> list[Token]:
    """`explicit_cells` (HTML, Markdown): the layout marks every cell, so an empty
    cell is an explicit blank and a cell is a number only if it is all number
    (a header cell such as 数据1 is a label, not a 1).

    A cell's tokens depend on the cell's text alone, and the form's labels and
    small numbers repeat across reports: the tokens of short cells are kept
    (`_CELL_TOKENS`) and shared (tokens are never changed once made; the form reader
    only adds the slot it derives from a token, see `Token.slot`)."""
    tokens: list[Token] = []
    cache = _CELL_TOKENS[explicit_cells]
    for cell in cells:
        if cell is None:
            if explicit_cells:
                tokens.append(_BLANK_TOKEN)
            continue
        toks = cache.get(cell)
        if toks is None:
            toks = _cell_tokens(cell, explicit_cells)
            if len(cell) <= _CACHED_CELL_CHARS:
                if len(cache) >= _CACHED_CELLS:
                    cache.clear()
                cache[cell] = toks
        tokens.extend(toks)
    return tokens


_CACHED_CELL_CHARS, _CACHED_CELLS = 120, 50_000
_CELL_TOKENS: dict[bool, dict[str, tuple[Token, ...]]] = {False: {}, True: {}}
_BLANK_TOKEN = Token(BLANK, "")


def _cell_tokens(cell: str, explicit_cells: bool) -> tuple[Token, ...]:
    """The tokens of one cell (not None)."""
    if explicit_cells:
        m = _WHOLE_NUMBER_CELL.fullmatch(cell.replace(",", ""))
        if m:
            value = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
            return (Token(NUM, m.group(1), value, unit=m.group(2)),)
        if cell.strip() in DASH_WORDS or _GARBLED_CELL.fullmatch(cell.strip()):
            return (Token(DASH, cell.strip()),)
        return (Token(TEXT, cell.strip()),)
    words = cell.split()
    if len(words) == 1 and words[0].isdigit() and words[0].isascii():  # the common case: one whole number
        return (Token(NUM, words[0], int(words[0])),)
    if words and _PLAIN_CELL.fullmatch(cell):  # words of label text only: one text token
        return (Token(TEXT, "".join(words)),)
    out: list[Token] = []
    _tokenize_cell(words, out)
    return tuple(out)


# A cell without digits, dash words, look-alikes of digits, 、 or ( holds nothing
# `_tokenize_cell` would cut or classify: its words are one text token.
_PLAIN_CELL = re.compile(r"[^\dlIOo、(\-—/无－]+")


def _tokenize_cell(words: list[str], out: list[Token]) -> None:
    text_run: list[str] = []

    def flush_text() -> None:
        if text_run:
            out.append(Token(TEXT, "".join(text_run)))
            text_run.clear()

    for word in words:
        if word.isdigit() and word.isascii():  # the common case: one whole number
            flush_text()
            out.append(Token(NUM, word, int(word)))
            continue
        if _STARTS_ROW.match(word):  # a new row label starts: do not glue it to the text before
            flush_text()
        if _GARBLED_CELL.fullmatch(word):  # "l", "1O": a misprinted cell
            flush_text()
            out.append(Token(DASH, word))
            continue
        if not _HAS_DIGIT.search(word) and word not in DASH_WORDS:  # plain label text
            # _ROW_START_INSIDE cuts only before 、 or (: a word without them stays whole
            for piece in (_ROW_START_INSIDE.split(word) if "、" in word or "(" in word else (word,)):
                if piece:
                    _add_text(piece, text_run, flush_text)
            continue
        if _ENUMERATOR_WORD.fullmatch(word):  # "1." standing alone before its label
            text_run.append(word)
            continue
        if word in DASH_WORDS:
            flush_text()
            out.append(Token(DASH, word))
            continue
        if _THOUSANDS.fullmatch(word):  # thousands separators
            word = word.replace(",", "")
        if _NEGATIVE.fullmatch(word):  # 本年增/减 may be negative
            flush_text()
            out.append(Token(NUM, word, -int(word[1:])))
            continue
        # _ROW_START_INSIDE matches only before 、 or (: other pieces (digits) are not cut
        pieces = [q for p in _PIECES.findall(word)
                  for q in (_ROW_START_INSIDE.split(p) if "、" in p or "(" in p else (p,)) if q]
        for i, piece in enumerate(pieces):
            if not piece[0].isdecimal():  # what \d matches: '²'.isdigit(), but int('²') fails
                if (piece in DASH_WORDS or _GARBLED_CELL.fullmatch(piece)) and 0 < i < len(pieces) - 1 \
                        and pieces[i + 1][0].isdecimal() and pieces[i - 1][0].isdecimal():
                    # "0-2", "00—0000", "10l0": a minus sign, a dash cell or a misprint between
                    # run-together digits; kept as a dash (never dropped), glued: it is ambiguous.
                    flush_text()
                    out.append(Token(DASH, piece, glued=True))
                    continue
                _add_text(piece, text_run, flush_text)
                continue
            before = pieces[i - 1] if i else ""
            after = pieces[i + 1] if i + 1 < len(pieces) else ""
            if _is_label_number(piece, before, after):
                text_run.append(piece)
                continue
            if len(piece) >= 2 and "." not in piece and _ENUMERATOR_AFTER.match(after):
                # Run-together text: "…00000002.其他法律…" (or "…申请03.其他") ends a row's digits
                # with the next label's enumerator. Rows of this form are numbered 1-8: one digit.
                piece, enumerator = piece[:-1], piece[-1]
                flush_text()
                out.append(Token(NUM, piece, int(piece), glued=True))
                text_run.append(enumerator)
                continue
            unit_match = _UNIT.match(after)
            flush_text()
            value = float(piece) if "." in piece else int(piece)
            glued = bool(before) or (bool(after) and not unit_match)
            out.append(Token(NUM, piece, value, glued=glued, unit=unit_match.group(1) if unit_match else None))
    flush_text()


def _add_text(piece: str, text_run: list[str], flush_text) -> None:
    """Text runs together inside a word (run-together layouts); a row label that
    starts inside it ("…次。二、主动公开…") starts a new token, as it does between words."""
    if text_run and _STARTS_ROW.match(piece):
        flush_text()
    text_run.append(piece)


def _is_label_number(piece: str, before: str, after: str) -> bool:
    """Digits that belong to a label, not to a cell: enumerators, years, codes."""
    if after.startswith("%"):
        return True
    if before.endswith(("(", "[", "第")) or after.startswith((")", "号", "]")):
        return True
    if after.startswith("年") and len(piece) == 4:
        return True
    if _ENUMERATOR_AFTER.match(after) and len(piece) == 1 and not before[-1:].isdigit():
        return True
    if after.startswith(("月", "日")) and len(piece) <= 2:
        return True
    return False
