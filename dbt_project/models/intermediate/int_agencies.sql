-- 机关 (intermediate): one row per agency (agency_key from the parser).
-- agency_id = first 16 hex digits of md5(agency_key).
-- The location (province, city, county, adcode, admin_level) is taken as one tuple, so
-- that a city always belongs to its province: the tuple found in most of the agency's
-- reports, preferring tuples that resolve at least one division over fully unresolved
-- ones; ties go to the tuple resolving more fields, then the one seen in the latest
-- year, then alphabetical order (deterministic).
-- Incremental by agency (macros/incremental_by_agency.sql).
{{ config(
    materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ follow_load_scope('agency_id') }}",
) }}
with reports as (
    select
        {{ agency_id('agency_key') }} as agency_id,
        agency_name, year, province, city, county, adcode, admin_level
    from {{ ref('stg_reports') }}
    where agency_key is not null
      and {{ in_load_scope(agency_id('agency_key')) }}
),

locations as (
    select
        agency_id, province, city, county, adcode, admin_level,
        count(*) as n_reports,
        (province is not null)::int + (city is not null)::int
          + (county is not null)::int + (adcode is not null)::int as n_resolved,
        max(year) as last_year
    from reports
    group by agency_id, province, city, county, adcode, admin_level
),

ranked as (
    select
        *,
        row_number() over (
            partition by agency_id
            order by (n_resolved > 0) desc, n_reports desc, n_resolved desc,
                     last_year desc nulls last,
                     province, city, county, adcode, admin_level
        ) as location_rank
    from locations
),

names as (
    select
        agency_id,
        -- the fullest name the agency uses in its latest year (names of one agency differ
        -- in abbreviation and in the divisions written in front); equal length: the first
        -- by name (arg_max picked either, so two builds of the same reports could differ)
        first(agency_name order by year desc, length(agency_name) desc, agency_name)
            filter (where year is not null) as agency_name,
        count(*) as report_count,
        min(year) as first_year,
        max(year) as last_year
    from reports
    group by agency_id
)

select
    names.agency_id,
    names.agency_name,
    ranked.province,
    ranked.city,
    ranked.county,
    ranked.admin_level,
    ranked.adcode,
    names.report_count,
    names.first_year,
    names.last_year
from names
join ranked
  on ranked.agency_id = names.agency_id
 and ranked.location_rank = 1
