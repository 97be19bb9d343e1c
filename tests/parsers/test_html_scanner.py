"""The HTML scanner (parsers/tokens.py) is a shortcut for html.parser: on every text
it accepts, it must feed the cell collector the same events html.parser does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.tokens import _HtmlCells, _scan_html_cells, _scan_simple_html, html_cells


class _Recorder(_HtmlCells):
    def __init__(self) -> None:
        super().__init__()
        self.events: list = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag))
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.events.append(("end", tag))
        super().handle_endtag(tag)

    def handle_data(self, data):
        if self.events and self.events[-1][0] == "data":
            self.events[-1] = ("data", self.events[-1][1] + data)
        else:
            self.events.append(("data", data))
        super().handle_data(data)


def _stdlib(text: str) -> _Recorder:
    parser = _Recorder()
    parser.feed(text)
    parser.close()
    parser._flush()
    return parser


_FRAGMENTS = st.sampled_from([
    "<td>", "</td>", "<TD class=\"a\">", "<th colspan=2>", "<tr>", "</tr>", "<table border='1'>", "</table>",
    "<p>", "</p>", "<br>", "<br/>", "<br />", "<div id=x >", "</div >", "<td a=b/>", "<td a=\"b\"/>",
    "<script>", "</script>", "<script type=\"t\">var a = '<td>1</td>';", "</SCRIPT >", "<style>", "</style>",
    "<title>", "</title>", "<nav>", "</nav>", "<head>", "</head>", "<!-- c -->", "<!-- <td> -->", "<!--",
    "-->", "<!DOCTYPE html>", "<!x>", "<![CDATA[x]]>", "<?xml v?>", "<", ">", "</", "</ td>", "</td x>",
    "&amp;", "&nbsp;", "&#49;", "&#x4e00;", "&lt", "&", "1", "23", "予以公开", " ", "\n", "\t", "=", "/", "\"",
    "'", "<a href=/x/>", "<img src=\"a>b\">", "<td\x85>", "<td中>", "<p\x0b>",
    "<Script a=1>", "</script\n>", "<script/>", "<scripts>", "<\u017fcript>", "<STYLE >",
    "</style x>", "</ style>",
])


@settings(max_examples=1500, deadline=None, derandomize=True, database=None)
@given(st.lists(_FRAGMENTS, max_size=40).map("".join))
def test_the_scanner_reads_what_html_parser_reads(text):
    scanned = _Recorder()
    if _scan_simple_html(text, scanned):
        scanned._flush()
        reference = _stdlib(text)
        assert scanned.events == reference.events
        assert scanned.cells == reference.cells
    assert html_cells(text) == _stdlib(text).cells


@settings(max_examples=1500, deadline=None, derandomize=True, database=None)
@given(st.lists(_FRAGMENTS, max_size=40).map("".join))
def test_the_inline_scanner_collects_what_the_collector_does(text):
    """_scan_html_cells is _scan_simple_html feeding _HtmlCells, its handlers inline."""
    scanned = _HtmlCells()
    fused = _scan_html_cells(text)
    if _scan_simple_html(text, scanned):
        scanned._flush()
        assert fused == scanned.cells
    else:
        assert fused is None
