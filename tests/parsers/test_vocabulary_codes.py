"""The parser emits only codes that parsers/schema.py (and so the contracts) accept."""

from parsers import schema as S
from parsers import vocabulary as V
from parsers.prose import DISCLOSURE_PATTERNS, LEGACY_PATTERNS, ZERO_DISCLOSURE


def test_form_rows_use_schema_codes():
    for template in ("2019", "2021"):
        for row in V.table3_rows(template):
            allowed = S.APPLICATION_ROWS if row.table == "applications" else S.OUTCOME_CODES
            assert row.code in allowed and set(row.columns) <= set(S.APPLICANT_TYPES)
        for row in V.disclosure_rows(template):
            assert row.code in S.DISCLOSURE_ITEMS and set(row.columns) <= set(S.DISCLOSURE_MEASURES)
    assert {p for p, _ in V.LITIGATION_COLUMNS} <= set(S.PROCEEDINGS)
    assert {r for _, r in V.LITIGATION_COLUMNS} <= set(S.LITIGATION_RESULTS)


def test_prose_facts_use_schema_codes():
    assert set(LEGACY_PATTERNS) <= set(S.LEGACY_FACTS)
    for item, measure in [*DISCLOSURE_PATTERNS, *ZERO_DISCLOSURE]:
        assert item in S.DISCLOSURE_ITEMS and measure in S.DISCLOSURE_MEASURES
