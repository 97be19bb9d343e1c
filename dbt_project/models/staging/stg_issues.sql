-- 问题清单 (staging): raw.issues renamed/cast only.
select
    cast(report_id as varchar)   as report_id,
    cast(source_file as varchar) as source_file,
    cast(severity as varchar)    as severity,
    cast(check_name as varchar)  as check_name,
    cast(location as varchar)    as location,
    cast(message as varchar)     as message
from {{ source('raw', 'issues') }}
