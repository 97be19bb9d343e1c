-- 机关维表: one row per agency (canonical name).
-- Incremental by agency (macros/incremental_by_agency.sql).
{{ config(
    materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    pre_hook="{{ follow_load_scope('agency_id') }}",
) }}
select
    cast(agency_id as varchar)     as agency_id,
    cast(agency_name as varchar)   as agency_name,
    cast(province as varchar)      as province,
    cast(city as varchar)          as city,
    cast(county as varchar)        as county,
    cast(admin_level as varchar)   as admin_level,
    cast(adcode as varchar)        as adcode,
    cast(report_count as bigint)   as report_count,
    cast(first_year as integer)    as first_year,
    cast(last_year as integer)     as last_year
from {{ ref('int_agencies') }}
where {{ in_load_scope('agency_id') }}
