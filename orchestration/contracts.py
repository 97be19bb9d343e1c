"""Data contracts of the three parsed tables (docs/architecture.md), as
pandera.polars models. They run as blocking asset checks (orchestration/checks.py):
a violation stops the build before dbt reads the tables.

Code lists come from parsers/schema.py, the one place they are written: a
parser that emits a new code must add it there (and to the dbt seeds).
"""

from __future__ import annotations

import polars as pl
import pandera.polars as pa
from pandera.api.polars.types import PolarsData

from parsers import schema as S

REPORT_ID_PATTERN = r"^[0-9a-f]{16}$"
YEAR_MIN, YEAR_MAX = 1990, 2100


LAYOUTS, TEMPLATES, PARSE_STATUSES = list(S.LAYOUTS), list(S.TEMPLATES), list(S.PARSE_STATUSES)
ADMIN_LEVELS, SEVERITIES, TABLE_NAMES = list(S.ADMIN_LEVELS), list(S.SEVERITIES), list(S.TABLE_NAMES)
APPLICANT_TYPES, APPLICATION_ROWS = list(S.APPLICANT_TYPES), list(S.APPLICATION_ROWS)
OUTCOME_CODES, PROCEEDINGS, LITIGATION_RESULTS = list(S.OUTCOME_CODES), list(S.PROCEEDINGS), list(S.LITIGATION_RESULTS)
DISCLOSURE_ITEMS, DISCLOSURE_MEASURES = list(S.DISCLOSURE_ITEMS), list(S.DISCLOSURE_MEASURES)
LEGACY_FACTS = list(S.LEGACY_FACTS)

# table_name -> (accepted row_code, accepted col_code)
CELL_CODES: dict[str, tuple[list[str], list[str]]] = {
    "applications": (APPLICATION_ROWS, APPLICANT_TYPES),
    "outcomes": (OUTCOME_CODES, APPLICANT_TYPES),
    "litigation": (PROCEEDINGS, LITIGATION_RESULTS),
    "disclosure": (DISCLOSURE_ITEMS, DISCLOSURE_MEASURES),
    "legacy": (LEGACY_FACTS, ["total"]),
}


class RawReports(pa.DataFrameModel):
    """raw.reports — one row per input file."""

    report_id: pl.String = pa.Field(unique=True, str_matches=REPORT_ID_PATTERN)
    source_file: pl.String = pa.Field(unique=True, str_length={"min_value": 1})
    file_size_bytes: pl.Int64 = pa.Field(ge=0)
    encoding: pl.String = pa.Field(nullable=True)
    layout: pl.String = pa.Field(isin=LAYOUTS)
    template: pl.String = pa.Field(nullable=True, isin=TEMPLATES)
    agency_name_raw: pl.String = pa.Field(nullable=True)
    agency_name: pl.String = pa.Field(nullable=True)
    agency_key: pl.String = pa.Field(nullable=True)
    year: pl.Int32 = pa.Field(nullable=True, in_range={"min_value": YEAR_MIN, "max_value": YEAR_MAX})
    published_date: pl.Date = pa.Field(nullable=True)
    province: pl.String = pa.Field(nullable=True)
    city: pl.String = pa.Field(nullable=True)
    county: pl.String = pa.Field(nullable=True)
    adcode: pl.String = pa.Field(nullable=True, str_matches=r"^\d{6}$")
    admin_level: pl.String = pa.Field(isin=ADMIN_LEVELS)
    parse_status: pl.String = pa.Field(isin=PARSE_STATUSES)

    class Config:
        strict = True  # exactly these columns
        ordered = False
        coerce = False


def _codes_match_table() -> pl.Expr:
    expr = pl.when(False).then(False)
    for table, (rows, cols) in CELL_CODES.items():
        expr = expr.when(pl.col("table_name") == table).then(
            pl.col("row_code").is_in(rows) & pl.col("col_code").is_in(cols)
        )
    return expr.otherwise(False)


class RawCells(pa.DataFrameModel):
    """raw.cells — one row per table cell read; grain report × table × row × col."""

    report_id: pl.String = pa.Field(str_matches=REPORT_ID_PATTERN)
    table_name: pl.String = pa.Field(isin=TABLE_NAMES)
    row_code: pl.String = pa.Field()
    col_code: pl.String = pa.Field()
    value: pl.Int64 = pa.Field(nullable=True)
    raw_text: pl.String = pa.Field(nullable=True)
    is_imputed: pl.Boolean = pa.Field()

    class Config:
        strict = True
        ordered = False
        coerce = False
        unique = ["report_id", "table_name", "row_code", "col_code"]

    @pa.dataframe_check(name="row_and_col_codes_accepted_for_table")
    def codes_accepted(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_codes_match_table())

    @pa.dataframe_check(name="count_non_negative_except_disclosure_change")
    def non_negative(cls, data: PolarsData) -> pl.LazyFrame:
        # Counts and money are >= 0; table 二's 本年增/减 (measure `change`) may be negative.
        return data.lazyframe.select(
            pl.col("value").is_null()
            | (pl.col("value") >= 0)
            | ((pl.col("table_name") == "disclosure") & (pl.col("col_code") == "change"))
        )


class RawIssues(pa.DataFrameModel):
    """raw.issues — one row per problem found."""

    report_id: pl.String = pa.Field(str_matches=REPORT_ID_PATTERN)
    source_file: pl.String = pa.Field()
    severity: pl.String = pa.Field(isin=SEVERITIES)
    check_name: pl.String = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    location: pl.String = pa.Field(nullable=True)
    message: pl.String = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        ordered = False
        coerce = False


CONTRACTS: dict[str, type[pa.DataFrameModel]] = {
    "reports": RawReports,
    "cells": RawCells,
    "issues": RawIssues,
}
