-- 办理结果事实: one row per agency-year × applicant_type × outcome_code (selected
-- reports only). Pre-2019 legacy facts land in applicant_type `total` with their
-- `legacy_*` or 2019 outcome_code through the legacy_crosswalk (see int_fact_cells).
-- Incremental by report (macros/incremental_by_report.sql).
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='report_id',
    on_schema_change='fail',
    pre_hook="{{ follow_upstream_reports(ref('int_fact_cells')) }}",
) }}
select
    cast(d.agency_id as varchar)        as agency_id,
    cast(d.year as integer)             as year,
    cast(d.report_id as varchar)        as report_id,
    cast(d.col_code as varchar)         as applicant_type,
    cast(d.row_code as varchar)         as outcome_code,
    cast(codes.outcome_group as varchar) as outcome_group,
    cast(d.value as bigint)             as "count",
    cast(d.is_imputed as boolean)       as is_imputed,
    cast(d.is_legacy as boolean)        as is_legacy
from {{ ref('int_fact_cells') }} as d
left join {{ ref('outcome_codes') }} as codes
  on codes.outcome_code = d.row_code
where d.fact_table = 'outcomes'
  and {{ new_reports_only('d.report_id') }}
