{#- No NULL in any of `columns`: dbt's not_null for several columns in one query, so
    one node instead of one per column (each dbt node costs ~0.1 s whatever its data). -#}
{% test not_null_columns(model, columns) %}
select *
from {{ model }}
where {% for column in columns %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}
