-- The fact tables hold only selected reports (CONTRACT.md), and each fact row's
-- agency_id/year agree with its report in dim_report. Only the agency-years the
-- build may have changed (macros/build_scope.sql): the row's or its report's, so
-- that a row given a wrong agency-year is still seen.
{%- set facts = ['fct_applications', 'fct_outcomes', 'fct_litigation', 'fct_disclosure', 'agency_year_summary'] %}
{%- for f in facts %}
select '{{ f }}' as fact_table, f.report_id, f.agency_id, f.year
from {{ ref(f) }} as f
left join {{ ref('dim_report') }} as r on r.report_id = f.report_id
where ({{ in_build_scope('f') }} or {{ in_build_scope('r') }} or r.report_id is null)
  and (r.report_id is null
       or not r.is_selected
       or r.agency_id is distinct from f.agency_id
       or r.year is distinct from f.year)
{{ "union all" if not loop.last }}
{%- endfor %}
