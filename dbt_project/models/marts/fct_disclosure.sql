-- 主动公开事实: one row per agency-year × item × measure of table 二 (selected reports
-- only); pre-2019 proactive_items/count and fees_collected/amount_yuan as they are.
-- Money is in yuan (the parser converts 万元 × 10,000).
-- Incremental by report (macros/incremental_by_report.sql).
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='report_id',
    on_schema_change='fail',
    pre_hook="{{ follow_upstream_reports(ref('int_cells_selected')) }}",
) }}
select
    cast(cells.agency_id as varchar)  as agency_id,
    cast(cells.year as integer)       as year,
    cast(cells.report_id as varchar)  as report_id,
    cast(cells.row_code as varchar)   as item,
    cast(cells.col_code as varchar)   as measure,
    cast(cells.value as bigint)       as value,
    cast(items.unit as varchar)       as unit,
    cast(cells.is_imputed as boolean) as is_imputed
from {{ ref('int_cells_selected') }} as cells
left join {{ ref('disclosure_items') }} as items
  on items.item = cells.row_code
 and items.measure = cells.col_code
where cells.table_name = 'disclosure'
  and {{ new_reports_only('cells.report_id') }}
