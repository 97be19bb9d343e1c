"""The accuracy tool's counting rules (parsers/evaluate.py)."""

from parsers.evaluate import score_report, summary

TRUTH = {"agency": "临沧市教育局", "year": 2021,
         "applications": {"new_received": [3, 0, 0, 0, 0, 0, 3]}}


def test_a_report_not_selected_is_not_scored_as_missing_cells():
    got = {"source_file": "b.txt", "agency": "临沧市教育局", "year": 2021, "not_selected": True}
    score = score_report(TRUTH, got, set(), "b.json")
    assert (score.compared, score.missing, score.not_selected, score.agency_ok) == (0, 0, True, True)
    assert summary([score])["files_not_selected"] == 1


def test_cells_are_correct_missing_flagged_or_silent():
    got = {"source_file": "a.txt", "agency": "云南省临沧市教育局", "year": 2021,
           "applications": {"new_received": [3, None, 0, 0, 0, 1, 3]}}
    score = score_report(TRUTH, got, set(), "a.json")
    assert (score.correct, score.missing, score.wrong_silent, score.agency_ok) == (5, 1, 1, False)
    flagged = score_report(TRUTH, got, {"applications.new_received"}, "a.json")
    assert (flagged.wrong_flagged, flagged.wrong_silent) == (1, 0)
