-- 问题清单: one row per problem found. The parser's issues (raw.issues) plus the
-- checks only the warehouse can make:
--   cross_year_carry_mismatch (warning): the carried_forward total of year Y-1 differs
--     from the carried_over total of year Y for the same agency (both selected, both
--     non-NULL); reported on the year-Y report.
--   legacy_fact_unmapped (warning): a pre-2019 fact the legacy_crosswalk does not map.
--   not_selected (info): another file for the same agency-year was selected
--     (int_report_selection), so this one's figures are not in the facts.
-- Incremental by agency (macros/incremental_by_agency.sql): the reports of the touched
-- agencies (a carry-over mismatch pairs two years of one agency).
{{ config(
    materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ follow_load_scope('report_id') }}",
) }}
with parser_issues as (
    select report_id, source_file, severity, check_name, location, message,
           'parser' as origin
    from {{ ref('stg_issues') }}
    where {{ in_load_scope('report_id') }}
),

totals as (
    select apps.agency_id, apps.year, apps.report_id, reports.source_file,
           apps.carried_over, apps.carried_forward
    from {{ ref('fct_applications') }} as apps
    join {{ ref('stg_reports') }} as reports on reports.report_id = apps.report_id
    where apps.applicant_type = 'total'
      and {{ in_load_scope('apps.report_id') }}
),

carry_mismatch as (
    select
        cur.report_id,
        cur.source_file,
        'warning' as severity,
        'cross_year_carry_mismatch' as check_name,
        'applications.carried_over.total' as location,
        format(
            'Carried-over total {} of {} does not equal the carried-forward total {} of the {} report ({}) of the same agency; check both figures.',
            cur.carried_over, cur.year, prev.carried_forward, prev.year, prev.source_file
        ) as message,
        'warehouse' as origin
    from totals as cur
    join totals as prev
      on prev.agency_id = cur.agency_id
     and prev.year = cur.year - 1
    where cur.carried_over is not null
      and prev.carried_forward is not null
      and cur.carried_over <> prev.carried_forward
),

unmapped_legacy as (
    select distinct
        legacy.report_id,
        reports.source_file,
        'warning' as severity,
        'legacy_fact_unmapped' as check_name,
        'legacy.' || legacy.legacy_fact || '.' || legacy.legacy_col_code as location,
        format('Pre-2019 fact {} has no row in the legacy_crosswalk seed and is left out of the marts; add it to the seed.',
               legacy.legacy_fact) as message,
        'warehouse' as origin
    from {{ ref('int_legacy_facts') }} as legacy
    join {{ ref('stg_reports') }} as reports on reports.report_id = legacy.report_id
    where legacy.target_table is null
      and {{ in_load_scope('legacy.report_id') }}
),

not_selected as (
    select
        lost.report_id,
        reports.source_file,
        'info' as severity,
        'not_selected' as check_name,
        cast(null as varchar) as location,
        format(
            'Not used in the facts: {} files cover this agency-year and {} was selected (order: parse_status, cells read, later publication date, report_id).',
            lost.n_candidates, chosen.source_file
        ) as message,
        'warehouse' as origin
    from {{ ref('int_report_selection') }} as lost
    join {{ ref('int_report_selection') }} as won
      on won.agency_id = lost.agency_id
     and won.year = lost.year
     and won.is_selected
    join {{ ref('stg_reports') }} as reports on reports.report_id = lost.report_id
    join {{ ref('stg_reports') }} as chosen on chosen.report_id = won.report_id
    where lost.is_candidate and not lost.is_selected
      and {{ in_load_scope('lost.report_id') }}
),

all_issues as (
    select * from parser_issues
    union all
    select * from carry_mismatch
    union all
    select * from unmapped_legacy
    union all
    select * from not_selected
)

select
    cast(report_id as varchar)    as report_id,
    cast(source_file as varchar)  as source_file,
    cast(severity as varchar)     as severity,
    cast(check_name as varchar)   as check_name,
    cast(location as varchar)     as location,
    cast(message as varchar)      as message,
    cast(origin as varchar)       as origin
from all_issues
