-- 行政复议、行政诉讼事实: one row per agency-year × proceeding × result (selected
-- reports only). Pre-2019 reports give only totals: administrative_reviews ->
-- (review, total), lawsuits -> (suit, total) through the legacy_crosswalk.
select
    cast(agency_id as varchar)   as agency_id,
    cast(year as integer)        as year,
    cast(report_id as varchar)   as report_id,
    cast(row_code as varchar)    as proceeding,
    cast(col_code as varchar)    as result,
    cast(value as bigint)        as "count",
    cast(is_imputed as boolean)  as is_imputed,
    cast(is_legacy as boolean)   as is_legacy
from {{ ref('int_fact_cells') }}
where fact_table = 'litigation'
