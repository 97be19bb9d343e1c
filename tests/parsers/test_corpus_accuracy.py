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
    assert total["compared"] == 2232
    assert total["correct"] == 2232  # every truth cell, the PDF (dev_036) included
    assert total["year_correct"] == 19
    assert total["agency_correct"] >= 15
