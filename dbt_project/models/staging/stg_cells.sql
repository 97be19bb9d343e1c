-- 表格单元 (staging): raw.cells renamed/cast only.
select
    cast(report_id as varchar)   as report_id,
    cast(table_name as varchar)  as table_name,
    cast(row_code as varchar)    as row_code,
    cast(col_code as varchar)    as col_code,
    cast(value as bigint)        as value,
    cast(raw_text as varchar)    as raw_text,
    cast(is_imputed as boolean)  as is_imputed
from {{ source('raw', 'cells') }}
