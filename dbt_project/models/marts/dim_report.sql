-- 报告维表: one row per input file, parsed or not.
-- Incremental by agency (macros/incremental_by_agency.sql): the reports of the touched agencies.
{{ config(
    materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ follow_load_scope('report_id') }}",
) }}
with issue_counts as (
    select report_id, count(*) as issue_count
    from {{ ref('report_issues') }}
    where {{ in_load_scope('report_id') }}
    group by report_id
)

select
    cast(reports.report_id as varchar)          as report_id,
    cast(reports.source_file as varchar)        as source_file,
    cast(selection.agency_id as varchar)        as agency_id,
    cast(reports.agency_name_raw as varchar)    as agency_name_raw,
    cast(reports.year as integer)               as year,
    cast(reports.template as varchar)           as template,
    cast(reports.layout as varchar)             as layout,
    cast(reports.encoding as varchar)           as encoding,
    cast(reports.parse_status as varchar)       as parse_status,
    cast(coalesce(issue_counts.issue_count, 0) as bigint) as issue_count,
    cast(selection.is_selected as boolean)      as is_selected,
    cast(reports.published_date as date)        as published_date,
    cast(reports.agency_name as varchar)        as agency_name,
    cast(reports.file_size_bytes as bigint)     as file_size_bytes,
    cast(selection.n_cells as bigint)           as cell_count,
    cast(selection.n_nonnull_cells as bigint)   as nonnull_cell_count,
    cast(selection.has_imputed_cells as boolean) as has_imputed_cells,
    cast(selection.selection_rank as integer)   as selection_rank,
    cast(selection.n_candidates as integer)     as candidate_count
from {{ ref('stg_reports') }} as reports
join {{ ref('int_report_selection') }} as selection
  on selection.report_id = reports.report_id
left join issue_counts
  on issue_counts.report_id = reports.report_id
where {{ in_load_scope('reports.report_id') }}
