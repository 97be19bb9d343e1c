-- 报告选择 (intermediate): which report stands for its agency-year.
--
-- Selection rule (one report per agency_id × year):
--   candidates: parse_status <> 'failed' and agency_id and year both known;
--   order:      1. parse_status  ok > repaired > partial
--               2. more non-NULL cells (raw.cells with a value)
--               3. later published_date (NULL last)
--               4. smaller report_id (deterministic tie-break)
--   the first candidate is selected. Failed reports and reports without agency or
--   year are never selected (selection_rank NULL).
-- Incremental by agency (macros/incremental_by_agency.sql): the reports of the touched agencies.
{{ config(
    materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ follow_load_scope('report_id') }}",
) }}
with reports as (
    select
        report_id,
        case when agency_key is not null then {{ agency_id('agency_key') }} end as agency_id,
        year,
        parse_status,
        published_date
    from {{ ref('stg_reports') }}
    where {{ in_load_scope('report_id') }}
),

cell_counts as (
    select
        report_id,
        count(*) as n_cells,
        count(value) as n_nonnull_cells,
        bool_or(is_imputed) as has_imputed_cells
    from {{ ref('stg_cells') }}
    where {{ in_load_scope('report_id') }}
    group by report_id
),

candidates as (
    select
        reports.*,
        coalesce(cell_counts.n_cells, 0) as n_cells,
        coalesce(cell_counts.n_nonnull_cells, 0) as n_nonnull_cells,
        coalesce(cell_counts.has_imputed_cells, false) as has_imputed_cells,
        (reports.parse_status <> 'failed'
            and reports.agency_id is not null
            and reports.year is not null) as is_candidate,
        case reports.parse_status
            when 'ok' then 1
            when 'repaired' then 2
            when 'partial' then 3
            else 9
        end as status_rank
    from reports
    left join cell_counts using (report_id)
),

ranked as (
    select
        *,
        row_number() over (
            partition by agency_id, year
            order by status_rank, n_nonnull_cells desc,
                     published_date desc nulls last, report_id
        ) as selection_rank,
        count(*) over (partition by agency_id, year) as n_candidates
    from candidates
    where is_candidate
)

select
    candidates.report_id,
    candidates.agency_id,
    candidates.year,
    candidates.parse_status,
    candidates.published_date,
    candidates.n_cells,
    candidates.n_nonnull_cells,
    candidates.has_imputed_cells,
    candidates.is_candidate,
    cast(ranked.selection_rank as integer) as selection_rank,
    cast(coalesce(ranked.n_candidates, 0) as integer) as n_candidates,
    coalesce(ranked.selection_rank = 1, false) as is_selected
from candidates
left join ranked using (report_id)
