{#- agency_id: the first 16 hex digits of md5(canonical agency name); NULL when the name is NULL. -#}
{% macro agency_id(name_column) -%}
    left(md5({{ name_column }}), 16)
{%- endmacro %}
