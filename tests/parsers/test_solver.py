"""The identity solver: blanks filled only when determined, guesses never accepted."""

from parsers.form import Slot, placement_candidates, split_candidates
from parsers.solver import Identity, RowInput, solve


def row_identity(row):
    keys = [("t", row, str(i)) for i in range(3)]
    return keys, Identity("identity_row_total", row, ((keys[0], 1), (keys[1], 1), (keys[2], -1)))


def test_a_single_blank_is_filled_by_the_identity_and_marked():
    keys, ident = row_identity("a")
    res = solve([RowInput(keys, [(None, 2, 5)])], [ident])
    assert res.values[keys[0]] == 3
    assert res.imputed == {keys[0]: "identity_row_total"}
    assert not res.broken


def test_printed_numbers_that_break_an_identity_are_kept_and_reported():
    keys, ident = row_identity("a")
    res = solve([RowInput(keys, [(1, 2, 4)])], [ident])
    assert [res.values[k] for k in keys] == [1, 2, 4]
    assert res.broken == [ident]


def test_missing_cell_is_placed_where_the_identities_allow_only_one_reading():
    # Two numbers for three columns: [2, 2] reads as a + b = total only as (2, _, 2) → b = 0,
    # or (_, 2, 2) → a = 0; both are consistent, so the row must stay unresolved.
    keys, ident = row_identity("a")
    cands = [tuple(s.value if s else None for s in c)
             for c in placement_candidates([Slot(2, "2"), Slot(2, "2")], 3)]
    res = solve([RowInput(keys, cands, "2 numbers for 3 columns")], [ident])
    assert all(res.values[k] is None for k in keys)
    assert res.unresolved_rows


def test_all_zero_rows_are_determined_whatever_the_placement():
    keys, ident = row_identity("a")
    cands = [tuple(s.value if s else None for s in c) for c in placement_candidates([Slot(0, "0"), Slot(0, "0")], 3)]
    res = solve([RowInput(keys, cands, "2 numbers for 3 columns")], [ident])
    assert [res.values[k] for k in keys] == [0, 0, 0]


def test_run_together_digits_split_only_when_unique():
    # "64002047 0" style: 7 cells of which the last is the sum of the first six.
    splits = split_candidates([Slot(640020470, "640020470", glued=True)], 7, with_total=True)
    values = {tuple(s.value for s in c) for c in splits}
    assert (64, 0, 0, 2, 0, 4, 70) in values
    assert all(sum(v[:-1]) == v[-1] for v in values)


def test_an_unresolved_row_is_never_filled_from_the_other_rows():
    # parts a + b = total per column; row b printed 4 numbers for 2 columns and no
    # reading fits, so it stays NULL even though a and total would determine it.
    a, b, t = ([("t", r, c) for c in "xy"] for r in ("a", "b", "total"))
    idents = [Identity("identity_outcome_total", c, ((a[i], 1), (b[i], 1), (t[i], -1))) for i, c in enumerate("xy")]
    res = solve([RowInput(a, [(1, 2)]), RowInput(b, [(9, 9), (8, 8)], "4 numbers for 2 columns"),
                 RowInput(t, [(2, 3)])], idents)
    assert [res.values[k] for k in b] == [None, None]
    assert not set(b) & set(res.imputed)
    assert res.unresolved_rows
