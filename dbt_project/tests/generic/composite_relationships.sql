{#-
  Every non-NULL combination of `columns` in the model exists as `to_columns` in `to`
  (a relationships test over several columns, e.g. (item, measure) -> disclosure_items).
-#}
{% test composite_relationships(model, columns, to, to_columns) %}
select {% for c in columns %}child.{{ c }}{{ ", " if not loop.last }}{% endfor %}, count(*) as n_rows
from (select * from {{ model }}) as child  -- model may be a subquery already aliased (a `where` config)
where {% for c in columns %}child.{{ c }} is not null{{ " and " if not loop.last }}{% endfor %}
  and not exists (
    select 1 from {{ to }} as parent
    where {% for i in range(columns | length) %}parent.{{ to_columns[i] }} = child.{{ columns[i] }}{{ " and " if not loop.last }}{% endfor %}
  )
group by {% for c in columns %}child.{{ c }}{{ ", " if not loop.last }}{% endfor %}
{% endtest %}
