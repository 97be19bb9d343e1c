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

# Codes of raw.cells, per table (CONTRACT.md §Codes). The parser's vocabulary
# and the pandera contracts both take them from here.
APPLICANT_TYPES = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
APPLICATION_ROWS = ("new_received", "carried_over", "carried_forward")
OUTCOME_CODES = (
    "granted", "partially_granted",
    "denied_state_secret", "denied_law_prohibited", "denied_three_safeties", "denied_third_party",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_admin_query",
    "unable_not_held", "unable_needs_creation", "unable_unclear",
    "not_processed_petition", "not_processed_repeat", "not_processed_publication",
    "not_processed_mass_repeat", "not_processed_confirm",
    "other_no_correction", "other_no_fee", "other", "total",
)
FORM_PROCEEDINGS = ("review", "suit_direct", "suit_after_review")  # the 2019/2021 form's three
PROCEEDINGS = FORM_PROCEEDINGS + ("suit",)  # `suit`: pre-2019, not split
LITIGATION_RESULTS = ("maintained", "corrected", "other", "pending", "total")
DISCLOSURE_ITEMS = (
    "regulations", "normative_documents", "licensing", "other_services", "punishment", "coercion",
    "fees", "procurement", "proactive_items", "fees_collected",
)
DISCLOSURE_MEASURES = (
    "made", "published", "repealed", "in_force", "previous_items", "change", "decisions",
    "projects", "amount_yuan", "count",
)
LEGACY_FACTS = (
    "applications_received", "applications_answered", "carried_forward", "already_public",
    "granted", "partially_granted", "denied", "denied_state_secret", "denied_trade_secret",
    "denied_personal_privacy", "denied_process_info", "denied_not_this_agency", "denied_not_exist",
    "denied_unclear_or_redirected", "denied_other", "administrative_reviews", "lawsuits",
)
