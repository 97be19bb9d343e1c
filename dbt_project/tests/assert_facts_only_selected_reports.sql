-- The fact tables hold only selected reports (CONTRACT.md), and each fact row's
-- agency_id/year agree with its report in dim_report.
{%- set facts = ['fct_applications', 'fct_outcomes', 'fct_litigation', 'fct_disclosure', 'agency_year_summary'] %}
{%- for f in facts %}
select '{{ f }}' as fact_table, f.report_id, f.agency_id, f.year
from {{ ref(f) }} as f
left join {{ ref('dim_report') }} as r on r.report_id = f.report_id
where r.report_id is null
   or not r.is_selected
   or r.agency_id is distinct from f.agency_id
   or r.year is distinct from f.year
{{ "union all" if not loop.last }}
{%- endfor %}
