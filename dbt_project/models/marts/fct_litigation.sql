-- 行政复议、行政诉讼事实: one row per agency-year × proceeding × result (selected
-- reports only). Pre-2019 reports give only totals: administrative_reviews ->
-- (review, total), lawsuits -> (suit, total) through the legacy_crosswalk.
-- Incremental by report (macros/incremental_by_report.sql).
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='report_id',
    on_schema_change='fail',
    pre_hook="{{ follow_upstream_reports(ref('int_fact_cells')) }}",
) }}
select
    cast(agency_id as varchar)   as agency_id,
    cast(year as integer)        as year,
    cast(report_id as varchar)   as report_id,
    cast(row_code as varchar)    as proceeding,
    cast(col_code as varchar)    as result,
    cast(value as bigint)        as "count",
    cast(is_imputed as boolean)  as is_imputed,
    cast(is_legacy as boolean)   as is_legacy
from {{ ref('int_fact_cells') }}
where fact_table = 'litigation'
  and {{ new_reports_only('report_id') }}
