{#- agency_id: the first 16 hex digits of md5(agency_key), where agency_key = 'adcode|name without leading division names'
    (set by the parser) so that 南谯区经信局 and 滁州市南谯区经济和信息化局 are one agency. NULL when the key is NULL. -#}
{% macro agency_id(name_column) -%}
    left(md5({{ name_column }}), 16)
{%- endmacro %}
