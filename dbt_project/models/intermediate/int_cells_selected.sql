-- 入选报告的单元格 (intermediate): cells of selected reports, with agency_id and year.
select
    cells.report_id,
    selection.agency_id,
    selection.year,
    reports.template,
    cells.table_name,
    cells.row_code,
    cells.col_code,
    cells.value,
    cells.raw_text,
    cells.is_imputed
from {{ ref('stg_cells') }} as cells
join {{ ref('int_report_selection') }} as selection
  on selection.report_id = cells.report_id
 and selection.is_selected
join {{ ref('stg_reports') }} as reports
  on reports.report_id = cells.report_id
