-- 申请受理事实: one row per agency-year × applicant_type (selected reports only).
-- Pivot of the applications cells; `processed` is the outcomes (七)总计 row of the same
-- applicant column. Pre-2019 legacy facts land in applicant_type `total` through the
-- legacy_crosswalk. When a report has both a table cell and a legacy fact for the same
-- value, the table cell wins.
with measures as (
    select report_id, agency_id, year, col_code as applicant_type,
           row_code as measure, value, is_imputed, false as is_legacy
    from {{ ref('int_cells_selected') }}
    where table_name = 'applications'
      and row_code in ('new_received', 'carried_over', 'carried_forward')

    union all

    select report_id, agency_id, year, col_code as applicant_type,
           'processed' as measure, value, is_imputed, false as is_legacy
    from {{ ref('int_cells_selected') }}
    where table_name = 'outcomes' and row_code = 'total'

    union all

    select report_id, agency_id, year, target_code as applicant_type,
           target_measure as measure, value, is_imputed, true as is_legacy
    from {{ ref('int_legacy_facts') }}
    where target_table = 'fct_applications'
),

deduplicated as (
    select *
    from measures
    qualify row_number() over (
        partition by report_id, applicant_type, measure
        order by is_legacy
    ) = 1
)

select
    cast(agency_id as varchar)       as agency_id,
    cast(year as integer)            as year,
    cast(report_id as varchar)       as report_id,
    cast(applicant_type as varchar)  as applicant_type,
    cast(max(value) filter (where measure = 'new_received') as bigint)    as new_received,
    cast(max(value) filter (where measure = 'carried_over') as bigint)    as carried_over,
    cast(max(value) filter (where measure = 'processed') as bigint)       as processed,
    cast(max(value) filter (where measure = 'carried_forward') as bigint) as carried_forward,
    cast(bool_or(is_imputed) as boolean) as is_imputed,
    cast(bool_and(is_legacy) as boolean) as is_legacy
from deduplicated
group by agency_id, year, report_id, applicant_type
