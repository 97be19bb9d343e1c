"""Choose and complete table cells with the identities of the national form.

A row whose printed cells do not map one-to-one onto its columns (blank cells
that the layout does not show, an extra number, digits run together) has
several *candidate* readings. The solver keeps the readings under which the
identities hold, fills a blank only when an identity determines it, and accepts
an answer only when every surviving reading agrees. Otherwise the row stays
NULL and the caller records why: no silent guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import mul

Key = tuple[str, str, str]  # (table, row_code, col_code)
Vector = tuple[int | None, ...]

MAX_NODES = 200_000


@dataclass(frozen=True)
class Identity:
    check_name: str
    location: str
    terms: tuple[tuple[Key, int], ...]  # Σ coef·value = 0
    # The terms' keys and coefficients apart, for sums over C-level maps (broken_identities).
    keys: tuple[Key, ...] = field(init=False, repr=False, compare=False)
    coefs: tuple[int, ...] = field(init=False, repr=False, compare=False)
    key_set: frozenset[Key] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(k for k, _ in self.terms))
        object.__setattr__(self, "coefs", tuple(c for _, c in self.terms))
        object.__setattr__(self, "key_set", frozenset(self.keys))


@dataclass
class RowInput:
    keys: list[Key]
    candidates: list[Vector]  # printed values laid onto the columns (None = not printed)
    ambiguous_reason: str | None = None


@dataclass
class Option:
    values: Vector
    imputed: tuple[str | None, ...]  # the identity that determined each cell


@dataclass
class SolveResult:
    values: dict[Key, int | None] = field(default_factory=dict)
    imputed: dict[Key, str] = field(default_factory=dict)  # key → identity that determined it
    broken: list[Identity] = field(default_factory=list)
    unresolved_rows: list[tuple[list[Key], str]] = field(default_factory=list)


def propagate(values: dict[Key, int | None], identities: list[Identity]):
    """Fill unknowns that an identity determines. Returns (values, imputed, conflict)."""
    return _propagate_own(dict(values), identities)


def _propagate_own(values: dict[Key, int | None], identities: list[Identity]):
    """`propagate`, filling `values` itself (a dict the caller made for it)."""
    imputed: dict[Key, str] = {}
    if None not in values.values():
        return values, imputed, False  # nothing to fill
    # The values as a vector (each key hashed once, not once per identity and pass). An
    # identity with a key that is absent says nothing (keys are never added here).
    keys = list(values)
    at = {k: i for i, k in enumerate(keys)}
    laid = [(positions, ident.coefs, ident.check_name) for ident in identities
            if None not in (positions := tuple(map(at.get, ident.keys)))]
    vec = list(values.values())
    filled: dict[int, str] = {}
    conflict = _fill(vec, laid, filled)
    for i, check_name in filled.items():
        values[keys[i]] = vec[i]
        imputed[keys[i]] = check_name
    return values, imputed, conflict


# An identity laid onto a vector of values: the positions of its terms, their
# coefficients and its check_name.
Laid = tuple[tuple[int, ...], tuple[int, ...], str]


def _fill(vec: list[int | None], identities: list[Laid], filled: dict[int, str]) -> bool:
    """Fill the unknowns (None) of `vec` that an identity determines, in place, noting
    in `filled` the identity that set each position. True on a conflict (then `vec`
    is filled up to it)."""
    changed = True
    while changed:
        changed = False
        for positions, coefs, check_name in identities:
            terms = list(map(vec.__getitem__, positions))
            if None not in terms:
                continue
            unknown = [(i, c) for i, c, v in zip(positions, coefs, terms) if v is None]
            rest = sum(c * v for c, v in zip(coefs, terms) if v is not None)
            if len(unknown) == 1:
                i, c = unknown[0]
                if rest % c or -rest // c < 0:
                    return True
                vec[i] = -rest // c
                filled[i] = check_name
                changed = True
            elif len({c for _, c in unknown}) == 1:
                need = -rest // unknown[0][1] if rest % unknown[0][1] == 0 else -1
                if need < 0:
                    return True
                if need == 0:  # non-negative counts adding up to zero are all zero
                    for i, _ in unknown:
                        vec[i] = 0
                        filled[i] = check_name
                    changed = True
    return False


def broken_identities(values: dict[Key, int | None], identities: list[Identity]) -> list[Identity]:
    out = []
    get = values.get
    for ident in identities:
        terms = list(map(get, ident.keys))
        if None in terms:  # a term absent or unknown: the identity says nothing
            continue
        if sum(map(mul, ident.coefs, terms)) != 0:
            out.append(ident)
    return out


def _feasible(values: dict[Key, int | None], identities: list[Identity]) -> bool:
    """Can non-negative values for the unknowns still satisfy every identity?"""
    for ident in identities:
        pos = neg = 0
        pos_open = neg_open = False
        for k, c in ident.terms:
            v = values.get(k)
            if v is None:
                if c > 0:
                    pos_open = True
                else:
                    neg_open = True
            elif c > 0:
                pos += c * v
            else:
                neg -= c * v
        if pos_open and neg_open:
            continue
        if not pos_open and not neg_open and pos != neg:
            return False
        if pos_open and not neg_open and pos > neg:
            return False
        if neg_open and not pos_open and neg > pos:
            return False
    return True


def _row_options(row: RowInput, identities: list[Identity]) -> list[Option]:
    """Candidate readings of one row, completed by the identities inside the row.

    Readings that the row's own identities fully determine are preferred over
    readings that leave cells unknown; identical completions are merged.
    """
    row_keys = set(row.keys)
    local = [i for i in identities if i.key_set <= row_keys]  # identities inside the row
    position = {k: i for i, k in enumerate(row.keys)}
    # A reading is a vector in the row's key order: the identities are laid onto it once.
    laid = [(tuple(position[k] for k in i.keys), i.coefs, i.check_name) for i in local]
    width = len(row.keys)
    nothing_imputed = (None,) * width
    seen: dict[Vector, Option] = {}
    for cand in row.candidates:
        if len(cand) == width and None not in cand:
            # Every cell printed: nothing to complete, the reading stands if the row's identities hold.
            if all(sum(map(mul, coefs, map(cand.__getitem__, positions))) == 0 for positions, coefs, _ in laid):
                vec = tuple(cand)
                if vec not in seen:
                    seen[vec] = Option(vec, nothing_imputed)
            continue
        done = list(cand[:width])
        filled: dict[int, str] = {}
        if _fill(done, laid, filled) or _any_broken(done, laid):
            continue
        vec = tuple(done)
        if vec not in seen:  # the first reading of each completion is kept (an Option made only then)
            seen[vec] = Option(vec, tuple(map(filled.get, range(width))))
    options = list(seen.values())
    determined = [o for o in options if None not in o.values]
    return determined or options


def _any_broken(vec: list[int | None], identities: list[Laid]) -> bool:
    """Whether an identity whose every term is known fails (`broken_identities` on a vector)."""
    for positions, coefs, _ in identities:
        terms = list(map(vec.__getitem__, positions))
        if None not in terms and sum(map(mul, coefs, terms)) != 0:
            return True
    return False


def solve(rows: list[RowInput], identities: list[Identity]) -> SolveResult:
    result = SolveResult()
    fixed: dict[Key, int | None] = {}
    printed_none: dict[Key, str] = {}
    choices: list[tuple[RowInput, list[Option]]] = []

    for row in rows:
        if len(row.candidates) == 1:
            fixed.update(zip(row.keys, row.candidates[0]))
            continue
        options = _row_options(row, identities)
        if len(options) == 1:
            for k, v, imp in zip(row.keys, options[0].values, options[0].imputed):
                fixed[k] = v
                if imp:
                    printed_none[k] = imp
        elif not options:
            fixed.update(dict.fromkeys(row.keys))
            result.unresolved_rows.append((row.keys, f"{row.ambiguous_reason}; no reading satisfies the identities"))
        else:
            choices.append((row, options))

    if not choices:
        return _finish(fixed, printed_none, identities, result)

    choices.sort(key=lambda c: len(c[1]))
    solutions: dict[tuple, tuple[dict, set]] = {}
    nodes = 0

    def dfs(i: int, values: dict[Key, int | None], guessed: dict[Key, str]) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > MAX_NODES or len(solutions) > 1:
            return False
        if i == len(choices):
            done, _, conflict = propagate(values, identities)
            if not conflict and not broken_identities(done, identities) and None not in done.values():
                solutions.setdefault(tuple(sorted(done.items())), (values, guessed))
            return True
        row, options = choices[i]
        for opt in options:
            trial = dict(values)
            trial.update(zip(row.keys, opt.values))
            if _feasible(trial, identities):
                dfs(i + 1, trial, guessed | {k: imp for k, imp in zip(row.keys, opt.imputed) if imp})
        return True

    dfs(0, dict(fixed), {})
    if len(solutions) == 1 and nodes <= MAX_NODES:
        values, guessed = next(iter(solutions.values()))
        return _finish(values, printed_none | guessed, identities, result)
    why = "several readings satisfy the identities" if len(solutions) > 1 else (
        "too many readings to check" if nodes > MAX_NODES else "no reading satisfies the identities")
    for row, _ in choices:
        fixed.update(dict.fromkeys(row.keys))
        result.unresolved_rows.append((row.keys, f"{row.ambiguous_reason}; {why}"))
    return _finish(fixed, printed_none, identities, result)


def _finish(values, printed_none, identities, result: SolveResult) -> SolveResult:
    # Rows left unresolved take no part: an identity over them is unknown, and
    # they are never filled in from the other rows (that would be a guess).
    unresolved = {k for keys, _ in result.unresolved_rows for k in keys}
    # propagate copies what it is given: `values` itself when no row is left out
    known = {k: v for k, v in values.items() if k not in unresolved} if unresolved else values
    done, imputed, conflict = propagate(known, identities)
    if conflict:  # keep what was printed; the broken identity is reported below
        done, imputed = dict(known), {}
    done.update(dict.fromkeys(unresolved))
    result.values = done
    result.imputed = {**printed_none, **imputed}
    result.broken = broken_identities(done, identities)
    return result
