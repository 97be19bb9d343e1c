-- 办理结果事实: one row per agency-year × applicant_type × outcome_code (selected
-- reports only). Pre-2019 legacy facts land in applicant_type `total` with their
-- `legacy_*` or 2019 outcome_code through the legacy_crosswalk; the table cell wins
-- over a legacy fact for the same cell.
with outcomes as (
    select report_id, agency_id, year, col_code as applicant_type,
           row_code as outcome_code, value, is_imputed, false as is_legacy
    from {{ ref('int_cells_selected') }}
    where table_name = 'outcomes'

    union all

    select report_id, agency_id, year, 'total' as applicant_type,
           target_code as outcome_code, value, is_imputed, true as is_legacy
    from {{ ref('int_legacy_facts') }}
    where target_table = 'fct_outcomes'
),

deduplicated as (
    select *
    from outcomes
    qualify row_number() over (
        partition by report_id, applicant_type, outcome_code
        order by is_legacy
    ) = 1
)

select
    cast(d.agency_id as varchar)        as agency_id,
    cast(d.year as integer)             as year,
    cast(d.report_id as varchar)        as report_id,
    cast(d.applicant_type as varchar)   as applicant_type,
    cast(d.outcome_code as varchar)     as outcome_code,
    cast(codes.outcome_group as varchar) as outcome_group,
    cast(d.value as bigint)             as "count",
    cast(d.is_imputed as boolean)       as is_imputed,
    cast(d.is_legacy as boolean)        as is_legacy
from deduplicated as d
left join {{ ref('outcome_codes') }} as codes
  on codes.outcome_code = d.outcome_code
