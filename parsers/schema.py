"""Polars schemas of the three parsed tables (see docs/architecture.md).

They are the interface between parsing and the warehouse: the loader, the
pandera contracts and the dbt sources all follow them.
"""

import polars as pl

REPORTS_SCHEMA = {
    "report_id": pl.String,
    "source_file": pl.String,
    "file_size_bytes": pl.Int64,
    "encoding": pl.String,
    "layout": pl.String,
    "template": pl.String,
    "agency_name_raw": pl.String,
    "agency_name": pl.String,
    "agency_key": pl.String,
    "year": pl.Int32,
    "published_date": pl.Date,
    "province": pl.String,
    "city": pl.String,
    "county": pl.String,
    "adcode": pl.String,
    "admin_level": pl.String,
    "parse_status": pl.String,
}

CELLS_SCHEMA = {
    "report_id": pl.String,
    "table_name": pl.String,
    "row_code": pl.String,
    "col_code": pl.String,
    "value": pl.Int64,
    "raw_text": pl.String,
    "is_imputed": pl.Boolean,
}

ISSUES_SCHEMA = {
    "report_id": pl.String,
    "source_file": pl.String,
    "severity": pl.String,
    "check_name": pl.String,
    "location": pl.String,
    "message": pl.String,
}

LAYOUTS = (
    "cell_per_line", "pipe", "tab", "html", "markdown", "run_together",
    "space_separated", "prose", "pdf", "unknown",
)
TEMPLATES = ("pre2019", "2019", "2021")
PARSE_STATUSES = ("ok", "repaired", "partial", "failed")
ADMIN_LEVELS = ("province", "city", "county", "other")
SEVERITIES = ("error", "warning", "info")
TABLE_NAMES = ("applications", "outcomes", "litigation", "disclosure", "legacy")
