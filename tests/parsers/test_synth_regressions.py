"""Reports a randomized run of the property tests (OGI_SYNTH_EXPLORE=1) read silently
wrong, kept as plain regressions: each must come back right, or NULL / different with a
warning or error on its row (tests/parsers/test_synth_properties.py: check_round_trip)."""

from __future__ import annotations

from parsers.evaluate import score_report
from parsers.render import parsed_as_dict
from parsers.report import parse_report
from parsers.synth import Perturb, make_report, verify

BASE = dict(blanks=0, dashes=False, zero_org_blank=True, traditional=False, ruby=False, encoding="utf-8",
            chrome=False, prose_numbers=False, title_style="one_line", hard_breaks=False, stat_table=False,
            variant=0)


def _flags(got: dict) -> set[str]:
    return {("*" if i["check_name"].startswith("identity_") else ".".join((i["location"] or "").split(".")[:2]))
            for i in got["issues"] if i["severity"] in ("warning", "error")}


def _round_trip(seed: int, layout: str, year: int, broken: str | None, **perturb):
    name, data, truth = make_report(seed, 0, layout=layout, year=year, broken=broken,
                                    perturb=Perturb(**{**BASE, **perturb}))
    parsed = parse_report(data, name)
    got = parsed_as_dict(parsed)
    score = score_report(truth, got, _flags(got), name)
    verdict = verify(truth, parsed)
    assert score.wrong_silent == 0 and verdict.ok, [d for d in score.details if "SILENT" in d] + verdict.problems()
    return got


def _checks(got: dict, check: str) -> set[str]:
    return {i["location"] for i in got["issues"] if i["check_name"] == check}


def test_wrapped_label_key_words_after_the_numbers_flag_the_rows():
    # 2.没有现成信息需要 0 … 0 / 另行制作 / 3.补正后申请内容 118 … 163 / 仍不明确: 另行制作 is found,
    # and the numbers after it are (3)'s. The row start 3.补正… inside the row is flagged.
    got = _round_trip(2307, "tab", 2021, None, hard_breaks=True)
    assert {"outcomes.unable_needs_creation", "outcomes.unable_unclear"} <= _checks(got, "stray_row_start")


def test_run_together_litigation_that_a_blank_would_split_otherwise_is_flagged():
    # 00000170570741201022 with suits-after-review pending not printed: 12 0 10 _ 22, but
    # 1 20 1 0 22 adds up too. Table 四 has no column identity to decide.
    got = _round_trip(7871, "run_together", 2019, None, blanks=1, chrome=True, prose_numbers=True, variant=2)
    assert "litigation.suit_after_review" in _checks(got, "split_unconfirmed")


def test_truncated_inside_table_two_flags_its_last_number():
    # The file ends with 行政强制 0 0 894: the 8946 printed was cut.
    got = _round_trip(2, "cell_per_line", 2019, "truncated", blanks=2, prose_numbers=True, title_style="two_lines")
    assert "disclosure.coercion" in _checks(got, "text_may_end_here")


def test_garbled_digits_next_to_a_litigation_blank_are_not_generated():
    # Was: review.maintained not printed and suits-after-review 0 8 0 0 0 misprinted; the 14
    # numbers then read only as … | 8 0 0 0 _, exactly a report without misprints. The
    # generator now garbles table 四 only when all its 15 cells are printed.
    _round_trip(83224497, "cell_per_line", 2019, "garbled_digits", blanks=4, prose_numbers=True)


def test_markdown_header_blanks_keep_the_column_of_a_garbled_cell_in_table_four():
    # The merged header rows of table 四 print 26 empty cells before the 15 figures;
    # counted as slots, they hid the column of a garbled `l` cell, and the identities
    # put the blank at suit_direct's 总计 (a misprinted 9 then read as 0 9 0 0 9).
    got = _round_trip(0, "markdown", 2021, "garbled_digits")
    assert "litigation.suit_direct" in {".".join((i["location"] or "").split(".")[:2])
                                        for i in got["issues"] if i["severity"] in ("warning", "error")} \
        or any(i["check_name"].startswith("identity_") for i in got["issues"])
