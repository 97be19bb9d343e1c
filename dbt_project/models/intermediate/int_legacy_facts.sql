-- 2019 年前叙述式事实 (intermediate): legacy cells of selected reports through the
-- legacy_crosswalk seed. One row per legacy cell and target (applications_answered has
-- two targets). A fact missing from the crosswalk keeps NULL targets; it does not
-- reach the facts and report_issues flags it as `legacy_fact_unmapped`.
-- Incremental by report (macros/incremental_by_report.sql), following the reports
-- that have legacy cells.
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='report_id',
    on_schema_change='fail',
    pre_hook="{{ follow_upstream_reports(ref('int_cells_selected'), \"table_name = 'legacy'\") }}",
) }}
select
    cells.report_id,
    cells.agency_id,
    cells.year,
    cells.row_code as legacy_fact,
    cells.col_code as legacy_col_code,
    cells.value,
    cells.is_imputed,
    crosswalk.target_table,
    crosswalk.target_code,
    crosswalk.target_measure,
    nullif(crosswalk.outcome_group, '') as outcome_group,  -- empty CSV cell = NULL
    crosswalk.is_additive
from {{ ref('int_cells_selected') }} as cells
left join {{ ref('legacy_crosswalk') }} as crosswalk
  on crosswalk.legacy_fact = cells.row_code
where cells.table_name = 'legacy'
  and {{ new_reports_only('cells.report_id') }}
