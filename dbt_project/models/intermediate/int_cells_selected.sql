-- 入选报告的单元格 (intermediate): cells of selected reports, with agency_id and year.
-- Incremental by report (macros/incremental_by_report.sql).
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='report_id',
    on_schema_change='fail',
    pre_hook="{{ follow_upstream_reports(ref('int_report_selection'), 'is_selected') }}",
) }}
select
    cells.report_id,
    selection.agency_id,
    selection.year,
    cells.table_name,
    cells.row_code,
    cells.col_code,
    cells.value,
    cells.is_imputed
from {{ ref('stg_cells') }} as cells
join {{ ref('int_report_selection') }} as selection
  on selection.report_id = cells.report_id
 and selection.is_selected
where {{ new_reports_only('cells.report_id') }}
