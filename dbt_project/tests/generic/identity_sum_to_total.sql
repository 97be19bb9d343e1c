{#-
  Identity as a sum to a total over long rows (PUDL sum-to-total spirit): within each
  group of `group_by`, the rows whose `part_column` is not `total_value` (and satisfy
  `part_condition`) add up to the row whose `part_column` = `total_value`.
    identity 2: group (report_id, measure or outcome_code), parts = applicant columns
    identity 3: group (report_id, applicant_type), parts = outcome rows
    identity 4: group (report_id, proceeding), parts = results

  Known only when the total cell is non-NULL, at least one part exists and no part
  is NULL (a NULL cell makes the identity unknown, not broken). The test fails only
  for a broken identity that the parser did not record: no row in `issues` with
  check_name = `check_name` for the same report_id.
-#}
{% test identity_sum_to_total(model, group_by, part_column, value_column, check_name, issues, total_value='total', part_condition='true', report_id_column='report_id') %}
{%- set keys = group_by | join(', ') %}
with parts as (
    select {{ keys }},
           count(*) as n_parts,
           count({{ value_column }}) as n_known,
           sum({{ value_column }}) as parts_sum
    from {{ model }}
    where {{ part_column }} <> '{{ total_value }}'
      and ({{ part_condition }})
    group by {{ keys }}
),
totals as (
    select {{ keys }}, {{ value_column }} as total_value
    from {{ model }}
    where {{ part_column }} = '{{ total_value }}'
),
broken as (
    select totals.*, parts.parts_sum, parts.n_parts
    from totals
    join parts using ({{ keys }})
    where totals.total_value is not null
      and parts.n_parts > 0
      and parts.n_known = parts.n_parts
      and parts.parts_sum <> totals.total_value
)
select broken.*
from broken
where not exists (
    select 1 from {{ issues }} as i
    where i.report_id = broken.{{ report_id_column }}
      and i.check_name = '{{ check_name }}'
)
{% endtest %}
