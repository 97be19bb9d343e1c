-- 事实单元格 (intermediate): the cells behind fct_applications, fct_outcomes and
-- fct_litigation in one vocabulary (fact_table, row_code, col_code), from the form's
-- tables and from pre-2019 legacy facts through the legacy_crosswalk. When a report
-- has both a table cell and a legacy fact for the same cell, the table cell wins.
--   applications: row_code = measure (new_received, carried_over, processed, carried_forward),
--                 col_code = applicant_type; `processed` is the outcomes (七)总计 row.
--   outcomes:     row_code = outcome_code, col_code = applicant_type.
--   litigation:   row_code = proceeding, col_code = result.
-- Form cells are unique by their grain (raw.cells contract) and crosswalk targets are
-- unique, so "the table cell wins" is an anti-join of the legacy rows, not a window
-- over every cell (10 s at 100k reports); the grain test below guards both premises.
-- Incremental by report (macros/incremental_by_report.sql): both sides are cut to
-- the same new reports, so the anti-join below sees all of a report's cells.
-- The CTEs are read twice each and are `not materialized`: DuckDB would otherwise
-- keep their ~7 million rows at 100k reports, spill past the 512 MB memory limit and
-- take twice as long (14-20 s against 7 s) as reading int_cells_selected again.
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='report_id',
    on_schema_change='fail',
    pre_hook="{{ follow_upstream_reports(ref('int_cells_selected')) }}",
) }}
with form_cells as not materialized (
    select report_id, agency_id, year,
           case when table_name = 'outcomes' and row_code = 'total' then 'applications' end as alias_table,
           table_name as fact_table, row_code, col_code, value, is_imputed
    from {{ ref('int_cells_selected') }}
    where table_name in ('applications', 'outcomes', 'litigation')
      and {{ new_reports_only('report_id') }}
),

table_cells as not materialized (
    select report_id, agency_id, year, fact_table, row_code, col_code, value, is_imputed
    from form_cells

    union all

    -- the (七)总计 row is also the applications measure `processed`
    select report_id, agency_id, year, alias_table, 'processed', col_code, value, is_imputed
    from form_cells
    where alias_table is not null
),

legacy_cells as (
    select report_id, agency_id, year,
           replace(target_table, 'fct_', '') as fact_table,
           case target_table when 'fct_outcomes' then target_code
                             when 'fct_litigation' then target_code
                             else target_measure end as row_code,
           case target_table when 'fct_outcomes' then 'total'
                             when 'fct_litigation' then target_measure
                             else target_code end as col_code,
           value, is_imputed
    from {{ ref('int_legacy_facts') }}
    where target_table in ('fct_applications', 'fct_outcomes', 'fct_litigation')
      and {{ new_reports_only('report_id') }}
)

select *, false as is_legacy
from table_cells

union all

select legacy.*, true as is_legacy
from legacy_cells as legacy
anti join table_cells as cell
  using (report_id, fact_table, row_code, col_code)
