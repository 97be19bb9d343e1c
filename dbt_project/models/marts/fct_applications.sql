-- 申请受理事实: one row per agency-year × applicant_type (selected reports only).
-- Pivot of the applications cells; `processed` is the outcomes (七)总计 row of the same
-- applicant column. Pre-2019 legacy facts land in applicant_type `total` through the
-- legacy_crosswalk. When a report has both a table cell and a legacy fact for the same
-- value, the table cell wins.
-- Incremental by report (macros/incremental_by_report.sql).
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='report_id',
    on_schema_change='fail',
    pre_hook="{{ follow_upstream_reports(ref('int_fact_cells')) }}",
) }}
select
    cast(agency_id as varchar)       as agency_id,
    cast(year as integer)            as year,
    cast(report_id as varchar)       as report_id,
    cast(col_code as varchar)        as applicant_type,
    cast(max(value) filter (where row_code = 'new_received') as bigint)    as new_received,
    cast(max(value) filter (where row_code = 'carried_over') as bigint)    as carried_over,
    cast(max(value) filter (where row_code = 'processed') as bigint)       as processed,
    cast(max(value) filter (where row_code = 'carried_forward') as bigint) as carried_forward,
    cast(bool_or(is_imputed) as boolean) as is_imputed,
    cast(bool_and(is_legacy) as boolean) as is_legacy
from {{ ref('int_fact_cells') }}
where fact_table = 'applications'
  and {{ new_reports_only('report_id') }}
group by agency_id, year, report_id, col_code
