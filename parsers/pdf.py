"""Text layer of a PDF report (pypdfium2, PDFium in a wheel from PyPI).

Scanned PDFs have no text layer: they are recorded with that reason, not OCR'd.
"""

from __future__ import annotations

import pypdfium2 as pdfium

MAX_PAGES = 200  # an annual report has 5-30 pages; more is not one report


class PdfError(Exception):
    """The PDF cannot give text; the message says why."""


def pdf_text(data: bytes) -> str:
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise PdfError(f"the PDF cannot be opened ({exc})") from None
    try:
        if len(doc) > MAX_PAGES:
            raise PdfError(f"{len(doc)} pages is over the {MAX_PAGES}-page limit for one report")
        pages = []
        for i in range(len(doc)):
            try:  # a damaged page (found by tests/parsers/test_fuzz.py) is a reason, not a crash
                page = doc[i]
                textpage = page.get_textpage()
                pages.append(textpage.get_text_range())
            except pdfium.PdfiumError as exc:
                raise PdfError(f"page {i + 1} of the PDF cannot be read ({exc})") from None
            textpage.close()
            page.close()
    finally:
        doc.close()
    text = "\n".join(pages).replace("\r\n", "\n").replace("\r", "\n")
    if len(text.strip()) < 50:
        raise PdfError("the PDF has no text layer (a scan?); OCR is not done")
    return text
