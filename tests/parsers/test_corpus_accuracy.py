"""Accuracy on every hand-read report we have (seeds + development corpus).

A ratchet: the figures may rise, never drop. Zero silent wrong cells is the
hard rule — a cell that differs from the truth must carry a warning or error.
"""

from pathlib import Path

from parsers.evaluate import evaluate, format_report, reports_from_parser, summary

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def test_corpus_accuracy_does_not_drop():
    scores = evaluate([SHARED / "golden", SHARED / "corpus" / "truth"], reports_from_parser(ROOT / "data" / "raw"))
    total = summary(scores)
    print(format_report(scores))
    assert total["files"] == 19
    assert total["wrong_silent"] == 0
    # 2,232 table cells + 56 pre-2019 facts the warehouse models (this year's 统计表 figures)
    assert total["compared"] == 2288
    assert total["correct"] == 2288  # every one, the PDF (dev_036) included
    assert total["year_correct"] == 19
    assert total["agency_correct"] >= 19  # dev_026 prints 沐阳 (OCR) for 沭阳: corrected, place_name_corrected
