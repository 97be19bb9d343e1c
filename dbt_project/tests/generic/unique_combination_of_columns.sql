{#-
  The combination of the given columns is unique (the grain of the model).
  Rows where any of the columns is NULL still count: NULL keys are a grain bug too.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set cols = combination_of_columns | join(', ') %}
select {{ cols }}, count(*) as n_rows
from {{ model }}
group by {{ cols }}
having count(*) > 1
{% endtest %}
