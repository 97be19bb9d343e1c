-- 行政复议、行政诉讼事实: one row per agency-year × proceeding × result (selected
-- reports only). Pre-2019 reports give only totals: administrative_reviews ->
-- (review, total), lawsuits -> (suit, total) through the legacy_crosswalk.
with litigation as (
    select report_id, agency_id, year, row_code as proceeding, col_code as result,
           value, is_imputed, false as is_legacy
    from {{ ref('int_cells_selected') }}
    where table_name = 'litigation'

    union all

    select report_id, agency_id, year, target_code as proceeding, target_measure as result,
           value, is_imputed, true as is_legacy
    from {{ ref('int_legacy_facts') }}
    where target_table = 'fct_litigation'
),

deduplicated as (
    select *
    from litigation
    qualify row_number() over (
        partition by report_id, proceeding, result
        order by is_legacy
    ) = 1
)

select
    cast(agency_id as varchar)   as agency_id,
    cast(year as integer)        as year,
    cast(report_id as varchar)   as report_id,
    cast(proceeding as varchar)  as proceeding,
    cast(result as varchar)      as result,
    cast(value as bigint)        as "count",
    cast(is_imputed as boolean)  as is_imputed,
    cast(is_legacy as boolean)   as is_legacy
from deduplicated
