-- 报告清单 (staging): raw.reports renamed/cast only.
select
    cast(report_id as varchar)        as report_id,
    cast(source_file as varchar)      as source_file,
    cast(file_size_bytes as bigint)   as file_size_bytes,
    cast(encoding as varchar)         as encoding,
    cast(layout as varchar)           as layout,
    cast(template as varchar)         as template,
    cast(agency_name_raw as varchar)  as agency_name_raw,
    cast(agency_name as varchar)      as agency_name,
    cast(agency_key as varchar)       as agency_key,
    cast(year as integer)             as year,
    cast(published_date as date)      as published_date,
    cast(province as varchar)         as province,
    cast(city as varchar)             as city,
    cast(county as varchar)           as county,
    cast(adcode as varchar)           as adcode,
    cast(admin_level as varchar)      as admin_level,
    cast(parse_status as varchar)     as parse_status
from {{ source('raw', 'reports') }}
