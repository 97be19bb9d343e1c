{#-
  The combination of the given columns is unique (the grain of the model).
  Rows where any of the columns is NULL still count: NULL keys are a grain bug too.
  Grouping millions of rows by several text columns is slow (3 s for fct_outcomes at
  100k reports), so rows are first grouped by one hash of the key; only keys whose
  hash repeats are grouped exactly (a hash collision is never reported as a duplicate).
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set cols = combination_of_columns | join(', ') %}
with keyed as (
    select hash({{ cols }}) as row_key
    from {{ model }}
),

repeated_keys as (
    select row_key
    from keyed
    group by row_key
    having count(*) > 1
)

select {{ cols }}, count(*) as n_rows
from {{ model }}
where hash({{ cols }}) in (select row_key from repeated_keys)
group by {{ cols }}
having count(*) > 1
{% endtest %}
