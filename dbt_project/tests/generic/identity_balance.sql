{#-
  Identity as a balance within one row (PUDL sum-to-total spirit):
      sum(left_columns) = sum(right_columns)
  e.g. CONTRACT identity 1 on fct_applications:
      new_received + carried_over = processed + carried_forward.

  A NULL in any term makes the identity unknown, not broken: such rows are skipped.
  A real report may break the identity; the build fails only when the parser did not
  record it, i.e. when `issues` has no row with check_name = `check_name` for the
  same report_id. Returns one row per unexplained broken row.
-#}
{% test identity_balance(model, left_columns, right_columns, check_name, issues, report_id_column='report_id') %}
with checked as (
    select
        *,
        ({{ left_columns | join(' + ') }}) as lhs,
        ({{ right_columns | join(' + ') }}) as rhs
    from {{ model }}
    where {% for c in left_columns + right_columns %}{{ c }} is not null{{ " and " if not loop.last }}{% endfor %}
)
select checked.*
from checked
where lhs <> rhs
  and not exists (
    select 1 from {{ issues }} as i
    where i.report_id = checked.{{ report_id_column }}
      and i.check_name = '{{ check_name }}'
  )
{% endtest %}
